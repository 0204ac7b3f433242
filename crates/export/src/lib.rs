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
//! (title, summary, headings and paragraphs joined by `\n`), `stats`. Rejects are written as
//! `{id, source, reason}` and dropped duplicates as `{id, duplicate_of, kind, similarity}`.

pub mod atomic;
mod json;

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use newsclean_core::codec::FrameWriter;
use newsclean_core::{Article, Duplicate, Record, Reject, Sink, StageError, StageId, StreamKind};

use crate::atomic::AtomicFile;

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
    /// Where to write dropped duplicates as JSON lines, if anywhere.
    pub duplicates: Option<PathBuf>,
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
}

fn fail(err: Error) -> StageError {
    StageError::new(StageId::Export, err)
}

/// The counts of a run, as export saw them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ExportSummary {
    /// Documents that reached export.
    pub n_seen: u64,
    /// Articles written.
    pub n_exported: u64,
    /// Rejected documents.
    pub n_rejected: u64,
    /// Documents dropped as duplicates of another.
    pub n_duplicates: u64,
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
    duplicates: Option<AtomicFile>,
    summary: ExportSummary,
}

impl ExportSink {
    /// Opens the outputs (under temporary names).
    pub fn new(config: &ExportConfig) -> Result<ExportSink, StageError> {
        let writer = match config.format {
            Format::Jsonl => Writer::Jsonl {
                out: Output::open(&config.output).map_err(fail)?,
                line: Vec::new(),
            },
            Format::Text => {
                if config.output == Path::new("-") {
                    return Err(fail(Error::TextToStdout));
                }
                fs_create_dir(&config.output)?;
                Writer::Text {
                    dir: config.output.clone(),
                }
            }
            Format::Bincode => {
                let out = Output::open(&config.output).map_err(fail)?;
                Writer::Frames(Some(
                    FrameWriter::new(out, StreamKind::Articles)
                        .map_err(|e| fail(Error::Frames(e)))?,
                ))
            }
        };
        let rejects = config
            .rejects
            .as_deref()
            .map(AtomicFile::create)
            .transpose()
            .map_err(fail)?;
        let duplicates = config
            .duplicates
            .as_deref()
            .map(AtomicFile::create)
            .transpose()
            .map_err(fail)?;
        Ok(ExportSink {
            writer,
            rejects,
            duplicates,
            summary: ExportSummary::default(),
        })
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

impl ExportSink {
    fn write_duplicate(&mut self, duplicate: &Duplicate) -> Result<(), Error> {
        if let Writer::Frames(Some(frames)) = &mut self.writer {
            frames
                .write(&Record::Duplicate(duplicate.clone()))
                .map_err(Error::Frames)?;
        }
        if let Some(file) = &mut self.duplicates {
            let mut line = json::duplicate_line(duplicate);
            line.push(b'\n');
            file.write_all(&line).map_err(|source| Error::Write {
                path: file.path().to_path_buf(),
                source,
            })?;
        }
        Ok(())
    }
}

fn fs_create_dir(dir: &Path) -> Result<(), StageError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        fail(Error::Write {
            path: dir.to_path_buf(),
            source,
        })
    })
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
        match record {
            Record::Article(article) => {
                self.summary.n_exported += 1;
                self.summary.n_bytes += article.stats.n_bytes;
                for (reason, n) in &article.stats.removed {
                    *self.summary.removed.entry(reason.clone()).or_default() += u64::from(*n);
                }
                self.write_article(&article).map_err(fail)
            }
            Record::Reject(reject) => {
                self.summary.n_rejected += 1;
                self.write_reject(&reject).map_err(fail)
            }
            Record::Duplicate(duplicate) => {
                self.summary.n_duplicates += 1;
                self.write_duplicate(&duplicate).map_err(fail)
            }
            other => Err(fail(Error::UnexpectedInput(other.kind_name()))),
        }
    }

    fn finish(&mut self) -> Result<(), StageError> {
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
        if let Some(duplicates) = self.duplicates.take() {
            duplicates.commit().map_err(fail)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
