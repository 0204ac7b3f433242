//! The checkpoint of a resumable run: how far its output files are complete.

use std::fs::File;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use std::collections::BTreeMap;

use newsclean_core::Seq;
use serde::{Deserialize, Serialize};

use crate::report::{TopLine, TopLines};
use crate::{Error, ExportConfig, ExportSummary};

/// The checkpoint format; a file of another version is not trusted.
const VERSION: u32 = 4;

/// What a resumed run needs to go on where the last checkpoint was taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Checkpoint {
    version: u32,
    /// The hash of the arguments of the run (hex), so that a run with other arguments does
    /// not continue this one's output.
    fingerprint: String,
    /// The first document not yet written.
    pub next_seq: Seq,
    /// The complete length of the output file (0 for the text tree).
    pub output_len: u64,
    /// The complete length of the rejects file, when there is one.
    pub rejects_len: Option<u64>,
    /// The complete length of the duplicates file, when there is one.
    pub duplicates_len: Option<u64>,
    /// The counts up to `next_seq`.
    pub summary: ExportSummary,
    /// Per site, the removed-line counter behind the report's top lines (the summary does not
    /// serialise it).
    pub top_lines: BTreeMap<String, Vec<TopLine>>,
}

impl Checkpoint {
    pub(crate) fn new(
        fingerprint: u64,
        next_seq: Seq,
        output_len: u64,
        rejects_len: Option<u64>,
        duplicates_len: Option<u64>,
        summary: &ExportSummary,
    ) -> Checkpoint {
        Checkpoint {
            version: VERSION,
            fingerprint: format!("{fingerprint:016x}"),
            next_seq,
            output_len,
            rejects_len,
            duplicates_len,
            summary: summary.clone(),
            top_lines: summary
                .sites
                .iter()
                .map(|(site, s)| (site.clone(), s.counter.lines().to_vec()))
                .collect(),
        }
    }

    /// The counts up to `next_seq`, with every site's removed-line counter and the index of
    /// duplicate clusters restored.
    pub(crate) fn summary(&self) -> ExportSummary {
        let mut summary = self.summary.clone();
        summary.index_clusters();
        for (site, lines) in &self.top_lines {
            if let Some(entry) = summary.sites.get_mut(site) {
                entry.counter = TopLines::from_lines(lines.clone());
            }
        }
        summary
    }

    /// Checks that this checkpoint (read from `path`) belongs to a run like `config`.
    pub(crate) fn check(
        &self,
        path: &Path,
        fingerprint: u64,
        config: &ExportConfig,
    ) -> Result<(), Error> {
        let reason = if self.version != VERSION {
            format!("it has format version {}, not {VERSION}", self.version)
        } else if self.fingerprint != format!("{fingerprint:016x}") {
            "it was written by a run with other arguments or another newsclean version; \
             rerun with the same arguments, or delete it to start over"
                .to_owned()
        } else if self.rejects_len.is_some() != config.rejects.is_some() {
            "it does not match the rejects file of this run".to_owned()
        } else if self.duplicates_len.is_some() != config.duplicates.is_some() {
            "it does not match the duplicates file of this run".to_owned()
        } else {
            return Ok(());
        };
        Err(Error::Resume {
            path: path.to_path_buf(),
            reason,
        })
    }
}

/// The checkpoint file of an output: `<output>.checkpoint`.
pub(crate) fn path(output: &Path) -> PathBuf {
    let mut name = output
        .file_name()
        .map(std::ffi::OsStr::to_os_string)
        .unwrap_or_default();
    name.push(".checkpoint");
    output.with_file_name(name)
}

/// Reads the checkpoint at `path`, if there is one.
pub(crate) fn load(path: &Path) -> Result<Option<Checkpoint>, Error> {
    let bytes = match std::fs::read(path) {
        Ok(bytes) => bytes,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(source) => {
            return Err(Error::Write {
                path: path.to_path_buf(),
                source,
            });
        }
    };
    serde_json::from_slice(&bytes)
        .map(Some)
        .map_err(|err| Error::Resume {
            path: path.to_path_buf(),
            reason: format!("it is not a valid checkpoint ({err}); delete it to start over"),
        })
}

/// Writes `checkpoint` to `path` atomically and durably: a temporary file, synced, renamed.
pub(crate) fn save(path: &Path, checkpoint: &Checkpoint) -> Result<(), Error> {
    let tmp = path.with_extension("checkpoint-tmp");
    let write = || -> io::Result<()> {
        let mut file = File::create(&tmp)?;
        file.write_all(&serde_json::to_vec(checkpoint).map_err(io::Error::other)?)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)
    };
    write().map_err(|source| Error::Write {
        path: path.to_path_buf(),
        source,
    })
}

/// Removes the checkpoint at `path`, if any.
pub(crate) fn remove(path: &Path) -> Result<(), Error> {
    match std::fs::remove_file(path) {
        Err(err) if err.kind() != io::ErrorKind::NotFound => Err(Error::Write {
            path: path.to_path_buf(),
            source: err,
        }),
        _ => Ok(()),
    }
}
