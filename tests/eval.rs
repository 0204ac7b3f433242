//! `newsclean eval` and `newsclean-eval` against the benchmark's own `score.py`: its committed
//! output on `fixtures/eval`, and, where `../shared/bench/score.py` and `python3` exist, live.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

use newsclean_eval::{EvalConfig, evaluate, text};
use serde_json::Value;

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn fixture(path: &str) -> PathBuf {
    root().join("fixtures/eval").join(path)
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn skip(why: &str) {
    #[expect(clippy::print_stderr, reason = "a skipped test says why")]
    {
        eprintln!("skipped: {why}");
    }
}

/// Every leaf of a JSON value by its path, e.g. `summary.all.f1`.
fn leaves(value: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        leaf => {
            out.insert(path.to_owned(), leaf.clone());
        }
    }
}

/// Checks that two `score.py --json` files hold the same keys and figures. Figures may differ
/// by `1e-9`, far below the 3 decimals printed: only the last bits of means may differ.
/// `system` and `bench` name the run, so they are not compared.
fn assert_same_json(ours: &str, theirs: &str) {
    let parse = |s: &str| {
        let mut out = BTreeMap::new();
        leaves(&serde_json::from_str(s).expect("valid JSON"), "", &mut out);
        out.retain(|k, _| k != ".summary.system" && k != ".summary.bench");
        out
    };
    let (ours, theirs) = (parse(ours), parse(theirs));
    assert_eq!(
        ours.keys().collect::<Vec<_>>(),
        theirs.keys().collect::<Vec<_>>()
    );
    for (key, a) in &ours {
        let b = &theirs[key];
        match (a.as_f64(), b.as_f64()) {
            (Some(x), Some(y)) => assert!((x - y).abs() < 1e-9, "{key}: ours {x}, score.py {y}"),
            _ => assert_eq!(a, b, "{key}"),
        }
    }
}

/// Scores `bench` against `fixtures/eval/pred` and returns the table and the JSON, as
/// `score.py BENCH PRED --json` prints and writes them.
fn check(bench: &Path) -> (String, String) {
    let report = evaluate(bench, &fixture("pred"), &EvalConfig::default()).expect("fixture scores");
    (report.table("pred"), report.to_json("pred", "bench"))
}

#[test]
fn fixture_matches_committed_score_py_output() {
    let (table, json) = check(&fixture("bench"));
    assert_eq!(table, read(&fixture("expected.txt")));
    assert_same_json(&json, &read(&fixture("expected.json")));
}

#[test]
fn fixture_without_manifest_matches_committed_score_py_output() {
    let (table, json) = check(&fixture("plain"));
    assert_eq!(table, read(&fixture("plain.expected.txt")));
    assert_same_json(&json, &read(&fixture("plain.expected.json")));
}

#[test]
fn fixture_cases_behave_as_documented() {
    let report = evaluate(&fixture("bench"), &fixture("pred"), &EvalConfig::default()).unwrap();
    let doc = |id: &str| report.docs.iter().find(|d| d.doc.id == id).unwrap();
    assert_eq!(report.n_missing, 1);
    assert!(doc("d_missing").is_missing && !doc("c_empty").is_missing);
    assert!(doc("e_dup_title").score.title.unwrap().is_duplicated);
    // The later of two manifest lines wins.
    assert!(doc("o_repeats").doc.has_title);
    assert_eq!(doc("l_crlf").doc.source, "all");
    assert_eq!(
        report
            .by_source
            .iter()
            .map(|(s, _)| s.as_str())
            .collect::<Vec<_>>(),
        ["all", "blog", "news"]
    );
}

#[test]
fn cli_prints_the_table_and_writes_json() {
    let dir = tempfile::tempdir().unwrap();
    let json = dir.path().join("nested/scores.json");
    let out = Command::new(env!("CARGO_BIN_EXE_newsclean"))
        .arg("eval")
        .arg("--truth")
        .arg(fixture("bench"))
        .arg(fixture("pred"))
        .arg("--json")
        .arg(&json)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        read(&fixture("expected.txt"))
    );
    assert_eq!(
        String::from_utf8(out.stderr).unwrap(),
        "warning: 1 predictions missing (scored as empty output)\n"
    );
    assert_same_json(&read(&json), &read(&fixture("expected.json")));
}

