#!/usr/bin/env bash
# bench/ltv.sh [BUILD_DIR] : crm-ltv fits on simulated customers.
#
# bench-ltv-simulate (bench/ltv_simulate.c) draws 10k, 100k and 1M customers
# from the BG/NBD process at Fader, Hardie & Lee's CDNOW estimates (and from
# the Pareto/NBD process at the paper's estimates), seeded, into /tmp.  Two
# kinds of times: whole days in weeks (days / 7, as crm-rfm writes them:
# customers share histories, which the fit merges) and continuous times (every
# customer distinct: the worst case).  For each: wall and CPU time, peak
# memory, optimiser iterations, and the recovered parameters beside the true
# ones.  Prints a markdown table.
#
# Peers: Python's lifetimes (BetaGeoFitter) is the usual tool; it is not
# installable here (no PyPI), so its figure is cited, not measured: over 10 s
# for a BG/NBD fit of 1M customers.  Times are in weeks (days / 7 with
# --days), so every run says --unit weeks.
#
# Pareto/NBD's likelihood costs a 2F1 per distinct (x, t) pair, t a t_x or
# a T, and its gradient 8 more (GSL has no derivative of 2F1 in its
# parameters, so those are differences); whole-day data have few pairs (1M
# customers: about 4,400), continuous times two per customer, so the
# continuous-time fit is run at 10k only.  The pairs and the rows are
# evaluated on --threads threads (default one per core).
set -euo pipefail
build=${1:-$(dirname "$0")/../build}
build=$(cd "$build" && pwd)
sim=$build/bench-ltv-simulate
ltv=$build/crm-ltv
dir=${TMPDIR:-/tmp}/crm-ltv-bench
mkdir -p "$dir"
export LC_ALL=C

bg_true="0.243 4.414 0.793 2.426"
pn_true="0.553 10.578 0.606 11.669"

gen() { # process n times -> file
    local process=$1 n=$2 times=$3 f=$dir/$1-$2-$3.csv
    if [ ! -s "$f" ]; then
        local flags=""
        [ "$process" = pnbd ] && flags="$flags --pnbd"
        [ "$times" = days ] && flags="$flags --days"
        "$sim" "$n" 20261123 $flags >"$f"
    fi
    echo "$f"
}

# run LABEL TRUE_PARAMS FILE ARGS... : one timed crm-ltv run, one table row
run() {
    local label=$1 truth=$2 file=$3
    shift 3
    local out=$dir/out.csv err=$dir/err.txt tm=$dir/time.txt
    /usr/bin/time -f "%e %U %S %M" -o "$tm" "$ltv" --unit weeks "$@" "$file" >"$out" 2>"$err" || { cat "$err" >&2; return 1; }
    read -r wall user sys rss <"$tm"
    local n iters params
    n=$(($(wc -l <"$file") - 1))
    iters=$(sed -n 's/.*converged in \([0-9]*\) iterations.*/\1/p' "$err" | head -1)
    if grep -q '^model,parameter' "$out"; then
        params=$(awk -F, 'NR > 1 && $1 != "Gamma-Gamma" { printf "%s%s", sep, $3; sep = " " }' "$out")
    else
        params="(scored $(($(wc -l <"$out") - 1)) rows)"
    fi
    printf '| %s | %s | %.2f | %.2f | %.0f | %s | %s | %s |\n' "$label" "$n" "$wall" \
        "$(echo "$user + $sys" | bc)" "$(echo "$rss / 1024" | bc)" "${iters:--}" "$params" "$truth"
}

echo "machine: $(nproc) cores; load before: $(uptime | sed 's/.*load average: //')"
echo
echo "| run | customers | wall s | CPU s | peak MB | iterations | recovered | true |"
echo "|---|---:|---:|---:|---:|---:|---|---|"
for n in 10000 100000 1000000; do
    run "BG/NBD fit, day times" "$bg_true" "$(gen bgnbd $n days)" --fit-only --spend none --decimals 3
done
for n in 10000 100000 1000000; do
    run "BG/NBD fit, continuous times" "$bg_true" "$(gen bgnbd $n cont)" --fit-only --spend none --decimals 3
done
for n in 10000 100000 1000000; do
    run "Pareto/NBD fit, day times" "$pn_true" "$(gen pnbd $n days)" --fit-only --model pnbd --spend none --decimals 3
done
run "Pareto/NBD fit, continuous times" "$pn_true" "$(gen pnbd 10000 cont)" --fit-only --model pnbd --spend none --decimals 3
for n in 10000 100000 1000000; do
    run "BG/NBD + Gamma-Gamma fit and score (12m, 10%/y)" "" "$(gen bgnbd $n days)"
done
for n in 10000 100000 1000000; do
    run "the same, continuous times" "" "$(gen bgnbd $n cont)"
done
# Scoring alone (--model-file): Pareto/NBD's P(alive) costs two 2F1 per
# distinct history, evaluated once per history (not once per discounting
# period) and on --threads.  Continuous times: every history distinct.
"$ltv" --unit weeks --model pnbd --fit-only --spend none --save-model "$dir/pnbd.model" \
    "$(gen pnbd 100000 days)" >/dev/null 2>&1
for th in 1 2; do
    run "Pareto/NBD score only, continuous times, --threads $th" "" "$(gen pnbd 1000000 cont)" \
        --model-file "$dir/pnbd.model" --spend none --threads $th
done
echo
echo "load after: $(uptime | sed 's/.*load average: //')"
echo "peer: lifetimes BetaGeoFitter, BG/NBD fit of 1M customers: over 10 s (cited; not installable here)"
