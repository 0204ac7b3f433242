//! The spool: what pass 1 read, decoded and split, kept on disk for pass 2, so that a run
//! reads, decompresses, parses (HTML) and splits every input once.
//!
//! Pass 1 needs every document before pass 2 can start (the site model counts lines over
//! the whole archive), so the documents must either be read twice or kept. Reading twice
//! paid decompression, HTML parsing and line normalisation twice, and could not work at all
//! for inputs that can be read only once (pipes). The spool is an anonymous temporary file
//! (removed by the system when the run ends, however it ends) beside the output, holding the
//! frame stream of pass 1's records (split documents and rejects, in input order): about
//! 2.3 times the size of the decoded text (the text, each line's normal form, and the
//! lines' offsets and hashes).
//!
//! Measured (instructions of a whole run on 206 dev pages, callgrind): plain text 1.22 G
//! reading twice, 1.17 G with the spool; the same pages as one `.jsonl.zst` file 1.45 G and
//! 1.29 G; as a `.warc.gz` 1.35 G and 1.24 G; the dev pages' HTML 13.4 and 8.4 CPU-seconds.
//! Compressing the spool with zstd cost more than it saved (1.30 G at level -5, 1.38 G at
//! level 1 on plain text), so it is written plain; a run that cannot afford the disk space
//! learns the model first (`newsclean learn`, then `run --model`), which reads twice.

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::path::Path;

use anyhow::Context as _;
use newsclean_core::codec::{FrameReader, FrameWriter};
use newsclean_core::{
    Envelope, Record, Reporter, Seq, Sink, Source, StageError, StageId, StreamKind,
};
use newsclean_dedupe::site::SiteLearner;

/// Where a spool goes: `dir`, or the system's temporary directory when `None`.
#[derive(Debug, Clone, Copy)]
pub struct SpoolPlace<'a> {
    pub dir: Option<&'a Path>,
}

type Encoder = BufWriter<File>;
type Decoder = BufReader<File>;

/// Pass 1's sink: learns the site model from every split document and spools the records.
pub struct SpoolWriter<'a> {
    learner: &'a mut SiteLearner,
    frames: Option<FrameWriter<Encoder>>,
}

impl<'a> SpoolWriter<'a> {
    /// A spool in `dir` (the system's temporary directory when `None`).
    pub fn create(dir: Option<&Path>, learner: &'a mut SiteLearner) -> anyhow::Result<Self> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .context("failed to create the spool file for pass 2")?;
        let encoder = BufWriter::with_capacity(1 << 16, file);
        let frames = FrameWriter::new(encoder, StreamKind::Marked)
            .context("failed to write the spool file")?;
        Ok(SpoolWriter {
            learner,
            frames: Some(frames),
        })
    }

    /// The spool, ready to be read from its start; `None` after a failed or missing finish.
    pub fn into_spool(mut self) -> anyhow::Result<Spool> {
        let frames = self.frames.take().context("the spool was not finished")?;
        let encoder = frames.finish().context("failed to write the spool file")?;
        let mut file = encoder
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .context("failed to write the spool file")?;
        file.seek(SeekFrom::Start(0))
            .context("failed to rewind the spool file")?;
        Ok(Spool { file })
    }

    fn frames(&mut self) -> Result<&mut FrameWriter<Encoder>, StageError> {
        self.frames
            .as_mut()
            .ok_or_else(|| StageError::new(StageId::Dedupe, "the spool is already finished"))
    }
}

impl Sink for SpoolWriter<'_> {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        if let Record::Marked(marked) = &record {
            self.learner.add(marked);
        }
        self.frames()?
            .write(&record)
            .map_err(|err| StageError::new(StageId::Dedupe, err))
    }

    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

/// A finished spool.
pub struct Spool {
    file: File,
}

impl Spool {
    /// Pass 2's source: the spooled records from `resume_from` on (earlier ones, which an
    /// interrupted run already wrote, are skipped, as the input walk skips them).
    pub fn source(
        self,
        resume_from: Seq,
        reporter: &dyn Reporter,
    ) -> anyhow::Result<SpoolSource<'_>> {
        let decoder = BufReader::with_capacity(1 << 16, self.file);
        let frames = FrameReader::new(decoder).context("failed to read the spool file")?;
        Ok(SpoolSource {
            frames,
            resume_from,
            reporter,
        })
    }
}

/// Reads a spool back, reporting each document as found, as the input walk does.
pub struct SpoolSource<'r> {
    frames: FrameReader<Decoder>,
    resume_from: Seq,
    reporter: &'r dyn Reporter,
}

impl Source for SpoolSource<'_> {
    type Item = Record;

    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        while let Some(record) = self
            .frames
            .read()
            .map_err(|err| StageError::new(StageId::Ingest, err))?
        {
            if record.seq() < self.resume_from {
                continue;
            }
            // Each spooled document counts as found and read, as the walk reports an input.
            self.reporter.on_found(record.n_bytes());
            self.reporter.on_read(record.n_bytes());
            if !emit(record) {
                break;
            }
        }
        self.reporter.on_found_all();
        Ok(())
    }
}
