#!/usr/bin/env bash
# Times whole runs of crm-basket --itemsets (read, mine, sort, write the CSV)
# on the FIMI benchmark sets and prints a markdown table: itemsets found,
# wall and CPU seconds, peak memory, and the ratio against a peer's time.
#
# Peers: Borgelt's fpgrowth, arules and mlxtend are not installable from the
# registries this machine reaches (no Debian package of any of them), so the
# only peer figure is the published one: Borgelt's fpgrowth mines retail at
# 0.01% in about 0.7 s.  If a `fpgrowth` binary is on PATH (Borgelt's
# command line: fpgrowth -s-SUPPORT_COUNT ... in out) it is run side by side.
#
# Usage: bench/basket.sh [BUILD_DIR] [DATA_DIR]
#   BUILD_DIR defaults to ./build, DATA_DIR to ../shared/data.
# Decompressed inputs and outputs go to $TMPDIR/crm-bench-basket.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
data=${2:-../shared/data}
work=${TMPDIR:-/tmp}/crm-bench-basket
mkdir -p "$work"
[ -x "$build/crm-basket" ] || { echo "build crm-basket first" >&2; exit 1; }

input() { # name -> plain .dat path
  case $1 in
    retail) src="$data/fimi-retail/retail.dat.gz" ;;
    T10I4D100K) src="$data/fimi-T10I4D100K/T10I4D100K.dat.gz" ;;
    chess) src="$data/fimi-chess/chess.dat" ;;
    mushroom) src="$data/fimi-mushroom/mushroom.dat" ;;
  esac
  [ -f "$src" ] || { echo "missing $src" >&2; exit 1; }
  local out="$work/$1.dat"
  if [ ! -f "$out" ]; then
    case $src in *.gz) zcat "$src" >"$out" ;; *) cp "$src" "$out" ;; esac
  fi
  echo "$out"
}

# Published peer times (seconds), keyed by "set support".
published() {
  case "$1 $2" in
    "retail 0.01%") echo 0.7 ;;
    *) echo "" ;;
  esac
}

printf '| data | support | baskets | itemsets | wall s | CPU s | peak MiB | peer | peer s | crm / peer |\n'
printf '|---|---:|---:|---:|---:|---:|---:|---|---:|---:|\n'
run() { # set support
  local set=$1 support=$2 dat
  dat=$(input "$set")
  local baskets
  baskets=$(wc -l <"$dat")
  /usr/bin/time -f "%e %U %S %M" -o "$work/time.txt" \
    "$build/crm-basket" -q --format fimi "$dat" --min-support "$support" --itemsets -o "$work/out.csv"
  read -r wall user sys rss <"$work/time.txt"
  local sets=$(($(wc -l <"$work/out.csv") - 1))
  local peer="" peer_s=""
  if command -v fpgrowth >/dev/null 2>&1; then
    local pct=${support%\%}
    /usr/bin/time -f "%e" -o "$work/peer.txt" fpgrowth -s"$pct" -m1 "$dat" "$work/peer.out" >/dev/null 2>&1 &&
      peer="fpgrowth (here)" peer_s=$(cat "$work/peer.txt")
  fi
  if [ -z "$peer_s" ] && [ -n "$(published "$set" "$support")" ]; then
    peer="Borgelt fpgrowth (published)" peer_s=$(published "$set" "$support")
  fi
  awk -v d="$set" -v s="$support" -v b="$baskets" -v n="$sets" -v w="$wall" -v u="$user" -v y="$sys" \
      -v m="$rss" -v p="$peer" -v ps="$peer_s" 'BEGIN {
    ratio = ps != "" && ps > 0 ? sprintf("%.2f", w / ps) : ""
    printf "| %s | %s | %d | %d | %.2f | %.2f | %.1f | %s | %s | %s |\n", d, s, b, n, w, u + y, m / 1024, p, ps, ratio }'
}

for s in 1% 0.1% 0.05% 0.01%; do run retail "$s"; done
for s in 1% 0.1% 0.05%; do run T10I4D100K "$s"; done
for s in 80% 70% 60%; do run chess "$s"; done
for s in 30% 20% 10%; do run mushroom "$s"; done
echo
echo "machine: $(nproc) cores; load: $(uptime | sed 's/.*load average: //')"
