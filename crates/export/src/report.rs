//! The run's figures: [`ExportSummary`], which the sink keeps as it writes, and [`Report`], the
//! summary plus what only the caller knows (timings, thread count, arguments), written as JSON
//! or as a self-contained HTML page (`--report`).
//!
//! Memory stays bounded per site: each site keeps counts and at most [`TOP_LINES_TRACKED`]
//! candidate boilerplate lines (the space-saving algorithm, so the heavy hitters survive).
//! Duplicate clusters are kept for the first [`CLUSTERS_TRACKED`] kept documents that have
//! copies, each with at most [`CLUSTER_IDS_LISTED`] ids (the duplicates file lists them all).

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::Duration;

use newsclean_core::hash::stable_hash;
use newsclean_core::{Article, Duplicate, Reject};
use serde::{Deserialize, Serialize};

use crate::Error;
use crate::atomic::AtomicFile;
use crate::fields::site;

/// Candidate lines tracked per site.
pub const TOP_LINES_TRACKED: usize = 256;
/// Lines listed per site in the report.
pub const TOP_LINES_LISTED: usize = 10;
/// Duplicate clusters tracked for the report.
pub const CLUSTERS_TRACKED: usize = 10_000;
/// Ids listed per duplicate cluster.
pub const CLUSTER_IDS_LISTED: usize = 100;
/// Kinds of reject reasons counted one by one (see [`reason_kind`]); the rest are counted
/// together under [`OTHER_REASONS`].
pub const REASON_KINDS_TRACKED: usize = 100;
/// The reason kind that counts the rejects past [`REASON_KINDS_TRACKED`] kinds.
pub const OTHER_REASONS: &str = "other reasons";
/// Rejects kept with their id and reason, for the summary on stderr.
pub const REJECTS_LISTED: usize = 10;
/// Histogram bins: bin `k` counts documents of `2^(k-1)` to `2^k - 1` bytes (bin 0: empty).
pub const LENGTH_BINS: usize = 28;

/// A removed line that recurs, with how often it was seen.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TopLine {
    /// The line text.
    pub text: String,
    /// Why it was removed (the first time it was seen).
    pub reason: String,
    /// Documents it was removed from (an overestimate by at most `error`).
    pub n: u64,
    /// The most `n` may overcount (space-saving's error bound).
    pub error: u64,
}

/// The most frequent removed lines of a site, by the space-saving algorithm: at most
/// [`TOP_LINES_TRACKED`] lines in memory, and every line removed from more than
/// `n / TOP_LINES_TRACKED` of the site's `n` sampled lines is among them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TopLines {
    lines: Vec<TopLine>,
    /// Line hash → index in `lines`.
    index: newsclean_core::hash::FastMap<u64, usize>,
    /// No line is counted fewer times than this (0 until the table first fills).
    min_n: u64,
    /// Every line before this index is counted more than `min_n` times, so the least counted
    /// line, the first of equals, is the first at or after it counted `min_n` times.
    cursor: usize,
}

impl TopLines {
    /// Counts one occurrence of `text`.
    pub fn add(&mut self, text: &str, reason: &str) {
        self.add_hashed(stable_hash(text.as_bytes()), text, reason);
    }

    /// Counts one occurrence of `text`, whose [`stable_hash`] is `hash`.
    fn add_hashed(&mut self, hash: u64, text: &str, reason: &str) {
        if let Some(&i) = self.index.get(&hash) {
            self.lines[i].n += 1;
            return;
        }
        let (i, min) = if self.lines.len() < TOP_LINES_TRACKED {
            self.lines.push(TopLine::default());
            (self.lines.len() - 1, 0)
        } else {
            // Replace the least counted line (the first of equals, so runs are reproducible).
            let i = self.least_counted();
            self.index
                .remove(&stable_hash(self.lines[i].text.as_bytes()));
            (i, self.lines[i].n)
        };
        self.index.insert(hash, i);
        // The replaced line's buffers are reused: most lines counted are seen once and evicted.
        let line = &mut self.lines[i];
        line.text.clear();
        line.text.push_str(text);
        line.reason.clear();
        line.reason.push_str(reason);
        line.n = min + 1;
        line.error = min;
    }

