"""newsclean on Apache Spark: `newsclean run` split into shard tasks, with exactly its output.

    spark-submit [--master URL] contrib/spark/newsclean_spark.py INPUT... --out OUT_DIR \
        [--binary PATH] [--shards N] [--partitions R] [--threads T]

writes OUT_DIR/articles.jsonl, OUT_DIR/duplicates.jsonl and OUT_DIR/rejects.jsonl on the
driver, byte for byte what `newsclean run INPUT... -o OUT_DIR/articles.jsonl --duplicates
OUT_DIR/duplicates.jsonl --rejects OUT_DIR/rejects.jsonl` writes, and exits as that run would
(0, or 1 when documents were rejected; 2 when a step failed, with the reason on stderr).

The binary is the whole worker (ARCHITECTURE.md, "Running on a cluster"); Spark only moves
bytes, partitions keyed lines, retries tasks and ships side files:

1. site model: `learn --shard I/N` per shard, `learn --merge` on the driver, shipped to the
   executors with `addFile`;
2. duplicates: `dups map --shard I/N` per shard, the lines partitioned by key, `dups reduce`
   per partition, `dups resolve` in one task; the drop list shipped with `addFile`;
3. `run --shard I/N --drop-list` per shard, the lines sorted by key, and `newsclean merge` on
   the driver writes the three files.

Each task runs the binary as a subprocess (`mapPartitions`, never `RDD.pipe`, which ignores the
child's exit status), with its standard output in a temporary file: only when the binary exits
with 0 are the lines handed to Spark, so a failed task contributes nothing and Spark's retry
starts it afresh. INPUT paths must be readable at the same path on every executor (a shared
file system), and relative ones from the driver's directory, where every task runs. The binary comes from --binary (shipped with the job) or `newsclean` on each
executor's PATH.
"""

import argparse
import atexit
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time

from pyspark import SparkContext, SparkFiles, StorageLevel

BINARY_NAME = "newsclean"


class TaskFailed(RuntimeError):
    """The binary exited with a non-zero status."""


_COPIES = {}


def local_binary(shipped):
    """The binary on this machine: the shipped copy (made executable), else `newsclean` on PATH."""
    if shipped:
        path = SparkFiles.get(shipped)
        executable = stat.S_IXUSR | stat.S_IXGRP | stat.S_IXOTH
        if not os.access(path, os.X_OK):
            # Files shipped with addFile may lose their mode: mark the file executable, or
            # where that is not allowed, copy it once per worker process.
            try:
                os.chmod(path, os.stat(path).st_mode | executable)
            except OSError:
                pass
        if not os.access(path, os.X_OK):
            copy = _COPIES.get(path)
            if copy is None:
                copy_dir = tempfile.mkdtemp(prefix="newsclean-bin-")
                atexit.register(shutil.rmtree, copy_dir, True)
                copy = os.path.join(copy_dir, shipped)
                shutil.copyfile(path, copy)
                os.chmod(copy, os.stat(copy).st_mode | executable)
                _COPIES[path] = copy
            path = copy
        return path
    found = shutil.which(BINARY_NAME)
    if not found:
        raise TaskFailed("no newsclean binary on this machine's PATH; give --binary")
    return found


def run_binary(binary, argv, cwd=None, stdin_path=None, ok=(0,), capture=True):
    """Runs the binary (in the directory `cwd`); returns (exit status, path of its stdout) once
    it has exited with a status in `ok`, else raises TaskFailed with the end of its stderr.
    The stdout file lies in a temporary directory of its own, which `lines_of` removes; with
    `capture=False` stdout is discarded and the path is None (nothing to remove)."""
    out_dir = tempfile.mkdtemp(prefix="newsclean-task-") if capture else None
    out_path = os.path.join(out_dir, "stdout") if capture else os.devnull
    try:
        with open(out_path, "wb") as out, open(stdin_path or os.devnull, "rb") as stdin:
            proc = subprocess.run(
                [binary, *argv], cwd=cwd, stdin=stdin, stdout=out, stderr=subprocess.PIPE
            )
    except BaseException:
        if out_dir:
            shutil.rmtree(out_dir, ignore_errors=True)
        raise
    if proc.returncode not in ok:
        if out_dir:
            shutil.rmtree(out_dir, ignore_errors=True)
        reason = proc.stderr.decode("utf-8", "replace").strip()[-4000:]
        raise TaskFailed(
            f"`newsclean {' '.join(argv)}` exited with status {proc.returncode}: {reason}"
        )
    return proc.returncode, out_path if capture else None


