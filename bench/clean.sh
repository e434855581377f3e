#!/usr/bin/env bash
# Times crm-clean on the Online Retail export and on a 10x repetition of it,
# plain and gzip'd, with one parsing thread (--threads 1) and with the
# default (one per core), and prints throughput (MB/s of uncompressed input) and
# peak memory.  For scale, the script also times libcsv's own parser alone
# (bench/csv_parse, built with the project) on the same bytes.
#
# Usage: bench/clean.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to ./build, DATA_DIR to ../shared/data.
# Generated inputs go to $TMPDIR (about 1 GB for the 10x files).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${2:-../shared/data}
src="$data/online-retail/online_retail.csv.gz"
work=${TMPDIR:-/tmp}/crm-bench-clean
mkdir -p "$work"

[ -x "$build/crm-clean" ] || { echo "build crm-clean first (./quickstart.sh demo)" >&2; exit 1; }
[ -f "$src" ] || { echo "missing $src" >&2; exit 1; }

# 1x and 10x inputs, plain and gzip'd.  The 10x file repeats the data rows
# (one header), so nine of ten copies are duplicates: the duplicate rule's
# hash set is exercised at full size.
if [ ! -f "$work/retail-10x.csv.gz" ]; then
  zcat "$src" >"$work/retail-1x.csv"
  cp "$src" "$work/retail-1x.csv.gz"
  { cat "$work/retail-1x.csv"; for _ in $(seq 9); do tail -n +2 "$work/retail-1x.csv"; done; } >"$work/retail-10x.csv"
  gzip -1 -c "$work/retail-10x.csv" >"$work/retail-10x.csv.gz"
fi

measure() { # label command... ; prints label, seconds, MB/s, peak RSS
  local label=$1; shift
  local bytes=$1; shift
  /usr/bin/time -f "%e %M" -o "$work/time.txt" "$@" >/dev/null 2>"$work/stderr.txt" || {
    cat "$work/stderr.txt" >&2; return 1; }
  read -r secs rss <"$work/time.txt"
  awk -v l="$label" -v s="$secs" -v b="$bytes" -v m="$rss" \
    'BEGIN { printf "| %-34s | %8.2f | %8.1f | %9.1f |\n", l, s, (s > 0 ? b / 1e6 / s : 0), m / 1024 }'
}

echo "| run                                | seconds |   MB/s  | peak MiB |"
echo "|------------------------------------|---------|---------|----------|"
for n in 1x 10x; do
  bytes=$(stat -c %s "$work/retail-$n.csv")
  if [ -x "$build/bench-csv-parse" ]; then
    measure "libcsv parse only, $n plain" "$bytes" "$build/bench-csv-parse" "$work/retail-$n.csv"
  fi
  measure "crm-clean $n plain, --threads 1" "$bytes" "$build/crm-clean" -q --threads 1 "$work/retail-$n.csv"
  measure "crm-clean $n plain" "$bytes" "$build/crm-clean" -q "$work/retail-$n.csv"
  # the pipeline's setting (bench/rfm.sh): no netting, so reading and writing dominate
  measure "crm-clean $n plain, --returns drop" "$bytes" "$build/crm-clean" -q --returns drop "$work/retail-$n.csv"
  measure "crm-clean $n gzip, --threads 1" "$bytes" "$build/crm-clean" -q --threads 1 "$work/retail-$n.csv.gz"
  measure "crm-clean $n gzip" "$bytes" "$build/crm-clean" -q "$work/retail-$n.csv.gz"
  measure "crm-clean $n plain, --rejects" "$bytes" "$build/crm-clean" -q "$work/retail-$n.csv" --rejects "$work/rejects.csv"
done