    /// The index of the least counted line, the first of equals, in a full table. Counts only
    /// grow and a replaced line counts one more than the least, so the search goes on from
    /// the last line replaced and looks at the whole table again only when no line is left at
    /// the least count: amortised, a few lines per call rather than a tree's rebalancing.
    fn least_counted(&mut self) -> usize {
        loop {
            let min_n = self.min_n;
            if let Some(k) = self.lines[self.cursor..]
                .iter()
                .position(|line| line.n == min_n)
            {
                let i = self.cursor + k;
                self.cursor = i + 1;
                return i;
            }
            self.min_n = self
                .lines
                .iter()
                .map(|line| line.n)
                .min()
                .expect("the table is full");
            self.cursor = 0;
        }
    }

    /// Every tracked line, to save in a checkpoint.
    pub fn lines(&self) -> &[TopLine] {
        &self.lines
    }

    /// The counter that tracked exactly `lines` (as [`TopLines::lines`] returned them).
    pub fn from_lines(lines: Vec<TopLine>) -> TopLines {
        let mut top = TopLines::default();
        for (i, line) in lines.iter().enumerate() {
            top.index.insert(stable_hash(line.text.as_bytes()), i);
        }
        top.lines = lines;
        top
    }

    /// The `k` most frequent lines surely seen in more than one document, most frequent first.
    pub fn top(&self, k: usize) -> Vec<TopLine> {
        let mut lines: Vec<TopLine> = self
            .lines
            .iter()
            .filter(|l| l.n - l.error > 1)
            .cloned()
            .collect();
        lines.sort_by(|a, b| b.n.cmp(&a.n).then_with(|| a.text.cmp(&b.text)));
        lines.truncate(k);
        lines
    }
}

/// The figures of one site.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SiteSummary {
    /// Documents of the site that reached export.
    pub n_docs: u64,
    /// Articles written.
    pub n_exported: u64,
    /// Rejected documents.
    pub n_rejected: u64,
    /// Documents dropped as duplicates.
    pub n_duplicates: u64,
    /// Non-blank input lines of the exported articles.
    pub n_lines: u64,
    /// Lines kept.
    pub n_kept: u64,
    /// Words written.
    pub n_words: u64,
    /// Removed lines by reason.
    pub removed: BTreeMap<String, u64>,
    /// The most frequent removed lines (boilerplate), computed when the report is made.
    pub top_lines: Vec<TopLine>,
    /// The counter behind `top_lines`.
    #[serde(skip)]
    pub counter: TopLines,
}

/// Document lengths in bytes before (input) and after (output text), as log2 histograms.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lengths {
    /// Bin `k` (see [`LENGTH_BINS`]): input documents.
    pub before: Vec<u64>,
    /// Bin `k`: output texts.
    pub after: Vec<u64>,
}

impl Default for Lengths {
    fn default() -> Lengths {
        Lengths {
            before: vec![0; LENGTH_BINS],
            after: vec![0; LENGTH_BINS],
        }
    }
}

/// The bin of a length: 0 for 0, else `floor(log2(n)) + 1`, capped.
pub fn length_bin(n: u64) -> usize {
    ((u64::BITS - n.leading_zeros()) as usize).min(LENGTH_BINS - 1)
}

/// One output file and what went into it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OutputFile {
    /// Where it was written.
    pub path: PathBuf,
    /// What it holds: `articles`, `articles directory` (the text and Markdown trees),
    /// `rejects`, `duplicates` or `report`.
    #[serde(default)]
    pub kind: String,
    /// Records in it (articles, rejects or duplicates).
    pub n_docs: u64,
    /// Its size in bytes (0 for standard output, a directory and the report itself).
    pub n_bytes: u64,
}

/// The kind of a reject reason: the reason with every run of digits replaced by `N`, so that
/// `file is 10 bytes, over the limit of 5` and `… 12 bytes …` count together.
pub fn reason_kind(reason: &str) -> String {
    let mut out = String::with_capacity(reason.len());
    let mut was_digit = false;
    for c in reason.chars() {
        let is_digit = c.is_ascii_digit();
        if !is_digit {
            out.push(c);
        } else if !was_digit {
            out.push('N');
        }
        was_digit = is_digit;
    }
    out
}

/// A reject as the summary keeps it.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RejectSample {
    /// The document id.
    pub id: String,
    /// Why it was rejected.
    pub reason: String,
}