def lines_of(path):
    """The lines of a finished task's output (then the file is removed)."""
    try:
        with open(path, "r", encoding="utf-8", newline="\n") as f:
            for line in f:
                yield line[:-1] if line.endswith("\n") else line
    finally:
        shutil.rmtree(os.path.dirname(path), ignore_errors=True)


def write_lines(lines):
    """Writes a partition's lines to a temporary file for a task's standard input."""
    fd, path = tempfile.mkstemp(prefix="newsclean-in-")
    with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
        for line in lines:
            f.write(line)
            f.write("\n")
    return path


class Clock:
    """Prints how long each step took, on stderr."""

    def __init__(self):
        self.started = time.monotonic()

    def took(self, step):
        now = time.monotonic()
        print(f"newsclean-spark: {step:<16} {now - self.started:7.1f} s", file=sys.stderr)
        self.started = now


def key_of(line):
    return line[: line.index("\t")]


def partition_of(key):
    """As `--partition-out`: the key's last 8 hex digits as a number (Spark takes it mod R)."""
    return int(key[-8:], 16)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("inputs", nargs="+", help="input files and directories (shared file system)")
    ap.add_argument("--out", required=True, help="output directory, on the driver")
    ap.add_argument("--binary", help="the newsclean binary to ship to the executors")
    ap.add_argument("--shards", type=int, help="shards [default: Spark's default parallelism]")
    ap.add_argument("--partitions", type=int, help="reduce partitions [default: the shards]")
    ap.add_argument("--threads", type=int, help="threads per task [default: spark.task.cpus]")
    args = ap.parse_args()

    sc = SparkContext(appName="newsclean")
    sc.setLogLevel("WARN")
    try:
        status = plan(sc, args)
    except Exception as err:  # noqa: BLE001 - one line on stderr, whatever failed
        print(f"newsclean-spark: error: {describe(err)}", file=sys.stderr)
        status = 2
    finally:
        sc.stop()
    sys.exit(status)


def describe(err):
    """The reason of a failure, without the JVM's stack: TaskFailed's message when a task
    failed (Spark wraps it), else the error."""
    text = str(err)
    marker = "TaskFailed: "
    if marker in text:
        return text[text.index(marker) + len(marker):].split("\n\tat ")[0].strip()
    return text.strip().splitlines()[0] if text.strip() else repr(err)


