//! Progress reporting, as a trait the binary implements.

use std::fmt;

/// The stages, as named in progress and errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageId {
    /// Reading and decoding input.
    Ingest,
    /// Line normalisation and repeated-line marking.
    Dedupe,
    /// Building articles.
    Segment,
    /// Writing output.
    Export,
}

impl fmt::Display for StageId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            StageId::Ingest => "ingest",
            StageId::Dedupe => "dedupe",
            StageId::Segment => "segment",
            StageId::Export => "export",
        })
    }
}

/// Receives progress events. Libraries call it; only the binary draws anything.
pub trait Reporter: Send + Sync {
    /// The input walk found a file of `n_bytes` bytes.
    fn on_found(&self, _n_bytes: u64) {}
    /// The input walk is complete.
    fn on_found_all(&self) {}
    /// `n_bytes` more bytes of the input files were read, as stored: compressed bytes for a
    /// compressed file, so that they add up to the sizes of [`Reporter::on_found`].
    fn on_read(&self, _n_bytes: u64) {}
    /// The workers finished one document of `n_bytes` input bytes.
    fn on_processed(&self, _n_bytes: u64) {}
    /// The sink wrote one document.
    fn on_written(&self) {}
}

/// A reporter that ignores every event.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoopReporter;

impl Reporter for NoopReporter {}
