//! Running on a cluster: `run --shard` and `learn --shard`, and what every shard step shares:
//! keyed lines (to standard output, a file or partition files for a shuffle through files) and
//! idempotent tasks (temporary names, renames, a `.done` marker that a rerun skips on).
//!
//! The contract of the steps is in ARCHITECTURE.md ("Running on a cluster"); `dups.rs` holds
//! the duplicate steps and `merge.rs` the final merge.

use std::fmt::Debug;
use std::io::{self, BufRead, BufReader, BufWriter, Write};
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use newsclean_core::hash::stable_hash;
use newsclean_core::{DupKind, Record, Sink, StageError, StageId};
use newsclean_dedupe::dup::Keep;
use newsclean_dedupe::sharded::{ApplyDrops, Drop, ShardError};
use newsclean_export::Format;
use newsclean_export::atomic::{self, AtomicFile};
use newsclean_export::lines::JsonLines;
use newsclean_export::output::Compression;
use newsclean_ingest::{IngestConfig, InputSource, Shard};
use newsclean_pipeline::Runner;

use super::config::dup_config;
use super::report::StageClock;
use super::run::AbortAfter;
use super::site_model::{Pass1, apply_site_args, group_by_of, pass1};
use super::{Settings, export_config, ingest_config, notes, outputs, print_line, resolve_output};
use crate::args::{ArticleArgs, CommonArgs, InputArgs, KeyedOutArgs, LearnArgs, RunArgs, SiteArgs};
use crate::exit::ExitStatus;
use crate::progress::Progress;

/// `learn --shard I/N`: the site model of one shard, for `learn --merge`.
pub fn learn(args: &LearnArgs, shard: Shard) -> anyhow::Result<ExitStatus> {
    let reads = read_paths(&args.input, None, &args.common, None);
    outputs::check_shard(&reads, &[outputs::Output::file("-o", &args.output)])?;
    let marker = done_path(&args.output);
    task(Some(marker), args, args.common.quiet, || {
        let settings = Settings::new(&args.common)?;
        let group_by = group_by_of(args.group.group_by);
        let ingest = shard_ingest(&args.input, shard)?;
        let Some(Pass1 { model, elapsed, .. }) =
            pass1(&args.input.inputs, &ingest, group_by, &settings, 1, None)?
        else {
            print_line("newsclean: interrupted; no model was written");
            return Ok(ExitStatus::Interrupted);
        };
        newsclean_engine::save_site_model(&model, &args.output)?;
        if !settings.is_quiet {
            print_line(&format!(
                "newsclean: shard {}/{}: site model of {} in {:.2} s; wrote {}",
                shard.index,
                shard.count,
                notes::count(model.n_docs(), "document"),
                elapsed.as_secs_f64(),
                args.output.display()
            ));
        }
        Ok(ExitStatus::Success)
    })
}

