//! The site template model: in how many documents of each site every line occurs.
//!
//! Per-document rules cannot see that a menu, a newsletter prompt or a footer line is on every
//! page of a site. Pass 1 ([`LineHasher`], then [`CountLines`] into one shared [`SiteLearner`],
//! on the workers) reads every document once, hashing only, and counts per group (site) in how
//! many documents each normalised line hash occurs; the result is a [`SiteModel`]. Pass 2 is the normal pipeline:
//! [`crate::Dedupe`] holds the model read-only (one `Arc` for all workers), records each line's
//! count in [`MarkedDoc::site`] (a classifier feature) and removes the lines that are on too
//! many of the site's pages as [`Reason::SiteTemplate`] (see [`SiteRules`]).
//!
//! Counts add up, so models learned on shards and merged ([`SiteModel::merge`]) equal the
//! model learned on the whole input. Each document also counts once under a key of its whole
//! content, so that exact copies of a page count as one page when its lines are judged, and
//! once under a key of its long lines, so that copies of one story with other boilerplate
//! around it do too (see `story_copies`).
//!
//! **Memory.** Learning keeps every distinct (site, line) pair: 12 bytes of payload per pair
//! (u64 hash, u32 count) plus hash-table overhead while counting, about 24 bytes in all. At run
//! time [`SiteModel::prune`] keeps only lines seen on at least two pages, which are the few
//! that matter (template lines, not article prose): 12 bytes each.

use std::collections::{BTreeMap, HashMap};
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

use newsclean_core::hash::stable_hash;
use newsclean_core::lexicon::Lexicon;
use newsclean_core::text::count_word_units;
use newsclean_core::{
    MarkedDoc, Reason, Record, SiteLines, StageError, StageId, StreamKind, Transform, Verdict,
};
use serde::{Deserialize, Serialize};

/// The format version of site model files; bump it when [`SiteModel`] changes shape or what it
/// counts (3: each page's story key, see `story_copies`), so that a model learned by another
/// build is refused rather than read into other output than `run`'s.
pub const MODEL_VERSION: u16 = 3;

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
    /// Where each bucket of hashes starts, made on the first lookup (never saved).
    #[serde(skip)]
    directory: Directory,
}

/// The start in a group's sorted hashes of every bucket of hashes that share their top bits,
/// about [`BUCKET`] hashes a bucket: a lookup reads the start of its bucket and searches a
/// cache line or two, where a search of the whole list (even an interpolation search) reads a
/// dozen lines of a large site's millions of hashes. Half a byte per line. It is derived from
/// the hashes, so two groups are equal when their hashes and counts are, whether or not it was
/// made yet.
#[derive(Debug, Clone, Default)]
struct Directory(OnceLock<(u32, Vec<u32>)>);

impl PartialEq for Directory {
    fn eq(&self, _: &Directory) -> bool {
        true
    }
}

impl Eq for Directory {}

/// Hashes per bucket of a [`Directory`], about.
const BUCKET: usize = 8;

impl Directory {
    /// The bits of a bucket number and the start of each bucket (and the end of the last).
    fn of(sorted: &[u64]) -> (u32, Vec<u32>) {
        let bits = (sorted.len() / BUCKET).max(1).ilog2();
        let n_buckets = 1usize << bits;
        let mut starts = Vec::with_capacity(n_buckets + 1);
        let mut at = 0;
        for bucket in 0..n_buckets {
            while at < sorted.len() && bucket_of(sorted[at], bits) < bucket {
                at += 1;
            }
            starts.push(at as u32);
        }
        starts.push(sorted.len() as u32);
        (bits, starts)
    }
}

/// The bucket of `hash` among `2^bits`: its top `bits` bits.
fn bucket_of(hash: u64, bits: u32) -> usize {
    if bits == 0 {
        0
    } else {
        (hash >> (64 - bits)) as usize
    }
}

