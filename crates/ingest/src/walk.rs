//! The source: walks the inputs in a stable order, opens each file (decompressing it and
//! expanding containers member by member) and emits one record per document.

use std::cell::Cell;
use std::collections::HashMap;
use std::fs::File;
use std::io::{self, BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use globset::{Glob, GlobSet, GlobSetBuilder};
use newsclean_core::hash::stable_hash;
use newsclean_core::{
    DocSource, RawDoc, RawFormat, Record, Reject, Reporter, Seq, Source, StageError,
};
use walkdir::WalkDir;

use crate::format::{self, Compression, InputFormat};
use crate::id::doc_id;
use crate::read::{Budget, FormatError, decompress, peek, read_at_most_sized};
use crate::{Error, IngestConfig, Shard, jsonl, order_key, tarball, warc, zipfile};

/// Buffer size for reading files and decompressed streams.
const BUF_SIZE: usize = 1 << 16;
/// How much of a regular file is read at once before its format is looked at: all of a page.
const HEAD_READ: u64 = 1 << 20;

/// The source of a run: walks files, directories and `-` (standard input) and emits one
/// [`Record::Raw`] per document, or a [`Record::Reject`] for one that cannot be read.
///
/// Directories are walked sorted by file name and containers are read in their stored order,
/// so the order of documents, and with it every `seq`, is the same on every run and machine.
pub struct InputSource<'a> {
    inputs: Vec<PathBuf>,
    include: Option<GlobSet>,
    exclude: GlobSet,
    config: IngestConfig,
    reporter: &'a dyn Reporter,
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|source| Error::Glob {
            pattern: pattern.clone(),
            source,
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|source| Error::Glob {
        pattern: patterns.join(" "),
        source,
    })
}

/// Numbers records and hands them to the runner; drops those below the resume point, and
/// in a sharded run those of other shards; makes ids unique.
pub(crate) struct Out<'e> {
    emit: &'e mut dyn FnMut(Record) -> bool,
    next_seq: Seq,
    resume_from: Seq,
    is_stopped: bool,
    /// The hash of every id given so far → the last `~N` suffix given to a copy of it (1 for
    /// none), so that the thousandth copy of an id costs one lookup, not a thousand.
    ids: HashMap<u64, u32>,
    /// The shard of a sharded run.
    shard: Option<Shard>,
    /// Files found so far by the walk (numbered in a sharded run).
    n_files: u64,
    /// True while a sharded run reads standard input, whose documents it takes by id.
    is_by_id: bool,
    /// The file of a sharded run whose documents ran out of order keys.
    overflowed: Option<String>,
}

