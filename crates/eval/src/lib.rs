//! Eval: scores cleaned articles against human ground truth with exactly the metrics of the
//! benchmark's `score.py` (the scrapinghub article-extraction-benchmark metric), so that a CI
//! quality gate, training scripts and `newsclean eval` need no Python.
//!
//! # Brief overview
//!
//! - [`score_doc`] scores one prediction against its truth: tokens are Python's `\w+`
//!   ([`text::tokens`]), compared as bags of 4-token shingles and of single tokens, with the
//!   clipped counts normalised per document ([`Overlap`]); with a title, the first output line
//!   is checked against it and repeats of it are counted.
//! - [`summarize`] averages document scores: macro precision over documents that predicted
//!   something, macro recall over documents whose truth has something, F1 as the harmonic
//!   mean of the two; the title rates; and, optionally, the bootstrap standard deviation with
//!   Python's own random generator, so the resamples are those of `score.py`.
//! - [`evaluate`] does what `score.py BENCH PRED` does: reads the manifest, scores every
//!   document (a missing prediction is empty output) and summarises all documents and each
//!   source. [`Report::table`] and [`Report::to_json`] give `score.py`'s table and JSON file.
//!
//! Figures agree with `score.py` to far more than the 3 printed decimals. Two sources of
//! difference remain: Unicode versions (a character assigned after the Python's Unicode
//! version is `\w` here and not there), and the last bits of means, which `score.py` sums
//! exactly with fractions and this crate with a compensated float sum.
//!
//! ```
//! use newsclean_eval::{score_doc, summarize};
//! let truth = "A title\nThe first paragraph has exactly nine words in it.";
//! let pred = "A title\nThe first paragraph has exactly nine words.\nShare this";
//! let doc = score_doc(truth, pred, true);
//! assert!(doc.title.unwrap().is_exact);
//! // 8 shingles on each side, 6 of them shared: tp, fp, fn = 0.6, 0.2, 0.2.
//! assert_eq!(doc.shingles.tp, 0.6);
//! // Like score.py, precision is 0.6 / (0.6 + 0.2), which rounds to just under 0.75.
//! assert_eq!(doc.precision(), 0.7499999999999999);
//! let m = summarize(&[doc], None).metrics.unwrap();
//! assert!((m.shingles.f1 - 0.75).abs() < 1e-12);
//! ```

pub mod bench;
pub mod random;
mod render;
pub mod score;
pub mod summary;
pub mod text;

use std::path::PathBuf;

pub use bench::{BenchDoc, EvalConfig, Report, ScoredDoc, evaluate, load_manifest};
pub use score::{DocScore, Overlap, TitleMiss, TitleScore, score_doc};
pub use summary::{Bootstrap, Macro, Metrics, Spread, Summary, TitleRates, summarize};

/// The manifest file of a benchmark directory.
pub const MANIFEST: &str = "manifest.jsonl";

/// The suffix of truth files: `<id>.truth.txt`.
pub const TRUTH_SUFFIX: &str = ".truth.txt";

/// Why a benchmark could not be scored.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A truth or prediction directory is missing.
    #[error("{} is not a directory", path.display())]
    NotADirectory {
        /// The path given.
        path: PathBuf,
    },
    /// A file exists but could not be read.
    #[error("failed to read {}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The benchmark directory could not be listed (without a manifest).
    #[error("failed to list {}", path.display())]
    List {
        /// The directory.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A manifest line is not a JSON object with a string `id`.
    #[error("{}:{line}: invalid manifest line: {reason}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// Its 1-based line number.
        line: usize,
        /// What is wrong with it.
        reason: String,
    },
}
