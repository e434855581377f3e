#!/usr/bin/env bash
# The nightly customer scores split by customer with GNU parallel, on one
# host:
#   examples/cluster/parallel.sh EXPORT OUT_DIR [SHARDS [crm-rfm options...]]
# e.g. parallel.sh online_retail.csv.gz out 4 --as-of 2011-12-10
#
# Shard step and partials, one job per shard I = 1..N, N at a time:
#   crm-clean --shard I/N EXPORT -o OUT_DIR/clean.I.csv --rejects OUT_DIR/rejects.I.csv
#   crm-rfm --partial OUT_DIR/clean.I.csv -o OUT_DIR/rfm.I.part
# then the merge (one process; it holds every customer, not every row):
#   crm-rfm --merge OUT_DIR/rfm.1.part ... OUT_DIR/rfm.N.part [options] -o OUT_DIR/customers.csv
# customers.csv is byte for byte the one-process `crm-clean EXPORT | crm-rfm`
# table, and clean.*.csv / rejects.*.csv concatenated and sorted are its
# cleaned rows and rejects sorted (crm(7), "--shard").  crm-ltv and
# crm-segment then run on customers.csv.  Every shard reads the whole export
# (it keeps its customers' rows): the export is read N times, the work and the
# memory are split N ways.
#
# Across hosts (not run by the tests: they have one host), crm installed on
# each and the export copied to each with --basefile, the partial files
# brought back with --return:
#   parallel --sshlogin 4/host1,4/host2 --basefile export.csv.gz \
#     --return rfm.{}.part --cleanup --halt now,fail=1 \
#     'set -o pipefail; crm-clean -q --shard {}/8 export.csv.gz | crm-rfm --partial -o rfm.{}.part' \
#     ::: 1 2 3 4 5 6 7 8
#   crm-rfm --merge rfm.?.part -o customers.csv
# (--basefile puts the export in the remote home directory, hence the bare
# file name; --cleanup removes it and the partials there afterwards.)
#
# The row-split alternative, for engines that cut the input themselves (Hadoop
# Streaming, Spark pipe): crm-rfm --partial on any piece of cleaned rows, then
# --merge; crm-rfm(1), SPLIT RUNS.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: parallel.sh EXPORT OUT_DIR [SHARDS [crm-rfm options...]]" >&2
  exit 2
fi
EXPORT=$1 OUT=$2 SHARDS=${3:-4}
shift $(($# < 3 ? $# : 3))
case $SHARDS in ''|*[!0-9]*|0) echo "parallel.sh: SHARDS must be a whole number >= 1, got '$SHARDS'" >&2; exit 2 ;; esac
mkdir -p "$OUT"
export EXPORT OUT SHARDS
# --halt now,fail=1: the first failed shard stops the others and the script
# (no merge of an incomplete set of partials).
seq 1 "$SHARDS" | parallel --will-cite --halt now,fail=1 -j "$SHARDS" \
  'crm-clean -q --shard {}/"$SHARDS" "$EXPORT" --rejects "$OUT/rejects.{}.csv" -o "$OUT/clean.{}.csv" &&
   crm-rfm -q --partial "$OUT/clean.{}.csv" -o "$OUT/rfm.{}.part"'
parts=()
for i in $(seq 1 "$SHARDS"); do parts+=("$OUT/rfm.$i.part"); done
crm-rfm --merge "${parts[@]}" "$@" -o "$OUT/customers.csv"
