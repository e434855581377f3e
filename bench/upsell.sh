#!/usr/bin/env bash
# Times crm-basket --upsell against --recommend on Online Retail (one run
# each: read, compute, write the CSV) and prints a 10-line sample of the
# offers.  The catalog is built from the products (bench/upsell_catalog.py:
# category = first word of the description, price = median unit price).
# Usage: bench/upsell.sh [BUILD_DIR] [DATA_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data}
work=${TMPDIR:-/tmp}/crm-bench-upsell
mkdir -p "$work"
export PATH="$build:$PATH"
crm-clean "$data/online-retail/online_retail.csv.gz" --keep-extra -q -o "$work/clean.csv"
python3 bench/upsell_catalog.py < "$work/clean.csv" > "$work/catalog.csv"
echo "catalog: $(($(wc -l < "$work/catalog.csv") - 1)) products, $(cut -d, -f2 "$work/catalog.csv" | sort -u | wc -l) categories"
timed() { # label command...
  local start end
  start=$(date +%s.%N)
  "${@:2}"
  end=$(date +%s.%N)
  printf '%-10s %6.2f s  %s rows\n' "$1" "$(echo "$end - $start" | bc)" "$(($(wc -l < "$work/$1.csv") - 1))"
}
timed upsell crm-basket "$work/clean.csv" --upsell --catalog "$work/catalog.csv" --top 3 -q -o "$work/upsell.csv"
timed recommend crm-basket "$work/clean.csv" --min-support 1% --min-confidence 30% --recommend --top 3 -q \
  -o "$work/recommend.csv"
head -11 "$work/upsell.csv"