impl SiteGroup {
    /// Documents of the group that carry the line with this hash (0 if unknown).
    pub fn count(&self, hash: u64) -> u32 {
        let (bits, starts) = self.directory.0.get_or_init(|| Directory::of(&self.hashes));
        let bucket = bucket_of(hash, *bits);
        let (lo, hi) = (starts[bucket] as usize, starts[bucket + 1] as usize);
        self.hashes[lo..hi]
            .binary_search(&hash)
            .map_or(0, |at| self.counts[lo + at])
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
        self.directory = Directory::default();
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
            group.directory = Directory::default();
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
            .map(|g| {
                let directory = g.directory.0.get().map_or(0, |(_, s)| s.capacity() * 4);
                g.hashes.capacity() * 8
                    + g.counts.capacity() * 4
                    + g.name.capacity()
                    + 64
                    + directory
            })
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

/// Counts lines per group while learning, shared by the workers.
#[derive(Debug, Default)]
struct Counter {
    name: String,
    n_docs: AtomicU32,
    counts: CountTable,
}

/// How many documents carry each line hash: the learner's one large structure, so it is
/// laid out for memory. 256 open-addressing tables with linear probing, picked by the hash's
/// top byte, each two parallel arrays (8 + 4 bytes a slot, at most 80 % full): about 15 to 24
/// bytes per distinct line, and since each table grows on its own, growing never holds a
/// second copy of the whole (a single table would, for a moment, need half as much again).
/// Draining it into a model goes table by table, in hash order, so the model's sorted arrays
/// grow as the tables are freed. Each table has its own lock, so that the workers count at
/// once: a document's sorted hashes take each table's lock once.
#[derive(Debug)]
struct CountTable {
    tables: Vec<Mutex<Slots>>,
    /// The count of the hash 0, which marks empty slots.
    n_zero: AtomicU32,
}

/// One open-addressing table; `keys[i] == 0` is an empty slot.
#[derive(Debug, Default)]
struct Slots {
    keys: Vec<u64>,
    counts: Vec<u32>,
    len: usize,
}

const N_TABLES: usize = 256;

impl Default for CountTable {
    fn default() -> CountTable {
        CountTable {
            tables: (0..N_TABLES).map(|_| Mutex::default()).collect(),
            n_zero: AtomicU32::new(0),
        }
    }
}

impl CountTable {
    /// Adds one to the count of `hash`.
    #[cfg(test)]
    fn add(&self, hash: u64) {
        self.add_grouped(&[hash]);
    }

    /// Adds one to the count of each of `grouped`, in which the hashes of one table (one top
    /// byte) are together, as in sorted hashes: each table's lock is taken once.
    fn add_grouped(&self, grouped: &[u64]) {
        let mut rest = grouped;
        while let Some(&first) = rest.first() {
            let top = first >> 56;
            let n = rest.partition_point(|&h| h >> 56 == top);
            let (run, after) = rest.split_at(n);
            rest = after;
            let mut table = lock(&self.tables[top as usize]);
            for &hash in run {
                if hash == 0 {
                    add_saturating(&self.n_zero, 1);
                } else {
                    table.add(hash);
                }
            }
        }
    }

    /// Distinct hashes counted.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.tables.iter().map(|t| lock(t).len).sum::<usize>()
            + usize::from(self.n_zero.load(Ordering::Relaxed) > 0)
    }

    /// Heap bytes held.
    fn heap_bytes(&self) -> usize {
        self.tables
            .iter()
            .map(|t| {
                let t = lock(t);
                t.keys.capacity() * 8 + t.counts.capacity() * 4
            })
            .sum()
    }

    /// The hashes counted at least `min_count` times and their counts, sorted by hash; frees
    /// each table as it goes.
    fn into_sorted(self, min_count: u32) -> (Vec<u64>, Vec<u32>) {
        let (mut hashes, mut counts) = (Vec::new(), Vec::new());
        let n_zero = self.n_zero.into_inner();
        if n_zero >= min_count.max(1) {
            hashes.push(0);
            counts.push(n_zero);
        }
        // Tables are in top-byte order, so appending each one sorted keeps the whole sorted.
        for table in self.tables {
            let table = table.into_inner().unwrap_or_else(PoisonError::into_inner);
            let mut pairs: Vec<(u64, u32)> = table
                .keys
                .iter()
                .zip(&table.counts)
                .filter(|&(&key, &count)| key != 0 && count >= min_count)
                .map(|(&key, &count)| (key, count))
                .collect();
            drop(table);
            pairs.sort_unstable();
            hashes.extend(pairs.iter().map(|p| p.0));
            counts.extend(pairs.iter().map(|p| p.1));
        }
        hashes.shrink_to_fit();
        counts.shrink_to_fit();
        (hashes, counts)
    }
}

impl Slots {
    fn add(&mut self, hash: u64) {
        if (self.len + 1) * 5 > self.keys.len() * 4 {
            self.grow();
        }
        let mask = self.keys.len() - 1;
        let mut i = (hash as usize) & mask;
        loop {
            match self.keys[i] {
                0 => {
                    self.keys[i] = hash;
                    self.counts[i] = 1;
                    self.len += 1;
                    return;
                }
                key if key == hash => {
                    self.counts[i] = self.counts[i].saturating_add(1);
                    return;
                }
                _ => i = (i + 1) & mask,
            }
        }
    }

