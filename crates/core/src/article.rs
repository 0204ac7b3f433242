//! The structured article that segment builds and export writes.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::doc::{DocStats, Seq, Source};

/// A run of paragraphs under an optional heading.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Section {
    /// The sub-heading, or `None` for the text before the first heading.
    pub heading: Option<String>,
    /// The paragraphs, in order.
    pub paragraphs: Vec<String>,
}

/// A removed line, kept as an example for the run report.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RemovedLine {
    /// The reason name (see [`crate::Reason::name`]): borrowed from it, not copied, when
    /// segment makes the sample (encoded and decoded as a string all the same).
    pub reason: Cow<'static, str>,
    /// The line text, cut to [`ArticleStats::MAX_SAMPLE_CHARS`] characters.
    pub text: String,
}

/// Counts describing how an article was made from its page.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArticleStats {
    /// Size of the input in bytes.
    pub n_bytes: u64,
    /// The encoding the input was decoded from.
    pub encoding: String,
    /// Invalid byte sequences replaced, and stray NUL bytes dropped, while decoding.
    pub n_invalid: u64,
    /// Control characters removed while decoding (see [`DocStats::n_controls`]).
    pub n_controls: u64,
    /// Non-blank input lines.
    pub n_lines: u32,
    /// Lines kept in the article (title, summary, headings, paragraphs, related).
    pub n_kept: u32,
    /// Words in `text`.
    pub n_words: u32,
    /// Removed lines by reason name (see [`crate::Reason::name`]).
    pub removed: BTreeMap<String, u32>,
    /// A bounded sample of the removed lines (the first and last
    /// [`ArticleStats::MAX_SAMPLE_LINES`]` / 2`), for the run report's top boilerplate lines.
    pub removed_sample: Vec<RemovedLine>,
}

impl ArticleStats {
    /// The most removed lines [`ArticleStats::removed_sample`] holds.
    pub const MAX_SAMPLE_LINES: usize = 64;
    /// The most characters of one sampled line.
    pub const MAX_SAMPLE_CHARS: usize = 200;

    /// Starts the stats from ingest's decoding facts.
    pub fn from_doc(doc: &DocStats) -> ArticleStats {
        ArticleStats {
            n_bytes: doc.n_bytes,
            encoding: doc.encoding.clone(),
            n_invalid: doc.n_invalid,
            n_controls: doc.n_controls,
            ..ArticleStats::default()
        }
    }
}

/// A cleaned article.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Article {
    /// Position in the input order.
    pub seq: Seq,
    /// Stable identifier.
    pub id: String,
    /// Where the page came from.
    pub source: Source,
    /// The headline, exactly once.
    pub title: Option<String>,
    /// The author line, when one was recognised.
    pub byline: Option<String>,
    /// The publication date as ISO 8601 (`2024-03-14`, with time and zone when the date
    /// line has them), when the date line reads as one date.
    pub published: Option<String>,
    /// The publication date line as the page prints it, when one was recognised.
    pub published_text: Option<String>,
    /// Summary bullets before the body, without their bullet marks.
    pub summary: Vec<String>,
    /// The body: paragraphs grouped under their sub-headings.
    pub sections: Vec<Section>,
    /// Titles from related-links blocks.
    pub related: Vec<String>,
    /// How the article was made.
    pub stats: ArticleStats,
    /// The body's fingerprint for duplicate detection, when a worker computed it (dedupe's
    /// `Fingerprinter`), so that the one thread that owns the duplicate index does not have to.
    /// Never serialised: a stage that reads articles from a frame stream computes it again.
    #[serde(skip)]
    pub print: Option<Box<BodyPrint>>,
    /// The article as the export sink writes it, when a worker already rendered it (export's
    /// `Renderer`), so that the one thread that writes in input order only copies bytes.
    /// Never serialised, as [`Article::print`].
    #[serde(skip)]
    pub rendered: Option<Rendered>,
    /// The body as [`Article::normalized_body`] defines it, when segment built it from the
    /// normal forms its lines already had, so that the duplicate fingerprint does not normalise
    /// the body a second time. Never serialised, as [`Article::print`]; boxed, so that an
    /// article is a pointer larger, not a string.
    #[serde(skip)]
    pub body_norm: Option<Box<String>>,
}

/// An article rendered for the output by a worker: what the export sink needs of it besides
/// its counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Rendered {
    /// The output line, without its newline.
    pub line: Vec<u8>,
    /// The article's site, as the report counts it.
    pub site: String,
    /// Bytes of [`Article::text`].
    pub n_text_bytes: usize,
}

/// What the duplicate index needs of an article's body.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BodyPrint {
    /// Hash of the normalised body (with the title for short bodies).
    pub exact: u64,
    /// Words of the body.
    pub n_words: u32,
    /// Distinct shingles of the body, with the signature (what containment is estimated from).
    pub n_shingles: u32,
    /// The `MinHash` signature, for bodies long enough to have one.
    pub minhash: Option<Box<[u64]>>,
    /// The key of the title, for an article with a signature and a title of a few words; 0
    /// for none.
    pub title: u32,
}

impl Article {
    /// The article as plain text: title, summary, headings and paragraphs, one per line.
    pub fn text(&self) -> String {
        let mut out = String::new();
        for line in self.text_lines() {
            if !out.is_empty() {
                out.push('\n');
            }
            out.push_str(line);
        }
        out
    }

    /// The body's lines ([`Article::text_lines`] after the title), each normalised
    /// ([`crate::text::normalize`]) and ending in `\n`: the text the duplicate fingerprint
    /// reads. [`Article::body_norm`] when it is stored, else computed.
    pub fn normalized_body(&self) -> Cow<'_, str> {
        if let Some(stored) = &self.body_norm {
            return Cow::Borrowed(stored);
        }
        let mut body = String::new();
        for line in self.text_lines().skip(usize::from(self.title.is_some())) {
            crate::text::normalize_append(line, &mut body);
            body.push('\n');
        }
        Cow::Owned(body)
    }

    /// The lines of [`Article::text`], in order.
    pub fn text_lines(&self) -> impl Iterator<Item = &str> {
        let title = self.title.as_deref().into_iter();
        let summary = self.summary.iter().map(String::as_str);
        let body = self.sections.iter().flat_map(|section| {
            section
                .heading
                .as_deref()
                .into_iter()
                .chain(section.paragraphs.iter().map(String::as_str))
        });
        title.chain(summary).chain(body)
    }
}
