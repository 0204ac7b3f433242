//! Segment: decides which lines are article text and what each one is, and builds the
//! [`Article`]: title, summary bullets, sections of paragraphs under sub-headings, and the
//! titles of a related-links block; the end-of-article footer is dropped.
//!
//! # Brief overview
//!
//! [`Segment`] is a stateless transform (one per worker) from [`Record::Marked`] to
//! [`Record::Article`]. [`segment()`] does the work on one document and updates every line's
//! verdict in place, so `newsclean explain` shows the same decisions `run` makes.
//!
//! 1. [`classify()`] scores each live line as article text or not, with the model of the
//!    page's [`View`]: text input by the text model, HTML input by the HTML model.
//! 2. A pass in document order assigns roles: summary bullets before the body, headings
//!    (short unpunctuated lines followed by a paragraph), paragraphs, related blocks (a
//!    marker such as "Also Read" and the title-like lines after it), and the footer (a marker
//!    such as "End of Article", after which nothing is kept).
//! 3. The kept lines become the article.
//!
//! ```
//! use newsclean_core::{Doc, DocSource, DocStats, MarkedDoc, Verdict};
//! let text = "A headline\nThe first paragraph of the story is here, and it is long enough.\nAlso Read\nAnother story title\n";
//! let doc = Doc { seq: 0, id: "a".into(), source: DocSource::default(), text: text.into(), stats: DocStats::default(), markup: None };
//! let mut marked = MarkedDoc::split(doc);
//! marked.lines[0].verdict = Verdict::TitleCandidate; // Dedupe's doing, in a real run.
//! // A page without markup is read by the text model.
//! let models = newsclean_segment::LineModels::builtin();
//! let model = models.get(newsclean_segment::View::of(&marked));
//! let article = newsclean_segment::segment(&mut marked, model);
//! assert_eq!(article.title.as_deref(), Some("A headline"));
//! // Every line now carries its decision, for `newsclean explain`.
//! assert!(marked.lines.iter().all(|line| line.verdict != Verdict::Undecided));
//! ```

mod classify;
pub mod dates;
pub mod features;
mod logs;
mod markers;
pub mod model;
mod patterns;
mod structure;
pub mod title;

pub use classify::{LineFacts, classify};
pub use features::View;
pub use model::{LineModel, LineModels, ModelError};
pub use structure::segment;

use newsclean_core::{Article, Record, Reject, StageError, StageId, Transform};

/// The fewest words of text an article has in `newsclean run` by default (`--min-words`):
/// under it, a page (of menus and ads) is a reject.
pub const DEFAULT_MIN_WORDS: u32 = 5;

/// Settings of the segment stage.
#[derive(Debug, Clone, Default)]
pub struct SegmentConfig {
    /// The line classifier of each view (by default the models built into this binary).
    pub models: LineModels,
    /// An article with fewer words of text than this (a page of menus and ads) becomes a
    /// reject with the reason `no article text (N words)`; 0 keeps every article.
    pub min_words: u32,
}

/// Errors of the segment stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The stage was given something other than marked documents.
    #[error("segment reads marked documents (the output of dedupe), got a {0}")]
    UnexpectedInput(&'static str),
}

/// The segment transform: [`Record::Marked`] in, [`Record::Article`] out; rejects pass through.
#[derive(Debug)]
pub struct Segment {
    models: LineModels,
    min_words: u32,
}

impl Segment {
    /// A transform with the given settings.
    pub fn new(config: &SegmentConfig) -> Segment {
        Segment {
            models: config.models.clone(),
            min_words: config.min_words,
        }
    }
}

/// The article, or its reject when it has fewer than `min_words` words of text.
pub fn reject_if_short(article: Article, min_words: u32) -> Record {
    let n_words = article.stats.n_words;
    if n_words >= min_words {
        return Record::Article(article);
    }
    Record::Reject(Reject {
        seq: article.seq,
        id: article.id,
        source: article.source,
        reason: format!(
            "no article text ({n_words} {})",
            if n_words == 1 { "word" } else { "words" }
        ),
    })
}

impl Transform for Segment {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        match record {
            Record::Marked(mut marked) => {
                // Each page is read by the model of its view: text input by the text model.
                let model = self.models.get(View::of(&marked));
                Ok(reject_if_short(segment(&mut marked, model), self.min_words))
            }
            Record::Reject(_) => Ok(record),
            other => Err(StageError::new(
                StageId::Segment,
                Error::UnexpectedInput(other.kind_name()),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_articles_become_rejects() {
        let check = |text: &str, min_words| {
            let (mut marked, _) = test_support::marked(text);
            let article = segment(&mut marked, &LineModel::builtin(View::Text));
            match reject_if_short(article, min_words) {
                Record::Reject(reject) => reject.reason,
                Record::Article(article) => format!("{} words", article.stats.n_words),
                other => other.kind_name().to_owned(),
            }
        };
        assert_eq!(check("Home\nNews\nSport\n", 5), "no article text (0 words)");
        assert_eq!(check("Home\nNews\nSport\n", 0), "0 words");
        let page = "The harbour reopens\nThe harbour reopened on Monday after two years of work, officials said, and crowds came at once.\n";
        let kept = check(page, 0);
        let n: u32 = kept.trim_end_matches(" words").parse().unwrap();
        assert!(n > 5, "{kept}");
        assert_eq!(check(page, 5), kept);
        assert_eq!(check(page, n), kept);
        assert_eq!(check(page, n + 1), format!("no article text ({n} words)"));
    }
}

/// Helpers for the crate's unit tests.
#[cfg(test)]
mod test_support {
    use newsclean_core::{Doc, DocSource, DocStats, MarkedDoc};

    use crate::LineFacts;

    /// `text` split into lines as dedupe starts, and the facts of each line.
    pub(crate) fn marked(text: &str) -> (MarkedDoc, Vec<LineFacts>) {
        let doc = Doc {
            seq: 0,
            id: "t".into(),
            source: DocSource::default(),
            text: text.into(),
            stats: DocStats::default(),
            markup: None,
        };
        let marked = MarkedDoc::split(doc);
        let facts = LineFacts::of_page(&marked);
        (marked, facts)
    }
}