    fn grow(&mut self) {
        let capacity = (self.keys.len() * 2).max(16);
        let keys = std::mem::replace(&mut self.keys, vec![0; capacity]);
        let counts = std::mem::replace(&mut self.counts, vec![0; capacity]);
        let mask = capacity - 1;
        for (key, count) in keys.into_iter().zip(counts) {
            if key == 0 {
                continue;
            }
            let mut i = (key as usize) & mask;
            while self.keys[i] != 0 {
                i = (i + 1) & mask;
            }
            self.keys[i] = key;
            self.counts[i] = count;
        }
    }
}

/// Pass 1's counts, per group, of the documents that carry each line: shared by the workers,
/// each of which counts its documents ([`CountLines`]). Counts add up, so the model does not
/// depend on which worker counted what.
#[derive(Debug, Default)]
pub struct SiteLearner {
    group_by: GroupBy,
    groups: Mutex<BTreeMap<u64, Arc<Counter>>>,
}

/// Locks `mutex`; a worker that panicked while holding it left whole counts behind.
fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(PoisonError::into_inner)
}

/// Adds `n` to `count`, saturating.
fn add_saturating(count: &AtomicU32, n: u32) {
    let _ = count.fetch_update(Ordering::Relaxed, Ordering::Relaxed, |c| {
        Some(c.saturating_add(n))
    });
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
    pub fn add(&self, marked: &MarkedDoc) {
        let mut batch = Batch::default();
        batch.add(self, marked);
        batch.flush();
    }

    /// The counter of the group named `name`, made on first use.
    fn counter(&self, key: u64, name: String) -> Arc<Counter> {
        Arc::clone(lock(&self.groups).entry(key).or_insert_with(|| {
            Arc::new(Counter {
                name,
                ..Counter::default()
            })
        }))
    }

    /// Heap bytes of the counts learned so far (see `CountTable`).
    pub fn heap_bytes(&self) -> usize {
        let groups: Vec<Arc<Counter>> = lock(&self.groups).values().cloned().collect();
        groups.iter().map(|c| c.counts.heap_bytes()).sum()
    }

    /// The model learned, keeping lines carried by at least `min_count` documents (1: all of
    /// them, as `newsclean learn` saves; a run needs only those on 2 or more, see
    /// [`SiteModel::prune`]).
    pub fn into_model(self, min_count: u32) -> SiteModel {
        let groups = (self.groups.into_inner())
            .unwrap_or_else(PoisonError::into_inner)
            .into_iter()
            .map(|(key, counter)| {
                // Only the workers' batches clone a group's `Arc`, and they are gone: `self` is owned.
                let counter = Arc::into_inner(counter).expect("no count outlives its learner");
                let (hashes, counts) = counter.counts.into_sorted(min_count);
                let group = SiteGroup {
                    name: counter.name,
                    n_docs: counter.n_docs.into_inner(),
                    hashes,
                    counts,
                    directory: Directory::default(),
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

/// Line hashes a worker holds before it adds them to the shared counts: enough that each
/// table's lock is taken once for hundreds of documents, not once per document (workers
/// taking turns at the same locks, document by document, cost more than the counting).
const BATCH_HASHES: usize = 1 << 15;

/// A worker's documents not yet added to the shared counts: per group, their distinct line
/// hashes and document keys.
#[derive(Debug, Default)]
struct Batch {
    /// The groups this worker has seen, by key, with the hashes it holds for each.
    groups: Vec<(Arc<Counter>, Vec<u64>)>,
    index: PrehashedMap<u64, usize>,
    n_held: usize,
    scratch: Vec<u64>,
    /// Hashes grouped by table, for [`CountTable::add_grouped`].
    grouped: Vec<u64>,
}

impl Batch {
    /// Holds one document's hashes for `learner`; adds what it holds when that is a batch.
    fn add(&mut self, learner: &SiteLearner, marked: &MarkedDoc) {
        let name = group_name(&marked.id, marked.source.url.as_deref(), learner.group_by);
        let key = group_key(&name);
        let at = if let Some(&at) = self.index.get(&key) {
            at
        } else {
            self.groups.push((learner.counter(key, name), Vec::new()));
            self.index.insert(key, self.groups.len() - 1);
            self.groups.len() - 1
        };
        let (counter, held) = &mut self.groups[at];
        add_saturating(&counter.n_docs, 1);
        let scratch = &mut self.scratch;
        scratch.clear();
        scratch.extend(
            marked
                .lines
                .iter()
                .filter(|l| l.verdict != Verdict::Blank)
                .map(|l| l.hash),
        );
        scratch.sort_unstable();
        scratch.dedup();
        held.extend_from_slice(scratch);
        // The document itself, as one more key: its count is how many exact copies of the page
        // the group holds, so that a page saved twice does not make its own lines look like
        // the site's template.
        held.push(doc_key(scratch));
        self.n_held += scratch.len() + 1;
        // And its story, as one more key: how many pages have the same long lines (see
        // [`story_copies`]).
        if let Some(key) = story_key(marked, scratch) {
            held.push(key);
            self.n_held += 1;
        }
        if self.n_held >= BATCH_HASHES {
            self.flush();
        }
    }

    /// Adds every hash held to the shared counts, each group's grouped by table (a counting
    /// sort on the top byte), and forgets the groups: what a worker holds stays bounded
    /// however many sites the input has.
    fn flush(&mut self) {
        for (counter, held) in self.groups.drain(..) {
            if held.is_empty() {
                continue;
            }
            let mut starts = [0usize; N_TABLES + 1];
            for &h in &held {
                starts[(h >> 56) as usize + 1] += 1;
            }
            for t in 0..N_TABLES {
                starts[t + 1] += starts[t];
            }
            self.grouped.clear();
            self.grouped.resize(held.len(), 0);
            for &h in &held {
                let slot = &mut starts[(h >> 56) as usize];
                self.grouped[*slot] = h;
                *slot += 1;
            }
            counter.counts.add_grouped(&self.grouped);
        }
        self.index.clear();
        self.n_held = 0;
    }
}

/// Pass 1's counting, on the workers: adds each split document to a shared [`SiteLearner`]
/// and passes it on. A worker holds up to 32,768 hashes before it adds them, and
/// adds the rest when it is dropped (at the end of the run, before the learner is read).
#[derive(Debug)]
pub struct CountLines<'a> {
    learner: &'a SiteLearner,
    batch: Batch,
}

impl<'a> CountLines<'a> {
    /// A worker's counting into `learner`.
    pub fn new(learner: &'a SiteLearner) -> CountLines<'a> {
        CountLines {
            learner,
            batch: Batch::default(),
        }
    }
}

impl Transform for CountLines<'_> {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        if let Record::Marked(marked) = &record {
            self.batch.add(self.learner, marked);
        }
        Ok(record)
    }
}

impl Drop for CountLines<'_> {
    fn drop(&mut self) {
        self.batch.flush();
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
    key_of_set(b"doc:", sorted_hashes)
}

/// A key of the model for a set of line hashes (sorted, distinct): their hash after `prefix`,
/// which keeps each kind of key apart from the others and from line hashes.
fn key_of_set(prefix: &[u8], sorted_hashes: &[u64]) -> u64 {
    let mut bytes = Vec::with_capacity(prefix.len() + 8 * sorted_hashes.len());
    bytes.extend_from_slice(prefix);
    for hash in sorted_hashes {
        bytes.extend_from_slice(&hash.to_le_bytes());
    }
    stable_hash(&bytes)
}

/// The most lines a list under a heading may have.
const MAX_LIST: usize = 12;

/// The bytes from which a line is long: a paragraph of 25 to 30 words. A page's long lines are
/// its story's paragraphs (and the site's longest template lines); menus, teasers, captions and
/// "Updated" lines are shorter.
const LONG_LINE: usize = 160;

/// The key of a page's story in the model: a hash of the sorted, distinct hashes of its
/// [`LONG_LINE`]s, kept apart from line hashes and document keys by a prefix; none when the page
/// has no long line. `scratch` is a buffer to reuse.
fn story_key(marked: &MarkedDoc, scratch: &mut Vec<u64>) -> Option<u64> {
    scratch.clear();
    scratch.extend(
        marked
            .lines
            .iter()
            .filter(|l| l.verdict != Verdict::Blank && (l.end - l.start) as usize >= LONG_LINE)
            .map(|l| l.hash),
    );
    if scratch.is_empty() {
        return None;
    }
    scratch.sort_unstable();
    scratch.dedup();
    Some(key_of_set(b"story:", scratch))
}

/// The long lines of a story that must be on exactly the pages of its key.
const STORY_LINES: usize = 2;

/// How many pages of the group tell this page's story: those with the same long lines (see
/// [`LONG_LINE`]), when [`STORY_LINES`] of those lines are on exactly those pages; else 1.
///
/// A story scraped again with other boilerplate around it (another "Most Read" list, an
/// "Updated" line, a rotated advertisement) is no exact copy of the page, but its headline,
/// paragraphs and sub-headings are on every copy: without this, an article saved three times
/// in a small site lost its headline and sub-headings as the site's template. Pages whose only
/// long lines are the site's template (a disclaimer, an "About us") have the same long lines
/// too, but those lines are mostly also on the site's other pages, and such pages count as
/// themselves; that one line on exactly the pages of the key is not enough, a small site's
/// pages whose one long line is its "About us" showed (three pages of a blog on dev).
pub(crate) fn story_copies(marked: &MarkedDoc, group: &SiteGroup) -> u32 {
    let mut long = Vec::new();
    let Some(key) = story_key(marked, &mut long) else {
        return 1;
    };
    let copies = group.count(key);
    if copies < 2 {
        return 1;
    }
    let on_exactly_those = long
        .iter()
        .filter(|&&hash| group.count(hash) == copies)
        .count();
    if on_exactly_those >= STORY_LINES {
        copies
    } else {
        1
    }
}

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
    // Copies of the page, and of its story: either way its own lines are on every copy.
    let extra_copies = group
        .count(doc_key(&hashes))
        .max(story_copies(marked, group))
        .saturating_sub(1);
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

    use proptest::prelude::Strategy as _;

    proptest::proptest! {
        /// The count table counts exactly what a map counts, hash 0 included, and drains
        /// sorted, keeping the hashes counted at least `min_count` times.
        #[test]
        fn count_table_counts_like_a_map(
            hashes in proptest::collection::vec(
                proptest::prop_oneof![
                    0u64..40,
                    proptest::prelude::any::<u64>(),
                    (0u64..8).prop_map(|h| h << 56 | 7),
                ],
                0..2000,
            ),
            min_count in 1u32..4,
        ) {
            let table = CountTable::default();
            let mut map = BTreeMap::<u64, u32>::new();
            for &h in &hashes {
                table.add(h);
                *map.entry(h).or_default() += 1;
            }
            proptest::prop_assert_eq!(table.len(), map.len());
            let (keys, counts) = table.into_sorted(min_count);
            let expected: Vec<(u64, u32)> =
                map.into_iter().filter(|&(_, c)| c >= min_count).collect();
            let got: Vec<(u64, u32)> = keys.into_iter().zip(counts).collect();
            proptest::prop_assert_eq!(got, expected);
        }
    }

    /// The learner's table takes at most 24 bytes per distinct line (see `CountTable`).
    #[test]
    fn count_table_memory_per_line_is_bounded() {
        let table = CountTable::default();
        let n = 300_000u64;
        for i in 1..=n {
            table.add(stable_hash(&i.to_le_bytes()));
        }
        let per_line = table.heap_bytes() as f64 / n as f64;
        assert!(per_line <= 24.0, "{per_line} bytes per distinct line");
    }

    proptest::proptest! {
        /// A lookup through the directory finds exactly what a binary search finds, on
        /// uniform hashes and on skewed ones (whose buckets are uneven or empty).
        #[test]
        fn directory_lookup_equals_binary_search(
            mut keys in proptest::collection::vec(proptest::prelude::any::<u64>(), 0..300),
            skew in 0u32..40,
            probe in proptest::prelude::any::<u64>(),
        ) {
            for k in &mut keys {
                *k >>= skew;
            }
            keys.sort_unstable();
            keys.dedup();
            let pairs: Vec<(u64, u32)> = keys.iter().zip(1..).map(|(&k, c)| (k, c)).collect();
            let g = group(&pairs, 1);
            let probes = keys.iter().copied().chain([probe >> skew, probe, 0, u64::MAX]);
            for key in probes {
                let expected = keys.binary_search(&key).map_or(0, |at| pairs[at].1);
                proptest::prop_assert_eq!(g.count(key), expected);
            }
        }
    }

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
            directory: Directory::default(),
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
