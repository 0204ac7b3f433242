//! The quality gate: the cleaner on the dev benchmark must not fall more than 0.01 below the
//! figures the shipped model reaches. The benchmark lives outside the repository
//! (`../shared/bench/dev`, restrictive licences); without it the test says so on stderr, past
//! the test harness's capture, and passes.

use std::io::Write as _;
use std::path::Path;

use newsclean_eval::{EvalConfig, evaluate};

use crate::util::{TestEnv, arg, assert_code, root, run};

/// Figures of the shipped text model (text input is read by the text model alone) on the dev
/// set with the README's benchmark command: F1 0.941, title exact 0.965 (in-sample: the model
/// was trained on these pages, and the title rules after it written on them; its 5-fold
/// cross-validated figures are in `train/MODEL_CARD.md`). The gate allows 0.01 less and is
/// never lowered.
const MIN_F1: f64 = 0.941 - 0.01;
const MIN_TITLE_EXACT: f64 = 0.965 - 0.01;
const MAX_TITLE_DUP: f64 = 0.01;

/// Figures of the shipped HTML model (trained on the HTML view alone) on the dev pages' HTML
/// (`../shared/bench/dev-html`) with the same command: F1 0.964, title exact 0.981 (in-sample
/// too; retrained without the page's class words, issue 10; the model trained on both views,
/// shipped before, gave 0.957 and 0.974; 0.963 with the comment-thread rules of 2026-12-02,
/// which drop comments that five truths keep, while they raise the cross-validated figure;
/// 0.9625 and 0.980 with the HTML model retrained the same day on labels that leave those
/// comments out). The gate allows 0.01 less and is never lowered.
const MIN_HTML_F1: f64 = 0.964 - 0.01;
const MIN_HTML_TITLE_EXACT: f64 = 0.981 - 0.01;

/// Runs the README's benchmark command on `input` and scores the output against the dev
/// truth: (F1, P, R, title exact, title duplicated).
fn score(bench: &Path, input: &Path, include: &str) -> (f64, f64, f64, f64, f64) {
    let env = TestEnv::new();
    let out = env.path("out");
    let output = run(&[
        "run",
        arg(input),
        "--include",
        include,
        "--exclude",
        "*.truth.txt",
        "-f",
        "text",
        "-o",
        arg(&out),
        "-q",
    ]);
    assert_code(&output, 0);
    let report = evaluate(
        bench,
        Path::new(&out),
        &EvalConfig {
            bootstrap: None,
            has_by_source: false,
        },
    )
    .unwrap();
    let metrics = report.all.metrics.expect("the dev set has documents");
    let title = metrics.title.expect("the dev set has titles");
    (
        metrics.shingles.f1,
        metrics.shingles.precision,
        metrics.shingles.recall,
        title.exact,
        title.duplicated,
    )
}

#[test]
fn dev_benchmark_does_not_regress() {
    let bench = root().join("../shared/bench/dev");
    if !bench.join("manifest.jsonl").exists() {
        // Written to stderr itself, not through eprintln!, which the harness captures: a
        // skipped gate must show in `cargo test`'s output, not pass as a silent `ok`.
        let _ = writeln!(
            std::io::stderr(),
            "quality gate SKIPPED: {} is absent (see the README's \"Benchmark data\")",
            bench.display()
        );
        return;
    }
    let (f1, precision, recall, exact, duplicated) = score(&bench, &bench, "*.txt");
    let _ = writeln!(
        std::io::stderr(),
        "quality gate: F1 {f1:.4} (P {precision:.4}, R {recall:.4}), title exact {exact:.4}, \
         title duplicated {duplicated:.4}"
    );
    assert!(f1 >= MIN_F1, "F1 {f1:.4} fell below {MIN_F1:.3}");
    assert!(
        exact >= MIN_TITLE_EXACT,
        "title exact {exact:.4} fell below {MIN_TITLE_EXACT:.3}"
    );
    assert!(
        duplicated <= MAX_TITLE_DUP,
        "title duplicated {duplicated:.4} above {MAX_TITLE_DUP}"
    );
}

/// The same pages read from their HTML (`<id>.html.gz`, whose id is `<id>`). See: issue 10.
#[test]
fn dev_benchmark_html_does_not_regress() {
    let bench = root().join("../shared/bench/dev");
    let html = root().join("../shared/bench/dev-html");
    if !bench.join("manifest.jsonl").exists() || !html.is_dir() {
        let _ = writeln!(
            std::io::stderr(),
            "HTML quality gate SKIPPED: {} is absent (see the README's \"Benchmark data\")",
            html.display()
        );
        return;
    }
    let (f1, precision, recall, exact, duplicated) = score(&bench, &html, "*.html.gz");
    let _ = writeln!(
        std::io::stderr(),
        "HTML quality gate: F1 {f1:.4} (P {precision:.4}, R {recall:.4}), title exact \
         {exact:.4}, title duplicated {duplicated:.4}"
    );
    assert!(f1 >= MIN_HTML_F1, "F1 {f1:.4} fell below {MIN_HTML_F1:.3}");
    assert!(
        exact >= MIN_HTML_TITLE_EXACT,
        "title exact {exact:.4} fell below {MIN_HTML_TITLE_EXACT:.3}"
    );
    assert!(
        duplicated <= MAX_TITLE_DUP,
        "title duplicated {duplicated:.4} above {MAX_TITLE_DUP}"
    );
}
