"""Times the Python package against the ``newsclean`` binary, and ``clean()`` against
``trafilatura.extract``, on the dev benchmark (the figures in the README's "From Python").

    python python/bench/speed.py [--dev ../shared/bench/dev] [--threads 2] [--repeat 3]
                                 [--bin target/release/newsclean] [--sample 4]

* ``clean_many`` vs ``run``: the dev pages (``*.txt`` without ``*.truth.txt``) through
  ``newsclean run --format jsonl`` and through ``Cleaner().clean_many`` (reading the files as
  it goes, every record made a dict) at the same thread count: without a site model, with
  the dev pages' model (``run --model``), and learning it (``run``'s pass 1, which spools
  what it read for pass 2, against ``learn`` then ``clean_many``, which read the pages
  twice); the median of ``--repeat`` runs, taken in turns.
* ``clean()`` per page: one thread, ``clean(text=...)`` per page against ``run --threads 1``
  per page, and the binding's own cost per call (a call on an empty page; ``json.loads`` of
  the record); and on every ``--sample``-th page wrapped in HTML (``<title>`` and one ``<p>``
  per line), ``clean(html=...)`` against ``trafilatura.extract`` when it is installed.

Requires a release build of the package (``pip install ./python``) and of the binary
(``cargo build --release``).
"""

from __future__ import annotations

import argparse
import html
import json
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable, Dict, Iterator, List, Optional, Tuple

import newsclean

ROOT = Path(__file__).resolve().parents[2]


def dev_files(dev: Path) -> List[Path]:
    return sorted(p for p in dev.glob("*.txt") if not p.name.endswith(".truth.txt"))


def pages(files: List[Path]) -> Iterator[Dict]:
    for path in files:
        yield {"text": path.read_bytes(), "id": path.stem}


def as_html(text: str) -> str:
    lines = [line for line in text.splitlines() if line.strip()]
    title = html.escape(lines[0]) if lines else ""
    body = "".join(f"<p>{html.escape(line)}</p>" for line in lines)
    return f"<html><head><title>{title}</title></head><body>{body}</body></html>"


