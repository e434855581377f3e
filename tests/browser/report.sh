#!/usr/bin/env bash
# report.sh BIN_DIR OUT_DIR : the sample export through the whole pipeline,
# crm-report over its tables, then check.mjs renders the page in Debian's
# headless Chromium (desktop and phone widths) and checks it; the
# screenshots are left in OUT_DIR.  Never skips: a missing browser or
# playwright-core is a failure that says what to install.
set -euo pipefail
bin=$(cd "$1" && pwd)
out=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
mkdir -p "$out"
out=$(cd "$out" && pwd)
[ -x /usr/bin/chromium ] || { echo "report.sh: /usr/bin/chromium is missing: run ./quickstart.sh test (apt-get install chromium)" >&2; exit 1; }
[ -d "$here/node_modules/playwright-core" ] || { echo "report.sh: playwright-core is missing: run ./quickstart.sh test (npm install in tests/browser)" >&2; exit 1; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
export PATH="$bin:$PATH"
crm-clean "$root/examples/online-retail-sample.csv.gz" --keep-extra -q -o tx.csv
crm-rfm tx.csv --keep Country | crm-ltv -q | crm-segment --by rfm --by value --by lifecycle -q -o customers.csv
crm-basket tx.csv --min-support 2% --min-confidence 30% --min-len 2 -q -o rules.csv
crm-ltv --method cohort --by month --cost-rate 70% tx.csv -q -o cohort.csv
crm-report --customers customers.csv --rules rules.csv --transactions tx.csv --cohort cohort.csv \
  --title "Online Retail sample" -q -o report.html
cp report.html "$out/report.html"
node "$here/check.mjs" report.html "$out" headline pareto rfm-grid segments attributes ltv cohort rules
