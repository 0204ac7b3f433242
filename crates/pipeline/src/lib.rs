//! The generic runner: a [`Source`] thread, N [`Transform`] workers and a [`Sink`] that sees
//! values in input order, joined by bounded crossbeam channels.
//!
//! # Brief overview
//!
//! ```text
//! source ──bounded──▶ worker 1..N ──bounded──▶ reorder ──▶ step ──▶ sink
//!    ▲                                                               │
//!    └──────────────── permits (in-flight window) ───────────────────┘
//! ```
//!
//! * **Backpressure.** Every channel is bounded, and the source needs a permit for each value
//!   it emits; the sink hands a permit back after writing a value. So at most `window` values
//!   are in flight, however slow one document is: memory is bounded for any input size.
//! * **Order.** The runner numbers values as the source emits them and the sink receives them
//!   in that order, so output never depends on scheduling or thread count.
//! * **Shutdown.** Normal end is disconnection: the source returns, its sender drops, workers
//!   drain and return, the sink finishes. A failing part records its error and raises the stop
//!   flag; the others see the flag or a failed send and return quietly, and [`Runner::run`]
//!   reports the first (root-cause) error. Cancellation (Ctrl-C) raises the caller's flag: the
//!   run stops without finishing the sink, so no partial output is put in place.
//! * **Ordered state.** [`Runner::run_ordered`] adds an [`OrderedStep`] between reordering
//!   and the sink, on the sink's thread: it sees every value in input order whatever the
//!   thread count, so state kept there (an index of documents seen) is deterministic. It may
//!   hold values back and release them at the end; the window counts values given to it.
//! * **Panics.** A panic while transforming one value replaces that value with
//!   [`Envelope::from_panic`] (a reject) and the run goes on with a fresh transform instance.
//!
//! The runner knows no stage: it is tested with toy stages only.
//!
//! ```
//! use std::sync::atomic::AtomicBool;
//! use newsclean_core::{NoopReporter, Sink, Source, StageError, Transform, Envelope};
//! use newsclean_pipeline::Runner;
//!
//! struct N(u64);
//! impl Envelope for N {
//!     type Stub = u64;
//!     fn seq(&self) -> u64 { self.0 }
//!     fn n_bytes(&self) -> u64 { 0 }
//!     fn stub(&self) -> u64 { self.0 }
//!     fn from_panic(seq: u64, _: &str) -> N { N(seq) }
//! }
//! struct Count(u64);
//! impl Source for Count {
//!     type Item = N;
//!     fn run(&mut self, emit: &mut dyn FnMut(N) -> bool) -> Result<(), StageError> {
//!         for i in 0..self.0 { if !emit(N(i)) { break; } }
//!         Ok(())
//!     }
//! }
//! struct Double;
//! impl Transform for Double {
//!     type Item = N;
//!     fn process(&mut self, n: N) -> Result<N, StageError> { Ok(N(n.0 * 2)) }
//! }
//! #[derive(Default)]
//! struct Collect(Vec<u64>);
//! impl Sink for Collect {
//!     type Item = N;
//!     fn write(&mut self, n: N) -> Result<(), StageError> { self.0.push(n.0); Ok(()) }
//!     fn finish(&mut self) -> Result<(), StageError> { Ok(()) }
//! }
//!
//! let cancel = AtomicBool::new(false);
//! let mut sink = Collect::default();
//! Runner::new(3, &cancel, &NoopReporter).run(Count(5), || Double, &mut sink).unwrap();
//! assert_eq!(sink.0, vec![0, 2, 4, 6, 8]);
//! ```

use std::collections::BTreeMap;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::Mutex;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use crossbeam_channel::{Receiver, Sender, bounded};
use newsclean_core::{
    Envelope, Identity, OrderedStep, Reporter, Sink, Source, StageError, Transform,
};

/// Why a run stopped before completing.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A stage failed; this is the first failure of the run.
    #[error(transparent)]
    Stage(#[from] StageError),
    /// The source or the sink panicked.
    #[error("internal error: the {0} panicked")]
    Panicked(&'static str),
    /// The cancel flag was raised (Ctrl-C); the sink was not finished.
    #[error("interrupted")]
    Cancelled,
    /// The system refused to start a thread (too many threads, out of memory).
    #[error("failed to start a thread")]
    Spawn(#[source] std::io::Error),
}

/// Figures about a completed run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunStats {
    /// Values written to the sink.
    pub n_items: u64,
    /// Input bytes of those values (see [`Envelope::n_bytes`]).
    pub n_bytes: u64,
    /// Wall time of the run.
    pub elapsed: Duration,
}

/// Drives one source, N workers and one sink.
pub struct Runner<'a> {
    threads: usize,
    cancel: &'a AtomicBool,
    reporter: &'a dyn Reporter,
}

