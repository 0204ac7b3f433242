//! Export: writes articles in input order as JSONL, a tree of text files, or a bincode frame
//! stream, and rejects as JSON lines; keeps the run's counts.
//!
//! # Brief overview
//!
//! [`ExportSink`] is the pipeline's sink. Every file is written under a temporary name in its
//! final directory and renamed into place when complete ([`atomic::AtomicFile`]), so a crash
//! or Ctrl-C never leaves a half-written file that looks finished.
//!
//! The JSONL schema (one object per line; `null` where a field is unknown):
//! `id`, `source` (`path`, and `member`/`url` when known), `title`, `byline`, `published`,
//! `summary` (list), `sections` (list of `{heading, paragraphs}`), `related` (list), `text`
//! (title, summary, headings and paragraphs joined by `\n`), `stats`, and `meta` (the input
//! record's other fields, only when it had some).
//!
//! # Resuming
//!
//! [`ExportSink::resumable`] writes its files under stable temporary names
//! (`<name>.partial`) and, every [`CHECKPOINT_EVERY`] documents, syncs them and records in
//! `<output>.checkpoint` how far they are complete: the next `seq`, their lengths and the
//! counts. A run started again with the same arguments cuts the files back to the
//! checkpoint and asks the source to skip the documents before it, so a run killed at any
//! moment ends with the same output as one that never stopped.

pub mod atomic;
mod checkpoint;
mod json;
pub mod report;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use newsclean_core::codec::FrameWriter;
use newsclean_core::{Article, Record, Reject, Seq, Sink, StageError, StageId, StreamKind};
use serde::{Deserialize, Serialize};

use crate::atomic::AtomicFile;
use crate::checkpoint::Checkpoint;

/// How many documents a resumable sink writes between two checkpoints.
pub const CHECKPOINT_EVERY: u64 = 64;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per article per line.
    Jsonl,
    /// A directory with one `<id>.txt` per article: title on line 1, then one paragraph per line.
    Text,
    /// A frame stream of articles, as `newsclean segment` writes.
    Bincode,
}

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// The output format.
    pub format: Format,
    /// The output file or directory; `-` writes JSONL or bincode to standard output.
    pub output: PathBuf,
    /// Where to write rejects as JSON lines, if anywhere.
    pub rejects: Option<PathBuf>,
}

/// Errors of the export stage; all are fatal.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Creating, writing or renaming an output file failed.
    #[error("failed to write {}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: io::Error,
    },
    /// The frame stream could not be written.
    #[error("failed to write the frame stream")]
    Frames(#[source] newsclean_core::codec::Error),
    /// The text format needs a directory.
    #[error("the text format writes a directory; `-` (standard output) is not one")]
    TextToStdout,
    /// The sink was given something other than articles.
    #[error("export writes articles (the output of segment), got a {0}")]
    UnexpectedInput(&'static str),
    /// An article id cannot be a file name.
    #[error("article id {0:?} cannot be used as a file name")]
    BadId(String),
    /// A resumable run needs output files.
    #[error("--resume needs an output file or directory, not standard output")]
    ResumeToStdout,
    /// The checkpoint does not fit this run or its files.
    #[error("cannot resume from {}: {reason}", path.display())]
    Resume {
        /// The checkpoint file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
}

fn fail(err: Error) -> StageError {
    StageError::new(StageId::Export, err)
}

/// The counts of a run, as export saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportSummary {
    /// Documents that reached export.
    pub n_seen: u64,
    /// Articles written.
    pub n_exported: u64,
    /// Rejected documents.
    pub n_rejected: u64,
    /// Removed lines by reason, over all articles.
    pub removed: BTreeMap<String, u64>,
    /// Input bytes of the exported articles.
    pub n_bytes: u64,
}

enum Writer {
    Jsonl { out: Output, line: Vec<u8> },
    Text { dir: PathBuf },
    Frames(Option<FrameWriter<Output>>),
}

/// A file being written, or standard output.
enum Output {
    File(AtomicFile),
    Stdout(io::BufWriter<io::Stdout>),
}

impl Output {
    fn open(path: &Path) -> Result<Output, Error> {
        if path == Path::new("-") {
            Ok(Output::Stdout(io::BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )))
        } else {
            AtomicFile::create(path).map(Output::File)
        }
    }

    fn path(&self) -> PathBuf {
        match self {
            Output::File(file) => file.path().to_path_buf(),
            Output::Stdout(_) => PathBuf::from("-"),
        }
    }

    /// Flushes and syncs a file output; returns its length.
    fn sync(&mut self) -> Result<u64, Error> {
        match self {
            Output::File(file) => file.sync(),
            Output::Stdout(_) => Err(Error::ResumeToStdout),
        }
    }

    fn commit(self) -> Result<(), Error> {
        match self {
            Output::File(file) => file.commit(),
            Output::Stdout(mut out) => out.flush().map_err(|source| Error::Write {
                path: "-".into(),
                source,
            }),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::File(file) => file.write(buf),
            Output::Stdout(out) => out.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::File(file) => file.flush(),
            Output::Stdout(out) => out.flush(),
        }
    }
}

