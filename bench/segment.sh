#!/usr/bin/env bash
# Times crm-segment --by kmeans against scikit-learn's KMeans on the same simulated
# customers (1M x 3 features: recency_days, frequency, monetary), the same transform
# (log1p, z-score), the same k and n_init = --restarts, in one run, and prints a markdown
# table: inertia, wall time, CPU time, peak memory and the ratios.
#
# usage: bench/segment.sh [BUILD_DIR] [N] [K] [RESTARTS]
# Data go to /tmp/crm-bench-segment (kept between runs; delete it to regenerate).
# scikit-learn runs with /usr/bin/python3 (python3-sklearn) and uses every core it may;
# crm-segment runs with --threads 1 and --threads 2 (the ratios are the 2-thread run's).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../build}
n=${2:-1000000}
k=${3:-8}
restarts=${4:-10}
seed=1
work=/tmp/crm-bench-segment
mkdir -p "$work"
data=$work/customers-$n.csv
[ -s "$data" ] || /usr/bin/python3 "$here/segment_gen.py" "$data" "$n"

# ours: the whole command (read the CSV, transform, cluster, write the CSV)
# crm-segment on one thread and on two (--threads: the assignment step; the
# output is the same bits on both, checked below)
for t in 1 2; do
  /usr/bin/time -f "%e %U %S %M" -o "$work/ours$t.time" \
    "$build/crm-segment" --by kmeans -k "$k" --restarts "$restarts" --seed "$seed" --threads "$t" \
    --features recency_days,frequency,monetary --report "$work/ours$t.json" -q "$data" >"$work/ours$t.csv"
done
cmp -s "$work/ours1.csv" "$work/ours2.csv" || { echo "crm-segment --threads 1 and 2 differ" >&2; exit 1; }
read -r o1_wall o1_user o1_sys o1_rss <"$work/ours1.time"
o1_fit=$(sed -n 's/.*"kmeans_seconds": *"\([^"]*\)".*/\1/p' "$work/ours1.json")
read -r o_wall o_user o_sys o_rss <"$work/ours2.time"
o_inertia=$(sed -n 's/.*"kmeans_inertia": *"\([^"]*\)".*/\1/p' "$work/ours2.json")
o_fit=$(sed -n 's/.*"kmeans_seconds": *"\([^"]*\)".*/\1/p' "$work/ours2.json")

/usr/bin/time -f "%e %U %S %M" -o "$work/sk.time" \
  /usr/bin/python3 "$here/segment_sklearn.py" "$data" "$k" "$restarts" 0 >"$work/sk.out"
read -r s_wall s_user s_sys s_rss <"$work/sk.time"
read -r s_inertia s_iter s_load s_fit s_fitcpu <"$work/sk.out"

echo "k-means, $n customers x 3 features, k=$k, restarts/n_init=$restarts; $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
echo
echo "| tool | inertia | k-means wall s | total wall s | CPU s | peak MB |"
echo "|---|---:|---:|---:|---:|---:|"
awk -v i="$o_inertia" -v f="$o1_fit" -v w="$o1_wall" -v u="$o1_user" -v s="$o1_sys" -v m="$o1_rss" \
  'BEGIN { printf "| crm-segment --threads 1 | %.6f | %.2f | %.2f | %.2f | %.0f |\n", i, f, w, u + s, m / 1024 }'
awk -v i="$o_inertia" -v f="$o_fit" -v w="$o_wall" -v u="$o_user" -v s="$o_sys" -v m="$o_rss" \
  'BEGIN { printf "| crm-segment --threads 2 | %.6f | %.2f | %.2f | %.2f | %.0f |\n", i, f, w, u + s, m / 1024 }'
awk -v i="$s_inertia" -v f="$s_fit" -v w="$s_wall" -v u="$s_user" -v s="$s_sys" -v m="$s_rss" \
  'BEGIN { printf "| scikit-learn %s | %.6f | %.2f | %.2f | %.2f | %.0f |\n", "KMeans", i, f, w, u + s, m / 1024 }'
awk -v oi="$o_inertia" -v si="$s_inertia" -v of="$o_fit" -v sf="$s_fit" -v ow="$o_wall" -v sw="$s_wall" \
  -v oc="$o_user $o_sys" -v sc="$s_user $s_sys" -v om="$o_rss" -v sm="$s_rss" 'BEGIN {
    split(oc, a, " "); split(sc, b, " ");
    printf "| ratio ours (2 threads)/sklearn | %+.4f%% | %.2f | %.2f | %.2f | %.2f |\n", (oi / si - 1) * 100,
      of / sf, ow / sw, (a[1] + a[2]) / (b[1] + b[2]), om / sm }'