/// State shared by the parts of one run.
struct Shared<'a> {
    cancel: &'a AtomicBool,
    stop: AtomicBool,
    first_error: Mutex<Option<Error>>,
}

impl Shared<'_> {
    fn should_stop(&self) -> bool {
        self.stop.load(Ordering::Relaxed) || self.cancel.load(Ordering::Relaxed)
    }

    /// Records `err` unless an earlier error is already recorded, and stops the run.
    fn fail(&self, err: Error) {
        let mut first = self
            .first_error
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        if first.is_none() {
            *first = Some(err);
        }
        self.stop.store(true, Ordering::Relaxed);
    }
}

impl<'a> Runner<'a> {
    /// A runner with `threads` workers (at least one).
    pub fn new(threads: usize, cancel: &'a AtomicBool, reporter: &'a dyn Reporter) -> Runner<'a> {
        Runner {
            threads: threads.max(1),
            cancel,
            reporter,
        }
    }

    /// The most values in flight between source and sink.
    fn window(&self) -> usize {
        4 * self.threads + 16
    }

    /// Runs `source` through one transform per worker (built by `make_worker`) into `sink`.
    pub fn run<T, S, W, F, K>(
        &self,
        source: S,
        make_worker: F,
        sink: &mut K,
    ) -> Result<RunStats, Error>
    where
        T: Envelope,
        S: Source<Item = T>,
        W: Transform<Item = T>,
        F: Fn() -> W + Sync,
        K: Sink<Item = T> + ?Sized,
    {
        self.run_ordered(source, make_worker, &mut Identity::default(), sink)
    }

    /// Like [`Runner::run`], with `step` applied to the values in input order before the sink.
    pub fn run_ordered<T, S, W, F, P, K>(
        &self,
        mut source: S,
        make_worker: F,
        step: &mut P,
        sink: &mut K,
    ) -> Result<RunStats, Error>
    where
        T: Envelope,
        S: Source<Item = T>,
        W: Transform<Item = T>,
        F: Fn() -> W + Sync,
        P: OrderedStep<Item = T> + ?Sized,
        K: Sink<Item = T> + ?Sized,
    {
        let started = Instant::now();
        let shared = Shared {
            cancel: self.cancel,
            stop: AtomicBool::new(false),
            first_error: Mutex::new(None),
        };
        let (work_tx, work_rx) = bounded::<(u64, T)>(2 * self.threads);
        let (done_tx, done_rx) = bounded::<(u64, T)>(2 * self.threads);
        let window = self.window();
        let (permit_tx, permit_rx) = bounded::<()>(window);
        for _ in 0..window {
            permit_tx
                .send(())
                .expect("the permit channel has room for the window");
        }

        let stats = std::thread::scope(|scope| {
            let shared = &shared;
            // Threads start through `Builder` so that a refusal (a thread limit) becomes an
            // error of the run, not a panic that leaves temporary files behind.
            let source_thread = std::thread::Builder::new()
                .name("source".into())
                .spawn_scoped(scope, move || {
                    let mut ticket = 0u64;
                    let mut emit = |item: T| {
                        if shared.should_stop() || permit_rx.recv().is_err() {
                            return false;
                        }
                        let ok = work_tx.send((ticket, item)).is_ok();
                        ticket += 1;
                        ok
                    };
                    if let Err(err) = source.run(&mut emit) {
                        shared.fail(err.into());
                    }
                });
            let source_thread = source_thread
                .map_err(|err| shared.fail(Error::Spawn(err)))
                .ok();
            let make_worker = &make_worker;
            let mut workers = Vec::with_capacity(self.threads);
            for _ in 0..self.threads {
                let work_rx = work_rx.clone();
                let done_tx = done_tx.clone();
                match std::thread::Builder::new()
                    .name("worker".into())
                    .spawn_scoped(scope, move || {
                        self.work(make_worker, &work_rx, &done_tx, shared);
                    }) {
                    Ok(worker) => workers.push(worker),
                    Err(err) => {
                        shared.fail(Error::Spawn(err));
                        break;
                    }
                }
            }
            // Drop the originals: the channels disconnect when the clones' owners return.
            drop(work_rx);
            drop(done_tx);

            let stats = self.drain(&done_rx, &permit_tx, step, sink, shared);
            drop(done_rx);
            drop(permit_tx);
            if source_thread.is_some_and(|source| source.join().is_err()) {
                shared.fail(Error::Panicked("input source"));
            }
            for worker in workers {
                if worker.join().is_err() {
                    shared.fail(Error::Panicked("worker"));
                }
            }
            stats
        });

        if let Some(err) = shared
            .first_error
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
        {
            return Err(err);
        }
        if self.cancel.load(Ordering::Relaxed) {
            return Err(Error::Cancelled);
        }
        Ok(RunStats {
            elapsed: started.elapsed(),
            ..stats
        })
    }

    /// One worker: transforms values until the input ends or the run stops.
    fn work<T, W, F>(
        &self,
        make_worker: &F,
        work_rx: &Receiver<(u64, T)>,
        done_tx: &Sender<(u64, T)>,
        shared: &Shared<'_>,
    ) where
        T: Envelope,
        W: Transform<Item = T>,
        F: Fn() -> W,
    {
        let mut transform = make_worker();
        for (ticket, item) in work_rx {
            if shared.should_stop() {
                return;
            }
            let n_bytes = item.n_bytes();
            let out = match process_one(&mut transform, item) {
                Ok(Processed::Done(out)) => out,
                Ok(Processed::Panicked(out)) => {
                    // The transform may be left half-updated: replace it.
                    transform = make_worker();
                    out
                }
                Err(err) => {
                    shared.fail(err.into());
                    return;
                }
            };
            self.reporter.on_processed(n_bytes);
            if done_tx.send((ticket, out)).is_err() {
                return;
            }
        }
    }

    /// The sink side: puts values back in order, steps them and writes them.
    fn drain<T, P, K>(
        &self,
        done_rx: &Receiver<(u64, T)>,
        permit_tx: &Sender<()>,
        step: &mut P,
        sink: &mut K,
        shared: &Shared<'_>,
    ) -> RunStats
    where
        T: Envelope,
        P: OrderedStep<Item = T> + ?Sized,
        K: Sink<Item = T> + ?Sized,
    {
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        let mut stats = RunStats::default();
        let mut out = Vec::new();
        let result = catch_unwind(AssertUnwindSafe(|| {
            for (ticket, item) in done_rx {
                pending.insert(ticket, item);
                while let Some(item) = pending.remove(&next) {
                    if shared.should_stop() {
                        return;
                    }
                    if let Err(err) = step.process(item, &mut out) {
                        shared.fail(err.into());
                        return;
                    }
                    if !self.write_out(&mut out, sink, &mut stats, shared) {
                        return;
                    }
                    next += 1;
                    // The source may have finished; then nobody needs the permit.
                    let _ = permit_tx.send(());
                }
            }
            if shared.should_stop() {
                return;
            }
            debug_assert!(
                pending.is_empty(),
                "every ticket reaches the sink when nothing failed"
            );
            if let Err(err) = step.finish(&mut out) {
                shared.fail(err.into());
                return;
            }
            if !self.write_out(&mut out, sink, &mut stats, shared) || shared.should_stop() {
                return;
            }
            if let Err(err) = sink.finish() {
                shared.fail(err.into());
            }
        }));
        if result.is_err() {
            shared.fail(Error::Panicked("output sink"));
        }
        stats
    }
}

