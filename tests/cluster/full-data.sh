#!/usr/bin/env bash
# The nightly pipeline on the full Online Retail export (ctest:
# cluster.full-data), 4 customer shards through every command against one
# process, and 4 row splits through crm-rfm:
#   tests/cluster/full-data.sh BIN_DIR [10x]
# The export is $SHARED_DATA/online-retail/online_retail.csv.gz (SHARED_DATA
# defaults to ../shared/data beside the source tree); without it the script
# skips (exit 77).  With 10x it runs on the data rows repeated 10 times, one
# header (bench/clean.sh's file, taken from its cache in
# $TMPDIR/crm-bench-clean when it is there; nine of ten copies are duplicates):
# several minutes, too slow for ctest.
#
# Every shard output, concatenated and sorted (LC_ALL=C, each file's header
# left out), is the one-process output sorted, and the merged tables are the
# one-process tables byte for byte:
#   crm-clean --keep-extra --shard I/4: cleaned rows and rejects;
#   crm-rfm --partial per shard, --merge (and a tree of --merge --partial):
#     the customers table; the cleaned rows cut into 4 pieces by lines
#     (invoices and customers across pieces), --partial each, --merge: the
#     same table;
#   crm-ltv --partial --shard I/4 on the table, --merge --save-model: the
#     one-process --fit-only table; --model-file --shard I/4 with the nightly
#     options: the one-process scores;
#   crm-segment --save-model on every customer's scores, --model-file
#     --shard I/4: the nightly --by rfm --by value --margin 30%, and --by
#     kmeans -k 4 --by value (examples/cluster/parallel.sh);
#   crm-basket: rules mined once with the nightly options, --recommend --rules
#     on each shard's cleaned rows: the nightly cross-sell table.
# Where examples/nightly.sh uses an option that does not split, the
# one-process run here leaves it out too: crm-rfm --keep Country (refused
# with --partial and --merge), crm-ltv --model auto (refused with --merge:
# BG/NBD, what auto chooses on this file, instead), crm-segment --profile (a
# table of all customers).
set -euo pipefail
data=${SHARED_DATA:-$(cd "$(dirname "$0")/../.." && pwd)/../shared/data}
src=$data/online-retail/online_retail.csv.gz
[ -f "$src" ] || { echo "no $src: skipped"; exit 77; }
. "$(dirname "$0")/lib.sh" "$1"
size=${2:-1x}
export_file=$src
if [ "$size" = 10x ]; then
  export_file=${TMPDIR:-/tmp}/crm-bench-clean/retail-10x.csv.gz
  if [ ! -f "$export_file" ]; then
    export_file=$work/retail-10x.csv
    { zcat "$src"; for _ in $(seq 9); do zcat "$src" | tail -n +2; done; } >"$export_file"
  fi
elif [ "$size" != 1x ]; then
  echo "usage: full-data.sh BIN_DIR [10x]" >&2; exit 2
fi
shards=(1 2 3 4)
not_products=$root/examples/not-products.txt
ltv_scoring=(--spend gamma-gamma --horizon 12m --discount 10% --margin 30%)
mining=(--min-support 1% --min-confidence 30% --min-lift 2 --min-len 2 --exclude "@$not_products" --label Description)
echo "export: $export_file"

# one process
crm-clean -q --keep-extra "$export_file" --rejects rejects.csv -o clean.csv
crm-rfm -q clean.csv -o customers.csv
crm-ltv -q --model bgnbd --spend gamma-gamma --fit-only customers.csv -o fit.csv
crm-ltv -q --model bgnbd "${ltv_scoring[@]}" customers.csv -o scored.csv
crm-segment -q --by rfm --by value --margin 30% scored.csv -o segments.csv
crm-segment -q --by kmeans -k 4 --by value scored.csv -o clusters.csv
crm-basket -q clean.csv "${mining[@]}" -o rules.csv
crm-basket -q clean.csv "${mining[@]}" --recommend --top 3 -o cross-sell.csv
customers=$(($(wc -l <customers.csv) - 1))

# crm-clean and crm-rfm by customer
for i in "${shards[@]}"; do
  crm-clean -q --keep-extra --shard "$i/4" "$export_file" --rejects "rejects.$i.csv" -o "clean.$i.csv"
  crm-rfm -q --partial "clean.$i.csv" -o "rfm.$i.part"
  check [ "$(wc -l <"clean.$i.csv")" -gt 1000 ]
