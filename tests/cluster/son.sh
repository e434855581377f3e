#!/usr/bin/env bash
# crm-basket's SON split runs against one process (ctest: cluster.son):
#   tests/cluster/son.sh BIN_DIR [EXPORT...]
# For each transactions file (the Online Retail sample cleaned by crm-clean,
# the full Online Retail when ../shared/data (or $SHARED_DATA) has it, and any EXPORT given,
# e.g. the 10x file of bench/clean.sh), itemsets, closed itemsets and rules
# of one process are compared byte for byte with
#   1. 4 customer shards (--shard I/4) through pass 1, pass 2 and --merge;
#   2. 4 row splits (split -n l/4 of the rows, the header added to each)
#      of the rows grouped by invoice, the same way; invoices are cut
#      between pieces and joined as edge baskets at the merge;
#   3. the same merges as a tree (--merge --partial by twos) and as one
#      concatenated file.
# crm-clean holds netted purchases back, so its rows are not grouped by
# invoice: a row split of them is refused with an error naming an invoice
# (checked too).  Groceries (tests/data, one basket a line) is split by
# rows as well.
set -euo pipefail
bin_dir=$(cd "$1" && pwd)
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$bin_dir:$PATH" LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0
check() { if "$@"; then :; else echo "FAILED: $*"; fail=1; fi; }

# Both passes over the pieces in PIECES (each a file, or "--shard I/N FILE"),
# with the reading options given.
passes() { # tag support read_opts...
  local tag=$1 support=$2; shift 2
  local i cands=()
  for i in "${!PIECES[@]}"; do
    # shellcheck disable=SC2086
    crm-basket -q --partial --min-support "$support" "$@" ${PIECES[$i]} -o "$tag.$i.pass1"
    cands+=(--candidates "$tag.$i.pass1")
  done
  for i in "${!PIECES[@]}"; do
    # shellcheck disable=SC2086
    crm-basket -q --partial "${cands[@]}" "$@" ${PIECES[$i]} -o "$tag.$i.pass2"
  done
}

compare() { # tag support one-process-input read_opts...
  local tag=$1 support=$2 input=$3; shift 3
  local kinds=("--itemsets" "--closed" "--min-confidence 30%")
  local k parts=("$tag".*.pass2)
  crm-basket -q --merge --partial "${parts[0]}" "${parts[1]}" -o "$tag.t1"
  crm-basket -q --merge --partial "${parts[@]:2}" -o "$tag.t2"
  cat "${parts[@]}" > "$tag.cat"
  for k in "${kinds[@]}"; do
    # shellcheck disable=SC2086
    crm-basket -q --min-support "$support" $k "$@" "$input" -o one.out
    # shellcheck disable=SC2086
    crm-basket -q --merge --min-support "$support" $k "${parts[@]}" -o merged.out
    check cmp merged.out one.out
    # shellcheck disable=SC2086
    crm-basket -q --merge --min-support "$support" $k "$tag.t1" "$tag.t2" -o tree.out
    check cmp tree.out one.out
    # shellcheck disable=SC2086
    crm-basket -q --merge --min-support "$support" $k "$tag.cat" -o cat.out
    check cmp cat.out one.out
  done
  echo "$tag: $(($(wc -l < one.out) - 1)) rules, $(crm-basket -q --min-support "$support" --itemsets "$@" "$input" | tail -n +2 | wc -l) itemsets: 4 pieces as one process (merged, as a tree, concatenated)"
}

run_transactions() { # name clean.csv support
  local name=$1 clean=$2 support=$3
  PIECES=()
  for i in 1 2 3 4; do PIECES+=("--shard $i/4 $clean"); done
  passes "$name-shards" "$support"
  compare "$name-shards" "$support" "$clean"
  # row splits of the rows grouped by invoice (a stable sort keeps each invoice's order)
  head -1 "$clean" > header
  tail -n +2 "$clean" | sort -s -t, -k2,2 > rows
  split -n l/4 rows "$name-rows."
  PIECES=()
  for f in "$name-rows."a?; do cat header "$f" > "$f.csv"; PIECES+=("$f.csv"); done
  passes "$name-rows" "$support"
  compare "$name-rows" "$support" "$clean"
  # crm-clean's own order splits invoices across pieces: refused, not miscounted
  tail -n +2 "$clean" > rows
  split -n l/4 rows "$name-raw."
  PIECES=()
  for f in "$name-raw."a?; do cat header "$f" > "$f.csv"; PIECES+=("$f.csv"); done
  passes "$name-raw" "$support"
  if crm-basket -q --merge --min-support "$support" "$name-raw".*.pass2 -o refused.out 2> refused.err; then
    if [ -n "$(tail -n +2 "$clean" | awk -F, '$2 != p { if (s[$2]++) { print; exit } } { p = $2 }')" ]; then
      echo "FAILED: $name: a row split of invoices out of order was merged"; fail=1
    fi
  else
    check grep -q "the rows of one basket must be contiguous" refused.err
    echo "$name: a row split of crm-clean's order (invoices not contiguous) is refused: $(sed 's/^crm-basket: //' refused.err | cut -c1-90)..."
  fi
}

crm-clean -q "$root/examples/online-retail-sample.csv.gz" -o sample.csv
run_transactions sample sample.csv 1%

# Groceries: one basket a line, split by lines (no basket is cut)
split -n l/4 "$root/tests/data/groceries/groceries.csv" groceries.
PIECES=(groceries.a?)
passes groceries 0.5% --format basket
compare groceries 0.5% "$root/tests/data/groceries/groceries.csv" --format basket

full="${SHARED_DATA:-$root/../shared/data}/online-retail/online_retail.csv.gz"
exports=("$@")
if [ -f "$full" ]; then exports=("$full" "${exports[@]}"); fi
n=0
for export in "${exports[@]}"; do
  n=$((n + 1))
  crm-clean -q "$export" -o "full$n.csv"
  echo "$(basename "$export"): $(($(wc -l < "full$n.csv") - 1)) cleaned rows"
  run_transactions "$(basename "$export" | sed 's/\..*//')" "full$n.csv" 1%
done
[ ${#exports[@]} -gt 0 ] || echo "no full Online Retail in ../shared/data: the sample only"
exit $fail
