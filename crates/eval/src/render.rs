//! The report as `score.py` prints and writes it: the table, the rows per document and the
//! JSON file.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use serde::Serialize;

use crate::bench::Report;
use crate::score::TitleMiss;
use crate::summary::Summary;

impl Report {
    /// The table of `score.py`, column for column: a header, the row of all documents named
    /// `name`, and one indented row per source. Every line ends with `\n`.
    pub fn table(&self, name: &str) -> String {
        let mut out = String::new();
        out.push_str(&header());
        out.push('\n');
        out.push_str(&row(name, &self.all));
        out.push('\n');
        for (source, summary) in &self.by_source {
            out.push_str(&row(&format!("  {source}"), summary));
            out.push('\n');
        }
        out
    }

    /// One line per document, as `score.py --per-doc` prints them.
    pub fn per_doc_rows(&self) -> String {
        let mut out = String::new();
        for d in &self.docs {
            let s = &d.score;
            let _ = write!(
                out,
                "{:<50} P={:.3} R={:.3} F1={:.3} F1_1={:.3} tok={}/{}",
                d.doc.id,
                s.precision(),
                s.recall(),
                s.f1(),
                s.f1_1(),
                s.n_pred_tokens,
                s.n_truth_tokens
            );
            if let Some(t) = s.title {
                let _ = write!(out, " title={}", u8::from(t.is_exact));
            }
            out.push('\n');
        }
        out
    }

    /// The titles missed, counted by how (see [`TitleMiss`]): a line with the count of
    /// titled documents and of misses, then one line per kind, most first. Not part of
    /// `score.py`'s output.
    pub fn title_misses(&self) -> String {
        let misses: Vec<TitleMiss> = (self.docs.iter())
            .filter_map(|d| d.score.title.and_then(|t| t.miss))
            .collect();
        let n_titled = self.docs.iter().filter(|d| d.score.title.is_some()).count();
        let mut out = format!(
            "title misses: {} of {n_titled} documents with a title\n",
            misses.len()
        );
        let mut counts: Vec<(usize, TitleMiss)> = TitleMiss::ALL
            .iter()
            .map(|&kind| (misses.iter().filter(|&&m| m == kind).count(), kind))
            .collect();
        counts.sort_by_key(|&(n, kind)| (std::cmp::Reverse(n), kind));
        for (n, kind) in counts {
            let _ = writeln!(out, "  {n:>5}  {}", kind.describe());
        }
        out
    }

    /// The JSON file of `score.py --json`: `{"summary": …, "docs": […]}` with the same keys,
    /// per-document figures rounded to 5 decimals, and the same indentation. `system` names
    /// the system and `bench` the benchmark directory.
    pub fn to_json(&self, system: &str, bench: &str) -> String {
        let report = JsonReport {
            summary: JsonTop {
                system,
                bench,
                missing_predictions: self.n_missing,
                all: JsonSummary::new(&self.all),
                by_source: self
                    .by_source
                    .iter()
                    .map(|(source, s)| (source.as_str(), JsonSummary::new(s)))
                    .collect(),
            },
            docs: self
                .docs
                .iter()
                .map(|d| {
                    let s = &d.score;
                    JsonDoc {
                        p: round5(s.precision()),
                        r: round5(s.recall()),
                        f1: round5(s.f1()),
                        p1: round5(s.precision_1()),
                        r1: round5(s.recall_1()),
                        f1_1: round5(s.f1_1()),
                        acc: flag(s.is_exact),
                        truth_tokens: s.n_truth_tokens,
                        pred_tokens: s.n_pred_tokens,
                        title_exact: s.title.map(|t| flag(t.is_exact)),
                        title_tok: s.title.map(|t| flag(t.is_token_equal)),
                        title_dup: s.title.map(|t| flag(t.is_duplicated)),
                        id: &d.doc.id,
                        source: &d.doc.source,
                    }
                })
                .collect(),
        };
        let mut out = Vec::new();
        let mut serializer = serde_json::Serializer::with_formatter(
            &mut out,
            serde_json::ser::PrettyFormatter::with_indent(b" "),
        );
        report
            .serialize(&mut serializer)
            .expect("serialising plain structs to memory cannot fail");
        String::from_utf8(out).expect("serde_json writes UTF-8")
    }
}

fn header() -> String {
    format!(
        "{:<28} {:>5} {:>12} {:>5} {:>5}  {:>5} {:>5} {:>5}  {:>5}  {:>5} {:>5} {:>5} {:>5}",
        "",
        "docs",
        "F1(4sh)",
        "P",
        "R",
        "F1_1",
        "P1",
        "R1",
        "acc",
        "n_tit",
        "t_ex",
        "t_tok",
        "t_dup"
    )
}

