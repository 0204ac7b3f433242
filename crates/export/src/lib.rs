//! Export: writes articles in input order as JSONL (optionally gzip or zstd compressed), CSV,
//! Parquet, a tree of text or Markdown files, or a bincode frame stream; rejects as JSON lines;
//! and keeps the run's figures for the report.
//!
//! # Brief overview
//!
//! [`ExportSink`] is the pipeline's sink. Every file is written under a temporary name in its
//! final directory and renamed into place when complete ([`atomic::AtomicFile`]), so a crash
//! or Ctrl-C never leaves a half-written file that looks finished; a text or Markdown tree is
//! built the same way as a whole (`<dir>.tmp-<pid>`, see [`tree`]). With
//! [`ExportConfig::max_docs_per_file`], the row formats (JSONL, CSV, Parquet) roll over to a new
//! file every N articles (`out-00000.parquet`, `out-00001.parquet`, …; see
//! [`output::shard_path`]), each complete and valid on its own.
//!
//! The JSONL schema (one object per line; `null` where a field is unknown):
//! `id`, `url` (where parquet and csv have it), `source` (`path`, and `member`/`url` when
//! known), `title`, `byline`, `published`
//! (ISO 8601), `published_text` (the date line as printed),
//! `summary` (list), `sections` (list of `{heading, paragraphs}`, plus `sentences` with
//! [`ExportConfig::has_sentences`]), `related` (list), `text` (title, summary, headings and
//! paragraphs joined by `\n`), `stats`, and `meta` (the input record's other fields, only
//! when it had some). [`ExportConfig::fields`] picks other columns; see [`Field`] for all of
//! them, [`columnar`] for the Parquet types and [`table`] for CSV; [`ExportConfig::schema`]
//! writes Dolma's or datatrove's record shape instead (see [`schema`]). Rejects are written as
//! `{id, source, reason}` ([`ExportConfig::rejects`]) and dropped duplicates as
//! `{id, duplicate_of, kind, similarity}` ([`ExportConfig::duplicates`]), one per line.
//!
//! # Resuming
//!
//! [`ExportSink::resumable`] writes its files under stable temporary names
//! (`<name>.partial`) and, every [`CHECKPOINT_EVERY`] documents, syncs them and records in
//! `<output>.checkpoint` how far they are complete: the next `seq`, their lengths and the
//! counts. A run started again with the same arguments cuts the files back to the
//! checkpoint and writes nothing for the documents before it (the caller's source may skip
//! them, or replay them when state upstream, such as the duplicate index, must see them
//! again), so a run killed at any moment ends with the same output as one that never
//! stopped. That needs files that can be
//! cut back to a prefix: uncompressed JSONL and CSV, the text and Markdown trees (built under
//! `<dir>.partial`, one file per article, named by its id alone) and bincode. Parquet (a footer ends the file),
//! compressed output, sharded output and standard output are refused
//! ([`Error::ResumeUnsupported`]).
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
mod checkpoint;
pub mod columnar;
pub mod fields;
pub mod html;
mod json;
pub mod lines;
pub mod output;
mod render;
pub mod report;
mod rows;
pub mod schema;
pub mod sentences;
pub mod table;
pub mod tree;

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use newsclean_core::codec::FrameWriter;
use newsclean_core::{
    Article, Duplicate, Record, Reject, Seq, Sink, StageError, StageId, StreamKind,
};

use crate::atomic::AtomicFile;
use crate::checkpoint::Checkpoint;
use crate::fields::Row;
pub use crate::fields::{Field, UnknownField};
use crate::output::{Compression, Output, is_stdout};
pub use crate::render::Renderer;
pub use crate::report::{ExportSummary, Report};
use crate::rows::{Open, RowFiles};
pub use crate::schema::Schema;
use crate::tree::{TreeDir, TreeKind};

/// How many documents a resumable sink writes between two checkpoints.
pub const CHECKPOINT_EVERY: u64 = 64;

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

    /// The format a file name asks for by its extension (before `.gz`, `.zst` or `.zstd`):
    /// `.jsonl`, `.ndjson` and `.json` (JSON Lines, as corpus tools write it), `.parquet`,
    /// `.csv`, `.md` and `.markdown`, `.bin` and `.bincode`; `None` for any other name and
    /// for `-`.
    pub fn of_path(path: &Path) -> Option<Format> {
        if is_stdout(path) {
            return None;
        }
        let plain = match Compression::of(path) {
            Compression::None => path.to_path_buf(),
            _ => path.with_extension(""),
        };
        let ext = plain.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "jsonl" | "ndjson" | "json" => Format::Jsonl,
            "parquet" => Format::Parquet,
            "csv" => Format::Csv,
            "md" | "markdown" => Format::Markdown,
            "bin" | "bincode" => Format::Bincode,
            _ => return None,
        })
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
    /// Where to write dropped duplicates as JSON lines, if anywhere.
    pub duplicates: Option<PathBuf>,
    /// The columns of JSONL, CSV or Parquet; `None` for the format's default.
    pub fields: Option<Vec<Field>>,
    /// Roll over to a new file after this many articles (JSONL, CSV, Parquet).
    pub max_docs_per_file: Option<u64>,
    /// Split paragraphs into sentences (`sentences` in each section).
    pub has_sentences: bool,
    /// The shape of an article record (JSONL and Parquet): newsclean's columns, Dolma's or
    /// datatrove's.
    pub schema: Schema,
}

