//! `newsclean run`: the whole pipeline in one process, after pass 1 (the site model) when no
//! model is given.

use newsclean_core::Chain;
use newsclean_dedupe::Dedupe;
use newsclean_dedupe::dup::DupIndex;
use newsclean_export::ExportSink;
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::Runner;
use newsclean_segment::Segment;

use super::learn::{dup_config, run_model, site_rules};
use super::{Settings, export_config, finish, ingest_config};
use crate::args::RunArgs;
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn run(args: &RunArgs) -> anyhow::Result<ExitStatus> {
    let mut settings = Settings::new(&args.common)?;
    settings.dedupe.rules = site_rules(&args.site.rules)?;
    let dup = dup_config(&args.dup, &args.output.output)?;
    let ingest = ingest_config(&args.input)?;
    settings.dedupe.site = match run_model(
        args.site.model.as_deref(),
        args.site.no_site_model,
        &args.site.group,
        &args.input,
        &settings,
    )? {
        Ok(model) => model,
        Err(status) => return Ok(status),
    };
    let progress = Progress::new(settings.is_quiet);
    let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
    let mut sink = ExportSink::new(&export_config(&args.output))?;
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
    let result = Runner::new(settings.threads, settings.cancel, &progress).run_ordered(
        source,
        make_worker,
        &mut DupIndex::new(&dup),
        &mut sink,
    );
    progress.finish();
    finish(result, sink.summary(), &settings)
}
