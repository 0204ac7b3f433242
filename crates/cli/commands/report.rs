//! `--report`: the report file made from the sink's summary plus what only the binary knows
//! (timings from the engine's stage clocks, threads, arguments).

use std::path::Path;

use anyhow::Context as _;
pub use newsclean_engine::clock::{Part, StageClock};
use newsclean_export::report::{OutputFile, Timings};
use newsclean_export::{ExportSummary, Report};
use newsclean_pipeline::RunStats;

/// Writes the report of a completed run to `path`.
pub fn write(
    path: &Path,
    summary: &ExportSummary,
    stats: &RunStats,
    threads: usize,
    clock: &StageClock,
) -> anyhow::Result<()> {
    // The report lists every file of the run, itself included.
    let mut summary = summary.clone();
    summary.files.push(OutputFile {
        path: path.to_path_buf(),
        kind: "report".to_owned(),
        n_docs: 0,
        n_bytes: 0,
    });
    let report = Report {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        args: std::env::args().collect(),
        threads,
        timings: Timings::new(
            stats.elapsed,
            summary.n_seen,
            stats.n_bytes,
            clock.timings(),
        ),
        summary,
    };
    report
        .write(path)
        .with_context(|| format!("failed to write the report {}", path.display()))
}
