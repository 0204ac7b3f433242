//! The title picker: scores candidate lines near the top of the page and picks the headline.
//!
//! Candidates are the short lines above the body (and just below its start), every copy of a
//! repeated line included, plus the parts of the title-tag and og:title lines without their
//! site name. [`candidates`] computes their features (the one function used for training
//! export and inference); the title forest of the [`LineModel`] scores them.

use std::borrow::Cow;

use newsclean_core::hash::{FastSet, stable_hash};
use newsclean_core::text::{
    affix_splits, count_words, for_each_word, has_site_affix, normalize, normalize_into,
    strip_site_affix,
};
use newsclean_core::{Block, LineTags, MarkedDoc, Reason, Roles, Verdict};

use crate::classify::{CharCounts, LineFacts, MARKER_WORDS};
use crate::features::View;
use crate::logs::{ln_1p_count, signed_log};
use crate::markers::marker;
use crate::model::LineModel;
use crate::patterns::is_taxonomy;

/// Names of the title features, in row order.
pub const TITLE_NAMES: [&str; 48] = [
    "log_chars",
    "log_words",
    "titlecase_frac",
    "upper_frac",
    "ends_sentence",
    "ends_soft_punct",
    "digit_frac",
    "is_part",
    "is_line1",
    "is_line2",
    "eq_line1",
    "eq_line2",
    "in_line1",
    "in_line2",
    "jaccard_line1",
    "jaccard_line2",
    "cover_line1",
    "cover_line2",
    "n_copies",
    "is_dedupe_title",
    "was_repeated_headline",
    "rel_pos",
    "log_index",
    "dist_body",
    "score",
    "score_next",
    "score_prev",
    "byline_like",
    "date_like",
    "is_marker",
    "line1_has_affix",
    "line1_log_words",
    "has_separator",
    "is_first_copy",
    "blank_before",
    "n_body_copies",
    "has_markup",
    "block_h1",
    "block_heading",
    "headline_role",
    "eq_h1",
    "eq_ld_headline",
    "jaccard_ld_headline",
    "cover_ld_headline",
    "eq_meta_og_title",
    "link_share",
    "around_role",
    "in_container",
];

/// Number of title features per candidate in the widest view (HTML).
pub const N_TITLE_FEATURES: usize = TITLE_NAMES.len();

/// Number of title features the text view computes: the HTML view adds the markup's.
const N_TEXT_TITLE_FEATURES: usize = 36;

/// The title feature names of `view`, in row order (the text view's are a prefix).
pub fn title_names(view: View) -> &'static [&'static str] {
    &TITLE_NAMES[..n_title_features(view)]
}

/// Number of title features per candidate in `view`.
pub const fn n_title_features(view: View) -> usize {
    match view {
        View::Text => N_TEXT_TITLE_FEATURES,
        View::Html => N_TITLE_FEATURES,
    }
}

/// At most this many candidates per page.
const MAX_CANDIDATES: usize = 400;
/// Lines after the start of the body that can still be the title.
const AFTER_BODY: usize = 3;

/// One possible title.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Candidate {
    /// The line it comes from.
    pub line: usize,
    /// Its byte range in the document text: the whole line, or a part of it.
    pub start: usize,
    /// End of the byte range.
    pub end: usize,
}

/// The candidates of one page and their features.
#[derive(Debug, Clone)]
pub struct TitleCandidates {
    /// The view the features were computed in.
    pub view: View,
    /// The candidates, in document order.
    pub candidates: Vec<Candidate>,
    /// Row-major features, [`n_title_features`] per candidate.
    pub values: Vec<f32>,
    /// The title-tag and og:title lines (the page's first two lines that are not lexicon
    /// boilerplate), when the page has them.
    pub head: [Option<usize>; 2],
}

impl TitleCandidates {
    /// The features of candidate `c`.
    pub fn row(&self, c: usize) -> &[f32] {
        let width = n_title_features(self.view);
        &self.values[c * width..(c + 1) * width]
    }
}

/// The distinct words of a normalised text, as sorted word hashes.
fn tokens(norm: &str) -> Vec<u64> {
    let mut words = Vec::new();
    tokens_into(norm, &mut words);
    words
}

/// [`tokens`] into `words` (cleared first), reusing its allocation.
fn tokens_into(norm: &str, words: &mut Vec<u64>) {
    words.clear();
    if norm.is_ascii() {
        // The same split on bytes: on ASCII, `char::is_alphanumeric` is `is_ascii_alphanumeric`.
        words.extend(
            (norm.as_bytes().split(|b| !b.is_ascii_alphanumeric()))
                .filter(|t| !t.is_empty())
                .map(stable_hash),
        );
    } else {
        for_each_word(norm, |t| words.push(stable_hash(t.as_bytes())));
    }
    words.sort_unstable();
    words.dedup();
}

/// Words two sorted, distinct word lists share. The merge steps without branching on the
/// comparison, which is at random.
fn n_shared(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
        n += usize::from(x == y);
        i += usize::from(x <= y);
        j += usize::from(y <= x);
    }
    n
}

/// The Jaccard similarity of two word lists and how much of `b` is in `a`, from one merge.
fn jaccard_and_cover(a: &[u64], b: &[u64]) -> (f32, f32) {
    let shared = n_shared(a, b);
    let jaccard = if a.is_empty() && b.is_empty() {
        0.0
    } else {
        shared as f32 / (a.len() + b.len() - shared) as f32
    };
    let cover = if b.is_empty() {
        0.0
    } else {
        shared as f32 / b.len() as f32
    };
    (jaccard, cover)
}

