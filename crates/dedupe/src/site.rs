//! The site template model: in how many documents of each site every line occurs.
//!
//! Per-document rules cannot see that a menu, a newsletter prompt or a footer line is on every
//! page of a site. Pass 1 ([`LineHasher`] on the workers, [`SiteLearner`] as the sink) reads
//! every document once, hashing only, and counts per group (site) in how many documents each
//! normalised line hash occurs; the result is a [`SiteModel`]. Pass 2 is the normal pipeline:
//! [`crate::Dedupe`] holds the model read-only (one `Arc` for all workers), records each line's
//! count in [`MarkedDoc::site`] (a classifier feature) and removes the lines that are on too
//! many of the site's pages as [`Reason::SiteTemplate`] (see [`SiteRules`]).
//!
//! Counts add up, so models learned on shards and merged ([`SiteModel::merge`]) equal the
//! model learned on the whole input. Each document also counts once under a key of its whole
//! content, so that exact copies of a page count as one page when its lines are judged.
//!
//! **Memory.** Learning keeps every distinct (site, line) pair: 12 bytes of payload per pair
//! (u64 hash, u32 count) plus hash-table overhead while counting, about 24 bytes in all. At run
//! time [`SiteModel::prune`] keeps only lines seen on at least two pages, which are the few
//! that matter (template lines, not article prose): 12 bytes each.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};

use newsclean_core::hash::stable_hash;
use newsclean_core::lexicon::Lexicon;
use newsclean_core::text::count_word_units;
use newsclean_core::{
    MarkedDoc, Reason, Record, Sink, SiteLines, StageError, StageId, StreamKind, Transform, Verdict,
};
use serde::{Deserialize, Serialize};

/// The format version of site model files; bump it when [`SiteModel`] changes shape.
pub const MODEL_VERSION: u16 = 2;

/// How documents are grouped into sites.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum GroupBy {
    /// The URL host when the document has a URL, else the first directory of its id, else
    /// one group for all.
    #[default]
    Auto,
    /// The URL host; documents without one share one group.
    Host,
    /// The first directory of the id (the path under the input root); documents directly
    /// under the root share one group.
    Dir,
    /// One group for all documents.
    None,
}

impl GroupBy {
    /// The lowercase name, as `--group-by` spells it.
    pub fn name(self) -> &'static str {
        match self {
            GroupBy::Auto => "auto",
            GroupBy::Host => "host",
            GroupBy::Dir => "dir",
            GroupBy::None => "none",
        }
    }
}

pub use newsclean_core::site::{id_dir, url_host};

/// The name of the group (site) of a document; the empty string is the shared group.
pub fn group_name(id: &str, url: Option<&str>, by: GroupBy) -> String {
    let host = || url.and_then(url_host);
    let dir = || id_dir(id).map(str::to_owned);
    match by {
        GroupBy::Auto => host().or_else(dir),
        GroupBy::Host => host(),
        GroupBy::Dir => dir(),
        GroupBy::None => None,
    }
    .unwrap_or_default()
}

/// The key of a group in the model.
fn group_key(name: &str) -> u64 {
    stable_hash(name.as_bytes())
}

/// One site of the model: its line hashes (sorted) and in how many documents each occurs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteGroup {
    /// The group's name (a host or a directory; empty for the shared group).
    pub name: String,
    /// Documents in the group.
    pub n_docs: u32,
    hashes: Vec<u64>,
    counts: Vec<u32>,
}

impl SiteGroup {
    /// Documents of the group that carry the line with this hash (0 if unknown).
    pub fn count(&self, hash: u64) -> u32 {
        self.hashes
            .binary_search(&hash)
            .map_or(0, |at| self.counts[at])
    }

    /// Distinct lines kept for the group.
    pub fn n_lines(&self) -> usize {
        self.hashes.len()
    }

