//! Toy-stage tests of the runner: order, failure, cancellation, panics.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};

use newsclean_core::{Envelope, NoopReporter, Sink, Source, StageError, StageId, Transform};
use proptest::prelude::*;

use super::{Error, Runner};

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
