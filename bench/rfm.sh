#!/usr/bin/env bash
# Times `crm-clean | crm-rfm` from the raw Online Retail export, and from a
# 10x repetition of it, side by side with DuckDB (@duckdb/node-api) and
# pandas computing the same R, F, M and quintile scores from the same raw
# file with the same cleaning rules (bench/rfm_duckdb.mjs, bench/rfm_pandas.py),
# checks that all three agree on every customer, and prints wall time, CPU
# time (user + system) and peak memory of each, with the ratios to crm.
#
# The 10x file repeats the data rows ten times with the customer ids of
# repetition k (0..9) shifted by k x 100000: ten times the rows AND ten times
# the customers (43,380), so that no copy is a duplicate that crm-clean would
# drop and the per-customer tables grow as they would on a bigger shop.
#
# A second crm row runs crm-clean --keep-extra: the description and country
# are written too, and crm-rfm parses them again without using them.
#
# DuckDB runs two queries: the same work (duplicate rows once, cancellations
# out) and the lighter one most users write first, without the duplicate
# rule: it counts the export's repeated rows again, so its monetary values
# differ for the customers who have such rows (its agree column says how
# many customers still agree).
#
# Peak memory of the pipeline is the sum of the two processes' peaks (they
# run at the same time); DuckDB's includes node itself.
#
# The machine is shared and its speed drifts from run to run: every tool runs
# REPEAT times (default 3), interleaved, and the table shows each tool's run
# with the median wall time.
#
# Usage: bench/rfm.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to ./build, DATA_DIR to ../shared/data.
# Needs node + npm (DuckDB is installed into $TMPDIR/crm-bench-rfm/node, never
# into the repository) and /usr/bin/python3 with pandas.
set -euo pipefail
cd "$(dirname "$0")/.."
bench=$PWD/bench
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data}
src="$data/online-retail/online_retail.csv.gz"
work=${TMPDIR:-/tmp}/crm-bench-rfm
python=/usr/bin/python3
repeat=${REPEAT:-3}
mkdir -p "$work/node"

for c in crm-clean crm-rfm; do
  [ -x "$build/$c" ] || { echo "build $c first" >&2; exit 1; }
done
[ -f "$src" ] || { echo "missing $src" >&2; exit 1; }

if [ ! -d "$work/node/node_modules/@duckdb/node-api" ]; then
  (cd "$work/node" && npm install --no-audit --no-fund --silent @duckdb/node-api >/dev/null)
fi
# ES modules resolve packages from their own directory: run the script there.
cp "$bench/rfm_duckdb.mjs" "$work/node/"

if [ ! -f "$work/retail-10x.csv" ]; then
  zcat "$src" >"$work/retail-1x.csv"
  # CustomerID is the next-to-last field (Country never has a comma); awk
  # splits quoted descriptions too, but joins them back with the same commas.
  awk -F, -v OFS=, 'NR == 1 { print; next } { lines[++n] = $0 }
       END { for (k = 0; k < 10; k++) for (i = 1; i <= n; i++) {
               $0 = lines[i]
               if (k > 0 && $(NF - 1) != "") $(NF - 1) = $(NF - 1) + k * 100000
               print } }' "$work/retail-1x.csv" >"$work/retail-10x.csv"
fi

now() { date +%s.%N; }
# time_one LABEL-FILE command... : GNU time's "wall user sys maxrss_kb" into the file
time_one() { local out=$1; shift; /usr/bin/time -f "%e %U %S %M" -o "$out" "$@"; }

run_crm() { # input output [crm-clean options] -> "wall cpu rss_kb"
  local t0 t1 in=$1 out=$2
  shift 2
  t0=$(now)
  # The peers reject cancellations (crm-clean --returns drop); netting them,
  # crm-clean's default, has no counterpart there.
  time_one "$work/t.clean" "$build/crm-clean" -q --returns drop "$@" "$in" | time_one "$work/t.rfm" "$build/crm-rfm" -o "$out"
  t1=$(now)
  read -r _ u1 s1 m1 <"$work/t.clean"
  read -r _ u2 s2 m2 <"$work/t.rfm"
  awk -v t0="$t0" -v t1="$t1" -v u1="$u1" -v s1="$s1" -v u2="$u2" -v s2="$s2" -v m1="$m1" -v m2="$m2" \
    'BEGIN { print t1 - t0, u1 + s1 + u2 + s2, m1 + m2 }'
}

