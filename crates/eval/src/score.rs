//! Scoring one document: shingle and word overlap, exact match, and the title checks.

use std::collections::HashMap;

use unicode_normalization::UnicodeNormalization;

use crate::text;

/// Clipped overlap of two bags of n-grams, normalised to sum to 1 (all zero when both bags
/// are empty), exactly as `score.py`'s `tp_fp_fn`.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Overlap {
    /// Share of n-grams in both bags (the smaller count of each).
    pub tp: f64,
    /// Share of n-grams the prediction has beyond the truth.
    pub fp: f64,
    /// Share of n-grams the truth has beyond the prediction.
    pub fn_: f64,
}

impl Overlap {
    /// The overlap of the `n`-gram bags of two token sequences (see [`ngrams`]).
    pub fn of(truth: &[&str], pred: &[&str], n: usize) -> Overlap {
        let (truth, pred) = intern(truth, pred);
        Overlap::of_ids(&truth, &pred, n)
    }

    /// [`Overlap::of`] over token ids (see [`intern`]).
    fn of_ids(truth: &[u32], pred: &[u32], n: usize) -> Overlap {
        let (n_both, n_extra, n_missed) = if n <= 4 {
            clipped_counts(packed_ngrams(truth, n), packed_ngrams(pred, n))
        } else {
            clipped_counts(ngrams(truth, n), ngrams(pred, n))
        };
        // Python sums the counts as floats (exact below 2^53), then divides each by the sum.
        let (tp, fp, fn_) = (n_both as f64, n_extra as f64, n_missed as f64);
        let sum = tp + fp + fn_;
        if sum > 0.0 {
            Overlap {
                tp: tp / sum,
                fp: fp / sum,
                fn_: fn_ / sum,
            }
        } else {
            Overlap::default()
        }
    }

    /// `score.py`'s `precision_score`: 1 when nothing differs (both empty included), 0 when
    /// nothing was predicted right.
    pub fn precision(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp == 0.0 && self.fp == 0.0 {
            0.0
        } else {
            self.tp / (self.tp + self.fp)
        }
    }

    /// `score.py`'s `recall_score`, the mirror of [`Overlap::precision`].
    pub fn recall(&self) -> f64 {
        if self.fp == 0.0 && self.fn_ == 0.0 {
            1.0
        } else if self.tp == 0.0 && self.fn_ == 0.0 {
            0.0
        } else {
            self.tp / (self.tp + self.fn_)
        }
    }

    /// Whether the document counts towards macro precision (it predicted something).
    pub fn has_pred(&self) -> bool {
        self.tp + self.fp > 0.0
    }

    /// Whether the document counts towards macro recall (its truth has something).
    pub fn has_truth(&self) -> bool {
        self.tp + self.fn_ > 0.0
    }
}

/// The `n`-token shingles of `tokens`, as `score.py`'s `ngrams`: a sequence shorter than `n`
/// gives one shorter shingle, and an empty one gives none.
///
/// ```
/// use newsclean_eval::score::ngrams;
/// assert_eq!(ngrams(&["a", "b", "c", "d", "e"], 4), [&["a", "b", "c", "d"][..], &["b", "c", "d", "e"]]);
/// assert_eq!(ngrams(&["a", "b"], 4), [&["a", "b"][..]]);
/// assert!(ngrams::<&str>(&[], 4).is_empty());
/// ```
pub fn ngrams<T>(tokens: &[T], n: usize) -> Vec<&[T]> {
    if tokens.is_empty() {
        return Vec::new();
    }
    if tokens.len() < n {
        return vec![tokens];
    }
    tokens.windows(n).collect()
}

/// Numbers the tokens of two sequences: equal tokens get equal ids, from 1 up in order of
/// first occurrence. The ids depend only on the tokens, never on the hasher.
fn intern(truth: &[&str], pred: &[&str]) -> (Vec<u32>, Vec<u32>) {
    let mut ids: HashMap<&str, u32> = HashMap::with_capacity(truth.len() + pred.len());
    let mut id_of = |token| {
        let next = ids.len() as u32 + 1;
        *ids.entry(token).or_insert(next)
    };
    let truth = truth.iter().map(|&t| id_of(t)).collect();
    let pred = pred.iter().map(|&t| id_of(t)).collect();
    (truth, pred)
}

