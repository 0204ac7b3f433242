"""The Python API against ``newsclean run``, field by field: the bundled fixtures and a
generated archive with site templates, duplicates and bad files.

The one expected difference is ``source.path``: ``run`` writes the input file, Python pages
have none (``"<python>"``). Everything else, every field of every record, must be equal.
"""

from __future__ import annotations

from pathlib import Path
from typing import Dict, List

import pytest

import newsclean
from conftest import SAMPLE, kind, pages_of, read_jsonl, run_cli


def split(records: List[Dict]) -> Dict[str, List[Dict]]:
    """Records by kind, each list in input order (as the output and side files hold them)."""
    parts: Dict[str, List[Dict]] = {"article": [], "reject": [], "duplicate": []}
    for record in records:
        parts[kind(record)].append(record)
    return parts


def without_path(record: Dict) -> Dict:
    """The record with ``source.path`` set aside (duplicates have no source)."""
    record = dict(record)
    if "source" in record:
        source = dict(record["source"])
        source.pop("path")
        record["source"] = source
    return record


def check(python: List[Dict], cli: Dict[str, List[Dict]]) -> None:
    """Python's records equal the CLI's, field by field, except ``source.path``."""
    for record in python:
        if "source" in record:
            assert record["source"]["path"] == "<python>"
    got = split(python)
    for part in ("article", "reject", "duplicate"):
        assert len(got[part]) == len(cli[part]), part
        for ours, theirs in zip(got[part], cli[part]):
            ours, theirs = without_path(ours), without_path(theirs)
            assert list(ours) == list(theirs), f"{theirs['id']}: keys differ"
            for field in theirs:
                assert ours[field] == theirs[field], f"{theirs['id']}: {field} differs"


def run(tmp_path: Path, inputs: Path, *args: str) -> Dict[str, List[Dict]]:
    """``newsclean run INPUTS --format jsonl ARGS``: articles, rejects and duplicates."""
    out = tmp_path / "out.jsonl"
    run_cli(["run", str(inputs), "--format", "jsonl", "-o", str(out), "--quiet", *args])
    return {
        "article": read_jsonl(out),
        "reject": read_jsonl(tmp_path / "out.rejects.jsonl"),
        "duplicate": read_jsonl(tmp_path / "out.duplicates.jsonl"),
    }


def test_clean_is_run_without_site_model_keeping_all(tmp_path):
    cli = run(tmp_path, SAMPLE, "--no-site-model", "--keep", "all")
    assert len(cli["article"]) == 9
    pages = pages_of(SAMPLE)
    check([newsclean.clean(**page) for page in pages], cli)
    check(list(newsclean.Cleaner(keep="all").clean_many(pages, threads=2)), cli)


@pytest.mark.parametrize("keep", ["first", "longest", "all"])
def test_clean_many_is_run_on_an_archive(tmp_path, archive, keep):
    cli = run(tmp_path, archive, "--keep", keep)
    pages = pages_of(archive)
    model = newsclean.learn(pages, threads=2)
    records = list(newsclean.Cleaner(site_model=model, keep=keep).clean_many(pages, threads=3))
    assert len(records) == len(pages)
    check(records, cli)
    assert len(cli["reject"]) == 4
    assert len(cli["duplicate"]) == (0 if keep == "all" else 6)
    # The site model removed template lines.
    assert any(a["stats"]["removed"].get("site_template") for a in cli["article"])


def test_exact_copies_only(tmp_path, archive):
    cli = run(tmp_path, archive, "--no-site-model", "--no-near-dup")
    pages = pages_of(archive)
    check(list(newsclean.Cleaner(near_dup=False).clean_many(pages, threads=1)), cli)
    assert {d["kind"] for d in cli["duplicate"]} == {"exact"}


def test_learn_writes_what_newsclean_learn_writes(tmp_path, archive):
    path = tmp_path / "cli.model"
    run_cli(["learn", str(archive), "-o", str(path), "--quiet"])
    model = newsclean.learn(pages_of(archive))
    assert model.to_bytes() == path.read_bytes()
    assert model == newsclean.SiteModel.load(path)
    assert (model.group_by, model.n_docs, model.n_sites) == ("auto", 44, 4)


def test_a_saved_site_model_is_run_with_model(tmp_path, archive):
    path = tmp_path / "site.model"
    newsclean.learn(pages_of(archive), group_by="dir").save(path)
    cli = run(tmp_path, archive, "--model", str(path))
    pages = pages_of(archive)
    check(list(newsclean.Cleaner(site_model=str(path)).clean_many(pages)), cli)
    cleaner = newsclean.Cleaner(site_model=path, keep="all")
    singles = [cleaner.clean(**page) for page in pages]
    check(singles, run(tmp_path, archive, "--model", str(path), "--keep", "all"))


def test_errors_carry_the_messages_of_the_binary(tmp_path):
    missing = tmp_path / "missing.model"
    cli = run_cli(["run", str(SAMPLE), "-o", str(tmp_path / "o.jsonl"), "--model", str(missing)], check=False)
    assert cli.returncode == 2
    with pytest.raises(newsclean.NewscleanError) as err:
        newsclean.Cleaner(site_model=missing)
    assert cli.stderr.strip() == f"newsclean: error: {err.value}"

    junk = tmp_path / "junk.model"
    junk.write_text("not a model")
    cli = run_cli(["learn", "--merge", str(junk), "-o", str(tmp_path / "m")], check=False)
    with pytest.raises(newsclean.NewscleanError) as err:
        newsclean.SiteModel.load(junk)
    assert cli.stderr.strip() == f"newsclean: error: {err.value}"

    by_host = tmp_path / "host.model"
    by_dir = tmp_path / "dir.model"
    for path, how in ((by_host, "host"), (by_dir, "dir")):
        run_cli(["learn", str(SAMPLE), "-o", str(path), "--group-by", how, "--quiet"])
    cli = run_cli(["learn", "--merge", str(by_host), str(by_dir), "-o", str(tmp_path / "m")], check=False)
    with pytest.raises(newsclean.NewscleanError) as err:
        newsclean.SiteModel.load(by_host).merge(newsclean.SiteModel.load(by_dir))
    assert cli.stderr.strip() == f"newsclean: error: {err.value}"
