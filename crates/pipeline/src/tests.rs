//! Toy-stage tests of the runner: order, failure, cancellation, panics.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use newsclean_core::{
    Envelope, NoopReporter, OrderedStep, Sink, Source, StageError, StageId, Transform,
};
use proptest::prelude::*;

use super::{Error, RunStats, Runner};

#[derive(Debug, Clone, PartialEq)]
enum Toy {
    Value(u64),
    Panicked(u64),
}

impl Envelope for Toy {
    type Stub = u64;
    fn seq(&self) -> u64 {
        match self {
            Toy::Value(n) | Toy::Panicked(n) => *n,
        }
    }
    fn n_bytes(&self) -> u64 {
        1
    }
    fn stub(&self) -> u64 {
        self.seq()
    }
    fn from_panic(seq: u64, _: &str) -> Toy {
        Toy::Panicked(seq)
    }
}

/// Emits 0..n, or fails after `fail_at` values.
struct Numbers {
    n: u64,
    fail_at: Option<u64>,
    n_emitted: &'static AtomicU64,
}

impl Source for Numbers {
    type Item = Toy;
    fn run(&mut self, emit: &mut dyn FnMut(Toy) -> bool) -> Result<(), StageError> {
        for i in 0..self.n {
            if self.fail_at == Some(i) {
                return Err(StageError::new(StageId::Ingest, "source broke"));
            }
            self.n_emitted.fetch_add(1, Ordering::Relaxed);
            if !emit(Toy::Value(i)) {
                break;
            }
        }
        Ok(())
    }
}

/// Squares values; slow on some to shuffle completion order; panics or fails on request.
struct Square {
    panic_on: Option<u64>,
    fail_on: Option<u64>,
}

impl Transform for Square {
    type Item = Toy;
    fn process(&mut self, item: Toy) -> Result<Toy, StageError> {
        let Toy::Value(n) = item else { return Ok(item) };
        assert!(self.panic_on != Some(n), "toy panic");
        if self.fail_on == Some(n) {
            return Err(StageError::new(StageId::Segment, "worker broke"));
        }
        // Uneven work, so that workers finish out of order.
        let spin = (n * 7919) % 13;
        let mut x = n;
        for _ in 0..spin * 1000 {
            x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(1));
        }
        std::hint::black_box(x);
        Ok(Toy::Value(n * n))
    }
}

