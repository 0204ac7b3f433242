//! A benchmark directory: its manifest, its truth files, and the scoring of a directory of
//! predictions against it (`score.py`'s `main` without the printing).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::score::{DocScore, score_doc};
use crate::summary::{Bootstrap, Summary, summarize};
use crate::{Error, MANIFEST, TRUTH_SUFFIX};

/// One document of the benchmark, as its manifest line describes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BenchDoc {
    /// File stem: the truth is `<id>.truth.txt`, the prediction `<id>.txt`.
    pub id: String,
    /// The source the document came from, for the rows per source (`all` when unknown).
    pub source: String,
    /// Whether the truth's first non-blank line is the title.
    pub has_title: bool,
}

/// How to score a directory of predictions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EvalConfig {
    /// Bootstrap for the ± standard deviations; `None` leaves them out.
    pub bootstrap: Option<Bootstrap>,
    /// Whether to summarise each source separately too.
    pub has_by_source: bool,
}

impl Default for EvalConfig {
    /// The defaults of `score.py`: 1000 resamples with seed 0, rows per source.
    fn default() -> EvalConfig {
        EvalConfig {
            bootstrap: Some(Bootstrap::default()),
            has_by_source: true,
        }
    }
}

/// A scored document.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoredDoc {
    /// The benchmark's description of the document.
    pub doc: BenchDoc,
    /// Whether the prediction file was missing (it was scored as empty output).
    pub is_missing: bool,
    /// The scores.
    pub score: DocScore,
}

/// Everything `score.py` prints or writes: per-document scores and the summaries.
#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    /// Every document of the manifest, in id order.
    pub docs: Vec<ScoredDoc>,
    /// Number of documents without a prediction file.
    pub n_missing: usize,
    /// The summary over all documents.
    pub all: Summary,
    /// The summary of each source, in source order; empty unless asked for.
    pub by_source: Vec<(String, Summary)>,
}

/// Reads the benchmark's `manifest.jsonl`, or, without one, lists its `*.truth.txt` files
/// (source `all`, no titles). Documents come sorted by id; a repeated id keeps its last line.
pub fn load_manifest(truth_dir: &Path) -> Result<Vec<BenchDoc>, Error> {
    let path = truth_dir.join(MANIFEST);
    let docs = if path.exists() {
        let text = std::fs::read_to_string(&path).map_err(|source| Error::Read {
            path: path.clone(),
            source,
        })?;
        parse_manifest(&text, &path)?
    } else {
        list_truth_files(truth_dir)?
    };
    Ok(docs)
}

fn parse_manifest(text: &str, path: &Path) -> Result<Vec<BenchDoc>, Error> {
    let mut docs = BTreeMap::new();
    for (i, line) in crate::text::lines(text).into_iter().enumerate() {
        if crate::text::is_blank(line) {
            continue;
        }
        let bad = |reason: String| Error::Manifest {
            path: path.to_owned(),
            line: i + 1,
            reason,
        };
        let record: Value = serde_json::from_str(line).map_err(|e| bad(e.to_string()))?;
        let Some(id) = record.get("id").and_then(Value::as_str) else {
            return Err(bad("no string \"id\"".to_owned()));
        };
        let source = match record.get("source") {
            None => "all".to_owned(),
            Some(Value::String(s)) => s.clone(),
            Some(other) => other.to_string(),
        };
        let doc = BenchDoc {
            id: id.to_owned(),
            source,
            has_title: record.get("has_title").is_some_and(is_truthy),
        };
        docs.insert(doc.id.clone(), doc);
    }
    Ok(docs.into_values().collect())
}

