//! The stage commands: one stage between frame streams on stdin and stdout, through the same
//! runner and transforms as `newsclean run`, so `ingest | dedupe | segment | export` writes
//! exactly what `run` writes.

use std::io::{self, BufReader, BufWriter, IsTerminal};
use std::path::PathBuf;

use newsclean_core::codec::{FrameSink, FrameSource, max_frame_for};
use newsclean_core::{Identity, NoopReporter, Record, Sink, StageId, StreamKind, Transform};
use newsclean_dedupe::Dedupe;
use newsclean_dedupe::dup::DupIndex;
use newsclean_export::ExportSink;
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::Runner;
use newsclean_segment::Segment;

use super::config::{dup_config, site_rules};
use super::report::{Part, StageClock};
use super::site_model::load_model;
use super::{
    Settings, export_config, export_outputs, finish, ingest_config, outputs, own_files, print_line,
};
use crate::args::{DedupeArgs, ExportArgs, FrameArgs, IngestArgs, SegmentArgs};
use crate::exit::ExitStatus;
use crate::progress::Progress;

type Stdout = BufWriter<io::Stdout>;

fn frames_out(stage: StageId, kind: StreamKind) -> anyhow::Result<FrameSink<Stdout>> {
    if io::stdout().is_terminal() {
        anyhow::bail!(
            "`newsclean {stage}` writes a binary frame stream; pipe it into the next stage instead of a terminal"
        );
    }
    Ok(FrameSink::new(
        BufWriter::with_capacity(1 << 16, io::stdout()),
        stage,
        kind,
    )?)
}

fn frames_in(
    stage: StageId,
    kind: StreamKind,
    args: &FrameArgs,
) -> anyhow::Result<FrameSource<BufReader<io::Stdin>>> {
    Ok(FrameSource::new(
        BufReader::with_capacity(1 << 16, io::stdin()),
        stage,
        kind,
        max_frame_for(args.max_doc_bytes),
    )?)
}

/// Runs one frame-to-frame stage and finishes its output.
fn pipe<T, F, K>(
    settings: &Settings,
    source: FrameSource<BufReader<io::Stdin>>,
    make_worker: F,
    mut sink: K,
) -> anyhow::Result<ExitStatus>
where
    T: Transform<Item = Record>,
    F: Fn() -> T + Sync,
    K: Sink<Item = Record>,
{
    match Runner::new(settings.threads, settings.cancel, &NoopReporter).run(
        source,
        make_worker,
        &mut sink,
    ) {
        Ok(_) => Ok(ExitStatus::Success),
        Err(newsclean_pipeline::Error::Cancelled) => Ok(ExitStatus::Interrupted),
        Err(err) => Err(err.into()),
    }
}

pub fn ingest(args: &IngestArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::new(&args.common)?;
    let source = InputSource::new(
        &args.input.inputs,
        &ingest_config(&args.input)?,
        &NoopReporter,
    )?;
    let mut sink = frames_out(StageId::Ingest, StreamKind::Docs)?;
    match Runner::new(settings.threads, settings.cancel, &NoopReporter).run(
        source,
        || Decoder,
        &mut sink,
    ) {
        Ok(_) => Ok(ExitStatus::Success),
        Err(newsclean_pipeline::Error::Cancelled) => Ok(ExitStatus::Interrupted),
        Err(err) => Err(err.into()),
    }
}

pub fn dedupe(args: &DedupeArgs) -> anyhow::Result<ExitStatus> {
    let mut settings = Settings::new(&args.common)?;
    settings.dedupe.rules = site_rules(&args.rules)?;
    if let Some(path) = &args.model {
        settings.dedupe.site = Some(newsclean_engine::site_model_for_run(load_model(path)?));
    } else if !settings.is_quiet {
        print_line(
            "newsclean: note: no site model (see `newsclean learn` and --model); only per-document rules apply",
        );
    }
    let source = frames_in(StageId::Dedupe, StreamKind::Docs, &args.frames)?;
    let sink = frames_out(StageId::Dedupe, StreamKind::Marked)?;
    pipe(&settings, source, || Dedupe::new(&settings.dedupe), sink)
}

pub fn segment(args: &SegmentArgs) -> anyhow::Result<ExitStatus> {
    let mut settings = Settings::new(&args.common)?;
    settings.segment.min_words = args.article.min_words;
    let source = frames_in(StageId::Segment, StreamKind::Marked, &args.frames)?;
    let sink = frames_out(StageId::Segment, StreamKind::Articles)?;
    pipe(&settings, source, || Segment::new(&settings.segment), sink)
}

pub fn export(args: &ExportArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::new(&args.common)?;
    let progress = Progress::new(settings.is_quiet, "export");
    let export = export_config(&args.output)?;
    let mut inputs = Vec::new();
    inputs.extend(args.common.line_model.iter().map(PathBuf::as_path));
    export.validate()?;
    let written = export_outputs(&export, args.output.report.as_deref());
    outputs::check(&inputs, &written)?;
    outputs::remove_stale(&written, &own_files(&export, args.output.report.as_deref()))?;
    let source = frames_in(StageId::Export, StreamKind::Articles, &args.frames)?;
    let mut sink = ExportSink::new(&export)?;
    let dup = dup_config(&args.dup, &export.output)?;
    let clock = StageClock::default();
    let result = Runner::new(settings.threads, settings.cancel, &progress).run_ordered(
        source,
        Identity::<Record>::default,
        &mut clock.time(Part::Duplicates, DupIndex::new(&dup)),
        &mut clock.time(Part::Export, &mut sink),
    );
    progress.finish();
    finish(
        result,
        sink.summary(),
        &settings,
        &args.output,
        &export,
        &clock,
    )
}
