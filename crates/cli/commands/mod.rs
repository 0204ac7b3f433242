//! One function per command, and what they share: thread count, signals, configs, summary.

mod config;
mod dups;
mod eval;
mod explain;
mod features;
mod learn;
mod merge;
mod notes;
mod outputs;
mod report;
mod run;
mod shard;
mod site_model;
mod spool;
mod stage;

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use newsclean_dedupe::DedupeConfig;
use newsclean_dedupe::dup::DupConfig;
use newsclean_engine::Engine;
use newsclean_export::{ExportConfig, ExportSummary, Format, Schema};
use newsclean_ingest::{IngestConfig, InputFormat, JsonFields, OwnFiles};
use newsclean_pipeline::RunStats;
use newsclean_segment::SegmentConfig;

use crate::args::{
    Cli, Command, CommonArgs, DupsCommand, FormatArg, InputArgs, InputFormatArg, OutputArgs,
    SchemaArg,
};
use crate::exit::ExitStatus;

pub use notes::count;

/// Runs the command `cli` names.
pub fn run(cli: Cli) -> anyhow::Result<ExitStatus> {
    match cli.command {
        Command::Run(args) => run::run(&args),
        Command::Ingest(args) => stage::ingest(&args),
        Command::Dedupe(args) => stage::dedupe(&args),
        Command::Segment(args) => stage::segment(&args),
        Command::Export(args) => stage::export(&args),
        Command::Explain(args) => explain::explain(&args),
        Command::Features(args) => features::features(&args),
        Command::Eval(args) => eval::eval(&args),
        Command::Learn(args) => learn::learn(&args),
        Command::Dups(DupsCommand::Map(args)) => dups::map(&args),
        Command::Dups(DupsCommand::Reduce(args)) => dups::reduce(&args),
        Command::Dups(DupsCommand::Resolve(args)) => dups::resolve(&args),
        Command::Merge(args) => merge::merge(&args),
    }
}

/// The most worker threads a run may have: more never helps (the per-document work is a few
/// milliseconds), and thousands of threads can exhaust a system's limit. See: issue 13.
pub const MAX_THREADS: usize = 1024;

/// Everything a command resolves once from its arguments; worker code sees only this.
pub struct Settings {
    pub threads: usize,
    pub is_quiet: bool,
    pub cancel: &'static AtomicBool,
    pub dedupe: DedupeConfig,
    pub segment: SegmentConfig,
}

impl Settings {
    pub fn new(common: &CommonArgs) -> anyhow::Result<Settings> {
        let threads = match common.threads {
            Some(0) => anyhow::bail!("--threads must be at least 1"),
            Some(n) if n > MAX_THREADS => {
                anyhow::bail!("--threads must be at most {MAX_THREADS}, got {n}")
            }
            Some(n) => n,
            None => std::thread::available_parallelism()
                .map_or(1, std::num::NonZero::get)
                .min(MAX_THREADS),
        };
        let models = newsclean_engine::load_line_models(&common.line_model)?;
        Ok(Settings {
            threads,
            is_quiet: common.quiet,
            cancel: cancel_flag()?,
            dedupe: DedupeConfig::default(),
            segment: SegmentConfig {
                models,
                min_words: 0,
            },
        })
    }

    /// The engine of a run or of a shard step: these settings (with the site model applied)
    /// and the duplicate settings `dup`.
    pub fn engine(&self, dup: DupConfig) -> Engine {
        Engine {
            dedupe: self.dedupe.clone(),
            segment: self.segment.clone(),
            dup,
        }
    }
}

/// The flag Ctrl-C, SIGTERM and SIGHUP raise (the `termination` feature of `ctrlc`); a second
/// signal exits at once with 130.
fn cancel_flag() -> anyhow::Result<&'static AtomicBool> {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            #[expect(clippy::exit, reason = "a second Ctrl-C means stop now, as in fd")]
            std::process::exit(130);
        }
    })
    .context("failed to install the signal handler")?;
    Ok(&CANCEL)
}

