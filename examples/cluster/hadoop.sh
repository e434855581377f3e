#!/usr/bin/env bash
# The Hadoop Streaming / Spark pipe contract, and a local emulation of it
# with coreutils:
#   examples/cluster/hadoop.sh EXPORT OUT_DIR [MAPPERS [REDUCERS [crm-rfm options...]]]
# e.g. hadoop.sh online_retail.csv.gz out 4 1 --as-of 2011-12-10
# writes OUT_DIR/customers.csv, byte for byte the one-process
# `crm-clean EXPORT | crm-rfm` table (tests/cluster/hadoop.sh checks it).
#
# THE CONTRACT.  Hadoop and Spark hand each task a piece of the input cut
# at line ends, without the header (HDFS files of a table have none):
# - Row pieces go only to commands whose partials merge exactly however the
#   rows were cut: crm-rfm --partial (and crm-basket's SON passes).  crm-clean
#   needs all of a customer's rows in one run (duplicates, returns netting):
#   on row pieces it gives another table.  So the cleaning is split by
#   customer (--shard), the scoring by rows.
# - A mapper names the columns of its headerless piece:
#   --no-header --header-names customer_id,invoice_id,... (crm(7)).
# - Mappers emit partial files (one row per customer and day, a header line
#   first).  The shuffle sorts and partitions the lines by key, so header
#   lines end up anywhere, or in one reducer only: the reducer names the
#   partial columns too (--no-header --header-names customer_id,date,rows,
#   amount,invoices,invoice_keys[,profit]), and crm-rfm --merge skips every
#   line equal to them.  The lines of a customer reach its reducer in any
#   order; the merge does not depend on it, except that an invoice whose
#   lines carry two dates counts on the day its key is read first (exact
#   when each invoice has one date, as an export from a till has).
# - Hadoop Streaming's key is what precedes the first tab, and it hands a
#   reducer "key<TAB>value" lines, a trailing tab when there was no tab.  CSV
#   has no tabs: make ',' the separator on both sides so that the key is the
#   customer id and the reducer gets the line back as written:
#     -D stream.map.output.field.separator=,
#     -D stream.reduce.input.field.separator=,
#     -D stream.reduce.output.field.separator=,
#     -D mapreduce.output.textoutputformat.separator=,
# - A quoted line break would be cut by the input format: the cleaned rows
#   have none unless crm-clean --keep-extra keeps a text column that has one.
#
# Job 1, cleaning by customer (map only; N one-line input files make N
# tasks, and task I reads the whole export, keeping shard I of N):
#   for i in $(seq 1 N); do echo $i > task-$i; done; hdfs dfs -put task-* /crm/tasks/
#   mapred streaming -D mapreduce.job.reduces=0 -input /crm/tasks -output /crm/clean \
#     -mapper 'bash -c "set -o pipefail; read -r i; hdfs dfs -cat /crm/export/* |
#              crm-clean -q --no-header --header-names InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice,CustomerID,Country \
#                        --shard $i/N | tail -n +2"'
# Job 2, scoring (any split of the cleaned rows; one reducer):
#   mapred streaming -D mapreduce.job.reduces=1 -D stream.map.output.field.separator=, \
#     -D stream.reduce.input.field.separator=, -D stream.reduce.output.field.separator=, \
#     -D mapreduce.output.textoutputformat.separator=, \
#     -input /crm/clean -output /crm/customers \
#     -mapper  'crm-rfm -q --partial --no-header --header-names customer_id,invoice_id,date,product_id,quantity,unit_price,amount' \
#     -reducer 'crm-rfm -q --merge --no-header --header-names customer_id,date,rows,amount,invoices,invoice_keys'
# The key is the customer id, so with -D mapreduce.job.reduces=R each
# reducer gets whole customers: reducers then write partials
# (crm-rfm --merge --partial ...) and one more merge makes the table, its
# scores over all customers (a tree; merges can be nested further):
#   hdfs dfs -cat /crm/merged/part-* | crm-rfm --merge -o customers.csv
# Spark, the same commands through RDD.pipe (Scala):
#   val clean = sc.textFile("/crm/clean")
#   val parts = clean.pipe("crm-rfm -q --partial --no-header --header-names customer_id,invoice_id,date,product_id,quantity,unit_price,amount")
#   parts.coalesce(1).pipe("crm-rfm -q --merge --no-header --header-names customer_id,date,rows,amount,invoices,invoice_keys")
#        .saveAsTextFile("/crm/customers")
#   (a tree: parts.keyBy(_.takeWhile(_ != ',')).partitionBy(new HashPartitioner(R)).values
#    .pipe("crm-rfm -q --merge --partial --no-header --header-names ...") then one more merge)
#
# NOT RUN ON HADOOP OR SPARK: neither was at hand.  The commands above are
# written from the Streaming documentation and the source of its
# TextInputWriter (the trailing tab); what this script runs is the same
# contract on one machine: the export without its header, N customer shards
# of it cleaned (job 1), their rows without headers concatenated and cut
# into MAPPERS pieces at line ends (split -n l/MAPPERS), each piece through
# the mapper, the mapper outputs concatenated and shuffled (partitioned by
# Hadoop's HashPartitioner on the customer id, then sorted by key, as the
# framework does), REDUCERS reducers and, with more than one, the final
# merge.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: hadoop.sh EXPORT OUT_DIR [MAPPERS [REDUCERS [crm-rfm options...]]]" >&2
  exit 2