/// `part` is a piece of `whole` other than all of it (nor empty): shorter, and in it.
fn is_inside(part: &str, whole: &str) -> bool {
    !part.is_empty() && part.len() < whole.len() && whole.contains(part)
}

fn flag(b: bool) -> f32 {
    if b { 1.0 } else { 0.0 }
}

/// Computes the title candidates of `marked` and their features in `view`; `scores` are the
/// line classifier's, `threshold` its cut-off.
#[expect(
    clippy::too_many_lines,
    reason = "one feature after the other keeps the row layout readable"
)]
pub fn candidates(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    threshold: f32,
    view: View,
) -> TitleCandidates {
    let n = marked.lines.len();
    let non_blank: Vec<usize> = (0..n)
        .filter(|&i| marked.lines[i].verdict != Verdict::Blank)
        .collect();
    let alive: Vec<usize> = (0..n)
        .filter(|&i| marked.lines[i].verdict.is_alive())
        .collect();
    let mut alive_rank = vec![usize::MAX; n];
    for (k, &i) in alive.iter().enumerate() {
        alive_rank[i] = k;
    }
    let first_body = alive
        .iter()
        .position(|&i| scores[i] >= threshold && facts[i].is_prose());
    let limit_line = first_body
        .and_then(|k| alive.get(k + AFTER_BODY))
        .copied()
        .unwrap_or(n);

    // The title tag and og:title lines: the first two lines that are not lexicon boilerplate
    // (some scrapes start with ad labels).
    let mut head = non_blank.iter().copied().filter(|&i| {
        !matches!(
            marked.lines[i].verdict,
            Verdict::Removed(Reason::Boilerplate(_))
        )
    });
    let line1 = head.next();
    let line2 = head.next();
    let norm1 = line1.map_or("", |i| marked.norm(i));
    let norm2 = line2.map_or("", |i| marked.norm(i));
    let tokens1 = tokens(norm1);
    let tokens2 = tokens(norm2);
    let line1_has_affix = line1.is_some_and(|i| has_site_affix(marked.line_text(i)));

    // Candidates: whole lines above the limit, then parts of lines 1 and 2.
    let mut out = TitleCandidates {
        view,
        candidates: Vec::new(),
        values: Vec::new(),
        head: [line1, line2],
    };
    for &i in &non_blank {
        if i > limit_line || out.candidates.len() >= MAX_CANDIDATES {
            break;
        }
        let is_boilerplate = matches!(
            marked.lines[i].verdict,
            Verdict::Removed(Reason::Boilerplate(_))
        );
        if facts[i].n_words == 0 || facts[i].n_words > 40 || is_boilerplate {
            continue;
        }
        let line = &marked.lines[i];
        out.candidates.push(Candidate {
            line: i,
            start: line.start as usize,
            end: line.end as usize,
        });
    }
    for i in [line1, line2].into_iter().flatten() {
        let text = marked.line_text(i);
        let base = marked.lines[i].start as usize;
        let mut seen = FastSet::default();
        for part in strip_site_affix(text) {
            let start = base + (part.as_ptr() as usize - text.as_ptr() as usize);
            if seen.insert(start..start + part.len()) && out.candidates.len() < MAX_CANDIDATES {
                out.candidates.push(Candidate {
                    line: i,
                    start,
                    end: start + part.len(),
                });
            }
        }
    }

    // Copies of each normalised candidate text in the page, and among the body lines: the
    // line hashes of both, sorted, so that counting a candidate's copies is a binary search.
    let mut page_hashes: Vec<u64> = non_blank.iter().map(|&i| marked.lines[i].hash).collect();
    page_hashes.sort_unstable();
    let mut body_hashes: Vec<u64> = first_body.map_or_else(Vec::new, |b| {
        alive[b..]
            .iter()
            .filter(|&&i| scores[i] >= threshold)
            .map(|&i| marked.lines[i].hash)
            .collect()
    });
    body_hashes.sort_unstable();
    let count = |sorted: &[u64], h: u64| {
        sorted.partition_point(|&x| x <= h) - sorted.partition_point(|&x| x < h)
    };
    let score_at = |k: Option<usize>| k.and_then(|k| alive.get(k)).map_or(-1.0, |&i| scores[i]);

    // What the markup says the headline is (HTML input, in the HTML view).
    let is_html = view == View::Html;
    let markup = marked.markup.as_deref().filter(|_| is_html);
    let meta_norm = |text: Option<&String>| {
        text.map(|t| {
            let mut s = String::new();
            normalize_into(t, &mut s);
            s
        })
    };
    let h1_norm = markup.and_then(|m| meta_norm(m.meta.h1.as_ref()));
    let ld_norm = markup.and_then(|m| meta_norm(m.meta.ld_headline.as_ref()));
    let og_norm = markup.and_then(|m| meta_norm(m.meta.og_title.as_ref()));
    let ld_tokens = ld_norm.as_deref().map(tokens);

    let width = n_title_features(view);
    out.values = vec![0f32; out.candidates.len() * width];
    let mut first_of_norm = FastSet::default();
    let mut part_norm = String::new();
    let mut toks = Vec::new();
    for (c, candidate) in out.candidates.iter().enumerate() {
        let i = candidate.line;
        let text = &marked.text[candidate.start..candidate.end];
        let is_part = candidate.start != marked.lines[i].start as usize
            || candidate.end != marked.lines[i].end as usize;
        let (f, norm, hash) = if is_part {
            normalize_into(text, &mut part_norm);
            let hash = stable_hash(part_norm.as_bytes());
            (LineFacts::of(text), part_norm.as_str(), hash)
        } else {
            (facts[i], marked.norm(i), marked.lines[i].hash)
        };
        tokens_into(norm, &mut toks);
        let row = &mut out.values[c * width..(c + 1) * width];
        let CharCounts {
            n_letters,
            n_upper,
            n_digits,
            n_chars,
            n_space_words: n_words,
            n_title_words,
            ..
        } = f.counts;
        // The nearest live line at or before this one, for position and neighbour scores.
        let k = alive_rank[i];
        let k_near = if k == usize::MAX {
            alive.partition_point(|&a| a < i).checked_sub(1)
        } else {
            Some(k)
        };
        row[0] = ln_1p_count(f.n_chars as usize);
        row[1] = ln_1p_count(f.n_words as usize);
        row[2] = n_title_words as f32 / n_words.max(1) as f32;
        row[3] = n_upper as f32 / n_letters.max(1) as f32;
        row[4] = flag(f.ends_sentence);
        row[5] = flag(f.ends_punct && !f.ends_sentence);
        row[6] = n_digits as f32 / n_chars.max(1) as f32;
        row[7] = flag(is_part);
        row[8] = flag(Some(i) == line1);
        row[9] = flag(Some(i) == line2);
        row[10] = flag(norm == norm1);
        row[11] = flag(norm == norm2);
        row[12] = flag(is_inside(norm, norm1));
        row[13] = flag(is_inside(norm, norm2));
        (row[14], row[16]) = jaccard_and_cover(&toks, &tokens1);
        (row[15], row[17]) = jaccard_and_cover(&toks, &tokens2);
        row[18] = (count(&page_hashes, hash) as f32).min(10.0);
        row[19] = flag(marked.lines[i].verdict == Verdict::TitleCandidate);
        row[20] = flag(marked.lines[i].verdict == Verdict::Removed(Reason::RepeatedHeadline));
        row[21] = i as f32 / n.max(1) as f32;
        row[22] = ln_1p_count(k_near.unwrap_or(0));
        row[23] = match (k_near, first_body) {
            (Some(k), Some(b)) => signed_log(k as isize - b as isize),
            _ => 0.0,
        };
        row[24] = if k == usize::MAX { -1.0 } else { scores[i] };
        row[25] = score_at(k_near.map(|k| k + 1));
        row[26] = score_at(k_near.and_then(|k| k.checked_sub(1)));
        // A page line's shape was looked up with its facts; a part's is looked up here.
        let shape = f.shape(norm);
        row[27] = flag(shape.byline_like);
        row[28] = flag(shape.date_like);
        // A page line's marker was looked up with its facts; a part of one is looked up here.
        let is_marker = if !is_part && f.n_words <= MARKER_WORDS {
            f.marker.is_some()
        } else {
            marker(norm).is_some()
        };
        row[29] = flag(is_marker);
        row[30] = flag(line1_has_affix);
        row[31] = line1.map_or(0.0, |i| ln_1p_count(facts[i].n_words as usize));
        row[32] = flag(has_site_affix(text));
        row[33] = flag(first_of_norm.insert(hash));
        row[34] = flag(i == 0 || marked.lines[i - 1].verdict == Verdict::Blank);
        row[35] = (count(&body_hashes, hash) as f32).min(10.0);
        if is_html {
            markup_row(
                markup.map(|m| m.line(i).unwrap_or_default()),
                norm,
                &toks,
                [h1_norm.as_deref(), ld_norm.as_deref(), og_norm.as_deref()],
                ld_tokens.as_deref(),
                &mut row[N_TEXT_TITLE_FEATURES..],
            );
        }
    }
    out
}

