#!/usr/bin/python3
"""Writes a simulated raw export of N customers in the layout of the Online Retail file
(InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country), for
measuring what each customer costs in memory (bench/memory.sh, PARTS=customers): the
real export has only ~4.4k customers, too few for a per-customer figure.

Reproducible: numpy's PCG64 generator with a fixed seed.  Each customer buys at a rate
drawn from a Gamma distribution and stays for an exponential time (so that crm-ltv's
BG/NBD fit has something to fit): the first invoice on a uniform day of two years, then
Poisson(rate x time alive) invoices on uniform days of the time alive.  Each invoice has
1 or 2 lines of 500 products, at prices scaled by the customer's own spend level (Gamma
distributed: the spend model has something to fit too).  Rows come in date order,
invoice numbers in that order, as an export is written.  About 4.6 rows a customer.

usage: export_gen.py OUT.csv [N] [SEED]
"""
import sys

import numpy as np

DAYS = 730  # 2010-01-01 .. 2011-12-31


def main():
    out = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 1_000_000
    seed = int(sys.argv[3]) if len(sys.argv) > 3 else 20261202
    rng = np.random.default_rng(seed)
    rate = rng.gamma(0.8, 5.0, n)  # purchases a year
    first = rng.integers(0, DAYS, n)
    span = np.minimum(rng.exponential(300.0, n), DAYS - first)  # days alive in the window
    invoices = 1 + rng.poisson(rate * span / 365.0)
    customer = np.repeat(np.arange(n), invoices)
    # the first invoice on the first day, the others on uniform days of the time alive
    is_first = np.ones(customer.size, dtype=bool)
    is_first[1:] = customer[1:] != customer[:-1]
    start = first[customer]
    alive = span[customer]
    day = np.where(is_first, start, start + (rng.random(customer.size) * alive).astype(np.int64))
    minute = rng.integers(8 * 60, 18 * 60, customer.size)
    order = np.lexsort((minute, day))
    customer, day, minute = customer[order], day[order], minute[order]
    lines = rng.integers(1, 3, customer.size)
    invoice = np.repeat(np.arange(customer.size), lines)
    product = rng.integers(0, 500, invoice.size)
    quantity = rng.integers(1, 13, invoice.size)
    spend = rng.gamma(3.0, 1.0 / 3.0, n)  # each customer's price level, for the Gamma-Gamma model
    price_cents = np.maximum(1, rng.integers(25, 2000, invoice.size) * spend[customer[invoice]]).astype(np.int64)
    dates = (np.datetime64("2010-01-01T00:00") + day.astype("timedelta64[D]")
             + minute.astype("timedelta64[m]"))
    date_text = [d.replace("T", " ") for d in np.datetime_as_string(dates, unit="m").tolist()]
    customer_id = (100000 + customer).tolist()
    with open(out, "w") as f:
        f.write("InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country\n")
        for i, p, q, c in zip(invoice.tolist(), product.tolist(), quantity.tolist(), price_cents.tolist()):
            f.write("%d,P%d,ITEM %d,%d,%s:00,%d.%02d,%d,United Kingdom\n" % (
                1000000 + i, p, p, q, date_text[i], c // 100, c % 100, customer_id[i]))


if __name__ == "__main__":
    main()
