#!/usr/bin/env bash
# A man page passes when groff renders it with every warning on and says nothing.
set -u
out=$(groff -t -man -Tutf8 -ww -z "$1" 2>&1)
[ -z "$out" ] && exit 0
echo "$out"
exit 1