/// The markup features of one candidate (-1 on text input, where `tags` is `None`):
/// its block, roles and links, and whether it is the page's `h1`, JSON-LD headline or
/// `og:title` (`metas`, normalised, in that order).
fn markup_row(
    tags: Option<LineTags>,
    norm: &str,
    toks: &[u64],
    metas: [Option<&str>; 3],
    ld_tokens: Option<&[u64]>,
    out: &mut [f32],
) {
    const MISSING: f32 = -1.0;
    let Some(t) = tags else {
        out.fill(MISSING);
        out[0] = 0.0;
        return;
    };
    let eq = |meta: Option<&str>| meta.map_or(MISSING, |m| flag(m == norm));
    let around = Roles(
        Roles::NAV.0
            | Roles::FOOTER.0
            | Roles::ASIDE.0
            | Roles::C_RELATED.0
            | Roles::C_PROMO.0
            | Roles::C_NAV.0
            | Roles::C_SIDEBAR.0
            | Roles::C_COMMENT.0,
    );
    let container =
        Roles(Roles::ARTICLE.0 | Roles::MAIN.0 | Roles::BODY_PROP.0 | Roles::C_CONTENT.0);
    out[0] = 1.0;
    out[1] = flag(t.block == Block::H1);
    out[2] = flag(t.block == Block::Heading);
    out[3] = flag(
        t.roles
            .intersects(Roles(Roles::HEADLINE_PROP.0 | Roles::C_TITLE.0)),
    );
    out[4] = eq(metas[0]);
    out[5] = eq(metas[1]);
    (out[6], out[7]) = ld_tokens.map_or((MISSING, MISSING), |ld| jaccard_and_cover(toks, ld));
    out[8] = eq(metas[2]);
    out[9] = t.link_share();
    out[10] = flag(t.roles.intersects(around));
    out[11] = flag(t.roles.intersects(container));
}

