"""Type stubs of the native module ``newsclean._newsclean`` (see ``python/src/lib.rs``)."""

import os
from typing import Any, Dict, Iterable, Iterator, Mapping, Optional, Sequence, Union, final

__all__ = [
    "Cleaned",
    "Cleaner",
    "NewscleanError",
    "SiteModel",
    "__version__",
    "clean",
    "learn",
    "looks_like_html",
]

__version__: str

#: A page: ``str`` or ``bytes`` (plain text; bytes are decoded as a file's would be), or a
#: mapping with ``"text"`` or ``"html"`` (``str`` or ``bytes``) and optionally ``"id"`` and
#: ``"url"`` (``str`` or ``None``); other keys are ignored.
_Page = Union[str, bytes, Mapping[str, Any]]

#: The JSON object ``newsclean run --format jsonl`` writes for a page, as a dict:
#:
#: * an article: ``id``, ``url``, ``source`` (``{"path": "<python>", "url": ...}``),
#:   ``title``, ``byline``, ``published`` (ISO 8601) and ``published_text`` (the date line as
#:   printed), ``summary``, ``sections`` (``[{"heading", "paragraphs"}]``), ``related``,
#:   ``text`` and ``stats`` (``n_bytes``, ``encoding``, ``n_invalid``, ``n_lines``,
#:   ``n_kept``, ``n_words``, ``removed``: lines removed by reason);
#: * a reject (empty, binary, no visible text, too few words, ...): ``id``, ``source``,
#:   ``reason``, as in the rejects file;
#: * a duplicate (``Cleaner.clean_many`` only): ``id``, ``duplicate_of``, ``kind``
#:   (``"exact"`` or ``"near"``), ``similarity``, as in the duplicates file.
_Record = Dict[str, Any]

_PathLike = Union[str, "os.PathLike[str]"]

class NewscleanError(Exception):
    """An error of newsclean (a model file that cannot be read, say), with the message the
    ``newsclean`` binary prints."""

def clean(
    text: Optional[Union[str, bytes]] = None,
    *,
    html: Optional[Union[str, bytes]] = None,
    url: Optional[str] = None,
    id: Optional[str] = None,
) -> _Record:
    """Cleans one page: the record ``newsclean run --format jsonl --no-site-model --keep all``
    writes for it (an article, or a reject with its ``reason``).

    Give exactly one of ``text`` (plain text, one block per line) and ``html`` (a page, turned
    into its visible text as ``run`` does for ``.html`` files). ``bytes`` are decoded as a
    file's are (BOM, UTF-8, declared charset, detection); ``str`` is UTF-8. ``url`` is the
    page's URL (``source.url``; the site of a site model). ``id`` is the article id, made safe
    as a JSONL id is; without one it is ``"0"``. ``source.path`` is ``"<python>"``.

    The GIL is released while the page is cleaned.
    """

@final
class SiteModel:
    """A site template model: per site, in how many pages each line occurs (``newsclean
    learn``). Pickles as the bytes of its file."""

    @staticmethod
    def load(path: _PathLike) -> "SiteModel":
        """Reads a model written by ``save`` or ``newsclean learn``."""
    def save(self, path: _PathLike) -> None:
        """Writes the model (under a temporary name, then renamed), as ``newsclean learn``."""
    def merge(self, *others: "SiteModel") -> "SiteModel":
        """The sum of this model and ``others`` (learned on parts of an archive), as
        ``newsclean learn --merge``; ``SiteModel.merge(a, b, c)`` works too."""
    def to_bytes(self) -> bytes:
        """The bytes of the model's file."""
    @staticmethod
    def from_bytes(data: bytes) -> "SiteModel":
        """A model from the bytes of its file."""
    @property
    def group_by(self) -> str:
        """How pages were grouped into sites: ``auto``, ``host``, ``dir`` or ``none``."""
    @property
    def n_docs(self) -> int:
        """Pages counted."""
    @property
    def n_sites(self) -> int:
        """Sites (groups of pages)."""

def learn(
    pages: Iterable[_Page],
    *,
    group_by: str = "auto",
    threads: Optional[int] = None,
) -> SiteModel:
    """Pass 1 of ``newsclean run``: learns the site template model of ``pages`` (what
    ``newsclean learn`` writes for the same pages). ``group_by`` as ``--group-by``: ``auto``
    (the URL's host, else the first part of the id), ``host``, ``dir`` or ``none``.
    ``threads`` defaults to the number of CPUs."""

@final
class Cleaner:
    """A reusable cleaner, with the settings of ``newsclean run``.

    ``model``: a line model file, or a list of them (the classifier; the built-in ones by
    default). There is one model per view: text input is scored by the text model, HTML
    input by the HTML model, and a file replaces the built-in model of the view it is for
    (the one whose features it lists); at most one file per view.
    ``site_model``: a ``SiteModel`` or the path of one, as ``run --model``; without it no
    site template lines are removed (``run --no-site-model``). ``keep``: which copy of a
    duplicated article ``clean_many`` keeps: ``"first"`` (in input order), ``"longest"`` or
    ``"all"`` (no duplicate detection). ``near_dup``: whether near duplicates count (else
    exact copies only, ``--no-near-dup``). ``min_words``: an article with fewer words of
    text is a reject, ``no article text (N words)`` (``--min-words``: 5 when ``None``; 0 keeps
    every page).
    """

    def __new__(
        cls,
        model: Optional[Union[_PathLike, Sequence[_PathLike]]] = None,
        site_model: Optional[Union[SiteModel, _PathLike]] = None,
        keep: str = "first",
        near_dup: bool = True,
        min_words: Optional[int] = None,
    ) -> "Cleaner": ...
    def clean(
        self,
        text: Optional[Union[str, bytes]] = None,
        *,
        html: Optional[Union[str, bytes]] = None,
        url: Optional[str] = None,
        id: Optional[str] = None,
    ) -> _Record:
        """Cleans one page alone (see the module's ``clean``), with this cleaner's models.
        One page has no copies: ``keep`` applies to ``clean_many``."""
    def clean_many(self, pages: Iterable[_Page], threads: Optional[int] = None) -> "Cleaned":
        """Cleans a stream of pages as one archive, as ``newsclean run`` does: on ``threads``
        threads (default: the number of CPUs), one record per page in input order, with
        later copies of an article as duplicate records (``duplicate_of``). The result is an
        iterator that reads ``pages`` as it goes (a bounded number ahead) and releases the
        GIL while it waits. Pages without an ``id`` get their position (``"0"``, ``"1"``, …).
        An exception raised by ``pages`` (or a page of the wrong type) is raised after the
        records of the pages before it."""

@final
class Cleaned(Iterator[_Record]):
    """The records of ``Cleaner.clean_many``, in input order."""

    def __iter__(self) -> "Cleaned": ...
    def __next__(self) -> _Record: ...

def looks_like_html(text: Union[str, bytes]) -> bool:
    """True when ``text`` starts like an HTML page (a doctype, ``<html``, ``<head``, ``<meta``,
    ...), as ``newsclean run`` decides for JSONL lines, standard input and files whose name
    does not tell."""
