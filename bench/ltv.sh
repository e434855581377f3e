#!/usr/bin/env bash
# bench/ltv.sh [--peers-only] [--lifetimes DIR] [--autograd DIR] [BUILD_DIR]
#
# crm-ltv fits on simulated customers, and the same fits by Python's
# lifetimes side by side in the same run.
#
# bench-ltv-simulate (bench/ltv_simulate.c) draws 10k, 100k and 1M customers
# from the BG/NBD process at Fader, Hardie & Lee's CDNOW estimates (and from
# the Pareto/NBD process at the paper's estimates), seeded, into /tmp.  Two
# kinds of times: whole days in weeks (days / 7, as crm-rfm writes them:
# customers share histories, which the fit merges) and continuous times (every
# customer distinct: the worst case).  For each: wall and CPU time, peak
# memory, optimiser iterations, and the recovered parameters beside the true
# ones.  Prints markdown tables.  --peers-only runs only the lifetimes table.
#
# Peers: lifetimes (BetaGeoFitter, ModifiedBetaGeoFitter, ParetoNBDFitter) on
# BG/NBD and MBG/NBD with 1M customers and Pareto/NBD with 100k (day times),
# each fit() once on one row per customer ("raw") and once on the distinct
# (x, t_x, T) with their counts as weights; crm-ltv --fit-only on the same
# file (the whole command: reading the CSV included) on 1 and 2 threads, and
# on the collapsed table with --weight.  Ratios are crm over lifetimes, wall
# and CPU (the machine may be shared: CPU seconds are the steadier figure).
# lifetimes is not packaged for Debian and there is no PyPI here: it runs on
# /usr/bin/python3 with Debian's python3-numpy, -scipy, -pandas and -dill
# (installed with apt-get when missing), from its source and that of its one
# pure-Python dependency, autograd, exported with git archive into a
# temporary directory put on PYTHONPATH (never into this tree).  The sources
# are the mirrors under /work/.mirror (CamDavidsonPilon+lifetimes,
# HIPS+autograd), or the git directories or checkouts given by --lifetimes
# and --autograd.  Times are in weeks (days / 7 with --days), so every crm run
# says --unit weeks.
#
# Pareto/NBD's likelihood costs a 2F1 per distinct (x, t) pair, t a t_x or
# a T; whole-day data have few pairs (1M customers: about 4,400), continuous
# times two per customer, so the continuous-time fit is run at 10k only.  The
# pairs and the rows are evaluated on --threads threads (default one per
# core).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
peers_only=0 lifetimes_src=/work/.mirror/CamDavidsonPilon+lifetimes/repo
autograd_src=/work/.mirror/HIPS+autograd/repo
while [ $# -gt 0 ]; do
    case $1 in
    --peers-only) peers_only=1 ;;
    --lifetimes) lifetimes_src=$2; shift ;;
    --autograd) autograd_src=$2; shift ;;
    -*) echo "usage: bench/ltv.sh [--peers-only] [--lifetimes DIR] [--autograd DIR] [BUILD_DIR]" >&2; exit 2 ;;
    *) break ;;
    esac
    shift
done
build=${1:-$here/../build}
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

# ---- the fits against lifetimes ----

# lifetimes_path: exports lifetimes and autograd into a temporary directory
# (removed on exit) and prints it, for PYTHONPATH.  SRC is a git directory
# (bare or not) or a checkout with the package at its top.
export_package() { # SRC PACKAGE DEST
    local src=$1 pkg=$2 dest=$3
    if [ -f "$src/$pkg/__init__.py" ]; then
        cp -R "$src/$pkg" "$dest/"
    elif git --git-dir="$src" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        git --git-dir="$src" archive HEAD "$pkg" | tar -x -C "$dest"
    elif git -C "$src" rev-parse --verify -q HEAD >/dev/null 2>&1; then
        git -C "$src" archive HEAD "$pkg" | tar -x -C "$dest"
    else
        echo "bench/ltv.sh: no $pkg source at $src (give its git directory or checkout with --$pkg DIR)" >&2
        return 1
    fi
}

python=/usr/bin/python3
setup_lifetimes() {
    if ! "$python" -c 'import numpy, scipy, pandas, dill' 2>/dev/null; then
        echo "installing python3-numpy python3-scipy python3-pandas python3-dill (for lifetimes)" >&2
        if [ "$(id -u)" = 0 ]; then
            DEBIAN_FRONTEND=noninteractive apt-get install -y -q python3-numpy python3-scipy \
                python3-pandas python3-dill >&2
        else
            echo "bench/ltv.sh: run as root or install python3-numpy python3-scipy python3-pandas python3-dill" >&2
            return 1
        fi
    fi
    pydir=$(mktemp -d "${TMPDIR:-/tmp}/crm-ltv-bench-py.XXXXXX")
    trap 'rm -rf "$pydir"' EXIT
    export_package "$lifetimes_src" lifetimes "$pydir"
    export_package "$autograd_src" autograd "$pydir"
    # a git export carries no compiled files; keep it that way
    export PYTHONPATH=$pydir PYTHONDONTWRITEBYTECODE=1
}

# collapse FILE -> the distinct (x, t_x, T) with their customers, in the
# order they first appear (for --weight; the same strings, so the same
# numbers)
collapse() {
    local f=${1%.csv}-collapsed.csv
    [ -s "$f" ] || awk -F, 'NR > 1 { k = $2 "," $3 "," $4; if (!(k in n)) o[++m] = k; n[k]++ }
        END { print "x,t_x,T,weight"; for (i = 1; i <= m; i++) print o[i] "," n[o[i]] }' "$1" >"$f"
    echo "$f"
}

