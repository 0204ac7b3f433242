#!/usr/bin/env bash
# Submits a sharded `newsclean run` to Slurm: one job array per map step, single jobs for the
# reduce steps, chained with --dependency=afterok (ARCHITECTURE.md, "Running on a cluster").
#
#   contrib/slurm/submit.sh INPUT_DIR OUT_DIR SHARDS [PARTITIONS]
#
# INPUT_DIR and OUT_DIR must be on a file system every node mounts. The last job writes
# OUT_DIR/articles.jsonl, OUT_DIR/duplicates.jsonl and OUT_DIR/rejects.jsonl, byte for byte
# what `newsclean run INPUT_DIR -o OUT_DIR/articles.jsonl --duplicates ... --rejects ...`
# writes. Work files and logs go to OUT_DIR/.newsclean-work; a task that fails or is killed can
# be resubmitted (the same command): finished tasks find their .done markers and skip.
#
# Environment: NEWSCLEAN (the binary on the nodes; default `newsclean`), SBATCH (default
# `sbatch`), SBATCH_OPTS (more sbatch options for every job, e.g. "--partition=cpu
# --cpus-per-task=4 --time=4:00:00"; each task uses $SLURM_CPUS_PER_TASK threads).
# Prints the id of the last job.
set -euo pipefail

if [[ $# -lt 3 || $# -gt 4 ]]; then
    echo "usage: $0 INPUT_DIR OUT_DIR SHARDS [PARTITIONS]" >&2
    exit 2
fi
# The input as given (documents' `source.path` says what `run` would from here): every job
# starts in this directory (--chdir), which must be on the shared file system too.
IN=$1
OUT=$(realpath -m "$2")
[[ -e $IN ]] || { echo "submit: $IN does not exist" >&2; exit 2; }
N=$3
R=${4:-$3}
BIN=${NEWSCLEAN:-newsclean}
SBATCH=${SBATCH:-sbatch}
W=$OUT/.newsclean-work
mkdir -p "$W/models" "$W/bands" "$W/pairs" "$W/out" "$W/logs"

# Quoted for the job's shell; $I and $T are the array index and the threads, set in each job.
q() { printf '%q' "$1"; }
PRE='I=${SLURM_ARRAY_TASK_ID:-0}; T=${SLURM_CPUS_PER_TASK:-1}; '
B=$(q "$BIN")
IN_Q=$(q "$IN")
W_Q=$(q "$W")

# submit AFTER_JOB NAME [--array=…] COMMAND: prints the new job's id.
submit() {
    local after=$1 name=$2
    shift 2
    local opts=(--parsable --job-name="newsclean-$name" --chdir="$PWD"
        --output="$W/logs/$name-%A_%a.log")
    [[ -n $after ]] && opts+=(--dependency="afterok:$after")
    # shellcheck disable=SC2086 # SBATCH_OPTS is a list of options.
    "$SBATCH" "${opts[@]}" ${SBATCH_OPTS:-} "${@:1:$#-1}" --wrap="$PRE${*: -1}"
}

learn=$(submit "" learn --array=0-$((N - 1)) \
    "$B learn $IN_Q --shard \$I/$N -o $W_Q/models/\$I.model -q -j \$T")
model=$(submit "$learn" model \
    "$B learn --merge $W_Q/models/*.model -o $W_Q/site.model -q")
map=$(submit "$model" map --array=0-$((N - 1)) \
    "$B dups map $IN_Q --shard \$I/$N --model $W_Q/site.model --partition-out $W_Q/bands/s\$I --partitions $R -q -j \$T")
reduce=$(submit "$map" reduce --array=0-$((R - 1)) \
    "$B dups reduce $W_Q/bands/s*-p\$(printf %05d \$I) -o $W_Q/pairs/\$I.tsv -q")
resolve=$(submit "$reduce" resolve \
    "$B dups resolve $W_Q/pairs/*.tsv -o $W_Q/drops.tsv -q")
final=$(submit "$resolve" clean --array=0-$((N - 1)) \
    "$B run $IN_Q --shard \$I/$N --model $W_Q/site.model --drop-list $W_Q/drops.tsv -o $W_Q/out/\$I.keyed -q -j \$T")
# merge exits 1 when documents were rejected, as `run` does: that is not a failed job.
merge=$(submit "$final" merge \
    "$B merge $W_Q/out/*.keyed -o $(q "$OUT/articles.jsonl") --duplicates $(q "$OUT/duplicates.jsonl") --rejects $(q "$OUT/rejects.jsonl"); test \$? -le 1")
echo "$merge"