    /// Adds `other`'s counts (same group) to this one's.
    fn add(&mut self, other: &SiteGroup) {
        let mut hashes = Vec::with_capacity(self.hashes.len().max(other.hashes.len()));
        let mut counts = Vec::with_capacity(hashes.capacity());
        let (mut i, mut j) = (0, 0);
        while i < self.hashes.len() && j < other.hashes.len() {
            match self.hashes[i].cmp(&other.hashes[j]) {
                std::cmp::Ordering::Less => {
                    hashes.push(self.hashes[i]);
                    counts.push(self.counts[i]);
                    i += 1;
                }
                std::cmp::Ordering::Greater => {
                    hashes.push(other.hashes[j]);
                    counts.push(other.counts[j]);
                    j += 1;
                }
                std::cmp::Ordering::Equal => {
                    hashes.push(self.hashes[i]);
                    counts.push(self.counts[i].saturating_add(other.counts[j]));
                    i += 1;
                    j += 1;
                }
            }
        }
        hashes.extend_from_slice(&self.hashes[i..]);
        counts.extend_from_slice(&self.counts[i..]);
        hashes.extend_from_slice(&other.hashes[j..]);
        counts.extend_from_slice(&other.counts[j..]);
        self.hashes = hashes;
        self.counts = counts;
        self.n_docs = self.n_docs.saturating_add(other.n_docs);
    }
}

/// Errors of site models.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// Models learned with different groupings cannot be merged or combined.
    #[error("site models group documents differently ({a} and {b})", a = a.name(), b = b.name())]
    Grouping {
        /// One grouping.
        a: GroupBy,
        /// The other.
        b: GroupBy,
    },
}

/// The site template model: per group, in how many documents each line occurs.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteModel {
    /// How documents were grouped when the model was learned.
    pub group_by: GroupBy,
    /// The groups, by key.
    groups: BTreeMap<u64, SiteGroup>,
}

impl SiteModel {
    /// An empty model for documents grouped by `group_by`.
    pub fn new(group_by: GroupBy) -> SiteModel {
        SiteModel {
            group_by,
            groups: BTreeMap::new(),
        }
    }

    /// The group of a document, if the model has seen it.
    pub fn group_of(&self, id: &str, url: Option<&str>) -> Option<&SiteGroup> {
        self.groups
            .get(&group_key(&group_name(id, url, self.group_by)))
    }

    /// The groups, in key order.
    pub fn groups(&self) -> impl Iterator<Item = &SiteGroup> {
        self.groups.values()
    }

    /// Documents counted, over all groups.
    pub fn n_docs(&self) -> u64 {
        self.groups.values().map(|g| u64::from(g.n_docs)).sum()
    }

    /// Sums models learned on parts of an input (counts add up).
    pub fn merge(models: impl IntoIterator<Item = SiteModel>) -> Result<SiteModel, ModelError> {
        let mut models = models.into_iter();
        let Some(mut merged) = models.next() else {
            return Ok(SiteModel::default());
        };
        for model in models {
            if model.group_by != merged.group_by {
                return Err(ModelError::Grouping {
                    a: merged.group_by,
                    b: model.group_by,
                });
            }
            for (key, group) in model.groups {
                match merged.groups.get_mut(&key) {
                    Some(into) => into.add(&group),
                    None => {
                        merged.groups.insert(key, group);
                    }
                }
            }
        }
        Ok(merged)
    }

    /// Drops lines carried by fewer than `min_count` documents: at run time only lines on two
    /// or more pages matter, and they are a small share of all lines.
    pub fn prune(&mut self, min_count: u32) {
        for group in self.groups.values_mut() {
            let mut k = 0;
            for i in 0..group.hashes.len() {
                if group.counts[i] >= min_count {
                    group.hashes[k] = group.hashes[i];
                    group.counts[k] = group.counts[i];
                    k += 1;
                }
            }
            group.hashes.truncate(k);
            group.counts.truncate(k);
            group.hashes.shrink_to_fit();
            group.counts.shrink_to_fit();
        }
    }

    /// Writes the model as a versioned blob (see [`newsclean_core::codec::write_blob`]).
    pub fn save(&self, out: impl std::io::Write) -> Result<(), newsclean_core::codec::Error> {
        newsclean_core::codec::write_blob(out, StreamKind::SiteModel, MODEL_VERSION, self)
    }