impl Out<'_> {
    /// True once the runner asked to stop.
    pub(crate) fn is_stopped(&self) -> bool {
        self.is_stopped
    }

    /// True when the next document was finished by an earlier run (see `--resume`): the
    /// caller may [`Out::skip`] it without reading it.
    pub(crate) fn is_skipping(&self) -> bool {
        self.next_seq < self.resume_from
    }

    /// The seq the next document gets.
    pub(crate) fn next_seq(&self) -> Seq {
        self.next_seq
    }

    /// Counts a document without emitting it (its id is taken all the same, so that later
    /// documents get the ids they get in a run that reads it).
    pub(crate) fn skip(&mut self, id: String) {
        self.unique_id(id);
        self.next_seq += 1;
    }

    /// Starts the next file found by the walk (`path`); false when it belongs to another
    /// shard. A sharded run numbers the file's documents from the file's order key.
    fn begin_file(&mut self, path: &Path) -> bool {
        let Some(shard) = self.shard else {
            return true;
        };
        let file = self.n_files;
        self.n_files += 1;
        self.next_seq = order_key(file, 0);
        if self.next_seq >> 32 != file {
            // More files than an order key can number: stop rather than mix keys up.
            self.overflowed = Some(path.to_string_lossy().into_owned());
            self.is_stopped = true;
        }
        shard.takes_file(file)
    }

    /// True unless a sharded run reading standard input leaves this document to another shard.
    fn takes(&self, id: &str) -> bool {
        !self.is_by_id || self.shard.is_none_or(|shard| shard.takes_id(id))
    }

    /// `id`, or, when an earlier document of the run has it, `id~2`, `id~3`, …: the first
    /// free one. Ids are unique in a run, so that no two articles share a file of a text
    /// tree and no duplicate is listed as a copy of itself (the same file given twice, a
    /// page as `story.txt` and `story.html`, repeated archive members). See: issue 13.
    fn unique_id(&mut self, id: String) -> String {
        let key = stable_hash(id.as_bytes());
        let Some(&last) = self.ids.get(&key) else {
            self.ids.insert(key, 1);
            return id;
        };
        let mut n = last;
        loop {
            n += 1;
            let candidate = format!("{id}~{n}");
            let candidate_key = stable_hash(candidate.as_bytes());
            if let std::collections::hash_map::Entry::Vacant(entry) = self.ids.entry(candidate_key)
            {
                entry.insert(1);
                self.ids.insert(key, n);
                return candidate;
            }
        }
    }

    fn push(&mut self, is_taken: bool, make: impl FnOnce(Seq) -> Record) {
        let seq = self.next_seq;
        self.next_seq += 1;
        if self.shard.is_some() && seq >> 32 != self.n_files.saturating_sub(1) {
            // The file's documents ran past its order keys (see `MAX_MEMBERS`).
            self.overflowed
                .get_or_insert_with(|| format!("file {}", seq >> 32));
            self.is_stopped = true;
        }
        if !is_taken || seq < self.resume_from || self.is_stopped {
            return;
        }
        if !(self.emit)(make(seq)) {
            self.is_stopped = true;
        }
    }

    /// Emits a document's bytes.
    pub(crate) fn doc(
        &mut self,
        id: String,
        source: DocSource,
        format: RawFormat,
        charset: Option<String>,
        bytes: Vec<u8>,
    ) {
        let id = self.unique_id(id);
        let is_taken = self.takes(&id);
        self.push(is_taken, |seq| {
            Record::Raw(RawDoc {
                seq,
                id,
                source,
                bytes,
                format,
                charset,
            })
        });
    }

    /// Emits a reject.
    pub(crate) fn reject(&mut self, id: String, source: DocSource, reason: String) {
        let id = self.unique_id(id);
        let is_taken = self.takes(&id);
        self.push(is_taken, |seq| {
            Record::Reject(Reject {
                seq,
                id,
                source,
                reason,
            })
        });
    }
}

/// What the readers of one input file share.
pub(crate) struct FileCtx<'a> {
    /// The file (`-` for standard input).
    pub path: &'a Path,
    /// The id of the file; member ids start with it.
    pub id: String,
    /// The settings.
    pub config: &'a IngestConfig,
    /// The file's compression, if any.
    pub compression: Option<Compression>,
    /// Raised when the decompressed stream passed its budget.
    pub is_over_budget: Rc<Cell<bool>>,
    /// How many bytes the file may expand to (see [`IngestConfig::archive_budget`]).
    pub budget: u64,
    /// What the file is, for messages ("tar archive").
    pub what: &'static str,
}

impl FileCtx<'_> {
    /// The source of a document in this file.
    pub(crate) fn source(&self, member: Option<String>) -> DocSource {
        DocSource {
            path: self.path.to_string_lossy().into_owned(),
            member,
            ..DocSource::default()
        }
    }

    /// Why reading the file's stream failed, in words.
    pub(crate) fn stream_error(&self, err: &io::Error) -> String {
        if self.is_over_budget.get() {
            format!(
                "{} expands to more than {} bytes (--max-archive-bytes); the rest of it was skipped",
                self.what, self.budget
            )
        } else if let Some(compression) = self.compression.filter(|_| !is_format_error(err)) {
            format!(
                "{} is truncated or corrupt ({} stream): {err}",
                self.what,
                compression.name()
            )
        } else {
            format!("{} is truncated or corrupt: {err}", self.what)
        }
    }

    /// The reject reason for a document over `--max-doc-bytes`.
    pub(crate) fn too_large(&self, what: &str, n_bytes: Option<u64>) -> String {
        let max = self.config.max_doc_bytes;
        match n_bytes {
            Some(n) => format!("{what} is {n} bytes, over the limit of {max} (--max-doc-bytes)"),
            None => format!("{what} is over the limit of {max} bytes (--max-doc-bytes)"),
        }
    }
}