impl ExportConfig {
    /// Checks the combination of options, as [`ExportSink::new`] does, without opening
    /// anything: for callers that check more before any work.
    pub fn validate(&self) -> Result<(), Error> {
        validate(self).map(drop)
    }

    /// A config writing `format` to `output`, with every option at its default.
    pub fn new(format: Format, output: PathBuf) -> ExportConfig {
        ExportConfig {
            format,
            output,
            rejects: None,
            duplicates: None,
            fields: None,
            max_docs_per_file: None,
            has_sentences: false,
            schema: Schema::Newsclean,
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
    /// A tree output would replace something that is not an earlier tree.
    #[error(
        "{} {what}; the text and markdown formats replace their directory as a whole, so remove it or choose another",
        path.display()
    )]
    TreeNotReplaceable {
        /// The output directory.
        path: PathBuf,
        /// What is in the way.
        what: String,
    },
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
    /// A corpus tool's record shape was asked for a format other than jsonl and parquet, or
    /// with fields.
    #[error("the {schema} schema applies to jsonl and parquet without --fields, not to {what}")]
    SchemaUnsupported {
        /// The schema's name.
        schema: &'static str,
        /// What it was asked with.
        what: String,
    },
    /// `max_docs_per_file` is 0.
    #[error("max docs per file must be at least 1")]
    ZeroShardSize,
    /// A resumable run was asked for an output that cannot be cut back to a checkpoint.
    #[error(
        "cannot resume a run that writes {0}; resuming works with uncompressed jsonl or csv in one file, text, markdown and bincode"
    )]
    ResumeUnsupported(&'static str),
    /// The checkpoint does not fit this run or its files.
    #[error("cannot resume from {}: {reason}", path.display())]
    Resume {
        /// The checkpoint file.
        path: PathBuf,
        /// What does not fit.
        reason: String,
    },
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

enum Writer {
    Rows(RowFiles),
    Tree(Option<TreeDir>),
    Frames(Option<FrameWriter<Output>>),
}

/// The sink that writes articles and rejects.
pub struct ExportSink {
    writer: Writer,
    rejects: Option<AtomicFile>,
    duplicates: Option<AtomicFile>,
    has_sentences: bool,
    summary: ExportSummary,
    resume: Option<ResumeState>,
}

/// What a resumed run must share with the run that stopped, as hashes: its arguments and
/// its inputs (every file with its size and modification time).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ResumeKey {
    /// The hash of everything in the arguments that decides the output.
    pub args: u64,
    /// The hash of the input files as the run sees them.
    pub inputs: u64,
}

