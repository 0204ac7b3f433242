//! Segment: decides which lines are article text and what each one is, and builds the
//! [`Article`](newsclean_core::Article): title, summary bullets, sections of paragraphs under sub-headings, and the
//! titles of a related-links block; the end-of-article footer is dropped.
//!
//! # Brief overview
//!
//! [`Segment`] is a stateless transform (one per worker) from [`Record::Marked`] to
//! [`Record::Article`]. [`segment()`] does the work on one document and updates every line's
//! verdict in place, so `newsclean explain` shows the same decisions `run` makes.
//!
//! 1. [`classify()`] scores each live line as article text or not.
//! 2. A pass in document order assigns roles: summary bullets before the body, headings
//!    (short unpunctuated lines followed by a paragraph), paragraphs, related blocks (a
//!    marker such as "Also Read" and the title-like lines after it), and the footer (a marker
//!    such as "End of Article", after which nothing is kept).
//! 3. The kept lines become the article.
//!
//! ```
//! use newsclean_core::{Doc, DocSource, DocStats, MarkedDoc, Verdict};
//! let text = "A headline\nThe first paragraph of the story is here, and it is long enough.\nAlso Read\nAnother story title\n";
//! let doc = Doc { seq: 0, id: "a".into(), source: DocSource::default(), text: text.into(), stats: DocStats::default() };
//! let (mut marked, _) = MarkedDoc::split(doc);
//! marked.lines[0].verdict = Verdict::TitleCandidate; // Dedupe's doing, in a real run.
//! let article = newsclean_segment::segment(&mut marked);
//! assert_eq!(article.title.as_deref(), Some("A headline"));
//! assert_eq!(article.related, vec!["Another story title"]);
//! ```

mod classify;
mod structure;

pub use classify::{LineFacts, classify};
pub use structure::segment;

use newsclean_core::{Record, StageError, StageId, Transform};

/// Settings of the segment stage. Empty for now; the line model joins it later.
#[derive(Debug, Clone, Default)]
pub struct SegmentConfig {}

/// Errors of the segment stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The stage was given something other than marked documents.
    #[error("segment reads marked documents (the output of dedupe), got a {0}")]
    UnexpectedInput(&'static str),
}

/// The segment transform: [`Record::Marked`] in, [`Record::Article`] out; rejects pass through.
#[derive(Debug, Default)]
pub struct Segment {}

impl Segment {
    /// A transform with the given settings.
    pub fn new(_config: &SegmentConfig) -> Segment {
        Segment {}
    }
}

impl Transform for Segment {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        match record {
            Record::Marked(mut marked) => Ok(Record::Article(segment(&mut marked))),
            Record::Reject(_) => Ok(record),
            other => Err(StageError::new(
                StageId::Segment,
                Error::UnexpectedInput(other.kind_name()),
            )),
        }
    }
}
