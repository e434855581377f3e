#!/usr/bin/env bash
# docs/screenshots.sh [BUILD_DIR] [ONLINE_RETAIL_GZ] : the report of the full
# Online Retail pipeline (clean, rfm --keep Country, ltv, segment, basket,
# cohort) rendered in headless Chromium by tests/browser/check.mjs, into
# docs/screenshots/: the whole page at desktop and phone widths, and every
# figure on its own.  Needs what ./quickstart.sh test installs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
bin=$(cd "${1:-$root/build}" && pwd)
export_file=${2:-$root/../shared/data/online-retail/online_retail.csv.gz}
out=$here/screenshots
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
export PATH="$bin:$PATH"
cd "$work"
crm-clean "$export_file" --keep-extra -q -o tx.csv
crm-rfm tx.csv --keep Country \
  | crm-ltv --model bgnbd --spend gamma-gamma --horizon 12m --discount 10% --margin 30% -q \
  | crm-segment --by rfm --by value --margin 30% --by lifecycle -q -o customers.csv
crm-basket tx.csv --min-support 1% --min-confidence 30% --min-lift 2 --min-len 2 \
  --exclude "@$root/examples/not-products.txt" --label Description -q -o rules.csv
crm-ltv --method cohort --by month --cost-rate 70% tx.csv -q -o cohort.csv
# the holdout validation: calibration to 2011-09-09, the last three months held
# out (the Pareto/NBD fit of this table takes minutes: its likelihood runs to
# the no-dropout edge, where 2F1 converges slowly)
crm-rfm tx.csv --calibration-end 2011-09-09 -q | crm-ltv --validate -q -o validation.csv
crm-report --customers customers.csv --rules rules.csv --transactions tx.csv --cohort cohort.csv \
  --validation validation.csv \
  --title "Online Retail (UCI), 2010-12 to 2011-12" -q -o report.html
rm -f "$out"/*.png
FIGURE_SHOTS=1 node "$root/tests/browser/check.mjs" report.html "$out" \
  headline pareto rfm-grid segments attributes ltv cohort rules
ls -l "$out"
