#!/usr/bin/env bash
# Whole-run benchmark: newsclean against the floor program of ../shared/perf (walk, read, split,
# hash, normalise and write the same pages: what the machine does at all), run alternately on
# the same files so that both see the same machine, as ratios. Builds what it needs on demand:
# the floor, the corpora (../shared/perf/make_corpus.py) and, with --archives, the same pages
# as .jsonl.zst shards and .warc.gz files (scripts/make_variants.py).
#
#   scripts/bench.sh [--corpus small|big] [--threads "1 2"] [--runs 3] [--archives]
#                    [--bin target/release/newsclean] [--work DIR]
#
# Each figure is the median of --runs runs (whole process: wall time, CPU time, peak RSS),
# newsclean with default options (pass 1 and pass 2, jsonl out). One-thread runs are pinned to
# one core with taskset, since `--threads 1` still reads and writes on threads of their own.
# Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/.."
corpus=small
threads="1 2"
runs=3
archives=0
bin=target/release/newsclean
work=${TMPDIR:-/tmp}/newsclean-bench
while [ $# -gt 0 ]; do
  case "$1" in
    --corpus) corpus=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --runs) runs=$2; shift 2 ;;
    --archives) archives=1; shift ;;
    --bin) bin=$2; shift 2 ;;
    --work) work=$2; shift 2 ;;
    *) echo "unknown argument $1" >&2; exit 2 ;;
  esac
done
perf=../shared/perf
[ -d "$perf" ] || { echo "no $perf (the throughput kit lives beside the repository)" >&2; exit 2; }
[ -x "$bin" ] || { echo "no binary at $bin (cargo build --release)" >&2; exit 2; }
mkdir -p "$work"
floor_target=$work/floor-target
floor=$floor_target/release/perfbase
if [ ! -x "$floor" ]; then
  echo "building the floor program ..." >&2
  CARGO_TARGET_DIR=$floor_target cargo build -q --release --manifest-path "$perf/floor/Cargo.toml"
fi
if [ ! -d "$work/corpus/$corpus" ]; then
  echo "building the corpora (once) ..." >&2
  python3 "$perf/make_corpus.py" ../shared/bench/dev "$work/corpus" >&2
fi
inputs=("$corpus:$work/corpus/$corpus")
if [ "$archives" = 1 ]; then
  if [ ! -d "$work/archives-$corpus/warc_gz" ]; then
    echo "packing $corpus as archives (once) ..." >&2
    python3 scripts/make_variants.py "$work/corpus/$corpus" "$work/archives-$corpus" >&2
  fi
  inputs+=("$corpus .jsonl.zst:$work/archives-$corpus/jsonl_zst" "$corpus .warc.gz:$work/archives-$corpus/warc_gz")
fi
bytes=$(find "$work/corpus/$corpus" -name '*.txt' -printf '%s\n' | awk '{s+=$1} END {print s}')
out=$(mktemp -d "$work/out.XXXXXX")
trap 'rm -rf "$out"' EXIT

# One timed run: prints "wall cpu rss_kb".
timed() {
  /usr/bin/time -o "$out/time" -f '%e %U %S %M' "$@" > /dev/null 2>&1 || true
  # The last line: /usr/bin/time puts "Command exited with non-zero status" before it when
  # newsclean exits 1 (some pages rejected, which the corpora have).
  tail -n 1 "$out/time" | awk '{printf "%s %.2f %s\n", $1, $2 + $3, $4}'
}
median() { sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

echo "newsclean $("$bin" --version | awk '{print $2}'), $(nproc) CPUs, corpus $corpus: $((bytes / 1000000)) MB of page text, median of $runs runs"
echo
echo "| input | threads | floor wall (s) | newsclean wall (s) | newsclean MB/s | wall ratio | newsclean CPU (s) | MB per CPU-s | peak RSS (MiB) |"
echo "|---|---|---|---|---|---|---|---|---|"
for entry in "${inputs[@]}"; do
  label=${entry%%:*}
  dir=${entry#*:}
  for t in $threads; do
    pin=()
    [ "$t" = 1 ] && command -v taskset > /dev/null && pin=(taskset -c 0)
    : > "$out/floor"; : > "$out/nc"
    for _ in $(seq "$runs"); do
      # The floor reads the text pages (it knows no archives): the same pages, as text.
      timed "${pin[@]}" "$floor" --level json --norm opt --threads "$t" --out "$out/floor-out" "$work/corpus/$corpus" >> "$out/floor"
      timed "${pin[@]}" "$bin" run "$dir" -o "$out/o.jsonl" -q -j "$t" >> "$out/nc"
    done
    fw=$(awk '{print $1}' "$out/floor" | median)
    nw=$(awk '{print $1}' "$out/nc" | median)
    nc=$(awk '{print $2}' "$out/nc" | median)
    rss=$(awk '{print $3}' "$out/nc" | median)
    awk -v l="$label" -v t="$t" -v fw="$fw" -v nw="$nw" -v nc="$nc" -v rss="$rss" -v b="$bytes" \
      'BEGIN {printf "| %s | %s | %.2f | %.2f | %.1f | %.1f | %.2f | %.1f | %.0f |\n", l, t, fw, nw, b / nw / 1e6, nw / fw, nc, b / nc / 1e6, rss / 1024}'
  done
done