    /// Reads a model written by [`SiteModel::save`].
    pub fn load(input: impl std::io::Read) -> Result<SiteModel, newsclean_core::codec::Error> {
        newsclean_core::codec::read_blob(input, StreamKind::SiteModel, MODEL_VERSION)
    }

    /// Heap bytes of the model's tables.
    pub fn heap_bytes(&self) -> usize {
        self.groups
            .values()
            .map(|g| g.hashes.capacity() * 8 + g.counts.capacity() * 4 + g.name.capacity() + 64)
            .sum()
    }
}

/// A hasher for keys that are already stable hashes: folds them with a fixed multiplier, so
/// nothing depends on std's random seeds.
#[derive(Debug, Default, Clone, Copy)]
pub struct PrehashedHasher(u64);

impl Hasher for PrehashedHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = stable_hash(bytes) ^ self.0.rotate_left(5);
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
}

/// A `HashMap` keyed by stable hashes, with a fixed (never random) hasher.
pub type PrehashedMap<K, V> = HashMap<K, V, BuildHasherDefault<PrehashedHasher>>;

/// Counts lines per group while learning.
#[derive(Debug, Default)]
struct Counter {
    name: String,
    n_docs: u32,
    counts: PrehashedMap<u64, u32>,
}

/// Pass 1's sink: counts, per group, the documents that carry each line.
#[derive(Debug, Default)]
pub struct SiteLearner {
    group_by: GroupBy,
    groups: BTreeMap<u64, Counter>,
    scratch: Vec<u64>,
}

impl SiteLearner {
    /// A learner grouping documents by `group_by`.
    pub fn new(group_by: GroupBy) -> SiteLearner {
        SiteLearner {
            group_by,
            ..SiteLearner::default()
        }
    }

    /// Counts one document's lines (each distinct line once).
    pub fn add(&mut self, marked: &MarkedDoc) {
        let name = group_name(&marked.id, marked.source.url.as_deref(), self.group_by);
        let counter = self
            .groups
            .entry(group_key(&name))
            .or_insert_with(|| Counter {
                name,
                ..Counter::default()
            });
        counter.n_docs = counter.n_docs.saturating_add(1);
        self.scratch.clear();
        self.scratch.extend(
            marked
                .lines
                .iter()
                .filter(|l| l.verdict != Verdict::Blank)
                .map(|l| l.hash),
        );
        self.scratch.sort_unstable();
        self.scratch.dedup();
        for &hash in &self.scratch {
            *counter.counts.entry(hash).or_default() += 1;
        }
        // The document itself, as one more key: its count is how many exact copies of the page
        // the group holds, so that a page saved twice does not make its own lines look like
        // the site's template.
        *counter.counts.entry(doc_key(&self.scratch)).or_default() += 1;
    }

    /// The model learned so far.
    pub fn model(&self) -> SiteModel {
        let groups = self
            .groups
            .iter()
            .map(|(&key, counter)| {
                let mut pairs: Vec<(u64, u32)> =
                    counter.counts.iter().map(|(&h, &c)| (h, c)).collect();
                pairs.sort_unstable();
                let group = SiteGroup {
                    name: counter.name.clone(),
                    n_docs: counter.n_docs,
                    hashes: pairs.iter().map(|p| p.0).collect(),
                    counts: pairs.iter().map(|p| p.1).collect(),
                };
                (key, group)
            })
            .collect();
        SiteModel {
            group_by: self.group_by,
            groups,
        }
    }
}

