#!/usr/bin/env bash
# Peak memory against the number of distinct invoices, crm-basket on
# itemset explosions, and peak memory per customer, as markdown tables.
#
# Part 1: crm-clean (its duplicate check) and crm-rfm (its invoice counting)
# on 1M, 4M and 16M one-line invoices: 1,000 customers, 28 purchase days and
# 500 products whatever the size, so that everything that grows, grows with
# the invoices.  crm-clean reads the raw export; crm-rfm reads crm-clean's
# output.  "bytes/invoice" is the peak resident set (GNU time's "Maximum
# resident set size") divided by the invoices; "marginal" is what each
# invoice adds: the growth of the peak from the size before (from a
# 1,000-invoice file for the first size) divided by the invoices added.  The
# marginal figure leaves out what does not grow with invoices: the program,
# the per-customer tables, and the buffers of parallel parsing (about 20 MB
# with two threads, which a 1,000-invoice file is too small to need: the
# first marginal figure of a default run includes them).  The --threads 1
# runs parse on one thread, without those buffers.
#
# crm-clean's duplicate check is measured with --returns drop; the default,
# --returns net, also holds every purchase of the last --return-window (90
# days: all of these files) until no return can reach it any more, and its
# row shows what that costs.
#
# Part 2: crm-basket on inputs whose frequent itemsets explode, with the
# default limits (and one with only the memory budget): each must stop with
# exit 1 and its message, in bounded memory and time.
#
# Part 3: peak memory per customer of crm-rfm, crm-ltv and crm-segment, the
# commands whose memory grows with customers: on a simulated export of 1M
# customers (bench/export_gen.py, fixed seed, about 4.6 rows a customer) run
# through the pipeline crm-clean | crm-rfm, crm-ltv (BG/NBD + Gamma-Gamma, the
# default), crm-segment --by kmeans -k 4 --by value (examples/cluster/
# parallel.sh's segmentation).  "bytes/customer" is the peak resident set
# minus that of the same command on a 1,000-customer export, divided by the
# customers added: what each customer costs, without the program and its
# fixed buffers.
#
# Every run has an address-space limit (ulimit -v, LIMIT_KB, default 8 GB)
# so that a run away cannot take the memory of the shared machine.
#
# Usage: bench/memory.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to ./build, DATA_DIR to ../shared/data.
#   SIZES="1000000 4000000 16000000" sets the invoice counts; PARTS="invoices",
#   PARTS="explosions" or PARTS="customers" runs one part only (default: all
#   three); CUSTOMERS=N sets part 3's customers (default 1000000).
# The generated files go to $TMPDIR/crm-bench-memory (about 1.6 GB for 16M
# invoices, 0.6 GB for 1M customers).
set -euo pipefail
cd "$(dirname "$0")/.."
build=$(cd "${1:-build}" && pwd)
data=${2:-../shared/data}
sizes=${SIZES:-1000000 4000000 16000000}
limit_kb=${LIMIT_KB:-8000000}
parts=${PARTS:-invoices explosions customers}
customers=${CUSTOMERS:-1000000}
work=${TMPDIR:-/tmp}/crm-bench-memory
mkdir -p "$work"
for c in crm-clean crm-rfm crm-basket crm-ltv crm-segment; do
  [ -x "$build/$c" ] || { echo "build $c first" >&2; exit 1; }
done

# generate N FILE: N one-line invoices in the layout of the Online Retail export.
generate() {
  [ -f "$2" ] && return 0
  awk -v n="$1" 'BEGIN {
    print "InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country"
    for (i = 0; i < n; i++)
      printf "%d,P%d,ITEM %d,%d,2011-01-%02d %02d:%02d:00,1.25,%d,United Kingdom\n",
             1000000 + i, i % 500, i % 500, 1 + i % 5, 1 + i % 28, 8 + i % 10, i % 60,
             10000 + (i * 7919) % 1000
  }' >"$2.tmp"
  mv "$2.tmp" "$2"
}

# measure OUT_STDOUT command... -> "seconds peak_kb status" (the run's stderr in $work/stderr)
measure() {
  local out=$1; shift
  local status=0
  ( ulimit -v "$limit_kb"; /usr/bin/time -v -o "$work/time.txt" "$@" >"$out" 2>"$work/stderr" ) || status=$?
  local kb secs
  kb=$(awk -F': ' '/Maximum resident set size/ { print $2 }' "$work/time.txt")
  secs=$(awk -F': ' '/Elapsed \(wall clock\)/ { n = split($2, t, ":"); s = 0
                      for (i = 1; i <= n; i++) s = s * 60 + t[i]; print s }' "$work/time.txt")
  echo "$secs $kb $status"
}

echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); build: $build"
if [[ " $parts " == *" invoices "* ]]; then
echo
echo "| command | invoices | seconds | peak MiB | bytes/invoice | marginal bytes/invoice |"
echo "|---|---:|---:|---:|---:|---:|"
generate 1000 "$work/invoices-1000.csv"
"$build/crm-clean" -q --returns drop "$work/invoices-1000.csv" -o "$work/clean-1000.csv"
# run_one COMMAND THREADS N -> "seconds peak_kb status"; crm-clean also writes
# the input of crm-rfm (THREADS "": the default, one parsing thread per core)
run_one() {
  local threads=()
  [ -n "$2" ] && threads=(--threads "$2")
  if [ "$1" = crm-clean ]; then
    measure "$work/clean-$3.csv" "$build/crm-clean" -q --returns drop "${threads[@]}" "$work/invoices-$3.csv"
  elif [ "$1" = crm-clean-net ]; then
    measure /dev/null "$build/crm-clean" -q --returns net "${threads[@]}" "$work/invoices-$3.csv"
  else
    measure /dev/null "$build/crm-rfm" "${threads[@]}" "$work/clean-$3.csv"
  fi
}
declare -A last_kb first_kb
variants=("crm-clean|" "crm-rfm|" "crm-clean|1" "crm-rfm|1" "crm-clean-net|")
for v in "${variants[@]}"; do
  read -r _ kb _ < <(run_one "${v%|*}" "${v#*|}" 1000)
  last_kb[$v]=$kb first_kb[$v]=$kb
