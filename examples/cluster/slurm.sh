#!/usr/bin/env bash
# The nightly customer scores split by customer as Slurm jobs:
#   examples/cluster/slurm.sh EXPORT WORK_DIR [SHARDS [crm-rfm options...]]
# writes one job script per step to WORK_DIR/jobs/, submits them with
# sbatch and prints the job ids ("shard 12, partials 13, merge 14, ...").
# Task I of an array (--array=1-N) is shard I/N: $SLURM_ARRAY_TASK_ID.
#   1. shard      array 1-N:  crm-clean --shard I/N EXPORT -o WORK_DIR/clean.I.csv
#                             --rejects WORK_DIR/rejects.I.csv
#   2. partial    array 1-N, task I after task I of step 1 (--dependency=aftercorr):
#                             crm-rfm --partial WORK_DIR/clean.I.csv -o WORK_DIR/rfm.I.part
#   3. merge      after every task of step 2 succeeded (--dependency=afterok):
#                             crm-rfm --merge WORK_DIR/rfm.*.part [options] -o WORK_DIR/customers.csv
#   4. ltv-partial array 1-N, afterok 3: crm-ltv --partial --shard I/N customers.csv -o ltv.I.part
#   5. ltv-merge  afterok 4:  crm-ltv --merge ltv.*.part --save-model ltv-model.csv -o ltv-fit.csv
#   6. ltv-score  array 1-N, afterok 5: crm-ltv --model-file ltv-model.csv --shard I/N
#                             customers.csv -o scored.I.csv
#   7. segment-fit afterok 6: the scores put back in customer order (scored.csv),
#                             crm-segment --by kmeans -k 4 --by value --save-model segment-model.txt
#   8. segment    array 1-N, afterok 7: crm-segment --by kmeans --by value --model-file
#                             segment-model.txt --shard I/N scored.csv -o segments.I.csv
# customers.csv, ltv-fit.csv and scored.csv are byte for byte the one-process
# tables; clean.*.csv, rejects.*.csv, scored.*.csv and segments.*.csv,
# concatenated without their headers and sorted (LC_ALL=C sort), are the
# one-process rows sorted (crm(7), "--shard").  tests/cluster/slurm.sh runs
# this on a throwaway single-host Slurm and checks all of that.
#
# WORK_DIR must be on a file system every node sees (NFS, Lustre...), and crm
# on every node's PATH (sbatch passes the submitting shell's environment on,
# PATH included).  A failed task leaves the steps after it pending for ever
# (DependencyNeverSatisfied): read WORK_DIR/logs/, scancel the rest, fix,
# resubmit.  Extra sbatch options (partition, account, time limit) go in
# SBATCH_OPTIONS.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: slurm.sh EXPORT WORK_DIR [SHARDS [crm-rfm options...]]" >&2
  exit 2
fi
export_file=$(realpath "$1") work=$(realpath -m "$2") shards=${3:-4}
shift $(($# < 3 ? $# : 3))
case $shards in ''|*[!0-9]*|0) echo "slurm.sh: SHARDS must be a whole number >= 1, got '$shards'" >&2; exit 2 ;; esac
[ -r "$export_file" ] || { echo "slurm.sh: cannot read $1" >&2; exit 1; }
mkdir -p "$work/logs" "$work/jobs"
q() { printf '%q' "$1"; }
W=$(q "$work") N=$shards I='$SLURM_ARRAY_TASK_ID'
rfm_options=""
for o in "$@"; do rfm_options+=" $(q "$o")"; done

# A job script: bash with pipefail, so that a failure anywhere in a step
# fails the job (sbatch --wrap would run it with /bin/sh).
job() {   # NAME COMMANDS
  printf '#!/bin/bash\nset -euo pipefail\ncd %s\n%s\n' "$W" "$2" > "$work/jobs/$1.sh"
  echo "$work/jobs/$1.sh"
}
submit() {   # NAME SBATCH-OPTIONS... SCRIPT; prints the job id
  local name=$1; shift
  # shellcheck disable=SC2086  # SBATCH_OPTIONS is a list of words
  sbatch --parsable ${SBATCH_OPTIONS:-} --job-name="crm-$name" "$@"
}
array="--array=1-$N"

shard=$(submit shard "$array" --output="$work/logs/shard-%a.log" "$(job shard \
  "crm-clean -q --shard $I/$N $(q "$export_file") --rejects rejects.$I.csv -o clean.$I.csv")")
partial=$(submit partial "$array" --dependency=aftercorr:"$shard" --output="$work/logs/partial-%a.log" \
  "$(job partial "crm-rfm -q --partial clean.$I.csv -o rfm.$I.part")")
merge=$(submit merge --dependency=afterok:"$partial" --output="$work/logs/merge.log" "$(job merge \
  "crm-rfm -q --merge \$(seq -f 'rfm.%g.part' 1 $N)$rfm_options -o customers.csv")")

ltv_partial=$(submit ltv-partial "$array" --dependency=afterok:"$merge" --output="$work/logs/ltv-partial-%a.log" \
  "$(job ltv-partial "crm-ltv -q --partial --shard $I/$N customers.csv -o ltv.$I.part")")
ltv_merge=$(submit ltv-merge --dependency=afterok:"$ltv_partial" --output="$work/logs/ltv-merge.log" "$(job ltv-merge \
  "crm-ltv -q --merge \$(seq -f 'ltv.%g.part' 1 $N) --save-model ltv-model.csv -o ltv-fit.csv")")
ltv_score=$(submit ltv-score "$array" --dependency=afterok:"$ltv_merge" --output="$work/logs/ltv-score-%a.log" \
  "$(job ltv-score "crm-ltv -q --model-file ltv-model.csv --shard $I/$N customers.csv -o scored.$I.csv")")

# The segment model is fitted once on every customer: the scores back in
# customer_id order (byte order, as crm-rfm writes the table) are the
# one-process scored table.
segment_fit=$(submit segment-fit --dependency=afterok:"$ltv_score" --output="$work/logs/segment-fit.log" "$(job segment-fit \
  "{ head -n 1 scored.1.csv; tail -q -n +2 \$(seq -f 'scored.%g.csv' 1 $N) | LC_ALL=C sort -t, -k1,1; } > scored.csv
crm-segment -q --by kmeans -k 4 --by value scored.csv --save-model segment-model.txt -o /dev/null")")
segment=$(submit segment "$array" --dependency=afterok:"$segment_fit" --output="$work/logs/segment-%a.log" \
  "$(job segment "crm-segment -q --by kmeans --by value --model-file segment-model.txt --shard $I/$N scored.csv -o segments.$I.csv")")

echo "shard $shard, partials $partial, merge $merge, ltv-partials $ltv_partial, ltv-merge $ltv_merge," \
  "ltv-scores $ltv_score, segment-fit $segment_fit, segments $segment"