# crm_best TAG FILE ARGS... : the fastest of 3 runs of crm-ltv --fit-only
# (wall and CPU each their minimum) as "WALL CPU PARAMS"; the 3 runs must
# print the same table, kept in $dir/peer-TAG.csv.
crm_best() {
    local tag=$1 file=$2
    shift 2
    local best_wall="" best_cpu="" out=$dir/peer-$tag.csv tm=$dir/peer.time
    for i in 1 2 3; do
        /usr/bin/time -f "%e %U %S" -o "$tm" "$ltv" --unit weeks --fit-only --spend none -q "$@" \
            "$file" >"$dir/peer-run.csv"
        [ "$i" = 1 ] && cp "$dir/peer-run.csv" "$out"
        if ! cmp -s "$dir/peer-run.csv" "$out"; then
            echo "bench/ltv.sh: crm-ltv $* printed another fit in run $i" >&2
            return 1
        fi
        read -r wall user sys <"$tm"
        best_wall=$(echo "$wall $best_wall" | awk '{ print ($2 == "" || $1 < $2) ? $1 : $2 }')
        best_cpu=$(echo "$user $sys $best_cpu" | awk '{ c = $1 + $2; print ($3 == "" || c < $3) ? c : $3 }')
    done
    echo "$best_wall $best_cpu $(awk -F, 'NR > 1 { printf "%s%.17g", sep, $3; sep = " " }' "$out")"
}

# peer MODEL LABEL FILE : crm-ltv and lifetimes on FILE, table rows
peer() {
    local model=$1 label=$2 file=$3 n cfile
    n=$(($(wc -l <"$file") - 1))
    cfile=$(collapse "$file")
    local c1 c2 cw
    c1=$(crm_best t1 "$file" --model "$model" --threads 1)
    c2=$(crm_best t2 "$file" --model "$model" --threads 2)
    cw=$(crm_best weighted "$cfile" --model "$model" --threads 2 --weight weight)
    if ! cmp -s "$dir/peer-t1.csv" "$dir/peer-t2.csv"; then
        echo "bench/ltv.sh: crm-ltv --model $model fits differ on 1 and 2 threads" >&2
        return 1
    fi
    cmp -s "$dir/peer-t1.csv" "$dir/peer-weighted.csv" ||
        echo "note: crm-ltv --model $model on the collapsed table differs from the raw fit" >&2
    "$python" "$here/ltv_lifetimes.py" "$model" "$file" >"$dir/lifetimes.txt"
    local raw coll wtd
    raw=$(awk '$3 == "raw" { print $4, $5, $7, $8, $9, $10 }' "$dir/lifetimes.txt")
    coll=$(awk '$3 == "collapse" { print $4, $5, $6 }' "$dir/lifetimes.txt")
    wtd=$(awk '$3 == "weighted" { print $4, $5, $7, $8, $9, $10 }' "$dir/lifetimes.txt")
    # lifetimes' rows: wall, CPU, parameters to 4 digits
    awk -v label="$label" -v n="$n" -v raw="$raw" -v coll="$coll" -v wtd="$wtd" \
        -v c1="$c1" -v c2="$c2" -v cw="$cw" 'function p4(a, i,   s, k) {
            for (k = i; k <= i + 3; k++) s = s sprintf("%s%.4g", k > i ? " " : "", a[k]); return s }
        function row(who, rows, w, c, params, rw, rc, ww, wc) {
            printf "| %s | %s | %s | %.2f | %.2f | %s | %.3f | %.3f | %.3f | %.3f |\n", label, who,
                rows, w, c, params, w / rw, c / rc, w / ww, c / wc }
        BEGIN {
            split(raw, r, " "); split(coll, k, " "); split(wtd, t, " ")
            split(c1, a, " "); split(c2, b, " "); split(cw, w, " ")
            wall_w = t[1] + k[1]; cpu_w = t[2] + k[2]
            row("lifetimes, raw", n, r[1], r[2], p4(r, 3), r[1], r[2], wall_w, cpu_w)
            row("lifetimes, collapsed + weights", k[3], wall_w, cpu_w, p4(t, 3), r[1], r[2], wall_w, cpu_w)
            row("crm-ltv --threads 1", n, a[1], a[2], p4(a, 3), r[1], r[2], wall_w, cpu_w)
            row("crm-ltv --threads 2", n, b[1], b[2], p4(b, 3), r[1], r[2], wall_w, cpu_w)
            row("crm-ltv collapsed --weight", k[3], w[1], w[2], p4(w, 3), r[1], r[2], wall_w, cpu_w)
        }'
}

echo "machine: $(nproc) cores; load before: $(uptime | sed 's/.*load average: //')"
echo
if [ "$peers_only" = 0 ]; then
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
fi

setup_lifetimes
echo "Against lifetimes $(sed -n 's/^__version__ = "\(.*\)"/\1/p' "$pydir/lifetimes/version.py") (fit() with its defaults; crm-ltv --fit-only, the whole command; best of 3 crm runs)"
echo "ratios: this row over lifetimes' raw fit, and over its collapsed fit (collapse + weighted fit)"
echo
echo "| fit | tool | rows | wall s | CPU s | r alpha a/s b/beta | wall / raw | CPU / raw | wall / collapsed | CPU / collapsed |"
echo "|---|---|---:|---:|---:|---|---:|---:|---:|---:|"
peer bgnbd "BG/NBD, 1M" "$(gen bgnbd 1000000 days)"
peer mbgnbd "MBG/NBD, 1M" "$(gen bgnbd 1000000 days)"
peer pnbd "Pareto/NBD, 100k" "$(gen pnbd 100000 days)"
echo
echo "load after: $(uptime | sed 's/.*load average: //')"
