//! Per-line features for the line classifier.
//!
//! [`extract`] is the one function that computes them, used both by `newsclean features`
//! (which exports them for training) and by inference, so the two can never drift. Every
//! feature is language-neutral: lengths, punctuation, case, position and the density of text
//! around the line (the article is one dense block); no stopword list is involved.

use newsclean_core::{Block, MarkedDoc, Reason, Roles, Verdict};

use crate::classify::{CharCounts, LineFacts, MARKER_WORDS, SHAPE_WORDS, Shape};
use crate::logs::{ln_1p_count, ln_count, signed_log};
use crate::markers::Marker;
use crate::patterns::{is_comment_meta, is_page_dateline};

/// Names of the features of one line, in row order.
pub const BASE_NAMES: [&str; 26] = [
    "log_chars",
    "log_words",
    "ends_sentence",
    "ends_soft_punct",
    "is_bullet",
    "upper_frac",
    "digit_frac",
    "punct_frac",
    "starts_upper",
    "titlecase_frac",
    "n_sentence_ends",
    "avg_word_len",
    "n_separators",
    "related_marker",
    "footer_marker",
    "date_like",
    "byline_like",
    "url_like",
    "copyright_like",
    "ellipsis_end",
    "quote_start",
    "label_colon",
    "is_prose",
    "starts_lower",
    "bracket_start",
    "commas_per_word",
];

/// Names of the features that place a line in its document.
pub const CONTEXT_NAMES: [&str; 29] = [
    "rel_pos",
    "log_index",
    "log_rest",
    "dist_title",
    "has_title",
    "dist_first_prose",
    "dist_last_prose",
    "density_3",
    "density_10",
    "prose_frac_3",
    "prose_frac_10",
    "sentence_frac_3",
    "removed_near",
    "prose_before_frac",
    "footers_before",
    "in_related",
    "blank_before",
    "blank_after",
    "doc_log_lines",
    "doc_prose_frac",
    "doc_log_chars",
    "chars_vs_median",
    "inside_prose_span",
    "n_copies",
    "site_log_docs",
    "site_rel",
    "comment_meta",
    "comment_meta_near",
    "comment_meta_before",
];

/// Names of the features from the page's markup (HTML input; -1 on text input): the
/// line's block element, the roles of its block and ancestors ([`Roles::ALL`], as `role_*`),
/// its linked share, and how the page's prose sits in its content containers.
pub const MARKUP_NAMES: [&str; 18] = [
    "has_markup",
    "block_title",
    "block_og_title",
    "block_p",
    "block_item",
    "block_h1",
    "block_heading",
    "block_cell",
    "block_quote",
    "block_pre",
    "block_caption",
    "block_img_alt",
    "link_share",
    "link_mean_3",
    "link_mean_10",
    "in_container",
    "doc_container_prose",
    "roles_prose_share",
];

/// How many copies of the line came before it in the page (0 for the first; at most 10).
pub const REPEAT_NAMES: [&str; 1] = ["copy_rank"];

/// Features taken from the neighbours at offsets -2, -1, +1, +2.
const NEIGHBOUR_BASE: [usize; 4] = [0, 2, 22, 1];
const NEIGHBOUR_OFFSETS: [isize; 4] = [-2, -1, 1, 2];
/// Lines up to this many words are normalised for the marker, date and byline features; no
/// marker and no date or byline line is longer.
const SHORT_LINE: u32 = MARKER_WORDS;
/// Value of a neighbour feature beyond the document's edge.
const MISSING: f32 = -1.0;

/// Number of markup features per line.
const N_MARKUP: usize = MARKUP_NAMES.len() + Roles::ALL.len();

/// Number of first-pass features per line in the text view.
const N_TEXT_FEATURES: usize =
    BASE_NAMES.len() + CONTEXT_NAMES.len() + NEIGHBOUR_BASE.len() * NEIGHBOUR_OFFSETS.len();

/// Number of first-pass features per line in the widest view (HTML).
pub const N_FEATURES: usize = N_TEXT_FEATURES + REPEAT_NAMES.len() + N_MARKUP;

/// How the classifier reads a page, and so which model scores it: a page without markup
/// (text input) in the text view, a page decoded from HTML in the HTML view.
///
/// The text view's features are a prefix of the HTML view's: the HTML view adds the line's
/// rank among its copies ([`REPEAT_NAMES`]) and the markup features, and it scores later copies
/// of a line too (see [`is_scored`]). Each view has its own model (see
/// [`LineModels`](crate::LineModels)), so that text input is read exactly as by a model trained
/// on text alone, and the markup cannot make text input worse. See: issue 10.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum View {
    /// Text input: the line's words and its place in the page.
    Text,
    /// HTML input: the text view's features, the line's copy rank and the markup's evidence.
    Html,
}

