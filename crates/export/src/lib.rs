//! Export: writes articles in input order as JSONL (optionally gzip or zstd compressed), CSV,
//! Parquet, a tree of text or Markdown files, or a bincode frame stream; rejects as JSON lines;
//! and keeps the run's figures for the report.
//!
//! # Brief overview
//!
//! [`ExportSink`] is the pipeline's sink. Every file is written under a temporary name in its
//! final directory and renamed into place when complete ([`atomic::AtomicFile`]), so a crash
//! or Ctrl-C never leaves a half-written file that looks finished. With
//! [`ExportConfig::max_docs_per_file`], the row formats (JSONL, CSV, Parquet) roll over to a new
//! file every N articles (`out-00000.parquet`, `out-00001.parquet`, …; see
//! [`output::shard_path`]), each complete and valid on its own.
//!
//! The JSONL schema (one object per line; `null` where a field is unknown):
//! `id`, `source` (`path`, and `member`/`url` when known), `title`, `byline`, `published`,
//! `summary` (list), `sections` (list of `{heading, paragraphs}`, plus `sentences` with
//! [`ExportConfig::has_sentences`]), `related` (list), `text` (title, summary, headings and
//! paragraphs joined by `\n`), `stats`. [`ExportConfig::fields`] picks other columns; see
//! [`Field`] for all of them, [`columnar`] for the Parquet types and [`table`] for CSV.
//!
//! ```
//! use newsclean_core::{Article, Record, Sink};
//! use newsclean_export::{ExportConfig, ExportSink, Format};
//!
//! let dir = tempfile::tempdir().unwrap();
//! let config = ExportConfig::new(Format::Csv, dir.path().join("out.csv"));
//! let mut sink = ExportSink::new(&config).unwrap();
//! let article = Article { id: "example.com/a".into(), title: Some("Hi".into()), ..Article::default() };
//! sink.write(Record::Article(article)).unwrap();
//! sink.finish().unwrap();
//! let csv = std::fs::read_to_string(dir.path().join("out.csv")).unwrap();
//! assert_eq!(csv, "id,url,site,title,text\r\nexample.com/a,,example.com,Hi,Hi\r\n");
//! ```

pub mod atomic;
pub mod columnar;
pub mod fields;
pub mod html;
mod json;
pub mod output;
pub mod report;
pub mod sentences;
pub mod table;
pub mod tree;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use newsclean_core::codec::FrameWriter;
use newsclean_core::{Article, Record, Reject, Sink, StageError, StageId, StreamKind};

use crate::atomic::{AtomicFile, PendingFile};
use crate::fields::Row;
pub use crate::fields::{Field, UnknownField};
use crate::output::{Compression, Output, Stream, is_stdout, shard_path};
pub use crate::report::{ExportSummary, Report};
use crate::tree::TreeKind;

/// Output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One JSON object per article per line; `.gz` or `.zst` compresses.
    Jsonl,
    /// Comma-separated values with a header row; `.gz` or `.zst` compresses.
    Csv,
    /// Apache Parquet, zstd-compressed columns.
    Parquet,
    /// A directory with one `<id>.md` per article.
    Markdown,
    /// A directory with one `<id>.txt` per article: title on line 1, then one paragraph per line.
    Text,
    /// A frame stream of articles, as `newsclean segment` writes.
    Bincode,
}

impl Format {
    /// The lowercase name, as `--format` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Format::Jsonl => "jsonl",
            Format::Csv => "csv",
            Format::Parquet => "parquet",
            Format::Markdown => "markdown",
            Format::Text => "text",
            Format::Bincode => "bincode",
        }
    }

    /// The columns written when none are chosen; `None` for formats without columns.
    pub fn default_fields(self) -> Option<&'static [Field]> {
        match self {
            Format::Jsonl => Some(Field::JSONL),
            Format::Csv => Some(Field::CSV),
            Format::Parquet => Some(Field::PARQUET),
            Format::Markdown | Format::Text | Format::Bincode => None,
        }
    }

    fn is_tree(self) -> bool {
        matches!(self, Format::Markdown | Format::Text)
    }
}

