#!/usr/bin/env bash
# bench/report.sh [BUILD_DIR] [CUSTOMERS] : crm-report's time, memory and page
# size on simulated customers (default 1,000,000).
#
# bench-ltv-simulate (bench/ltv_simulate.c) draws the customers from the
# BG/NBD process at Fader, Hardie & Lee's CDNOW estimates, in whole days;
# awk turns its x, t_x, T, monetary_value into the rest of a crm-rfm table
# (frequency = x + 1, monetary, recency and tenure in days, scores 1..5 on
# fixed breakpoints, and a Country attribute drawn from 20 names), crm-ltv
# adds p_alive and clv, crm-segment three segment columns.  Then crm-report
# draws it; the page must stay under 5 MB (DESIGN.md) and is checked to be
# the same bytes on a second run.  Prints a markdown table.
set -euo pipefail
build=${1:-$(dirname "$0")/../build}
build=$(cd "$build" && pwd)
n=${2:-1000000}
dir=${TMPDIR:-/tmp}/crm-report-bench
mkdir -p "$dir"
customers=$dir/customers-$n.csv
if [ ! -f "$customers" ]; then
  "$build/bench-ltv-simulate" "$n" 42 --days >"$dir/sim.csv"
  awk -F, -v OFS=, 'NR == 1 { print "customer_id,frequency,monetary,recency_days,tenure_days,r_score,f_score,m_score,x,t_x,T,monetary_value,Country"; next }
    function score(v, b1, b2, b3, b4) { return v <= b1 ? 1 : v <= b2 ? 2 : v <= b3 ? 3 : v <= b4 ? 4 : 5 }
    { x = $2; tx = $3; T = $4; mv = $5
      first = 20 + (NR % 97)                       # the first purchase, 20..116
      monetary = first + x * mv
      recency = int((T - tx) * 7 + 0.5); tenure = int(T * 7 + 0.5)
      r = 6 - score(recency, 30, 90, 180, 270)
      f = score(x + 1, 1, 2, 4, 8)
      m = score(monetary, 40, 80, 160, 400)
      printf "%s,%d,%.2f,%d,%d,%d,%d,%d,%s,%s,%s,%s,country-%02d\n", $1, x + 1, monetary, recency, tenure, r, f, m, x, tx, T, mv, (NR * 7919) % 20 }' \
    "$dir/sim.csv" >"$dir/rfm.csv"
  "$build/crm-ltv" --unit weeks --model bgnbd --spend gamma-gamma --horizon 52w -q "$dir/rfm.csv" \
    | "$build/crm-segment" --by rfm --by value --by lifecycle -q -o "$customers"
fi
rows=$(($(wc -l <"$customers") - 1))
page=$dir/report-$n.html
/usr/bin/time -f "%e %U %M" -o "$dir/time" "$build/crm-report" --customers "$customers" -q -o "$page"
"$build/crm-report" --customers "$customers" -q -o "$dir/again.html"
cmp -s "$page" "$dir/again.html" && same=yes || same=NO
read -r wall cpu rss <"$dir/time"
bytes=$(stat -c %s "$page")
echo "| customers | input MB | wall s | cpu s | peak RSS MB | page KB | same bytes twice |"
echo "|---:|---:|---:|---:|---:|---:|:---:|"
printf "| %d | %.1f | %s | %s | %.0f | %.0f | %s |\n" "$rows" "$(echo "$(stat -c %s "$customers") / 1048576" | bc -l)" \
  "$wall" "$cpu" "$(echo "$rss / 1024" | bc -l)" "$(echo "$bytes / 1024" | bc -l)" "$same"
[ "$bytes" -lt $((5 * 1024 * 1024)) ] || { echo "report.sh: the page is over 5 MB" >&2; exit 1; }