/// `run --shard I/N`: the final map. Cleans one shard as `run --model` cleans it, replaces
/// the articles of the drop list by duplicates, and writes every record as a keyed line.
pub fn run(args: &RunArgs, shard: Shard) -> anyhow::Result<ExitStatus> {
    let output = &args.output;
    for (is_given, what) in [
        (
            args.resume,
            "--resume (a rerun skips finished shards instead)",
        ),
        (output.report.is_some(), "--report"),
        (
            output.rejects.is_some(),
            "--rejects (rejects are lines of the shard's output; `newsclean merge` writes the file)",
        ),
        (
            output.duplicates.is_some(),
            "--duplicates (duplicates are lines of the shard's output; `newsclean merge` writes the file)",
        ),
        (output.max_docs_per_file.is_some(), "--max-docs-per-file"),
    ] {
        if is_given {
            anyhow::bail!("--shard does not take {what}");
        }
    }
    let (format, path) = resolve_output(output)?;
    if format != Format::Jsonl || Compression::of(&path) != Compression::None {
        anyhow::bail!(
            "--shard writes keyed JSON lines, uncompressed; `newsclean merge` makes the JSONL output"
        );
    }
    let export = export_config(output)?;
    let has_stdin = has_stdin(&args.input);
    check_site_model(&args.site, has_stdin)?;
    let dup = dup_config(&args.dup, &path)?;
    match (dup.keep, &args.shard.drop_list) {
        (Keep::Longest, _) => return Err(ShardError::KeepLongest.into()),
        (Keep::First, None) => anyhow::bail!(
            "--shard needs the --drop-list of `newsclean dups resolve` (or --keep all)"
        ),
        (Keep::All, Some(_)) => anyhow::bail!("--keep all drops nothing; leave out --drop-list"),
        _ => {}
    }
    let reads = read_paths(
        &args.input,
        Some(&args.site),
        &args.common,
        args.shard.drop_list.as_deref(),
    );
    outputs::check_shard(&reads, &[outputs::Output::file("-o", &path)])?;
    let marker = (path != Path::new("-")).then(|| done_path(&path));
    task(marker, args, args.common.quiet, || {
        let (settings, ingest) =
            match cleaning(&args.common, &args.article, &args.input, &args.site, shard)? {
                Ok(resolved) => resolved,
                Err(status) => return Ok(status),
            };
        let drops = match &args.shard.drop_list {
            Some(list) => Some(load_drops(list, shard, has_stdin)?),
            None => None,
        };
        let mut sink = KeyedSink {
            out: Some(KeyedOut::file(&path)?),
            lines: JsonLines::new(&export)?,
            line: Vec::new(),
            counts: [0; 3],
        };
        let progress = Progress::new(settings.is_quiet, "clean");
        let clock = StageClock::default();
        let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
        let engine = settings.engine(dup);
        let runner = Runner::new(settings.threads, settings.cancel, &progress);
        let result = match args.debug_abort_after {
            Some(n_left) => {
                let mut sink = AbortAfter {
                    sink: &mut sink,
                    n_left,
                };
                engine.run_shard(&runner, source, drops, &mut sink, &clock)
            }
            None => engine.run_shard(&runner, source, drops, &mut sink, &clock),
        };
        progress.finish();
        let status = finished(result)?;
        if status == ExitStatus::Success && !settings.is_quiet {
            let [n_articles, n_duplicates, n_rejects] = sink.counts;
            print_line(&format!(
                "newsclean: shard {}/{}: {}: {n_articles} articles, {n_duplicates} duplicates, {n_rejects} rejected; wrote {}",
                shard.index,
                shard.count,
                notes::count(n_articles + n_duplicates + n_rejects, "document"),
                path.display()
            ));
        }
        Ok(status)
    })
}

/// The settings and input of a shard step that cleans (`run --shard`, `dups map`), resolved
/// as `run --model` resolves them, for `shard`; `Err(status)` as [`apply_site_args`] says.
pub fn cleaning(
    common: &CommonArgs,
    article: &ArticleArgs,
    input: &InputArgs,
    site: &SiteArgs,
    shard: Shard,
) -> anyhow::Result<Result<(Settings, IngestConfig), ExitStatus>> {
    let mut settings = Settings::new(common)?;
    settings.segment.min_words = article.min_words;
    let ingest = shard_ingest(input, shard)?;
    Ok(
        apply_site_args(site, &input.inputs, &ingest, &mut settings, None)?
            .map(|_| (settings, ingest)),
    )
}

/// How a shard step reads its inputs: as `run` would, but only `shard`'s part of them.
pub fn shard_ingest(input: &InputArgs, shard: Shard) -> anyhow::Result<IngestConfig> {
    Ok(IngestConfig {
        shard: Some(shard),
        ..ingest_config(input)?
    })
}

/// The status of a shard step's pipeline: success (a shard's rejects are lines of its output,
/// not a failure of the task), interrupted, or the error.
pub fn finished(
    result: Result<newsclean_pipeline::RunStats, newsclean_pipeline::Error>,
) -> anyhow::Result<ExitStatus> {
    match result {
        Ok(_) => Ok(ExitStatus::Success),
        Err(newsclean_pipeline::Error::Cancelled) => {
            print_line("newsclean: interrupted; no output was put in place");
            Ok(ExitStatus::Interrupted)
        }
        Err(err) => Err(err.into()),
    }
}