impl View {
    /// Both views.
    pub const ALL: [View; 2] = [View::Text, View::Html];

    /// The view a document is read in: HTML when it has markup.
    pub fn of(marked: &MarkedDoc) -> View {
        if marked.markup.is_some() {
            View::Html
        } else {
            View::Text
        }
    }

    /// The view's name, as in model files (`text`, `html`).
    pub fn name(self) -> &'static str {
        match self {
            View::Text => "text",
            View::Html => "html",
        }
    }

    /// Number of first-pass features per line.
    pub const fn n_features(self) -> usize {
        match self {
            View::Text => N_TEXT_FEATURES,
            View::Html => N_FEATURES,
        }
    }

    /// Number of second-pass features per line.
    pub const fn n_features_2(self) -> usize {
        self.n_features() + PASS2_NAMES.len()
    }
}

impl std::fmt::Display for View {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Names of the second-pass features added after the first-pass ones.
pub const PASS2_NAMES: [&str; 8] = [
    "p1",
    "p1_m2",
    "p1_m1",
    "p1_p1",
    "p1_p2",
    "p1_mean_3",
    "p1_mean_10",
    "p1_max_3",
];

/// Number of second-pass features per line in the widest view (HTML).
pub const N_FEATURES_2: usize = N_FEATURES + PASS2_NAMES.len();

/// The first-pass feature names of `view`, in row order.
pub fn names(view: View) -> Vec<String> {
    let mut names: Vec<String> = BASE_NAMES
        .iter()
        .chain(&CONTEXT_NAMES)
        .map(|s| (*s).to_owned())
        .collect();
    for offset in NEIGHBOUR_OFFSETS {
        for &base in &NEIGHBOUR_BASE {
            names.push(format!("{}_{offset:+}", BASE_NAMES[base]));
        }
    }
    if view == View::Html {
        names.extend(REPEAT_NAMES.iter().map(|s| (*s).to_owned()));
        names.extend(MARKUP_NAMES.iter().map(|s| (*s).to_owned()));
        names.extend(Roles::ALL.iter().map(|(name, _)| format!("role_{name}")));
    }
    names
}

/// The second-pass feature names of `view`, in row order.
pub fn names_2(view: View) -> Vec<String> {
    let mut names = names(view);
    names.extend(PASS2_NAMES.iter().map(|s| (*s).to_owned()));
    names
}

/// The features of the scored lines of one document.
#[derive(Debug, Clone)]
pub struct DocFeatures {
    /// The view the rows were computed in.
    pub view: View,
    /// Index in `MarkedDoc::lines` of each row.
    pub lines: Vec<usize>,
    /// Row-major values, [`View::n_features`] per row.
    pub values: Vec<f32>,
}

impl DocFeatures {
    /// The features of row `k`.
    pub fn row(&self, k: usize) -> &[f32] {
        let width = self.view.n_features();
        &self.values[k * width..(k + 1) * width]
    }
}

fn flag(b: bool) -> f32 {
    if b { 1.0 } else { 0.0 }
}

/// Whether a line holds a web address or e-mail (`http`, `www.`, `.com`, `@`), and whether it
/// is a copyright line (`©`, `copyright`); ASCII case ignored.
///
/// Sixteen starts at a time are first tested together ([`may_start_needle`], a loop the
/// compiler turns into vector compares): only a block where a needle's first four bytes (or
/// `@`, or `©`) may start is looked at byte by byte, and in running text almost none is.
fn url_and_copyright(bytes: &[u8]) -> (bool, bool) {
    let mut is_url = false;
    let mut is_copyright = false;
    let mut look = |at: usize| {
        let has = |needle: &[u8]| {
            bytes
                .get(at..at + needle.len())
                .is_some_and(|w| w.eq_ignore_ascii_case(needle))
        };
        match bytes[at].to_ascii_lowercase() {
            b'@' => is_url = true,
            b'h' => is_url |= has(b"http"),
            b'w' => is_url |= has(b"www."),
            b'.' => is_url |= has(b".com"),
            b'c' => is_copyright |= has(b"copyright"),
            0xC2 => is_copyright |= bytes.get(at + 1) == Some(&0xA9),
            _ => {}
        }
    };
    let mut start = 0;
    while let Some(block) = bytes.get(start..start + BLOCK + 3) {
        if may_start_needle(block.try_into().expect("BLOCK + 3 bytes")) {
            (start..start + BLOCK).for_each(&mut look);
        }
        start += BLOCK;
    }
    // The last starts, in a block padded with zeros (no needle holds one).
    let mut last = [0u8; BLOCK + 3];
    let rest = &bytes[start.min(bytes.len())..];
    last[..rest.len()].copy_from_slice(rest);
    if may_start_needle(&last) {
        (start..bytes.len()).for_each(look);
    }
    (is_url, is_copyright)
}

/// Starts that [`url_and_copyright`] tests together.
const BLOCK: usize = 16;

/// Whether a needle of [`url_and_copyright`] may start at one of the first [`BLOCK`] bytes of
/// `bytes`: its first four bytes, ASCII case ignored (`| 0x20` lowercases the letters and
/// keeps `.`; it also maps a few control bytes onto them, which the byte-wise look rules
/// out), or `@`, or the first two bytes of `©`.
fn may_start_needle(bytes: &[u8; BLOCK + 3]) -> bool {
    let mut any = 0u8;
    for j in 0..BLOCK {
        let [a, b, c, d] = [bytes[j], bytes[j + 1], bytes[j + 2], bytes[j + 3]];
        // 1 where the byte (lowercased) is the needle's, else 0: combined without branches.
        let is = |x: u8, lower: u8| u8::from(x | 0x20 == lower);
        let http = is(a, b'h') & is(b, b't') & is(c, b't') & is(d, b'p');
        let www = is(a, b'w') & is(b, b'w') & is(c, b'w') & is(d, b'.');
        let com = is(a, b'.') & is(b, b'c') & is(c, b'o') & is(d, b'm');
        let copy = is(a, b'c') & is(b, b'o') & is(c, b'p') & is(d, b'y');
        let sign = u8::from(a == 0xC2) & u8::from(b == 0xA9);
        any |= http | www | com | copy | sign | u8::from(a == b'@');
    }
    any != 0
}

/// One of the two lines before (`before`'s last two) ends with a social handle (`Name
/// @handle`): an embedded post's time stamp follows it, not a reader comment's header.
pub(crate) fn follows_handle(before: &[usize], marked: &MarkedDoc) -> bool {
    before.iter().rev().take(2).any(|&j| {
        let text = marked.line_text(j);
        text.rsplit_once('@').is_some_and(|(name, handle)| {
            !name.is_empty()
                && name.ends_with(' ')
                && (1..=15).contains(&handle.len())
                && handle
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'_')
        })
    })
}

