# What the tests/cluster/ scripts share; each sources it with its BIN_DIR:
#   . "$(dirname "$0")/lib.sh" "$1"
# BIN_DIR (the build tree, where the crm-* commands are) goes first on PATH;
# LC_ALL=C makes sort the byte order the man pages document for comparing
# shard outputs (crm(7), --shard); the script runs in a throwaway directory,
# removed on exit; $root is the source tree; $fail is set to 1 by a failed
# check and is the script's exit status.
bin_dir=$(cd "$1" && pwd)
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
export PATH="$bin_dir:$PATH" LC_ALL=C
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail=0

# check COMMAND...: run it; a failure is noted and the script goes on, so that
# one run shows every difference
check() { if "$@"; then :; else echo "FAILED: $*"; fail=1; fi; }

# same_rows ONE SHARD...: the shards' rows (each file's header left out),
# concatenated and sorted, are the one-process rows sorted
same_rows() {
  local one=$1; shift
  cmp <(tail -n +2 "$one" | sort) <(tail -q -n +2 "$@" | sort)
}
