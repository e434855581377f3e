#!/usr/bin/env bash
# The nightly customer scores on the 10x Online Retail file (the data rows
# repeated 10 times, as bench/clean.sh builds it: 5.4M rows, nine of ten
# copies duplicates), in one process against SHARDS customer shards through
# GNU parallel (examples/cluster/parallel.sh, which the comments there
# describe), in one run, as a markdown table; then peak memory per customer of
# crm-rfm, crm-ltv and crm-segment (bench/memory.sh, PARTS=customers).
#
# One process, the same options as the recipe:
#   set -o pipefail
#   crm-clean -q EXPORT --rejects rejects.csv | tee clean.csv | crm-rfm -q -o customers.csv
#   crm-ltv -q customers.csv -o scored.csv
#   crm-segment -q --by kmeans -k 4 --by value scored.csv -o segments.csv
# Shards: examples/cluster/parallel.sh EXPORT OUT SHARDS (crm-clean --shard
# and crm-rfm --partial per shard, --merge; crm-ltv --partial per shard,
# --merge, --model-file per shard; crm-segment --save-model on all the
# scores, --model-file per shard).  Both write their cleaned rows and
# rejects to files; the script checks that the shards' tables are the
# one-process tables (customers byte for byte, the rest after LC_ALL=C sort).
#
# Columns: wall seconds; CPU seconds (user + system of every process of the
# run, GNU time's children totals); peak RSS of the largest process (GNU
# time's "Maximum resident set size", which Linux takes over the whole process
# tree); peak RSS of all the run's processes at once (their sum, sampled every
# 0.1 s: the shards run side by side).  The machine is shared: the load
# averages before and after, and the CPU seconds that other processes used
# during each run (from /proc/stat), say how much.
#
# Usage: bench/cluster.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to ./build, DATA_DIR to ../shared/data; SHARDS=N
#   (default 4); MEMORY=0 leaves out the per-customer part, CUSTOMERS=N sets
#   its size (default 1000000); EXPORT=FILE times another export instead.
# The 10x file is bench/clean.sh's, in $TMPDIR/crm-bench-clean (made here if
# missing); the outputs go to $TMPDIR/crm-bench-cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data}
shards=${SHARDS:-4}
src="$data/online-retail/online_retail.csv.gz"
cache=${TMPDIR:-/tmp}/crm-bench-clean
work=${TMPDIR:-/tmp}/crm-bench-cluster
for c in crm-clean crm-rfm crm-ltv crm-segment; do
  [ -x "$build/$c" ] || { echo "build $c first" >&2; exit 1; }
done
command -v parallel >/dev/null || { echo "GNU parallel is not installed (quickstart.sh installs it)" >&2; exit 1; }
[ -f "$src" ] || { echo "missing $src" >&2; exit 1; }
mkdir -p "$cache" "$work"

# the 10x file exactly as bench/clean.sh makes it (the same cache)
if [ ! -f "$cache/retail-10x.csv.gz" ]; then
  zcat "$src" >"$cache/retail-1x.csv"
  cp "$src" "$cache/retail-1x.csv.gz"
  { cat "$cache/retail-1x.csv"; for _ in $(seq 9); do tail -n +2 "$cache/retail-1x.csv"; done; } >"$cache/retail-10x.csv"
  gzip -1 -c "$cache/retail-10x.csv" >"$cache/retail-10x.csv.gz"
fi
export_file=${EXPORT:-$cache/retail-10x.csv.gz}
export PATH="$build:$PATH" LC_ALL=C

busy_seconds() { # CPU seconds the whole machine has been busy since boot
  awk -v hz="$(getconf CLK_TCK)" '$1 == "cpu" { print ($2 + $3 + $4 + $7 + $8 + $9) / hz }' /proc/stat
}

# run LABEL SCRIPT: times bash -c SCRIPT in a session of its own, prints a table row
run() {
  local label=$1 script=$2 before after
  before=$(busy_seconds)
  setsid /usr/bin/time -f '%e %U %S %M' -o "$work/time.txt" bash -c "$script" 2>"$work/stderr.txt" &
  local sid=$! peak=0 kb
  while kill -0 "$sid" 2>/dev/null; do
    kb=$({ ps -o rss= -s "$sid" || true; } | awk '{ s += $1 } END { print s + 0 }')
    [ "$kb" -gt "$peak" ] && peak=$kb
    sleep 0.1
  done
  wait "$sid" || { echo "$label failed:" >&2; cat "$work/stderr.txt" >&2; exit 1; }
  after=$(busy_seconds)
  read -r secs user sys rss <"$work/time.txt"
  awk -v l="$label" -v s="$secs" -v u="$user" -v y="$sys" -v m="$rss" -v p="$peak" -v b="$before" -v a="$after" 'BEGIN {
    printf "| %s | %.2f | %.2f | %.0f | %.0f | %.1f |\n", l, s, u + y, m / 1024, p / 1024, (a - b) - (u + y) }'
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); build: $build"
echo "input: $export_file"
echo
echo "| run | wall s | CPU s | peak MiB, largest process | peak MiB, all at once | CPU s of other processes meanwhile |"
echo "|---|---:|---:|---:|---:|---:|"
rm -rf "$work/one" "$work/shards"
mkdir -p "$work/one"
run "one process" "set -euo pipefail; cd '$work/one'
  crm-clean -q '$export_file' --rejects rejects.csv | tee clean.csv | crm-rfm -q -o customers.csv
  crm-ltv -q customers.csv -o scored.csv
  crm-segment -q --by kmeans -k 4 --by value scored.csv -o segments.csv"
run "$shards shards, GNU parallel (examples/cluster/parallel.sh)" \
  "'$root/examples/cluster/parallel.sh' '$export_file' '$work/shards' $shards"
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"

# the shards did the one-process work
same() { # LABEL ONE-PROCESS-FILE SHARD-FILES...: the rows after the header, sorted
  local label=$1 one=$2; shift 2
  if cmp -s <(tail -n +2 "$one" | sort) <(tail -q -n +2 "$@" | sort); then :; else
    echo "DIFFERENT: $label" >&2; exit 1
  fi
}
cmp "$work/one/customers.csv" "$work/shards/customers.csv"
cmp "$work/one/scored.csv" "$work/shards/scored.csv"
same "cleaned rows" "$work/one/clean.csv" "$work/shards"/clean.*.csv
same rejects "$work/one/rejects.csv" "$work/shards"/rejects.*.csv
same segments "$work/one/segments.csv" "$work/shards"/segments.*.csv
echo "outputs: $(($(wc -l <"$work/one/customers.csv") - 1)) customers; cleaned rows, rejects, customers, scores and segments of the shards are the one-process ones"

if [ "${MEMORY:-1}" != 0 ]; then
  echo
  echo "peak memory per customer (bench/memory.sh, PARTS=customers):"
  PARTS=customers bench/memory.sh "$build" "$data"
fi