fn base_row(text: &str, norm: &str, facts: &LineFacts, out: &mut [f32]) {
    let CharCounts {
        n_chars,
        n_letters,
        n_upper,
        n_digits,
        n_punct,
        n_sentence_ends,
        n_separators,
        n_commas,
        n_title_words,
        n_space_words,
    } = facts.counts;
    let n_words = facts.n_words.max(1) as f32;
    let first = text.chars().next().unwrap_or(' ');
    let marker = facts.marker;
    let colon = text
        .char_indices()
        .take(25)
        .find(|&(_, c)| c == ':')
        .map(|(i, _)| i);
    out[0] = ln_1p_count(facts.n_chars as usize);
    out[1] = ln_1p_count(facts.n_words as usize);
    out[2] = flag(facts.ends_sentence);
    out[3] = flag(facts.ends_punct && !facts.ends_sentence);
    out[4] = flag(facts.bullet.is_some());
    out[5] = n_upper as f32 / n_letters.max(1) as f32;
    out[6] = n_digits as f32 / n_chars.max(1) as f32;
    out[7] = n_punct as f32 / n_chars.max(1) as f32;
    // A caseless letter (CJK, Arabic, Hebrew, Thai) starts a line the way a capital does.
    out[8] = flag(first.is_uppercase() || (first.is_alphabetic() && !first.is_lowercase()));
    out[9] = n_title_words as f32 / n_space_words.max(1) as f32;
    out[10] = n_sentence_ends.min(10) as f32;
    out[11] = n_letters as f32 / n_words;
    out[12] = n_separators.min(10) as f32;
    out[13] = flag(marker == Some(Marker::Related));
    out[14] = flag(marker == Some(Marker::Footer));
    let shape = if facts.n_words <= SHAPE_WORDS {
        facts.shape(norm)
    } else {
        Shape::default()
    };
    out[15] = flag(shape.date_like);
    out[16] = flag(shape.byline_like);
    let (is_url, is_copyright) = url_and_copyright(norm.as_bytes());
    out[17] = flag(is_url);
    out[18] = flag(is_copyright);
    out[19] = flag(text.ends_with("...") || text.ends_with('…'));
    out[20] = flag(matches!(first, '"' | '“' | '„' | '«' | '\'' | '‘'));
    out[21] = flag(colon.is_some_and(|i| i + 1 < text.len()));
    out[22] = flag(facts.is_prose());
    out[23] = flag(first.is_lowercase());
    out[24] = flag(matches!(first, '(' | '['));
    out[25] = n_commas as f32 / n_words;
}