/// [`ngrams`] of ids for `n <= 4`, each shingle packed into one integer. Ids are never 0, so
/// the zero padding of a short shingle can't make it equal to a longer one.
fn packed_ngrams(ids: &[u32], n: usize) -> Vec<u128> {
    debug_assert!(n <= 4);
    ngrams(ids, n)
        .into_iter()
        .map(|shingle| {
            shingle
                .iter()
                .fold(0_u128, |acc, &id| (acc << 32) | u128::from(id))
        })
        .collect()
}

/// For two bags: how many items both have (the smaller count of each), how many only the
/// prediction has, and how many only the truth has. Sorting both bags and walking them in
/// step counts exactly.
fn clipped_counts<T: Ord + Copy>(mut truth: Vec<T>, mut pred: Vec<T>) -> (usize, usize, usize) {
    truth.sort_unstable();
    pred.sort_unstable();
    let (mut n_both, mut n_extra, mut n_missed) = (0, 0, 0);
    let (mut in_truth, mut in_pred) = (&truth[..], &pred[..]);
    while let Some(key) = match (in_truth.first(), in_pred.first()) {
        (Some(&a), Some(&b)) => Some(a.min(b)),
        (a, b) => a.or(b).copied(),
    } {
        let n_truth = in_truth.iter().take_while(|&&x| x == key).count();
        let n_pred = in_pred.iter().take_while(|&&x| x == key).count();
        in_truth = &in_truth[n_truth..];
        in_pred = &in_pred[n_pred..];
        n_both += n_truth.min(n_pred);
        n_extra += n_pred.saturating_sub(n_truth);
        n_missed += n_truth.saturating_sub(n_pred);
    }
    (n_both, n_extra, n_missed)
}

/// Harmonic mean of precision and recall; 0 when both are 0.
pub fn f1(precision: f64, recall: f64) -> f64 {
    if precision + recall > 0.0 {
        2.0 * precision * recall / (precision + recall)
    } else {
        0.0
    }
}

/// The scores of one document, as `score.py`'s `score_doc`.
#[derive(Debug, Clone, PartialEq)]
pub struct DocScore {
    /// Overlap of 4-token shingles (the main metric).
    pub shingles: Overlap,
    /// Overlap of single tokens (bag of words).
    pub words: Overlap,
    /// Whether the token sequences are identical (`acc`).
    pub is_exact: bool,
    /// Number of tokens in the truth.
    pub n_truth_tokens: usize,
    /// Number of tokens in the prediction.
    pub n_pred_tokens: usize,
    /// The title checks, for documents whose truth starts with a title.
    pub title: Option<TitleScore>,
}

/// The title checks of one document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TitleScore {
    /// The first non-blank output line equals the truth's first non-blank line, after NFKC
    /// and whitespace collapsing.
    pub is_exact: bool,
    /// The same, comparing lower-cased token sequences.
    pub is_token_equal: bool,
    /// More than one output line is token-equal to the title ("title once" violated).
    pub is_duplicated: bool,
    /// How the first output line misses the title; `None` when it is exact.
    pub miss: Option<TitleMiss>,
}

/// How a first output line misses the title, by its words (lower-cased tokens).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum TitleMiss {
    /// No output line at all.
    NoTitle,
    /// The title's words, with other punctuation, case or spacing.
    Punctuation,
    /// Part of the title: its words are a run of the title's (a cut title, a lost subtitle).
    Part,
    /// The title with more: the title's words are a run of its words (a kicker, a site name
    /// or a count glued to the headline).
    Extra,
    /// Another line: a teaser, a section heading, the site's name.
    Other,
}

impl TitleMiss {
    /// Every kind, in the order reports list them.
    pub const ALL: [TitleMiss; 5] = [
        TitleMiss::Other,
        TitleMiss::Part,
        TitleMiss::Extra,
        TitleMiss::Punctuation,
        TitleMiss::NoTitle,
    ];