run_peer() { # output-of-time command...
  time_one "$work/t.peer" "$@"
  read -r w u s m <"$work/t.peer"
  awk -v w="$w" -v u="$u" -v s="$s" -v m="$m" 'BEGIN { print w, u + s, m }'
}

agree() { # crm.csv peer.csv -> customers on which R, F, M and the scores agree
  "$python" - "$1" "$2" <<'EOF'
import sys
import pandas as pd
a = pd.read_csv(sys.argv[1], dtype={'customer_id': str}).set_index('customer_id')
b = pd.read_csv(sys.argv[2], dtype={'customer_id': str}).set_index('customer_id')
m = a.join(b, rsuffix='_p', how='outer')
ok = pd.Series(True, index=m.index)
for c in ['recency_days', 'frequency', 'monetary', 'r_score', 'f_score', 'm_score']:
    ok &= (m[c] - m[c + '_p']).abs() < 1e-6
print(f"{int(ok.sum())}/{len(m)}")
EOF
}

row() { # label "wall cpu rss" "crm wall cpu rss" agreement
  read -r w c m <<<"$2"
  read -r cw cc cm <<<"$3"
  awk -v l="$1" -v w="$w" -v c="$c" -v m="$m" -v cw="$cw" -v cc="$cc" -v cm="$cm" -v a="$4" \
    'BEGIN { printf "| %-26s | %7.2f | %7.2f | %8.1f | %6.2f | %6.2f | %6.2f | %-11s |\n",
             l, w, c, m / 1024, w / cw, c / cc, m / cm, a }'
}

median() { # "wall cpu rss" lines on stdin -> the line with the median wall time
  sort -n -k1,1 | awk '{ l[NR] = $0 } END { print l[int((NR + 1) / 2)] }'
}

echo "machine: $(nproc) cores; load before: $(cut -d' ' -f1-3 /proc/loadavg); $repeat runs each, interleaved, median by wall time"
echo
echo "| run                        | wall s  |  CPU s  | peak MiB | wall/crm | CPU/crm | mem/crm | agree       |"
echo "|----------------------------|---------|---------|----------|----------|---------|---------|-------------|"
for n in 1x 10x; do
  in="$work/retail-$n.csv"
  : >"$work/m.crm"; : >"$work/m.wide"; : >"$work/m.duck"; : >"$work/m.light"; : >"$work/m.pand"
  # interleaved, so that a slow spell of the shared machine hits every tool
  for ((k = 0; k < repeat; k++)); do
    run_crm "$in" "$work/crm-$n.csv" >>"$work/m.crm"
    run_crm "$in" "$work/crm-wide-$n.csv" --keep-extra >>"$work/m.wide"
    (cd "$work/node" && run_peer node rfm_duckdb.mjs "$in" "$work/duckdb-$n.csv") >>"$work/m.duck"
    (cd "$work/node" && run_peer node rfm_duckdb.mjs "$in" "$work/duckdb-light-$n.csv" light) >>"$work/m.light"
    run_peer "$python" "$bench/rfm_pandas.py" "$in" "$work/pandas-$n.csv" >>"$work/m.pand"
  done
  crm=$(median <"$work/m.crm")
  row "crm-clean + crm-rfm, $n" "$crm" "$crm" "-"
  row "same, --keep-extra, $n" "$(median <"$work/m.wide")" "$crm" "$(agree "$work/crm-$n.csv" "$work/crm-wide-$n.csv")"
  row "DuckDB, $n" "$(median <"$work/m.duck")" "$crm" "$(agree "$work/crm-$n.csv" "$work/duckdb-$n.csv")"
  row "DuckDB light query, $n" "$(median <"$work/m.light")" "$crm" "$(agree "$work/crm-$n.csv" "$work/duckdb-light-$n.csv")"
  row "pandas, $n" "$(median <"$work/m.pand")" "$crm" "$(agree "$work/crm-$n.csv" "$work/pandas-$n.csv")"
done
echo
echo "input: 1x $(stat -c %s "$work/retail-1x.csv") bytes, 10x $(stat -c %s "$work/retail-10x.csv") bytes"
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