/// Picks the title of `marked`: the best-scoring candidate, if it scores high enough, as the
/// page shows it (the site name, a headline only the title tag carries and the title tag's
/// punctuation give way to the page's visible headline).
pub fn pick(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    model: &LineModel,
) -> Option<Candidate> {
    let found = candidates(marked, facts, scores, model.threshold(), model.view());
    let Some(probabilities) = model.title_scores(&found) else {
        // No title picker (a model in training): keep dedupe's repeated headline.
        return dedupe_title(marked);
    };
    match likeliest(marked, &found, &probabilities) {
        Some((c, p)) if p >= model.title_threshold() => {
            let c = reconcile(marked, &found, &probabilities, c, model.title_threshold());
            Some(found.candidates[c])
        }
        // Unsure: a headline repeated at the top is still the best evidence there is, and
        // after it the title tag's likeliest part.
        _ => dedupe_title(marked).or_else(|| best_head(marked, &found, &probabilities)),
    }
}

/// The likeliest candidate and its probability (the first among equals), leaving out lines
/// that are never a headline ([`is_never_headline`]), however the picker scores them.
fn likeliest(
    marked: &MarkedDoc,
    found: &TitleCandidates,
    probabilities: &[f32],
) -> Option<(usize, f32)> {
    // Looked for among the likeliest first: such lines are rare.
    let mut left_out = Vec::new();
    loop {
        let best = (probabilities.iter().copied().enumerate())
            .filter(|(c, _)| !left_out.contains(c))
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)))?;
        if !is_never_headline_line(marked, &found.candidates[best.0]) {
            return Some(best);
        }
        left_out.push(best.0);
    }
}

/// A visible line the picker finds at least this share as likely as a headline that only the
/// title tag or og:title carries is the page's headline (see [`unseen_to_visible`]). A half
/// at first; a quarter gets 5 more of the 2005 dev titles right on text input (10 gained, 4
/// lost to a visible line that is no headline, in-sample), 1 more on HTML input and 4 more
/// cross-validated on text input; a tenth changes nothing more (the picker's threshold binds
/// first).
const VISIBLE_SHARE: f32 = 0.25;

/// Typographic punctuation: an editor's quotes, dashes and ellipsis, where title tags and share
/// widgets often carry typewriter ones (`'`, `"`, `-`, `--`, `...`) or none.
const TYPOGRAPHIC: [char; 7] = [
    '\u{2018}', '\u{2019}', '\u{201C}', '\u{201D}', '\u{2013}', '\u{2014}', '\u{2026}',
];

/// The title candidates of one page, with what the rules of [`reconcile`] compare.
struct Shown<'a> {
    marked: &'a MarkedDoc,
    found: &'a TitleCandidates,
    probabilities: &'a [f32],
    /// The least probability the picker takes a candidate with.
    threshold: f32,
    /// The normalised text of each candidate.
    norms: Vec<Cow<'a, str>>,
    /// The trimmed text of each candidate.
    texts: Vec<&'a str>,
    /// A hash of each candidate's words ([`words_key`]): candidates whose keys differ do not
    /// have the same words, so most comparisons stop there.
    keys: Vec<u64>,
}

impl<'a> Shown<'a> {
    fn new(
        marked: &'a MarkedDoc,
        found: &'a TitleCandidates,
        probabilities: &'a [f32],
        threshold: f32,
    ) -> Self {
        let norms = (found.candidates.iter())
            .map(|c| {
                if is_whole_line(marked, c) {
                    Cow::Borrowed(marked.norm(c.line))
                } else {
                    Cow::Owned(normalize(&marked.text[c.start..c.end]))
                }
            })
            .collect::<Vec<_>>();
        let texts = (found.candidates.iter())
            .map(|c| marked.text[c.start..c.end].trim())
            .collect();
        let keys = norms.iter().map(|norm| words_key(norm)).collect();
        Shown {
            marked,
            found,
            probabilities,
            threshold,
            norms,
            texts,
            keys,
        }
    }

    /// The text of candidate `c`, trimmed.
    fn text(&self, c: usize) -> &'a str {
        self.texts[c]
    }

    /// Candidate `c` comes from the title tag or og:title line, which the reader doesn't see.
    fn is_head(&self, c: usize) -> bool {
        self.found
            .head
            .contains(&Some(self.found.candidates[c].line))
    }

    /// Candidate `c` is a whole line the reader sees on the page.
    fn is_visible(&self, c: usize) -> bool {
        !self.is_head(c) && is_whole_line(self.marked, &self.found.candidates[c])
    }

    /// Candidates `a` and `b` have the same words, whatever their case and punctuation.
    fn same_words(&self, a: usize, b: usize) -> bool {
        self.keys[a] == self.keys[b] && words(&self.norms[a]).eq(words(&self.norms[b]))
    }

    /// Candidate `c` has the words of `norm` (a normalised text whose [`words_key`] is `key`).
    fn has_words(&self, c: usize, norm: &str, key: u64) -> bool {
        self.keys[c] == key && words(&self.norms[c]).eq(words(norm))
    }

    /// The text of candidate `c` is the title tag's or og:title's, or a part of either.
    fn is_head_form(&self, c: usize) -> bool {
        (0..self.found.candidates.len()).any(|h| self.is_head(h) && self.text(h) == self.text(c))
    }

    /// The most likely visible candidate of those `keep` accepts.
    fn best_visible(&self, keep: impl Fn(usize) -> bool) -> Option<usize> {
        (0..self.found.candidates.len())
            .filter(|&c| {
                self.is_visible(c)
                    && keep(c)
                    && !is_never_headline_line(self.marked, &self.found.candidates[c])
            })
            .max_by(|&a, &b| {
                (self.probabilities[a].total_cmp(&self.probabilities[b])).then(b.cmp(&a))
            })
    }
}

