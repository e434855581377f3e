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
# cleaned rows and rejects sorted (crm(7), "--shard").  Every shard reads the
# whole export (it keeps its customers' rows): the export is read N times, the
# work and the memory are split N ways.
#
# Then crm-ltv and crm-segment on customers.csv, shard by shard again:
#   crm-ltv --partial --shard I/N customers.csv -o OUT_DIR/ltv.I.part
#   crm-ltv --merge OUT_DIR/ltv.*.part --save-model OUT_DIR/ltv-model.csv -o OUT_DIR/ltv-fit.csv
#   crm-ltv --model-file OUT_DIR/ltv-model.csv --shard I/N customers.csv -o OUT_DIR/scored.I.csv
# ltv-fit.csv is the one-process `crm-ltv --fit-only customers.csv` table to
# the last digit, and scored.*.csv sorted are the one-process scores sorted.
# K-means clusters and value tiers are fitted once on every customer (the
# scores put back together in customer order: one row per customer), saved,
# and every shard is labelled with the saved model:
#   crm-segment --by kmeans -k 4 --by value OUT_DIR/scored.csv --save-model OUT_DIR/segment-model.txt
#   crm-segment --by kmeans --by value --model-file OUT_DIR/segment-model.txt --shard I/N \
#     OUT_DIR/scored.csv -o OUT_DIR/segments.I.csv
# (a weekly fit, then nightly labels: the model file is the weekly part); the
# segments.*.csv sorted are the one-process labels sorted.
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
# --merge; crm-rfm(1), SPLIT RUNS, and examples/cluster/hadoop.sh.
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

# crm-ltv: each shard's statistics, one fit from all of them, each shard
# scored with it.
seq 1 "$SHARDS" | parallel --will-cite --halt now,fail=1 -j "$SHARDS" \
  'crm-ltv -q --partial --shard {}/"$SHARDS" "$OUT/customers.csv" -o "$OUT/ltv.{}.part"'
parts=()
for i in $(seq 1 "$SHARDS"); do parts+=("$OUT/ltv.$i.part"); done
crm-ltv -q --merge "${parts[@]}" --save-model "$OUT/ltv-model.csv" -o "$OUT/ltv-fit.csv"
seq 1 "$SHARDS" | parallel --will-cite --halt now,fail=1 -j "$SHARDS" \
  'crm-ltv -q --model-file "$OUT/ltv-model.csv" --shard {}/"$SHARDS" "$OUT/customers.csv" -o "$OUT/scored.{}.csv"'

# crm-segment: the model fitted once on every customer, the shards labelled
# with it.  The scores back in customer_id order (byte order, as crm-rfm
# writes the table) are the one-process scored table.
{ head -n 1 "$OUT/scored.1.csv"; for i in $(seq 1 "$SHARDS"); do tail -n +2 "$OUT/scored.$i.csv"; done |
    LC_ALL=C sort -t, -k1,1; } > "$OUT/scored.csv"
crm-segment -q --by kmeans -k 4 --by value "$OUT/scored.csv" --save-model "$OUT/segment-model.txt" -o /dev/null
seq 1 "$SHARDS" | parallel --will-cite --halt now,fail=1 -j "$SHARDS" \
  'crm-segment -q --by kmeans --by value --model-file "$OUT/segment-model.txt" --shard {}/"$SHARDS" \
     "$OUT/scored.csv" -o "$OUT/segments.{}.csv"'
