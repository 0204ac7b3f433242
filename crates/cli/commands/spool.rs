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
//!
//! Pass 1's sink is the one thread that sees every document in order, so it is where a run
//! on many threads waits: it learns the site model there and hands the encoding and writing
//! of the spool to a thread of its own (on the device machine's 16 cores, this sink bounded
//! the whole run; see PERFORMANCE.md).

use std::fs::File;
use std::io::{BufReader, BufWriter, Seek, SeekFrom};
use std::path::Path;
use std::thread::JoinHandle;

use anyhow::Context as _;
use crossbeam_channel::{Sender, bounded};
use newsclean_core::codec::{self, Encoded, FrameReader, FrameWriter};
use newsclean_core::{Record, Reporter, Seq, Sink, Source, StageError, StageId, StreamKind};

/// Where a spool goes: `dir`, or the system's temporary directory when `None`.
#[derive(Debug, Clone, Copy)]
pub struct SpoolPlace<'a> {
    pub dir: Option<&'a Path>,
}

type Encoder = BufWriter<File>;
type Decoder = BufReader<File>;

/// Records on their way to the spool's writer thread, at most.
const SPOOL_QUEUE: usize = 16;

/// Pass 1's sink: spools the split documents (the workers counted their lines and encoded
/// them, `newsclean_engine::learn_encoded`) on a thread of its own, which the records reach
/// in order through a channel. Its frames are [`FrameWriter::write_encoded`]'s: pass 2's
/// source reads them back still encoded, and its workers decode them.
pub struct SpoolWriter {
    queue: Option<Sender<Record>>,
    writer: Option<JoinHandle<Result<FrameWriter<Encoder>, codec::Error>>>,
}

impl SpoolWriter {
    /// A spool in `dir` (the system's temporary directory when `None`).
    pub fn create(dir: Option<&Path>) -> anyhow::Result<Self> {
        let file = match dir {
            Some(dir) => tempfile::tempfile_in(dir),
            None => tempfile::tempfile(),
        }
        .context("failed to create the spool file for pass 2")?;
        let encoder = BufWriter::with_capacity(1 << 20, file);
        let mut frames = FrameWriter::new(encoder, StreamKind::Marked)
            .context("failed to write the spool file")?;
        let (queue, records) = bounded::<Record>(SPOOL_QUEUE);
        let writer = std::thread::Builder::new()
            .name("spool".into())
            .spawn(move || {
                for record in records {
                    match record {
                        Record::Encoded(encoded) => frames.write_encoded(&encoded)?,
                        record => frames.write_encoded(&Encoded::new(&record)?)?,
                    }
                }
                Ok(frames)
            })
            .context("failed to start the spool's writer thread")?;
        Ok(SpoolWriter {
            queue: Some(queue),
            writer: Some(writer),
        })
    }

    /// The spool, ready to be read from its start, once every record is written.
    pub fn into_spool(mut self) -> anyhow::Result<Spool> {
        let frames = self.join().context("failed to write the spool file")?;
        let encoder = frames.finish().context("failed to write the spool file")?;
        let mut file = encoder
            .into_inner()
            .map_err(std::io::IntoInnerError::into_error)
            .context("failed to write the spool file")?;
        file.seek(SeekFrom::Start(0))
            .context("failed to rewind the spool file")?;
        Ok(Spool { file })
    }

    /// Ends the queue and waits for the writer thread: its frames, or the error it stopped at.
    fn join(&mut self) -> Result<FrameWriter<Encoder>, codec::Error> {
        drop(self.queue.take());
        let writer = self.writer.take().ok_or_else(|| {
            codec::Error::Io(std::io::Error::other("the spool is already finished"))
        })?;
        writer.join().unwrap_or_else(|_| {
            Err(codec::Error::Io(std::io::Error::other(
                "the spool's writer thread panicked",
            )))
        })
    }
}

impl Sink for SpoolWriter {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let queue = self
            .queue
            .as_ref()
            .ok_or_else(|| StageError::new(StageId::Dedupe, "the spool is already finished"))?;
        if queue.send(record).is_err() {
            // The writer thread stopped: its error says why.
            let err = match self.join() {
                Err(err) => err,
                Ok(_) => {
                    codec::Error::Io(std::io::Error::other("the spool's writer thread stopped"))
                }
            };
            return Err(StageError::new(StageId::Dedupe, err));
        }
        Ok(())
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
        let decoder = BufReader::with_capacity(1 << 20, self.file);
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
            .read_encoded()
            .map_err(|err| StageError::new(StageId::Ingest, err))?
        {
            if record.seq < self.resume_from {
                continue;
            }
            // Each spooled document counts as found and read, as the walk reports an input.
            self.reporter.on_found(record.n_bytes);
            self.reporter.on_read(record.n_bytes);
            // The workers decode it (ingest's `Decoder`).
            if !emit(Record::Encoded(record)) {
                break;
            }
        }
        self.reporter.on_found_all();
        Ok(())
    }
}
