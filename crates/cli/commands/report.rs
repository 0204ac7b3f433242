//! `--report`: stage clocks around the source, transforms and sink, and the report file made
//! from the sink's summary plus what only the binary knows (timings, threads, arguments).

use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context as _;
use newsclean_core::{OrderedStep, Sink, Source, StageError, Transform};
use newsclean_export::report::{OutputFile, StageTiming, Timings};
use newsclean_export::{ExportSummary, Report};
use newsclean_pipeline::RunStats;

/// The parts of a run that are timed, in pipeline order.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    Read,
    Decode,
    Dedupe,
    Segment,
    Duplicates,
    Export,
}

const PARTS: [(Part, &str); 6] = [
    (Part::Read, "read"),
    (Part::Decode, "decode"),
    (Part::Dedupe, "dedupe"),
    (Part::Segment, "segment"),
    (Part::Duplicates, "duplicates"),
    (Part::Export, "export"),
];

/// Busy time per part, summed over threads.
#[derive(Debug, Default)]
pub struct StageClock {
    nanos: [AtomicU64; 6],
}

impl StageClock {
    fn add(&self, part: Part, elapsed: Duration) {
        self.nanos[part as usize].fetch_add(elapsed.as_nanos() as u64, Ordering::Relaxed);
    }

    /// The timings of the parts that ran.
    fn timings(&self) -> Vec<StageTiming> {
        PARTS
            .iter()
            .filter_map(|&(part, name)| {
                let nanos = self.nanos[part as usize].load(Ordering::Relaxed);
                (nanos > 0).then(|| StageTiming {
                    stage: name.to_owned(),
                    busy_s: nanos as f64 / 1e9,
                })
            })
            .collect()
    }

    /// Wraps a transform so that its time counts for `part`.
    pub fn time<T>(&self, part: Part, inner: T) -> Timed<'_, T> {
        Timed {
            inner,
            clock: self,
            part,
        }
    }
}

/// A transform, source or sink whose busy time is counted.
pub struct Timed<'a, T> {
    inner: T,
    clock: &'a StageClock,
    part: Part,
}

impl<T: Transform> Transform for Timed<'_, T> {
    type Item = T::Item;
    fn process(&mut self, item: T::Item) -> Result<T::Item, StageError> {
        let started = Instant::now();
        let out = self.inner.process(item);
        self.clock.add(self.part, started.elapsed());
        out
    }
}

impl<P: OrderedStep> OrderedStep for Timed<'_, P> {
    type Item = P::Item;
    fn process(&mut self, item: P::Item, out: &mut Vec<P::Item>) -> Result<(), StageError> {
        let started = Instant::now();
        let result = self.inner.process(item, out);
        self.clock.add(self.part, started.elapsed());
        result
    }
    fn finish(&mut self, out: &mut Vec<P::Item>) -> Result<(), StageError> {
        let started = Instant::now();
        let result = self.inner.finish(out);
        self.clock.add(self.part, started.elapsed());
        result
    }
}

impl<S: Source> Source for Timed<'_, S> {
    type Item = S::Item;
    fn run(&mut self, emit: &mut dyn FnMut(S::Item) -> bool) -> Result<(), StageError> {
        // Time spent handing values on (waiting for room downstream) is not the source's.
        let started = Instant::now();
        let mut waiting = Duration::ZERO;
        let mut timed_emit = |item| {
            let handed = Instant::now();
            let is_more = emit(item);
            waiting += handed.elapsed();
            is_more
        };
        let result = self.inner.run(&mut timed_emit);
        self.clock
            .add(self.part, started.elapsed().saturating_sub(waiting));
        result
    }
}

impl<K: Sink + ?Sized> Sink for Timed<'_, &mut K> {
    type Item = K::Item;
    fn write(&mut self, item: K::Item) -> Result<(), StageError> {
        let started = Instant::now();
        let out = self.inner.write(item);
        self.clock.add(self.part, started.elapsed());
        out
    }
    fn finish(&mut self) -> Result<(), StageError> {
        let started = Instant::now();
        let out = self.inner.finish();
        self.clock.add(self.part, started.elapsed());
        out
    }
}

/// Writes the report of a completed run to `path`.
pub fn write(
    path: &Path,
    summary: &ExportSummary,
    stats: &RunStats,
    threads: usize,
    clock: &StageClock,
) -> anyhow::Result<()> {
    // The report lists every file of the run, itself included.
    let mut summary = summary.clone();
    summary.files.push(OutputFile {
        path: path.to_path_buf(),
        kind: "report".to_owned(),
        n_docs: 0,
        n_bytes: 0,
    });
    let report = Report {
        version: env!("CARGO_PKG_VERSION").to_owned(),
        args: std::env::args().collect(),
        threads,
        timings: Timings::new(
            stats.elapsed,
            summary.n_seen,
            stats.n_bytes,
            clock.timings(),
        ),
        summary,
    };
    report
        .write(path)
        .with_context(|| format!("failed to write the report {}", path.display()))
}