/// How an archive member should be decoded, judged by its name and first bytes; `Err` for
/// members that are archives themselves, which are not read.
pub(crate) fn member_format(name: &str, head: &[u8]) -> Result<RawFormat, String> {
    let (compression, inner) = format::split_compression(name);
    if let Some(compression) = compression {
        return Err(format!(
            "archive member is {} compressed; nested archives are not read",
            compression.name()
        ));
    }
    match format::format_of_name(&inner) {
        Some(InputFormat::Html) => Ok(RawFormat::Html),
        Some(InputFormat::Text) => Ok(RawFormat::Text),
        Some(nested) => Err(format!(
            "archive member is a {} file; nested archives are not read",
            nested.name()
        )),
        None if format::looks_like_html(head) => Ok(RawFormat::Html),
        None => Ok(RawFormat::Text),
    }
}

impl<'a> InputSource<'a> {
    /// A source over `inputs` (files, directories, or `-` for standard input).
    pub fn new(
        inputs: &[PathBuf],
        config: &IngestConfig,
        reporter: &'a dyn Reporter,
    ) -> Result<InputSource<'a>, Error> {
        let include = if config.include.is_empty() {
            None
        } else {
            Some(glob_set(&config.include)?)
        };
        Ok(InputSource {
            inputs: inputs.to_vec(),
            include,
            exclude: glob_set(&config.exclude)?,
            config: config.clone(),
            reporter,
        })
    }

    fn is_selected(&self, rel: &Path) -> bool {
        let is_included = self.include.as_ref().is_none_or(|set| set.is_match(rel));
        is_included && !self.exclude.is_match(rel)
    }

    /// A hash of the input list as the walk sees it: every file it would read, with its path,
    /// size and modification time, and every symlink and error it would report. A resumed run
    /// compares it with the checkpoint's, so that it never mixes the output of changed inputs
    /// with the old (see: issue 13). Standard input hashes as itself: a caller that resumes
    /// refuses it.
    pub fn fingerprint(&self) -> u64 {
        let mut hash = stable_hash(b"newsclean inputs");
        let mut add = |line: &str| {
            let mut bytes = hash.to_le_bytes().to_vec();
            bytes.extend_from_slice(line.as_bytes());
            hash = stable_hash(&bytes);
        };
        for input in &self.inputs {
            add(&format!("input {}", input.display()));
            if input == Path::new("-") {
                continue;
            }
            let own = &self.config.own_files;
            let mut walker = WalkDir::new(input)
                .follow_links(true)
                .sort_by_file_name()
                .into_iter()
                .filter_entry(|entry| own.is_empty() || !own.contains(entry.path()));
            let root = std::fs::canonicalize(input).ok();
            while let Some(entry) = walker.next() {
                let entry = match entry {
                    Ok(entry) => entry,
                    Err(err) => {
                        add(&format!("error {err}"));
                        continue;
                    }
                };
                let rel = relative(input, entry.path());
                if entry.depth() > 0 && entry.path_is_symlink() && !self.config.follow_symlinks {
                    if let Some(target) = outside(root.as_deref(), entry.path()) {
                        if entry.file_type().is_dir() {
                            walker.skip_current_dir();
                        }
                        add(&format!("link {} {}", rel.display(), target.display()));
                        continue;
                    }
                }
                if entry.file_type().is_dir() || !self.is_selected(&rel) {
                    continue;
                }
                let line = match entry.metadata() {
                    Ok(meta) => {
                        let modified = meta
                            .modified()
                            .ok()
                            .and_then(|t| t.duration_since(std::time::UNIX_EPOCH).ok())
                            .map_or(0, |d| d.as_nanos());
                        format!("file {} {} {modified}", rel.display(), meta.len())
                    }
                    Err(err) => format!("file {} {err}", rel.display()),
                };
                add(&line);
            }
        }
        hash
    }

    /// Walks one input, emitting its records.
    fn walk(&self, input: &Path, out: &mut Out<'_>) {
        if input == Path::new("-") {
            // Every shard reads standard input, and takes its documents by id.
            out.begin_file(input);
            out.is_by_id = out.shard.is_some();
            let n_read = Cell::new(0);
            let stdin = Counted {
                inner: io::stdin().lock(),
                reporter: self.reporter,
                n_read: &n_read,
            };
            self.read_stream(
                Box::new(stdin),
                input,
                "stdin",
                "stdin".into(),
                None,
                false,
                out,
            );
            out.is_by_id = false;
            return;
        }
        let own = &self.config.own_files;
        let mut walker = WalkDir::new(input)
            .follow_links(true)
            .sort_by_file_name()
            .into_iter()
            // The run's own outputs and temporary files are not input, wherever they are.
            .filter_entry(|entry| own.is_empty() || !own.contains(entry.path()));
        let root = std::fs::canonicalize(input).ok();
        while let Some(entry) = walker.next() {
            if out.is_stopped() {
                return;
            }
            // A symlink out of the input directory (`ln -s /etc in/etc`) is not followed
            // unless asked: the input is what the directory holds. See: issue 13.
            let escape = match &entry {
                Ok(entry)
                    if entry.depth() > 0
                        && entry.path_is_symlink()
                        && !self.config.follow_symlinks =>
                {
                    outside(root.as_deref(), entry.path())
                }
                _ => None,
            };
            match (entry, escape) {
                (Ok(entry), Some(target)) => {
                    if entry.file_type().is_dir() {
                        walker.skip_current_dir();
                    }
                    let rel = relative(input, entry.path());
                    if !self.is_selected(&rel) || !out.begin_file(entry.path()) {
                        continue;
                    }
                    let reason = format!(
                        "symlink out of the input directory (to {}); not followed (see --follow-symlinks)",
                        target.display()
                    );
                    out.reject(doc_id(&rel), source_of(entry.path()), reason);
                }
                (Ok(entry), None) if entry.file_type().is_dir() => {}
                (Ok(entry), None) => {
                    let rel = relative(input, entry.path());
                    if !self.is_selected(&rel) || !out.begin_file(entry.path()) {
                        continue;
                    }
                    // A FIFO or device inside a directory could block forever; one named on
                    // the command line (`<(zcat x)`) is read as a stream.
                    if entry.depth() > 0 && !entry.file_type().is_file() {
                        out.reject(
                            doc_id(&rel),
                            source_of(entry.path()),
                            "not a regular file (a FIFO, socket or device)".into(),
                        );
                        continue;
                    }
                    self.read_file(entry.path(), &rel, out);
                }
                (Err(err), _) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    let rel = relative(input, &path);
                    if !self.is_selected(&rel) || !out.begin_file(&path) {
                        continue;
                    }
                    let reason = match err.loop_ancestor() {
                        Some(ancestor) => format!("symlink loop back to {}", ancestor.display()),
                        None => format!(
                            "cannot read: {}",
                            err.io_error()
                                .map_or_else(|| err.to_string(), ToString::to_string)
                        ),
                    };
                    out.reject(doc_id(&rel), source_of(&path), reason);
                }
            }
        }
    }

    /// Reads one file found by the walk.
    fn read_file(&self, path: &Path, rel: &Path, out: &mut Out<'_>) {
        if path.to_str().is_none() {
            let reason = "file name is not valid UTF-8".to_owned();
            out.reject(doc_id(rel), source_of(path), reason);
            return;
        }
        let name = format::file_name(rel);
        let (_, inner_name) = format::split_compression(&name);
        let id = doc_id(&rel.with_file_name(&inner_name));
        // A text or HTML file is always exactly one document, so a resumed run can count it
        // without opening it.
        let by_name = match self.config.input_format {
            InputFormat::Auto => format::format_of_name(&inner_name),
            format => Some(format),
        };
        if out.is_skipping() && matches!(by_name, Some(InputFormat::Text | InputFormat::Html)) {
            out.skip(id);
            return;
        }
        let meta = match std::fs::metadata(path) {
            Ok(meta) => meta,
            Err(err) => {
                out.reject(id, source_of(path), format!("cannot read file: {err}"));
                return;
            }
        };
        let n_bytes = meta.len();
        self.reporter.on_found(n_bytes);
        let file = match File::open(path) {
            Ok(file) => file,
            Err(err) => {
                out.reject(id, source_of(path), format!("cannot read file: {err}"));
                return;
            }
        };
        let n_read = Cell::new(0);
        let mut file = Counted {
            inner: file,
            reporter: self.reporter,
            n_read: &n_read,
        };
        // A FIFO or device named on the command line is read as a stream, never reopened.
        let is_file = meta.is_file();
        // The start of a regular file is read in one go, so that a page (most files) costs
        // one read rather than one per peek and per doubling of the buffer.
        let head_len = n_bytes.min(HEAD_READ).min(self.config.max_doc_bytes);
        let mut head = Vec::new();
        if is_file {
            head.reserve_exact(head_len as usize + 1);
            if let Err(err) = (&mut file).take(head_len + 1).read_to_end(&mut head) {
                out.reject(id, source_of(path), format!("cannot read file: {err}"));
                return;
            }
        }
        // A whole page (most files): the head is the document, unless its bytes say that it
        // is compressed after all. The general path below would copy it into a buffer of its
        // own through three readers, on the one thread that reads every input.
        let raw_format = match by_name {
            Some(InputFormat::Html) => Some(RawFormat::Html),
            Some(InputFormat::Text) => Some(RawFormat::Text),
            _ => None,
        };
        if let Some(format) = raw_format {
            let is_whole = is_file && head.len() as u64 <= head_len && head_len == n_bytes;
            if is_whole
                && inner_name == name
                && Compression::sniff(&head[..head.len().min(16)]).is_none()
            {
                self.reporter.on_read(n_bytes.saturating_sub(n_read.get()));
                out.doc(id, source_of(path), format, None, head);
                return;
            }
        }
        let input = io::Cursor::new(head).chain(file);
        self.read_stream(
            Box::new(input),
            path,
            &name,
            id,
            Some(n_bytes),
            is_file,
            out,
        );
        // The rest of the file counts as done too: a zip archive is read through its own
        // handle, and a reject may stop early.
        self.reporter.on_read(n_bytes.saturating_sub(n_read.get()));
    }

    /// Reads one input stream of any format. `file_len` is the size of a plain file;
    /// `is_file` tells whether `path` can be opened again for random access (zip).
    #[expect(
        clippy::too_many_arguments,
        reason = "one private call site per input kind"
    )]
    fn read_stream(
        &self,
        input: Box<dyn Read + '_>,
        path: &Path,
        name: &str,
        id: String,
        file_len: Option<u64>,
        is_file: bool,
        out: &mut Out<'_>,
    ) {
        let (claimed, inner_name) = format::split_compression(name);
        let (head, input) = match peek(input, 16) {
            Ok(peeked) => peeked,
            Err(err) => {
                out.reject(id, source_of(path), format!("cannot read file: {err}"));
                return;
            }
        };
        let actual = Compression::sniff(&head);
        if let Some(claimed) = claimed {
            if actual != Some(claimed) {
                let reason = format!(
                    "not a {} stream, though the file name says so",
                    claimed.name()
                );
                out.reject(id, source_of(path), reason);
                return;
            }
        }
        let budget = self.config.archive_budget(file_len);
        let (input, stream_budget): (Box<dyn Read + '_>, u64) = match actual {
            Some(compression) => (
                decompress(BufReader::with_capacity(BUF_SIZE, input), compression),
                budget,
            ),
            None => (Box::new(input), u64::MAX),
        };
        let (input, is_over_budget) = Budget::new(input, stream_budget);
        let ctx = FileCtx {
            path,
            id,
            config: &self.config,
            compression: actual,
            is_over_budget,
            budget,
            what: "file",
        };
        self.read_content(Box::new(input), ctx, &inner_name, file_len, is_file, out);
    }

    /// Reads a decompressed stream as the format its name or content says.
    fn read_content(
        &self,
        input: Box<dyn Read + '_>,
        mut ctx: FileCtx<'_>,
        inner_name: &str,
        file_len: Option<u64>,
        is_file: bool,
        out: &mut Out<'_>,
    ) {
        let by_name = match self.config.input_format {
            InputFormat::Auto => format::format_of_name(inner_name),
            format => Some(format),
        };
        ctx.what = what_of(by_name.unwrap_or(InputFormat::Auto));
        let (head, mut input) = match peek(input, 512) {
            Ok(peeked) => peeked,
            Err(err) => {
                out.reject(ctx.id.clone(), ctx.source(None), ctx.stream_error(&err));
                return;
            }
        };
        let can_be_zip = is_file && ctx.compression.is_none();
        let format = by_name.unwrap_or_else(|| format::sniff_format(&head, can_be_zip));
        ctx.what = what_of(format);
        let first_seq = out.next_seq();
        let result = match format {
            InputFormat::Auto | InputFormat::Text | InputFormat::Html => {
                let raw_format = if format == InputFormat::Html
                    || (format == InputFormat::Auto && format::looks_like_html(&head))
                {
                    RawFormat::Html
                } else {
                    RawFormat::Text
                };
                self.read_document(&mut input, &ctx, raw_format, file_len, out);
                Ok(())
            }
            InputFormat::Jsonl => {
                jsonl::read(&mut BufReader::with_capacity(BUF_SIZE, input), &ctx, out)
            }
            InputFormat::Warc => {
                warc::read(&mut BufReader::with_capacity(BUF_SIZE, input), &ctx, out)
            }
            InputFormat::Tar => tarball::read(Box::new(input), &ctx, out),
            InputFormat::Zip if can_be_zip => {
                drop(input);
                zipfile::read(&ctx, out);
                Ok(())
            }
            InputFormat::Zip => {
                let reason = match ctx.compression {
                    Some(compression) => format!(
                        "a zip archive inside a {} stream cannot be read; unpack it first",
                        compression.name()
                    ),
                    None => {
                        "a zip archive cannot be read from standard input or a pipe; save it to a file"
                            .into()
                    }
                };
                out.reject(ctx.id.clone(), ctx.source(None), reason);
                Ok(())
            }
        };
        if let Err(err) = result {
            out.reject(ctx.id.clone(), ctx.source(None), ctx.stream_error(&err));
        }
        if out.next_seq() == first_seq {
            let reason = format!("{} holds no documents", ctx.what);
            out.reject(ctx.id.clone(), ctx.source(None), reason);
        }
    }

    /// Reads a whole stream as one document.
    fn read_document(
        &self,
        input: &mut dyn Read,
        ctx: &FileCtx<'_>,
        format: RawFormat,
        file_len: Option<u64>,
        out: &mut Out<'_>,
    ) {
        let max = self.config.max_doc_bytes;
        if ctx.compression.is_none() {
            if let Some(n_bytes) = file_len.filter(|&n| n > max) {
                out.reject(
                    ctx.id.clone(),
                    ctx.source(None),
                    ctx.too_large("file", Some(n_bytes)),
                );
                return;
            }
        }
        let reason = match read_at_most_sized(&mut *input, max, file_len.unwrap_or(0)) {
            Ok(Some(bytes)) => {
                out.doc(ctx.id.clone(), ctx.source(None), format, None, bytes);
                return;
            }
            Ok(None) if ctx.compression.is_some() => ctx.too_large("decompressed file", None),
            Ok(None) => ctx.too_large("file", None),
            Err(err) => ctx.stream_error(&err),
        };
        out.reject(ctx.id.clone(), ctx.source(None), reason);
    }
}