done
check same_rows clean.csv clean.[1-4].csv
check same_rows rejects.csv rejects.[1-4].csv
crm-rfm -q --merge rfm.[1-4].part -o merged.csv
check cmp merged.csv customers.csv
crm-rfm -q --merge --partial rfm.1.part rfm.2.part -o rfm.12.part
crm-rfm -q --merge --partial rfm.3.part rfm.4.part -o rfm.34.part
crm-rfm -q --merge rfm.34.part rfm.12.part -o tree.csv
check cmp tree.csv customers.csv
echo "crm-clean, crm-rfm: $customers customers, $(($(wc -l <clean.csv) - 1)) rows, $(($(wc -l <rejects.csv) - 1)) rejects in 4 customer shards: as one process"

# crm-rfm on 4 row splits of the cleaned rows, each with the header
tail -n +2 clean.csv >rows.csv
split -n l/4 -d rows.csv piece.
cut_invoices=0
for i in 0 1 2 3; do
  { head -n 1 clean.csv; cat "piece.0$i"; } | crm-rfm -q --partial -o "rows.$i.part"
  if [ "$i" -gt 0 ] && [ "$(tail -n 1 "piece.0$((i - 1))" | cut -d, -f2)" = "$(head -n 1 "piece.0$i" | cut -d, -f2)" ]; then
    cut_invoices=$((cut_invoices + 1))
  fi
done
crm-rfm -q --merge rows.[0-3].part -o rows.csv
check cmp rows.csv customers.csv
check [ "$cut_invoices" -ge 1 ]
echo "crm-rfm: 4 row splits ($cut_invoices of the 3 cuts inside an invoice): as one process"

# crm-ltv: statistics per shard, one fit, the shards scored with it
for i in "${shards[@]}"; do
  crm-ltv -q --partial --shard "$i/4" merged.csv -o "ltv.$i.part"
done
crm-ltv -q --model bgnbd --spend gamma-gamma --merge ltv.[1-4].part --save-model ltv-model.csv -o ltv-fit.csv
check cmp ltv-fit.csv fit.csv
for i in "${shards[@]}"; do
  crm-ltv -q --model-file ltv-model.csv "${ltv_scoring[@]}" --shard "$i/4" merged.csv -o "scored.$i.csv"
done
check same_rows scored.csv scored.[1-4].csv
{ head -n 1 scored.1.csv; tail -q -n +2 scored.[1-4].csv | sort -t, -k1,1; } >scores.csv
check cmp scores.csv scored.csv
echo "crm-ltv: 4 partials merged: the one-process fit; 4 shards scored with it: as one process"

# crm-segment: fitted on every customer's scores, shards labelled with the model
segments_match() { # NAME ONE-PROCESS-FILE FIT-OPTIONS... -- LABEL-OPTIONS...
  local name=$1 one=$2 fit=() label=(); shift 2
  while [ "$1" != -- ]; do fit+=("$1"); shift; done
  shift; label=("$@")
  crm-segment -q "${fit[@]}" scores.csv --save-model "$name.model" -o /dev/null
  for i in "${shards[@]}"; do
    crm-segment -q "${label[@]}" --model-file "$name.model" --shard "$i/4" scores.csv -o "$name.$i.csv"
  done
  check same_rows "$one" "$name".[1-4].csv
  echo "crm-segment ${fit[*]}: $(tail -n +2 "$one" | awk -F, '{ print $NF }' | sort -u | wc -l) segments in the last column, 4 shards: as one process"
}
segments_match rfm-value segments.csv --by rfm --by value --margin 30% -- --by rfm --by value
segments_match kmeans-value clusters.csv --by kmeans -k 4 --by value -- --by kmeans --by value

# crm-basket: each shard's customers offered products with the saved rules
for i in "${shards[@]}"; do
  crm-basket -q "clean.$i.csv" --recommend --rules rules.csv --label Description --exclude "@$not_products" \
    --top 3 -o "cross-sell.$i.csv"
done
check same_rows cross-sell.csv cross-sell.[1-4].csv
check [ "$(wc -l <cross-sell.csv)" -gt 1000 ]
echo "crm-basket: $(($(wc -l <rules.csv) - 1)) rules, $(($(wc -l <cross-sell.csv) - 1)) offers to 4 shards' customers: as one process"
exit $fail
