//! The row formats' files (JSONL, CSV, Parquet): one file being written ([`RowFile`]), the
//! run's files with their roll-over every N articles ([`RowFiles`]), and how a sink opens any
//! of its files, fresh, resumable or resumed ([`Open`]).

use std::io::Write as _;
use std::path::{Path, PathBuf};

use crate::atomic::{AtomicFile, PendingFile};
use crate::fields::{Field, Row};
use crate::output::{Output, Stream, shard_path};
use crate::tree::{TreeDir, TreeKind};
use crate::{Error, Format, Schema, columnar, lines, report, table};

/// One file of rows being written (JSONL, CSV, Parquet).
pub(crate) trait RowFile: Send {
    /// Writes one article.
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error>;
    /// Writes one article that a worker rendered (see [`crate::Renderer`]); `false`, having
    /// written nothing, for a format that renders its own rows.
    fn write_rendered(&mut self, _line: &[u8]) -> Result<bool, Error> {
        Ok(false)
    }
    /// Flushes and syncs what was written, for a checkpoint; returns the file's length.
    fn sync(&mut self) -> Result<u64, Error>;
    /// Completes the file, still under its temporary name (`None` for standard output).
    fn close(self: Box<Self>) -> Result<Option<PendingFile>, Error>;
}

/// One JSONL file being written.
struct JsonlFile {
    out: Stream,
    fields: Vec<Field>,
    schema: Schema,
    line: Vec<u8>,
}

impl RowFile for JsonlFile {
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        self.line.clear();
        lines::write_article(&mut self.line, &self.fields, self.schema, row);
        self.write_line()
    }

    fn write_rendered(&mut self, line: &[u8]) -> Result<bool, Error> {
        // Straight into the output's buffer: the sink's thread copies each line once.
        self.out
            .write_all(line)
            .and_then(|()| self.out.write_all(b"\n"))
            .map_err(|source| Error::Write {
                path: self.out.path(),
                source,
            })?;
        Ok(true)
    }

    fn sync(&mut self) -> Result<u64, Error> {
        self.out.sync()
    }

    fn close(self: Box<Self>) -> Result<Option<PendingFile>, Error> {
        self.out.close()
    }
}

impl JsonlFile {
    /// Writes `self.line` and a newline.
    fn write_line(&mut self) -> Result<(), Error> {
        self.line.push(b'\n');
        self.out
            .write_all(&self.line)
            .map_err(|source| Error::Write {
                path: self.out.path(),
                source,
            })
    }
}

/// How a sink opens its files.
#[derive(Debug, Clone)]
pub(crate) enum Open {
    /// Under a temporary name of this process, removed if the run fails.
    Fresh,
    /// Under the stable resumable name, emptied.
    Partial,
    /// Under the stable resumable name, cut back to the checkpoint at this path.
    Resume(PathBuf),
}

impl Open {
    /// Opens the file `path`; a resumed file is cut back to `len` bytes.
    pub(crate) fn file(&self, path: &Path, len: u64) -> Result<AtomicFile, Error> {
        match self {
            Open::Fresh => AtomicFile::create(path),
            Open::Partial => AtomicFile::create_partial(path),
            Open::Resume(checkpoint) => {
                AtomicFile::resume_partial(path, len)?.ok_or_else(|| Error::Resume {
                    path: checkpoint.clone(),
                    reason: format!(
                        "{} is missing or shorter than the checkpoint says; delete the checkpoint to start over",
                        AtomicFile::partial_path(path).display()
                    ),
                })
            }
        }
    }

    /// Opens the tree `path`.
    pub(crate) fn tree(&self, path: &Path, kind: TreeKind) -> Result<TreeDir, Error> {
        match self {
            Open::Fresh => TreeDir::create(path, kind),
            Open::Partial => TreeDir::create_partial(path, kind),
            Open::Resume(checkpoint) => {
                TreeDir::resume_partial(path, kind)?.ok_or_else(|| Error::Resume {
                    path: checkpoint.clone(),
                    reason: format!(
                        "{} is missing; delete the checkpoint to start over",
                        AtomicFile::partial_path(path).display()
                    ),
                })
            }
        }
    }