/// The sink that writes articles and rejects.
pub struct ExportSink {
    writer: Writer,
    rejects: Option<AtomicFile>,
    summary: ExportSummary,
    resume: Option<ResumeState>,
}

/// The checkpointing state of a resumable sink.
struct ResumeState {
    /// The checkpoint file.
    path: PathBuf,
    fingerprint: u64,
    /// The seq after the last document written.
    next_seq: Seq,
    /// Documents written since the last checkpoint.
    n_unsaved: u64,
}

/// How a sink opens its files.
enum Open<'c> {
    /// Under a temporary name of this process, removed if the run fails.
    Fresh,
    /// Under the stable resumable name, emptied.
    Partial,
    /// Under the stable resumable name, cut back to a checkpoint.
    Resume(&'c Checkpoint, &'c Path),
}

impl Open<'_> {
    fn file(&self, path: &Path, len: u64) -> Result<AtomicFile, Error> {
        match self {
            Open::Fresh => AtomicFile::create(path),
            Open::Partial => AtomicFile::create_partial(path),
            Open::Resume(_, checkpoint) => {
                AtomicFile::resume_partial(path, len)?.ok_or_else(|| Error::Resume {
                    path: checkpoint.to_path_buf(),
                    reason: format!(
                        "{} is missing or shorter than the checkpoint says; delete the checkpoint to start over",
                        AtomicFile::partial_path(path).display()
                    ),
                })
            }
        }
    }

    fn output(&self, path: &Path) -> Result<Output, Error> {
        match self {
            Open::Fresh => Output::open(path),
            Open::Partial => AtomicFile::create_partial(path).map(Output::File),
            Open::Resume(checkpoint, _) => self.file(path, checkpoint.output_len).map(Output::File),
        }
    }
}

impl ExportSink {
    /// Opens the outputs (under temporary names).
    pub fn new(config: &ExportConfig) -> Result<ExportSink, StageError> {
        ExportSink::open(config, &Open::Fresh).map_err(fail)
    }

    /// Opens the outputs of a resumable run whose arguments hash to `fingerprint`: from the
    /// last checkpoint of an earlier run with the same fingerprint, or from the start.
    /// Returns the sink and the `seq` of the first document still to write; the source must
    /// skip the documents before it.
    pub fn resumable(
        config: &ExportConfig,
        fingerprint: u64,
    ) -> Result<(ExportSink, Seq), StageError> {
        if config.output == Path::new("-") {
            return Err(fail(Error::ResumeToStdout));
        }
        let path = checkpoint::path(&config.output);
        let saved = checkpoint::load(&path).map_err(fail)?;
        let (mut sink, next_seq) = match &saved {
            Some(saved) => {
                saved.check(&path, fingerprint, config).map_err(fail)?;
                let mut sink =
                    ExportSink::open(config, &Open::Resume(saved, &path)).map_err(fail)?;
                sink.summary = saved.summary.clone();
                (sink, saved.next_seq)
            }
            None => (ExportSink::open(config, &Open::Partial).map_err(fail)?, 0),
        };
        sink.resume = Some(ResumeState {
            path,
            fingerprint,
            next_seq,
            n_unsaved: 0,
        });
        Ok((sink, next_seq))
    }

    fn open(config: &ExportConfig, open: &Open<'_>) -> Result<ExportSink, Error> {
        let writer = match config.format {
            Format::Jsonl => Writer::Jsonl {
                out: open.output(&config.output)?,
                line: Vec::new(),
            },
            Format::Text => {
                if config.output == Path::new("-") {
                    return Err(Error::TextToStdout);
                }
                std::fs::create_dir_all(&config.output).map_err(|source| Error::Write {
                    path: config.output.clone(),
                    source,
                })?;
                Writer::Text {
                    dir: config.output.clone(),
                }
            }
            Format::Bincode => {
                let out = open.output(&config.output)?;
                let frames = if matches!(open, Open::Resume(..)) {
                    FrameWriter::append(out)
                } else {
                    FrameWriter::new(out, StreamKind::Articles).map_err(Error::Frames)?
                };
                Writer::Frames(Some(frames))
            }
        };
        let rejects_len = match open {
            Open::Resume(checkpoint, _) => checkpoint.rejects_len.unwrap_or(0),
            _ => 0,
        };
        let rejects = config
            .rejects
            .as_deref()
            .map(|path| open.file(path, rejects_len))
            .transpose()?;
        Ok(ExportSink {
            writer,
            rejects,
            summary: ExportSummary::default(),
            resume: None,
        })
    }