/// The facts of every line of `marked`, then [`extract`].
pub fn of_doc(marked: &MarkedDoc, view: View) -> DocFeatures {
    let facts = LineFacts::of_page(marked);
    extract(marked, &facts, view)
}

/// Whether the classifier scores a line in `view`: live lines and lines removed as the site's
/// template; in the HTML view also later copies of a line. Template lines stay in view so that
/// a page looks the same to the classifier whether or not a site model removed its menu and
/// footer (the last paragraph before a removed footer is still followed by a footer); their
/// verdict does not change. In the HTML view copies are the classifier's to keep or drop (see
/// `copy_rank`); in the text view they stay removed, as the text model was trained.
pub fn is_scored(verdict: &Verdict, view: View) -> bool {
    verdict.is_alive()
        || match verdict {
            Verdict::Removed(Reason::SiteTemplate) => true,
            Verdict::Removed(Reason::RepeatedLine) => view == View::Html,
            _ => false,
        }
}

/// The value at index `n / 2` of `values` in ascending order (`f32::total_cmp`), 0 when
/// empty: a selection, not a sort.
fn upper_median(mut values: Vec<f32>) -> f32 {
    let mid = values.len() / 2;
    if values.is_empty() {
        return 0.0;
    }
    *values.select_nth_unstable_by(mid, f32::total_cmp).1
}

