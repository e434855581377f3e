#!/usr/bin/env bash
# The demo's outputs carry no binary floating-point noise (issue 15; crm(7),
# CONVENTIONS: money exact, ratios and probabilities to 6 significant digits).
# Runs examples/nightly.sh on the bundled sample, with every optional part on
# (interactions, a survey and a catalog made here from the sample itself), and
# scans every number in every CSV it wrote.  A number is noise when it has
# more than 10 significant digits (0.13073394495412843, 579.9660000000001,
# 267.25300000000004: a double printed with all its digits), or when it is a
# probability printed as zero by fixed decimals (p_alive 0.000000: a small
# value lost; a true zero elsewhere, such as a lowest survey score, is fine).
# Usage: tests/demo/no-float-noise.sh BUILD_DIR
set -euo pipefail
bin_dir=$(cd "$1" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
export PATH="$bin_dir:$PATH" LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

sample=$root/examples/online-retail-sample.csv.gz
crm-clean "$sample" --keep-extra -q > tx.csv
# interactions: a web visit 3 days before each invoice; a survey score, 1 to 5 in
# turn; a catalog: category = first word of the description, price =
# the first unit price seen
awk -F, 'NR > 1 && !seen[$1 FS $2]++ { split($3, d, " "); print $1 "," d[1] ",web" }' tx.csv |
  sort -u | awk 'BEGIN { print "customer_id,date,channel" } { print }' > interactions.csv
awk -F, 'NR > 1 && !seen[$1]++ { print $1 "," (n++ % 5) + 1 }' tx.csv |
  awk 'BEGIN { print "customer_id,satisfaction" } { print }' > survey.csv
python3 - tx.csv > catalog.csv <<'PY'
import csv, sys
seen = {}
for row in csv.DictReader(open(sys.argv[1], newline="")):
    p = row["product_id"]
    if p not in seen and row.get("Description") and float(row["unit_price"]) > 0:
        seen[p] = (row["Description"].split()[0], row["unit_price"])
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["product_id", "category", "price"])
for p in sorted(seen):
    w.writerow([p, *seen[p]])
PY
INTERACTIONS=interactions.csv SURVEY=survey.csv CATALOG=catalog.csv \
  "$root/examples/nightly.sh" "$sample" out > /dev/null

fail=0
for f in out/*.csv; do
  # the rejects file copies the export's rows byte for byte: the export's
  # numbers are not ours to round
  [ "$(basename "$f")" = rejects.csv ] && continue
  python3 - "$f" <<'PY' || fail=1
import csv, re, sys
number = re.compile(r"^-?(\d+)(?:\.(\d+))?(?:[eE][-+]?\d+)?$")
path = sys.argv[1]
bad = checked = 0
with open(path, newline="") as fh:
    rows = csv.reader(fh)
    header = next(rows)
    for line, row in enumerate(rows, start=2):
        for col, text in zip(header, row):
            m = number.match(text)
            if not m:
                continue
            checked += 1
            whole, frac = m.group(1), m.group(2) or ""
            digits = (whole + frac.rstrip("0")).lstrip("0")
            small_as_zero = ("p_alive" in col or "prob" in col) and len(frac) >= 4 and not (whole + frac).strip("0")
            if len(digits) > 10 or small_as_zero:
                bad += 1
                if bad <= 5:
                    print(f"{path}:{line}: column {col}: {text}")
print(f"{path.split('/')[-1]}: {checked} numbers, {bad} with noise")
sys.exit(1 if bad else 0)
PY
done
exit $fail