/// The counts of a run, as export saw them. Every document is accounted for:
/// `n_seen = n_exported + n_duplicates + n_rejected`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// Documents that reached export.
    pub n_seen: u64,
    /// Articles written.
    pub n_exported: u64,
    /// Documents dropped as duplicates of another one (see `newsclean_dedupe::dup`).
    pub n_duplicates: u64,
    /// Rejected documents.
    pub n_rejected: u64,
    /// Removed lines by reason, over all articles.
    pub removed: BTreeMap<String, u64>,
    /// Rejects by the kind of their reason (see [`reason_kind`]; at most
    /// [`REASON_KINDS_TRACKED`] kinds, then [`OTHER_REASONS`]).
    pub rejects_by_reason: BTreeMap<String, u64>,
    /// The first [`REJECTS_LISTED`] rejects, with their reasons.
    pub first_rejects: Vec<RejectSample>,
    /// Input bytes of the exported articles.
    pub n_bytes: u64,
    /// Bytes of the exported articles' text.
    pub n_bytes_out: u64,
    /// Non-blank input lines of the exported articles.
    pub n_lines: u64,
    /// Lines kept.
    pub n_kept: u64,
    /// Words written.
    pub n_words: u64,
    /// Per site (see [`crate::fields::site`]; the empty string is "unknown").
    pub sites: BTreeMap<String, SiteSummary>,
    /// Document lengths before and after.
    pub lengths: Lengths,
    /// The files written (not for the text and markdown trees).
    pub files: Vec<OutputFile>,
    /// Groups of copies, largest first once the run is finished (see [`CLUSTERS_TRACKED`]).
    pub duplicate_clusters: Vec<DuplicateCluster>,
    /// The kept id of each cluster → its index in `duplicate_clusters`.
    #[serde(skip)]
    pub cluster_index: HashMap<String, usize>,
}

/// Adds `n` to `key`'s count, copying the key only the first time.
fn add_count(counts: &mut BTreeMap<String, u64>, key: &str, n: u32) {
    match counts.get_mut(key) {
        Some(count) => *count += u64::from(n),
        None => {
            counts.insert(key.to_owned(), u64::from(n));
        }
    }
}

impl ExportSummary {
    /// Counts an exported article of `site` whose text has `n_bytes_out` bytes.
    pub fn add_article(&mut self, article: &Article, site: &str, n_bytes_out: usize) {
        let stats = &article.stats;
        self.n_seen += 1;
        self.n_exported += 1;
        self.n_bytes += stats.n_bytes;
        self.n_bytes_out += n_bytes_out as u64;
        self.n_lines += u64::from(stats.n_lines);
        self.n_kept += u64::from(stats.n_kept);
        self.n_words += u64::from(stats.n_words);
        for (reason, n) in &stats.removed {
            add_count(&mut self.removed, reason, *n);
        }
        self.lengths.before[length_bin(stats.n_bytes)] += 1;
        self.lengths.after[length_bin(n_bytes_out as u64)] += 1;

        let entry = self.site_entry(site);
        entry.n_docs += 1;
        entry.n_exported += 1;
        entry.n_lines += u64::from(stats.n_lines);
        entry.n_kept += u64::from(stats.n_kept);
        entry.n_words += u64::from(stats.n_words);
        for (reason, n) in &stats.removed {
            add_count(&mut entry.removed, reason, *n);
        }
        // Count each line once per document: boilerplate is what recurs across pages.
        let mut seen = newsclean_core::hash::FastSet::default();
        for line in &stats.removed_sample {
            let hash = stable_hash(line.text.as_bytes());
            if seen.insert(hash) {
                entry.counter.add_hashed(hash, &line.text, &line.reason);
            }
        }
    }

    /// Counts a reject.
    pub fn add_reject(&mut self, reject: &Reject) {
        self.n_seen += 1;
        self.n_rejected += 1;
        let mut kind = reason_kind(&reject.reason);
        if self.rejects_by_reason.len() >= REASON_KINDS_TRACKED
            && !self.rejects_by_reason.contains_key(&kind)
        {
            OTHER_REASONS.clone_into(&mut kind);
        }
        *self.rejects_by_reason.entry(kind).or_default() += 1;
        if self.first_rejects.len() < REJECTS_LISTED {
            self.first_rejects.push(RejectSample {
                id: reject.id.clone(),
                reason: reject.reason.clone(),
            });
        }
        let site = site(&reject.id, &reject.source);
        let entry = self.site_entry(&site);
        entry.n_docs += 1;
        entry.n_rejected += 1;
    }