/// The files a shard step reads: its inputs, and the site model, the line model and the drop
/// list where it has them; for [`outputs::check_shard`].
pub fn read_paths<'a>(
    input: &'a InputArgs,
    site: Option<&'a SiteArgs>,
    common: &'a CommonArgs,
    drop_list: Option<&'a Path>,
) -> Vec<&'a Path> {
    let mut paths: Vec<&Path> = input.inputs.iter().map(PathBuf::as_path).collect();
    paths.extend(site.and_then(|site| site.model.as_deref()));
    paths.extend(common.line_model.iter().map(PathBuf::as_path));
    paths.extend(drop_list);
    paths
}

/// True when standard input is one of the inputs.
pub fn has_stdin(input: &InputArgs) -> bool {
    input.inputs.iter().any(|p| p == Path::new("-"))
}

/// A shard cannot learn the site model of the whole input: it must be given (standard input
/// gets none, as in `run`).
pub fn check_site_model(site: &SiteArgs, has_stdin: bool) -> anyhow::Result<()> {
    if site.model.is_none() && !site.no_site_model && !has_stdin {
        anyhow::bail!(
            "a shard sees part of the input, so it cannot learn the site model: give --model \
             (from `learn --shard` and `learn --merge`) or --no-site-model"
        );
    }
    Ok(())
}

/// Reads the drop list of `dups resolve`, keeping this shard's part of it.
fn load_drops(path: &Path, shard: Shard, has_stdin: bool) -> anyhow::Result<ApplyDrops> {
    let file = std::fs::File::open(path)
        .with_context(|| format!("failed to read the drop list {}", path.display()))?;
    let mut drops = Vec::new();
    for (n, line) in BufReader::with_capacity(1 << 16, file).lines().enumerate() {
        let line = line.with_context(|| format!("failed to read {}", path.display()))?;
        let drop = parse_drop(&line).with_context(|| {
            format!(
                "{} line {} is not a drop list line (from `newsclean dups resolve`)",
                path.display(),
                n + 1
            )
        })?;
        // Standard input's documents go to shards by id, wherever its file number says.
        let is_mine = shard.takes_file(drop.seq >> 32) || (has_stdin && shard.takes_id(&drop.id));
        if is_mine {
            drops.push(drop);
        }
    }
    Ok(ApplyDrops::new(drops, !has_stdin))
}

/// One line of the drop list: `SEQ<TAB>KIND<TAB>SIMILARITY<TAB>"ID"<TAB>"DUPLICATE_OF"`.
pub fn drop_line(drop: &Drop) -> String {
    format!(
        "{:016x}\t{}\t{}\t{}\t{}",
        drop.seq,
        drop.kind.name(),
        drop.similarity,
        json_string(&drop.id),
        json_string(&drop.duplicate_of)
    )
}

fn parse_drop(line: &str) -> anyhow::Result<Drop> {
    let mut fields = line.split('\t');
    let mut next = || fields.next().context("too few fields");
    let seq = hex(next()?)?;
    let kind = match next()? {
        "exact" => DupKind::Exact,
        "near" => DupKind::Near,
        other => anyhow::bail!("unknown kind {other:?}"),
    };
    let similarity = next()?.parse().context("bad similarity")?;
    let id = serde_json::from_str(next()?).context("bad id")?;
    let duplicate_of = serde_json::from_str(next()?).context("bad duplicate_of")?;
    Ok(Drop {
        seq,
        id,
        duplicate_of,
        kind,
        similarity,
    })
}

/// A string as JSON: quoted, with no tab or newline, so that it can be a field of a line.
pub fn json_string(text: &str) -> String {
    serde_json::to_string(text).expect("a string serialises")
}

/// A hexadecimal key.
pub fn hex(text: &str) -> anyhow::Result<u64> {
    u64::from_str_radix(text, 16).with_context(|| format!("{text:?} is not a hexadecimal key"))
}

/// Writes the records of a shard as keyed lines, in order: `KEY<TAB>a|d|r<TAB>"ID"<TAB>JSON`.
/// The id is there for `merge`, which checks that ids are unique across shards (a shard
/// makes them unique only among its own documents; see `merge.rs`), whatever `--fields` and
/// `--schema` put in the JSON.
struct KeyedSink {
    out: Option<KeyedOut>,
    lines: JsonLines,
    line: Vec<u8>,
    /// Articles, duplicates, rejects.
    counts: [u64; 3],
}

