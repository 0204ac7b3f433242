//! `newsclean run`: the whole pipeline in one process.

use newsclean_core::hash::stable_hash;
use newsclean_core::{Chain, Record, Sink, StageError};
use newsclean_dedupe::Dedupe;
use newsclean_export::ExportSink;
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::Runner;
use newsclean_segment::Segment;

use super::{Settings, export_config, finish, ingest_config};
use crate::args::RunArgs;
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::new(&args.common)?;
    let progress = Progress::new(settings.is_quiet);
    let mut ingest = ingest_config(&args.input)?;
    let export = export_config(&args.output);
    // The sink opens first: a resumed run learns from its checkpoint where to start.
    let mut sink = if args.resume {
        let (sink, next_seq) = ExportSink::resumable(&export, fingerprint(args))?;
        ingest.resume_from = next_seq;
        sink
    } else {
        ExportSink::new(&export)?
    };
    let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
    // The stage commands chain the same transforms across processes; see `stage.rs`.
    let make_worker = || {
        Chain(
            Decoder,
            Chain(
                Dedupe::new(&settings.dedupe),
                Segment::new(&settings.segment),
            ),
        )
    };
    let runner = Runner::new(settings.threads, settings.cancel, &progress);
    let result = match args.debug_abort_after {
        Some(n_left) => runner.run(
            source,
            make_worker,
            &mut AbortAfter {
                sink: &mut sink,
                n_left,
            },
        ),
        None => runner.run(source, make_worker, &mut sink),
    };
    progress.finish();
    finish(result, sink.summary(), &settings, &args.output)
}

/// The hash of everything that decides a run's output, so that `--resume` never continues an
/// output made with other arguments. The thread count is left out: it never changes output.
fn fingerprint(args: &RunArgs) -> u64 {
    let input = &args.input;
    let output = &args.output;
    let text = format!(
        "newsclean {}\n{:?}\n{:?}\n{:?}\n{} {} {:?}\n{} {} {}\n{} {:?} {:?}",
        env!("CARGO_PKG_VERSION"),
        input.inputs,
        input.include,
        input.exclude,
        input.max_doc_bytes,
        input.max_archive_bytes,
        input.input_format,
        input.text_field,
        input.id_field,
        input.url_field,
        output.output.display(),
        output.format,
        output.rejects,
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