    /// Counts a document dropped as a copy of another.
    pub fn add_duplicate(&mut self, duplicate: &Duplicate) {
        self.n_seen += 1;
        self.n_duplicates += 1;
        let entry = self.site_entry(&site(&duplicate.id, &duplicate.source));
        entry.n_docs += 1;
        entry.n_duplicates += 1;
        let kept = &duplicate.duplicate_of;
        let i = match self.cluster_index.get(kept) {
            Some(&i) => i,
            None if self.duplicate_clusters.len() < CLUSTERS_TRACKED => {
                self.duplicate_clusters.push(DuplicateCluster {
                    ids: vec![kept.clone()],
                    n_docs: 1,
                });
                self.cluster_index
                    .insert(kept.clone(), self.duplicate_clusters.len() - 1);
                self.duplicate_clusters.len() - 1
            }
            None => return,
        };
        let cluster = &mut self.duplicate_clusters[i];
        cluster.n_docs += 1;
        if cluster.ids.len() < CLUSTER_IDS_LISTED {
            cluster.ids.push(duplicate.id.clone());
        }
    }

    /// Rebuilds `cluster_index` (it is not serialised).
    pub fn index_clusters(&mut self) {
        self.cluster_index = self
            .duplicate_clusters
            .iter()
            .enumerate()
            .map(|(i, c)| (c.ids[0].clone(), i))
            .collect();
    }

    fn site_entry(&mut self, site: &str) -> &mut SiteSummary {
        if !self.sites.contains_key(site) {
            self.sites.insert(site.to_owned(), SiteSummary::default());
        }
        self.sites.get_mut(site).expect("inserted above")
    }

    /// Fills every site's `top_lines` from its counter, and puts the largest duplicate
    /// clusters first (the first seen among equals): what a finished run reports.
    pub fn rank_top_lines(&mut self) {
        for site in self.sites.values_mut() {
            site.top_lines = site.counter.top(TOP_LINES_LISTED);
        }
        // A stable sort: clusters are in the order of their first copy in the input.
        self.duplicate_clusters
            .sort_by_key(|c| std::cmp::Reverse(c.n_docs));
        self.index_clusters();
    }
}

/// Busy time of one stage, summed over its threads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageTiming {
    /// The stage name.
    pub stage: String,
    /// Seconds spent working (not waiting), over all threads.
    pub busy_s: f64,
}

/// How long the run took, and how fast it went.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Timings {
    /// Wall-clock seconds.
    pub wall_s: f64,
    /// Input bytes read.
    pub n_bytes_read: u64,
    /// Documents per second (documents seen by export over wall time).
    pub docs_per_s: f64,
    /// Input megabytes (10^6 bytes) per second.
    pub mb_per_s: f64,
    /// Per stage, in pipeline order.
    pub stages: Vec<StageTiming>,
}

impl Timings {
    /// The timings of a run of `n_docs` documents and `n_bytes_read` input bytes.
    pub fn new(
        wall: Duration,
        n_docs: u64,
        n_bytes_read: u64,
        stages: Vec<StageTiming>,
    ) -> Timings {
        let wall_s = wall.as_secs_f64();
        let per_s = |x: f64| if wall_s > 0.0 { x / wall_s } else { 0.0 };
        Timings {
            wall_s,
            n_bytes_read,
            docs_per_s: per_s(n_docs as f64),
            mb_per_s: per_s(n_bytes_read as f64 / 1e6),
            stages,
        }
    }
}

/// A group of documents that are copies of each other.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuplicateCluster {
    /// The ids: the one kept first, then its copies in input order (at most
    /// [`CLUSTER_IDS_LISTED`]).
    pub ids: Vec<String>,
    /// Documents in the cluster, the kept one included.
    pub n_docs: u64,
}

/// Everything `--report` writes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Report {
    /// The newsclean version.
    pub version: String,
    /// The command line.
    pub args: Vec<String>,
    /// Worker threads.
    pub threads: usize,
    /// The counts.
    #[serde(flatten)]
    pub summary: ExportSummary,
    /// Time and throughput.
    pub timings: Timings,
}