done
prev_n=1000
for n in $sizes; do
  generate "$n" "$work/invoices-$n.csv"
  for v in "${variants[@]}"; do
    c=${v%|*} t=${v#*|}
    read -r secs kb status < <(run_one "$c" "$t" "$n")
    [ "$status" = 0 ] || { echo "$c on $n invoices failed:" >&2; cat "$work/stderr" >&2; exit 1; }
    label=$c
    [ "$c" = crm-clean ] && label="crm-clean --returns drop"
    [ "$c" = crm-clean-net ] && label="crm-clean (default --returns net)"
    [ -n "$t" ] && label="$label --threads $t"
    awk -v c="$label" -v n="$n" -v p="$prev_n" -v s="$secs" -v kb="$kb" -v b="${last_kb[$v]}" 'BEGIN {
      printf "| %s | %d | %.2f | %.1f | %.1f | %.1f |\n", c, n, s, kb / 1024, kb * 1024 / n, (kb - b) * 1024 / (n - p) }'
    last_kb[$v]=$kb
  done
  prev_n=$n
done
echo
echo "(a 1,000-invoice file: crm-clean $((first_kb["crm-clean|"] / 1024)) MiB, crm-rfm $((first_kb["crm-rfm|"] / 1024)) MiB)"
fi

if [[ " $parts " == *" explosions "* ]]; then

echo
echo "| explosion | seconds | peak MiB | exit | message |"
echo "|---|---:|---:|---:|---|"
awk 'BEGIN { for (j = 0; j < 10000; j++) printf "%sitem%d", (j ? "," : ""), j; print "" }' >"$work/one-basket.csv"
retail=$work/retail-clean.csv
if [ ! -f "$retail" ] && [ -f "$data/online-retail/online_retail.csv.gz" ]; then
  "$build/crm-clean" -q "$data/online-retail/online_retail.csv.gz" -o "$retail"
fi
explode() { # label crm-basket-arguments...
  local label=$1; shift
  read -r secs kb status < <(measure /dev/null "$build/crm-basket" -q "$@")
  local message
  message=$(head -c 300 "$work/stderr" | head -n 1)
  awk -v l="$label" -v s="$secs" -v kb="$kb" -v st="$status" -v m="$message" 'BEGIN {
    printf "| %s | %.2f | %.1f | %s | %s |\n", l, s, kb / 1024, st, m }'
}
explode "one basket of 10,000 items, --min-count 1 --itemsets" --format basket "$work/one-basket.csv" --min-count 1 --itemsets
if [ -f "$retail" ]; then
  explode "Online Retail --by customer --maximal --min-count 20" "$retail" --by customer --maximal --min-count 20
  explode "same, --max-itemsets 0 (only the 4G memory budget)" "$retail" --by customer --maximal --min-count 20 --max-itemsets 0
  explode "Online Retail --by customer --min-count 40 --min-confidence 0 (rules)" "$retail" --by customer --min-count 40 --min-confidence 0
  explode "Online Retail --by customer --maximal --min-count 40 (the man page)" "$retail" --by customer --maximal --min-count 40
else
  echo "(no $data/online-retail/online_retail.csv.gz: the Online Retail cases are left out)"
fi
fi

if [[ " $parts " == *" customers "* ]]; then
echo
echo "| command | customers | seconds | peak MiB | peak MiB, 1,000 customers | bytes/customer |"
echo "|---|---:|---:|---:|---:|---:|"
# pipeline N: the simulated export of N customers through the commands, each
# measured: "command|seconds|peak_kb" lines in $work/pipeline-N.txt
pipeline() {
  local n=$1 e=$work/export-$1.csv
  [ -f "$e" ] || { bench/export_gen.py "$e.tmp" "$n" && mv "$e.tmp" "$e"; }
  "$build/crm-clean" -q "$e" -o "$work/clean-c$n.csv"
  step() { # name output command...
    local name=$1 out=$2; shift 2
    read -r secs kb status < <(measure "$out" "$@")
    [ "$status" = 0 ] || { echo "$name on $n customers failed:" >&2; cat "$work/stderr" >&2; exit 1; }
    echo "$name|$secs|$kb"
  }
  {
    step crm-rfm "$work/rfm-c$n.csv" "$build/crm-rfm" -q "$work/clean-c$n.csv"
    # without the buffers of parallel parsing, which a tiny input does not need
    step "crm-rfm --threads 1" /dev/null "$build/crm-rfm" -q --threads 1 "$work/clean-c$n.csv"
    step crm-ltv "$work/ltv-c$n.csv" "$build/crm-ltv" -q "$work/rfm-c$n.csv"
    step "crm-segment --by kmeans -k 4 --by value" /dev/null \
      "$build/crm-segment" -q --by kmeans -k 4 --by value "$work/ltv-c$n.csv"
  } >"$work/pipeline-$n.txt"
  rm -f "$work/clean-c$n.csv"
}
pipeline 1000
pipeline "$customers"
awk -F'|' -v n="$customers" 'NR == FNR { tiny[$1] = $3; next } {
  printf "| %s | %d | %.2f | %.1f | %.1f | %.0f |\n", $1, n, $2, $3 / 1024, tiny[$1] / 1024,
         ($3 - tiny[$1]) * 1024 / (n - 1000) }' "$work/pipeline-1000.txt" "$work/pipeline-$customers.txt"
fi
echo
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