/// The candidate covers its whole line.
fn is_whole_line(marked: &MarkedDoc, c: &Candidate) -> bool {
    let line = &marked.lines[c.line];
    c.start == line.start as usize && c.end == line.end as usize
}

/// A hash of the words of a normalised text: texts with the same [`words`] have the same key.
/// Each alphanumeric character is mixed in, and one separator where a word ends; bytes of an
/// ASCII text are its characters.
fn words_key(norm: &str) -> u64 {
    const SEPARATOR: u64 = 1 << 32;
    let mix = |key: u64, value: u64| (key ^ value).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    let (mut key, mut in_word) = (0u64, false);
    let mut step = |is_word: bool, value: u64| {
        if is_word {
            key = mix(key, value);
        } else if in_word {
            key = mix(key, SEPARATOR);
        }
        in_word = is_word;
    };
    if norm.is_ascii() {
        for &b in norm.as_bytes() {
            step(b.is_ascii_alphanumeric(), u64::from(b));
        }
    } else {
        for c in norm.chars() {
            step(c.is_alphanumeric(), u64::from(c));
        }
    }
    step(false, 0);
    key
}

/// The words of a text: what is left of it when punctuation does not count (case counts
/// unless the text is normalised).
fn words(text: &str) -> impl Iterator<Item = &str> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// Reconciles the picker's choice `best` (a candidate index) with what the page shows;
/// `threshold` is the least probability the picker takes a candidate with.
///
/// The picker scores each candidate alone; these rules compare candidates with one another,
/// which its features cannot. They follow the reader, and the ground truth, who take the
/// headline as the page prints it: not the site's name, not a title-tag headline the page
/// never shows, and in the editor's punctuation. See: issue 10.
fn reconcile(
    marked: &MarkedDoc,
    found: &TitleCandidates,
    probabilities: &[f32],
    best: usize,
    threshold: f32,
) -> usize {
    let shown = Shown::new(marked, found, probabilities, threshold);
    let pick = site_name_to_headline(&shown, best).unwrap_or(best);
    let pick = breadcrumb_to_headline(&shown, pick).unwrap_or(pick);
    let pick = unseen_to_visible(&shown, pick).unwrap_or(pick);
    editors_form(&shown, pick).unwrap_or(pick)
}

/// A normalised line that is never a headline, whatever the picker's score: a post's taxonomy
/// (a label and a colon, or `Categories` before a list: `Categories Iceland, Photo Essays`,
/// as blog themes print it beside the headline) or a news agency's photo credit (`AP
/// Photo/Jane Doe`, under the lead photo, above the story).
fn is_never_headline(norm: &str) -> bool {
    // Most lines have no slash.
    let is_taxonomy = is_taxonomy(norm);
    let is_credit = norm.as_bytes().contains(&b'/')
        && norm.match_indices("photo/").any(|(at, _)| {
            // After an agency's name (`ap photo/…`): `photo/video` opens headlines and menus.
            at > 0
                && norm.as_bytes()[at - 1] == b' '
                && norm[at + "photo/".len()..]
                    .chars()
                    .next()
                    .is_some_and(char::is_alphabetic)
        });
    is_taxonomy || is_credit
}

/// Candidate `c` is a whole line that is never a headline ([`is_never_headline`]).
fn is_never_headline_line(marked: &MarkedDoc, c: &Candidate) -> bool {
    is_whole_line(marked, c) && is_never_headline(marked.norm(c.line))
}

/// The pick is the site name that ends the title tag (`Headline | Site`), shown on the page
/// (a masthead), and the title tag's headline is a visible line below it: that line.
///
/// Only this order: a site name that starts the title tag (`Site - Headline`) is as often a
/// section or a kicker on the page, and a headline above the pick's own copy on the page is
/// the pick's, not the site's.
fn site_name_to_headline(shown: &Shown<'_>, pick: usize) -> Option<usize> {
    // The pick's lowest copy on the page: the site name is shown above the headline.
    let last_copy = (0..shown.found.candidates.len())
        .filter(|&c| shown.is_visible(c) && shown.same_words(c, pick))
        .map(|c| shown.found.candidates[c].line)
        .max()?;
    for h in shown.found.head.into_iter().flatten() {
        for (headline, site) in affix_splits(shown.marked.line_text(h)) {
            if count_words(headline) < 2 || !words(&normalize(site)).eq(words(&shown.norms[pick])) {
                continue;
            }
            let headline = normalize(headline);
            let key = words_key(&headline);
            let below = shown.best_visible(|c| {
                shown.found.candidates[c].line > last_copy && shown.has_words(c, &headline, key)
            });
            if below.is_some() {
                return below;
            }
        }
    }
    None
}

/// Separators of a breadcrumb trail (`Home / Sport / Headline`, `Autos > Loans > Headline`).
const TRAIL_SEPARATORS: [&str; 4] = [" / ", " > ", " » ", " › "];

