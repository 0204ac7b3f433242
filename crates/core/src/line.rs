//! Lines of a document and the verdict on each.
//!
//! Nothing is deleted silently: dedupe and segment give every input line a [`Verdict`], and a
//! removed line says why ([`Reason`]), so `newsclean explain` can show every decision.

use serde::{Deserialize, Serialize};

use crate::doc::{Doc, DocStats, Seq, Source};
use crate::hash::stable_hash;
use crate::markup::Markup;
use crate::text::normalize_append;

mod packed;

/// What a kept line is in the article.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Role {
    /// The headline.
    Title,
    /// A summary bullet before the body.
    Summary,
    /// The author line.
    Byline,
    /// The publication date line.
    Published,
    /// A section heading inside the body.
    Heading,
    /// A body paragraph.
    Paragraph,
    /// A related-article title from a related-links block.
    Related,
}

impl Role {
    /// A short lowercase name, used by `explain` and reports.
    pub fn name(self) -> &'static str {
        match self {
            Role::Title => "title",
            Role::Summary => "summary",
            Role::Byline => "byline",
            Role::Published => "published",
            Role::Heading => "heading",
            Role::Paragraph => "paragraph",
            Role::Related => "related",
        }
    }
}

/// Why a line was removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Reason {
    /// Another copy of the headline (title tag, og:title, h1, image alt).
    RepeatedHeadline,
    /// A line that already occurred earlier in the document.
    RepeatedLine,
    /// A line matched by a boilerplate rule of the lexicon; the rule is named.
    Boilerplate(String),
    /// A line that occurs on many pages of the same site.
    SiteTemplate,
    /// The end-of-article footer and everything after it.
    Footer,
    /// A related-links block marker or a teaser inside it.
    Related,
    /// The line classifier scored the line below its threshold.
    LowScore(f32),
}

impl Reason {
    /// A short stable name, used as the key when counting removals.
    pub fn name(&self) -> &'static str {
        match self {
            Reason::RepeatedHeadline => "repeated_headline",
            Reason::RepeatedLine => "repeated_line",
            Reason::Boilerplate(_) => "boilerplate",
            Reason::SiteTemplate => "site_template",
            Reason::Footer => "footer",
            Reason::Related => "related",
            Reason::LowScore(_) => "low_score",
        }
    }
}

/// The decision on one line.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Verdict {
    /// An empty line; it separates blocks and is never output.
    Blank,
    /// Kept by dedupe; segment has not decided yet.
    Undecided,
    /// Kept by dedupe as the one copy of the repeated headline.
    TitleCandidate,
    /// Kept, with its role in the article.
    Kept(Role),
    /// Removed, with the reason.
    Removed(Reason),
}

impl Verdict {
    /// True when the line still takes part in the article (not blank, not removed).
    #[inline]
    pub fn is_alive(&self) -> bool {
        matches!(
            self,
            Verdict::Undecided | Verdict::TitleCandidate | Verdict::Kept(_)
        )
    }
}

/// One line of a document: a byte range of the document text, trimmed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Line {
    /// Start of the trimmed line in the document text.
    pub start: u32,
    /// End (exclusive) of the trimmed line in the document text.
    pub end: u32,
    /// Stable hash of the normalised line text (see [`crate::text::normalize`]).
    pub hash: u64,
    /// The decision on this line.
    pub verdict: Verdict,
    /// The line classifier's probability that the line is article text, or -1 when the line
    /// was not scored (blank, or removed before classification).
    pub score: f32,
}

/// What the site model says about a document's lines: how many documents of the document's
/// site (its group, see `newsclean_dedupe::site`) carry each line.
///
/// Empty ([`SiteLines::default`]) when no site model was used: stdin input, or the stage
/// command `newsclean dedupe` without `--model`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteLines {
    /// Documents of the site in the model.
    pub n_docs: u32,
    /// For each line of [`MarkedDoc::lines`], the documents of the site that carry the line
    /// (after normalisation, counted once per document); 0 for blank lines. A line the model
    /// does not know counts 1 (this document): counts under 2 are not kept at run time.
    pub n_line_docs: Vec<u32>,
}

/// The normalised text of every line of a document (see [`crate::text::normalize`]), in one
/// buffer: computed once when the document is split, then shared by dedupe's rules, the
/// classifier's features and the title picker. Blank lines have the empty string.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Norms {
    text: String,
    /// End of each line's normal form in `text`; line `i` starts where line `i - 1` ends.
    ends: Vec<u32>,
}

impl Norms {
    /// The normal form of line `i`.
    #[inline]
    pub fn get(&self, i: usize) -> &str {
        let start = if i == 0 { 0 } else { self.ends[i - 1] as usize };
        &self.text[start..self.ends[i] as usize]
    }

    /// Lines held.
    pub fn len(&self) -> usize {
        self.ends.len()
    }

    /// True when no line is held.
    pub fn is_empty(&self) -> bool {
        self.ends.is_empty()
    }

