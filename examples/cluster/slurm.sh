#!/usr/bin/env bash
# The nightly customer scores split by customer as Slurm jobs:
#   examples/cluster/slurm.sh EXPORT WORK_DIR [SHARDS [crm-rfm options...]]
# submits three jobs and prints their ids:
#   1. shard step, a job array 1-N: task I runs
#        crm-clean --shard I/N EXPORT -o WORK_DIR/clean.I.csv --rejects WORK_DIR/rejects.I.csv
#   2. partial steps, a job array 1-N, task I after task I of step 1
#      (--dependency=aftercorr): crm-rfm --partial WORK_DIR/clean.I.csv -o WORK_DIR/rfm.I.part
#   3. merge, after every partial step succeeded (--dependency=afterok):
#        crm-rfm --merge WORK_DIR/rfm.1.part ... [options] -o WORK_DIR/customers.csv
# WORK_DIR must be on a file system every node sees (NFS, Lustre...), and crm
# on every node's PATH.  customers.csv is byte for byte the one-process table
# (crm(7), "--shard"); a failed task leaves the merge pending for ever
# (DependencyNeverSatisfied): scancel it, fix, resubmit.
# Extra sbatch options (partition, account, time) go in SBATCH_OPTIONS.
#
# NOT YET RUN ON SLURM: written against the sbatch documentation (--array,
# --parsable, --dependency=aftercorr/afterok, SLURM_ARRAY_TASK_ID); no Slurm
# was at hand.  Its job commands were run through a stand-in sbatch that runs
# each --wrap at once (array tasks in turn) and gave the one-process table;
# the scheduling itself is untested.  tests/cluster/ is where a throwaway
# single-host Slurm is to run it (issue 13).
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: slurm.sh EXPORT WORK_DIR [SHARDS [crm-rfm options...]]" >&2
  exit 2
fi
export_file=$(realpath "$1") work=$(realpath -m "$2") shards=${3:-4}
shift $(($# < 3 ? $# : 3))
case $shards in ''|*[!0-9]*|0) echo "slurm.sh: SHARDS must be a whole number >= 1, got '$shards'" >&2; exit 2 ;; esac
mkdir -p "$work/logs"
q() { printf '%q' "$1"; }
# shellcheck disable=SC2086  # SBATCH_OPTIONS is a list of words
submit() { sbatch --parsable ${SBATCH_OPTIONS:-} "$@"; }

shard_job=$(submit --job-name=crm-shard --array=1-"$shards" --output="$work/logs/shard-%a.log" \
  --wrap="crm-clean -q --shard \$SLURM_ARRAY_TASK_ID/$shards $(q "$export_file") \
          --rejects $(q "$work")/rejects.\$SLURM_ARRAY_TASK_ID.csv -o $(q "$work")/clean.\$SLURM_ARRAY_TASK_ID.csv")
partial_job=$(submit --job-name=crm-partial --array=1-"$shards" --dependency=aftercorr:"$shard_job" \
  --output="$work/logs/partial-%a.log" \
  --wrap="crm-rfm -q --partial $(q "$work")/clean.\$SLURM_ARRAY_TASK_ID.csv -o $(q "$work")/rfm.\$SLURM_ARRAY_TASK_ID.part")
parts=""
for i in $(seq 1 "$shards"); do parts+=" $(q "$work/rfm.$i.part")"; done
options=""
for o in "$@"; do options+=" $(q "$o")"; done
merge_job=$(submit --job-name=crm-merge --dependency=afterok:"$partial_job" --output="$work/logs/merge.log" \
  --wrap="crm-rfm --merge$parts$options -o $(q "$work")/customers.csv")
echo "shard $shard_job, partials $partial_job, merge $merge_job"
