//! Averaging document scores: macro precision, recall and F1, the title rates, and the
//! bootstrap standard deviation, as `score.py`'s `summarize`.

use std::borrow::Borrow;

use crate::random::PyRandom;
use crate::score::{DocScore, Overlap, f1};

/// Macro-averaged precision and recall over documents, and their harmonic mean.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Macro {
    /// Mean precision over the documents that predicted something.
    pub precision: f64,
    /// Mean recall over the documents whose truth has something.
    pub recall: f64,
    /// Harmonic mean of `precision` and `recall` (not the mean of per-document F1).
    pub f1: f64,
}

impl Macro {
    /// `score.py`'s `macro`: precision over documents with `tp + fp > 0`, recall over
    /// documents with `tp + fn > 0`, 0 when there are none.
    pub fn of<'a>(overlaps: impl IntoIterator<Item = &'a Overlap>) -> Macro {
        let mut precision = Mean::default();
        let mut recall = Mean::default();
        for o in overlaps {
            if o.has_pred() {
                precision.add(o.precision());
            }
            if o.has_truth() {
                recall.add(o.recall());
            }
        }
        let (precision, recall) = (precision.get(), recall.get());
        Macro {
            precision,
            recall,
            f1: f1(precision, recall),
        }
    }
}

/// How to estimate the spread of the macro scores.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Bootstrap {
    /// Number of resamples of the documents (`score.py` uses 1000).
    pub n_resamples: usize,
    /// Seed of Python's `random.Random`, so that the resamples are those of `score.py`.
    pub seed: u64,
}

impl Default for Bootstrap {
    fn default() -> Bootstrap {
        Bootstrap {
            n_resamples: 1000,
            seed: 0,
        }
    }
}

/// The figures over a set of documents, as one row of the table.
#[derive(Debug, Clone, PartialEq)]
pub struct Summary {
    /// Number of documents.
    pub n_docs: usize,
    /// The figures; `None` without documents.
    pub metrics: Option<Metrics>,
}

/// The figures over a non-empty set of documents.
#[derive(Debug, Clone, PartialEq)]
pub struct Metrics {
    /// Over 4-token shingles (the main metric: F1, P, R).
    pub shingles: Macro,
    /// Over single tokens (`F1_1`, `P1`, `R1`).
    pub words: Macro,
    /// Share of documents whose token sequence is exactly the truth's (`acc`).
    pub accuracy: f64,
    /// Mean of per-document shingle F1 (`doc_f1_mean`).
    pub doc_f1_mean: f64,
    /// Number of documents with a title in the truth.
    pub n_title: usize,
    /// The title rates; `None` when no document has a title.
    pub title: Option<TitleRates>,
    /// Bootstrap standard deviations of the shingle figures, when asked for.
    pub std: Option<Spread>,
}

/// Shares of the documents with a title.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TitleRates {
    /// First output line equals the title (`title_exact`).
    pub exact: f64,
    /// First output line has the title's tokens, ignoring case (`title_tok`).
    pub token_equal: f64,
    /// The title occurs on more than one output line (`title_dup`).
    pub duplicated: f64,
}

/// Bootstrap standard deviations of the macro shingle figures.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Spread {
    /// Of F1.
    pub f1: f64,
    /// Of precision.
    pub precision: f64,
    /// Of recall.
    pub recall: f64,
}

/// Summarises document scores (`score.py`'s `summarize`).
///
/// With `bootstrap`, the documents are resampled with replacement as `score.py` does, with
/// Python's generator and seed, so the standard deviations are those of `score.py` up to
/// floating-point rounding. Means are summed with compensation; `score.py` sums exactly with
/// fractions, so figures can differ in the last bits, never in the printed ones.
///
/// ```
/// use newsclean_eval::{score_doc, summarize};
/// let docs = [score_doc("a b c d", "a b c d", false), score_doc("a b c d", "", false)];
/// let s = summarize(&docs, None).metrics.unwrap();
/// assert_eq!((s.shingles.precision, s.shingles.recall), (1.0, 0.5));
/// ```
pub fn summarize<D: Borrow<DocScore>>(docs: &[D], bootstrap: Option<&Bootstrap>) -> Summary {
    let n_docs = docs.len();
    if docs.is_empty() {
        return Summary {
            n_docs,
            metrics: None,
        };
    }
    let docs: Vec<&DocScore> = docs.iter().map(Borrow::borrow).collect();
    let titles: Vec<_> = docs.iter().filter_map(|d| d.title).collect();
    let title = (!titles.is_empty()).then(|| TitleRates {
        exact: mean(titles.iter().map(|t| f64::from(u8::from(t.is_exact)))),
        token_equal: mean(titles.iter().map(|t| f64::from(u8::from(t.is_token_equal)))),
        duplicated: mean(titles.iter().map(|t| f64::from(u8::from(t.is_duplicated)))),
    });
    let metrics = Metrics {
        shingles: Macro::of(docs.iter().map(|d| &d.shingles)),
        words: Macro::of(docs.iter().map(|d| &d.words)),
        accuracy: mean(docs.iter().map(|d| f64::from(u8::from(d.is_exact)))),
        doc_f1_mean: mean(docs.iter().map(|d| d.f1())),
        n_title: titles.len(),
        title,
        std: bootstrap.map(|b| spread(&docs, b)),
    };
    Summary {
        n_docs,
        metrics: Some(metrics),
    }
}

