//! Dedupe: per document, splits a document into lines, normalises and hashes each line, keeps
//! one copy of the repeated headline, and marks repeated lines, lexicon boilerplate and the
//! site's template lines; across the archive, learns each site's template ([`site`]) and
//! drops exact and near duplicate articles ([`dup`]).
//!
//! # Brief overview
//!
//! [`Dedupe`] is a stateless transform (one per worker) from [`Record::Doc`] to
//! [`Record::Marked`]. Nothing is deleted: every line gets a [`Verdict`]. Blank lines are
//! [`Verdict::Blank`]; lexicon lines are removed as [`Reason::Boilerplate`] with the rule's
//! name; the headline (the title tag, og:title, h1 and image-alt copies of one line, with or
//! without a `| Site` suffix) keeps one copy as [`Verdict::TitleCandidate`] and the others are
//! [`Reason::RepeatedHeadline`]; any later copy of an earlier line is
//! [`Reason::RepeatedLine`]. Lines are compared after [`newsclean_core::text::normalize`].
//! With a [`site::SiteModel`], lines on many pages of the document's site are
//! [`Reason::SiteTemplate`] and every line's site count is kept in [`MarkedDoc::site`].
//!
//! [`dup::DupIndex`] runs after segment, on one thread that sees articles in input order, and
//! replaces copies of an earlier (or longer) article with [`Record::Duplicate`]s;
//! [`sharded`] makes the same decisions for a run split over shards.
//!
//! ```
//! use newsclean_core::{Doc, DocSource, DocStats, Verdict};
//! use newsclean_dedupe::mark;
//!
//! let text = "Big news | Site\nBig news\nAdvertisement\nBig news\nThe body.\n";
//! let doc = Doc { seq: 0, id: "a".into(), source: DocSource::default(), text: text.into(), stats: DocStats::default(), markup: None };
//! let marked = mark(doc);
//! assert_eq!(marked.lines[1].verdict, Verdict::TitleCandidate);
//! assert!(!marked.lines[3].verdict.is_alive());
//! ```

pub mod dup;
pub mod sharded;
pub mod site;

use std::sync::{Arc, OnceLock};

use newsclean_core::lexicon::Lexicon;
use newsclean_core::text::{count_words, normalize_into, strip_site_affix};
use newsclean_core::{
    Doc, Line, MarkedDoc, Norms, Reason, Record, StageError, StageId, Transform, Verdict,
};

/// Settings of per-document dedupe.
#[derive(Debug, Clone, Default)]
pub struct DedupeConfig {
    /// The site model (shared read-only by all workers); `None`: per-document rules only.
    pub site: Option<Arc<site::SiteModel>>,
    /// When a frequent line is the site's template.
    pub rules: site::SiteRules,
}

/// Errors of the dedupe stage.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The stage was given something other than decoded documents.
    #[error("dedupe reads documents (the output of ingest), got a {0}")]
    UnexpectedInput(&'static str),
}

/// The built-in boilerplate lexicon (`lexicon/boilerplate.txt`).
pub fn boilerplate_lexicon() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        Lexicon::parse(include_str!("../lexicon/boilerplate.txt"))
            .expect("the built-in lexicon parses (tested)")
    })
}

/// The dedupe transform: [`Record::Doc`] in, [`Record::Marked`] out; rejects pass through.
#[derive(Debug, Default)]
pub struct Dedupe {
    config: DedupeConfig,
}

impl Dedupe {
    /// A transform with the given settings.
    pub fn new(config: &DedupeConfig) -> Dedupe {
        Dedupe {
            config: config.clone(),
        }
    }
}

impl Transform for Dedupe {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        match record {
            Record::Doc(doc) => Ok(Record::Marked(mark_with(doc, &self.config))),
            // A document pass 1 already split (`newsclean run` keeps them in its spool).
            Record::Marked(marked) => Ok(Record::Marked(mark_split(marked, &self.config))),
            Record::Reject(_) => Ok(record),
            other => Err(StageError::new(
                StageId::Dedupe,
                Error::UnexpectedInput(other.kind_name()),
            )),
        }
    }
}

/// Splits, normalises and marks one document with the per-document rules only.
pub fn mark(doc: Doc) -> MarkedDoc {
    mark_with(doc, &DedupeConfig::default())
}

/// Splits, normalises and marks one document, with the site model when `config` has one.
pub fn mark_with(doc: Doc, config: &DedupeConfig) -> MarkedDoc {
    mark_split(MarkedDoc::split(doc), config)
}

/// Marks a document fresh from [`MarkedDoc::split`] (every line blank or undecided), with
/// the site model when `config` has one.
pub fn mark_split(mut marked: MarkedDoc, config: &DedupeConfig) -> MarkedDoc {
    let lexicon = boilerplate_lexicon();
    for (i, line) in marked.lines.iter_mut().enumerate() {
        if line.verdict == Verdict::Undecided {
            if let Some(rule) = lexicon.lookup(marked.norms.get(i)) {
                line.verdict = Verdict::Removed(Reason::Boilerplate(rule.to_owned()));
            }
        }
    }
    mark_player_controls(&mut marked.lines, &marked.norms);
    mark_headline(&marked.text, &mut marked.lines, &marked.norms);
    mark_repeats(&mut marked.lines);
    if let Some(model) = &config.site {
        site::mark_template(&mut marked, model, &config.rules);
    }
    marked
}

