#!/usr/bin/env bash
# newsclean on Apache Spark (contrib/spark/newsclean_spark.py), local[2] unless SPARK_MASTER
# is set:
#
#   scripts/spark-run.sh INPUT_DIR OUT_DIR
#
# leaves OUT_DIR/articles.jsonl, OUT_DIR/duplicates.jsonl and OUT_DIR/rejects.jsonl, byte for
# byte what `newsclean run INPUT_DIR -o OUT_DIR/articles.jsonl --duplicates
# OUT_DIR/duplicates.jsonl --rejects OUT_DIR/rejects.jsonl` writes, and exits as that run
# would (0, or 1 when documents were rejected); a failed step exits with 2 and its reason on
# stderr.
#
# pyspark comes from the environment (`pip install pyspark`, with Java 17 or newer): its
# spark-submit on PATH, or SPARK_SUBMIT. Environment: NEWSCLEAN (the binary, shipped to the
# executors; default `newsclean` on PATH, else this checkout's target/release/newsclean),
# SPARK_MASTER (default local[2]), SHARDS (default Spark's parallelism), SPARK_DRIVER_MEMORY
# (default 2g; with local[N] it is the executors' memory too).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 INPUT_DIR OUT_DIR" >&2
    exit 2
fi
IN=$1
OUT=$2
HERE=$(cd "$(dirname "$0")" && pwd)
[[ -d $IN ]] || { echo "spark-run: $IN is not a directory" >&2; exit 2; }

if [[ -z ${NEWSCLEAN:-} ]]; then
    if command -v newsclean >/dev/null; then
        NEWSCLEAN=$(command -v newsclean)
    elif [[ -x "$HERE/../target/release/newsclean" ]]; then
        NEWSCLEAN="$HERE/../target/release/newsclean"
    else
        echo "spark-run: no newsclean binary: install it (cargo install --path .), build it (cargo build --release) or set NEWSCLEAN" >&2
        exit 2
    fi
fi
SUBMIT=${SPARK_SUBMIT:-spark-submit}
if ! command -v "$SUBMIT" >/dev/null; then
    echo "spark-run: $SUBMIT not found: pip install pyspark (it needs Java 17 or newer), or set SPARK_SUBMIT" >&2
    exit 2
fi
# The Python beside spark-submit is the one that has pyspark (a virtual environment's).
if [[ -z ${PYSPARK_PYTHON:-} ]]; then
    bin_dir=$(dirname "$(command -v "$SUBMIT")")
    if [[ -x $bin_dir/python3 ]]; then
        export PYSPARK_PYTHON=$bin_dir/python3
    else
        export PYSPARK_PYTHON=python3
    fi
fi
export PYSPARK_DRIVER_PYTHON=${PYSPARK_DRIVER_PYTHON:-$PYSPARK_PYTHON}

status=0
"$SUBMIT" --master "${SPARK_MASTER:-local[2]}" \
    --conf spark.ui.enabled=false --conf spark.ui.showConsoleProgress=false \
    --conf spark.log.level=WARN --driver-memory "${SPARK_DRIVER_MEMORY:-2g}" \
    "$HERE/../contrib/spark/newsclean_spark.py" "$IN" --out "$OUT" --binary "$NEWSCLEAN" \
    ${SHARDS:+--shards "$SHARDS"} || status=$?
if (( status > 1 )); then
    echo "spark-run: the Spark job failed (status $status)" >&2
    exit 2
fi
exit "$status"
