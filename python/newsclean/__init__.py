"""newsclean: clean, deduplicated news articles from scraped pages, in-process.

The same cleaner as the ``newsclean`` binary (a Rust extension module, not a port):
``clean`` returns, for one page, the JSON object that ``newsclean run --format jsonl
--no-site-model --keep all`` writes for it; ``Cleaner.clean_many`` cleans a stream of pages
on several threads with archive-wide duplicate detection, as ``newsclean run`` does; ``learn``
learns the site template model of pass 1. ``newsclean.datatrove.NewscleanExtractor`` is a
datatrove pipeline step (``pip install newsclean[datatrove]``).
"""

from ._newsclean import (
    Cleaner,
    NewscleanError,
    SiteModel,
    __version__,
    clean,
    learn,
    looks_like_html,
)

__all__ = [
    "Cleaner",
    "NewscleanError",
    "SiteModel",
    "__version__",
    "clean",
    "learn",
    "looks_like_html",
]
