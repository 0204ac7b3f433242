#!/usr/bin/env bash
# Instructions of a whole `newsclean run -j 1` (pass 1 and pass 2) under callgrind: a cost
# measure that a loaded, shared machine does not disturb (PERFORMANCE.md, "Profile").
#
#   scripts/instructions.sh DIR BINARY...      # e.g. a copy of 206 dev pages, two builds
#
# Prints one line per binary: its path and the instructions counted; the callgrind profile
# is left in $TMPDIR/callgrind.<name> for callgrind_annotate.
set -euo pipefail
if [ $# -lt 2 ]; then
  echo "usage: $0 DIR BINARY..." >&2
  exit 2
fi
dir=$1
shift
tmp=${TMPDIR:-/tmp}
for bin in "$@"; do
  name=$(basename "$bin")
  valgrind --tool=callgrind --callgrind-out-file="$tmp/callgrind.$name" \
    "$bin" run "$dir" -o "$tmp/instructions-out.jsonl" -q -j 1 > "$tmp/instructions.log" 2>&1 || true
  echo "$bin $(awk '/Collected/ {print $4}' "$tmp/instructions.log")"
done
