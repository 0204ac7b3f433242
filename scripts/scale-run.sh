#!/usr/bin/env bash
# The scale-out comparison (README, "Scale-out"): `newsclean run`, the job-array mode with 2
# workers and Spark local[2] on the same archive, each timed, and the sha256 of their outputs,
# which must be equal.
#
#   python3 scripts/make_scale_corpus.py /tmp/corpus/big /tmp/scale-in    # about 1 GB
#   scripts/scale-run.sh /tmp/scale-in /tmp/scale      # WORK_DIR is emptied first
#
# Needs target/release/newsclean (or NEWSCLEAN) and spark-submit on PATH (pyspark).
set -euo pipefail

if [[ $# -ne 2 ]]; then
    echo "usage: $0 INPUT_DIR WORK_DIR" >&2
    exit 2
fi
IN=$1
S=$2
HERE=$(cd "$(dirname "$0")" && pwd)
B=${NEWSCLEAN:-$HERE/../target/release/newsclean}
rm -rf "$S"
mkdir -p "$S/run"
load() { cut -d' ' -f1-3 /proc/loadavg; }

echo "== run, 2 threads (load $(load))"
/usr/bin/time -f "run: %e s wall, %U s user, %M KB max RSS" "$B" run "$IN" \
    -o "$S/run/articles.jsonl" --duplicates "$S/run/duplicates.jsonl" \
    --rejects "$S/run/rejects.jsonl" -j 2 || (( $? == 1 ))
echo "== job array, 2 workers (load $(load))"
/usr/bin/time -f "shard-run: %e s wall, %U s user, %M KB max RSS" env NEWSCLEAN="$B" \
    KEEP_WORK=1 bash "$HERE/shard-run.sh" "$IN" "$S/array" 2 || (( $? == 1 ))
du -sh "$S/array/.newsclean-work/"{models,bands,pairs,drops.tsv,out}
echo "== Spark local[2] (load $(load))"
/usr/bin/time -f "spark-run: %e s wall, %U s user (the driver's), %M KB max RSS" \
    env NEWSCLEAN="$B" bash "$HERE/spark-run.sh" "$IN" "$S/spark" || (( $? == 1 ))
echo "== outputs (load $(load))"
(cd "$S" && sha256sum {run,array,spark}/{articles,duplicates,rejects}.jsonl)
for f in articles duplicates rejects; do
    cmp "$S/run/$f.jsonl" "$S/array/$f.jsonl"
    cmp "$S/run/$f.jsonl" "$S/spark/$f.jsonl"
done
echo "== the three are byte-identical"