impl Sink for KeyedSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        self.line.clear();
        let (kind, slot) = match &record {
            Record::Article(_) => (b'a', 0),
            Record::Duplicate(_) => (b'd', 1),
            Record::Reject(_) => (b'r', 2),
            other => {
                let message = format!("a shard writes articles, got a {}", other.kind_name());
                return Err(StageError::new(StageId::Export, message));
            }
        };
        self.line.extend_from_slice(&[kind, b'\t']);
        self.line
            .extend_from_slice(json_string(record.id()).as_bytes());
        self.line.push(b'\t');
        match &record {
            Record::Article(article) => self.lines.article(article, &mut self.line),
            Record::Duplicate(duplicate) => self.line.extend(JsonLines::duplicate(duplicate)),
            Record::Reject(reject) => self.line.extend(JsonLines::reject(reject)),
            _ => unreachable!("refused above"),
        }
        self.counts[slot] += 1;
        let key = format!("{:016x}", record.seq());
        self.out
            .as_mut()
            .expect("open until finish")
            .line(&key, &self.line)
            .map_err(|err| StageError::new(StageId::Export, err))
    }

    fn finish(&mut self) -> Result<(), StageError> {
        KeyedOut::finish(&mut self.out)
    }
}

/// Where a step writes keyed lines: standard output, one file, or partition files.
pub enum KeyedOut {
    Stdout(BufWriter<io::Stdout>),
    File(AtomicFile),
    Parts(Vec<AtomicFile>),
}

impl KeyedOut {
    /// The output `args` ask for, and the `.done` marker of the task when it writes files.
    pub fn resolve(args: &KeyedOutArgs) -> anyhow::Result<(OutPlace, Option<PathBuf>)> {
        if args.partitions == Some(0) {
            anyhow::bail!("--partitions must be at least 1");
        }
        match (&args.output, &args.partition_out, args.partitions) {
            (_, Some(prefix), Some(n)) => {
                Ok((OutPlace::Parts(prefix.clone(), n), Some(done_path(prefix))))
            }
            (Some(path), _, _) => Ok(OutPlace::file(path)),
            _ => Ok(OutPlace::file(Path::new("-"))),
        }
    }

    /// Opens `place` (under temporary names).
    pub fn open(place: &OutPlace) -> anyhow::Result<KeyedOut> {
        match place {
            OutPlace::File(path) => KeyedOut::file(path),
            OutPlace::Parts(prefix, n) => {
                let parts = (0..*n)
                    .map(|r| AtomicFile::create(&part_path(prefix, r)))
                    .collect::<Result<Vec<_>, _>>()?;
                Ok(KeyedOut::Parts(parts))
            }
        }
    }

    /// A file, or standard output for `-`.
    pub fn file(path: &Path) -> anyhow::Result<KeyedOut> {
        Ok(if path == Path::new("-") {
            KeyedOut::Stdout(BufWriter::with_capacity(1 << 16, io::stdout()))
        } else {
            KeyedOut::File(AtomicFile::create(path)?)
        })
    }

    /// Writes `KEY<TAB>REST\n`; partition files take the line by the key's last 8 hex digits.
    pub fn line(&mut self, key: &str, rest: &[u8]) -> io::Result<()> {
        let out: &mut dyn Write = match self {
            KeyedOut::Stdout(out) => out,
            KeyedOut::File(file) => file,
            KeyedOut::Parts(parts) => {
                let n = parts.len() as u64;
                &mut parts[(partition_of(key) % n) as usize]
            }
        };
        out.write_all(key.as_bytes())?;
        out.write_all(b"\t")?;
        out.write_all(rest)?;
        out.write_all(b"\n")
    }

    /// Completes `out` when it is still open: a keyed sink's `finish`.
    pub fn finish(out: &mut Option<KeyedOut>) -> Result<(), StageError> {
        out.take().map_or(Ok(()), |out| {
            out.commit()
                .map_err(|err| StageError::new(StageId::Export, err))
        })
    }

    /// Completes the output: flushes standard output, or puts the files in place together.
    pub fn commit(self) -> Result<(), Box<dyn std::error::Error + Send + Sync>> {
        match self {
            KeyedOut::Stdout(mut out) => out.flush()?,
            KeyedOut::File(file) => file.commit()?,
            KeyedOut::Parts(parts) => atomic::commit_together(parts)?,
        }
        Ok(())
    }
}