/// The bootstrap of `score.py`: `n_resamples` times, draw `n` documents with replacement
/// (`rng.randint(0, n - 1)` each) and take the macro figures; report their sample standard
/// deviations.
fn spread(docs: &[&DocScore], bootstrap: &Bootstrap) -> Spread {
    let n = u32::try_from(docs.len()).expect("fewer than 2^32 documents");
    let mut rng = PyRandom::new(bootstrap.seed);
    let mut f1s = Vec::with_capacity(bootstrap.n_resamples);
    let mut precisions = Vec::with_capacity(bootstrap.n_resamples);
    let mut recalls = Vec::with_capacity(bootstrap.n_resamples);
    let mut sample = Vec::with_capacity(docs.len());
    for _ in 0..bootstrap.n_resamples {
        sample.clear();
        sample.extend((0..n).map(|_| &docs[rng.below(n) as usize].shingles));
        let m = Macro::of(sample.iter().copied());
        f1s.push(m.f1);
        precisions.push(m.precision);
        recalls.push(m.recall);
    }
    Spread {
        f1: stdev(&f1s),
        precision: stdev(&precisions),
        recall: stdev(&recalls),
    }
}

/// A running mean with Neumaier's compensated sum, close to `statistics.mean`'s exact one.
#[derive(Default)]
struct Mean {
    sum: f64,
    compensation: f64,
    n: usize,
}

impl Mean {
    fn add(&mut self, x: f64) {
        let t = self.sum + x;
        if self.sum.abs() >= x.abs() {
            self.compensation += (self.sum - t) + x;
        } else {
            self.compensation += (x - t) + self.sum;
        }
        self.sum = t;
        self.n += 1;
    }

    /// The mean, or 0 without values (`score.py`'s `mean(xs) if xs else 0.`).
    fn get(&self) -> f64 {
        if self.n == 0 {
            0.0
        } else {
            (self.sum + self.compensation) / self.n as f64
        }
    }
}

fn mean(values: impl IntoIterator<Item = f64>) -> f64 {
    let mut m = Mean::default();
    for x in values {
        m.add(x);
    }
    m.get()
}

/// `statistics.stdev` (the sample standard deviation), or 0 for fewer than two values.
fn stdev(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let m = mean(values.iter().copied());
    let squares = mean(values.iter().map(|x| (x - m) * (x - m))) * values.len() as f64;
    (squares / (values.len() - 1) as f64).sqrt()
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "these figures are exact, as in score.py")]
mod tests {
    use super::*;

    #[test]
    fn means_are_compensated() {
        assert_eq!(mean([]), 0.0);
        assert_eq!(mean([0.1; 10]), 0.1);
        assert_eq!(mean([1e16, 1.0, -1e16]), 1.0 / 3.0);
    }

    #[test]
    fn stdev_is_the_sample_one() {
        assert_eq!(stdev(&[1.0]), 0.0);
        assert_eq!(stdev(&[1.0, 3.0]), 2.0_f64.sqrt());
        assert!(
            (stdev(&[2.0, 4.0, 4.0, 4.0, 5.0, 5.0, 7.0, 9.0]) - 2.138_089_935_299_395).abs()
                < 1e-15
        );
    }

    #[test]
    fn macro_skips_documents_per_side() {
        let none = Overlap::default();
        let missed = Overlap {
            tp: 0.0,
            fp: 0.0,
            fn_: 1.0,
        };
        let half = Overlap {
            tp: 0.5,
            fp: 0.0,
            fn_: 0.5,
        };
        // `none` has neither a prediction nor a truth, so both averages skip it.
        let m = Macro::of([&none, &missed, &half]);
        assert_eq!((m.precision, m.recall), (1.0, 0.25));
        assert_eq!(Macro::of([&none]), Macro::default());
    }
}
