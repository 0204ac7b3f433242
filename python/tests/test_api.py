"""The Python API on its own: shapes, arguments, streaming, errors, models."""

from __future__ import annotations

import itertools
import pickle

import pytest

import newsclean
from conftest import ROOT, SAMPLE, headline, kind, story

SEED = (SAMPLE / "seed-bol-xi-putin.txt").read_text(encoding="utf-8")

PAGE_HTML = (
    "<!doctype html><html><head><title>Storm closes the harbour | The Herald</title></head>"
    "<body><nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
    "<h1>Storm closes the harbour</h1>"
    "<p>The harbour was closed on Tuesday after a storm brought winds of more than 100 km/h "
    "to the coast, the port authority said.</p>"
    "<p>Ferries to the islands were cancelled and fishing boats stayed in port, while crews "
    "worked through the night to secure the cranes.</p>"
    "<div>Advertisement</div><footer>Contact us | Privacy policy</footer></body></html>"
)


def test_an_article_has_the_fields_of_the_jsonl_output():
    article = newsclean.clean(html=PAGE_HTML, url="https://herald.example/storm", id="herald/storm")
    assert list(article) == [
        "id", "url", "source", "title", "byline", "published", "published_text", "summary",
        "sections", "related", "text", "stats",
    ]
    assert article["id"] == "herald/storm"
    assert article["source"] == {"path": "<python>", "url": "https://herald.example/storm"}
    assert article["title"] == "Storm closes the harbour"
    assert article["sections"][0]["paragraphs"][0].startswith("The harbour was closed")
    assert "Advertisement" not in article["text"]
    assert article["stats"]["encoding"] == "utf-8"
    assert article["stats"]["removed"]


def test_text_and_bytes_and_default_id():
    from_str = newsclean.clean(SEED)
    assert from_str["id"] == "0"
    assert newsclean.clean(text=SEED.encode("utf-8")) == from_str
    # Undecoded bytes in another encoding are detected as a file's would be.
    latin = "Caf\u00e9 au lait\nLe caf\u00e9 du coin a rouvert apr\u00e8s des mois de travaux.\n"
    article = newsclean.clean(latin.encode("latin-1"))
    assert article["stats"]["encoding"] == "windows-1252 (detected)"
    assert "caf\u00e9" in article["text"]


def test_ids_are_made_safe_as_jsonl_ids_are():
    assert newsclean.clean(SEED, id="../a/./b")["id"] == "a/b"
    assert newsclean.clean(SEED, id="/")["id"] == "0"


@pytest.mark.parametrize(
    ("page", "reason"),
    [
        ({"text": ""}, "empty file"),
        ({"text": "  \n\t\n"}, "empty file (whitespace only)"),
        ({"text": b"abc\x00def"}, "binary file (1 NUL or control bytes in the first 7)"),
        ({"html": "<html><body><script>x()</script></body></html>"}, "HTML page has no visible text"),
    ],
)
def test_bad_pages_are_rejects_with_a_reason(page, reason):
    assert newsclean.clean(**page, id="bad") == {
        "id": "bad",
        "source": {"path": "<python>"},
        "reason": reason,
    }


def test_short_articles_are_rejects_unless_min_words_is_0():
    page = "Home\nNews\nSign in\n"
    assert newsclean.clean(page)["reason"] == "no article text (0 words)"
    assert newsclean.Cleaner(min_words=0).clean(page)["stats"]["n_words"] == 0


def test_odd_input_does_not_crash():
    odd = [
        "\ud800 lone surrogate\n" * 3,
        "\u0000" * 10,
        "<" * 10_000,
        "\n" * 100_000,
        "word " * 200_000,
        "<html>" + "<div>" * 5_000 + "deep" + "</div>" * 5_000,
        bytes(range(256)) * 4,
    ]
    for text in odd:
        for key in ("text", "html"):
            record = newsclean.clean(**{key: text})
            assert kind(record) in ("article", "reject")


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({}, TypeError),
        ({"text": "a", "html": "b"}, TypeError),
        ({"text": 5}, TypeError),
        ({"html": ["a"]}, TypeError),
        ({"text": "a", "url": 5}, TypeError),
    ],
)
def test_bad_arguments_raise(kwargs, error):
    with pytest.raises(error):
        newsclean.clean(**kwargs)


def test_cleaner_arguments():
    with pytest.raises(ValueError, match=r"invalid value 'most' for keep \[possible values: first, longest, all\]"):
        newsclean.Cleaner(keep="most")
    with pytest.raises(ValueError, match="threads must be at least 1"):
        newsclean.Cleaner().clean_many([], threads=0)
    with pytest.raises(ValueError, match="invalid value 'site' for group_by"):
        newsclean.learn([], group_by="site")
    with pytest.raises(TypeError, match="site_model must be a SiteModel or a path, not int"):
        newsclean.Cleaner(site_model=3)
    with pytest.raises(newsclean.NewscleanError, match="failed to load the line model"):
        newsclean.Cleaner(model=SAMPLE / "german-page.txt")
    with pytest.raises(TypeError, match="model must be a path or a list of paths, not int"):
        newsclean.Cleaner(model=3)
    assert repr(newsclean.Cleaner()) == "Cleaner(site_model=None, keep='first', near_dup=True, min_words=5)"