def plan(sc, args):
    # The inputs as given, and every task in the driver's directory: documents' `source.path`
    # is what `run` would write from there (a shared file system mounted at the same path).
    inputs = args.inputs
    cwd = os.getcwd()
    for path in inputs:
        if not os.path.exists(path):
            raise TaskFailed(f"input {path} does not exist")
    n = args.shards or sc.defaultParallelism
    r = args.partitions or n
    threads = args.threads or int(sc.getConf().get("spark.task.cpus", "1"))
    common = ["-q", "-j", str(threads)]
    shipped = None
    if args.binary:
        sc.addFile(os.path.abspath(args.binary))
        shipped = os.path.basename(args.binary)
    driver_binary = os.path.abspath(args.binary) if args.binary else shutil.which(BINARY_NAME)
    if not driver_binary:
        raise TaskFailed("no newsclean binary on the driver's PATH; give --binary")
    os.makedirs(args.out, exist_ok=True)
    work = tempfile.mkdtemp(prefix="newsclean-spark-")
    shards = sc.parallelize(range(n), n)
    clock = Clock()
    try:
        # 1. The site model: one per shard, summed on the driver.
        def learn(indexes):
            binary = local_binary(shipped)
            for i in indexes:
                out_dir = tempfile.mkdtemp(prefix="newsclean-model-")
                try:
                    model = os.path.join(out_dir, "shard.model")
                    run_binary(
                        binary,
                        ["learn", *inputs, "--shard", f"{i}/{n}", "-o", model, *common],
                        cwd=cwd,
                        capture=False,
                    )
                    with open(model, "rb") as f:
                        data = f.read()
                finally:
                    shutil.rmtree(out_dir, ignore_errors=True)
                yield i, data

        paths = []
        for i, data in sorted(shards.mapPartitions(learn).collect()):
            path = os.path.join(work, f"{i}.model")
            with open(path, "wb") as f:
                f.write(data)
            paths.append(path)
        site_model = os.path.join(work, "site.model")
        run_binary(
            driver_binary, ["learn", "--merge", *paths, "-o", site_model, "-q"], capture=False
        )
        sc.addFile(site_model)
        clock.took("site model")

        # 2. Duplicates: bands per shard, pairs per key partition, the drop list in one task.
        def dups_map(indexes):
            binary = local_binary(shipped)
            model = SparkFiles.get("site.model")
            for i in indexes:
                _, out = run_binary(
                    binary,
                    ["dups", "map", *inputs, "--shard", f"{i}/{n}", "--model", model,
                     "--partitions", str(r), *common],
                    cwd=cwd,
                )
                yield from lines_of(out)

        def run_on_lines(argv):
            def task(lines):
                binary = local_binary(shipped)
                path = write_lines(lines)
                try:
                    _, out = run_binary(binary, [*argv, "-", *common], stdin_path=path)
                finally:
                    os.remove(path)
                yield from lines_of(out)

            return task

        bands = shards.mapPartitions(dups_map).map(lambda line: (key_of(line), line))
        pairs = (
            bands.partitionBy(r, partition_of)
            .values()
            .mapPartitions(run_on_lines(["dups", "reduce"]))
        )
        drops = pairs.coalesce(1).mapPartitions(run_on_lines(["dups", "resolve"])).collect()
        drop_list = os.path.join(work, "drops.tsv")
        with open(drop_list, "w", encoding="utf-8", newline="\n") as f:
            for line in drops:
                f.write(line + "\n")
        sc.addFile(drop_list)
        clock.took("duplicates")

        # 3. Each shard cleaned with the model and the drop list; the lines sorted by order key
        #    and merged into the three files on the driver.
        def final(indexes):
            binary = local_binary(shipped)
            model, drops = SparkFiles.get("site.model"), SparkFiles.get("drops.tsv")
            for i in indexes:
                _, out = run_binary(
                    binary,
                    ["run", *inputs, "--shard", f"{i}/{n}", "--model", model,
                     "--drop-list", drops, "-o", "-", *common],
                    cwd=cwd,
                )
                yield from lines_of(out)

        keyed = shards.mapPartitions(final).map(lambda line: (key_of(line), line))
        # Sorting samples the keys first: keep the shards' output instead of cleaning twice.
        keyed = keyed.persist(StorageLevel.MEMORY_AND_DISK)
        # Partitions come to the driver one at a time: keep them small.
        ordered = keyed.sortByKey(numPartitions=4 * n)
        merge = subprocess.Popen(
            [driver_binary, "merge", "-",
             "-o", os.path.join(args.out, "articles.jsonl"),
             "--duplicates", os.path.join(args.out, "duplicates.jsonl"),
             "--rejects", os.path.join(args.out, "rejects.jsonl")],
            stdin=subprocess.PIPE,
        )
        try:
            for _, line in ordered.toLocalIterator():
                merge.stdin.write(line.encode("utf-8"))
                merge.stdin.write(b"\n")
        except BaseException:
            merge.kill()
            merge.wait()
            raise
        merge.stdin.close()
        status = merge.wait()
        keyed.unpersist()
        clock.took("clean and merge")
        if status not in (0, 1):
            raise TaskFailed(f"newsclean merge exited with status {status}")
        return status
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