/// Where keyed lines go.
pub enum OutPlace {
    /// One file, or `-`.
    File(PathBuf),
    /// `PREFIX-pRRRRR` for R in 0..n.
    Parts(PathBuf, u32),
}

impl OutPlace {
    /// The files written here, for [`outputs::check`].
    pub fn outputs(&self) -> Vec<outputs::Output> {
        match self {
            OutPlace::File(path) => vec![outputs::Output::file("-o", path)],
            OutPlace::Parts(prefix, n) => (0..*n)
                .map(|r| outputs::Output::file("--partition-out", &part_path(prefix, r)))
                .collect(),
        }
    }

    /// A file (`-`: standard output), and its task's `.done` marker.
    pub fn file(path: &Path) -> (OutPlace, Option<PathBuf>) {
        let marker = (path != Path::new("-")).then(|| done_path(path));
        (OutPlace::File(path.to_path_buf()), marker)
    }
}

/// The partition of a key (hex): its last 8 hex digits as a number (keys are hashes or
/// order keys, so these are spread evenly). The Spark driver partitions the same way.
pub fn partition_of(key: &str) -> u64 {
    let tail = &key[key.len().saturating_sub(8)..];
    u64::from_str_radix(tail, 16).unwrap_or(0)
}

/// The file of partition `r` of `prefix`.
pub fn part_path(prefix: &Path, r: u32) -> PathBuf {
    let mut name = prefix.as_os_str().to_os_string();
    name.push(format!("-p{r:05}"));
    PathBuf::from(name)
}

/// `PATH.done`.
pub fn done_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_os_string();
    name.push(".done");
    PathBuf::from(name)
}

/// Runs one idempotent task: skipped when its `.done` marker says that a run with the same
/// arguments finished; else the marker is removed, `work` runs (writing its outputs under
/// temporary names and renaming them) and, when it succeeds, the marker is written. Without
/// a marker (standard output) `work` just runs.
pub fn task(
    marker: Option<PathBuf>,
    args: &impl Debug,
    is_quiet: bool,
    work: impl FnOnce() -> anyhow::Result<ExitStatus>,
) -> anyhow::Result<ExitStatus> {
    let Some(marker) = marker else {
        return work();
    };
    // The arguments (inputs, shard, options) and the version decide what the task wrote.
    let content = format!(
        "newsclean {} task {:016x}\n",
        env!("CARGO_PKG_VERSION"),
        stable_hash(format!("{args:?}").as_bytes())
    );
    match std::fs::read_to_string(&marker) {
        Ok(found) if found == content => {
            if !is_quiet {
                print_line(&format!(
                    "newsclean: {} says this task is done; skipped (delete it to redo the task)",
                    marker.display()
                ));
            }
            return Ok(ExitStatus::Success);
        }
        Ok(_) => std::fs::remove_file(&marker)
            .with_context(|| format!("failed to remove {}", marker.display()))?,
        Err(_) => {}
    }
    let status = work()?;
    if status == ExitStatus::Success {
        let mut file = AtomicFile::create(&marker)?;
        file.write_all(content.as_bytes())
            .with_context(|| format!("failed to write {}", marker.display()))?;
        file.commit()?;
    }
    Ok(status)
}

/// The line sources of a reduce or merge: the files, or standard input when there are none
/// (or for `-`), each with its name for messages.
pub fn open_inputs(paths: &[PathBuf]) -> anyhow::Result<Vec<(String, Box<dyn BufRead>)>> {
    if paths.is_empty() {
        return open_inputs(&[PathBuf::from("-")]);
    }
    paths
        .iter()
        .map(|path| -> anyhow::Result<(String, Box<dyn BufRead>)> {
            if path == Path::new("-") {
                let stdin = BufReader::with_capacity(1 << 16, io::stdin());
                return Ok(("standard input".to_owned(), Box::new(stdin)));
            }
            let file = std::fs::File::open(path)
                .with_context(|| format!("failed to read {}", path.display()))?;
            Ok((
                path.display().to_string(),
                Box::new(BufReader::with_capacity(1 << 16, file)),
            ))
        })
        .collect()
}
