//! Inputs that can be read only once (a pipe such as `<(zcat x)`, a named FIFO, a device),
//! copied to a temporary file before a run that reads its inputs twice (pass 1, then pass 2),
//! so that both passes see the same bytes and neither waits for a writer that is gone. See:
//! issue 13 (item 6).

use std::path::{Path, PathBuf};

use anyhow::Context as _;

/// The most a spooled input may hold: beyond it, the run stops with a hint to read the input
/// once (`--model`, `--no-site-model`) instead.
pub const MAX_SPOOL_BYTES: u64 = 64 << 30;

/// The copies of a run's one-read inputs; removed when dropped.
#[derive(Default)]
pub struct Spool {
    copies: Vec<(PathBuf, tempfile::NamedTempFile)>,
}

impl Spool {
    /// Copies every input of `inputs` that is neither a regular file, a directory nor `-`
    /// (standard input, which a run reads once), at most `max_bytes` each.
    pub fn new(inputs: &[PathBuf], max_bytes: u64) -> anyhow::Result<Spool> {
        let mut spool = Spool::default();
        for input in inputs {
            if input == Path::new("-") || spool.copies.iter().any(|(given, _)| given == input) {
                continue;
            }
            let Ok(meta) = std::fs::metadata(input) else {
                continue;
            };
            if meta.is_file() || meta.is_dir() {
                continue;
            }
            let copy = copy_once(input, max_bytes)?;
            spool.copies.push((input.clone(), copy));
        }
        Ok(spool)
    }

    /// `(as given, copy)` for each spooled input.
    pub fn pairs(&self) -> Vec<(PathBuf, PathBuf)> {
        self.copies
            .iter()
            .map(|(given, copy)| (given.clone(), copy.path().to_path_buf()))
            .collect()
    }
}

fn copy_once(input: &Path, max_bytes: u64) -> anyhow::Result<tempfile::NamedTempFile> {
    let mut copy = tempfile::Builder::new()
        .prefix(".newsclean-spool-")
        .tempfile()
        .context("failed to create a temporary file to spool a piped input")?;
    let file = std::fs::File::open(input)
        .with_context(|| format!("failed to read {}", input.display()))?;
    let n_copied = std::io::copy(
        &mut std::io::Read::take(file, max_bytes.saturating_add(1)),
        copy.as_file_mut(),
    )
    .with_context(|| format!("failed to spool {}", input.display()))?;
    if n_copied > max_bytes {
        anyhow::bail!(
            "{} is a pipe or device that holds more than {max_bytes} bytes, too much to keep for \
             the two passes of a run; give --model or --no-site-model to read it once",
            input.display()
        );
    }
    Ok(copy)
}