    /// Opens the output `path` (standard output for `-`, in a fresh run only).
    pub(crate) fn output(&self, path: &Path, len: u64) -> Result<Output, Error> {
        match self {
            Open::Fresh => Output::open(path),
            Open::Partial | Open::Resume(_) => self.file(path, len).map(Output::File),
        }
    }

    pub(crate) fn is_resumed(&self) -> bool {
        matches!(self, Open::Resume(_))
    }
}

/// The row files of a run: one, or one per `max_docs_per_file` articles. Completed files wait
/// under temporary names and are put in place together when the run finishes, so an
/// interrupted run leaves no output at all, not some of its shards.
pub(crate) struct RowFiles {
    pub(crate) open: Open,
    /// The length the first file is cut back to when resumed.
    pub(crate) resume_len: u64,
    pub(crate) format: Format,
    pub(crate) base: PathBuf,
    pub(crate) fields: Vec<Field>,
    pub(crate) has_sentences: bool,
    pub(crate) schema: Schema,
    pub(crate) max_docs_per_file: Option<u64>,
    pub(crate) current: Option<Box<dyn RowFile>>,
    pub(crate) current_path: PathBuf,
    pub(crate) n_in_current: u64,
    pub(crate) n_files: u64,
    pub(crate) closed: Vec<(Option<PendingFile>, report::OutputFile)>,
}

impl RowFiles {
    pub(crate) fn open_next(&mut self) -> Result<(), Error> {
        let path = match self.max_docs_per_file {
            Some(_) => shard_path(&self.base, self.n_files),
            None => self.base.clone(),
        };
        let is_resumed = self.open.is_resumed() && self.n_files == 0;
        let stream = || -> Result<Stream, Error> {
            Stream::new(&path, self.open.output(&path, self.resume_len)?)
        };
        let file: Box<dyn RowFile> = match self.format {
            Format::Jsonl => Box::new(JsonlFile {
                out: stream()?,
                fields: self.fields.clone(),
                schema: self.schema,
                line: Vec::new(),
            }),
            Format::Csv => Box::new(table::CsvFile::create(
                &path,
                stream()?,
                &self.fields,
                is_resumed,
            )?),
            Format::Parquet => Box::new(columnar::ParquetFile::create(
                &path,
                &self.fields,
                self.has_sentences,
                self.schema,
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

    /// Syncs the current file for a checkpoint; returns its length.
    pub(crate) fn sync(&mut self) -> Result<u64, Error> {
        match &mut self.current {
            Some(file) => file.sync(),
            None => Ok(0),
        }
    }

    /// Completes the current file (it stays under its temporary name).
    pub(crate) fn close_current(&mut self) -> Result<(), Error> {
        if let Some(file) = self.current.take() {
            let pending = file.close()?;
            let n_bytes = pending.as_ref().map_or(Ok(0), PendingFile::size)?;
            self.closed.push((
                pending,
                report::OutputFile {
                    path: self.current_path.clone(),
                    kind: "articles".to_owned(),
                    n_docs: self.n_in_current,
                    n_bytes,
                },
            ));
        }
        Ok(())
    }

    /// Completes the last file and puts every file in place; returns what was written.
    pub(crate) fn commit(mut self) -> Result<Vec<report::OutputFile>, Error> {
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

    pub(crate) fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        self.file_for_next()?.write(row)?;
        self.n_in_current += 1;
        Ok(())
    }

    /// Writes an article a worker rendered; `false` when this format renders its own.
    pub(crate) fn write_rendered(&mut self, line: &[u8]) -> Result<bool, Error> {
        let is_written = self.file_for_next()?.write_rendered(line)?;
        self.n_in_current += u64::from(is_written);
        Ok(is_written)
    }

    /// The file the next article goes to, rolled over or opened as needed.
    fn file_for_next(&mut self) -> Result<&mut dyn RowFile, Error> {
        if self
            .max_docs_per_file
            .is_some_and(|max| self.n_in_current >= max)
        {
            self.close_current()?;
        }
        if self.current.is_none() {
            self.open_next()?;
        }
        Ok(self.current.as_deref_mut().expect("opened above"))
    }
}