impl Runner<'_> {
    /// Writes what the step pushed; false when the run must stop.
    fn write_out<T, K>(
        &self,
        out: &mut Vec<T>,
        sink: &mut K,
        stats: &mut RunStats,
        shared: &Shared<'_>,
    ) -> bool
    where
        T: Envelope,
        K: Sink<Item = T> + ?Sized,
    {
        for item in out.drain(..) {
            stats.n_bytes += item.n_bytes();
            if let Err(err) = sink.write(item) {
                shared.fail(err.into());
                return false;
            }
            self.reporter.on_written();
            stats.n_items += 1;
        }
        true
    }
}

/// What became of one value given to [`process_one`].
#[derive(Debug)]
pub enum Processed<T> {
    /// The transform's output.
    Done(T),
    /// The transform panicked; this is [`Envelope::from_panic`]'s replacement value, and the
    /// transform may be left half-updated.
    Panicked(T),
}

/// Transforms one value on the calling thread exactly as a worker does: a panic becomes
/// [`Envelope::from_panic`] (a reject), so bad input never takes the caller down. For callers
/// that clean one document at a time (the Python package's `clean`).
pub fn process_one<T, W>(transform: &mut W, item: T) -> Result<Processed<T>, StageError>
where
    T: Envelope,
    W: Transform<Item = T> + ?Sized,
{
    let stub = item.stub();
    match catch_unwind(AssertUnwindSafe(|| transform.process(item))) {
        Ok(Ok(out)) => Ok(Processed::Done(out)),
        Ok(Err(err)) => Err(err),
        Err(panic) => Ok(Processed::Panicked(T::from_panic(
            stub,
            panic_message(panic.as_ref()),
        ))),
    }
}

fn panic_message(panic: &(dyn std::any::Any + Send)) -> &str {
    if let Some(s) = panic.downcast_ref::<&str>() {
        s
    } else if let Some(s) = panic.downcast_ref::<String>() {
        s
    } else {
        "panic"
    }
}

#[cfg(test)]
mod tests;