/// The lexicon's rule for a video player's controls and dialogs.
const PLAYER_RULE: &str = "media-player";
/// The most lines apart two of a player's lexicon lines may lie for the lines between them to
/// be the player's too (see [`mark_player_controls`]).
const PLAYER_GAP: usize = 6;
/// The most words of a line between two of a player's lines that is the player's too.
const PLAYER_MAX_WORDS: usize = 3;

/// A video player's controls are dozens of short lines, of which the lexicon knows the
/// distinctive ones (`Current Time 0:00`, `captions off, selected`); the others (`Play`, `1`,
/// `Chapters`, `Background`) are words an article may print too. Between two of the player's
/// lexicon lines at most [`PLAYER_GAP`] lines apart, the undecided lines of at most
/// [`PLAYER_MAX_WORDS`] words are the player's as well. Left in, the block reads as the end of
/// the article to the classifier, which then drops the paragraphs after the video. See: issue 10.
fn mark_player_controls(lines: &mut [Line], norms: &Norms) {
    let is_player = |line: &Line| matches!(&line.verdict, Verdict::Removed(Reason::Boilerplate(rule)) if rule == PLAYER_RULE);
    let mut last: Option<usize> = None;
    for j in 0..lines.len() {
        if !is_player(&lines[j]) {
            continue;
        }
        if let Some(i) = last
            && j - i <= PLAYER_GAP
        {
            for (k, line) in lines.iter_mut().enumerate().take(j).skip(i + 1) {
                if line.verdict == Verdict::Undecided
                    && count_words(norms.get(k)) <= PLAYER_MAX_WORDS
                {
                    line.verdict = Verdict::Removed(Reason::Boilerplate(PLAYER_RULE.to_owned()));
                }
            }
        }
        last = Some(j);
    }
}

/// Finds the headline and keeps one copy of it.
fn mark_headline(text: &str, lines: &mut [Line], norms: &Norms) {
    let alive: Vec<usize> = (0..lines.len())
        .filter(|&i| lines[i].verdict.is_alive())
        .collect();
    // The first two live lines are usually the title tag and og:title.
    let head: Vec<usize> = alive.iter().copied().take(2).collect();
    let mut keys: Vec<(usize, String)> = Vec::new();
    let mut scratch = String::new();
    for &i in head.iter().rev() {
        keys.push((i, norms.get(i).to_owned()));
        let line = &text[lines[i].start as usize..lines[i].end as usize];
        for part in strip_site_affix(line) {
            normalize_into(part, &mut scratch);
            keys.push((i, scratch.clone()));
        }
    }
    let is_copy = |j: usize, key: &str| {
        norms.get(j) == key
            || (head.contains(&j) && keys.iter().any(|(k, variant)| *k == j && variant == key))
    };
    let mut chosen = keys
        .iter()
        .map(|(_, key)| key)
        .find(|key| {
            count_words(key) >= 1 && alive.iter().filter(|&&j| is_copy(j, key)).count() >= 2
        })
        .cloned();
    if chosen.is_none() {
        chosen = most_repeated_title_like(&alive, norms);
    }
    let Some(key) = chosen else { return };
    let copies: Vec<usize> = alive
        .iter()
        .copied()
        .filter(|&j| is_copy(j, &key))
        .collect();
    let keep = copies
        .iter()
        .copied()
        .find(|&j| norms.get(j) == key)
        .unwrap_or(copies[0]);
    for j in copies {
        lines[j].verdict = if j == keep {
            Verdict::TitleCandidate
        } else {
            Verdict::Removed(Reason::RepeatedHeadline)
        };
    }
}

/// The most repeated line of three or more words among the first live lines, if any repeats.
fn most_repeated_title_like(alive: &[usize], norms: &Norms) -> Option<String> {
    let top = &alive[..alive.len().min(30)];
    let mut best: Option<(usize, &str)> = None;
    for (n, &i) in top.iter().enumerate() {
        let key = norms.get(i);
        let n_words = count_words(key);
        if !(3..=40).contains(&n_words) || top[..n].iter().any(|&j| norms.get(j) == key) {
            continue;
        }
        let count = top.iter().filter(|&&j| norms.get(j) == key).count();
        if count >= 2 && best.is_none_or(|(c, _)| count > c) {
            best = Some((count, key));
        }
    }
    best.map(|(_, key)| key.to_owned())
}

/// Marks every later copy of a live line as a repeat.
fn mark_repeats(lines: &mut [Line]) {
    let mut seen = newsclean_core::hash::FastSet::default();
    seen.reserve(lines.len());
    for line in lines.iter_mut() {
        match line.verdict {
            Verdict::Undecided | Verdict::TitleCandidate
                if !seen.insert(line.hash) && line.verdict == Verdict::Undecided =>
            {
                line.verdict = Verdict::Removed(Reason::RepeatedLine);
            }
            Verdict::Removed(Reason::RepeatedHeadline) => {
                seen.insert(line.hash);
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests;