/// The checkpointing state of a resumable sink.
struct ResumeState {
    /// The checkpoint file.
    path: PathBuf,
    key: ResumeKey,
    /// Documents before this `seq` were written by the run that stopped; they are not
    /// written again.
    first_seq: Seq,
    /// The seq after the last document written.
    next_seq: Seq,
    /// Documents written since the last checkpoint.
    n_unsaved: u64,
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
    if config.schema != Schema::Newsclean {
        let what = if config.fields.is_some() {
            Some("--fields".to_owned())
        } else if !matches!(format, Format::Jsonl | Format::Parquet) {
            Some(format.name().to_owned())
        } else {
            None
        };
        if let Some(what) = what {
            return Err(Error::SchemaUnsupported {
                schema: config.schema.name(),
                what,
            });
        }
    } else if format == Format::Parquet {
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

/// Checks that a config's output can be cut back to a checkpoint.
fn validate_resume(config: &ExportConfig) -> Result<(), Error> {
    let what = if is_stdout(&config.output) {
        "standard output"
    } else if config.format == Format::Parquet {
        "parquet"
    } else if config.max_docs_per_file.is_some() {
        "sharded output (max docs per file)"
    } else if Compression::of(&config.output) != Compression::None {
        "compressed output"
    } else {
        return Ok(());
    };
    Err(Error::ResumeUnsupported(what))
}

impl ExportSink {
    /// Checks the config and opens the outputs (under temporary names).
    pub fn new(config: &ExportConfig) -> Result<ExportSink, StageError> {
        let fields = validate(config).map_err(fail)?;
        ExportSink::open(config, fields, &Open::Fresh, None).map_err(fail)
    }

    /// Checks the config and opens the outputs of a resumable run whose arguments and inputs
    /// hash to `key`: from the last checkpoint of an earlier run with the same key, or from
    /// the start. Returns the sink and the `seq` of the first document still to write; the
    /// source must skip the documents before it.
    pub fn resumable(
        config: &ExportConfig,
        key: ResumeKey,
    ) -> Result<(ExportSink, Seq), StageError> {
        let fields = validate(config).map_err(fail)?;
        validate_resume(config).map_err(fail)?;
        let path = checkpoint::path(&config.output);
        let saved = checkpoint::load(&path).map_err(fail)?;
        let (mut sink, next_seq) = match &saved {
            Some(saved) => {
                saved.check(&path, key, config).map_err(fail)?;
                let open = Open::Resume(path.clone());
                let mut sink =
                    ExportSink::open(config, fields, &open, Some(saved)).map_err(fail)?;
                sink.summary = saved.summary();
                if let Writer::Rows(files) = &mut sink.writer {
                    files.n_in_current = sink.summary.n_exported;
                }
                (sink, saved.next_seq)
            }
            None => (
                ExportSink::open(config, fields, &Open::Partial, None).map_err(fail)?,
                0,
            ),
        };
        sink.resume = Some(ResumeState {
            path,
            key,
            first_seq: next_seq,
            next_seq,
            n_unsaved: 0,
        });
        Ok((sink, next_seq))
    }

    fn open(
        config: &ExportConfig,
        fields: Vec<Field>,
        open: &Open,
        saved: Option<&Checkpoint>,
    ) -> Result<ExportSink, Error> {
        let (output_len, rejects_len, duplicates_len) = saved.map_or((0, 0, 0), |c| {
            (
                c.output_len,
                c.rejects_len.unwrap_or(0),
                c.duplicates_len.unwrap_or(0),
            )
        });
        let writer = match config.format {
            Format::Jsonl | Format::Csv | Format::Parquet => {
                let mut files = RowFiles {
                    open: open.clone(),
                    resume_len: output_len,
                    format: config.format,
                    base: config.output.clone(),
                    fields,
                    has_sentences: config.has_sentences,
                    schema: config.schema,
                    max_docs_per_file: config.max_docs_per_file,
                    current: None,
                    current_path: PathBuf::new(),
                    n_in_current: 0,
                    n_files: 0,
                    closed: Vec::new(),
                };
                // The first file exists from the start, so an empty run still writes a valid,
                // empty output.
                files.open_next()?;
                Writer::Rows(files)
            }
            Format::Text | Format::Markdown => {
                let kind = if config.format == Format::Text {
                    TreeKind::Text
                } else {
                    TreeKind::Markdown
                };
                Writer::Tree(Some(open.tree(&config.output, kind)?))
            }
            Format::Bincode => {
                let out = open.output(&config.output, output_len)?;
                let frames = if open.is_resumed() {
                    FrameWriter::append(out)
                } else {
                    FrameWriter::new(out, StreamKind::Articles).map_err(Error::Frames)?
                };
                Writer::Frames(Some(frames))
            }
        };
        let rejects = config
            .rejects
            .as_deref()
            .map(|path| open.file(path, rejects_len))
            .transpose()?;
        let duplicates = config
            .duplicates
            .as_deref()
            .map(|path| open.file(path, duplicates_len))
            .transpose()?;
        Ok(ExportSink {
            writer,
            rejects,
            duplicates,
            has_sentences: config.has_sentences,
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
            Writer::Rows(files) => files.sync()?,
            Writer::Frames(Some(frames)) => frames.get_mut().sync()?,
            Writer::Tree(_) | Writer::Frames(None) => 0,
        };
        let rejects_len = self.rejects.as_mut().map(AtomicFile::sync).transpose()?;
        let duplicates_len = self.duplicates.as_mut().map(AtomicFile::sync).transpose()?;
        let saved = Checkpoint::new(
            resume.key,
            resume.next_seq,
            output_len,
            rejects_len,
            duplicates_len,
            &self.summary,
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

    /// What renders articles on the workers as this sink writes them (JSONL only: the other
    /// formats write columns or files of their own), to run after segment on each worker:
    /// the sink then copies each article's line instead of rendering it in input order.
    pub fn renderer(&self) -> Option<Renderer> {
        match &self.writer {
            Writer::Rows(files) if files.format == Format::Jsonl => Some(Renderer {
                lines: lines::JsonLines {
                    fields: files.fields.clone(),
                    schema: files.schema,
                    has_sentences: self.has_sentences,
                },
            }),
            _ => None,
        }
    }

    /// The counts so far.
    pub fn summary(&self) -> &ExportSummary {
        &self.summary
    }

    fn write_article(&mut self, article: &Article) -> Result<(), Error> {
        if let (Some(rendered), Writer::Rows(files)) = (&article.rendered, &mut self.writer) {
            if files.write_rendered(&rendered.line)? {
                self.summary
                    .add_article(article, &rendered.site, rendered.n_text_bytes);
                return Ok(());
            }
        }
        let row = Row::new(article, self.has_sentences);
        self.summary.add_article(article, &row.site, row.text.len());
        match &mut self.writer {
            Writer::Rows(files) => files.write(&row),
            Writer::Tree(tree) => tree
                .as_ref()
                .expect("the tree is open until finish")
                .write(article),
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
        let line = json::reject_line(reject);
        write_aside(
            &mut self.writer,
            self.rejects.as_mut(),
            || Record::Reject(reject.clone()),
            line,
        )
    }

    fn write_duplicate(&mut self, duplicate: &Duplicate) -> Result<(), Error> {
        self.summary.add_duplicate(duplicate);
        let line = json::duplicate_line(duplicate);
        write_aside(
            &mut self.writer,
            self.duplicates.as_mut(),
            || Record::Duplicate(duplicate.clone()),
            line,
        )
    }
}

/// The JSON object (without the newline) that a run with the default `jsonl` settings writes
/// for `record`: an article's line of the output, a reject's line of the rejects file, a
/// duplicate's line of the duplicates file. `None` for a record that has not been through
/// segment. The Python package returns these objects, so they are the output's by
/// construction.
pub fn json_line(record: &Record) -> Option<Vec<u8>> {
    match record {
        Record::Article(article) => {
            let mut line = Vec::new();
            json::write_row(&mut line, Field::JSONL, &Row::new(article, false));
            Some(line)
        }
        Record::Reject(reject) => Some(json::reject_line(reject)),
        Record::Duplicate(duplicate) => Some(json::duplicate_line(duplicate)),
        Record::Raw(_) | Record::Doc(_) | Record::Marked(_) | Record::Encoded(_) => None,
    }
}

/// Writes a record that is not an article: into the frame stream when the output is one (so
/// that the stream keeps every record), and as a JSON line into its side file.
fn write_aside(
    writer: &mut Writer,
    file: Option<&mut AtomicFile>,
    record: impl FnOnce() -> Record,
    mut line: Vec<u8>,
) -> Result<(), Error> {
    if let Writer::Frames(Some(frames)) = writer {
        frames.write(&record()).map_err(Error::Frames)?;
    }
    if let Some(file) = file {
        line.push(b'\n');
        file.write_all(&line).map_err(|source| Error::Write {
            path: file.path().to_path_buf(),
            source,
        })?;
    }
    Ok(())
}

impl Sink for ExportSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let seq = record.seq();
        if self.resume.as_ref().is_some_and(|r| seq < r.first_seq) {
            // Written (and counted) by the run that stopped.
            return Ok(());
        }
        match record {
            Record::Article(article) => self.write_article(&article).map_err(fail)?,
            Record::Reject(reject) => self.write_reject(&reject).map_err(fail)?,
            Record::Duplicate(duplicate) => self.write_duplicate(&duplicate).map_err(fail)?,
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
            Writer::Rows(files) => {
                let written = files.commit().map_err(fail)?;
                self.summary.files.extend(written);
            }
            Writer::Tree(None) | Writer::Frames(None) => {}
            Writer::Tree(Some(tree)) => {
                let path = tree.path().to_path_buf();
                tree.commit().map_err(fail)?;
                self.summary.files.push(report::OutputFile {
                    path,
                    kind: "articles directory".to_owned(),
                    n_docs: self.summary.n_exported,
                    n_bytes: 0,
                });
            }
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
                    kind: "articles".to_owned(),
                    n_docs: self.summary.n_exported,
                    n_bytes,
                });
            }
        }
        let side_files = [
            (self.rejects.take(), "rejects", self.summary.n_rejected),
            (
                self.duplicates.take(),
                "duplicates",
                self.summary.n_duplicates,
            ),
        ];
        for (file, kind, n_docs) in side_files {
            if let Some(file) = file {
                let pending = file.close().map_err(fail)?;
                let n_bytes = pending.size().map_err(fail)?;
                let path = pending.path().to_path_buf();
                pending.commit().map_err(fail)?;
                self.summary.files.push(report::OutputFile {
                    path,
                    kind: kind.to_owned(),
                    n_docs,
                    n_bytes,
                });
            }
        }
        self.summary.rank_top_lines();
        Ok(())
    }
}

#[cfg(test)]
mod tests;
