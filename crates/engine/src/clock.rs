//! Stage clocks: the busy time of each part of a run (source, transforms, duplicate index,
//! sink), summed over threads, for the report's timings.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use newsclean_core::{OrderedStep, Sink, Source, StageError, Transform};
use newsclean_export::report::StageTiming;

/// The parts of a run that are timed, in pipeline order.
#[derive(Debug, Clone, Copy)]
pub enum Part {
    /// The source: finding and reading documents.
    Read,
    /// Decoding bytes into text.
    Decode,
    /// Marking lines (repeats, boilerplate, site template).
    Dedupe,
    /// Building the article.
    Segment,
    /// Fingerprinting bodies and the duplicate index.
    Duplicates,
    /// The sink: writing the output.
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
    pub fn timings(&self) -> Vec<StageTiming> {
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
