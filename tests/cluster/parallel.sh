#!/usr/bin/env bash
# The GNU parallel recipes, run for real (ctest: cluster.parallel):
#   tests/cluster/parallel.sh BIN_DIR
# 1. examples/cluster/parallel.sh on the Online Retail sample, 4 customer
#    shards of crm-clean | crm-rfm --partial and the merge: customers.csv is
#    byte for byte the one-process table; the shards' cleaned rows and rejects,
#    concatenated and sorted, are the one-process ones sorted.  Then crm-ltv
#    --partial per shard and --merge: the one-process --fit-only table; the
#    shards scored with the merged model and labelled by crm-segment with a
#    saved model (k-means, value tiers): the one-process rows, sorted.
# 2. A row split by GNU parallel itself (--pipe --header : --block 256k cuts
#    the cleaned rows into blocks at line ends, invoices cut across blocks,
#    the header repeated to each): crm-rfm --partial per block, --merge in
#    block order: the one-process table again.
# 3. A shard that fails stops the recipe with a non-zero status and no table.
set -euo pipefail
command -v parallel >/dev/null || { echo "GNU parallel is not installed (quickstart.sh installs it)"; exit 1; }
. "$(dirname "$0")/lib.sh" "$1"
sample=$root/examples/online-retail-sample.csv.gz

crm-clean -q "$sample" --rejects rejects.csv -o clean.csv
crm-rfm clean.csv -o one.csv
"$root/examples/cluster/parallel.sh" "$sample" out 4
check cmp out/customers.csv one.csv
tail -q -n +2 out/clean.?.csv | sort > shards.sorted
tail -n +2 clean.csv | sort > one.sorted
check cmp shards.sorted one.sorted
tail -q -n +2 out/rejects.?.csv | sort > shards.rejects
tail -n +2 rejects.csv | sort > one.rejects
check cmp shards.rejects one.rejects
echo "customer shards: $(($(wc -l < one.csv) - 1)) customers, $(wc -l < one.sorted) rows, $(wc -l < one.rejects) rejects: as one process"
# crm-ltv and crm-segment shard by shard: the fit, the scores and the labels of one process
crm-ltv -q --fit-only one.csv -o fit.one
check cmp out/ltv-fit.csv fit.one
crm-ltv -q one.csv -o scored.one
check cmp out/scored.csv scored.one
crm-segment -q --by kmeans -k 4 --by value scored.one -o segments.one
tail -n +2 segments.one | sort > segments.one.sorted
tail -q -n +2 out/segments.?.csv | sort > segments.shards.sorted
check cmp segments.shards.sorted segments.one.sorted
check [ "$(cut -d, -f1 segments.shards.sorted | sort -u | wc -l)" -eq "$(($(wc -l < one.csv) - 1))" ]
echo "crm-ltv partials merged, shards scored, crm-segment shards labelled with a saved model: as one process"

# 2. row split: blocks numbered {#} in input order
parallel --will-cite --pipe --header : --block 256k --keep-order --halt now,fail=1 \
  'crm-rfm -q --partial -o block.{#}.part' < clean.csv
nblocks=$(ls block.*.part | wc -l)
blocks=()
for i in $(seq 1 "$nblocks"); do blocks+=("block.$i.part"); done
crm-rfm --merge "${blocks[@]}" -o blocks.csv
check cmp blocks.csv one.csv
check [ "$nblocks" -ge 4 ]
# the blocks did cut invoices: without their keys the merge counts them twice
for i in $(seq 1 "$nblocks"); do cut -d, -f1-5 "block.$i.part" > "counts.$i.part"; done
if crm-rfm --merge counts.*.part | cmp -s - one.csv; then echo "FAILED: no invoice was cut"; fail=1; fi
echo "row split: $nblocks blocks of 256 KiB, merged: as one process"

# 3. a failing shard: a file that is not there
if "$root/examples/cluster/parallel.sh" missing.csv bad 4 2> bad.err; then
  echo "FAILED: a missing export did not fail"; fail=1
fi
check [ ! -e bad/customers.csv ]
check grep -q "crm-clean: missing.csv" bad.err
echo "a failing shard: the recipe fails, no table"
exit $fail
