#!/usr/bin/env bash
# The Slurm recipe (examples/cluster/slurm.sh) run on a real, throwaway,
# single-host Slurm:
#   tests/cluster/slurm.sh BIN_DIR [SHARDS]
# Needs root (it installs Debian's slurm-wlm and munge when they are missing,
# with one apt-get update, and makes namespaces).  Not part of ctest: it
# installs packages and starts daemons.
#
# Everything runs in private namespaces made by unshare(1): a network
# namespace with only the loopback device up (the daemons listen on 127.0.0.1 and
# nothing outside can reach them, nor do they clash with a Slurm already
# running), a UTS namespace whose host name is "localhost" (the one node,
# NodeName=localhost NodeAddr=127.0.0.1, and the controller), a PID
# namespace whose first process is this script (when it ends, however it
# ends, the kernel kills every daemon left in it), and a mount namespace for
# that namespace's /proc.  munged, slurmctld and slurmd get a key made for
# the run and their state, spool, socket and log directories under one
# mktemp directory, removed at the end (also when the script is killed by
# SIGTERM or SIGINT: the daemons are stopped, the directory removed).
#
# The recipe submits the shard array (crm-clean --shard I/N), the partial
# array (crm-rfm --partial, task I after task I: aftercorr) and the merge
# (crm-rfm --merge, afterok), then the crm-ltv and crm-segment steps; the
# script waits for every job, checks that each ended COMPLETED with exit
# code 0, and compares every output with the one-process run byte for byte,
# the per-shard outputs after the documented sort (LC_ALL=C sort of the rows
# without their header).  Exit 0 only when all of them match.
set -euo pipefail
if [ $# -lt 1 ]; then
  echo "usage: slurm.sh BIN_DIR [SHARDS]" >&2
  exit 2
fi
bin_dir=$(realpath "$1") shards=${2:-4}
root=$(cd "$(dirname "$0")/../.." && pwd)
self=$root/tests/cluster/slurm.sh

# ---- outside the namespaces: packages, then the namespaces ----
if [ "${CRM_SLURM_INSIDE:-}" != 1 ]; then
  [ "$(id -u)" -eq 0 ] || { echo "slurm.sh: needs root (apt-get, unshare)" >&2; exit 1; }
  missing=()
  for c in munged mungekey slurmctld slurmd sbatch; do command -v "$c" >/dev/null || missing+=("$c"); done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "installing slurm-wlm and munge (missing: ${missing[*]})"
    # Debian's policy-rc.d, when present, keeps the packages from starting
    # the system-wide daemons; a Slurm of our own runs below either way.
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq -o DPkg::Lock::Timeout=600 \
      --no-install-recommends slurm-wlm munge > /dev/null
  fi
  echo "$(slurmctld -V), munge $(munged -V 2>&1 | awk '{print $2; exit}')"
  # The directories of the run are made and removed out here, so that they
  # go even when the inside is killed; --kill-child takes the namespace down
  # (its first process, so every daemon in it) when unshare ends.
  tmp=$(mktemp -d /tmp/crm-slurm.XXXXXX)
  chmod 755 "$tmp"
  inside=""
  # unshare itself ignores SIGTERM while it waits: the signal goes to the
  # namespace's first process (this script inside), which stops the daemons;
  # if it has not ended within 30 s, SIGKILL to unshare ends the namespace.
  cleanup() {
    local status=$?
    if [ -n "$inside" ]; then
      local first
      first=$(ps -o pid= --ppid "$inside" || true)
      [ -n "$first" ] && kill -TERM $first 2> /dev/null || true
      for _ in $(seq 1 30); do kill -0 "$inside" 2> /dev/null || break; sleep 1; done
      kill -KILL "$inside" 2> /dev/null || true
      wait "$inside" 2> /dev/null || true
    fi
    rm -rf "$tmp"
    exit "$status"
  }
  trap cleanup EXIT
  trap 'exit 143' TERM INT HUP
  CRM_SLURM_INSIDE=1 CRM_SLURM_TMP=$tmp unshare --net --uts --pid --mount --fork --mount-proc --kill-child \
    bash "$self" "$bin_dir" "$shards" &
  inside=$!
  status=0
  wait "$inside" || status=$?
  inside=""
  exit "$status"
fi

# ---- inside: PID 1 of a fresh PID namespace, its own network and host name ----
# Slurm looks its listening address up with getaddrinfo(AI_ADDRCONFIG), which
# finds no IPv4 address while 127.0.0.1 is the only one: a second loopback
# address (on lo, so still nothing leaves the namespace) makes it find one.
ip link set lo up
ip addr add 127.0.0.2/8 dev lo
hostname localhost
export PATH="$bin_dir:$PATH" LC_ALL=C
tmp=$CRM_SLURM_TMP
daemons=()
teardown() {
  local status=$?
  for pid in "${daemons[@]}"; do kill "$pid" 2> /dev/null || true; done
  for pid in "${daemons[@]}"; do wait "$pid" 2> /dev/null || true; done
  exit "$status"
}
trap teardown EXIT
trap 'exit 143' TERM INT HUP

# munge: a key of the run; munged checks that its directories are not
# writable by others.
mkdir -m 755 "$tmp/munge"
mungekey --create --keyfile="$tmp/munge/munge.key"
munged -F --force --key-file="$tmp/munge/munge.key" --socket="$tmp/munge/munge.socket" \
  --pid-file="$tmp/munge/munged.pid" --log-file="$tmp/munge/munged.log" \
  --seed-file="$tmp/munge/munged.seed" > "$tmp/munge/munged.out" 2>&1 &
daemons+=($!)

mkdir -p "$tmp"/{state,spool,log,run}
# The daemons' own messages go to their log files (shown when a step fails).
cpus=$(nproc)
export SLURM_CONF=$tmp/slurm.conf
cat > "$SLURM_CONF" <<EOF
ClusterName=crmtest
SlurmctldHost=localhost(127.0.0.1)
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$tmp/munge/munge.socket
StateSaveLocation=$tmp/state
SlurmdSpoolDir=$tmp/spool
SlurmctldPidFile=$tmp/run/slurmctld.pid
SlurmdPidFile=$tmp/run/slurmd.pid
SlurmctldLogFile=$tmp/log/slurmctld.log
SlurmdLogFile=$tmp/log/slurmd.log
ProctrackType=proctrack/pgid
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_CPU
MpiDefault=none
MailProg=/bin/true
ReturnToService=2
MinJobAge=3600
NodeName=localhost NodeAddr=127.0.0.1 CPUs=$cpus State=UNKNOWN
PartitionName=crm Nodes=localhost Default=YES MaxTime=INFINITE State=UP
EOF

wait_for() {   # SECONDS WHAT COMMAND...
  local limit=$1 what=$2; shift 2
  for _ in $(seq 1 "$limit"); do "$@" > /dev/null 2>&1 && return 0; sleep 1; done
  echo "FAILED: $what within $limit s" >&2
  return 1
}
show_logs() {
  for f in "$tmp"/munge/munged.log "$tmp"/log/*.log "$tmp"/log/*.out; do
    [ -f "$f" ] && { echo "--- $f"; tail -n 20 "$f"; }
  done
}
wait_for 20 "munged answering" test -S "$tmp/munge/munge.socket" || { show_logs; exit 1; }
slurmctld -D -f "$SLURM_CONF" > "$tmp/log/slurmctld.out" 2>&1 &
daemons+=($!)
slurmd -D -f "$SLURM_CONF" -N localhost > "$tmp/log/slurmd.out" 2>&1 &
daemons+=($!)
node_idle() { sinfo -h -n localhost -o %T | grep -qx idle; }
wait_for 60 "the node idle" node_idle || { show_logs; exit 1; }
echo "slurm up in a private network namespace: $(sinfo -h -o '%P %D node(s) %c CPU(s) %T')"

# ---- the recipe ----
cd "$tmp"
mkdir work
sample=$root/examples/online-retail-sample.csv.gz
crm-clean -q "$sample" --rejects rejects.one.csv -o clean.one.csv
crm-rfm -q clean.one.csv -o customers.one.csv
crm-ltv -q --fit-only customers.one.csv -o ltv-fit.one.csv
crm-ltv -q customers.one.csv -o scored.one.csv
crm-segment -q --by kmeans -k 4 --by value scored.one.csv -o segments.one.csv

jobs_line=$("$root/examples/cluster/slurm.sh" "$sample" work "$shards")
echo "submitted: $jobs_line"
read -ra job_ids <<< "$(echo "$jobs_line" | grep -o '[0-9]\+' | tr '\n' ' ')"
pending() { [ -n "$(squeue -h -o %i)" ]; }
waited=0
while pending; do
  sleep 2; waited=$((waited + 2))
  if [ $waited -ge 600 ]; then echo "FAILED: jobs still queued after 600 s"; squeue; show_logs; exit 1; fi
done
echo "all jobs left the queue after about ${waited} s"

fail=0
# Every job and array task: COMPLETED, exit code 0:0.  One line per task, in
# the order of the steps (the array's job id, then the task).
states=$(scontrol -o show job | awk '{
  id = ""; task = "-"; name = ""; state = ""; code = ""
  for (i = 1; i <= NF; i++) {
    split($i, kv, "=")
    if (kv[1] == "JobId" && id == "") id = kv[2]
    else if (kv[1] == "ArrayJobId") id = kv[2]
    else if (kv[1] == "ArrayTaskId") task = kv[2]
    else if (kv[1] == "JobName") name = kv[2]
    else if (kv[1] == "JobState") state = kv[2]
    else if (kv[1] == "ExitCode") code = kv[2]
  }
  print id, task, name, state, code }' | sort -n -k1,1 -k2,2)
echo "$states" | awk '{ printf "  job %-3s task %-2s %-16s %s %s\n", $1, $2, $3, $4, $5 }'
tasks=$(echo "$states" | wc -l)
if echo "$states" | grep -v ' COMPLETED 0:0$' > /dev/null; then
  echo "FAILED: a job did not complete"; fail=1
fi
[ "$tasks" -eq $((5 * shards + 3)) ] || { echo "FAILED: $tasks jobs, expected $((5 * shards + 3))"; fail=1; }

check() {   # WHAT FILE-A FILE-B
  if cmp "$2" "$3"; then echo "  same: $1 ($(wc -l < "$2") lines)"; else echo "FAILED: $1 differs"; fail=1; fi
}
sorted_rows() { tail -q -n +2 "$@" | sort; }
check "customers.csv, merged from $shards partials" work/customers.csv customers.one.csv
sorted_rows work/clean.*.csv > clean.shards; sorted_rows clean.one.csv > clean.sorted
check "cleaned rows of the shards, sorted" clean.shards clean.sorted
sorted_rows work/rejects.*.csv > rejects.shards; sorted_rows rejects.one.csv > rejects.sorted
check "rejects of the shards, sorted" rejects.shards rejects.sorted
check "crm-ltv fit from $shards partials" work/ltv-fit.csv ltv-fit.one.csv
sorted_rows work/scored.*.csv > scored.shards; sorted_rows scored.one.csv > scored.sorted
check "crm-ltv scores of the shards, sorted" scored.shards scored.sorted
sorted_rows work/segments.*.csv > segments.shards; sorted_rows segments.one.csv > segments.sorted
check "crm-segment labels of the shards, sorted" segments.shards segments.sorted
[ "$(wc -l < customers.one.csv)" -gt 800 ] || { echo "FAILED: too few customers"; fail=1; }
[ -s work/clean.1.csv ] || { echo "FAILED: shard 1 is empty"; fail=1; }
if [ $fail -ne 0 ]; then show_logs; for f in work/logs/*; do echo "--- $f"; cat "$f"; done; fi
[ $fail -eq 0 ] && echo "PASS: the Slurm recipe on $shards shards gives the one-process outputs"
exit $fail
