#!/usr/bin/env python3
"""Builds the archive of the scale-out run (README, "Scale-out"): the perf kit's big corpus
twice, plus injected duplicates that land in other shards.

    python3 scripts/make_scale_corpus.py /tmp/corpus/big /tmp/scale-in

OUT/a/   the big corpus (hard links when possible)
OUT/b/   the big corpus again, after one extra page (b/0-extra.txt) so that every copy's number
         in the walk has the other parity than its original's: with 2 shards, each copy is in
         the other shard than the page it copies
OUT/c/   3,000 injected pages: exact copies of pages of a/, near copies (2 % of the words of each
         long line changed) and chains (a copy of a near copy, 2 % further)

Deterministic: the same input gives the same bytes. (`make_corpus.py` in ../shared/perf builds
the big corpus: python3 ../shared/perf/make_corpus.py ../shared/bench/dev /tmp/corpus.)
"""
import os
import random
import shutil
import sys
from pathlib import Path


def link_tree(src: Path, dst: Path) -> None:
    dst.mkdir(parents=True, exist_ok=True)
    for path in sorted(src.iterdir()):
        target = dst / path.name
        if target.exists():
            continue
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)


def changed(text: str, rng: random.Random, share: float) -> str:
    lines = []
    for line in text.split("\n"):
        words = line.split(" ")
        if len(words) >= 8:
            words = [f"w{rng.randrange(10**6)}" if rng.random() < share else w for w in words]
        lines.append(" ".join(words))
    return "\n".join(lines)


def main() -> None:
    src, out = Path(sys.argv[1]), Path(sys.argv[2])
    link_tree(src, out / "a")
    link_tree(src, out / "b")
    pages = sorted(p.name for p in src.iterdir())
    (out / "b" / "0-extra.txt").write_text(
        "An extra page\nIt shifts the walk's numbering of the copies by one.\n", encoding="utf-8"
    )
    rng = random.Random(11)
    inject = out / "c"
    inject.mkdir(exist_ok=True)
    for k in range(1000):
        name = rng.choice(pages)
        text = (src / name).read_text(encoding="utf-8")
        near = changed(text, rng, 0.02)
        (inject / f"x{k:04d}-{name}").write_text(text, encoding="utf-8")
        (inject / f"y{k:04d}-{name}").write_text(near, encoding="utf-8")
        (inject / f"z{k:04d}-{name}").write_text(changed(near, rng, 0.02), encoding="utf-8")


if __name__ == "__main__":
    main()
