#!/usr/bin/env bash
# The nightly job: raw export in, clean transactions and their rejects out.
# Usage: examples/nightly.sh EXPORT OUTDIR
# (It grows into the whole pipeline as crm-rfm, crm-ltv and crm-segment land.)
set -euo pipefail
export_file=${1:?usage: nightly.sh EXPORT OUTDIR}
outdir=${2:?usage: nightly.sh EXPORT OUTDIR}
mkdir -p "$outdir"

crm-clean "$export_file" \
  --rejects "$outdir/rejects.csv" \
  --report "$outdir/clean-report.json" \
  -o "$outdir/transactions.csv"

echo "nightly: clean transactions in $outdir/transactions.csv"
echo "nightly: rejected rows with line and reason in $outdir/rejects.csv"
echo "nightly: run summary (JSON) in $outdir/clean-report.json"