impl Sink for SiteLearner {
    type Item = Record;
    fn write(&mut self, record: Record) -> Result<(), StageError> {
        if let Record::Marked(marked) = &record {
            self.add(marked);
        }
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

/// Pass 1's transform: splits and hashes a document's lines, nothing else.
#[derive(Debug, Default, Clone, Copy)]
pub struct LineHasher;

impl Transform for LineHasher {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        match record {
            Record::Doc(doc) => Ok(Record::Marked(MarkedDoc::split(doc))),
            Record::Reject(_) => Ok(record),
            other => Err(StageError::new(
                StageId::Dedupe,
                crate::Error::UnexpectedInput(other.kind_name()),
            )),
        }
    }
}

/// When a frequent line is the site's template.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SiteRules {
    /// A line is template when at least this many documents of its site carry it…
    pub min_docs: u32,
    /// …and at least this share of the site's documents.
    pub share: f32,
    /// Clearly prose lines (long sentences) need this share of the site's documents, and at
    /// least twice `min_docs`: a paragraph shared by a few pages is more likely a story told
    /// twice than a template.
    pub prose_share: f32,
}

impl Default for SiteRules {
    /// Defaults measured on the dev benchmark grouped by site (see the crate docs).
    fn default() -> SiteRules {
        SiteRules {
            min_docs: 3,
            share: 0.1,
            prose_share: 0.5,
        }
    }
}

impl SiteRules {
    /// The documents a line of the given kind needs in a site of `n_docs` documents.
    pub fn threshold(&self, n_docs: u32, is_prose: bool) -> u32 {
        let (min, share) = if is_prose {
            (self.min_docs.saturating_mul(2), self.prose_share)
        } else {
            (self.min_docs, self.share)
        };
        // The epsilon keeps f32 shares such as 0.1 (0.100000001) from adding a document.
        let by_share = (f64::from(share) * f64::from(n_docs) - 1e-6).ceil() as u32;
        min.max(by_share).max(2)
    }
}

/// A line that reads like article prose: a long sentence, or very long.
pub fn is_clear_prose(text: &str) -> bool {
    let n_words = count_word_units(text);
    let last = text
        .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
        .chars()
        .next_back();
    let ends_sentence = matches!(last, Some('.' | '!' | '?' | '…' | '。' | '！' | '？'));
    n_words >= 25 || (n_words >= 12 && ends_sentence)
}

/// The built-in list headings (`lexicon/list_headings.txt`).
fn list_headings() -> &'static Lexicon {
    static LEXICON: std::sync::OnceLock<Lexicon> = std::sync::OnceLock::new();
    LEXICON.get_or_init(|| {
        Lexicon::parse(include_str!("../lexicon/list_headings.txt"))
            .expect("the built-in lexicon parses (tested)")
    })
}

/// A line that could be one title in a list of links.
fn is_title_like(text: &str) -> bool {
    let n_words = count_word_units(text);
    (1..=24).contains(&n_words) && !is_clear_prose(text)
}

/// The key of a document's content in the model: a hash of its sorted, distinct line hashes,
/// kept apart from line hashes by a prefix.
fn doc_key(sorted_hashes: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(4 + 8 * sorted_hashes.len());
    bytes.extend_from_slice(b"doc:");
    for hash in sorted_hashes {
        bytes.extend_from_slice(&hash.to_le_bytes());
    }
    stable_hash(&bytes)
}

/// The most lines a list under a heading may have.
const MAX_LIST: usize = 12;

/// Records the site counts of every line and removes the site's template lines.
pub fn mark_template(marked: &mut MarkedDoc, model: &SiteModel, rules: &SiteRules) {
    let Some(group) = model.group_of(&marked.id, marked.source.url.as_deref()) else {
        marked.site = SiteLines::default();
        return;
    };
    // Exact copies of this page carry all its lines: they count as one page.
    let mut hashes: Vec<u64> = marked
        .lines
        .iter()
        .filter(|l| l.verdict != Verdict::Blank)
        .map(|l| l.hash)
        .collect();
    hashes.sort_unstable();
    hashes.dedup();
    let extra_copies = group.count(doc_key(&hashes)).saturating_sub(1);
    let n_line_docs: Vec<u32> = marked
        .lines
        .iter()
        .map(|l| {
            if l.verdict == Verdict::Blank {
                0
            } else {
                group.count(l.hash).saturating_sub(extra_copies).max(1)
            }
        })
        .collect();
    let short = rules.threshold(group.n_docs, false);
    let prose = rules.threshold(group.n_docs, true);
    for (i, &n) in n_line_docs.iter().enumerate() {
        // Most lines are on too few pages to be template whatever their shape.
        if marked.lines[i].verdict != Verdict::Undecided || n < short.min(prose) {
            continue;
        }
        let need = if is_clear_prose(marked.line_text(i)) {
            prose
        } else {
            short
        };
        if n >= need {
            marked.lines[i].verdict = Verdict::Removed(Reason::SiteTemplate);
        }
    }
    mark_lists(marked);
    marked.site = SiteLines {
        n_docs: group.n_docs,
        n_line_docs,
    };
}

