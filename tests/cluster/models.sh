#!/usr/bin/env bash
# Saved models label shards as one process labels the whole table
# (ctest: cluster.models):   tests/cluster/models.sh BIN_DIR
# The customers table of the Online Retail sample (crm-clean | crm-rfm |
# crm-ltv) is segmented once with --save-model; then 4 customer shards of it
# are labelled with --model-file --shard I/4.  The shards' rows,
# concatenated and sorted by customer_id, are the one-process rows sorted,
# for --by kmeans -k 4, --by value and both at once.
# crm-ltv: 4 shards' --partial statistics merged give the one-process
# --fit-only table byte for byte (BG/NBD with Gamma-Gamma, Pareto/NBD,
# MBG/NBD), also concatenated in another order and as a tree of merges; a
# shard scored with the merged model is the one-process scoring.
set -euo pipefail
. "$(dirname "$0")/lib.sh" "$1"
crm-clean -q "$root/examples/online-retail-sample.csv.gz" | crm-rfm -q | crm-ltv -q -o customers.csv

shards_match() {   # NAME METHOD-OPTIONS...
  local name=$1; shift
  crm-segment -q "$@" customers.csv --save-model "$name.model" -o "$name.one.csv"
  local by=()
  for a in "$@"; do case $a in -k|4) ;; *) by+=("$a") ;; esac; done
  for i in 1 2 3 4; do
    crm-segment -q "${by[@]}" --model-file "$name.model" --shard "$i/4" customers.csv -o "$name.$i.csv"
  done
  tail -n +2 "$name.one.csv" | sort -t, -k1,1 > "$name.one.sorted"
  tail -q -n +2 "$name".[1-4].csv | sort -t, -k1,1 > "$name.shards.sorted"
  local segments
  segments=$(tail -n +2 "$name.one.csv" | awk -F, '{print $NF}' | sort -u | wc -l)
  if cmp "$name.one.sorted" "$name.shards.sorted" && [ "$(wc -l < "$name.one.sorted")" -gt 800 ] &&
     [ "$segments" -ge 3 ] && [ -s "$name.1.csv" ]; then
    echo "$name: $(wc -l < "$name.one.sorted") customers in 4 shards, $segments segments: as one process"
  else
    echo "FAILED: $name"; fail=1
  fi
}
shards_match kmeans --by kmeans -k 4
shards_match value --by value
shards_match both --by kmeans -k 4 --by value

crm-clean -q "$root/examples/online-retail-sample.csv.gz" | crm-rfm -q -o rfm.csv
for i in 1 2 3 4; do crm-ltv -q --partial --shard "$i/4" rfm.csv -o "ltv.$i.part"; done
for model in bgnbd pnbd mbgnbd; do
  crm-ltv -q --model $model --fit-only rfm.csv -o "fit.$model.one"
  crm-ltv -q --model $model --merge ltv.[1-4].part -o "fit.$model.merged"
  if cmp "fit.$model.one" "fit.$model.merged" && [ "$(wc -l < "fit.$model.one")" -eq 8 ]; then
    echo "crm-ltv $model: 4 partials merged: the one-process fit to the last digit"
  else
    echo "FAILED: crm-ltv --merge $model"; fail=1
  fi
done
cat ltv.3.part ltv.1.part ltv.4.part ltv.2.part | crm-ltv -q --merge -o fit.cat
crm-ltv -q --merge --partial ltv.1.part ltv.2.part -o ltv.12.part
crm-ltv -q --merge --partial ltv.4.part ltv.3.part -o ltv.34.part
crm-ltv -q --merge ltv.34.part ltv.12.part --save-model ltv.model -o fit.tree
cmp fit.cat fit.bgnbd.one && cmp fit.tree fit.bgnbd.one && echo "crm-ltv: concatenated, and a tree of merges: the same" ||
  { echo "FAILED: crm-ltv concatenated or tree merge"; fail=1; }
crm-ltv -q rfm.csv --model-file ltv.model -o scored.one
for i in 1 2 3 4; do crm-ltv -q --model-file ltv.model --shard "$i/4" rfm.csv -o "scored.$i"; done
tail -q -n +2 scored.[1-4] | sort > scored.shards
tail -n +2 scored.one | sort > scored.one.sorted
cmp scored.shards scored.one.sorted && echo "crm-ltv: 4 shards scored with the merged model: as one process" ||
  { echo "FAILED: crm-ltv sharded scoring"; fail=1; }
# A per-shard fit is not the whole fit: the partials are needed.
crm-ltv -q --fit-only --shard 1/4 rfm.csv 2> /dev/null && { echo "FAILED: crm-ltv --fit-only --shard"; fail=1; }

# Without the model a shard fits on its own customers: labels differ.
crm-segment -q --by kmeans -k 4 --shard 1/4 customers.csv -o own.csv 2> own.err && { echo "FAILED: --shard without a model"; fail=1; }
grep -q -- "--model-file" own.err || { echo "FAILED: no hint to --model-file"; fail=1; }
exit $fail