/// Computes the features in `view` of every scored line of `marked` (see [`is_scored`]); the
/// markup features are -1 on a page without markup.
#[expect(
    clippy::too_many_lines,
    reason = "one feature after the other; splitting it would scatter the row layout"
)]
pub fn extract(marked: &MarkedDoc, facts: &[LineFacts], view: View) -> DocFeatures {
    const NB: usize = BASE_NAMES.len();
    const NC: usize = CONTEXT_NAMES.len();
    let lines: Vec<usize> = (0..marked.lines.len())
        .filter(|&i| is_scored(&marked.lines[i].verdict, view))
        .collect();
    let n = lines.len();
    let mut base = vec![0f32; n * NB];
    let mut comment_meta = vec![false; n];
    for (k, &i) in lines.iter().enumerate() {
        let text = marked.line_text(i);
        // Markers, dates and bylines are short lines; long ones are matched as they stand.
        if facts[i].n_words <= SHORT_LINE {
            let norm = marked.norm(i);
            // A page's own dateline ("Updated 14:16 GMT, 3 May 2024") has a comment header's
            // clock and date, but above an article it marks no comment section.
            comment_meta[k] = facts[i].n_words <= 15
                && is_comment_meta(norm)
                && !is_page_dateline(norm)
                && !follows_handle(&lines[..k], marked);
            base_row(text, norm, &facts[i], &mut base[k * NB..(k + 1) * NB]);
        } else {
            base_row(text, text, &facts[i], &mut base[k * NB..(k + 1) * NB]);
        }
    }
    let b = |k: usize, f: usize| base[k * NB + f];
    let is_prose: Vec<bool> = lines.iter().map(|&i| facts[i].is_prose()).collect();

    // Prefix sums for windowed means.
    let prefix = |value: &dyn Fn(usize) -> f32| {
        let mut sums = Vec::with_capacity(n + 1);
        let mut acc = 0f32;
        sums.push(0.0);
        for k in 0..n {
            acc += value(k);
            sums.push(acc);
        }
        sums
    };
    let chars_sum = prefix(&|k| b(k, 0));
    let prose_sum = prefix(&|k| flag(is_prose[k]));
    let sentence_sum = prefix(&|k| b(k, 2));
    let prose_chars_sum = prefix(&|k| {
        if is_prose[k] {
            facts[lines[k]].n_chars as f32
        } else {
            0.0
        }
    });
    let window_mean = |sums: &[f32], k: usize, r: usize| {
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        (sums[hi] - sums[lo]) / (hi - lo) as f32
    };

    let title = lines
        .iter()
        .position(|&i| marked.lines[i].verdict == Verdict::TitleCandidate);
    let first_prose = is_prose.iter().position(|&p| p);
    let last_prose = is_prose.iter().rposition(|&p| p);
    let total_prose_chars = prose_chars_sum[n].max(1.0);
    let median_chars = upper_median((0..n).map(|k| b(k, 0)).collect());
    let doc_log_chars = lines
        .iter()
        .map(|&i| facts[i].n_chars as f32)
        .sum::<f32>()
        .ln_1p();

    // Copies of each line in the whole document, removed ones included.
    let mut hashes: Vec<u64> = marked
        .lines
        .iter()
        .filter(|l| l.verdict != Verdict::Blank)
        .map(|l| l.hash)
        .collect();
    hashes.sort_unstable();
    let n_copies =
        |hash: u64| hashes.partition_point(|&h| h <= hash) - hashes.partition_point(|&h| h < hash);
    let is_removed = |j: usize| matches!(marked.lines[j].verdict, Verdict::Removed(_));
    let is_blank = |j: usize| {
        marked
            .lines
            .get(j)
            .is_none_or(|l| l.verdict == Verdict::Blank)
    };

    let comment_sum = prefix(&|k| flag(comment_meta[k]));
    let site_log: Vec<f32> = lines
        .iter()
        .map(|&i| ln_count(marked.site.n_line_docs.get(i).copied().unwrap_or(1).max(1) as usize))
        .collect();
    let site_log_median = upper_median(site_log.clone());
    // The text view computes neither the markup nor the copy ranks: its model does not read
    // them, and text input costs what it cost before the markup features.
    let is_html = view == View::Html;
    let markup = if is_html {
        Markup::of(marked, &lines, &is_prose, facts)
    } else {
        Markup::absent()
    };
    // The rank of each line among its copies in the page: the first copy is 0. Copies are
    // left to the classifier (a meal plan repeats its items, a Q&A its questions).
    let mut copy_rank = vec![0u8; if is_html { n } else { 0 }];
    if is_html {
        let mut order: Vec<usize> = (0..n).collect();
        order.sort_by_key(|&k| (marked.lines[lines[k]].hash, k));
        for w in 1..order.len() {
            let (a, b) = (order[w - 1], order[w]);
            if marked.lines[lines[a]].hash == marked.lines[lines[b]].hash {
                copy_rank[b] = copy_rank[a].saturating_add(1).min(10);
            }
        }
    }
    let width = view.n_features();
    let mut values = vec![0f32; n * width];
    let mut footers_before = 0u32;
    let mut in_related = false;
    for (k, &i) in lines.iter().enumerate() {
        let row = &mut values[k * width..(k + 1) * width];
        row[..NB].copy_from_slice(&base[k * NB..(k + 1) * NB]);
        let c = &mut row[NB..NB + NC];
        let ki = k as isize;
        c[0] = k as f32 / n as f32;
        c[1] = ln_1p_count(k);
        c[2] = ln_count(n - k);
        c[3] = title.map_or(0.0, |t| signed_log(ki - t as isize));
        c[4] = flag(title.is_some());
        c[5] = first_prose.map_or(0.0, |p| signed_log(ki - p as isize));
        c[6] = last_prose.map_or(0.0, |p| signed_log(ki - p as isize));
        c[7] = window_mean(&chars_sum, k, 3);
        c[8] = window_mean(&chars_sum, k, 10);
        c[9] = window_mean(&prose_sum, k, 3);
        c[10] = window_mean(&prose_sum, k, 10);
        c[11] = window_mean(&sentence_sum, k, 3);
        c[12] = (i.saturating_sub(3)..(i + 4).min(marked.lines.len()))
            .filter(|&j| is_removed(j))
            .count() as f32;
        c[13] = prose_chars_sum[k] / total_prose_chars;
        c[14] = ln_1p_count(footers_before as usize);
        if b(k, 13) > 0.0 {
            in_related = true;
        } else if is_prose[k] {
            in_related = false;
        }
        c[15] = flag(in_related);
        c[16] = flag(i == 0 || is_blank(i - 1));
        c[17] = flag(is_blank(i + 1));
        c[18] = ln_count(n);
        c[19] = prose_sum[n] / n as f32;
        c[20] = doc_log_chars;
        c[21] = b(k, 0) - median_chars;
        c[22] = flag(first_prose.is_some_and(|p| k >= p) && last_prose.is_some_and(|p| k <= p));
        c[23] = (n_copies(marked.lines[i].hash) as f32).min(10.0);
        // How many pages of the site carry the line (1: only this one, or no site model), and
        // how much more than the page's typical line: a page saved twice has every line on two
        // pages, and only its template lines stand out.
        c[24] = site_log[k];
        c[25] = site_log[k] - site_log_median;
        // Comment sections: headers of reader comments around, and how many came before.
        c[26] = flag(comment_meta[k]);
        c[27] = window_mean(&comment_sum, k, 10);
        c[28] = comment_sum[k].ln_1p();
        if b(k, 14) > 0.0 && first_prose.is_some_and(|p| k > p) {
            footers_before += 1;
        }
        let mut f = NB + NC;
        for offset in NEIGHBOUR_OFFSETS {
            let j = ki + offset;
            for &feature in &NEIGHBOUR_BASE {
                row[f] = if j >= 0 && (j as usize) < n {
                    b(j as usize, feature)
                } else {
                    MISSING
                };
                f += 1;
            }
        }
        if is_html {
            row[f] = f32::from(copy_rank[k]);
            markup.row(k, &mut row[f + 1..]);
        }
    }
    DocFeatures {
        view,
        lines,
        values,
    }
}

