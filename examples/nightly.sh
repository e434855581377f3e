#!/usr/bin/env bash
# The nightly job, one pipeline from the raw export to scored customers:
#   crm-clean   raw export -> clean transactions (+ every rejected row, with its reason)
#   crm-rfm     transactions -> one row per customer: RFM scores and the model summary
#   crm-ltv     the purchase model that fits best (--model auto: BG/NBD, MBG/NBD or Pareto/NBD
#               by BIC) + Gamma-Gamma -> p_alive, expected purchases, 12-month CLV
#   crm-segment named RFM segments and value tiers (MVC / MGC / Standard / BZ)
#   crm-basket  cross-sell: the products each customer is likely to buy next, named by
#               their description, never postage, fees or vouchers (NOT_PRODUCTS, a
#               file of stock codes, one a line; default examples/not-products.txt)
#   crm-report  one HTML page of it all (open out/report.html in a browser)
# Optional, off unless given (environment variables):
#   INTERACTIONS=FILE  web visits, calls, store visits (customer_id,date[,channel]): crm-rfm adds
#               interactions, last_interaction, interaction_recency_days, and R scores the latest
#               contact of either kind (--recency-from both); out/lifecycle.csv names the stages
#               from the data, prospects (seen in the interactions only) included
#   SURVEY=FILE customer_id and numeric survey scores: out/loyalty.csv with loyalty tiers
#               (objective factors from the purchases, subjective from the survey)
#   CATALOG=FILE product_id,category,price[,...]: out/up-sell.csv, dearer products of the
#               categories each customer buys (bench/upsell_catalog.py builds one)
# Usage: examples/nightly.sh EXPORT OUTDIR
set -euo pipefail
export_file=${1:?usage: nightly.sh EXPORT OUTDIR}
outdir=${2:?usage: nightly.sh EXPORT OUTDIR}
mkdir -p "$outdir"
not_products=${NOT_PRODUCTS:-$(dirname "$0")/not-products.txt}
rfm_extra=()
if [ -n "${INTERACTIONS:-}" ]; then rfm_extra+=(--interactions "$INTERACTIONS" --recency-from both); fi
if [ -n "${SURVEY:-}" ]; then rfm_extra+=(--loyalty-period 1m); fi

crm-clean "$export_file" --keep-extra --rejects "$outdir/rejects.csv" --report "$outdir/clean-report.json" -q \
  | tee "$outdir/transactions.csv" \
  | crm-rfm --keep Country ${rfm_extra[@]+"${rfm_extra[@]}"} \
  | crm-ltv --model auto --spend gamma-gamma --horizon 12m --discount 10% --margin 30% -q \
  | crm-segment --by rfm --by value --margin 30% --profile "$outdir/segments.csv" -q -o "$outdir/customers.csv"

crm-basket "$outdir/transactions.csv" --min-support 1% --min-confidence 30% --min-lift 2 --min-len 2 \
  --exclude "@$not_products" --label Description --recommend --top 3 -q -o "$outdir/cross-sell.csv"
crm-basket "$outdir/transactions.csv" --min-support 1% --min-confidence 30% --min-lift 2 --min-len 2 \
  --exclude "@$not_products" --label Description -q -o "$outdir/rules.csv"
if [ -n "${INTERACTIONS:-}" ]; then
  # The lifecycle from the data: both purchase windows, and the prospects
  # (their purchase columns are empty, so they stay out of the model run above).
  crm-rfm "$outdir/transactions.csv" --interactions "$INTERACTIONS" --prospects --recent-window 90d -q \
    | crm-segment --by lifecycle --recent-window 90d -q -o "$outdir/lifecycle.csv"
fi
if [ -n "${SURVEY:-}" ]; then
  crm-segment "$outdir/customers.csv" --by loyalty --survey "$SURVEY" -q -o "$outdir/loyalty.csv"
fi
if [ -n "${CATALOG:-}" ]; then
  crm-basket "$outdir/transactions.csv" --upsell --catalog "$CATALOG" --exclude "@$not_products" --top 3 -q \
    -o "$outdir/up-sell.csv"
fi
crm-ltv --method cohort --by month --cost-rate 70% "$outdir/transactions.csv" -q -o "$outdir/cohort.csv"
crm-report --customers "$outdir/customers.csv" --rules "$outdir/rules.csv" \
  --transactions "$outdir/transactions.csv" --cohort "$outdir/cohort.csv" \
  --title "Nightly customer report" -q -o "$outdir/report.html"

echo "nightly: clean transactions        $outdir/transactions.csv"
echo "nightly: rejected rows and reasons $outdir/rejects.csv (counts in $outdir/clean-report.json)"
echo "nightly: scored customers          $outdir/customers.csv (RFM, p_alive, CLV, segments)"
echo "nightly: segment profile           $outdir/segments.csv"
echo "nightly: cross-sell offers         $outdir/cross-sell.csv"
echo "nightly: the report, one HTML page $outdir/report.html"
if [ -n "${INTERACTIONS:-}" ]; then echo "nightly: lifecycle stages         $outdir/lifecycle.csv"; fi
if [ -n "${SURVEY:-}" ]; then echo "nightly: loyalty tiers            $outdir/loyalty.csv"; fi
if [ -n "${CATALOG:-}" ]; then echo "nightly: up-sell offers           $outdir/up-sell.csv"; fi