/// One row of the table (`score.py`'s `fmt_row`); a missing figure shows as `-`.
fn row(name: &str, s: &Summary) -> String {
    let g = |v: Option<f64>| v.map_or_else(|| format!("{:>5}", "-"), |v| format!("{v:>5.3}"));
    let m = s.metrics.as_ref();
    let f1 = match m {
        None => "-".to_owned(),
        Some(m) => match m.std {
            Some(std) => format!("{:.3}±{:.3}", m.shingles.f1, std.f1),
            None => format!("{:.3}      ", m.shingles.f1),
        },
    };
    let title = m.and_then(|m| m.title);
    format!(
        "{name:<28} {:>5} {f1:>12} {} {}  {} {} {}  {}  {:>5} {} {} {}",
        s.n_docs,
        g(m.map(|m| m.shingles.precision)),
        g(m.map(|m| m.shingles.recall)),
        g(m.map(|m| m.words.f1)),
        g(m.map(|m| m.words.precision)),
        g(m.map(|m| m.words.recall)),
        g(m.map(|m| m.accuracy)),
        m.map_or(0, |m| m.n_title),
        g(title.map(|t| t.exact)),
        g(title.map(|t| t.token_equal)),
        g(title.map(|t| t.duplicated)),
    )
}

/// Python's `round(x, 5)`: both languages format the exact binary value, halves to even.
fn round5(x: f64) -> f64 {
    format!("{x:.5}").parse().expect("a formatted float parses")
}

fn flag(b: bool) -> f64 {
    f64::from(u8::from(b))
}

#[derive(Serialize)]
struct JsonReport<'a> {
    summary: JsonTop<'a>,
    docs: Vec<JsonDoc<'a>>,
}

#[derive(Serialize)]
struct JsonTop<'a> {
    system: &'a str,
    bench: &'a str,
    missing_predictions: usize,
    all: JsonSummary,
    by_source: BTreeMap<&'a str, JsonSummary>,
}

/// `score.py`'s summary dict, key for key and in its order.
#[derive(Serialize)]
struct JsonSummary {
    n: usize,
    #[serde(flatten)]
    metrics: Option<JsonMetrics>,
}

#[derive(Serialize)]
struct JsonMetrics {
    precision: f64,
    recall: f64,
    f1: f64,
    precision_1: f64,
    recall_1: f64,
    f1_1: f64,
    accuracy: f64,
    doc_f1_mean: f64,
    n_title: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_exact: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_tok: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_dup: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    f1_std: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    precision_std: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    recall_std: Option<f64>,
}

impl JsonSummary {
    fn new(s: &Summary) -> JsonSummary {
        JsonSummary {
            n: s.n_docs,
            metrics: s.metrics.as_ref().map(|m| JsonMetrics {
                precision: m.shingles.precision,
                recall: m.shingles.recall,
                f1: m.shingles.f1,
                precision_1: m.words.precision,
                recall_1: m.words.recall,
                f1_1: m.words.f1,
                accuracy: m.accuracy,
                doc_f1_mean: m.doc_f1_mean,
                n_title: m.n_title,
                title_exact: m.title.map(|t| t.exact),
                title_tok: m.title.map(|t| t.token_equal),
                title_dup: m.title.map(|t| t.duplicated),
                f1_std: m.std.map(|s| s.f1),
                precision_std: m.std.map(|s| s.precision),
                recall_std: m.std.map(|s| s.recall),
            }),
        }
    }
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    p: f64,
    r: f64,
    f1: f64,
    p1: f64,
    r1: f64,
    f1_1: f64,
    acc: f64,
    truth_tokens: usize,
    pred_tokens: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_exact: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_tok: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    title_dup: Option<f64>,
    id: &'a str,
    source: &'a str,
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "these figures are exact, as in score.py")]
mod tests {
    use super::*;

    #[test]
    fn rounding_is_pythons() {
        // round(0.015625, 5) == 0.01562 and round(2/3, 5) == 0.66667 in Python.
        assert_eq!(round5(0.015_625), 0.015_62);
        assert_eq!(round5(2.0 / 3.0), 0.666_67);
        assert_eq!(round5(1.0), 1.0);
    }

    // The expected lines were printed by `score.py`'s `HEADER` and `fmt_row('x', {'n': 0})`.
    #[test]
    fn header_and_empty_row() {
        assert_eq!(
            header(),
            "                              docs      F1(4sh)     P     R   F1_1    P1    R1    acc  n_tit  t_ex t_tok t_dup"
        );
        let s = Summary {
            n_docs: 0,
            metrics: None,
        };
        assert_eq!(
            row("x", &s),
            "x                                0            -     -     -      -     -     -      -      0     -     -     -"
        );
    }
}
