//! `newsclean run`: the whole pipeline in one process, after pass 1 (the site model) when no
//! model is given.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use newsclean_core::hash::stable_hash;
use newsclean_core::{NoopReporter, Record, Sink, Source, StageError};
use newsclean_dedupe::dup::{DupConfig, Keep};
use newsclean_export::{ExportConfig, ExportSink, ResumeKey};
use newsclean_ingest::{IngestConfig, InputSource};
use newsclean_pipeline::{RunStats, Runner};

use super::config::dup_config;
use super::report::StageClock;
use super::site_model::apply_site_args;
use super::spool::SpoolPlace;
use super::{
    Settings, export_config, export_outputs, finish, ingest_config, notes, outputs, own_files,
    print_line,
};
use crate::args::RunArgs;
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    if let Some(shard) = args.shard.shard {
        return super::shard::run(args, shard);
    }
    let started = Instant::now();
    let mut settings = Settings::new(&args.common)?;
    settings.segment.min_words = args.article.min_words;
    let export = export_config(&args.output)?;
    let dup = dup_config(&args.dup, &export.output)?;
    let mut ingest = ingest_config(&args.input)?;
    // Every output is checked before any work (see `outputs`), and never read as input.
    let mut inputs: Vec<&Path> = args.input.inputs.iter().map(PathBuf::as_path).collect();
    inputs.extend(args.site.model.as_deref());
    inputs.extend(args.common.line_model.iter().map(PathBuf::as_path));
    export.validate()?;
    let written = export_outputs(&export, args.output.report.as_deref());
    outputs::check(&inputs, &written)?;
    ingest.own_files = own_files(&export, args.output.report.as_deref());
    outputs::remove_stale(&written, &ingest.own_files)?;
    // The sink opens first, so that a refused --resume fails before pass 1; a resumed run
    // learns from its checkpoint where to start.
    let mut sink = open_sink(args, &export, &mut ingest, dup.keep)?;
    // Pass 1, when it runs, keeps what it read beside the output (where the spill file of
    // `--keep longest` goes too), so that pass 2 reads the spool instead of the inputs.
    let place = SpoolPlace {
        dir: dup.spill_dir.as_deref(),
    };
    let spool = match apply_site_args(
        &args.site,
        &args.input.inputs,
        &ingest,
        &mut settings,
        Some(place),
    )? {
        Ok(spool) => spool,
        Err(status) => return Ok(status),
    };
    let progress = Progress::new(settings.is_quiet, "clean");
    let clock = StageClock::default();
    let result = if let Some(spool) = spool {
        // Pass 1 decoded and split the documents (the decoder passes them through); dedupe
        // goes on from there.
        let source = spool.source(ingest.resume_from, &progress)?;
        pass2(&settings, dup, args, &mut sink, &progress, &clock, source)
    } else {
        let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
        pass2(&settings, dup, args, &mut sink, &progress, &clock, source)
    };
    progress.finish();
    // The summary's time and throughput are the whole run's, pass 1 included.
    let result = result.map(|stats| RunStats {
        elapsed: started.elapsed(),
        ..stats
    });
    let status = finish(
        result,
        sink.summary(),
        &settings,
        &args.output,
        &export,
        &clock,
    )?;
    // A run over nothing is most likely a mistake (an --include that matches no file).
    if status != ExitStatus::Interrupted && sink.summary().n_seen == 0 {
        print_line(&notes::nothing_read(&args.input));
        return Ok(ExitStatus::NoInput);
    }
    Ok(status)
}

/// Pass 2: cleans every document from `source` through the engine (as the Python package
/// does), looks its body up in the duplicate index and exports it.
fn pass2<S>(
    settings: &Settings,
    dup: DupConfig,
    args: &RunArgs,
    sink: &mut ExportSink,
    progress: &Progress,
    clock: &StageClock,
    source: S,
) -> Result<RunStats, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
{
    // The stage commands chain the same transforms across processes; see `stage.rs`.
    let engine = settings.engine(dup);
    let runner = Runner::new(settings.threads, settings.cancel, progress);
    // The workers render each article's line; the sink, in input order, copies it.
    let renderer = sink.renderer();
    if let Some(n_left) = args.debug_abort_after {
        let mut sink = AbortAfter { sink, n_left };
        engine.run_rendered(&runner, source, &mut sink, renderer.as_ref(), clock)
    } else if let Some(n_left) = args.debug_pause_after {
        let cancel = settings.cancel;
        let mut paused = PauseAfter {
            sink,
            n_left,
            cancel,
        };
        engine.run_rendered(&runner, source, &mut paused, renderer.as_ref(), clock)
    } else {
        engine.run_rendered(&runner, source, sink, renderer.as_ref(), clock)
    }
}

