#!/usr/bin/env bash
# check-pkg-config.sh CMAKE BUILD_DIR CC [CFLAGS...]
# Installs BUILD_DIR into a throwaway prefix (not the configure-time one),
# then, with nothing but the flags pkg-config gives for the installed
# libcrm.pc:
#   - every installed header compiles on its own, and no internal header
#     (CRM_INTERNAL_HEADERS in CMakeLists.txt) is installed;
#   - rfm-two-rows.c builds and runs;
#   - examples/api/ltv_example.c, the program of docs/API.md, builds and
#     runs: RFM, a BG/NBD + Gamma-Gamma fit on CDNOW, saved, loaded and
#     used to score customer 1 (the numbers it must print are below).
# 77 (skipped) without pkg-config.
set -euo pipefail
cmake=$1 build=$2 cc=$3
shift 3
here=$(cd "$(dirname "$0")" && pwd)
source_dir=$(cd "$here/../.." && pwd)
command -v pkg-config >/dev/null || { echo "skipped: no pkg-config"; exit 77; }
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
"$cmake" --install "$build" --prefix "$prefix" >/dev/null
pc=$(find "$prefix" -name libcrm.pc)
export PKG_CONFIG_PATH=${pc%/libcrm.pc}
includedir=$(realpath "$(pkg-config --variable=includedir libcrm)")
libdir=$(realpath "$(pkg-config --variable=libdir libcrm)")
case $includedir/ in "$(realpath "$prefix")"/*) ;; *) echo "includedir $includedir is outside $prefix"; exit 1 ;; esac
case $libdir/ in "$(realpath "$prefix")"/*) ;; *) echo "libdir $libdir is outside $prefix"; exit 1 ;; esac

# One version, project(VERSION) in CMakeLists.txt: libcrm.pc, crm/version.h,
# the installed man pages and the API page's sample output say the same.
version=$(pkg-config --modversion libcrm)
grep -qx "#define CRM_VERSION \"$version\"" "$includedir/crm/version.h" || { echo "crm/version.h is not $version"; exit 1; }
for page in "$prefix"/share/man/man*/*; do
  grep -m1 "^\.TH" "$page" | grep -q "\"crm $version\"" || { echo "${page##*/} does not say crm $version"; exit 1; }
done
grep -qx "libcrm $version" "$source_dir/docs/API.md" || { echo "docs/API.md shows another version than $version"; exit 1; }

# The public headers alone: an installed header that includes an internal
# one (or forgets one it needs) fails here.
for internal in array.h cli.h csv_chunks.h csv_tokenizer.h input.h sort.h; do
  [ ! -e "$includedir/crm/$internal" ] || { echo "internal header crm/$internal is installed"; exit 1; }
done
for h in "$includedir"/crm/*.h; do
  # shellcheck disable=SC2046 # pkg-config's output is a list of words
  echo "#include <crm/${h##*/}>" | "$cc" -std=c11 -Wall -Werror -fsyntax-only -x c - $(pkg-config --cflags libcrm) ||
    { echo "crm/${h##*/} does not compile on its own"; exit 1; }
done

# shellcheck disable=SC2046
"$cc" "$@" -o "$prefix/rfm-two-rows" "$here/rfm-two-rows.c" $(pkg-config --cflags --libs libcrm)
got=$(LD_LIBRARY_PATH=$libdir "$prefix/rfm-two-rows")
want="c1 frequency 2 monetary 12.25 recency 5"
[ "$got" = "$want" ] || { echo "got '$got', want '$want'"; exit 1; }

# The API page's program.  Where its numbers come from:
#   customer 1 of CDNOW (CDNOW_sample.txt, id 0001) bought 1997-01-01,
#   1997-01-18 (29.73) and 1997-08-02 (14.96) before the 39-week calibration
#   end 1997-09-30: x = 2, t_x = 213 days = 30.43 weeks, T = 272 days =
#   38.86 weeks (FHL's summary row), monetary_value (29.73 + 14.96) / 2 =
#   22.345;
#   BG/NBD r 0.243, alpha 4.414, a 0.793, b 2.426: Fader, Hardie & Lee (2005);
#   by hand (python3, the papers' formulas, the Gauss series of 2F1, at the
#   parameters the program saved: r 0.24259290720445303, alpha
#   4.413531561204622, a 0.7928861480954199, b 2.425753436480419, p
#   6.2488024897089325, q 3.744588453287483, gamma 15.447748009464222 and
#   t_x 213/7, T 272/7): P(alive) = 0.7266203005765884, E[Y(39)] =
#   1.2259980725323654 (FHL's worked example: 1.226), Gamma-Gamma spend
#   p (gamma + x zbar) / (p x + q - 1) = 24.65451650027573 (Hardie's
#   spreadsheet for customer 1: 24.65), value = spend x E = 30.22638970855544.
# shellcheck disable=SC2046
"$cc" "$@" -o "$prefix/ltv_example" "$source_dir/examples/api/ltv_example.c" $(pkg-config --cflags --libs libcrm)
got=$(LD_LIBRARY_PATH=$libdir "$prefix/ltv_example" \
      "$source_dir/tests/data/cdnow/cdnow_customers_summary_with_transactions.csv" "$prefix/model.csv")
want="libcrm $(pkg-config --modversion libcrm)
customer 1: x 2, t_x 30.43, T 38.86 weeks, monetary_value 22.345
BG/NBD: r 0.243, alpha 4.414, a 0.793, b 2.426
p_alive 0.7266, expected purchases 1.2260, spend 24.65, value 30.23"
[ "$got" = "$want" ] || { printf 'ltv_example printed\n%s\nwant\n%s\n' "$got" "$want"; exit 1; }
grep -qx 'format,crm-ltv model 1' "$prefix/model.csv" || { echo "ltv_example saved no model file"; exit 1; }

# docs/API.md shows that very program.
awk '/^<!-- examples\/api\/ltv_example.c -->$/ {on = 1; next} on && /^```c$/ {next} on && /^```$/ {exit} on' \
  "$source_dir/docs/API.md" | diff - "$source_dir/examples/api/ltv_example.c" >/dev/null ||
  { echo "docs/API.md does not show examples/api/ltv_example.c as it is"; exit 1; }
