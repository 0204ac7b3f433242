//! `newsclean run`: the whole pipeline in one process.

use newsclean_core::Chain;
use newsclean_dedupe::Dedupe;
use newsclean_export::ExportSink;
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::Runner;
use newsclean_segment::Segment;

use super::report::{Part, StageClock};
use super::{Settings, export_config, finish, ingest_config, report};
use crate::args::RunArgs;
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::new(&args.common)?;
    let progress = Progress::new(settings.is_quiet);
    let source = InputSource::new(&args.input.inputs, &ingest_config(&args.input)?, &progress)?;
    let mut sink = ExportSink::new(&export_config(&args.output)?)?;
    let clock = StageClock::default();
    // The stage commands chain the same transforms across processes; see `stage.rs`.
    let make_worker = || {
        Chain(
            clock.time(Part::Decode, Decoder),
            Chain(
                clock.time(Part::Dedupe, Dedupe::new(&settings.dedupe)),
                clock.time(Part::Segment, Segment::new(&settings.segment)),
            ),
        )
    };
    let result = Runner::new(settings.threads, settings.cancel, &progress).run(
        clock.time(Part::Read, source),
        make_worker,
        &mut clock.time(Part::Export, &mut sink),
    );
    progress.finish();
    if let (Ok(stats), Some(path)) = (&result, &args.output.report) {
        report::write(path, sink.summary(), stats, settings.threads, &clock)?;
    }
    finish(result, sink.summary(), &settings)
}
