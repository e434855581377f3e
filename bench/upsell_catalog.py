#!/usr/bin/env python3
"""A product catalog for crm-basket --upsell from crm-clean's transactions
(with --keep-extra, so Description is there): one row per product_id,
category = the first word of its most frequent description, price = the
median unit price of its rows (positive prices only), name = that
description.  Reads CSV on stdin, writes the catalog on stdout.

Usage: crm-clean export.csv.gz --keep-extra | bench/upsell_catalog.py > catalog.csv
"""
import collections
import csv
import statistics
import sys

prices = collections.defaultdict(list)
names = collections.defaultdict(collections.Counter)
for row in csv.DictReader(sys.stdin):
    product = row["product_id"]
    try:
        price = float(row["unit_price"])
    except ValueError:
        continue
    if price > 0:
        prices[product].append(price)
    description = (row.get("Description") or "").strip()
    if description:
        names[product][description] += 1

out = csv.writer(sys.stdout, lineterminator="\n")
out.writerow(["product_id", "category", "price", "name"])
for product in sorted(prices):
    # most frequent description; the byte-smallest among equally frequent ones
    name = min(names[product].items(), key=lambda kv: (-kv[1], kv[0]))[0] if names[product] else product
    category = name.split()[0] if name.split() else product
    out.writerow([product, category, "%.2f" % statistics.median(prices[product]), name])