pub fn ingest_config(args: &InputArgs) -> anyhow::Result<IngestConfig> {
    for input in &args.inputs {
        if input != Path::new("-") && std::fs::symlink_metadata(input).is_err() {
            anyhow::bail!("input {} does not exist", input.display());
        }
    }
    let input_format = match args.input_format {
        InputFormatArg::Auto => InputFormat::Auto,
        InputFormatArg::Text => InputFormat::Text,
        InputFormatArg::Html => InputFormat::Html,
        InputFormatArg::Jsonl => InputFormat::Jsonl,
        InputFormatArg::Warc => InputFormat::Warc,
        InputFormatArg::Tar => InputFormat::Tar,
        InputFormatArg::Zip => InputFormat::Zip,
    };
    Ok(IngestConfig {
        include: args.include.clone(),
        exclude: args.exclude.clone(),
        max_doc_bytes: args.max_doc_bytes,
        max_archive_bytes: args.max_archive_bytes,
        input_format,
        fields: JsonFields {
            text: args.text_field.clone(),
            id: args.id_field.clone(),
            url: args.url_field.clone(),
        },
        resume_from: 0,
        shard: None,
        own_files: OwnFiles::default(),
        follow_symlinks: args.follow_symlinks,
    })
}

pub fn export_config(args: &OutputArgs) -> anyhow::Result<ExportConfig> {
    let (format, output) = resolve_output(args)?;
    let rejects = args
        .rejects
        .clone()
        .or_else(|| default_side_path(&output, "rejects"));
    let duplicates = args
        .duplicates
        .clone()
        .or_else(|| default_side_path(&output, "duplicates"));
    let fields = args
        .fields
        .as_ref()
        .map(|names| names.iter().map(|name| name.parse()).collect())
        .transpose()
        .context("invalid --fields")?;
    Ok(ExportConfig {
        format,
        output,
        rejects,
        duplicates,
        fields,
        max_docs_per_file: args.max_docs_per_file,
        has_sentences: args.sentences,
        schema: match args.schema {
            SchemaArg::Newsclean => Schema::Newsclean,
            SchemaArg::Dolma => Schema::Dolma,
            SchemaArg::Datatrove => Schema::Datatrove,
        },
    })
}

/// The outputs of a run or of `export`, for [`outputs::check`]: the articles (a directory for
/// the tree formats), the side files and the report.
pub fn export_outputs(config: &ExportConfig, report: Option<&Path>) -> Vec<outputs::Output> {
    let mut list = vec![outputs::Output {
        flag: "-o",
        path: config.output.clone(),
        kind: if matches!(config.format, Format::Text | Format::Markdown) {
            outputs::Kind::Dir
        } else {
            outputs::Kind::File
        },
    }];
    list.extend(
        config
            .rejects
            .as_deref()
            .map(|p| outputs::Output::file("--rejects", p)),
    );
    list.extend(
        config
            .duplicates
            .as_deref()
            .map(|p| outputs::Output::file("--duplicates", p)),
    );
    list.extend(report.map(|p| outputs::Output::file("--report", p)));
    list
}

/// The files a run or `export` writes, which its inputs must never include (see
/// [`OwnFiles`]): the outputs, their shards and the report.
pub fn own_files(config: &ExportConfig, report: Option<&Path>) -> OwnFiles {
    let mut own = OwnFiles::default();
    for output in export_outputs(config, report) {
        if output.path != Path::new("-") {
            own.add(&output.path);
        }
    }
    if config.max_docs_per_file.is_some() && config.output != Path::new("-") {
        own.add_numbered(
            &newsclean_export::output::shard_path(&config.output, 0),
            "00000",
        );
    }
    own
}

/// The output format and path: `--format`, else the one OUT's extension names, else jsonl;
/// OUT defaults to standard output for jsonl. A `--format` that contradicts the extension
/// (`-f jsonl -o x.parquet`) is refused rather than writing one format under another's name.
pub fn resolve_output(args: &OutputArgs) -> anyhow::Result<(Format, PathBuf)> {
    let asked = args.format.map(|format| match format {
        FormatArg::Jsonl => Format::Jsonl,
        FormatArg::Parquet => Format::Parquet,
        FormatArg::Csv => Format::Csv,
        FormatArg::Markdown => Format::Markdown,
        FormatArg::Text => Format::Text,
        FormatArg::Bincode => Format::Bincode,
    });
    let Some(output) = args.output.clone() else {
        return match asked.unwrap_or(Format::Jsonl) {
            Format::Jsonl => Ok((Format::Jsonl, PathBuf::from("-"))),
            other => anyhow::bail!(
                "--format {} needs -o OUT; only jsonl goes to standard output by default",
                other.name()
            ),
        };
    };
    let by_name = Format::of_path(&output);
    let format = match (asked, by_name) {
        (Some(asked), Some(named)) if asked != named => anyhow::bail!(
            "--format {} contradicts the output name {}, which says {}; drop --format or rename the output",
            asked.name(),
            output.display(),
            named.name()
        ),
        (Some(format), _) | (None, Some(format)) => format,
        (None, None)
            if output
                .extension()
                .is_some_and(|ext| ext.eq_ignore_ascii_case("txt")) =>
        {
            anyhow::bail!(
                "cannot tell the format from {}: give --format text (a directory of .txt files) or --format jsonl",
                output.display()
            )
        }
        (None, None) => Format::Jsonl,
    };
    Ok((format, output))
}