/// Where and how to write.
#[derive(Debug, Clone)]
pub struct ExportConfig {
    /// The output format.
    pub format: Format,
    /// The output file or directory; `-` writes JSONL, CSV, Parquet or bincode to standard
    /// output.
    pub output: PathBuf,
    /// Where to write rejects as JSON lines, if anywhere.
    pub rejects: Option<PathBuf>,
    /// The columns of JSONL, CSV or Parquet; `None` for the format's default.
    pub fields: Option<Vec<Field>>,
    /// Roll over to a new file after this many articles (JSONL, CSV, Parquet).
    pub max_docs_per_file: Option<u64>,
    /// Split paragraphs into sentences (`sentences` in each section).
    pub has_sentences: bool,
}

impl ExportConfig {
    /// A config writing `format` to `output`, with every option at its default.
    pub fn new(format: Format, output: PathBuf) -> ExportConfig {
        ExportConfig {
            format,
            output,
            rejects: None,
            fields: None,
            max_docs_per_file: None,
            has_sentences: false,
        }
    }
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
    /// The Parquet writer failed.
    #[error("failed to write the parquet file {}", path.display())]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: parquet::errors::ParquetError,
    },
    /// The frame stream could not be written.
    #[error("failed to write the frame stream")]
    Frames(#[source] newsclean_core::codec::Error),
    /// A tree format needs a directory.
    #[error("the {0} format writes a directory; `-` (standard output) is not one")]
    TreeToStdout(&'static str),
    /// The sink was given something other than articles.
    #[error("export writes articles (the output of segment), got a {0}")]
    UnexpectedInput(&'static str),
    /// An article id cannot be a file name.
    #[error("article id {0:?} cannot be used as a file name")]
    BadId(String),
    /// `fields` was given for a format without columns.
    #[error("the {0} format has no columns to choose; fields apply to jsonl, csv and parquet")]
    FieldsUnsupported(&'static str),
    /// A column the format cannot hold.
    #[error(
        "the field {field} cannot be written as {format}; use n_words, n_lines, n_kept, n_bytes and encoding"
    )]
    FieldUnsupported {
        /// The column.
        field: Field,
        /// The format.
        format: &'static str,
    },
    /// `fields` is empty or names a column twice.
    #[error("fields must name at least one column, each once")]
    BadFields,
    /// Sharding was asked for a format that is not a list of rows, or for standard output.
    #[error("max docs per file applies to jsonl, csv and parquet files, not to {0}")]
    ShardingUnsupported(String),
    /// `max_docs_per_file` is 0.
    #[error("max docs per file must be at least 1")]
    ZeroShardSize,
    /// A compression extension on a format that is not a byte stream of rows.
    #[error(
        "{} asks for compression, which applies to jsonl and csv; parquet compresses itself",
        path.display()
    )]
    CompressionUnsupported {
        /// The output path.
        path: PathBuf,
    },
}

fn fail(err: Error) -> StageError {
    StageError::new(StageId::Export, err)
}

/// One file of rows being written (JSONL, CSV, Parquet).
pub(crate) trait RowFile: Send {
    /// Writes one article.
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error>;
    /// Completes the file, still under its temporary name (`None` for standard output).
    fn close(self: Box<Self>) -> Result<Option<PendingFile>, Error>;
}

/// One JSONL file being written.
struct JsonlFile {
    out: Stream,
    fields: Vec<Field>,
    line: Vec<u8>,
}

impl RowFile for JsonlFile {
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        self.line.clear();
        json::write_row(&mut self.line, &self.fields, row);
        self.line.push(b'\n');
        self.out
            .write_all(&self.line)
            .map_err(|source| Error::Write {
                path: self.out.path(),
                source,
            })
    }

    fn close(self: Box<Self>) -> Result<Option<PendingFile>, Error> {
        self.out.close()
    }
}