/// The pick is a breadcrumb trail (three parts or more) whose last part, of two words or more,
/// is a visible line of its own: that line, the headline the trail ends with.
fn breadcrumb_to_headline(shown: &Shown<'_>, pick: usize) -> Option<usize> {
    let text = shown.text(pick);
    // Most picks have no separator's mark at all.
    if !text.contains(['/', '>', '»', '›']) {
        return None;
    }
    let (sep, at) = TRAIL_SEPARATORS
        .iter()
        .filter(|sep| text.matches(**sep).nth(1).is_some())
        .find_map(|sep| Some((sep, text.rfind(sep)?)))?;
    let last = text[at + sep.len()..].trim();
    if count_words(last) < 2 {
        return None;
    }
    let last = normalize(last);
    let key = words_key(&last);
    shown.best_visible(|c| c != pick && shown.has_words(c, &last, key))
}

/// The pick is a headline of the title tag or og:title that no visible line carries (a
/// headline written for search engines), and a visible line is at least [`VISIBLE_SHARE`] as
/// likely, and likely enough for the picker to take it alone: that line, the headline the
/// page prints.
fn unseen_to_visible(shown: &Shown<'_>, pick: usize) -> Option<usize> {
    let is_shown =
        (0..shown.found.candidates.len()).any(|c| shown.is_visible(c) && shown.same_words(c, pick));
    if !shown.is_head(pick) || is_shown {
        return None;
    }
    let floor = (VISIBLE_SHARE * shown.probabilities[pick]).max(shown.threshold);
    shown.best_visible(|c| shown.probabilities[c] >= floor)
}

/// The pick has the title tag's text, and a visible line has the same words in another form:
/// that line, the editor's version, when it has typographic punctuation where the pick has
/// none (`Cat’s` for `Cat's`, `—` for `--`), or, when no visible line has the pick's text at
/// all, whatever its case or punctuation.
///
/// A visible line with the pick's own text is the page agreeing with the title tag; another
/// form beside it is then a share widget's or a teaser's.
fn editors_form(shown: &Shown<'_>, pick: usize) -> Option<usize> {
    if !shown.is_head_form(pick) {
        return None;
    }
    let text = shown.text(pick);
    let is_variant = |c: usize| shown.text(c) != text && shown.same_words(c, pick);
    let n_typographic = |t: &str| t.chars().filter(|ch| TYPOGRAPHIC.contains(ch)).count();
    let typographic = shown.best_visible(|c| {
        let other = shown.text(c);
        is_variant(c) && words(other).eq(words(text)) && n_typographic(other) > n_typographic(text)
    });
    if typographic.is_some() {
        return typographic;
    }
    let is_text_visible =
        (0..shown.found.candidates.len()).any(|c| shown.is_visible(c) && shown.text(c) == text);
    if is_text_visible {
        return None;
    }
    shown.best_visible(is_variant)
}

/// The likeliest candidate from the title tag or og:title line (a part of it, so without its
/// site name, or the whole line) of at least [`MIN_HEAD_WORDS`] words: the title when the
/// picker is unsure and no headline repeats, as readers fall back on `<title>`. A page
/// scraped without its visible headline keeps its title tag: out of fold, 33 more of 2005
/// recrawls get their title right (114 had none); on the dev pages themselves title exact is
/// unchanged (0.952 text, 0.973 HTML, out of fold). The word count keeps a menu's first item
/// (`Home`) out of it, since on text input the first line is not always a title tag.
fn best_head(
    marked: &MarkedDoc,
    found: &TitleCandidates,
    probabilities: &[f32],
) -> Option<Candidate> {
    (0..found.candidates.len())
        .filter(|&c| {
            let candidate = &found.candidates[c];
            found.head.contains(&Some(candidate.line))
                && words(&marked.text[candidate.start..candidate.end])
                    .nth(MIN_HEAD_WORDS - 1)
                    .is_some()
        })
        .max_by(|&a, &b| (probabilities[a].total_cmp(&probabilities[b])).then(b.cmp(&a)))
        .map(|c| found.candidates[c])
}

/// The fewest words of a title [`best_head`] falls back on.
const MIN_HEAD_WORDS: usize = 3;