/// The markup evidence of a page's scored lines, for [`MARKUP_NAMES`] and the role flags.
struct Markup {
    tags: Option<Vec<newsclean_core::LineTags>>,
    link_sum: Vec<f32>,
    doc_container_prose: f32,
    /// Each set of roles that prose lines of the page have, with the share of the page's
    /// prose characters in lines with exactly that set.
    role_sets: Vec<(Roles, f32)>,
}

/// Roles of content containers: the article element, `main`, microdata article body, and
/// classes such as `article-body`.
pub(crate) const CONTAINER: Roles =
    Roles(Roles::ARTICLE.0 | Roles::MAIN.0 | Roles::BODY_PROP.0 | Roles::C_CONTENT.0);
/// Roles of what surrounds an article.
const AROUND: Roles = Roles(
    Roles::NAV.0
        | Roles::FOOTER.0
        | Roles::ASIDE.0
        | Roles::C_COMMENT.0
        | Roles::C_SHARE.0
        | Roles::C_RELATED.0
        | Roles::C_PROMO.0
        | Roles::C_NEWSLETTER.0
        | Roles::C_NAV.0
        | Roles::C_FOOTER.0
        | Roles::C_SIDEBAR.0
        | Roles::C_COOKIE.0,
);

impl Markup {
    /// The evidence of a page without markup: every markup feature -1.
    fn absent() -> Markup {
        Markup {
            tags: None,
            link_sum: Vec::new(),
            doc_container_prose: MISSING,
            role_sets: Vec::new(),
        }
    }

    fn of(marked: &MarkedDoc, lines: &[usize], is_prose: &[bool], facts: &[LineFacts]) -> Markup {
        let Some(markup) = marked.markup.as_deref() else {
            return Markup::absent();
        };
        let tags: Vec<newsclean_core::LineTags> = lines
            .iter()
            .map(|&i| markup.line(i).unwrap_or_default())
            .collect();
        let mut link_sum = Vec::with_capacity(tags.len() + 1);
        let mut acc = 0f32;
        link_sum.push(0.0);
        for t in &tags {
            acc += t.link_share();
            link_sum.push(acc);
        }
        let (mut prose, mut in_container) = (0f32, 0f32);
        let mut role_sets: Vec<(Roles, f32)> = Vec::new();
        for (k, t) in tags.iter().enumerate() {
            if !is_prose[k] {
                continue;
            }
            let chars = facts[lines[k]].n_chars as f32;
            prose += chars;
            if t.roles.intersects(CONTAINER) && !t.roles.intersects(AROUND) {
                in_container += chars;
            }
            match role_sets.iter_mut().find(|(roles, _)| *roles == t.roles) {
                Some((_, sum)) => *sum += chars,
                None => role_sets.push((t.roles, chars)),
            }
        }
        let prose = prose.max(1.0);
        for (_, sum) in &mut role_sets {
            *sum /= prose;
        }
        Markup {
            tags: Some(tags),
            link_sum,
            doc_container_prose: in_container / prose,
            role_sets,
        }
    }