impl Report {
    /// Writes the report atomically: HTML when the name ends in `.html` or `.htm`, else JSON.
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let is_html = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| e.eq_ignore_ascii_case("html") || e.eq_ignore_ascii_case("htm"));
        let body = if is_html {
            crate::html::render(self)
        } else {
            let mut json =
                serde_json::to_string_pretty(self).expect("serialising to memory cannot fail");
            json.push('\n');
            json
        };
        let mut file = AtomicFile::create(path)?;
        file.write_all(body.as_bytes())
            .map_err(|source| Error::Write {
                path: path.to_path_buf(),
                source,
            })?;
        file.commit()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bins() {
        assert_eq!(length_bin(0), 0);
        assert_eq!(length_bin(1), 1);
        assert_eq!(length_bin(2), 2);
        assert_eq!(length_bin(3), 2);
        assert_eq!(length_bin(1024), 11);
        assert_eq!(length_bin(u64::MAX), LENGTH_BINS - 1);
    }

    #[test]
    fn top_lines_keep_the_heavy_hitters() {
        let mut top = TopLines::default();
        // 200 one-off lines interleaved with two lines that recur.
        for i in 0..2000 {
            top.add(&format!("once {i}"), "low_score");
            if i % 2 == 0 {
                top.add("Home | News | Sport", "low_score");
            }
            if i % 4 == 0 {
                top.add("© 2023 Example", "boilerplate");
            }
        }
        let lines = top.top(2);
        assert_eq!(lines[0].text, "Home | News | Sport");
        assert_eq!(lines[1].text, "© 2023 Example");
        assert!(lines[0].n - lines[0].error <= 1000 && lines[0].n >= 1000);
        assert!(lines[1].n - lines[1].error <= 500 && lines[1].n >= 500);
    }

    #[test]
    fn rejects_count_by_kind_of_reason() {
        assert_eq!(
            reason_kind("file is 10 bytes, over the limit of 5 (--max-doc-bytes)"),
            "file is N bytes, over the limit of N (--max-doc-bytes)"
        );
        assert_eq!(
            reason_kind("no article text (3 words)"),
            "no article text (N words)"
        );
        let mut summary = ExportSummary::default();
        for i in 0..(REASON_KINDS_TRACKED + 20) {
            let reject = Reject {
                seq: i as u64,
                id: format!("d{i}"),
                source: newsclean_core::DocSource::default(),
                reason: format!("reason {}", "x".repeat(i % (REASON_KINDS_TRACKED + 5))),
            };
            summary.add_reject(&reject);
            summary.add_reject(&reject);
        }
        assert_eq!(summary.rejects_by_reason.len(), REASON_KINDS_TRACKED + 1);
        assert_eq!(summary.rejects_by_reason["reason "], 4);
        assert_eq!(summary.rejects_by_reason[OTHER_REASONS], 10);
        let total: u64 = summary.rejects_by_reason.values().sum();
        assert_eq!(total, summary.n_rejected);
        assert_eq!(summary.first_rejects.len(), REJECTS_LISTED);
        assert_eq!(summary.first_rejects[1].id, "d0");
    }

    /// Space-saving as a tree of `(count, index)` finds the least counted line: the
    /// definition [`TopLines::least_counted`] must agree with, line for line.
    fn top_lines_by_tree(texts: &[String]) -> Vec<TopLine> {
        let mut lines: Vec<TopLine> = Vec::new();
        let mut order = std::collections::BTreeSet::new();
        for text in texts {
            if let Some(i) = lines.iter().position(|line| &line.text == text) {
                order.remove(&(lines[i].n, i));
                lines[i].n += 1;
                order.insert((lines[i].n, i));
                continue;
            }
            let (i, min) = if lines.len() < TOP_LINES_TRACKED {
                lines.push(TopLine::default());
                (lines.len() - 1, 0)
            } else {
                let (min, i) = order.pop_first().unwrap();
                (i, min)
            };
            order.insert((min + 1, i));
            lines[i] = TopLine {
                text: text.clone(),
                reason: "r".into(),
                n: min + 1,
                error: min,
            };
        }
        lines
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(32))]
        #[test]
        fn top_lines_replace_the_least_counted_first_of_equals(
            picks in proptest::collection::vec((0u32..400, 0u32..8), 1..3000),
        ) {
            // Lines drawn from a few heavy ones and many rare ones, so the table fills and
            // evicts at many counts.
            let texts: Vec<String> = picks
                .iter()
                .map(|&(rare, heavy)| if heavy < 3 { format!("h{heavy}") } else { format!("r{rare}") })
                .collect();
            let mut top = TopLines::default();
            for text in &texts {
                top.add(text, "r");
            }
            proptest::prop_assert_eq!(top.lines(), &top_lines_by_tree(&texts)[..]);
        }
    }

    #[test]
    fn top_lines_skip_lines_seen_once() {
        let mut top = TopLines::default();
        top.add("a", "x");
        top.add("b", "x");
        top.add("b", "x");
        assert_eq!(top.top(10).len(), 1);
    }
}