def pages(n: int):
    for i in range(n):
        yield {"text": "\n".join([headline(i), *story(i)]), "id": f"story-{i}"}


def test_one_page_cleaned_alone_or_in_a_stream_is_the_same():
    page = {"text": SEED, "id": "seed"}
    alone = newsclean.clean(**page)
    assert newsclean.Cleaner(keep="all").clean(**page) == alone
    assert list(newsclean.Cleaner().clean_many([page])) == [alone]
    assert list(newsclean.Cleaner().clean_many([SEED])) == [newsclean.clean(SEED)]


def test_clean_many_keeps_input_order_and_marks_copies():
    items = list(pages(30))
    items.insert(10, dict(items[3], id="copy-of-3"))
    items.append({"text": "", "id": "empty"})
    records = list(newsclean.Cleaner().clean_many(items, threads=3))
    assert [r["id"] for r in records] == [p["id"] for p in items]
    assert records[10] == {
        "id": "copy-of-3", "duplicate_of": "story-3", "kind": "exact", "similarity": 1.0,
    }
    assert kind(records[-1]) == "reject"
    assert list(newsclean.Cleaner().clean_many(items, threads=1)) == records
    assert sum(kind(r) == "duplicate" for r in newsclean.Cleaner(keep="all").clean_many(items)) == 0
    longest = list(newsclean.Cleaner(keep="longest").clean_many(items, threads=2))
    assert [r["id"] for r in longest] == [p["id"] for p in items]


def test_clean_many_streams_with_bounded_read_ahead():
    read = []

    def endless():
        for i in itertools.count():
            read.append(i)
            yield {"text": SEED, "id": f"page-{i}"}

    records = newsclean.Cleaner(keep="all").clean_many(endless(), threads=2)
    first = list(itertools.islice(records, 5))
    assert [r["id"] for r in first] == [f"page-{i}" for i in range(5)]
    assert len(read) < 200
    del records  # Stops the run; must not hang.


def test_an_exception_in_the_pages_comes_after_the_pages_before_it():
    def failing():
        yield from pages(5)
        raise RuntimeError("source broke")

    records = newsclean.Cleaner().clean_many(failing(), threads=2)
    got = []
    with pytest.raises(RuntimeError, match="source broke"):
        for record in records:
            got.append(record)
    assert [r["id"] for r in got] == [f"story-{i}" for i in range(5)]
    assert list(records) == []

    got = []
    with pytest.raises(TypeError, match="pages must be str, bytes or dict, not int"):
        for record in newsclean.Cleaner().clean_many([SEED, SEED, 3, SEED]):
            got.append(record)
    assert len(got) == 2
    with pytest.raises(TypeError, match='a page dict needs a "text" or an "html" key'):
        list(newsclean.Cleaner().clean_many([{"body": SEED}]))


def test_site_models_learn_save_load_merge_pickle(tmp_path):
    items = []
    for i in range(12):
        site = "a" if i % 2 else "b"
        lines = ["Home | News | Sport", headline(i), *story(i), "Copyright Example Media"]
        items.append({"text": "\n".join(lines), "id": f"{site}/{i}"})
    model = newsclean.learn(items, threads=2)
    assert (model.group_by, model.n_docs, model.n_sites) == ("auto", 12, 2)
    assert repr(model) == "SiteModel(group_by='auto', n_docs=12, n_sites=2)"
    path = tmp_path / "site.model"
    model.save(path)
    assert newsclean.SiteModel.load(str(path)) == model
    assert pickle.loads(pickle.dumps(model)) == model
    halves = [newsclean.learn(items[:5]), newsclean.learn(items[5:])]
    assert halves[0].merge(halves[1]) == model
    assert newsclean.SiteModel.merge(*halves) == model
    with pytest.raises(TypeError):
        model.merge("not a model")
    cleaned = newsclean.Cleaner(site_model=model).clean(**items[0])
    assert cleaned["stats"]["removed"]["site_template"] == 2
    assert "Copyright" not in cleaned["text"]


def test_looks_like_html():
    assert newsclean.looks_like_html(PAGE_HTML)
    assert newsclean.looks_like_html(b"\xef\xbb\xbf  <html>")
    assert not newsclean.looks_like_html(SEED)


def test_one_line_model_per_view():
    # The shipped models as files: each replaces the built-in model of its view, so cleaning
    # is unchanged; two files for one view are refused.
    models = ROOT / "crates" / "segment" / "model"
    text, html = models / "line-model-text.json", models / "line-model-html.json"
    page = (SAMPLE / "german-page.txt").read_text(encoding="utf-8")
    expected = newsclean.Cleaner().clean(page)
    for model in (text, str(html), [text, html]):
        assert newsclean.Cleaner(model=model).clean(page) == expected
    with pytest.raises(newsclean.NewscleanError, match="both line models for text input"):
        newsclean.Cleaner(model=[text, text])