def cpu() -> float:
    """CPU seconds of this process and its finished children: steadier than wall time on a
    busy machine, for the one-thread comparisons."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return time.process_time() + children.ru_utime + children.ru_stime


def timed(run: Callable[[], object]) -> Tuple[float, float]:
    """Wall and CPU seconds of ``run``."""
    wall, busy = time.perf_counter(), cpu()
    run()
    return time.perf_counter() - wall, cpu() - busy


def cli(binary: Path, dev: Path, threads: int, *args: str) -> Callable[[], object]:
    def run() -> None:
        with tempfile.TemporaryDirectory() as out:
            subprocess.run(
                [str(binary), "run", str(dev), "--include", "*.txt", "--exclude", "*.truth.txt",
                 "--format", "jsonl", "-o", f"{out}/out.jsonl", "--threads", str(threads),
                 "--quiet", *args],
                check=True,
            )
    return run


def best_cpu(run: Callable[[], object], repeat: int = 5) -> float:
    """The least CPU seconds of ``repeat`` runs, for short in-process measurements."""
    return min(timed(run)[1] for _ in range(repeat))


def in_turns(runs: Dict[str, Callable[[], object]], repeat: int) -> Dict[str, Tuple[float, float]]:
    """The median wall and CPU seconds of each run, taken in turns."""
    times: Dict[str, List[Tuple[float, float]]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            times[name].append(timed(run))
    return {
        name: (statistics.median(w for w, _ in t), statistics.median(c for _, c in t))
        for name, t in times.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dev", type=Path, default=ROOT.parent / "shared" / "bench" / "dev")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--bin", type=Path, default=ROOT / "target" / "release" / "newsclean")
    parser.add_argument("--sample", type=int, default=4)
    args = parser.parse_args()
    files = dev_files(args.dev)
    n = len(files)
    t = args.threads
    print(f"{n} dev pages, {t} threads, median of {args.repeat}; newsclean {newsclean.__version__}")

    def many(site_model: Optional[Path]) -> Callable[[], object]:
        def run() -> None:
            cleaner = newsclean.Cleaner(site_model=site_model)
            for _ in cleaner.clean_many(pages(files), threads=t):
                pass
        return run

    def learn_and_clean() -> None:
        model = newsclean.learn(pages(files), threads=t)
        for _ in newsclean.Cleaner(site_model=model).clean_many(pages(files), threads=t):
            pass

    with tempfile.TemporaryDirectory() as scratch:
        model = Path(scratch) / "dev.model"
        newsclean.learn(pages(files), threads=t).save(model)
        times = in_turns(
            {
                "run --no-site-model": cli(args.bin, args.dev, t, "--no-site-model"),
                "Cleaner().clean_many": many(None),
                "run --model": cli(args.bin, args.dev, t, "--model", str(model)),
                "Cleaner(site_model).clean_many": many(model),
                "run (pass 1 + 2)": cli(args.bin, args.dev, t),
                "learn + clean_many": learn_and_clean,
            },
            args.repeat,
        )
    print()
    print("| wall time | binary (s) | Python (s) | ratio |")
    print("|---|---|---|---|")
    for cli_name, py_name in (
        ("run --no-site-model", "Cleaner().clean_many"),
        ("run --model", "Cleaner(site_model).clean_many"),
        ("run (pass 1 + 2)", "learn + clean_many"),
    ):
        ratio = times[py_name][0] / times[cli_name][0]
        print(f"| `{cli_name}` / `{py_name}` | {times[cli_name][0]:.2f} | {times[py_name][0]:.2f} | {ratio:.2f} |")

    texts = [p.read_bytes() for p in files]
    one = in_turns(
        {
            "run --threads 1": cli(args.bin, args.dev, 1, "--no-site-model", "--keep", "all"),
            "clean": lambda: [newsclean.clean(text) for text in texts],
        },
        args.repeat,
    )
    print()
    print("| one thread, per page | wall µs | CPU µs |")
    print("|---|---|---|")
    for name, label in (("run --threads 1", "`newsclean run --threads 1`"), ("clean", "`newsclean.clean(text)`")):
        wall, busy = one[name]
        print(f"| {label} | {wall / n * 1e6:.0f} | {busy / n * 1e6:.0f} |")
    # The binding's own cost per call, measured apart (the difference of the two rows above
    # is within the noise of a shared machine): a call on an empty page, which the decoder
    # rejects at once, and json.loads of the page's record (the JSON object made a dict).
    empty = best_cpu(lambda: [newsclean.clean("") for _ in range(10_000)]) / 10_000 * 1e6
    records = [json.dumps(newsclean.clean(text), ensure_ascii=False) for text in texts]
    loads = best_cpu(lambda: [json.loads(record) for record in records]) / n * 1e6
    size = sum(len(r.encode("utf-8")) for r in records) / n / 1000
    print(f"| a `clean()` call on an empty page (fixed overhead) | | {empty:.1f} |")
    print(f"| `json.loads` of the record (mean {size:.1f} KB) | | {loads:.0f} |")

    sample = [as_html(text.decode("utf-8", "replace")) for text in texts[:: args.sample]]
    rows: Dict[str, Callable[[], object]] = {
        "newsclean.clean(html=...)": lambda: [newsclean.clean(html=page) for page in sample]
    }
    try:
        import trafilatura

        rows["trafilatura.extract"] = lambda: [trafilatura.extract(page) for page in sample]
    except ImportError:
        print("trafilatura is not installed: no comparison", file=sys.stderr)
    html_times = in_turns(rows, args.repeat)
    print()
    print(f"| on {len(sample)} pages as HTML, one thread, per page | wall µs | CPU µs |")
    print("|---|---|---|")
    for name, (wall, busy) in html_times.items():
        print(f"| `{name}` | {wall / len(sample) * 1e6:.0f} | {busy / len(sample) * 1e6:.0f} |")


if __name__ == "__main__":
    main()