    /// What a report calls the kind.
    pub fn describe(self) -> &'static str {
        match self {
            TitleMiss::NoTitle => "no output line",
            TitleMiss::Punctuation => "same words, other punctuation or case",
            TitleMiss::Part => "part of the title",
            TitleMiss::Extra => "the title with extra words",
            TitleMiss::Other => "another line",
        }
    }

    /// The kind of miss of `first` (the first output line) against `title`, with their
    /// lower-cased tokens; `None` when `is_exact`.
    fn of(is_exact: bool, first: &[String], title: &[String]) -> Option<TitleMiss> {
        let is_run_of = |part: &[String], whole: &[String]| {
            !part.is_empty()
                && part.len() < whole.len()
                && whole.windows(part.len()).any(|w| w == part)
        };
        if is_exact {
            return None;
        }
        Some(if first.is_empty() {
            TitleMiss::NoTitle
        } else if first == title {
            TitleMiss::Punctuation
        } else if is_run_of(first, title) {
            TitleMiss::Part
        } else if is_run_of(title, first) {
            TitleMiss::Extra
        } else {
            TitleMiss::Other
        })
    }
}

impl DocScore {
    /// Shingle precision (`p`).
    pub fn precision(&self) -> f64 {
        self.shingles.precision()
    }

    /// Shingle recall (`r`).
    pub fn recall(&self) -> f64 {
        self.shingles.recall()
    }

    /// Shingle F1 of this document (`f1`).
    pub fn f1(&self) -> f64 {
        f1(self.precision(), self.recall())
    }

    /// Word precision (`p1`).
    pub fn precision_1(&self) -> f64 {
        self.words.precision()
    }

    /// Word recall (`r1`).
    pub fn recall_1(&self) -> f64 {
        self.words.recall()
    }

    /// Word F1 of this document (`f1_1`).
    pub fn f1_1(&self) -> f64 {
        f1(self.precision_1(), self.recall_1())
    }
}

/// Scores one prediction against its truth. With `has_title`, the truth's first non-blank
/// line is its title and the title checks are made.
///
/// ```
/// let s = newsclean_eval::score_doc("Title\nOne two three four five.", "Title\nOne two three four.", true);
/// assert_eq!(s.precision(), 1.0);
/// assert_eq!(s.recall(), 2.0 / 3.0);
/// assert!(s.title.unwrap().is_exact);
/// ```
pub fn score_doc(truth: &str, pred: &str, has_title: bool) -> DocScore {
    let (truth_ids, pred_ids) = intern(&text::tokens(truth), &text::tokens(pred));
    DocScore {
        shingles: Overlap::of_ids(&truth_ids, &pred_ids, 4),
        words: Overlap::of_ids(&truth_ids, &pred_ids, 1),
        is_exact: truth_ids == pred_ids,
        n_truth_tokens: truth_ids.len(),
        n_pred_tokens: pred_ids.len(),
        title: has_title.then(|| score_title(truth, pred)),
    }
}

fn score_title(truth: &str, pred: &str) -> TitleScore {
    let title = first_non_blank(truth);
    let pred_lines: Vec<&str> = text::lines(pred)
        .into_iter()
        .filter(|l| !text::is_blank(l))
        .collect();
    let first = pred_lines.first().copied().unwrap_or("");
    let title_tokens = text::lower_tokens(title);
    let n_title_lines = pred_lines
        .iter()
        .filter(|l| text::lower_tokens(l) == title_tokens)
        .count();
    let first_tokens = text::lower_tokens(first);
    let is_exact = norm_title(first) == norm_title(title);
    TitleScore {
        is_exact,
        is_token_equal: first_tokens == title_tokens,
        is_duplicated: n_title_lines > 1,
        miss: TitleMiss::of(is_exact, &first_tokens, &title_tokens),
    }
}

fn first_non_blank(text: &str) -> &str {
    text::lines(text)
        .into_iter()
        .find(|l| !text::is_blank(l))
        .unwrap_or("")
}

/// `score.py`'s `norm_title`: NFKC, then whitespace collapsed.
pub fn norm_title(title: &str) -> String {
    text::collapse_space(&title.nfkc().collect::<String>())
}

#[cfg(test)]
#[expect(clippy::float_cmp, reason = "these figures are exact, as in score.py")]
mod tests {
    use super::*;

    fn miss(truth_title: &str, pred: &str) -> Option<TitleMiss> {
        let truth = format!("{truth_title}\nThe body of the story, in words.");
        score_doc(&truth, pred, true).title.unwrap().miss
    }