fi
export_file=$1 out=$2 mappers=${3:-4} reducers=${4:-1}
shift $(($# < 4 ? $# : 4))
for n in "$mappers" "$reducers"; do
  case $n in ''|*[!0-9]*|0) echo "hadoop.sh: MAPPERS and REDUCERS must be whole numbers >= 1, got '$n'" >&2; exit 2 ;; esac
done
[ -r "$export_file" ] || { echo "hadoop.sh: cannot read $export_file" >&2; exit 1; }
export LC_ALL=C
mkdir -p "$out"/{hdfs,clean,pieces,map,shuffle,reduce}
rm -f "$out"/{clean,pieces,map,shuffle,reduce}/*

# The table as HDFS holds it: no header row; the header is what the job knows.
gzip -cdf "$export_file" > "$out/hdfs/export.csv"
export_header=$(head -n 1 "$out/hdfs/export.csv")
sed -i 1d "$out/hdfs/export.csv"

# Job 1: cleaning by customer, one task per shard, each reading the whole
# export; part files without their header.
clean_header=""
for i in $(seq 1 "$mappers"); do
  crm-clean -q --no-header --header-names "$export_header" --shard "$i/$mappers" "$out/hdfs/export.csv" \
    -o "$out/clean/with-header"
  clean_header=$(head -n 1 "$out/clean/with-header")
  tail -n +2 "$out/clean/with-header" > "$out/clean/part-$i"
done
rm "$out/clean/with-header"

# Job 2, map: the cleaned rows cut into pieces at line ends, wherever the
# invoices and customers fall.
cat "$out"/clean/part-* > "$out/pieces/all"
(cd "$out/pieces" && split -n "l/$mappers" -d -a 4 all piece- && rm all)
partial_header=""
for piece in "$out"/pieces/piece-*; do
  crm-rfm -q --partial --no-header --header-names "$clean_header" "$piece" -o "$out/map/${piece##*/}"
  partial_header=$(head -n 1 "$out/map/${piece##*/}")
done

# The shuffle: each line to the reducer of its key (Text.hashCode of the
# customer id, the field before the first ',', as HashPartitioner takes it),
# each reducer's lines sorted by key.
cat "$out"/map/piece-* | awk -v reducers="$reducers" -v dir="$out/shuffle" '
  BEGIN { for (i = 1; i < 256; i++) byte[sprintf("%c", i)] = i }
  {
    key = $0; cut = index(key, ","); if (cut) key = substr(key, 1, cut - 1)
    h = 1
    for (i = 1; i <= length(key); i++) {
      b = byte[substr(key, i, 1)]; if (b > 127) b -= 256   # Java bytes are signed
      h = (31 * h + b) % 4294967296; if (h < 0) h += 4294967296
    }
    print > (dir "/part-" (h % 2147483648) % reducers)
  }'
for r in $(seq 0 $((reducers - 1))); do
  touch "$out/shuffle/part-$r"
  sort -t, -k1,1 "$out/shuffle/part-$r" -o "$out/shuffle/part-$r"
done

# Reduce: one reducer writes the table; several write partials, merged once more.
if [ "$reducers" -eq 1 ]; then
  crm-rfm -q --merge --no-header --header-names "$partial_header" "$@" "$out/shuffle/part-0" -o "$out/customers.csv"
else
  for r in $(seq 0 $((reducers - 1))); do
    crm-rfm -q --merge --partial --no-header --header-names "$partial_header" "$out/shuffle/part-$r" \
      -o "$out/reduce/part-$r"
  done
  cat "$out"/reduce/part-* | crm-rfm -q --merge "$@" -o "$out/customers.csv"
fi