    /// Writes row `k`'s markup features into `out` ([`N_MARKUP`] values).
    fn row(&self, k: usize, out: &mut [f32]) {
        let Some(tags) = &self.tags else {
            out[..N_MARKUP].fill(MISSING);
            out[0] = 0.0;
            return;
        };
        let t = tags[k];
        let n = tags.len();
        let mean = |r: usize| {
            let lo = k.saturating_sub(r);
            let hi = (k + r + 1).min(n);
            (self.link_sum[hi] - self.link_sum[lo]) / (hi - lo) as f32
        };
        out[0] = 1.0;
        let blocks = [
            Block::Title,
            Block::OgTitle,
            Block::Paragraph,
            Block::Item,
            Block::H1,
            Block::Heading,
            Block::Cell,
            Block::Quote,
            Block::Pre,
            Block::Caption,
            Block::ImgAlt,
        ];
        for (j, block) in blocks.iter().enumerate() {
            out[1 + j] = flag(t.block == *block);
        }
        out[12] = t.link_share();
        out[13] = mean(3);
        out[14] = mean(10);
        out[15] = flag(t.roles.intersects(CONTAINER) && !t.roles.intersects(AROUND));
        out[16] = self.doc_container_prose;
        // The share of the page's prose in lines with exactly this line's roles: the article is
        // the one place on the page that holds most of its prose.
        out[17] = self
            .role_sets
            .iter()
            .find(|(roles, _)| *roles == t.roles)
            .map_or(0.0, |&(_, share)| share);
        for (b, (_, role)) in Roles::ALL.iter().enumerate() {
            out[MARKUP_NAMES.len() + b] = flag(t.roles.contains(*role));
        }
    }
}

/// The second-pass rows: each first-pass row followed by the first-pass probabilities around it.
pub fn pass2(features: &DocFeatures, p1: &[f32]) -> Vec<f32> {
    let all: Vec<usize> = (0..features.lines.len()).collect();
    pass2_rows(features, p1, &all)
}

/// The second-pass rows of rows `ks` only (in that order), as [`pass2`] writes them.
pub fn pass2_rows(features: &DocFeatures, p1: &[f32], ks: &[usize]) -> Vec<f32> {
    let n = features.lines.len();
    let mut sums = Vec::with_capacity(n + 1);
    let mut acc = 0f32;
    sums.push(0.0);
    for &p in p1 {
        acc += p;
        sums.push(acc);
    }
    let mean = |k: usize, r: usize| {
        let lo = k.saturating_sub(r);
        let hi = (k + r + 1).min(n);
        (sums[hi] - sums[lo]) / (hi - lo) as f32
    };
    let at = |k: usize, offset: isize| {
        let j = k as isize + offset;
        if j >= 0 && (j as usize) < n {
            p1[j as usize]
        } else {
            MISSING
        }
    };
    let mut out = Vec::with_capacity(ks.len() * features.view.n_features_2());
    for &k in ks {
        out.extend_from_slice(features.row(k));
        let lo = k.saturating_sub(3);
        let hi = (k + 4).min(n);
        let max_3 = (lo..hi)
            .filter(|&j| j != k)
            .map(|j| p1[j])
            .fold(MISSING, f32::max);
        out.extend_from_slice(&[
            p1[k],
            at(k, -2),
            at(k, -1),
            at(k, 1),
            at(k, 2),
            mean(k, 3),
            mean(k, 10),
            max_3,
        ]);
    }
    out
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "exact values are the point of these tests"
)]
mod tests {

    use super::*;

    proptest::proptest! {
        /// The selected median is the sorted list's middle value, bit for bit.
        #[test]
        fn upper_median_is_the_sorted_middle(values in proptest::collection::vec(proptest::num::f32::ANY, 0..40)) {
            let mut sorted = values.clone();
            sorted.sort_by(f32::total_cmp);
            let expected = sorted.get(sorted.len() / 2).copied().unwrap_or(0.0);
            proptest::prop_assert_eq!(upper_median(values).to_bits(), expected.to_bits());
        }

        /// The block-filtered scan finds what searching for each needle finds.
        #[test]
        fn url_and_copyright_equals_a_search(
            text in "(http|HtTp|htt|www\\.|WwW\\.|ww|\\.com|\\.COM|\\.co|copyright|CopyRight|copyrigh|©|\u{C2}|\u{E}com|ht|co|c|h|w|\\.|@|é|a| |the quick fox ){0,40}"
        ) {
            let lower = text.to_ascii_lowercase();
            let has = |needle: &str| lower.contains(needle);
            let expected = (
                has("@") || has("http") || has("www.") || has(".com"),
                has("©") || has("copyright"),
            );
            proptest::prop_assert_eq!(url_and_copyright(text.as_bytes()), expected);
        }
    }

