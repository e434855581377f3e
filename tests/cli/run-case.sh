#!/usr/bin/env bash
# Runs one end-to-end case: run-case.sh CASE_DIR BIN_DIR DATA_DIR
#
# The case's own files (inputs) are copied into a fresh working directory,
# `cmd` runs there with bash (pipefail) and the built commands first on PATH,
# and the results are compared with what the case expects:
#   status        expected exit status (default 0)
#   stdout        expected standard output, exactly (unchecked when absent)
#   stderr        expected standard error, exactly (unchecked when absent)
#   expect.NAME   expected content of the file NAME the command wrote
#   needs-shared-data  the case reads $SHARED_DATA (../shared/data): skipped
#                 with status 77 where that folder is absent
# $DATA names tests/data for cases that read shared fixtures.
set -u
case_dir=$1 bin_dir=$2 data_dir=$3
if [ -e "$case_dir/needs-shared-data" ] && [ ! -d "${SHARED_DATA:-/nonexistent}" ]; then
  echo "skipped: ${SHARED_DATA:-SHARED_DATA} is not there"
  exit 77
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for f in "$case_dir"/*; do
  case ${f##*/} in
    cmd|stdout|stderr|status|expect.*|needs-shared-data) ;;
    *) cp -r "$f" "$work/" ;;
  esac
done
cd "$work" || exit 1
export PATH="$bin_dir:$PATH" DATA="$data_dir" SHARED_DATA="${SHARED_DATA:-}" LC_ALL=C.UTF-8 TZ=UTC
bash -o pipefail "$case_dir/cmd" >stdout.actual 2>stderr.actual </dev/null
status=$?
expected_status=0
[ -f "$case_dir/status" ] && expected_status=$(tr -d '[:space:]' <"$case_dir/status")
fail=0
if [ "$status" != "$expected_status" ]; then
  echo "exit status $status, expected $expected_status"
  fail=1
fi
for stream in stdout stderr; do
  if [ -f "$case_dir/$stream" ]; then
    diff -u --label "expected $stream" --label "actual $stream" "$case_dir/$stream" "$stream.actual" || fail=1
  fi
done
for expected in "$case_dir"/expect.*; do
  [ -e "$expected" ] || continue
  name=${expected##*/expect.}
  if [ ! -e "$name" ]; then
    echo "expected file '$name' was not written"
    fail=1
  else
    diff -u --label "expected $name" --label "actual $name" "$expected" "$name" || fail=1
  fi
done
if [ $fail -ne 0 ]; then
  echo "--- case: $case_dir"
  echo "--- stderr:"; head -c 4000 stderr.actual
fi
exit $fail