    /// Syncs the outputs and records how far they are complete.
    fn save_checkpoint(&mut self) -> Result<(), Error> {
        let Some(resume) = &self.resume else {
            return Ok(());
        };
        let output_len = match &mut self.writer {
            Writer::Jsonl { out, .. } => out.sync()?,
            Writer::Frames(Some(frames)) => frames.get_mut().sync()?,
            Writer::Text { .. } | Writer::Frames(None) => 0,
        };
        let rejects_len = self.rejects.as_mut().map(AtomicFile::sync).transpose()?;
        let saved = Checkpoint::new(
            resume.fingerprint,
            resume.next_seq,
            output_len,
            rejects_len,
            self.summary.clone(),
        );
        checkpoint::save(&resume.path, &saved)
    }

    /// Counts a written document towards the next checkpoint.
    fn after_write(&mut self, seq: Seq) -> Result<(), Error> {
        let Some(resume) = &mut self.resume else {
            return Ok(());
        };
        resume.next_seq = seq + 1;
        resume.n_unsaved += 1;
        if resume.n_unsaved >= CHECKPOINT_EVERY {
            resume.n_unsaved = 0;
            self.save_checkpoint()?;
        }
        Ok(())
    }

    /// The counts so far.
    pub fn summary(&self) -> &ExportSummary {
        &self.summary
    }

    fn write_article(&mut self, article: &Article) -> Result<(), Error> {
        match &mut self.writer {
            Writer::Jsonl { out, line } => {
                line.clear();
                json::write_article(line, article);
                line.push(b'\n');
                out.write_all(line).map_err(|source| Error::Write {
                    path: out.path(),
                    source,
                })
            }
            Writer::Text { dir } => {
                let path = text_path(dir, &article.id)?;
                if let Some(parent) = path.parent() {
                    std::fs::create_dir_all(parent).map_err(|source| Error::Write {
                        path: parent.to_path_buf(),
                        source,
                    })?;
                }
                let mut file = AtomicFile::create(&path)?;
                let mut text = article.text();
                text.push('\n');
                file.write_all(text.as_bytes())
                    .map_err(|source| Error::Write {
                        path: path.clone(),
                        source,
                    })?;
                file.commit()
            }
            Writer::Frames(frames) => {
                let frames = frames.as_mut().expect("frames are open until finish");
                frames
                    .write(&Record::Article(article.clone()))
                    .map_err(Error::Frames)
            }
        }
    }

    fn write_reject(&mut self, reject: &Reject) -> Result<(), Error> {
        if let Writer::Frames(Some(frames)) = &mut self.writer {
            frames
                .write(&Record::Reject(reject.clone()))
                .map_err(Error::Frames)?;
        }
        if let Some(file) = &mut self.rejects {
            let mut line = json::reject_line(reject);
            line.push(b'\n');
            file.write_all(&line).map_err(|source| Error::Write {
                path: file.path().to_path_buf(),
                source,
            })?;
        }
        Ok(())
    }
}

/// The file of an article in a text tree; ids never climb out of `dir`.
fn text_path(dir: &Path, id: &str) -> Result<PathBuf, Error> {
    let mut path = dir.to_path_buf();
    let parts: Vec<&str> = id.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\\') || p.contains('\0'))
    {
        return Err(Error::BadId(id.to_owned()));
    }
    for part in parts {
        path.push(part);
    }
    let mut name = path
        .file_name()
        .expect("ids have a last part")
        .to_os_string();
    name.push(".txt");
    path.set_file_name(name);
    Ok(path)
}

impl Sink for ExportSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        self.summary.n_seen += 1;
        let seq = record.seq();
        match record {
            Record::Article(article) => {
                self.summary.n_exported += 1;
                self.summary.n_bytes += article.stats.n_bytes;
                for (reason, n) in &article.stats.removed {
                    *self.summary.removed.entry(reason.clone()).or_default() += u64::from(*n);
                }
                self.write_article(&article).map_err(fail)?;
            }
            Record::Reject(reject) => {
                self.summary.n_rejected += 1;
                self.write_reject(&reject).map_err(fail)?;
            }
            other => return Err(fail(Error::UnexpectedInput(other.kind_name()))),
        }
        self.after_write(seq).map_err(fail)
    }

    fn finish(&mut self) -> Result<(), StageError> {
        if let Some(resume) = &self.resume {
            // The checkpoint goes first: if the run dies between here and the renames, a
            // resumed run starts over instead of trusting files that are gone.
            checkpoint::remove(&resume.path).map_err(fail)?;
        }
        match std::mem::replace(&mut self.writer, Writer::Frames(None)) {
            Writer::Jsonl { out, .. } => out.commit().map_err(fail)?,
            Writer::Text { .. } | Writer::Frames(None) => {}
            Writer::Frames(Some(frames)) => {
                let out = frames.finish().map_err(|e| fail(Error::Frames(e)))?;
                out.commit().map_err(fail)?;
            }
        }
        if let Some(rejects) = self.rejects.take() {
            rejects.commit().map_err(fail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
