"""Shared helpers of the Python tests: the repository, the ``newsclean`` binary, generated
pages.

With ``NEWSCLEAN_STRICT=1`` (as ``.ci/run`` sets it) nothing is skipped: a missing binary or
a missing datatrove fails the tests instead.
"""

from __future__ import annotations

import importlib
import json
import os
import random
import subprocess
from pathlib import Path
from typing import Dict, List, Sequence

import pytest

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "fixtures" / "sample"
STRICT = os.environ.get("NEWSCLEAN_STRICT") == "1"


def require(module: str):
    """Imports ``module``; skips the test without it (fails in strict mode)."""
    if STRICT:
        return importlib.import_module(module)
    return pytest.importorskip(module)


def binary() -> Path:
    """The ``newsclean`` binary: ``$NEWSCLEAN_BIN``, else ``target/debug`` or ``target/release``
    of this repository (build it with ``cargo build`` first)."""
    if os.environ.get("NEWSCLEAN_BIN"):
        path = Path(os.environ["NEWSCLEAN_BIN"])
        if not path.is_file():
            pytest.fail(f"NEWSCLEAN_BIN={path} is not a file")
        return path
    for profile in ("debug", "release"):
        path = ROOT / "target" / profile / "newsclean"
        if path.is_file():
            return path
    if STRICT:
        pytest.fail("no newsclean binary: run `cargo build` or set NEWSCLEAN_BIN")
    pytest.skip("no newsclean binary: run `cargo build` or set NEWSCLEAN_BIN")


def run_cli(args: Sequence[str], check: bool = True) -> subprocess.CompletedProcess:
    """Runs the binary with ``args``."""
    result = subprocess.run(
        [str(binary()), *args], capture_output=True, text=True, stdin=subprocess.DEVNULL
    )
    if check and result.returncode not in (0, 1):
        raise AssertionError(f"newsclean {' '.join(args)} failed:\n{result.stderr}")
    return result


def read_jsonl(path: Path) -> List[Dict]:
    """The JSON objects of a JSONL file, in order."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def page_of(path: Path, root: Path) -> Dict:
    """A file of an input directory as the page dict that ``run`` reads from it: the id
    ``run`` gives it, its bytes as text or HTML by its extension."""
    rel = path.relative_to(root).as_posix()
    stem, _, _ = rel.rpartition(".")
    key = "html" if path.suffix in (".html", ".htm") else "text"
    return {key: path.read_bytes(), "id": stem}


def pages_of(root: Path) -> List[Dict]:
    """Every file under ``root`` as pages, in the order ``run`` walks them."""
    files = sorted(p for p in root.rglob("*") if p.is_file())
    # run walks each directory sorted by file name, depth first: the same as sorting the
    # relative paths by their parts.
    files.sort(key=lambda p: p.relative_to(root).parts)
    return [page_of(p, root) for p in files]


def kind(record: Dict) -> str:
    """``article``, ``reject`` or ``duplicate``."""
    if "duplicate_of" in record:
        return "duplicate"
    if "reason" in record:
        return "reject"
    return "article"


# A generated archive: three sites with template lines (menus, footers), articles of varied
# length, exact and near copies, HTML and text pages, and bad files.
SITES = {
    "daily-herald": (
        ["Home | World | Business | Sport", "Subscribe to our newsletter", "Most Read"],
        ["© Daily Herald 2024. All rights reserved.", "Contact us | Privacy policy"],
    ),
    "morning-post": (
        ["News", "Opinion", "Video", "Sign in"],
        ["Follow us on social media", "Morning Post Group, Terms of use"],
    ),
    "citywire": (
        ["Menu", "Search"],
        ["Advertisement", "Copyright Citywire"],
    ),
}
WORDS = (
    "council budget river bridge school teachers election minister harbour festival storm "
    "hospital nurses railway station museum library farmers market police court judge "
    "housing prices energy wind turbines climate report university students airport"
).split()


def sentence(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)).capitalize() + "."


def story(seed: int) -> List[str]:
    """The paragraphs of a made-up story (the same for the same seed)."""
    rng = random.Random(seed)
    return [
        " ".join(sentence(rng, rng.randint(8, 16)) for _ in range(3))
        for _ in range(rng.randint(2, 6))
    ]


def headline(seed: int) -> str:
    rng = random.Random(-seed - 1)
    return sentence(rng, 6)[:-1]


def make_archive(root: Path, n_per_site: int = 12) -> None:
    """Writes the generated archive under ``root``."""
    for site_no, (site, (header, footer)) in enumerate(SITES.items()):
        site_dir = root / site
        site_dir.mkdir(parents=True)
        for i in range(n_per_site):
            seed = site_no * 100 + i
            title = headline(seed)
            body = story(seed)
            if i % 3 == 0:
                items = "".join(f"<li><a href='/x'>{line}</a></li>" for line in header)
                paragraphs = "".join(f"<p>{p}</p>" for p in body)
                tail = "".join(f"<div>{line}</div>" for line in footer)
                page = (
                    f"<!doctype html><html><head><title>{title} | {site}</title>"
                    f"<meta property='og:title' content='{title}'></head><body>"
                    f"<nav><ul>{items}</ul></nav><h1>{title}</h1>{paragraphs}{tail}</body></html>"
                )
                (site_dir / f"page-{i:03}.html").write_text(page, encoding="utf-8")
            else:
                lines = [*header, title, *body, *footer]
                (site_dir / f"page-{i:03}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
        # An exact copy (saved twice) and a near copy (one word changed) of earlier articles.
        first = (site_dir / "page-001.txt").read_text(encoding="utf-8")
        (site_dir / "page-900.txt").write_text(first, encoding="utf-8")
        second = (site_dir / "page-002.txt").read_text(encoding="utf-8")
        (site_dir / "page-901.txt").write_text(second.replace(" the ", " a ", 1).replace("council", "county", 1), encoding="utf-8")
    bad = root / "zz-bad"
    bad.mkdir()
    (bad / "empty.txt").write_bytes(b"")
    (bad / "binary.txt").write_bytes(b"\x00\x01binary")
    (bad / "blank.html").write_bytes(b"<html><body>   </body></html>")
    # Too few words to be an article (--min-words).
    (bad / "short.txt").write_bytes(b"Home\nMenu\nSign in\n")
    # Latin-1 text: the encoding is detected as for any file.
    (bad / "latin1.txt").write_bytes(
        "Caf\u00e9 society\nLe caf\u00e9 du coin a rouvert ses portes apr\u00e8s des mois de travaux, "
        "et les habitu\u00e9s sont revenus d\u00e8s le premier matin.\n".encode("latin-1")
    )


@pytest.fixture(scope="session")
def archive(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("archive")
    make_archive(root)
    return root