/// The row files of a run: one, or one per `max_docs_per_file` articles. Completed files wait
/// under temporary names and are put in place together when the run finishes, so an
/// interrupted run leaves no output at all, not some of its shards.
struct RowFiles {
    format: Format,
    base: PathBuf,
    fields: Vec<Field>,
    has_sentences: bool,
    max_docs_per_file: Option<u64>,
    current: Option<Box<dyn RowFile>>,
    current_path: PathBuf,
    n_in_current: u64,
    n_files: u64,
    closed: Vec<(Option<PendingFile>, report::OutputFile)>,
}

impl RowFiles {
    fn open_next(&mut self) -> Result<(), Error> {
        let path = match self.max_docs_per_file {
            Some(_) => shard_path(&self.base, self.n_files),
            None => self.base.clone(),
        };
        let file: Box<dyn RowFile> = match self.format {
            Format::Jsonl => Box::new(JsonlFile {
                out: Stream::open(&path)?,
                fields: self.fields.clone(),
                line: Vec::new(),
            }),
            Format::Csv => Box::new(table::CsvFile::create(&path, &self.fields)?),
            Format::Parquet => Box::new(columnar::ParquetFile::create(
                &path,
                &self.fields,
                self.has_sentences,
            )?),
            Format::Markdown | Format::Text | Format::Bincode => {
                unreachable!("{} has no row files", self.format.name())
            }
        };
        self.current = Some(file);
        self.current_path = path;
        self.n_in_current = 0;
        self.n_files += 1;
        Ok(())
    }

    /// Completes the current file (it stays under its temporary name).
    fn close_current(&mut self) -> Result<(), Error> {
        if let Some(file) = self.current.take() {
            let pending = file.close()?;
            let n_bytes = pending.as_ref().map_or(Ok(0), PendingFile::size)?;
            self.closed.push((
                pending,
                report::OutputFile {
                    path: self.current_path.clone(),
                    n_docs: self.n_in_current,
                    n_bytes,
                },
            ));
        }
        Ok(())
    }

    /// Completes the last file and puts every file in place; returns what was written.
    fn commit(mut self) -> Result<Vec<report::OutputFile>, Error> {
        self.close_current()?;
        let mut files = Vec::new();
        for (pending, file) in self.closed.drain(..) {
            if let Some(pending) = pending {
                pending.commit()?;
            }
            files.push(file);
        }
        Ok(files)
    }

    fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        if self
            .max_docs_per_file
            .is_some_and(|max| self.n_in_current >= max)
        {
            self.close_current()?;
        }
        if self.current.is_none() {
            self.open_next()?;
        }
        self.current.as_mut().expect("opened above").write(row)?;
        self.n_in_current += 1;
        Ok(())
    }
}

enum Writer {
    Rows(RowFiles),
    Tree { dir: PathBuf, kind: TreeKind },
    Frames(Option<FrameWriter<Output>>),
}

/// The sink that writes articles and rejects.
pub struct ExportSink {
    writer: Writer,
    rejects: Option<AtomicFile>,
    has_sentences: bool,
    summary: ExportSummary,
}

/// Checks a config's combinations of options, before anything is created.
fn validate(config: &ExportConfig) -> Result<Vec<Field>, Error> {
    let format = config.format;
    if format.is_tree() && is_stdout(&config.output) {
        return Err(Error::TreeToStdout(format.name()));
    }
    let fields = match (&config.fields, format.default_fields()) {
        (Some(_), None) => return Err(Error::FieldsUnsupported(format.name())),
        (Some(fields), Some(_)) => fields.clone(),
        (None, Some(default)) => default.to_vec(),
        (None, None) => Vec::new(),
    };
    if config.fields.is_some() {
        let mut unique = fields.clone();
        unique.sort_by_key(|f| f.name());
        unique.dedup();
        if fields.is_empty() || unique.len() != fields.len() {
            return Err(Error::BadFields);
        }
    }
    if format == Format::Parquet {
        columnar::schema(&fields, config.has_sentences)?;
    }
    if let Some(max) = config.max_docs_per_file {
        if max == 0 {
            return Err(Error::ZeroShardSize);
        }
        if format.default_fields().is_none() {
            return Err(Error::ShardingUnsupported(format.name().to_owned()));
        }
        if is_stdout(&config.output) {
            return Err(Error::ShardingUnsupported("standard output".to_owned()));
        }
    }
    if !matches!(format, Format::Jsonl | Format::Csv)
        && Compression::of(&config.output) != Compression::None
    {
        return Err(Error::CompressionUnsupported {
            path: config.output.clone(),
        });
    }
    Ok(fields)
}

