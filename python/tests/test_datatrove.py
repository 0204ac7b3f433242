"""A datatrove pipeline, ``JsonlReader → NewscleanExtractor → JsonlWriter``, on generated
pages."""

from __future__ import annotations

import gzip
import json
import pickle

import newsclean
from conftest import headline, require, story


def page(i: int) -> str:
    paragraphs = "".join(f"<p>{p}</p>" for p in story(i))
    return (
        f"<html><head><title>{headline(i)} | Herald</title></head><body>"
        "<nav><a href='/'>Home</a> <a href='/world'>World</a></nav>"
        f"<h1>{headline(i)}</h1>{paragraphs}<footer>Contact us</footer></body></html>"
    )


def test_jsonl_reader_extractor_writer(tmp_path):
    require("datatrove")
    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter

    from newsclean.datatrove import NewscleanExtractor

    docs = [{"id": f"herald/{i}", "text": page(i), "url": f"https://herald.example/{i}"} for i in range(8)]
    docs.append({"id": "herald/copy", "text": page(2), "url": "https://herald.example/copy"})
    docs.append({"id": "plain", "text": "\n".join([headline(50), *story(50)])})
    docs.append({"id": "blank", "text": "<html><body> </body></html>"})
    source = tmp_path / "in"
    source.mkdir()
    with (source / "pages.jsonl").open("w", encoding="utf-8") as out:
        for doc in docs:
            out.write(json.dumps(doc) + "\n")

    extractor = NewscleanExtractor(keep="first", threads=2)
    # datatrove ships steps to its workers by pickling them.
    extractor = pickle.loads(pickle.dumps(extractor))
    LocalPipelineExecutor(
        pipeline=[
            JsonlReader(str(source)),
            extractor,
            JsonlWriter(str(tmp_path / "out"), output_filename="${rank}.jsonl.gz"),
        ],
        tasks=1,
        logging_dir=str(tmp_path / "logs"),
    ).run()

    with gzip.open(tmp_path / "out" / "00000.jsonl.gz", "rt", encoding="utf-8") as lines:
        written = [json.loads(line) for line in lines]
    assert [d["id"] for d in written] == [f"herald/{i}" for i in range(8)] + ["plain"]
    for doc in written:
        original = next(d for d in docs if d["id"] == doc["id"])
        key = "html" if original["text"].startswith("<") else "text"
        expected = newsclean.clean(**{key: original["text"]}, url=original.get("url"))
        assert doc["text"] == expected["text"]
        metadata = doc["metadata"]
        for field in ("title", "byline", "published", "published_text", "summary", "sections", "related"):
            assert metadata[field] == expected[field], field
        assert metadata["removed"] == expected["stats"]["removed"]
        assert metadata.get("url") == original.get("url")
    assert written[0]["metadata"]["title"] == headline(0)

    stats = json.loads((tmp_path / "logs" / "stats.json").read_text())
    extractor_stats = next(s for s in stats if "newsclean" in s["name"])["stats"]
    assert extractor_stats["total"] == 11
    assert extractor_stats["forwarded"] == 9
    assert extractor_stats["duplicate"] == 1
    assert extractor_stats["rejected"] == 1


def test_extract_alone_is_clean():
    require("datatrove")
    from newsclean.datatrove import NewscleanExtractor

    assert NewscleanExtractor().extract(page(3)) == newsclean.clean(html=page(3))["text"]
    assert NewscleanExtractor().extract("") == ""