#[test]
fn cli_rejects_a_missing_directory() {
    let out = Command::new(env!("CARGO_BIN_EXE_newsclean"))
        .args(["eval", "--truth"])
        .arg(fixture("bench"))
        .arg(fixture("no-such-dir"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8(out.stderr).unwrap();
    assert!(
        stderr.contains("no-such-dir is not a directory"),
        "{stderr}"
    );
}

/// `python3 score.py ARGS…`, or `None` (with a message) when it can't run here.
fn score_py(args: &[&Path]) -> Option<String> {
    let script = root().join("../shared/bench/score.py");
    if !script.exists() {
        skip(&format!("{} is absent", script.display()));
        return None;
    }
    match Command::new("python3").arg(&script).args(args).output() {
        Ok(out) => {
            assert!(
                out.status.success(),
                "score.py failed: {}",
                String::from_utf8_lossy(&out.stderr)
            );
            Some(String::from_utf8(out.stdout).unwrap())
        }
        Err(e) => {
            skip(&format!("python3 does not run: {e}"));
            None
        }
    }
}

#[test]
fn fixture_matches_live_score_py() {
    let dir = tempfile::tempdir().unwrap();
    for bench in ["bench", "plain"] {
        let json = dir.path().join(format!("{bench}.json"));
        let Some(table) = score_py(&[
            &fixture(bench),
            &fixture("pred"),
            Path::new("--json"),
            &json,
        ]) else {
            return;
        };
        let (our_table, our_json) = check(&fixture(bench));
        assert_eq!(our_table, table, "{bench}");
        assert_same_json(&our_json, &read(&json));
    }
}

/// Python's `\w` on every code point its Unicode database assigns, against [`text::is_word_char`].
#[test]
fn word_characters_match_live_python() {
    let program = "import re, sys, unicodedata\n\
        w = re.compile(r'\\w')\n\
        sys.stdout.write(unicodedata.unidata_version + '\\n')\n\
        sys.stdout.write(''.join('-' if unicodedata.category(chr(c)) in ('Cn', 'Cs') else '1' if w.match(chr(c)) else '0' for c in range(0x110000)))\n";
    let out = match Command::new("python3").args(["-c", program]).output() {
        Ok(out) if out.status.success() => String::from_utf8(out.stdout).unwrap(),
        Ok(out) => panic!("python3 failed: {}", String::from_utf8_lossy(&out.stderr)),
        Err(e) => return skip(&format!("python3 does not run: {e}")),
    };
    let (version, flags) = out.split_once('\n').unwrap();
    let mut mismatches = Vec::new();
    for (cp, flag) in flags.bytes().enumerate() {
        let Some(c) = char::from_u32(cp as u32) else {
            continue;
        };
        if flag != b'-' && (flag == b'1') != text::is_word_char(c) {
            mismatches.push(format!("U+{cp:04X}"));
        }
    }
    assert!(
        mismatches.is_empty(),
        "Python (Unicode {version}) disagrees on {mismatches:?}"
    );
}

/// `--title-misses` counts every title the table counts as missed, each under one kind.
#[test]
fn cli_counts_title_misses_by_kind() {
    let out = Command::new(env!("CARGO_BIN_EXE_newsclean"))
        .args(["eval", "--n-bootstrap", "0", "--title-misses", "--truth"])
        .arg(fixture("bench"))
        .arg(fixture("pred"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(0));
    let stdout = String::from_utf8(out.stdout).unwrap();
    let report = newsclean_eval::evaluate(
        &fixture("bench"),
        &fixture("pred"),
        &newsclean_eval::EvalConfig {
            bootstrap: None,
            has_by_source: false,
        },
    )
    .unwrap();
    let titles: Vec<_> = report.docs.iter().filter_map(|d| d.score.title).collect();
    let n_missed = titles.iter().filter(|t| !t.is_exact).count();
    assert!(n_missed > 0, "the fixture has missed titles");
    let section = stdout.split("title misses: ").nth(1).expect("the section");
    let header = format!("{n_missed} of {} documents with a title", titles.len());
    assert!(section.starts_with(&header), "{section}");
    let counted: usize = section
        .lines()
        .skip(1)
        .map(|l| {
            l.split_whitespace()
                .next()
                .unwrap()
                .parse::<usize>()
                .unwrap()
        })
        .sum();
    assert_eq!(counted, n_missed);
}
