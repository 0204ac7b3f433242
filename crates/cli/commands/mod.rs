//! One function per command, and what they share: thread count, Ctrl-C, configs, summary.

mod eval;
mod explain;
mod features;
mod learn;
mod notes;
mod report;
mod run;
mod spool;
mod stage;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use anyhow::Context as _;
use newsclean_dedupe::DedupeConfig;
use newsclean_export::{ExportConfig, ExportSummary, Format, Schema};
use newsclean_ingest::{IngestConfig, InputFormat, JsonFields};
use newsclean_pipeline::RunStats;
use newsclean_segment::{LineModel, SegmentConfig};

use crate::args::{
    Cli, Command, CommonArgs, FormatArg, InputArgs, InputFormatArg, OutputArgs, SchemaArg,
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
    }
}

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
            Some(n) => n,
            None => std::thread::available_parallelism().map_or(1, std::num::NonZero::get),
        };
        let model = match &common.line_model {
            None => None,
            Some(path) => {
                let json = std::fs::read_to_string(path)
                    .with_context(|| format!("failed to read {}", path.display()))?;
                let model = LineModel::parse(&json)
                    .with_context(|| format!("failed to load the line model {}", path.display()))?;
                Some(Arc::new(model))
            }
        };
        Ok(Settings {
            threads,
            is_quiet: common.quiet,
            cancel: cancel_flag()?,
            dedupe: DedupeConfig::default(),
            segment: SegmentConfig {
                model,
                min_words: 0,
            },
        })
    }
}

/// The flag Ctrl-C raises; a second Ctrl-C exits at once with 130.
fn cancel_flag() -> anyhow::Result<&'static AtomicBool> {
    static CANCEL: AtomicBool = AtomicBool::new(false);
    ctrlc::set_handler(|| {
        if CANCEL.swap(true, Ordering::SeqCst) {
            #[expect(clippy::exit, reason = "a second Ctrl-C means stop now, as in fd")]
            std::process::exit(130);
        }
    })
    .context("failed to install the Ctrl-C handler")?;
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
/// `out.rejects.jsonl`; `out/` → `out.rejects.jsonl`; none for stdout.
fn default_side_path(output: &Path, what: &str) -> Option<PathBuf> {
    if output == Path::new("-") {
        return None;
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
        if output.rejects.is_none() {
            for line in notes::rejects(summary, export.rejects.as_deref()) {
                print_line(&line);
            }
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
