//! tests

// `newsclean eval` against the benchmark's score.py.
mod eval;