impl Source for InputSource<'_> {
    type Item = Record;
    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        let mut out = Out {
            emit,
            next_seq: 0,
            resume_from: self.config.resume_from,
            is_stopped: false,
            ids: HashMap::new(),
            shard: self.config.shard,
            n_files: 0,
            is_by_id: false,
            overflowed: None,
        };
        for input in &self.inputs {
            if out.is_stopped() {
                break;
            }
            self.walk(input, &mut out);
        }
        self.reporter.on_found_all();
        match out.overflowed {
            Some(path) => Err(StageError::new(
                newsclean_core::StageId::Ingest,
                Error::TooManyMembers { path },
            )),
            None => Ok(()),
        }
    }
}

/// A file as stored, telling the reporter how many of its bytes were read (compressed bytes
/// for a compressed file: what progress can compare with the file's size).
struct Counted<'r, R> {
    inner: R,
    reporter: &'r dyn Reporter,
    /// The bytes read so far.
    n_read: &'r Cell<u64>,
}

impl<R: Read> Read for Counted<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.n_read.set(self.n_read.get() + n as u64);
        self.reporter.on_read(n as u64);
        Ok(n)
    }
}

/// True for an error about a container's layout rather than its stream.
fn is_format_error(err: &io::Error) -> bool {
    err.get_ref()
        .is_some_and(<dyn std::error::Error + Send + Sync>::is::<FormatError>)
}

