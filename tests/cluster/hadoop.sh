#!/usr/bin/env bash
# The Hadoop Streaming / Spark pipe contract emulated with coreutils
# (ctest: cluster.hadoop):   tests/cluster/hadoop.sh BIN_DIR
# examples/cluster/hadoop.sh on the Online Retail sample: the export without
# its header cleaned in 4 customer shards (crm-clean --no-header
# --header-names), the cleaned rows without headers cut into 4 pieces at line
# ends (split -n l/4, invoices and customers cut across pieces), each through
# crm-rfm --partial --no-header --header-names, the partial lines
# partitioned and sorted by customer id as Hadoop's shuffle does (header
# lines among them), then one reducer, or 3 reducers writing partials and a
# final merge.  Both give the one-process crm-clean | crm-rfm table byte for
# byte, and the cleaned rows of the shards, sorted, are the one-process rows
# sorted.  Then why the contract is what it is: crm-clean on row pieces
# gives another table, and a reducer that does not name the partial columns
# fails on the shuffled lines.
set -euo pipefail
bin_dir=$(realpath "$1")
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$bin_dir:$PATH" LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
sample=$root/examples/online-retail-sample.csv.gz
fail=0
check() { if "$@"; then :; else echo "FAILED: $*"; fail=1; fi; }

crm-clean -q "$sample" -o clean.csv
crm-rfm -q clean.csv -o one.csv
"$root/examples/cluster/hadoop.sh" "$sample" one-reducer 4 1
check cmp one-reducer/customers.csv one.csv
tail -n +2 clean.csv | sort > clean.sorted
sort one-reducer/clean/part-* > shards.sorted
check cmp shards.sorted clean.sorted
pieces=$(ls one-reducer/pieces | wc -l)
check [ "$pieces" -eq 4 ]
# the pieces did cut customers: some customer's partial rows come from two mappers
cut_customers=$(for f in one-reducer/map/*; do tail -n +2 "$f" | cut -d, -f1 | sort -u; done | sort | uniq -d | wc -l)
check [ "$cut_customers" -ge 1 ]
# and invoices: some invoice key is in two mappers' partials (counted once)
cut_invoices=$(for f in one-reducer/map/*; do tail -n +2 "$f" | cut -d, -f6 | tr ' ' '\n' | grep . | sort -u; done | sort | uniq -d | wc -l)
check [ "$cut_invoices" -ge 1 ]
# the shuffle put the mappers' header lines among the data
check [ "$(head -n 1 one-reducer/shuffle/part-0)" != "$(head -n 1 one-reducer/map/piece-0000)" ]
echo "one reducer: $(($(wc -l < one.csv) - 1)) customers, $(wc -l < clean.sorted) rows in $pieces pieces ($cut_customers customers, $cut_invoices invoices cut across them): as one process"

"$root/examples/cluster/hadoop.sh" "$sample" tree 4 3
check cmp tree/customers.csv one.csv
for r in 0 1 2; do check [ "$(wc -l < tree/reduce/part-$r)" -gt 100 ]; done
# the header lines all went to the reducer of the key "customer_id"
header=$(head -n 1 tree/map/piece-0000)
without=$(for r in 0 1 2; do grep -qxF "$header" "tree/shuffle/part-$r" || echo "$r"; done | wc -l)
check [ "$without" -eq 2 ]
echo "3 reducers writing partials ($without of them given no header line), merged once more: as one process"

# Why: crm-clean on row pieces nets returns and finds duplicates only inside
# a piece, so its table is not one process's.
gzip -cd "$sample" > export.csv
export_header=$(head -n 1 export.csv)
tail -n +2 export.csv > export.body
split -n l/4 export.body raw.
for p in raw.a?; do
  crm-clean -q --no-header --header-names "$export_header" "$p" | crm-rfm -q --partial -o "$p.part"
done
crm-rfm -q --merge raw.a?.part -o rows-cleaned.csv
if cmp -s rows-cleaned.csv one.csv; then echo "FAILED: crm-clean on row pieces gave the one-process table"; fail=1; fi
echo "crm-clean on row pieces: $(diff rows-cleaned.csv one.csv | grep -c '^>') customers differ (it needs whole customers)"
# and a reducer that takes the first shuffled line as the header fails
if crm-rfm -q --merge one-reducer/shuffle/part-0 -o /dev/null 2> noheader.err; then
  echo "FAILED: shuffled partials merged without --header-names"; fail=1
fi
check grep -q "not a crm-rfm --partial file" noheader.err
echo "a reducer without --header-names: refused ($(head -c 60 noheader.err)...)"
exit $fail