/// Removes lists of short title-like lines under a template heading that names a list ("Most
/// Read", "Trending", "More from …": `lexicon/list_headings.txt`), even when each title is
/// rare. A list ends at a blank line, a prose line, the document's title or after
/// [`MAX_LIST`] lines.
///
/// Measured on the dev benchmark: also taking lists under any template heading when most of
/// their lines occur on other pages (rotating titles) took menus and the article's own short
/// lines with them (F1 0.908 instead of 0.919), so the heading must name a list.
fn mark_lists(marked: &mut MarkedDoc) {
    let lexicon = list_headings();
    let mut i = 0;
    while i < marked.lines.len() {
        let is_heading = marked.lines[i].verdict == Verdict::Removed(Reason::SiteTemplate)
            && count_word_units(marked.line_text(i)) <= 6
            && lexicon.lookup(marked.norm(i)).is_some();
        if !is_heading {
            i += 1;
            continue;
        }
        let mut list = Vec::new();
        let mut j = i + 1;
        while j < marked.lines.len() && j - i <= MAX_LIST {
            match &marked.lines[j].verdict {
                Verdict::Undecided if is_title_like(marked.line_text(j)) => list.push(j),
                Verdict::Removed(_) => {}
                _ => break,
            }
            j += 1;
        }
        for k in list {
            marked.lines[k].verdict = Verdict::Removed(Reason::SiteTemplate);
        }
        i = j;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn groups() {
        let url = Some("https://www.a.com/x");
        assert_eq!(group_name("d/x", url, GroupBy::Auto), "a.com");
        assert_eq!(group_name("d/x", None, GroupBy::Auto), "d");
        assert_eq!(group_name("x", None, GroupBy::Auto), "");
        assert_eq!(group_name("d/x", url, GroupBy::Dir), "d");
        assert_eq!(group_name("d/x", None, GroupBy::Host), "");
        assert_eq!(group_name("d/x", url, GroupBy::None), "");
    }

    #[test]
    fn thresholds() {
        let rules = SiteRules::default();
        assert_eq!(rules.threshold(5, false), 3);
        assert_eq!(rules.threshold(100, false), 10);
        assert_eq!(rules.threshold(100, true), 50);
        assert_eq!(rules.threshold(5, true), 6);
        assert_eq!(rules.threshold(0, false), 3);
    }

    #[test]
    fn prose() {
        assert!(is_clear_prose(
            "The minister said on Tuesday that the plan would go ahead as agreed."
        ));
        assert!(!is_clear_prose(
            "Sign up for our newsletter to get the news."
        ));
        assert!(!is_clear_prose("Most Read"));
    }

    #[test]
    fn list_headings_parse() {
        assert!(list_headings().lookup("most read").is_some());
        assert!(list_headings().lookup("more from politics").is_some());
    }

    fn group(pairs: &[(u64, u32)], n_docs: u32) -> SiteGroup {
        SiteGroup {
            name: String::new(),
            n_docs,
            hashes: pairs.iter().map(|p| p.0).collect(),
            counts: pairs.iter().map(|p| p.1).collect(),
        }
    }

    #[test]
    fn groups_add_up() {
        let mut a = group(&[(1, 1), (5, 2), (9, 1)], 3);
        a.add(&group(&[(0, 4), (5, 1), (10, 2)], 4));
        assert_eq!(a, group(&[(0, 4), (1, 1), (5, 3), (9, 1), (10, 2)], 7));
        assert_eq!(a.count(5), 3);
        assert_eq!(a.count(6), 0);
    }
}