#[derive(Default)]
struct Collect {
    out: Vec<Toy>,
    fail_at: Option<usize>,
    is_finished: bool,
    cancel_at: Option<(usize, &'static AtomicBool)>,
}

impl Sink for Collect {
    type Item = Toy;
    fn write(&mut self, item: Toy) -> Result<(), StageError> {
        if self.fail_at == Some(self.out.len()) {
            return Err(StageError::new(StageId::Export, "disk full"));
        }
        if let Some((at, flag)) = self.cancel_at {
            if at == self.out.len() {
                flag.store(true, Ordering::Relaxed);
            }
        }
        self.out.push(item);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StageError> {
        self.is_finished = true;
        Ok(())
    }
}

fn counter() -> &'static AtomicU64 {
    Box::leak(Box::new(AtomicU64::new(0)))
}

/// The single place that runs the runner in these tests.
fn check(
    threads: usize,
    source: Numbers,
    square: impl Fn() -> Square + Sync,
    sink: &mut Collect,
    cancel: &AtomicBool,
) -> Result<(), Error> {
    Runner::new(threads, cancel, &NoopReporter)
        .run(source, square, sink)
        .map(|_| ())
}

fn plain() -> Square {
    Square {
        panic_on: None,
        fail_on: None,
    }
}

#[test]
fn output_is_in_input_order_for_any_thread_count() {
    let expected: Vec<Toy> = (0..500).map(|n| Toy::Value(n * n)).collect();
    for threads in [1, 2, 3, 8] {
        let mut sink = Collect::default();
        let source = Numbers {
            n: 500,
            fail_at: None,
            n_emitted: counter(),
        };
        check(threads, source, plain, &mut sink, &AtomicBool::new(false)).unwrap();
        assert_eq!(sink.out, expected, "threads = {threads}");
        assert!(sink.is_finished);
    }
}

#[test]
fn empty_input_finishes_the_sink() {
    let mut sink = Collect::default();
    let source = Numbers {
        n: 0,
        fail_at: None,
        n_emitted: counter(),
    };
    check(4, source, plain, &mut sink, &AtomicBool::new(false)).unwrap();
    assert!(sink.out.is_empty() && sink.is_finished);
}

#[test]
fn a_panic_becomes_a_replacement_value() {
    let mut sink = Collect::default();
    let source = Numbers {
        n: 50,
        fail_at: None,
        n_emitted: counter(),
    };
    let square = || Square {
        panic_on: Some(7),
        fail_on: None,
    };
    check(3, source, square, &mut sink, &AtomicBool::new(false)).unwrap();
    assert_eq!(sink.out.len(), 50);
    assert_eq!(sink.out[7], Toy::Panicked(7));
    assert_eq!(sink.out[8], Toy::Value(64));
}

#[test]
fn sink_failure_stops_the_source_and_is_reported() {
    let n_emitted = counter();
    let mut sink = Collect {
        fail_at: Some(10),
        ..Collect::default()
    };
    let source = Numbers {
        n: 1_000_000,
        fail_at: None,
        n_emitted,
    };
    let err = check(2, source, plain, &mut sink, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(format!("{err}"), "export failed");
    assert!(!sink.is_finished);
    // The window bounds how far the source ran ahead of the failed sink.
    assert!(
        n_emitted.load(Ordering::Relaxed) < 1000,
        "source kept going: {n_emitted:?}"
    );
}

#[test]
fn worker_failure_is_the_root_cause() {
    let mut sink = Collect::default();
    let source = Numbers {
        n: 1000,
        fail_at: None,
        n_emitted: counter(),
    };
    let square = || Square {
        panic_on: None,
        fail_on: Some(20),
    };
    let err = check(4, source, square, &mut sink, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(format!("{err}"), "segment failed");
    assert!(!sink.is_finished);
    assert!(sink.out.len() <= 20);
}

#[test]
fn source_failure_is_reported_and_the_sink_not_finished() {
    let mut sink = Collect::default();
    let source = Numbers {
        n: 100,
        fail_at: Some(30),
        n_emitted: counter(),
    };
    let err = check(2, source, plain, &mut sink, &AtomicBool::new(false)).unwrap_err();
    assert_eq!(format!("{err}"), "ingest failed");
    assert!(!sink.is_finished);
}

#[test]
fn cancel_stops_everything_without_finishing() {
    let flag: &'static AtomicBool = Box::leak(Box::new(AtomicBool::new(false)));
    let n_emitted = counter();
    let mut sink = Collect {
        cancel_at: Some((5, flag)),
        ..Collect::default()
    };
    let source = Numbers {
        n: 1_000_000,
        fail_at: None,
        n_emitted,
    };
    let err = check(2, source, plain, &mut sink, flag).unwrap_err();
    assert!(matches!(err, Error::Cancelled));
    assert!(!sink.is_finished);
    assert!(n_emitted.load(Ordering::Relaxed) < 1000);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(16))]
    #[test]
    fn same_output_for_1_and_n_threads(n in 0u64..300, threads in 2usize..9, panic_on in proptest::option::of(0u64..300)) {
        let run = |threads| {
            let mut sink = Collect::default();
            let source = Numbers { n, fail_at: None, n_emitted: counter() };
            check(threads, source, || Square { panic_on, fail_on: None }, &mut sink, &AtomicBool::new(false)).unwrap();
            sink.out
        };
        prop_assert_eq!(run(1), run(threads));
    }
}

/// A toy ordered step: keeps a running state (the sum of values seen, so order matters),
/// drops values already seen modulo 10 (an "index"), or holds everything back until the end
/// and releases it reversed (a decision that can change after a value was seen).
struct Dedup {
    seen: std::collections::BTreeSet<u64>,
    sum: u64,
    hold: Option<Vec<Toy>>,
    fail_on: Option<u64>,
}

impl Dedup {
    fn new(hold: bool) -> Dedup {
        Dedup {
            seen: std::collections::BTreeSet::new(),
            sum: 0,
            hold: hold.then(Vec::new),
            fail_on: None,
        }
    }
}

impl OrderedStep for Dedup {
    type Item = Toy;
    fn process(&mut self, item: Toy, out: &mut Vec<Toy>) -> Result<(), StageError> {
        let Toy::Value(n) = item else {
            out.push(item);
            return Ok(());
        };
        if self.fail_on == Some(n) {
            return Err(StageError::new(StageId::Dedupe, "index broke"));
        }
        self.sum += n;
        if !self.seen.insert(n % 10) {
            return Ok(());
        }
        let value = Toy::Value(n * 1000 + self.sum % 1000);
        match &mut self.hold {
            Some(held) => held.push(value),
            None => out.push(value),
        }
        Ok(())
    }
    fn finish(&mut self, out: &mut Vec<Toy>) -> Result<(), StageError> {
        if let Some(held) = self.hold.take() {
            out.extend(held.into_iter().rev());
        }
        Ok(())
    }
}

/// The single place that runs the runner with an ordered step in these tests.
fn check_ordered(
    threads: usize,
    n: u64,
    step: &mut Dedup,
    sink: &mut Collect,
) -> Result<RunStats, Error> {
    let source = Numbers {
        n,
        fail_at: None,
        n_emitted: counter(),
    };
    Runner::new(threads, &AtomicBool::new(false), &NoopReporter)
        .run_ordered(source, plain, step, sink)
}

#[test]
fn ordered_step_sees_input_order_for_any_thread_count() {
    let run = |threads, hold| {
        let mut sink = Collect::default();
        let stats = check_ordered(threads, 200, &mut Dedup::new(hold), &mut sink).unwrap();
        assert!(sink.is_finished);
        assert_eq!(stats.n_items, sink.out.len() as u64);
        sink.out
    };
    let streamed = run(1, false);
    // Squares modulo 10 take six values (0, 1, 4, 5, 6, 9): the first square of each.
    let firsts: Vec<u64> = streamed
        .iter()
        .map(|t| match t {
            Toy::Value(v) => v / 1000,
            Toy::Panicked(_) => unreachable!(),
        })
        .collect();
    assert_eq!(firsts, [0, 1, 4, 9, 16, 25]);
    for threads in [2, 3, 8] {
        assert_eq!(run(threads, false), streamed, "threads = {threads}");
    }
    let held = run(1, true);
    assert_eq!(held, streamed.iter().rev().cloned().collect::<Vec<_>>());
    assert_eq!(run(4, true), held);
}

#[test]
fn ordered_step_failure_is_reported_and_the_sink_not_finished() {
    let mut sink = Collect::default();
    let mut step = Dedup::new(false);
    step.fail_on = Some(49);
    let err = check_ordered(3, 1000, &mut step, &mut sink).unwrap_err();
    assert_eq!(format!("{err}"), "dedupe failed");
    assert!(!sink.is_finished);
}