    #[test]
    fn title_misses_by_kind() {
        let title = "Storm closes the harbour: ferries stop";
        assert_eq!(miss(title, title), None);
        assert_eq!(miss(title, ""), Some(TitleMiss::NoTitle));
        assert_eq!(
            miss(title, "Storm Closes the Harbour - Ferries Stop"),
            Some(TitleMiss::Punctuation)
        );
        assert_eq!(
            miss(title, "Storm closes the harbour"),
            Some(TitleMiss::Part)
        );
        assert_eq!(
            miss(
                title,
                "WEATHER: Storm closes the harbour: ferries stop | Daily Post"
            ),
            Some(TitleMiss::Extra)
        );
        assert_eq!(miss(title, "Daily Post"), Some(TitleMiss::Other));
        // Words of the title, not a run of them, are another line.
        assert_eq!(
            miss(title, "ferries stop the storm"),
            Some(TitleMiss::Other)
        );
    }

    fn overlap(truth: &str, pred: &str, n: usize) -> (f64, f64, f64) {
        let o = Overlap::of(&text::tokens(truth), &text::tokens(pred), n);
        (o.tp, o.fp, o.fn_)
    }

    #[test]
    fn clipped_counts_are_normalised() {
        // Truth bag {a:2, b:1}, prediction {a:1, c:1}: tp 1, fp 1, fn 2.
        assert_eq!(overlap("a a b", "a c", 1), (0.25, 0.25, 0.5));
        assert_eq!(overlap("", "", 1), (0.0, 0.0, 0.0));
        assert_eq!(overlap("", "x", 4), (0.0, 1.0, 0.0));
    }

    #[test]
    fn short_texts_are_one_shingle() {
        // "a b" is one shingle ("a","b"); "a b c" is another; they don't match.
        assert_eq!(overlap("a b", "a b", 4), (1.0, 0.0, 0.0));
        assert_eq!(overlap("a b", "a b c", 4), (0.0, 0.5, 0.5));
        // Five tokens are two shingles; four of them match one.
        assert_eq!(overlap("a b c d e", "a b c d", 4), (0.5, 0.0, 0.5));
        // A short shingle never equals a longer one that it starts.
        assert_eq!(overlap("a", "a a", 4), (0.0, 0.5, 0.5));
    }

    #[test]
    fn longer_shingles_take_the_general_path() {
        assert_eq!(overlap("a b c d e f", "a b c d e f", 5), (1.0, 0.0, 0.0));
        assert_eq!(overlap("a b c d e f", "a b c d e", 5), (0.5, 0.0, 0.5));
    }

    #[test]
    fn edge_rules_of_precision_and_recall() {
        let empty = Overlap::default();
        assert_eq!((empty.precision(), empty.recall()), (1.0, 1.0));
        let nothing_predicted = Overlap {
            tp: 0.0,
            fp: 0.0,
            fn_: 1.0,
        };
        assert_eq!(
            (nothing_predicted.precision(), nothing_predicted.recall()),
            (0.0, 0.0)
        );
        assert!(!nothing_predicted.has_pred() && nothing_predicted.has_truth());
        let all_wrong = Overlap {
            tp: 0.0,
            fp: 1.0,
            fn_: 0.0,
        };
        assert_eq!((all_wrong.precision(), all_wrong.recall()), (0.0, 0.0));
        assert_eq!(f1(0.0, 0.0), 0.0);
    }

    #[test]
    fn titles() {
        let t = |truth: &str, pred: &str| {
            let s = score_title(truth, pred);
            (s.is_exact, s.is_token_equal, s.is_duplicated)
        };
        assert_eq!(
            t("\n  The Title\nBody", "The  Title\nBody"),
            (true, true, false)
        );
        // NFKC folds the ligature and the no-break space, but the token check doesn't.
        assert_eq!(t("ﬁne\u{a0}day", " \nfine day"), (true, false, false));
        assert_eq!(
            t("The Title", "the title!\nBody\nTHE TITLE"),
            (false, true, true)
        );
        assert_eq!(t("The Title", ""), (false, false, false));
        // An empty title matches a prediction line without tokens.
        assert_eq!(t("", "---\n***"), (false, true, true));
    }
}
