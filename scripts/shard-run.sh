#!/usr/bin/env bash
# Job-array mode on one machine: `newsclean run` split into shard tasks, WORKERS at a time
# (xargs -P), with the shuffle through files. The same tasks run as Slurm job arrays or
# Kubernetes Indexed Jobs (README, "Running on a cluster"; ARCHITECTURE.md has the contract).
#
#   scripts/shard-run.sh INPUT_DIR OUT_DIR WORKERS
#
# leaves OUT_DIR/articles.jsonl, OUT_DIR/duplicates.jsonl and OUT_DIR/rejects.jsonl, byte for
# byte what `newsclean run INPUT_DIR -o OUT_DIR/articles.jsonl --duplicates
# OUT_DIR/duplicates.jsonl --rejects OUT_DIR/rejects.jsonl` writes, and exits as that run
# would (0, or 1 when documents were rejected); any failed task stops it with status 2 and
# the task's reason on stderr. Every task writes under temporary names, renames, and leaves a
# .done marker in OUT_DIR/.newsclean-work: run the same command again after a failure (or a
# killed task) and finished tasks are skipped. The work directory is removed on success
# (KEEP_WORK=1 keeps it).
#
# Environment: NEWSCLEAN (the binary; default `newsclean` on PATH, else this checkout's
# target/release/newsclean), SHARDS (default WORKERS), PARTITIONS (reduce tasks, default
# WORKERS), THREADS (per task, default the CPUs divided by WORKERS).
set -euo pipefail

if [[ $# -ne 3 ]]; then
    echo "usage: $0 INPUT_DIR OUT_DIR WORKERS" >&2
    exit 2
fi
IN=$1
OUT=$2
WORKERS=$3
if ! [[ $WORKERS =~ ^[1-9][0-9]*$ ]]; then
    echo "shard-run: WORKERS must be a positive number, got '$WORKERS'" >&2
    exit 2
fi
SHARDS=${SHARDS:-$WORKERS}
PARTITIONS=${PARTITIONS:-$WORKERS}
THREADS=${THREADS:-$(( $(nproc) / WORKERS ))}
(( THREADS >= 1 )) || THREADS=1

if [[ -z ${NEWSCLEAN:-} ]]; then
    if command -v newsclean >/dev/null; then
        NEWSCLEAN=$(command -v newsclean)
    elif [[ -x "$(dirname "$0")/../target/release/newsclean" ]]; then
        NEWSCLEAN="$(cd "$(dirname "$0")/.." && pwd)/target/release/newsclean"
    else
        echo "shard-run: no newsclean binary: install it (cargo install --path .), build it (cargo build --release) or set NEWSCLEAN" >&2
        exit 2
    fi
fi
[[ -d $IN ]] || { echo "shard-run: $IN is not a directory" >&2; exit 2; }
mkdir -p "$OUT"
WORK="$OUT/.newsclean-work"
mkdir -p "$WORK/models" "$WORK/bands" "$WORK/pairs" "$WORK/out"
export NEWSCLEAN IN WORK SHARDS PARTITIONS THREADS

fail() {
    echo "shard-run: $1 failed; run the same command again to redo only the unfinished tasks" >&2
    exit 2
}

# Prints how long each step took (on stderr).
started=$(date +%s%3N)
took() {
    local now ms
    now=$(date +%s%3N)
    ms=$((now - started))
    printf 'shard-run: %-13s %5d.%d s\n' "$1" $((ms / 1000)) $((ms % 1000 / 100)) >&2
    started=$now
}

# One task per shard or partition index, WORKERS at a time; xargs exits non-zero when any does.
tasks() {
    local n=$1 script=$2
    seq 0 $((n - 1)) | xargs -P "$WORKERS" -I{} bash -c "$script" task {}
}

q=(-q -j "$THREADS")
export Q="-q -j $THREADS"

# 1. Site model: learn per shard (map), sum (reduce).
tasks "$SHARDS" '"$NEWSCLEAN" learn "$IN" --shard "$1/$SHARDS" -o "$WORK/models/$1.model" $Q' ||
    fail "learn --shard"
took "learn --shard"
"$NEWSCLEAN" learn --merge "$WORK"/models/*.model -o "$WORK/site.model" -q || fail "learn --merge"
took "learn --merge"

# 2. Duplicates: each article's bands (map, into PARTITIONS files per shard), the pairs per
#    band key (reduce, per partition), the keep policy in global order (resolve).
tasks "$SHARDS" '"$NEWSCLEAN" dups map "$IN" --shard "$1/$SHARDS" --model "$WORK/site.model" \
    --partition-out "$WORK/bands/s$1" --partitions "$PARTITIONS" $Q' || fail "dups map"
took "dups map"
tasks "$PARTITIONS" 'p=$(printf %05d "$1"); "$NEWSCLEAN" dups reduce "$WORK"/bands/s*-p"$p" \
    -o "$WORK/pairs/$1.tsv" $Q' || fail "dups reduce"
took "dups reduce"
"$NEWSCLEAN" dups resolve "$WORK"/pairs/*.tsv -o "$WORK/drops.tsv" "${q[@]}" || fail "dups resolve"
took "dups resolve"

# 3. Clean each shard with the model and the drop list (final map), then merge by order key.
tasks "$SHARDS" '"$NEWSCLEAN" run "$IN" --shard "$1/$SHARDS" --model "$WORK/site.model" \
    --drop-list "$WORK/drops.tsv" -o "$WORK/out/$1.keyed" $Q' || fail "run --shard"
took "run --shard"
status=0
"$NEWSCLEAN" merge "$WORK"/out/*.keyed -o "$OUT/articles.jsonl" \
    --duplicates "$OUT/duplicates.jsonl" --rejects "$OUT/rejects.jsonl" || status=$?
if (( status > 1 )); then
    fail "merge"
fi
took "merge"
[[ ${KEEP_WORK:-0} == 1 ]] || rm -rf "$WORK"
exit "$status"