    /// Appends the normal form of one more line and returns it.
    fn push(&mut self, line: &str) -> &str {
        let start = self.text.len();
        normalize_append(line, &mut self.text);
        self.ends.push(self.text.len() as u32);
        &self.text[start..]
    }
}

/// A document split into lines, each with a verdict: the output of dedupe.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarkedDoc {
    /// Position in the input order.
    pub seq: Seq,
    /// Stable identifier.
    pub id: String,
    /// Where the document came from.
    pub source: Source,
    /// The decoded text that `lines` index into.
    pub text: String,
    /// Every line of `text`, in order (serialised packed: see `packed`).
    #[serde(with = "packed")]
    pub lines: Vec<Line>,
    /// Decoding facts from ingest.
    pub stats: DocStats,
    /// How many documents of the site carry each line (empty without a site model).
    pub site: SiteLines,
    /// The normal form of each line of `lines`.
    pub norms: Norms,
    /// What the markup said about each line and the page, for a document decoded from HTML.
    pub markup: Option<Box<Markup>>,
}

impl MarkedDoc {
    /// The trimmed text of line `i`.
    #[inline]
    pub fn line_text(&self, i: usize) -> &str {
        let line = &self.lines[i];
        &self.text[line.start as usize..line.end as usize]
    }

    /// The share of the site's documents that carry line `i` (0 to 1), or `None` without a
    /// site model. A classifier feature: template lines are on most pages of a site.
    pub fn site_share(&self, i: usize) -> Option<f32> {
        let n_line_docs = *self.site.n_line_docs.get(i)?;
        if self.site.n_docs == 0 {
            return None;
        }
        Some((n_line_docs as f32 / self.site.n_docs as f32).min(1.0))
    }
}

impl MarkedDoc {
    /// Splits a document into trimmed lines, each hashed after normalisation: blank lines are
    /// [`Verdict::Blank`], the others [`Verdict::Undecided`]. Each line's normal form is kept
    /// in [`MarkedDoc::norms`].
    pub fn split(doc: Doc) -> MarkedDoc {
        let body = doc.text.strip_suffix('\n').unwrap_or(&doc.text);
        let n_lines = count_newlines(body.as_bytes()) + 1;
        let mut lines = Vec::with_capacity(n_lines);
        let mut norms = Norms {
            text: String::with_capacity(body.len()),
            ends: Vec::with_capacity(n_lines),
        };
        let mut offset = 0usize;
        // The lines end at each newline (found by `memchr`'s vector search) and at the end.
        let ends = memchr::memchr_iter(b'\n', body.as_bytes()).chain([body.len()]);
        for end in ends {
            let raw = &body[offset..end];
            let trimmed = raw.trim();
            let start = offset + (raw.len() - raw.trim_start().len());
            offset += raw.len() + 1;
            let line = if trimmed.is_empty() {
                norms.push("");
                Line {
                    start: start as u32,
                    end: start as u32,
                    hash: 0,
                    verdict: Verdict::Blank,
                    score: -1.0,
                }
            } else {
                let norm = norms.push(trimmed);
                let end = start + trimmed.len();
                Line {
                    start: start as u32,
                    end: end as u32,
                    hash: stable_hash(norm.as_bytes()),
                    verdict: Verdict::Undecided,
                    score: -1.0,
                }
            };
            lines.push(line);
        }
        MarkedDoc {
            seq: doc.seq,
            id: doc.id,
            source: doc.source,
            text: doc.text,
            lines,
            stats: doc.stats,
            site: SiteLines::default(),
            norms,
            markup: doc.markup,
        }
    }

    /// The normal form of line `i` (see [`crate::text::normalize`]).
    #[inline]
    pub fn norm(&self, i: usize) -> &str {
        self.norms.get(i)
    }
}

/// The number of `\n` bytes in `bytes`.
fn count_newlines(bytes: &[u8]) -> usize {
    memchr::memchr_iter(b'\n', bytes).count()
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The lines are the pieces between newlines (a last newline ends the text, it opens
        /// no line), trimmed, at their places in the text, with their normal forms and hashes.
        #[test]
        fn lines_are_the_pieces_between_newlines(text in "[a b\n\t\r’]{0,30}") {
            let doc = Doc {
                seq: 0,
                id: "t".into(),
                source: Source::default(),
                text: text.clone(),
                stats: DocStats::default(),
                markup: None,
            };
            let marked = MarkedDoc::split(doc);
            let body = text.strip_suffix('\n').unwrap_or(&text);
            let pieces: Vec<&str> = body.split('\n').collect();
            proptest::prop_assert_eq!(marked.lines.len(), pieces.len());
            for (i, (line, piece)) in marked.lines.iter().zip(pieces).enumerate() {
                let trimmed = piece.trim();
                proptest::prop_assert_eq!(&text[line.start as usize..line.end as usize], trimmed);
                proptest::prop_assert_eq!(line.verdict == Verdict::Blank, trimmed.is_empty());
                proptest::prop_assert_eq!(marked.norm(i), crate::text::normalize(trimmed));
            }
        }
    }
}
