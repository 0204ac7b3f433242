"""newsclean as a datatrove pipeline step (``pip install newsclean[datatrove]``).

``NewscleanExtractor`` takes the place of datatrove's ``Trafilatura`` extractor::

    from datatrove.executor import LocalPipelineExecutor
    from datatrove.pipeline.readers import JsonlReader
    from datatrove.pipeline.writers import JsonlWriter
    from newsclean.datatrove import NewscleanExtractor

    LocalPipelineExecutor(
        pipeline=[JsonlReader("pages/"), NewscleanExtractor(), JsonlWriter("articles/")],
    ).run()

Each document's ``text`` is read as HTML when it starts like a page (as ``newsclean run``
decides for JSONL lines), else as plain text, and replaced by the article's text; the title,
byline, date (ISO 8601, and the date line as printed), summary, sections, related titles and
the lines removed by reason go into ``metadata``. Documents that newsclean rejects (empty, binary, no visible text, too few words), whose article
is empty, or (with ``keep="first"`` or ``"longest"``) that copy an earlier document of the
task are dropped, with stats ``rejected``, ``empty`` and ``duplicate``.
"""

from __future__ import annotations

import collections
from typing import Any, Deque, Dict, Iterator, Optional, Sequence, Union

from datatrove.data import Document, DocumentsPipeline
from datatrove.pipeline.extractors.base import BaseExtractor
from datatrove.utils.typeshelper import StatHints

from ._newsclean import Cleaner, SiteModel, looks_like_html

#: The article fields copied into ``document.metadata``.
METADATA_FIELDS = (
    "title", "byline", "published", "published_text", "summary", "sections", "related"
)


class NewscleanExtractor(BaseExtractor):
    """Extracts the article of each document with newsclean.

    Args:
        site_model: a ``newsclean.SiteModel`` (or the path of one, from ``newsclean learn``)
            to remove the sites' template lines, as ``newsclean run --model``.
        keep: ``"all"`` (default) keeps every document; ``"first"`` or ``"longest"`` drop
            exact and near copies of an article within the task, as ``newsclean run --keep``.
        near_dup: whether near copies count as duplicates (else exact copies only).
        threads: threads cleaning the task's documents.
        url_key: the metadata key of the page's URL (its site for the site model).
        model: a line model file (or a list of them, one per view: text and HTML input) instead
            of the built-in classifier of its view.
        timeout: accepted for compatibility with ``Trafilatura``; newsclean's work on a
            page is bounded, so no page is run in a sandbox process.
    """

    name = "📰 newsclean"
    _requires_dependencies = ["newsclean"]

    def __init__(
        self,
        site_model: Optional[Union[SiteModel, str]] = None,
        keep: str = "all",
        near_dup: bool = True,
        threads: int = 1,
        url_key: str = "url",
        model: Optional[Union[str, Sequence[str]]] = None,
        timeout: float = 1,
    ):
        super().__init__(timeout)
        self.site_model = site_model
        self.keep = keep
        self.near_dup = near_dup
        self.threads = threads
        self.url_key = url_key
        self.model = model
        self._cached: Optional[Cleaner] = None
        # Fails now, not in a worker, on a bad keep value or model path.
        self._cleaner()

    def _cleaner(self) -> Cleaner:
        if self._cached is None:
            self._cached = Cleaner(
                model=self.model, site_model=self.site_model, keep=self.keep, near_dup=self.near_dup
            )
        return self._cached

    def __getstate__(self) -> Dict[str, Any]:
        # datatrove pickles steps for its workers; a Cleaner is rebuilt there, not pickled.
        state = self.__dict__.copy()
        state["_cached"] = None
        return state

    def _page(self, document: Document) -> Dict[str, Any]:
        text = document.text
        url = document.metadata.get(self.url_key)
        return {
            "html" if looks_like_html(text) else "text": text,
            "id": str(document.id),
            "url": url if isinstance(url, str) else None,
        }

    def extract(self, text: str) -> str:
        """The article text of one page ("" for a reject), as ``Trafilatura.extract``."""
        key = "html" if looks_like_html(text) else "text"
        record = self._cleaner().clean(**{key: text})
        return record.get("text", "")

    def run(self, data: DocumentsPipeline, rank: int = 0, world_size: int = 1) -> DocumentsPipeline:
        documents: Deque[Document] = collections.deque()

        def pages() -> Iterator[Dict[str, Any]]:
            for document in data:
                self.stat_update(StatHints.total)
                documents.append(document)
                yield self._page(document)

        records = self._cleaner().clean_many(pages(), threads=self.threads)
        while True:
            with self.track_time():
                record = next(records, None)
            if record is None:
                break
            document = documents.popleft()
            if "reason" in record:
                self.stat_update("rejected", StatHints.dropped)
                continue
            if "duplicate_of" in record:
                self.stat_update("duplicate", StatHints.dropped)
                continue
            if not record["text"]:
                self.stat_update("empty", StatHints.dropped)
                continue
            self.stat_update("extracted")
            document.text = record["text"]
            for field in METADATA_FIELDS:
                document.metadata[field] = record[field]
            document.metadata["removed"] = record["stats"]["removed"]
            self.stat_update(StatHints.forwarded)
            self.update_doc_stats(document)
            yield document
