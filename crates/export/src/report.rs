//! The machine-readable report of a run (`--report PATH`): the accounting of every input
//! document, and what the cleaner removed.
//!
//! The shape only grows: new keys may be added, existing ones keep their meaning.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;

use serde::Serialize;

use crate::atomic::AtomicFile;
use crate::{Error, ExportSummary};

/// The report of a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Where every input document went: `seen` = `exported` + `rejected`.
    pub documents: DocumentCounts,
    /// Removed lines by reason, over all exported articles.
    pub lines_removed: BTreeMap<String, u64>,
    /// Input bytes of the exported articles.
    pub input_bytes: u64,
}

/// The accounting of input documents.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DocumentCounts {
    /// Documents that reached the end of the pipeline.
    pub seen: u64,
    /// Articles written.
    pub exported: u64,
    /// Documents rejected, each with a reason in the rejects file.
    pub rejected: u64,
}

impl Report {
    /// The report of a run with these counts.
    pub fn new(summary: &ExportSummary) -> Report {
        Report {
            documents: DocumentCounts {
                seen: summary.n_seen,
                exported: summary.n_exported,
                rejected: summary.n_rejected,
            },
            lines_removed: summary.removed.clone(),
            input_bytes: summary.n_bytes,
        }
    }

    /// Writes the report as pretty JSON to `path` (atomically).
    pub fn write(&self, path: &Path) -> Result<(), Error> {
        let mut file = AtomicFile::create(path)?;
        let mut json = serde_json::to_vec_pretty(self).expect("a report always serialises");
        json.push(b'\n');
        file.write_all(&json).map_err(|source| Error::Write {
            path: path.to_path_buf(),
            source,
        })?;
        file.commit()
    }
}