/// Python's `bool(value)` for a JSON value.
fn is_truthy(value: &Value) -> bool {
    match value {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64().is_some_and(|x| x != 0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn list_truth_files(truth_dir: &Path) -> Result<Vec<BenchDoc>, Error> {
    let list_error = |source| Error::List {
        path: truth_dir.to_owned(),
        source,
    };
    let mut ids = Vec::new();
    for entry in std::fs::read_dir(truth_dir).map_err(list_error)? {
        let entry = entry.map_err(list_error)?;
        // Names that aren't UTF-8 can't be ids in a manifest either; they are skipped.
        if let Some(id) = entry
            .file_name()
            .to_str()
            .and_then(|n| n.strip_suffix(TRUTH_SUFFIX))
        {
            ids.push(id.to_owned());
        }
    }
    ids.sort_unstable();
    Ok(ids
        .into_iter()
        .map(|id| BenchDoc {
            id,
            source: "all".to_owned(),
            has_title: false,
        })
        .collect())
}

/// Scores the predictions in `pred_dir` (`<id>.txt`, title first, one paragraph per line)
/// against the benchmark in `truth_dir`. A missing prediction counts as empty output, and a
/// missing truth file as empty truth, as in `score.py`.
///
/// Both directories must exist: a typo should not score as an empty system.
pub fn evaluate(truth_dir: &Path, pred_dir: &Path, config: &EvalConfig) -> Result<Report, Error> {
    for dir in [truth_dir, pred_dir] {
        if !dir.is_dir() {
            return Err(Error::NotADirectory {
                path: dir.to_owned(),
            });
        }
    }
    let bench_docs = load_manifest(truth_dir)?;
    let mut docs = Vec::with_capacity(bench_docs.len());
    for doc in bench_docs {
        let truth = read_text(&truth_dir.join(format!("{}{TRUTH_SUFFIX}", doc.id)))?;
        let pred_path = pred_dir.join(format!("{}.txt", doc.id));
        let is_missing = !pred_path.exists();
        let pred = read_text(&pred_path)?;
        let score = score_doc(
            truth.as_deref().unwrap_or(""),
            pred.as_deref().unwrap_or(""),
            doc.has_title,
        );
        docs.push(ScoredDoc {
            doc,
            is_missing,
            score,
        });
    }
    Ok(Report::new(docs, config))
}

impl Report {
    /// Summarises scored documents, overall and, if asked, per source.
    pub fn new(docs: Vec<ScoredDoc>, config: &EvalConfig) -> Report {
        let bootstrap = config.bootstrap.as_ref();
        let scores: Vec<&DocScore> = docs.iter().map(|d| &d.score).collect();
        let all = summarize(&scores, bootstrap);
        let mut by_source = Vec::new();
        if config.has_by_source {
            let mut groups: BTreeMap<&str, Vec<&DocScore>> = BTreeMap::new();
            for d in &docs {
                groups.entry(&d.doc.source).or_default().push(&d.score);
            }
            by_source = groups
                .into_iter()
                .map(|(source, scores)| (source.to_owned(), summarize(&scores, bootstrap)))
                .collect();
        }
        Report {
            n_missing: docs.iter().filter(|d| d.is_missing).count(),
            docs,
            all,
            by_source,
        }
    }
}

/// Reads a file as UTF-8, replacing invalid bytes as Python's `errors='replace'` does;
/// `None` when it doesn't exist.
fn read_text(path: &Path) -> Result<Option<String>, Error> {
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(err) => String::from_utf8_lossy(err.as_bytes()).into_owned(),
        })),
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(source) => Err(Error::Read {
            path: PathBuf::from(path),
            source,
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(manifest: &str) -> Vec<(String, String, bool)> {
        parse_manifest(manifest, Path::new("m.jsonl"))
            .unwrap()
            .into_iter()
            .map(|d| (d.id, d.source, d.has_title))
            .collect()
    }

    #[test]
    fn manifest_lines() {
        let m =
            "{\"id\": \"b\", \"source\": \"x\", \"has_title\": true}\n\n  \n{\"id\": \"a\"}\r\n";
        assert_eq!(
            check(m),
            [
                ("a".into(), "all".into(), false),
                ("b".into(), "x".into(), true)
            ]
        );
    }

    #[test]
    fn manifest_keeps_the_last_of_a_repeated_id() {
        let m = "{\"id\": \"a\", \"has_title\": 1}\n{\"id\": \"a\", \"has_title\": 0}\n";
        assert_eq!(check(m), [("a".into(), "all".into(), false)]);
    }

    #[test]
    fn has_title_is_python_truthiness() {
        for (value, expected) in [
            ("true", true),
            ("1", true),
            ("\"no\"", true),
            ("[0]", true),
            ("false", false),
            ("null", false),
            ("0.0", false),
            ("\"\"", false),
            ("{}", false),
        ] {
            let m = format!("{{\"id\": \"a\", \"has_title\": {value}}}");
            assert_eq!(check(&m)[0].2, expected, "{value}");
        }
    }

    #[test]
    fn bad_manifest_lines_are_errors() {
        let err =
            parse_manifest("{\"id\": \"a\"}\n{\"id\": 3}\n", Path::new("m.jsonl")).unwrap_err();
        assert_eq!(
            err.to_string(),
            "m.jsonl:2: invalid manifest line: no string \"id\""
        );
        assert!(parse_manifest("{oops\n", Path::new("m.jsonl")).is_err());
    }
}