/// Opens the sink of a run; for `--resume`, from the checkpoint, telling the source in
/// `ingest` where to start.
fn open_sink(
    args: &RunArgs,
    export: &ExportConfig,
    ingest: &mut IngestConfig,
    keep: Keep,
) -> anyhow::Result<ExportSink> {
    if !args.resume {
        return Ok(ExportSink::new(export)?);
    }
    if let Some(input) = args.input.inputs.iter().find(|p| !is_rereadable(p)) {
        anyhow::bail!(
            "cannot resume a run that reads {}: standard input, a pipe or a device cannot be read again",
            input.display()
        );
    }
    let key = ResumeKey {
        args: fingerprint(args, export),
        inputs: InputSource::new(&args.input.inputs, ingest, &NoopReporter)?.fingerprint(),
    };
    let (sink, next_seq) = ExportSink::resumable(export, key)?;
    // The duplicate index must see every document before `next_seq` again, as it did in the
    // run that stopped, or it would keep copies of documents written before the stop: then
    // the source reads from the start and the sink writes nothing before `next_seq`. Without
    // the index (`--keep all`), the source skips those documents.
    if keep == Keep::All {
        ingest.resume_from = next_seq;
    }
    Ok(sink)
}

/// True for an input that a later run can read again: a file or a directory.
fn is_rereadable(input: &Path) -> bool {
    std::fs::metadata(input).is_ok_and(|m| m.is_file() || m.is_dir())
}

/// The hash of everything that decides a run's output, so that `--resume` never continues an
/// output made with other arguments. Left out: the thread count (it never changes output),
/// progress, and where the report goes.
fn fingerprint(args: &RunArgs, export: &ExportConfig) -> u64 {
    let output = &args.output;
    let text = format!(
        "newsclean {}\n{:?}\n{} {:?} {:?} {:?} {:?} {:?} {:?}\n{:?}\n{:?}\n{:?}\n{:?}",
        env!("CARGO_PKG_VERSION"),
        // Every input, site model and duplicate option decides what is written.
        args.input,
        export.output.display(),
        (export.format.name(), export.schema.name()),
        output.rejects,
        output.duplicates,
        output.fields,
        output.max_docs_per_file,
        output.sentences,
        args.site,
        args.dup,
        args.article,
        args.common.line_model,
    );
    stable_hash(text.as_bytes())
}

/// The sink behind `--debug-abort-after N`: dies like a killed process (no unwinding, no
/// flushing) after N documents, so that tests can interrupt a run at an exact point.
pub(super) struct AbortAfter<'s, K: ?Sized> {
    pub sink: &'s mut K,
    pub n_left: u64,
}

impl<K: Sink<Item = Record> + ?Sized> Sink for AbortAfter<'_, K> {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        if self.n_left == 0 {
            std::process::abort();
        }
        self.n_left -= 1;
        self.sink.write(record)
    }

    fn finish(&mut self) -> Result<(), StageError> {
        self.sink.finish()
    }
}

/// The sink behind `--debug-pause-after N`: after N documents, says so on stderr and waits
/// until the run is cancelled (Ctrl-C, SIGTERM), so that tests can signal a run mid-way
/// without guessing when.
struct PauseAfter<'s> {
    sink: &'s mut ExportSink,
    n_left: u64,
    cancel: &'static AtomicBool,
}

impl Sink for PauseAfter<'_> {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        if self.n_left == 0 {
            print_line("newsclean: debug: paused; waiting for a signal");
            while !self.cancel.load(Ordering::SeqCst) {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
        }
        self.n_left = self.n_left.saturating_sub(1);
        self.sink.write(record)
    }

    fn finish(&mut self) -> Result<(), StageError> {
        self.sink.finish()
    }
}
