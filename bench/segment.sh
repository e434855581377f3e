#!/usr/bin/env bash
# Times crm-segment --by kmeans against scikit-learn's KMeans on the same simulated
# customers (1M x 3 features: recency_days, frequency, monetary), the same transform
# (log1p, z-score), the same k and n_init = --restarts, in one run, and prints a markdown
# table: inertia, wall time, CPU time, peak memory and the ratios.
#
# usage: bench/segment.sh [BUILD_DIR] [N] [K] [RESTARTS]
# Data go to /tmp/crm-bench-segment (kept between runs; delete it to regenerate).
# scikit-learn runs with /usr/bin/python3 (python3-sklearn) and uses every core it may;
# crm-segment uses one.
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
/usr/bin/time -f "%e %U %S %M" -o "$work/ours.time" \
  "$build/crm-segment" --by kmeans -k "$k" --restarts "$restarts" --seed "$seed" \
  --features recency_days,frequency,monetary --report "$work/ours.json" -q "$data" >"$work/ours.csv"
read -r o_wall o_user o_sys o_rss <"$work/ours.time"
o_inertia=$(sed -n 's/.*"kmeans_inertia": *"\([^"]*\)".*/\1/p' "$work/ours.json")
o_fit=$(sed -n 's/.*"kmeans_seconds": *"\([^"]*\)".*/\1/p' "$work/ours.json")

# scikit-learn: read with pandas, same transform, KMeans(k, n_init=restarts)
/usr/bin/time -f "%e %U %S %M" -o "$work/sk.time" \
  /usr/bin/python3 "$here/segment_sklearn.py" "$data" "$k" "$restarts" 0 >"$work/sk.out"
read -r s_wall s_user s_sys s_rss <"$work/sk.time"
read -r s_inertia s_iter s_load s_fit s_fitcpu <"$work/sk.out"

echo "k-means, $n customers x 3 features, k=$k, restarts/n_init=$restarts; $(nproc) cores, load: $(uptime | sed 's/.*load average: //')"
echo
echo "| tool | inertia | k-means wall s | total wall s | CPU s | peak MB |"
echo "|---|---:|---:|---:|---:|---:|"
awk -v i="$o_inertia" -v f="$o_fit" -v w="$o_wall" -v u="$o_user" -v s="$o_sys" -v m="$o_rss" \
  'BEGIN { printf "| crm-segment | %.6f | %.2f | %.2f | %.2f | %.0f |\n", i, f, w, u + s, m / 1024 }'
awk -v i="$s_inertia" -v f="$s_fit" -v w="$s_wall" -v u="$s_user" -v s="$s_sys" -v m="$s_rss" \
  'BEGIN { printf "| scikit-learn %s | %.6f | %.2f | %.2f | %.2f | %.0f |\n", "KMeans", i, f, w, u + s, m / 1024 }'
awk -v oi="$o_inertia" -v si="$s_inertia" -v of="$o_fit" -v sf="$s_fit" -v ow="$o_wall" -v sw="$s_wall" \
  -v oc="$o_user $o_sys" -v sc="$s_user $s_sys" -v om="$o_rss" -v sm="$s_rss" 'BEGIN {
    split(oc, a, " "); split(sc, b, " ");
    printf "| ratio ours/sklearn | %+.4f%% | %.2f | %.2f | %.2f | %.2f |\n", (oi / si - 1) * 100,
      of / sf, ow / sw, (a[1] + a[2]) / (b[1] + b[2]), om / sm }'
