#!/usr/bin/env bash
# check-pkg-config.sh CMAKE BUILD_DIR CC [CFLAGS...]
# Installs BUILD_DIR into a throwaway prefix (not the configure-time one),
# then builds and runs rfm-two-rows.c with nothing but the flags pkg-config
# gives for the installed libcrm.pc.  77 (skipped) without pkg-config.
set -euo pipefail
cmake=$1 build=$2 cc=$3
shift 3
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
# shellcheck disable=SC2046 # pkg-config's output is a list of words
"$cc" "$@" -o "$prefix/rfm-two-rows" "$(dirname "$0")/rfm-two-rows.c" $(pkg-config --cflags --libs libcrm)
got=$(LD_LIBRARY_PATH=$libdir "$prefix/rfm-two-rows")
want="c1 frequency 2 monetary 12.25 recency 5"
[ "$got" = "$want" ] || { echo "got '$got', want '$want'"; exit 1; }
