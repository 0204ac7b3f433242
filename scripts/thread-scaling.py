#!/usr/bin/env python3
"""Thread scaling: the floor program and `newsclean run` alternately on one corpus, at each
thread count, as whole processes (wall time, CPU time, peak RSS), plus the sha256 of each
run's output, which must not change with the thread count. Prints a line per run and writes
them as JSON lines.

    python3 scripts/thread-scaling.py --newsclean target/release/newsclean \\
        --floor /tmp/floor-target/release/perfbase --corpus /tmp/corpus/big \\
        --threads 16 8 4 2 1 --reps 2 --out scaling.jsonl [--budget-s 400]

Made for a many-core machine lent for a few minutes (PERFORMANCE.md, "Scaling"): the largest
thread counts run first, and no new run starts once --budget-s seconds have passed. Peak RSS
comes from wait4 and is at least this script's own (about 20 MB). Needs only Python 3.9+.
"""
import argparse
import hashlib
import json
import os
import subprocess
import time

ap = argparse.ArgumentParser()
ap.add_argument('--newsclean', required=True)
ap.add_argument('--floor', required=True)
ap.add_argument('--corpus', required=True)
ap.add_argument('--threads', type=int, nargs='+', default=[16, 8, 4, 2, 1])
ap.add_argument('--reps', type=int, default=2)
ap.add_argument('--out', default='scaling.jsonl')
ap.add_argument('--work', default='/tmp/thread-scaling')
ap.add_argument('--budget-s', type=float, default=float('inf'))
a = ap.parse_args()
started = time.time()
os.makedirs(a.work, exist_ok=True)


def say(*words):
    print(f'[{time.time() - started:6.1f}s]', *words, flush=True)


def timed(cmd):
    """Runs `cmd`; its wall time, CPU time (user + system), peak RSS and exit code."""
    t = time.time()
    child = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(child.pid, 0)
    return dict(wall=round(time.time() - t, 3), cpu=round(usage.ru_utime + usage.ru_stime, 3),
                rss_mb=round(usage.ru_maxrss / 1024, 1), rc=os.waitstatus_to_exitcode(status))


def sha256(path):
    digest = hashlib.sha256()
    with open(path, 'rb') as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


size = sum(e.stat().st_size for e in os.scandir(a.corpus) if e.is_file())
say(f'{os.cpu_count()} CPUs, load {open("/proc/loadavg").read().split()[:3]}, '
    f'corpus {a.corpus}: {size} bytes')
output = os.path.join(a.work, 'articles.jsonl')
floor = [a.floor, '--level', 'json', '--norm', 'opt', '--out', os.path.join(a.work, 'floor')]
newsclean = [a.newsclean, 'run', a.corpus, '-o', output, '-q']
timed(floor + ['--threads', '2', a.corpus])  # warms the page cache
with open(a.out, 'w') as log:
    for rep in range(a.reps):
        for t in a.threads:
            if time.time() - started > a.budget_s:
                say('time budget spent')
                break
            f = timed(floor + ['--threads', str(t), a.corpus])
            n = timed(newsclean + ['-j', str(t)])
            row = dict(rep=rep, threads=t, bytes=size, floor=f, newsclean=n, sha256=sha256(output))
            log.write(json.dumps(row) + '\n')
            log.flush()
            say(f't={t:2d} floor {f["wall"]:.2f} s | newsclean {n["wall"]:.2f} s, CPU {n["cpu"]:.1f} s, '
                f'{n["rss_mb"]} MB, {size / 1e6 / n["wall"]:.0f} MB/s, {n["wall"] / f["wall"]:.1f}x the floor, '
                f'exit {n["rc"]}, output {row["sha256"][:16]}')
