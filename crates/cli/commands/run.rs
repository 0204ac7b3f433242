//! `newsclean run`: the whole pipeline in one process, after pass 1 (the site model) when no
//! model is given.

use std::time::Instant;

use newsclean_core::hash::stable_hash;
use newsclean_core::{Chain, Identity, Record, Sink, Source, StageError, Transform};
use newsclean_dedupe::Dedupe;
use newsclean_dedupe::dup::{DupConfig, DupIndex, Fingerprinter, Keep};
use newsclean_export::{ExportConfig, ExportSink};
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::{RunStats, Runner};
use newsclean_segment::Segment;

use super::learn::{apply_site_args, dup_config};
use super::report::{Part, StageClock};
use super::spool::SpoolPlace;
use super::{Settings, export_config, finish, ingest_config, notes, print_line};
use crate::args::RunArgs;
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let started = Instant::now();
    let mut settings = Settings::new(&args.common)?;
    settings.segment.min_words = args.article.min_words;
    let export = export_config(&args.output)?;
    let dup = dup_config(&args.dup, &export.output)?;
    let mut ingest = ingest_config(&args.input)?;
    // The sink opens first, so that a refused --resume fails before pass 1; a resumed run
    // learns from its checkpoint where to start.
    let mut sink = if args.resume {
        let (sink, next_seq) = ExportSink::resumable(&export, fingerprint(args, &export))?;
        // The duplicate index must see every document before `next_seq` again, as it did in
        // the run that stopped, or it would keep copies of documents written before the stop:
        // then the source reads from the start and the sink writes nothing before `next_seq`.
        // Without the index (`--keep all`), the source skips those documents.
        if dup.keep == Keep::All {
            ingest.resume_from = next_seq;
        }
        sink
    } else {
        ExportSink::new(&export)?
    };
    // Pass 1, when it runs, keeps what it read beside the output (where the spill file of
    // `--keep longest` goes too), so that pass 2 reads the spool instead of the inputs.
    let place = SpoolPlace {
        dir: dup.spill_dir.as_deref(),
    };
    let spool = match apply_site_args(&args.site, &args.input, &mut settings, Some(place))? {
        Ok(spool) => spool,
        Err(status) => return Ok(status),
    };
    let progress = Progress::new(settings.is_quiet, "clean");
    let clock = StageClock::default();
    let result = if let Some(spool) = spool {
        let source = spool.source(ingest.resume_from, &progress)?;
        // Pass 1 decoded and split the documents; dedupe goes on from there.
        let no_decoding = Identity::default;
        pass2(
            &settings,
            &dup,
            args,
            &mut sink,
            &progress,
            &clock,
            source,
            no_decoding,
        )
    } else {
        let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
        pass2(
            &settings,
            &dup,
            args,
            &mut sink,
            &progress,
            &clock,
            source,
            || Decoder,
        )
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

/// Pass 2: cleans every document from `source` (decoded by `decode`, where the source has not
/// decoded them already), looks its body up in the duplicate index and exports it.
#[expect(
    clippy::too_many_arguments,
    reason = "one pipeline's parts, resolved by run(); a struct would only name them again"
)]
fn pass2<S, D, T>(
    settings: &Settings,
    dup: &DupConfig,
    args: &RunArgs,
    sink: &mut ExportSink,
    progress: &Progress,
    clock: &StageClock,
    source: S,
    decode: D,
) -> Result<RunStats, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
    D: Fn() -> T + Sync,
    T: Transform<Item = Record>,
{
    // The stage commands chain the same transforms across processes; see `stage.rs`.
    // Bodies are fingerprinted on the workers, in parallel, for the duplicate index.
    let is_indexed = dup.keep != Keep::All;
    let make_worker = || {
        Chain(
            clock.time(Part::Decode, decode()),
            Chain(
                clock.time(Part::Dedupe, Dedupe::new(&settings.dedupe)),
                Chain(
                    clock.time(Part::Segment, Segment::new(&settings.segment)),
                    clock.time(Part::Duplicates, Fingerprints(is_indexed)),
                ),
            ),
        )
    };
    let runner = Runner::new(settings.threads, settings.cancel, progress);
    let source = clock.time(Part::Read, source);
    let mut index = clock.time(Part::Duplicates, DupIndex::new(dup));
    match args.debug_abort_after {
        Some(n_left) => runner.run_ordered(
            source,
            make_worker,
            &mut index,
            &mut clock.time(Part::Export, &mut AbortAfter { sink, n_left }),
        ),
        None => runner.run_ordered(
            source,
            make_worker,
            &mut index,
            &mut clock.time(Part::Export, sink),
        ),
    }
}

/// [`Fingerprinter`] when the run has a duplicate index, else nothing.
struct Fingerprints(bool);

impl Transform for Fingerprints {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        if self.0 {
            Fingerprinter.process(record)
        } else {
            Ok(record)
        }
    }
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
struct AbortAfter<'s> {
    sink: &'s mut ExportSink,
    n_left: u64,
}

impl Sink for AbortAfter<'_> {
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