impl ExportSink {
    /// Checks the config and opens the outputs (under temporary names).
    pub fn new(config: &ExportConfig) -> Result<ExportSink, StageError> {
        let fields = validate(config).map_err(fail)?;
        let writer = match config.format {
            Format::Jsonl | Format::Csv | Format::Parquet => {
                let mut files = RowFiles {
                    format: config.format,
                    base: config.output.clone(),
                    fields,
                    has_sentences: config.has_sentences,
                    max_docs_per_file: config.max_docs_per_file,
                    current: None,
                    current_path: PathBuf::new(),
                    n_in_current: 0,
                    n_files: 0,
                    closed: Vec::new(),
                };
                // The first file exists from the start, so an empty run still writes a valid,
                // empty output.
                files.open_next().map_err(fail)?;
                Writer::Rows(files)
            }
            Format::Text | Format::Markdown => {
                fs_create_dir(&config.output)?;
                Writer::Tree {
                    dir: config.output.clone(),
                    kind: if config.format == Format::Text {
                        TreeKind::Text
                    } else {
                        TreeKind::Markdown
                    },
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
        Ok(ExportSink {
            writer,
            rejects,
            has_sentences: config.has_sentences,
            summary: ExportSummary::default(),
        })
    }

    /// The counts so far.
    pub fn summary(&self) -> &ExportSummary {
        &self.summary
    }

    fn write_article(&mut self, article: &Article) -> Result<(), Error> {
        let row = Row::new(article, self.has_sentences);
        self.summary.add_article(article, &row.site, row.text.len());
        match &mut self.writer {
            Writer::Rows(files) => files.write(&row),
            Writer::Tree { dir, kind } => tree::write(dir, *kind, article),
            Writer::Frames(frames) => {
                let frames = frames.as_mut().expect("frames are open until finish");
                frames
                    .write(&Record::Article(article.clone()))
                    .map_err(Error::Frames)
            }
        }
    }

    fn write_reject(&mut self, reject: &Reject) -> Result<(), Error> {
        self.summary.add_reject(reject);
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

fn fs_create_dir(dir: &Path) -> Result<(), StageError> {
    std::fs::create_dir_all(dir).map_err(|source| {
        fail(Error::Write {
            path: dir.to_path_buf(),
            source,
        })
    })
}

impl Sink for ExportSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        match record {
            Record::Article(article) => self.write_article(&article).map_err(fail),
            Record::Reject(reject) => self.write_reject(&reject).map_err(fail),
            other => Err(fail(Error::UnexpectedInput(other.kind_name()))),
        }
    }

    fn finish(&mut self) -> Result<(), StageError> {
        match std::mem::replace(&mut self.writer, Writer::Frames(None)) {
            Writer::Rows(files) => {
                let written = files.commit().map_err(fail)?;
                self.summary.files.extend(written);
            }
            Writer::Tree { .. } | Writer::Frames(None) => {}
            Writer::Frames(Some(frames)) => {
                let out = frames.finish().map_err(|e| fail(Error::Frames(e)))?;
                let path = out.path();
                out.commit().map_err(fail)?;
                let n_bytes = if is_stdout(&path) {
                    0
                } else {
                    std::fs::metadata(&path).map_or(0, |m| m.len())
                };
                self.summary.files.push(report::OutputFile {
                    path,
                    n_docs: self.summary.n_exported,
                    n_bytes,
                });
            }
        }
        if let Some(rejects) = self.rejects.take() {
            rejects.commit().map_err(fail)?;
        }
        self.summary.rank_top_lines();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