/// `out.jsonl` → `out.rejects.jsonl` (for `what` = `rejects`); `out.jsonl.gz` →
/// `out.rejects.jsonl`; `out/` → `out.rejects.jsonl`; standard output (`-`) →
/// `newsclean.rejects.jsonl` in the current directory, so that a run whose articles go to a
/// pipe still lists its rejects and duplicates somewhere. See: issue 13.
pub fn default_side_path(output: &Path, what: &str) -> Option<PathBuf> {
    if output == Path::new("-") {
        return Some(PathBuf::from(format!("newsclean.{what}.jsonl")));
    }
    let is_compressed = output
        .extension()
        .is_some_and(|ext| ext == "gz" || ext == "zst" || ext == "zstd");
    let uncompressed = if is_compressed {
        output.with_extension("")
    } else {
        output.to_path_buf()
    };
    let stem = uncompressed.file_stem()?.to_string_lossy().into_owned();
    Some(output.with_file_name(format!("{stem}.{what}.jsonl")))
}

/// Turns the runner's outcome into an exit status: writes the report (`--report`) of a
/// completed run and prints the summary, and why documents were rejected when no
/// `--rejects` file was asked for.
pub fn finish(
    result: Result<RunStats, newsclean_pipeline::Error>,
    summary: &ExportSummary,
    settings: &Settings,
    output: &OutputArgs,
    export: &ExportConfig,
    clock: &report::StageClock,
) -> anyhow::Result<ExitStatus> {
    let stats = match result {
        Ok(stats) => stats,
        Err(newsclean_pipeline::Error::Cancelled) => {
            print_line("newsclean: interrupted; no output was put in place");
            return Ok(ExitStatus::Interrupted);
        }
        Err(err) => return Err(err.into()),
    };
    if let Some(path) = &output.report {
        report::write(path, summary, &stats, settings.threads, clock)?;
    }
    if !settings.is_quiet {
        print_line(&summary_line(summary, &stats));
        // Always, whatever the output (standard output included): why documents were
        // rejected, and where each reject is listed. See: issue 13, item 14.
        if output.rejects.is_none() {
            for line in notes::rejects(summary, export.rejects.as_deref()) {
                print_line(&line);
            }
        } else if summary.n_rejected > 0 {
            print_line(&notes::counted(summary, export.rejects.as_deref()));
        }
    }
    Ok(ExitStatus::of_run(summary.n_rejected))
}

fn summary_line(summary: &ExportSummary, stats: &RunStats) -> String {
    let mut removed: Vec<(&String, &u64)> = summary.removed.iter().collect();
    removed.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let removed: Vec<String> = removed
        .iter()
        .map(|(reason, n)| format!("{n} {reason}"))
        .collect();
    let secs = stats.elapsed.as_secs_f64();
    let mb = summary.n_bytes as f64 / 1e6;
    format!(
        "newsclean: {}: {} exported, {} duplicates, {} rejected; lines removed: {}; {mb:.1} MB in {secs:.2} s ({:.0} MB/s)",
        notes::count(summary.n_seen, "document"),
        summary.n_exported,
        summary.n_duplicates,
        summary.n_rejected,
        if removed.is_empty() {
            "none".to_owned()
        } else {
            removed.join(", ")
        },
        if secs > 0.0 { mb / secs } else { 0.0 },
    )
}

pub fn print_line(line: &str) {
    #[expect(clippy::print_stderr, reason = "the binary prints the run summary")]
    {
        eprintln!("{line}");
    }
}