/// What a file of `format` is called in messages.
fn what_of(format: InputFormat) -> &'static str {
    match format {
        InputFormat::Auto | InputFormat::Text | InputFormat::Html => "file",
        InputFormat::Jsonl => "JSONL file",
        InputFormat::Warc => "WARC file",
        InputFormat::Tar => "tar archive",
        InputFormat::Zip => "zip archive",
    }
}

fn source_of(path: &Path) -> DocSource {
    DocSource {
        path: path.to_string_lossy().into_owned(),
        ..DocSource::default()
    }
}

/// The target of the symlink `link` when it lies outside `root` (canonical); `None` inside.
fn outside(root: Option<&Path>, link: &Path) -> Option<PathBuf> {
    let target = std::fs::canonicalize(link).ok()?;
    match root {
        Some(root) if target.starts_with(root) => None,
        _ => Some(target),
    }
}

/// The path of `path` under the input `root`; for a file input, its file name.
fn relative(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path
            .file_name()
            .map_or_else(|| PathBuf::from("input"), PathBuf::from),
    }
}

#[cfg(test)]
mod tests {
    use newsclean_core::NoopReporter;

    use super::*;

    fn walk(root: &Path, config: &IngestConfig) -> Vec<(String, String)> {
        let mut source = InputSource::new(&[root.to_path_buf()], config, &NoopReporter).unwrap();
        let mut out = Vec::new();
        source
            .run(&mut |r| {
                let what = match &r {
                    Record::Raw(raw) => String::from_utf8_lossy(&raw.bytes).into_owned(),
                    Record::Reject(rej) => format!("reject: {}", rej.reason),
                    other => other.kind_name().to_owned(),
                };
                out.push((r.id().to_owned(), what));
                true
            })
            .unwrap();
        out
    }

