//! The workspace tests, compiled as one binary (ripgrep style).

// Shared helpers: a temp dir per test and the `newsclean` command.
mod util;

// Usage errors, exit codes, clap's own checks.
mod cli;
// Archive-wide dedupe on a generated site: site template model, duplicate articles.
mod dedupe;
// `newsclean eval` against the benchmark's score.py.
mod eval;
// The hostile probe of issue 13: output and input safety, faithful data.
mod hostile;
// Every input format and every kind of bad input, built at test time; accounting; resume.
mod ingest;
// Export formats read back, sharding, sentences, and the run report.
mod export;
// The quality gate on the dev benchmark (skipped without ../shared).
mod quality;
// Property tests of the cleaning invariants: no text invented, thread-count independence.
mod props;
// The whole pipeline on the bundled fixtures: the seed article, snapshots, bad files.
mod run;
// Running on a cluster (issue 11): job arrays and Spark against `run`, byte for byte.
mod scale;
// Recrawled dev pages: the body they clean to and near-duplicate recall (needs ../shared).
mod stability;
// Each stage command alone, and stage commands piped together equal to `run`.
mod stages;
// House rules checked by `cargo test`: module docs, no printing outside the CLI.
mod tidy;
// Where a user's habits meet the tool (issue 12): formats from names, inputs by content, sizes.
mod ux;
