#!/usr/bin/env bash
# Saved models label shards as one process labels the whole table
# (ctest: cluster.models):   tests/cluster/models.sh BIN_DIR
# The customers table of the Online Retail sample (crm-clean | crm-rfm |
# crm-ltv) is segmented once with --save-model; then 4 customer shards of it
# are labelled with --model-file --shard I/4.  The shards' rows,
# concatenated and sorted by customer_id, are the one-process rows sorted,
# for --by kmeans -k 4, --by value and both at once.
set -euo pipefail
bin_dir=$1
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$bin_dir:$PATH" LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
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

# Without the model a shard fits on its own customers: labels differ.
crm-segment -q --by kmeans -k 4 --shard 1/4 customers.csv -o own.csv 2> own.err && { echo "FAILED: --shard without a model"; fail=1; }
grep -q -- "--model-file" own.err || { echo "FAILED: no hint to --model-file"; fail=1; }
exit $fail
