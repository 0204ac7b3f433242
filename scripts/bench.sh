#!/usr/bin/env bash
# Whole-run benchmark: newsclean on a directory of pages at several thread counts, each run's
# throughput and its ratio to a baseline measured in the same session (ingest alone: read and
# decode, written to /dev/null), so that figures from shared, noisy machines compare.
#
#   scripts/bench.sh [BIN] [DIR] [THREADS...]
#   defaults: target/release/newsclean, ../shared/bench/dev, 1 2 4 ... up to the CPU count
#
# Each figure is the best of three runs. Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/newsclean}
dir=${2:-../shared/bench/dev}
shift $(( $# < 2 ? $# : 2 )) || true
threads=("$@")
if [ ${#threads[@]} -eq 0 ]; then
  n=$(nproc); t=1
  while [ "$t" -lt "$n" ]; do threads+=("$t"); t=$((t * 2)); done
  threads+=("$n")
fi
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release)" >&2; exit 2; }
[ -d "$dir" ] || { echo "no input directory $dir" >&2; exit 2; }
select=(--include '*.txt' --exclude '*.truth.txt')
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
bytes=$(find "$dir" -name '*.txt' ! -name '*.truth.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
docs=$(find "$dir" -name '*.txt' ! -name '*.truth.txt' | wc -l)

best_of_3() {  # prints the best wall time in seconds of three runs of "$@"
  local best=""
  for _ in 1 2 3; do
    local t0 t1 dt
    t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s.%N)
    dt=$(awk -v a="$t1" -v b="$t0" 'BEGIN {print a - b}')
    if [ -z "$best" ] || awk -v a="$dt" -v b="$best" 'BEGIN {exit !(a < b)}'; then best=$dt; fi
  done
  echo "$best"
}

echo "newsclean $("$bin" --version | awk '{print $2}') on $dir: $docs pages, $((bytes / 1000000)) MB, $(nproc) CPUs"
echo
echo "| threads | ingest only (s) | run (s) | run MB/s | run speed-up vs 1 thread | run / ingest |"
echo "|---|---|---|---|---|---|"
first=""
for t in "${threads[@]}"; do
  base=$(best_of_3 "$bin" ingest "$dir" "${select[@]}" -j "$t")
  full=$(best_of_3 "$bin" run "$dir" "${select[@]}" -f jsonl -o "$out/o.jsonl" -q -j "$t")
  [ -n "$first" ] || first=$full
  awk -v t="$t" -v base="$base" -v full="$full" -v bytes="$bytes" -v first="$first" \
    'BEGIN {printf "| %s | %.2f | %.2f | %.1f | %.2f | %.1f |\n", t, base, full, bytes / full / 1e6, first / full, full / base}'
done