    #[test]
    fn walks_sorted_with_globs_and_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/z.txt"), "z").unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::write(root.join("a.truth.txt"), "truth").unwrap();
        std::fs::write(root.join("big.txt"), "0123456789").unwrap();
        let config = IngestConfig {
            exclude: vec!["*.truth.txt".into()],
            max_doc_bytes: 5,
            ..IngestConfig::default()
        };
        let got = walk(root, &config);
        assert_eq!(
            got,
            vec![
                ("a".into(), "a".into()),
                ("b/c/z".into(), "z".into()),
                (
                    "big".into(),
                    "reject: file is 10 bytes, over the limit of 5 (--max-doc-bytes)".into()
                ),
            ]
        );
        let only_b = IngestConfig {
            include: vec!["b/**".into()],
            ..IngestConfig::default()
        };
        assert_eq!(walk(root, &only_b), vec![("b/c/z".into(), "z".into())]);
    }

    #[test]
    fn resume_skips_documents_below_the_resume_point() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in ["a.txt", "b.txt", "c.txt", "d.txt"] {
            std::fs::write(root.join(name), name).unwrap();
        }
        let config = IngestConfig {
            resume_from: 2,
            ..IngestConfig::default()
        };
        assert_eq!(seqs(root, &config), [(2, "c".into()), (3, "d".into())]);
    }

    /// `(seq, id)` of every record the walk of `root` emits.
    fn seqs(root: &Path, config: &IngestConfig) -> Vec<(Seq, String)> {
        let mut source = InputSource::new(&[root.to_path_buf()], config, &NoopReporter).unwrap();
        let mut got = Vec::new();
        source
            .run(&mut |r| {
                got.push((r.seq(), r.id().to_owned()));
                true
            })
            .unwrap();
        got
    }

    /// `(seq, id)` of every record of one shard.
    fn shard_walk(root: &Path, shard: Option<Shard>) -> Vec<(Seq, String)> {
        let config = IngestConfig {
            shard,
            ..IngestConfig::default()
        };
        seqs(root, &config)
    }

    #[test]
    fn shards_split_files_and_keep_global_order_keys() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::write(root.join("b.jsonl"), "{\"text\":\"1\"}\n{\"text\":\"2\"}\n").unwrap();
        std::fs::write(root.join("c.txt"), "").unwrap();
        std::fs::write(root.join("d.txt"), "d").unwrap();
        std::fs::write(root.join("e.jsonl"), "{\"text\":\"3\"}\n").unwrap();
        let whole = shard_walk(root, None);
        let ids: Vec<&str> = whole.iter().map(|(_, id)| id.as_str()).collect();
        assert_eq!(ids, ["a", "b/1", "b/2", "c", "d", "e/1"]);
        let key = crate::order_key;
        let one = shard_walk(root, Some(Shard { index: 0, count: 1 }));
        assert_eq!(
            one.iter().map(|(seq, _)| *seq).collect::<Vec<_>>(),
            [
                key(0, 0),
                key(1, 0),
                key(1, 1),
                key(2, 0),
                key(3, 0),
                key(4, 0)
            ]
        );
        for count in 2..=4 {
            let mut merged: Vec<(Seq, String)> = (0..count)
                .flat_map(|index| {
                    let part = shard_walk(root, Some(Shard { index, count }));
                    // Each shard reads only its files, in order.
                    assert!(part.iter().all(|(seq, _)| (seq >> 32) % count == index));
                    assert!(part.is_sorted());
                    part
                })
                .collect();
            merged.sort();
            assert_eq!(merged, one, "{count} shards");
        }
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_broken_links_are_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::os::unix::fs::symlink(root, root.join("d/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("broken.txt")).unwrap();
        let got = walk(root, &IngestConfig::default());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].0 == "broken" && got[0].1.starts_with("reject: cannot read"),
            "{got:?}"
        );
        assert!(
            got[1].0 == "d/loop" && got[1].1.starts_with("reject: symlink loop"),
            "{got:?}"
        );
    }

    #[test]
    fn progress_counts_bytes_as_stored() {
        use std::sync::atomic::{AtomicU64, Ordering};
        #[derive(Default)]
        struct Bytes {
            found: AtomicU64,
            read: AtomicU64,
        }
        impl Reporter for Bytes {
            fn on_found(&self, n_bytes: u64) {
                self.found.fetch_add(n_bytes, Ordering::Relaxed);
            }
            fn on_read(&self, n_bytes: u64) {
                self.read.fetch_add(n_bytes, Ordering::Relaxed);
            }
        }
        let dir = tempfile::tempdir().unwrap();
        let text = "A line of text that compresses well.\n".repeat(2000);
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        std::io::Write::write_all(&mut gz, text.as_bytes()).unwrap();
        let gz = gz.finish().unwrap();
        std::fs::write(dir.path().join("a.txt.gz"), &gz).unwrap();
        std::fs::write(dir.path().join("b.txt"), &text).unwrap();
        let bytes = Bytes::default();
        let mut source = InputSource::new(
            &[dir.path().to_path_buf()],
            &IngestConfig::default(),
            &bytes,
        )
        .unwrap();
        let mut n_docs = 0;
        source
            .run(&mut |_| {
                n_docs += 1;
                true
            })
            .unwrap();
        assert_eq!(n_docs, 2);
        let found = bytes.found.load(Ordering::Relaxed);
        assert_eq!(found, (gz.len() + text.len()) as u64);
        assert_eq!(bytes.read.load(Ordering::Relaxed), found);
    }

    #[test]
    fn member_formats() {
        assert_eq!(member_format("a/b.html", b""), Ok(RawFormat::Html));
        assert_eq!(
            member_format("a/b", b"<!doctype html>"),
            Ok(RawFormat::Html)
        );
        assert_eq!(member_format("a/b.txt", b"<html>"), Ok(RawFormat::Text));
        assert_eq!(
            member_format("a/b.txt.gz", b""),
            Err("archive member is gzip compressed; nested archives are not read".into())
        );
        assert!(member_format("a/b.zip", b"").is_err());
    }
}