    #[test]
    fn urls_and_copyright() {
        assert_eq!(url_and_copyright(b"Visit WWW.example.org"), (true, false));
        assert_eq!(url_and_copyright("© 2024 Site".as_bytes()), (false, true));
        assert_eq!(
            url_and_copyright(b"Copyright 2012, mail me@x.org"),
            (true, true)
        );
        assert_eq!(url_and_copyright(b"The cat sat."), (false, false));
    }

    #[test]
    fn names_match_row_width() {
        for view in View::ALL {
            assert_eq!(names(view).len(), view.n_features());
            assert_eq!(names_2(view).len(), view.n_features_2());
        }
        assert_eq!(View::Html.n_features_2(), N_FEATURES_2);
        // The text view is a prefix of the HTML view.
        assert!(names(View::Html).starts_with(&names(View::Text)));
    }

    /// The `comment_meta` feature of each scored line of `text`.
    fn comment_meta_flags(text: &str) -> Vec<f32> {
        let (marked, facts) = crate::test_support::marked(text);
        let meta = (names(View::Text).iter())
            .position(|n| n == "comment_meta")
            .unwrap();
        let f = extract(&marked, &facts, View::Text);
        (0..f.lines.len()).map(|k| f.row(k)[meta]).collect()
    }

    #[test]
    fn a_pages_dateline_is_no_comment_header() {
        let text = "Storm floods the harbour\nUpdated 14:16 GMT, 3 May 2024\nThe storm that came in overnight flooded the old harbour and the streets around it.\nadam | november 9, 2012 3:15 am | reply\nPosted by sam on May 2, 2023 at 1:53 pm\n";
        assert_eq!(comment_meta_flags(text), [0.0, 0.0, 0.0, 1.0, 1.0]);
    }

    /// An embedded post's time stamp (a clock and a date) within two lines under its author's
    /// `Name @handle` is no reader comment's header; a comment's, with no handle above, is.
    #[test]
    fn an_embedded_posts_time_stamp_is_no_comment_header() {
        let text = "Harbor Rowing Club @HarborRowing\nHalf a length! Proud of every seat.\n10/14/2024, 3:41:07 PM\nThe win is the club's first in the regatta since it was founded.\n10/14/2024, 4:02:55 PM\nsam@example\n10/14/2024, 4:05:00 PM\n";
        assert_eq!(
            comment_meta_flags(text),
            [0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 1.0]
        );
    }

    #[test]
    fn rows_for_live_lines_only() {
        let text =
            "Title here\n\nFirst paragraph is long enough to count as prose for sure.\nAlso Read\n";
        let (marked, facts) = crate::test_support::marked(text);
        for view in View::ALL {
            let f = extract(&marked, &facts, view);
            assert_eq!(f.lines, vec![0, 2, 3]);
            assert_eq!(f.values.len(), 3 * view.n_features());
            let related = BASE_NAMES
                .iter()
                .position(|n| *n == "related_marker")
                .unwrap();
            assert_eq!(f.row(2)[related], 1.0);
            assert!(f.values.iter().all(|v| v.is_finite()));
            let p2 = pass2(&f, &[0.1, 0.9, 0.2]);
            assert_eq!(p2.len(), 3 * view.n_features_2());
        }
    }

    /// The text view's rows are the HTML view's rows cut to the text view's width, on the lines
    /// both score; only the HTML view scores later copies of a line.
    #[test]
    fn text_rows_are_a_prefix_of_html_rows() {
        let text = "Menu\nA story that is long enough to count as prose, with words.\nMenu\nThe end of it, which is also prose and long enough.\n";
        let (mut marked, facts) = crate::test_support::marked(text);
        marked.lines[2].verdict = Verdict::Removed(Reason::RepeatedLine);
        let t = extract(&marked, &facts, View::Text);
        let h = extract(&marked, &facts, View::Html);
        assert_eq!(t.lines, vec![0, 1, 3]);
        assert_eq!(h.lines, vec![0, 1, 2, 3]);
        let copy_rank = names(View::Html)
            .iter()
            .position(|n| n == "copy_rank")
            .unwrap();
        assert_eq!(h.row(2)[copy_rank], 1.0);
        // Without the copy in view, the HTML rows' text part equals the text rows.
        marked.lines[2].verdict = Verdict::Removed(Reason::Boilerplate("menu".into()));
        let h = extract(&marked, &facts, View::Html);
        assert_eq!(h.lines, t.lines);
        for k in 0..t.lines.len() {
            assert_eq!(&h.row(k)[..View::Text.n_features()], t.row(k));
        }
    }
}