/// The line dedupe kept as the one copy of a repeated headline.
fn dedupe_title(marked: &MarkedDoc) -> Option<Candidate> {
    let i = marked
        .lines
        .iter()
        .position(|l| l.verdict == Verdict::TitleCandidate)?;
    let line = &marked.lines[i];
    Some(Candidate {
        line: i,
        start: line.start as usize,
        end: line.end as usize,
    })
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn candidates_include_parts_of_the_title_tag() {
        let text = "Big storm hits coast | The Daily\nHome\nBig storm hits coast\nRain fell all day on the coast, and the storm is far from over yet.\n";
        let (marked, facts) = crate::test_support::marked(text);
        let scores = [0.1, 0.1, 0.2, 0.9];
        let found = candidates(&marked, &facts, &scores, 0.5, View::Html);
        let texts: Vec<&str> = found
            .candidates
            .iter()
            .map(|c| &text[c.start..c.end])
            .collect();
        assert_eq!(
            texts,
            [
                "Big storm hits coast | The Daily",
                "Home",
                "Big storm hits coast",
                "Rain fell all day on the coast, and the storm is far from over yet.",
                "Big storm hits coast",
                "The Daily"
            ]
        );
        assert_eq!(found.values.len(), texts.len() * N_TITLE_FEATURES);
        assert!(found.values.iter().all(|v| v.is_finite()));
    }

    /// Checks that [`reconcile`] makes `expected` the title of `text` when the picker gives the
    /// candidates in `probabilities` (line index, text, probability) those probabilities and
    /// the others none, and picks the most likely.
    fn check(text: &str, probabilities: &[(usize, &str, f32)], expected: &str) {
        let (marked, facts) = crate::test_support::marked(text);
        let scores: Vec<f32> = (facts.iter())
            .map(|f| if f.is_prose() { 0.9 } else { 0.1 })
            .collect();
        let found = candidates(&marked, &facts, &scores, 0.5, View::Text);
        let text_of = |c: &Candidate| &text[c.start..c.end];
        for &(line, given, _) in probabilities {
            let n = (found.candidates.iter())
                .filter(|c| c.line == line && text_of(c) == given)
                .count();
            assert_eq!(n, 1, "no one candidate {given:?} on line {line}");
        }
        let p: Vec<f32> = (found.candidates.iter())
            .map(|c| {
                (probabilities.iter())
                    .find(|&&(line, given, _)| c.line == line && text_of(c) == given)
                    .map_or(0.0, |&(_, _, p)| p)
            })
            .collect();
        let (best, _) = likeliest(&marked, &found, &p).expect("a candidate");
        let title = text_of(&found.candidates[reconcile(&marked, &found, &p, best, THRESHOLD)]);
        assert_eq!(title, expected, "the title of {text:?}");
    }

    /// The least probability the picker takes, as in the shipped models.
    const THRESHOLD: f32 = 0.02;

    const BODY: &str = "The storm that came in overnight flooded the old harbour and the streets around it, and the water is still rising.";

    proptest::proptest! {
        /// Texts with the same words have the same key, whatever the punctuation between them
        /// and whether the text is ASCII.
        #[test]
        fn words_key_follows_the_words(
            a in "[a-z0-9 ,.'’«-]{0,30}|\\PC{0,20}",
            b in "[a-z0-9 ,.'’«-]{0,30}|\\PC{0,20}",
        ) {
            if words(&a).eq(words(&b)) {
                proptest::prop_assert_eq!(words_key(&a), words_key(&b));
            }
            let joined = words(&a).collect::<Vec<_>>().join("’");
            proptest::prop_assert_eq!(words_key(&a), words_key(&joined));
        }

        /// A piece other than the whole: in it, not empty, not equal.
        #[test]
        fn inside_is_a_proper_piece(part in "[ab]{0,3}", whole in "[ab]{0,4}") {
            let proper = part != whole && !part.is_empty() && whole.contains(&part);
            proptest::prop_assert_eq!(is_inside(&part, &whole), proper);
        }

        /// The merge counts the words two texts share, as sets count them.
        #[test]
        fn shared_words_are_the_sets_intersection(
            a in "[a-e ]{0,40}",
            b in "[a-e ]{0,40}",
        ) {
            let (ta, tb) = (tokens(&a), tokens(&b));
            let set: FastSet<u64> = ta.iter().copied().collect();
            let shared = tb.iter().filter(|t| set.contains(t)).count();
            proptest::prop_assert_eq!(n_shared(&ta, &tb), shared);
            proptest::prop_assert_eq!(n_shared(&tb, &ta), shared);
        }
    }

    #[test]
    fn an_unsure_picker_falls_back_on_the_title_tags_likeliest_part() {
        // The page's first two lines are its title tag and og:title.
        let text = format!("Storm floods the old harbour | Coast Daily\nHome\nNews\n{BODY}\n");
        let (marked, facts) = crate::test_support::marked(&text);
        let scores: Vec<f32> = (facts.iter())
            .map(|f| if f.is_prose() { 0.9 } else { 0.1 })
            .collect();
        let found = candidates(&marked, &facts, &scores, 0.5, View::Text);
        let p: Vec<f32> = (found.candidates.iter())
            .map(|c| match &text[c.start..c.end] {
                "Storm floods the old harbour" => 0.01,
                "Coast Daily" => 0.004,
                "Home" => 0.008,
                "News" => 0.015,
                _ => 0.0,
            })
            .collect();
        let title = best_head(&marked, &found, &p).expect("the title tag's part");
        assert_eq!(
            &text[title.start..title.end],
            "Storm floods the old harbour"
        );
        assert_eq!(
            best_head(&marked, &found, &vec![0.0; p.len()]).map(|c| c.line),
            Some(0)
        );
        let none = TitleCandidates {
            head: [None, None],
            ..found.clone()
        };
        assert_eq!(
            best_head(&marked, &none, &p),
            None,
            "no title tag, no fallback"
        );
    }

    #[test]
    fn the_site_name_gives_way_to_the_headline_below_it() {
        let text = format!(
            "Storm floods the old harbour | Coast Daily\nHome\nCoast Daily\nNews\nStorm floods the old harbour\n{BODY}\n"
        );
        check(
            &text,
            &[
                (0, "Coast Daily", 0.9),
                (2, "Coast Daily", 0.5),
                (4, "Storm floods the old harbour", 0.6),
            ],
            "Storm floods the old harbour",
        );
    }

    #[test]
    fn a_taxonomy_line_or_a_photo_credit_is_never_the_title() {
        for line in [
            "Categories: Weather, Harbour",
            "Categories Weather, Harbour",
            "Filed under: Weather",
            "Posted in: Local news",
            "Tags: storm, harbour",
            "AP Photo/Jane Doe",
            "Photo by Reuters, AP Photo/Jane Doe",
        ] {
            check_above_headline(line, "Storm floods the old harbour");
        }
        // Headlines that start like one: a gallery's, a storm's category, a label without
        // its colon or list, a slash that is no credit's.
        for line in [
            "Photos: Storm floods the old harbour",
            "Category 3 storm floods the old harbour",
            "Categories of flood damage explained",
            "Tagged cars towed from the old harbour",
            "Photo/video: the old harbour under water",
        ] {
            check_above_headline(line, line);
        }
    }

    /// Checks the title of a page where `line`, which the picker finds likely (0.9), stands
    /// right above the headline it finds less likely (0.3).
    fn check_above_headline(line: &str, expected: &str) {
        let page = format!(
            "Harbour flood latest | Coast Daily\nHome\n{line}\nStorm floods the old harbour\n{BODY}\n"
        );
        check(
            &page,
            &[(2, line, 0.9), (3, "Storm floods the old harbour", 0.3)],
            expected,
        );
    }

    #[test]
    fn a_breadcrumb_trail_gives_way_to_the_headline_it_ends_with() {
        for trail in [
            "You are here: Home / News / Weather / Storm floods the old harbour",
            "News > Weather > Storm floods the old harbour",
        ] {
            check_above_headline(trail, "Storm floods the old harbour");
        }
        // Two parts are no trail (`Weather / Storm floods the old harbour` may be the
        // headline), nor is a trail whose end no line shows.
        for trail in [
            "Weather / Storm floods the old harbour",
            "Home / News / Storm floods the harbour",
        ] {
            check_above_headline(trail, trail);
        }
    }

    #[test]
    fn a_headline_above_the_site_name_is_not_the_title_tags() {
        // `Site - Headline`: the pick is the headline, and the site's name above it on the
        // page is a masthead, not a headline.
        let text = format!(
            "Coast Daily - Storm floods the old harbour\nHome\nCoast Daily\nStorm floods the old harbour\n{BODY}\n"
        );
        check(
            &text,
            &[
                (3, "Storm floods the old harbour", 0.8),
                (2, "Coast Daily", 0.5),
            ],
            "Storm floods the old harbour",
        );
    }

    #[test]
    fn a_headline_the_page_never_shows_gives_way_to_a_visible_one() {
        let page = |shown: &str| {
            format!(
                "Harbour flood latest - Coast Daily\nHarbour flood latest\nHome\n{shown}Storm surge swamps the harbour wall\n{BODY}\n"
            )
        };
        let surge = "Storm surge swamps the harbour wall";
        let text = page("");
        check(
            &text,
            &[(1, "Harbour flood latest", 0.6), (3, surge, 0.35)],
            surge,
        );
        check(
            &text,
            &[(1, "Harbour flood latest", 0.6), (3, surge, 0.2)],
            surge,
        );
        // Less than a quarter as likely: the picker's choice stands.
        check(
            &text,
            &[(1, "Harbour flood latest", 0.6), (3, surge, 0.12)],
            "Harbour flood latest",
        );
        // Less likely than the picker takes a title: the picker's choice stands.
        check(
            &text,
            &[(1, "Harbour flood latest", 0.03), (3, surge, 0.016)],
            "Harbour flood latest",
        );
        // Shown on the page too: the picker's choice stands.
        let text = page("Harbour flood latest\n");
        check(
            &text,
            &[(1, "Harbour flood latest", 0.6), (4, surge, 0.35)],
            "Harbour flood latest",
        );
    }

    #[test]
    fn the_editors_punctuation_and_case() {
        let text = format!(
            "Cats don't like rain | Pet News\nCats don't like rain\nHome\nCats don\u{2019}t like rain\n{BODY}\n"
        );
        check(
            &text,
            &[
                (1, "Cats don't like rain", 0.7),
                (3, "Cats don\u{2019}t like rain", 0.4),
            ],
            "Cats don\u{2019}t like rain",
        );
        // Typographic marks win over a visible copy of the title tag's typewriter ones.
        let text = format!(
            "Cats don't like rain | Pet News\nHome\nCats don't like rain\nCats don\u{2019}t like rain\n{BODY}\n"
        );
        check(
            &text,
            &[
                (2, "Cats don't like rain", 0.7),
                (3, "Cats don\u{2019}t like rain", 0.4),
            ],
            "Cats don\u{2019}t like rain",
        );
        // Another case, where the page never shows the title tag's.
        let text = format!(
            "Cats Don't Like Rain | Pet News\nCats Don't Like Rain\nHome\nCats don't like rain\n{BODY}\n"
        );
        check(
            &text,
            &[
                (1, "Cats Don't Like Rain", 0.7),
                (3, "Cats don't like rain", 0.4),
            ],
            "Cats don't like rain",
        );
    }

    #[test]
    fn another_case_beside_the_title_tags_own_stays_out() {
        // The page shows the title tag's text: a lower-case copy is a teaser's or a widget's.
        let text = format!(
            "The Perfect Winter Cap - Bike Blog\nHome\nThe Perfect Winter Cap\nThe perfect winter cap\n{BODY}\n"
        );
        check(
            &text,
            &[
                (2, "The Perfect Winter Cap", 0.8),
                (3, "The perfect winter cap", 0.3),
            ],
            "The Perfect Winter Cap",
        );
    }
}
