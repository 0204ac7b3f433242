//! Roles: which kept line is the title, a summary bullet, a heading, a paragraph or a related
//! title; and the footer.

use newsclean_core::hash::{FastSet, stable_hash};
use newsclean_core::text::{count_words, normalize_append, normalize_into};
use newsclean_core::{
    Article, ArticleStats, Block, Line, MarkedDoc, Reason, RemovedLine, Role, Roles, Section,
    Verdict,
};

use crate::classify::{LineFacts, MARKER_WORDS, classify};
use crate::features::{CONTAINER, View, follows_handle};
use crate::markers::Marker;
use crate::model::{LineModel, Policy};
use crate::patterns::{
    is_author_line, is_bare_time, is_comment_count, is_comment_meta, is_dateline, is_said_line,
    is_stamp, is_taxonomy, is_update_line, slide_counter,
};
use crate::title::{self, Candidate};

/// A teaser: a cut-off summary of another article.
fn is_teaser(text: &str) -> bool {
    text.ends_with("...") || text.ends_with('…')
}

/// A related-links marker that carries its link on its own line ("Read more: Germany's
/// colonial past", "SEE ALSO: The History of GIFs"): two words or more after a colon. It is
/// one link inside the article, not the header of a block of them, so the line after it (often
/// the article's next sub-heading) is judged as any other.
fn is_inline_link(norm: &str) -> bool {
    norm.split_once(':')
        .is_some_and(|(_, link)| link.split_whitespace().nth(1).is_some())
}

/// Could be the title of another article in a related block.
fn is_title_like(facts: &LineFacts) -> bool {
    (2..=25).contains(&facts.n_words) && !facts.ends_sentence
}

/// Could be a sub-heading: short, unpunctuated, not a bullet.
fn is_heading_shape(text: &str, facts: &LineFacts) -> bool {
    let starts_upper = text.chars().next().is_some_and(|c| !c.is_lowercase());
    (1..=15).contains(&facts.n_words)
        && facts.n_chars <= 120
        && !facts.ends_punct
        && facts.bullet.is_none()
        && starts_upper
}

/// Assigns a role or a removal reason to every live line of `marked` (in place) and builds the
/// article from the kept lines, reading the page in `model`'s view (the caller picks the model
/// of the page's view, [`LineModels::get`](crate::LineModels::get)).
pub fn segment(marked: &mut MarkedDoc, model: &LineModel) -> Article {
    let view = model.view();
    let facts = LineFacts::of_page(marked);
    let scores = classify(marked, &facts, model);
    for (line, &score) in marked.lines.iter_mut().zip(&scores) {
        if crate::features::is_scored(&line.verdict, view) {
            line.score = score;
        }
    }
    let title = title::pick(marked, &facts, &scores, model);
    // Later copies of a line, which dedupe set aside, are the HTML model's to judge: a menu
    // repeated at the foot of the page is boilerplate, but a meal plan repeats its items and
    // a Q&A its questions. See: issue 10. The text model was trained with copies removed, and
    // they stay removed.
    let was_repeat: Vec<bool> = marked
        .lines
        .iter()
        .map(|l| view == View::Html && l.verdict == Verdict::Removed(Reason::RepeatedLine))
        .collect();
    for (line, &is_repeat) in marked.lines.iter_mut().zip(&was_repeat) {
        if is_repeat {
            line.verdict = Verdict::Undecided;
        }
    }
    apply_title(marked, title);
    assign_roles(marked, &facts, &scores, &model.policy());
    // A copy the classifier keeps is body text (a paragraph or heading), unless the title
    // picker chose it; as anything else (a related title, a byline) it stays a repeat.
    for (line, &is_repeat) in marked.lines.iter_mut().zip(&was_repeat) {
        let is_body = matches!(
            line.verdict,
            Verdict::Kept(Role::Paragraph | Role::Heading | Role::Title)
        );
        if is_repeat && !is_body {
            line.verdict = Verdict::Removed(Reason::RepeatedLine);
        }
    }
    build(marked, &facts, title)
}

/// Makes the picked candidate the one title line: other copies of its text are removed as
/// repeated headlines, and a line dedupe took for the headline that is not the title goes back
/// to the classifier's decision.
fn apply_title(marked: &mut MarkedDoc, title: Option<Candidate>) {
    let mut title_norm = String::new();
    if let Some(c) = title {
        normalize_into(&marked.text[c.start..c.end], &mut title_norm);
    }
    let title_hash = stable_hash(title_norm.as_bytes());
    let title_words: Vec<&str> = words(&title_norm).collect();
    // A copy is the same line after normalisation, or the same words whatever the punctuation
    // ("Title: subtitle" and "Title - subtitle"), as readers and the benchmark see it.
    let is_copy = |line: &Line, text: &str, norm: &str| {
        line.hash == title_hash
            || ((title_norm.len() / 2..=title_norm.len() * 2).contains(&text.len())
                && !title_words.is_empty()
                && words(norm).eq(title_words.iter().copied()))
    };
    for i in 0..marked.lines.len() {
        let is_copy = title.is_some()
            && marked.lines[i].verdict.is_alive()
            && is_copy(&marked.lines[i], marked.line_text(i), marked.norm(i));
        let line = &mut marked.lines[i];
        line.verdict = match &line.verdict {
            _ if title.is_some_and(|c| c.line == i) => Verdict::TitleCandidate,
            Verdict::TitleCandidate | Verdict::Undecided if is_copy => {
                Verdict::Removed(Reason::RepeatedHeadline)
            }
            Verdict::TitleCandidate => Verdict::Undecided,
            other => other.clone(),
        };
    }
}

/// The words of a normalised text: what is left of a line when punctuation does not count.
fn words(norm: &str) -> impl Iterator<Item = &str> {
    norm.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
}

/// The first `n` characters of `text`.
fn first_chars(text: &str, n: usize) -> &str {
    let end = text.char_indices().nth(n).map_or(text.len(), |(at, _)| at);
    &text[..end]
}

/// The most words of a dateline that is not text (see [`is_dateline`]); longer lines that
/// open with `updated` or `published` are sentences.
///
/// The classifier scored the "Updated …" line that a recrawl puts above the body as text in
/// 385 of 2064 recrawls (out of fold, `train/train_lines.py`'s stability probe), which alone
/// kept their bodies from matching the first scrape's. Dropping datelines from the text:
/// bodies kept 0.596 → 0.617, recrawls found as near duplicates 0.943 → 0.948, F1 unchanged
/// (0.929, cross-validated, text input). See: issue 10.
const DATELINE_MAX_WORDS: u32 = 10;

/// On a page where the policy keeps no body line, lines scoring at least this share of the
/// page's best score may form the fallback block (see [`fallback_block`]).
const FALLBACK_SHARE: f32 = 0.5;

/// Gives every live line a role or a removal reason, from the classifier's `scores`.
///
/// The policy's threshold decides which lines are text. When it keeps no body line (no
/// paragraph or heading) on a page that has prose, the roles are given again with the
/// [`fallback_block`] as the text: a page is never emptied by the classifier alone, since the
/// article is the best block on its page even when the model is unsure of all of them. A page
/// without prose (menus, links) keeps nothing, as before. See: issue 10.
fn assign_roles(marked: &mut MarkedDoc, facts: &[LineFacts], scores: &[f32], policy: &Policy) {
    let alive: Vec<usize> = (0..marked.lines.len())
        .filter(|&i| marked.lines[i].verdict.is_alive())
        .collect();
    let best = alive.iter().map(|&i| scores[i]).fold(0.0, f32::max);
    let threshold = policy.page_threshold(best);
    let mut is_text: Vec<bool> = scores.iter().map(|&s| s >= threshold).collect();
    keep_tables_whole(marked, facts, scores, &alive, threshold, &mut is_text);
    fill_gaps(marked, facts, scores, &alive, threshold, &mut is_text);
    // A timestamp alone on its line (a live blog's) stamps the text; a dateline ("Updated
    // 14:16 GMT, 3 May 2024", "Updated 3 hours ago") says when the page changed: neither is
    // any of the text.
    for &i in &alive {
        let f = &facts[i];
        if is_text[i]
            && ((f.n_words <= 4 && is_bare_time(marked.norm(i)))
                || (f.n_words <= DATELINE_MAX_WORDS
                    && !f.ends_sentence
                    && is_dateline(marked.norm(i)))
                || (f.n_words <= TAXONOMY_MAX_WORDS && is_taxonomy(marked.norm(i))))
        {
            is_text[i] = false;
        }
    }
    keep_numbered_items(marked, facts, scores, &alive, &mut is_text);
    drop_galleries(marked, facts, &mut is_text);
    drop_excerpts(marked, facts, &alive, &mut is_text);
    // On HTML input the markup's containers tell where the article ends (the rule changed
    // HTML output by -0.0003 in-sample and nothing out of fold).
    if marked.markup.is_none() {
        drop_later_stories(marked, facts, &alive, &mut is_text);
    }
    let mut verdicts = roles(marked, facts, scores, policy, &alive, &is_text);
    let has_body = verdicts
        .iter()
        .any(|v| matches!(v, Some(Verdict::Kept(Role::Paragraph | Role::Heading))));
    let fallback = (!has_body)
        .then(|| fallback_block(facts, scores, &alive, best))
        .flatten();
    if let Some(block) = fallback {
        let mut is_text = vec![false; scores.len()];
        for &i in &alive[block] {
            is_text[i] = true;
        }
        verdicts = roles(marked, facts, scores, policy, &alive, &is_text);
    }
    for (line, verdict) in marked.lines.iter_mut().zip(verdicts) {
        if let Some(verdict) = verdict {
            line.verdict = verdict;
        }
    }
}

/// A photo gallery's slides with their captions: the lines from the first of three or more
/// slide counters of one gallery ("1 of 23", "4 of 23", "9 of 23"; `patterns::slide_counter`)
/// to the last are not text. (Not past the last: some galleries put the counter above its
/// slide, others below, and the article can start right after the last.)
fn drop_galleries(marked: &MarkedDoc, facts: &[LineFacts], is_text: &mut [bool]) {
    let n = marked.lines.len();
    let counters: Vec<(usize, u16, u16)> = (0..n)
        .filter(|&i| {
            // Counters open with a digit: most lines are ruled out by their first byte.
            facts[i].n_words <= 7
                && (marked.norm(i).as_bytes().first()).is_some_and(u8::is_ascii_digit)
                && marked.lines[i].verdict != Verdict::Blank
        })
        .filter_map(|i| slide_counter(marked.norm(i)).map(|(slide, slides)| (i, slide, slides)))
        .collect();
    if counters.len() < MIN_SLIDES {
        return;
    }
    let mut galleries: Vec<u16> = counters.iter().map(|c| c.2).collect();
    galleries.sort_unstable();
    galleries.dedup();
    for slides in galleries {
        let gallery: Vec<(usize, u16)> = (counters.iter())
            .filter(|c| c.2 == slides)
            .map(|c| (c.0, c.1))
            .collect();
        let mut shown: Vec<u16> = gallery.iter().map(|c| c.1).collect();
        shown.sort_unstable();
        shown.dedup();
        if shown.len() < MIN_SLIDES {
            continue;
        }
        let (first, last) = (gallery[0].0, gallery[gallery.len() - 1].0);
        for text in &mut is_text[first..=last] {
            *text = false;
        }
    }
}

/// Links that end an excerpt of another story: "Continue reading", "Read more".
const EXCERPT_ENDS: [&str; 7] = [
    "continue reading",
    "read more",
    "keep reading",
    "read the rest",
    "read full story",
    "read full article",
    "full story",
];

/// The fewest "Continue reading" links that make a rail of excerpts.
const MIN_EXCERPTS: usize = 4;

/// A rail of other stories' excerpts, each ending in a "Continue reading" link, is not text:
/// where a page has [`MIN_EXCERPTS`] such links or more, the run of text lines right above each is not
/// text, unless it is the page's largest run of text (the article, cut short on the page).
fn drop_excerpts(marked: &MarkedDoc, facts: &[LineFacts], alive: &[usize], is_text: &mut [bool]) {
    // Every link has two or three words: most lines are ruled out by their count.
    let is_end = |i: usize| {
        (2..=3).contains(&facts[i].n_words)
            && EXCERPT_ENDS.contains(&newsclean_core::lexicon::key(marked.norm(i)))
    };
    // Later copies of the link are removed as repeated lines: every copy counts, each at the
    // place among the live lines where it stands.
    let ends: Vec<usize> = (0..marked.lines.len())
        .filter(|&i| is_end(i))
        .map(|i| alive.partition_point(|&a| a < i))
        .collect();
    if ends.len() < MIN_EXCERPTS {
        return;
    }
    // The runs of text lines, as ranges of `alive`; the first of the largest is exempt.
    let mut runs: Vec<std::ops::Range<usize>> = Vec::new();
    for k in (0..alive.len()).filter(|&k| is_text[alive[k]]) {
        match runs.last_mut() {
            Some(run) if run.end == k => run.end = k + 1,
            _ => runs.push(k..k + 1),
        }
    }
    let largest = runs
        .iter()
        .max_by_key(|r| (r.len(), std::cmp::Reverse(r.start)))
        .cloned();
    for k in ends {
        // The text right above the link: the part of a run that reaches it (the link itself
        // may be text, or a removed copy between two live lines).
        let Some(r) = runs.iter().find(|r| r.start < k && k <= r.end) else {
            continue;
        };
        let run = r.start..k;
        if largest
            .as_ref()
            .is_some_and(|l| run.start <= l.start && l.end <= run.end)
        {
            continue;
        }
        for &i in &alive[run] {
            is_text[i] = false;
        }
    }
}

/// The fewest slides of one gallery, counted, that make it one: recipes repeat "1/3 cup".
const MIN_SLIDES: usize = 3;

/// Lines (not blank, not text) that part the article from a later block of text that is
/// another story's: a comment thread, a "more stories" rail with each story's first
/// paragraph, a sponsored article below the page's own. Out of fold on dev's text input
/// (5 folds, today's fold models): 16 lines F1 0.9306, 20 0.9308, 24 0.9304, 30 0.9301, none
/// 0.9298; 20 with a boundary in the gap 0.9309. Text input only. See: issue 10 and
/// `train/MODEL_CARD.md`, "Where the article ends".
const STORY_GAP: usize = 20;

/// A line that marks where a page's parts meet: boilerplate of the lexicon (share buttons, a
/// newsletter prompt), a site's template, a marker ("Related", "Comments") or a comment's
/// header ("Sam says:", "3 May 2024 at 14:16"). A run of list items, a gallery's captions
/// or a recipe's ingredients hold none: they are the article's.
fn is_boundary(marked: &MarkedDoc, facts: &[LineFacts], x: usize) -> bool {
    matches!(
        marked.lines[x].verdict,
        Verdict::Removed(Reason::Boilerplate(_) | Reason::SiteTemplate)
    ) || facts[x].marker.is_some()
        || (facts[x].n_words <= 15 && crate::patterns::is_comment_meta(marked.norm(x)))
}

/// Drops the text after the page's largest block of text (most words) that lies past a gap
/// of [`STORY_GAP`] lines or more holding a boundary ([`is_boundary`]): the article is one
/// story, in one place.
fn drop_later_stories(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    alive: &[usize],
    is_text: &mut [bool],
) {
    // Blocks of text as ranges of `alive`, with their words.
    let mut blocks: Vec<(std::ops::RangeInclusive<usize>, u32)> = Vec::new();
    let mut last_text: Option<usize> = None;
    for (k, &i) in alive.iter().enumerate() {
        if !is_text[i] {
            continue;
        }
        let gap = last_text.map_or(0, |j| {
            (j + 1..i)
                .filter(|&x| marked.lines[x].verdict != Verdict::Blank)
                .count()
        });
        let is_new_story = gap >= STORY_GAP
            && last_text.is_some_and(|j| (j + 1..i).any(|x| is_boundary(marked, facts, x)));
        match blocks.last_mut() {
            Some((range, words)) if !is_new_story => {
                *range = *range.start()..=k;
                *words += facts[i].n_words;
            }
            _ => blocks.push((k..=k, facts[i].n_words)),
        }
        last_text = Some(i);
    }
    // The first of the largest blocks.
    let Some(main) = (0..blocks.len()).max_by_key(|&b| (blocks[b].1, std::cmp::Reverse(b))) else {
        return;
    };
    for (range, _) in &blocks[main + 1..] {
        for &i in &alive[range.clone()] {
            is_text[i] = false;
        }
    }
}

/// The most words of a post's taxonomy line (`Filed under: NHL Tagged with: CBA, NHLPA`) that
/// is never text.
const TAXONOMY_MAX_WORDS: u32 = 30;

/// The most live lines two kept prose lines may lie apart for [`fill_gaps`] to look between them.
const GAP_SPAN: usize = 12;
/// A line in such a gap is text when it scores at least this share of the page's threshold.
const GAP_SHARE: f32 = 0.5;
/// ... and has at least this many words and ends a sentence.
const GAP_MIN_WORDS: u32 = 12;
/// Live lines above the first kept prose line in which its lead may lie.
const LEAD_SPAN: usize = 3;
/// The share of the page's threshold a lead must score (see [`fill_gaps`]).
const LEAD_SHARE: f32 = 0.7;
/// Live lines below the last kept prose line that may be the article's last paragraphs.
const TAIL_SPAN: usize = 3;
/// The share of the page's threshold such a line must score (see [`fill_gaps`]).
const TAIL_SHARE: f32 = 0.6;
/// The most linked characters such a line may have, of 255.
const TAIL_LINK: u8 = 25;

/// Prose between two lines of the article is the article's: a line that is not text but reads
/// as a full paragraph ([`GAP_MIN_WORDS`] words or more, ending a sentence), or is a copy of a
/// line that is text (a Q&A's question asked again, a meal plan's item), and scores at least
/// [`GAP_SHARE`] of the page's `threshold`, lying between two kept prose lines at most
/// [`GAP_SPAN`] live lines apart, is text too. The classifier scores each line alone, and a
/// paragraph between two kept ones that it scores just under the threshold is more often a
/// paragraph it doubted than boilerplate; keeping it also keeps the body the same when the
/// boilerplate around it changes (a recrawl). Lines are never added outside the span of the
/// kept prose, so the rule cannot reach into comments or footers after the article. (Later
/// copies are live on HTML input only: on text input dedupe removes them.)
/// With the marker and timestamp rules, cross-validated on dev (text input, 5 folds; figures in
/// `train/MODEL_CARD.md`): F1 0.927 → 0.929, near-duplicate recall on recrawls 0.938 → 0.943.
///
/// The lead the classifier doubted is the article's too: above the first kept prose line,
/// within [`LEAD_SPAN`] live lines and below any title candidate, a line that reads as a full
/// paragraph and scores at least [`LEAD_SHARE`] of the threshold. The first paragraph under a
/// byline and a share bar often scores just under the threshold (it sits where teasers and
/// standfirsts sit); a photo's caption there is the rule's usual mistake. Out of fold (text
/// input, 5 folds, the fold models of the last retrain): F1 0.93141 → 0.93187 (32 pages
/// better, 12 worse, none by more than 0.03), HTML 0.9552 → 0.9554; with the span at 6 and
/// half the threshold, 99 pages changed and `dn_R234` lost its article.
///
/// On HTML input, so is the article's last paragraph that the classifier doubted: below the
/// last kept prose line, up to [`TAIL_SPAN`] consecutive live lines that read as full
/// paragraphs, score at least [`TAIL_SHARE`] of the threshold, lie in the same block kind and
/// the same containers (roles) as that line, are hardly links ([`TAIL_LINK`]) and are no
/// later copy of a line above (a summary repeated under the article). The last
/// paragraph sits above share bars and rails, which its neighbour features see, and is the
/// paragraph modern pages most often lose (a court report's closing line, a feature's last
/// quote); its container is what tells it from the rail. On text input the same extension
/// took in captions and teasers (session of 2026-12-02, third). Out of fold (HTML, 5 folds):
/// F1 0.95542 → 0.95549 (11 pages better, 5 worse: a post's "Bookmark the permalink" line
/// went out with the link bound); Readability's 119 pages 0.917 → 0.921; trafilatura's 990
/// evaluation pages 0.910 → 0.911. See: issue 10.
fn fill_gaps(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    alive: &[usize],
    threshold: f32,
    is_text: &mut [bool],
) {
    let anchors: Vec<usize> = (0..alive.len())
        .filter(|&k| is_text[alive[k]] && facts[alive[k]].is_prose())
        .collect();
    // The kept lines' hashes, made only when a line in a gap is no paragraph (later copies are
    // live on HTML input only); lines are marked after the pass, so it sees the kept lines.
    let mut text_hashes: Option<FastSet<u64>> = None;
    let mut filled = Vec::new();
    for pair in anchors.windows(2) {
        let (a, b) = (pair[0], pair[1]);
        if b - a < 2 || b - a > GAP_SPAN {
            continue;
        }
        for &i in &alive[a + 1..b] {
            let line = &facts[i];
            if is_text[i] || scores[i] < GAP_SHARE * threshold {
                continue;
            }
            let is_paragraph = line.n_words >= GAP_MIN_WORDS && line.ends_sentence;
            let mut is_copy_of_text = || {
                text_hashes
                    .get_or_insert_with(|| {
                        (alive.iter().filter(|&&j| is_text[j]))
                            .map(|&j| marked.lines[j].hash)
                            .collect()
                    })
                    .contains(&marked.lines[i].hash)
            };
            if is_paragraph || is_copy_of_text() {
                filled.push(i);
            }
        }
    }
    if let Some(&first) = anchors.first() {
        for &i in alive[first.saturating_sub(LEAD_SPAN)..first].iter().rev() {
            if marked.lines[i].verdict == Verdict::TitleCandidate {
                break;
            }
            let line = &facts[i];
            if scores[i] >= LEAD_SHARE * threshold
                && line.n_words >= GAP_MIN_WORDS
                && line.ends_sentence
            {
                filled.push(i);
            }
        }
    }
    if let (Some(markup), Some(&last)) = (marked.markup.as_deref(), anchors.last()) {
        let container = markup.line(alive[last]).map(|t| (t.block, t.roles));
        for &i in alive[last + 1..].iter().take(TAIL_SPAN) {
            let line = &facts[i];
            let hash = marked.lines[i].hash;
            let is_tail = !is_text[i]
                && scores[i] >= TAIL_SHARE * threshold
                && !marked.lines[..i].iter().any(|l| l.hash == hash)
                && line.n_words >= GAP_MIN_WORDS
                && line.ends_sentence
                && container.is_some()
                && markup
                    .line(i)
                    .is_some_and(|t| Some((t.block, t.roles)) == container && t.link <= TAIL_LINK);
            if !is_tail {
                break;
            }
            filled.push(i);
        }
    }
    for i in filled {
        is_text[i] = true;
    }
}

/// Items of a numbered list that an article goes on into: at least this many.
const LIST_MIN_ITEMS: usize = 3;
/// The most live lines from one item to the next (an item's heading and its paragraphs).
const LIST_STEP: usize = 6;
/// The least score of a line of the list taken as text.
const LIST_FLOOR: f32 = 0.1;

/// The number a list item's line starts with ("#1 Spend more time…", "2. Indifference is…",
/// "3) …", "No. 4 …"), followed by two words or more.
fn item_number(text: &str) -> Option<u32> {
    let t = text
        .strip_prefix('#')
        .or_else(|| text.strip_prefix("No. "))
        .unwrap_or(text);
    let digits = t.bytes().take_while(u8::is_ascii_digit).count();
    if !(1..=2).contains(&digits) {
        return None;
    }
    let rest = &t[digits..];
    let rest = rest.strip_prefix(['.', ')', ':']).unwrap_or(rest);
    let rest = rest.strip_prefix(' ')?;
    rest.split_whitespace().nth(1)?;
    t[..digits].parse().ok()
}

/// A numbered list the article goes on into is the article's: where the line above item 1
/// (within two live lines) is text, items 1, 2, 3, … in order, each within [`LIST_STEP`] live
/// lines of the last, and the prose between and after them (up to [`LIST_STEP`] lines past
/// the last item) are text when they score at least [`LIST_FLOOR`]. A listicle's items score
/// lower the further down the page they are ("#7 Resolve to find a Yin for your Yang": 0.18),
/// as the rails' teasers around them do; the numbering is the evidence the classifier lacks.
fn keep_numbered_items(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    alive: &[usize],
    is_text: &mut [bool],
) {
    let mut runs: Vec<Vec<usize>> = Vec::new();
    let mut run: Vec<usize> = Vec::new();
    for (k, &i) in alive.iter().enumerate() {
        let Some(n) = (facts[i].n_words <= 40)
            .then(|| item_number(marked.line_text(i)))
            .flatten()
        else {
            continue;
        };
        let continues =
            run.last().is_some_and(|&last| k - last <= LIST_STEP) && n as usize == run.len() + 1;
        if continues {
            run.push(k);
        } else if n == 1 {
            if run.len() >= LIST_MIN_ITEMS {
                runs.push(std::mem::take(&mut run));
            }
            run = vec![k];
        }
    }
    if run.len() >= LIST_MIN_ITEMS {
        runs.push(run);
    }
    for run in runs {
        let first = run[0];
        let is_in_article = (first.saturating_sub(2)..first).any(|k| is_text[alive[k]]);
        let is_marked = |k: usize| facts[alive[k]].marker.is_some();
        let last = run[run.len() - 1];
        let mut end = last + 1;
        while end < alive.len()
            && end <= last + LIST_STEP
            && facts[alive[end]].is_prose()
            && !is_marked(end)
        {
            end += 1;
        }
        if !is_in_article || (first..end).any(is_marked) {
            continue;
        }
        for &i in &alive[first..end] {
            if scores[i] >= LIST_FLOOR
                && (facts[i].is_prose() || item_number(marked.line_text(i)).is_some())
            {
                is_text[i] = true;
            }
        }
    }
}

/// An end-of-article marker below a single kept prose line ends the article unless more than
/// this many times that line's words of text come after it: then it is a teaser's or a
/// widget's, above the article (modern pages render rails and "N Comments" links before the
/// story). Below two or more kept paragraphs a marker always ends the article: what follows a
/// short article's "14 Comments" is often more prose than the article, and the readers'.
/// See: issue 10.
const FOOTER_TEXT_RATIO: u32 = 2;
/// Live lines below an end-of-article marker in which a reader comment's header makes it the
/// start of the comments (see [`opens_comments`]).
const COMMENTS_SPAN: usize = 3;

/// Whether one of the first [`COMMENTS_SPAN`] of the live lines `after` an end-of-article
/// marker is a reader comment's header ("Matt Jaycox | November 9, 2012 12:13 AM | Reply",
/// "Izzy says:"): the marker then starts the comments, and no line after it is the article's,
/// however sure the classifier is (a comment reads as prose, and the rule that keeps sure
/// lines past a marker kept a third of a long thread).
fn opens_comments(marked: &MarkedDoc, facts: &[LineFacts], after: &[usize]) -> bool {
    after
        .iter()
        .take(COMMENTS_SPAN)
        .any(|&j| facts[j].n_words <= 15 && is_comment_meta(marked.norm(j)))
}

/// The structure marker a line acts as: its own ([`LineFacts::marker`]) on a line of at most
/// [`MARKER_LINE_WORDS`] words; an end-of-article marker asks no question ("How do we
/// attract more comments?" is the article's, though it ends as "200 comments" does; "Read
/// more: Will elephants still roam the earth?" is a related link).
fn line_marker(f: &LineFacts, text: &str) -> Option<Marker> {
    f.marker.filter(|&m| {
        f.n_words <= MARKER_LINE_WORDS && !(m == Marker::Footer && text.ends_with(['?', '？']))
    })
}

/// Reader comments' headers that make a thread, among [`THREAD_SPAN`] live lines.
const THREAD_HEADERS: usize = 3;
const THREAD_SPAN: usize = 12;

/// Where a thread of reader comments starts, as an index of `alive`: the first comment header
/// with a date and a time ("Peter Flom 07.08.12 at 13:24"; not a page's dateline, nor an
/// embedded post's stamp under its `@handle`), or a name that says ("Paula said,", six words
/// at most: [`is_said_line`]), below two or more prose lines of the text, that
/// [`THREAD_HEADERS`] − 1 more follow within [`THREAD_SPAN`] live lines, each within that
/// span of the next down to the page's last prose line of text (a run of dated headers that
/// stops short of it, a widget's, is passed over). A thread without a marker
/// above it ("{ 18 comments… read them below or add one }") reads as prose, comment by
/// comment.
fn thread_start(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    alive: &[usize],
    is_text: &[bool],
) -> Option<usize> {
    let is_header = |k: usize| {
        let i = alive[k];
        let n_words = facts[i].n_words;
        n_words <= 15 && {
            let norm = marked.norm(i);
            ((is_stamp(norm) && !is_dateline(norm)) || (n_words <= 6 && is_said_line(norm)))
                && !follows_handle(&alive[..k], marked)
        }
    };
    let is_prose_text = |k: usize| is_text[alive[k]] && facts[alive[k]].is_prose();
    let last_text = (0..alive.len()).rev().find(|&k| is_prose_text(k))?;
    let mut n_prose = 0;
    for k in 0..alive.len() {
        if n_prose >= 2 && is_header(k) {
            let later = (k + 1..(k + 1 + THREAD_SPAN).min(alive.len()))
                .filter(|&j| is_header(j))
                .count();
            if later + 1 >= THREAD_HEADERS {
                // The headers go on down to the page's last text: a widget of dated reviews
                // above the article stops short of it.
                let mut last_header = k;
                for j in k + 1..alive.len() {
                    if j > last_header + THREAD_SPAN {
                        break;
                    }
                    if is_header(j) {
                        last_header = j;
                    }
                }
                if last_text <= last_header + THREAD_SPAN {
                    return Some(k);
                }
            }
        }
        n_prose += usize::from(is_prose_text(k));
    }
    None
}

/// The most words a line may have to act as a structure marker ("Related", "Comments").
const MARKER_LINE_WORDS: u32 = 12;

/// A data table is text as a whole or not at all: a run of consecutive live table cells
/// (HTML input), none of them prose, is text when its cells' mean score reaches `threshold`.
/// The classifier scores each cell alone, and a table kept in part ("20", "20", "20" without
/// the header and the teams) reads as nothing. Cells that hold prose (an old page laid out in
/// a table) are left to the classifier. See: issue 10.
fn keep_tables_whole(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    alive: &[usize],
    threshold: f32,
    is_text: &mut [bool],
) {
    let Some(markup) = marked.markup.as_deref() else {
        return;
    };
    let is_cell = |i: usize| markup.line(i).is_some_and(|t| t.block == Block::Cell);
    let mut k = 0;
    while k < alive.len() {
        if !is_cell(alive[k]) {
            k += 1;
            continue;
        }
        let start = k;
        while k < alive.len() && is_cell(alive[k]) {
            k += 1;
        }
        let run = &alive[start..k];
        if run.len() < 2 || run.iter().any(|&i| facts[i].is_prose()) {
            continue;
        }
        let mean = run.iter().map(|&i| scores[i]).sum::<f32>() / run.len() as f32;
        for &i in run {
            is_text[i] = mean >= threshold;
        }
    }
}

/// Whether line `i` is in the page's `footer` element, outside any content container (HTML
/// input): the page's end, as an end-of-article marker is. See: issue 10.
fn is_page_footer(marked: &MarkedDoc, i: usize) -> bool {
    marked
        .markup
        .as_deref()
        .and_then(|m| m.line(i))
        .is_some_and(|t| t.roles.contains(Roles::FOOTER) && !t.roles.intersects(CONTAINER))
}

/// The best block of a page whose lines all score low, as a range of `alive` (the page's live
/// lines in order): of the runs of consecutive live lines that score at least
/// [`FALLBACK_SHARE`] of the page's `best` score and hold a prose line, the one with the most
/// expected words of text (the sum of score × words). `None` when no run holds prose.
fn fallback_block(
    facts: &[LineFacts],
    scores: &[f32],
    alive: &[usize],
    best: f32,
) -> Option<std::ops::Range<usize>> {
    if best <= 0.0 {
        return None;
    }
    let cut = FALLBACK_SHARE * best;
    let mut picked: Option<(f32, std::ops::Range<usize>)> = None;
    let mut k = 0;
    while k < alive.len() {
        if scores[alive[k]] < cut {
            k += 1;
            continue;
        }
        let start = k;
        while k < alive.len() && scores[alive[k]] >= cut {
            k += 1;
        }
        let run = &alive[start..k];
        if !run.iter().any(|&i| facts[i].is_prose()) {
            continue;
        }
        let value: f32 = run
            .iter()
            .map(|&i| scores[i] * facts[i].n_words as f32)
            .sum();
        if picked.as_ref().is_none_or(|(most, _)| value > *most) {
            picked = Some((value, start..k));
        }
    }
    picked.map(|(_, block)| block)
}

/// A site's own end-of-article line ("Comments" on each of its pages): removed as site
/// template before the classifier, it still says where the article ends.
fn is_template_footer(marked: &MarkedDoc, facts: &[LineFacts], j: usize) -> bool {
    marked.lines[j].verdict == Verdict::Removed(Reason::SiteTemplate)
        && facts[j].n_words <= MARKER_LINE_WORDS
        && facts[j].marker == Some(Marker::Footer)
}

/// Where bylines and datelines sit, as a range of `alive`: between the headline (the first
/// title candidate) and the body's first prose line, at most eight lines above it.
fn head_zone(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    alive: &[usize],
    is_text: &[bool],
) -> std::ops::Range<usize> {
    let first_body = alive
        .iter()
        .position(|&i| is_text[i] && facts[i].is_prose());
    let title_k = alive
        .iter()
        .position(|&i| marked.lines[i].verdict == Verdict::TitleCandidate);
    first_body.map_or(0..0, |body| {
        title_k.map_or(0, |t| t + 1).max(body.saturating_sub(8))..body
    })
}

/// The verdict of every live line (`None` for the others) when the lines of `is_text` are the
/// text, in one pass over `alive` in document order.
fn roles(
    marked: &MarkedDoc,
    facts: &[LineFacts],
    scores: &[f32],
    policy: &Policy,
    alive: &[usize],
    is_text: &[bool],
) -> Vec<Option<Verdict>> {
    let n = marked.lines.len();
    let head_zone = head_zone(marked, facts, alive, is_text);
    let mut has_byline = false;
    let mut has_published = false;
    // The publication date over an update's ("Updated 14:16 GMT, 3 May 2024"), which a page
    // adds above the body when it changes: the same article then keeps the same date and
    // body. Out of fold, recrawls that gained such a line kept their body 0.656 -> 0.661 of
    // the time, F1 unchanged (text 0.9292, HTML 0.9543). See: issue 10.
    let is_head_date =
        |i: usize| facts[i].n_words <= 10 && facts[i].shape(marked.norm(i)).date_like;
    let skip_updates = (alive.get(head_zone.clone()).unwrap_or_default().iter())
        .any(|&i| is_head_date(i) && !is_update_line(marked.norm(i)));

    let mut verdicts: Vec<Option<Verdict>> = vec![None; n];
    let mut has_title = false;
    let mut is_body_started = false;
    let mut is_in_related = false;
    let mut is_footer = false;
    // Past an end-of-article marker that a reader comment's header follows: nothing is kept.
    let mut is_comments = false;
    // The words of the text's prose lines among some live lines.
    let text_words = |lines: &[usize]| -> u32 {
        (lines.iter().filter(|&&j| is_text[j] && facts[j].is_prose()))
            .map(|&j| facts[j].n_words)
            .sum()
    };
    let mut n_prose_kept = 0u32;
    // The text from `alive[from]` on is at most [`FOOTER_TEXT_RATIO`] times the text above
    // `alive[k]`: a marker there can end the article.
    let little_text_follows = |from: usize, k: usize| {
        text_words(&alive[from..]) <= FOOTER_TEXT_RATIO * text_words(&alive[..k])
    };
    let thread = thread_start(marked, facts, alive, is_text);
    for (k, &i) in alive.iter().enumerate() {
        let text = marked.line_text(i);
        let f = &facts[i];
        if thread == Some(k) {
            is_footer = true;
            is_comments = true;
        }
        if is_body_started && !is_footer {
            let after_previous = k.checked_sub(1).map_or(0, |p| alive[p] + 1);
            if (after_previous..i).any(|j| is_template_footer(marked, facts, j)) {
                // A reader comment's header under the site's "Comments" starts the thread,
                // however sure the classifier is of the comments.
                is_comments = opens_comments(marked, facts, &alive[k..]);
                is_footer = is_comments || (!is_text[i] && little_text_follows(k, k));
            }
        }
        // Past an end-of-article marker, and in the page's footer element once the body has
        // started, only lines the classifier is sure of are kept.
        let is_in_footer = is_footer || (is_body_started && is_page_footer(marked, i));
        let verdict = if is_in_footer && (is_comments || scores[i] < policy.footer_keep) {
            Verdict::Removed(Reason::Footer)
        } else if marked.lines[i].verdict == Verdict::TitleCandidate && !has_title {
            has_title = true;
            Verdict::Kept(Role::Title)
        } else if head_zone.contains(&k) && f.n_words <= 15 && {
            let norm = marked.norm(i);
            (!has_byline && is_author_line(norm))
                || (!has_published && is_head_date(i) && !(skip_updates && is_update_line(norm)))
        } {
            if !has_byline && is_author_line(marked.norm(i)) {
                has_byline = true;
                Verdict::Kept(Role::Byline)
            } else {
                has_published = true;
                Verdict::Kept(Role::Published)
            }
        } else {
            let is_count = || f.n_words <= MARKER_WORDS && is_comment_count(marked.norm(i));
            match line_marker(f, text).or_else(|| is_count().then_some(Marker::Footer)) {
                Some(Marker::Footer) if is_body_started => {
                    // A marker above most of the text is a teaser's or a widget's ("200
                    // Comments" under a summary at the top of the page), not the article's end;
                    // a theme's count heads the thread below it, whatever its length.
                    let is_count = is_count();
                    is_footer = is_count || n_prose_kept > 1 || little_text_follows(k + 1, k);
                    is_comments =
                        is_footer && (is_count || opens_comments(marked, facts, &alive[k + 1..]));
                    Verdict::Removed(Reason::Footer)
                }
                Some(Marker::Related) if is_body_started => {
                    is_in_related = !is_inline_link(marked.norm(i));
                    Verdict::Removed(Reason::Related)
                }
                _ if is_in_related && is_teaser(text) => Verdict::Removed(Reason::Related),
                _ if is_in_related && is_title_like(f) && scores[i] < policy.related_keep => {
                    Verdict::Kept(Role::Related)
                }
                _ => {
                    is_in_related = false;
                    if !is_body_started && f.bullet.is_some() && f.n_words >= 4 {
                        Verdict::Kept(Role::Summary)
                    } else if is_text[i] {
                        is_body_started = true;
                        n_prose_kept += u32::from(f.is_prose());
                        let next_is_paragraph = alive
                            .get(k + 1)
                            .is_some_and(|&j| is_text[j] && facts[j].is_prose());
                        if next_is_paragraph && is_heading_shape(text, f) {
                            Verdict::Kept(Role::Heading)
                        } else {
                            Verdict::Kept(Role::Paragraph)
                        }
                    } else {
                        Verdict::Removed(Reason::LowScore(scores[i]))
                    }
                }
            }
        };
        verdicts[i] = Some(verdict);
    }
    verdicts
}

/// Builds the article from the roles of the lines.
fn build(marked: &MarkedDoc, facts: &[LineFacts], title: Option<Candidate>) -> Article {
    let mut article = Article {
        seq: marked.seq,
        id: marked.id.clone(),
        source: marked.source.clone(),
        stats: ArticleStats::from_doc(&marked.stats),
        ..Article::default()
    };
    let mut removed_lines = Vec::new();
    // `Article::normalized_body` from the lines' normal forms: the summary's, then the
    // sections' (the order of `Article::text_lines`).
    let (mut summary_norm, mut sections_norm) = (String::new(), String::new());
    // The words of `Article::text_lines`: a whole line's from its facts.
    let mut n_words = 0;
    for (i, line) in marked.lines.iter().enumerate() {
        if line.verdict != Verdict::Blank {
            article.stats.n_lines += 1;
        }
        let text = marked.line_text(i);
        match &line.verdict {
            Verdict::Kept(role) => {
                article.stats.n_kept += 1;
                match role {
                    Role::Title => {
                        let part = title
                            .filter(|c| c.line == i)
                            .map_or(text, |c| &marked.text[c.start..c.end]);
                        n_words += count_words(part);
                        article.title = Some(part.to_owned());
                    }
                    Role::Summary => {
                        let skip = facts[i].bullet.map_or(0, usize::from);
                        n_words += count_words(&text[skip..]);
                        article.summary.push(text[skip..].to_owned());
                        // Without its bullet: a text the page does not have as a line.
                        normalize_append(&text[skip..], &mut summary_norm);
                        summary_norm.push('\n');
                    }
                    Role::Byline => article.byline = Some(text.to_owned()),
                    Role::Published => {
                        // Once per article: the date line alone is parsed.
                        article.published = crate::dates::iso_date(text);
                        article.published_text = Some(text.to_owned());
                    }
                    Role::Heading => {
                        n_words += facts[i].n_runs as usize;
                        article.sections.push(Section {
                            heading: Some(text.to_owned()),
                            paragraphs: Vec::new(),
                        });
                        sections_norm.push_str(marked.norm(i));
                        sections_norm.push('\n');
                    }
                    Role::Paragraph => {
                        if article.sections.is_empty() {
                            article.sections.push(Section::default());
                        }
                        let section = article.sections.last_mut().expect("a section exists");
                        section.paragraphs.push(text.to_owned());
                        n_words += facts[i].n_runs as usize;
                        sections_norm.push_str(marked.norm(i));
                        sections_norm.push('\n');
                    }
                    Role::Related => article.related.push(text.to_owned()),
                }
            }
            Verdict::Removed(reason) => {
                removed_lines.push((i, reason.name()));
            }
            Verdict::Blank | Verdict::Undecided | Verdict::TitleCandidate => {}
        }
    }
    // What the page's markup says, where the text has no byline or date line.
    if let Some(meta) = marked.markup.as_deref().map(|m| &m.meta) {
        if article.byline.is_none() {
            article.byline = meta.author.clone().or_else(|| meta.ld_author.clone());
        }
        if article.published.is_none() {
            // Read as ISO 8601 the way a date line is (`2019-03-14T08:30:00Z` stays as it is).
            let stamp = meta.published.as_deref().or(meta.ld_published.as_deref());
            article.published = stamp.and_then(crate::dates::iso_date);
        }
    }
    summary_norm.push_str(&sections_norm);
    article.body_norm = Some(Box::new(summary_norm));
    // The removed lines counted by their reason's static name (the same address for the same
    // reason, so seldom a string compare), then copied into the map once per reason.
    let mut removed_counts: Vec<(&'static str, u32)> = Vec::new();
    for &(_, name) in &removed_lines {
        match (removed_counts.iter_mut()).find(|(n, _)| std::ptr::eq(*n, name) || *n == name) {
            Some((_, n)) => *n += 1,
            None => removed_counts.push((name, 1)),
        }
    }
    for (name, n) in removed_counts {
        *article.stats.removed.entry(name.to_owned()).or_default() += n;
    }
    article.stats.removed_sample = sample_removed(marked, &removed_lines);
    debug_assert_eq!(
        n_words,
        article.text_lines().map(count_words).sum::<usize>()
    );
    article.stats.n_words = n_words as u32;
    article
}

/// The first and last removed lines, [`ArticleStats::MAX_SAMPLE_LINES`] at most: page headers
/// and footers, where site boilerplate sits.
fn sample_removed(marked: &MarkedDoc, removed: &[(usize, &'static str)]) -> Vec<RemovedLine> {
    let half = ArticleStats::MAX_SAMPLE_LINES / 2;
    let picked: Vec<&(usize, &str)> = if removed.len() <= 2 * half {
        removed.iter().collect()
    } else {
        removed[..half]
            .iter()
            .chain(&removed[removed.len() - half..])
            .collect()
    };
    picked
        .into_iter()
        .map(|&(i, reason)| RemovedLine {
            reason: reason.into(),
            text: first_chars(marked.line_text(i), ArticleStats::MAX_SAMPLE_CHARS).to_owned(),
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use newsclean_core::{LineTags, Markup, PageMeta};

    use super::*;

    /// A test line's verdict from dedupe (`T:` a title candidate, `S:` site template), and
    /// the line without its prefix.
    fn verdict_prefix(line: &str) -> (Option<Verdict>, &str) {
        if let Some(rest) = line.strip_prefix("T:") {
            (Some(Verdict::TitleCandidate), rest)
        } else if let Some(rest) = line.strip_prefix("S:") {
            (Some(Verdict::Removed(Reason::SiteTemplate)), rest)
        } else {
            (None, line)
        }
    }

    /// A test line's markup prefix (see [`check`]) as its tags, and the line without it.
    fn markup_prefix(line: &str) -> (&str, Option<LineTags>) {
        if let Some(rest) = line.strip_prefix("<td>") {
            let cell = LineTags {
                block: Block::Cell,
                roles: Roles::TABLE,
                link: 0,
            };
            (rest, Some(cell))
        } else if let Some((rest, roles, link)) = [
            ("<p>", Roles::ARTICLE, 0),
            ("<p linked>", Roles::ARTICLE, u8::MAX),
            ("<aside>", Roles::ASIDE, 0),
        ]
        .iter()
        .find_map(|&(tag, roles, link)| Some((line.strip_prefix(tag)?, roles, link)))
        {
            let paragraph = LineTags {
                block: Block::Paragraph,
                roles,
                link,
            };
            (rest, Some(paragraph))
        } else if let Some(rest) = line.strip_prefix("<footer>") {
            let footer = LineTags {
                roles: Roles::FOOTER,
                ..LineTags::default()
            };
            (rest, Some(footer))
        } else {
            (line, None)
        }
    }

    /// The single place that runs segment in these tests. Lines starting with `T:` are title
    /// candidates, as dedupe would mark them, and lines starting with `S:` are removed as site
    /// template, as the site model would; a line starting with `<td>` is a table cell and
    /// one starting with `<footer>` is in the page's footer element, one starting with `<p>` a
    /// paragraph in the article element (`<p linked>`: all of it a link) and one starting with
    /// `<aside>` a paragraph in an aside (the page then has markup, as HTML input); a line
    /// starting with `@0.05 ` scores 0.05 instead of the stand-in
    /// score below. Returns `role | line` rows.
    fn check(text: &str) -> String {
        check_with(text, f32::INFINITY)
    }

    /// [`check`] with a policy that keeps a line past an end-of-article marker when it scores
    /// at least `footer_keep`.
    fn check_with(text: &str, footer_keep: f32) -> String {
        let mut given_verdicts = Vec::new();
        let mut given_scores = Vec::new();
        let mut tags = Vec::new();
        let body: Vec<&str> = text
            .lines()
            .enumerate()
            .map(|(i, line)| {
                let (verdict, line) = verdict_prefix(line);
                given_verdicts.extend(verdict.map(|v| (i, v)));
                let (line, tag) = markup_prefix(line);
                tags.push(tag);
                match line.strip_prefix('@').and_then(|rest| rest.split_once(' ')) {
                    Some((score, rest)) => {
                        given_scores.push((i, score.parse::<f32>().expect("a score")));
                        rest
                    }
                    None => line,
                }
            })
            .collect();
        let (mut marked, facts) = crate::test_support::marked(&body.join("\n"));
        for (i, verdict) in given_verdicts {
            marked.lines[i].verdict = verdict;
        }
        if tags.iter().any(Option::is_some) {
            marked.markup = Some(Box::new(Markup {
                lines: tags.into_iter().map(Option::unwrap_or_default).collect(),
                meta: PageMeta::default(),
            }));
        }
        // Scores stand in for the model here: prose is text, and so is a short line between two
        // prose lines; anything else is not.
        let is_prose = |i: Option<&LineFacts>| i.is_some_and(LineFacts::is_prose);
        let mut scores: Vec<f32> = (0..facts.len())
            .map(|i| {
                let sandwiched = i > 0 && is_prose(facts.get(i - 1)) && is_prose(facts.get(i + 1));
                if facts[i].is_prose() || sandwiched {
                    0.9
                } else {
                    0.1
                }
            })
            .collect();
        for (i, score) in given_scores {
            scores[i] = score;
        }
        // The shipped models' policy: a page whose best line scores low keeps the lines
        // scoring at least half its best, and at least 0.1.
        let policy = Policy {
            relative: 0.5,
            floor: 0.1,
            footer_keep,
            ..Policy::fixed(0.5)
        };
        assign_roles(&mut marked, &facts, &scores, &policy);
        // The body's normal forms built with the article are those the definition gives.
        let article = build(&marked, &facts, None);
        let stored = *article
            .body_norm
            .clone()
            .expect("segment stores the normal forms");
        let computed = Article {
            body_norm: None,
            ..article
        };
        assert_eq!(
            stored,
            computed.normalized_body(),
            "the stored normal forms"
        );
        (0..marked.lines.len())
            .filter(|&i| marked.lines[i].verdict != Verdict::Blank)
            .map(|i| {
                let verdict = match &marked.lines[i].verdict {
                    Verdict::Kept(role) => role.name().to_owned(),
                    Verdict::Removed(reason) => format!("x {}", reason.name()),
                    other => format!("{other:?}"),
                };
                format!("{verdict:<13}| {}", marked.line_text(i))
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn first_chars_cut_at_a_character() {
        assert_eq!(first_chars("Ünïcödé", 3), "Ünï");
        assert_eq!(first_chars("ab", 5), "ab");
        assert_eq!(first_chars("", 0), "");
        let words: Vec<&str> = words("title: a sub-title").collect();
        assert_eq!(words, ["title", "a", "sub", "title"]);
    }

    #[test]
    fn heading_summary_related_footer() {
        let got = check(
            "T:The headline
Home
• First summary point is here.
The first paragraph is a real sentence with many words in it.
A sub heading
The second paragraph is also a sentence with words.
Also Read
Another story title
A teaser that trails off...
Next Story
The third paragraph after the footer is not kept at all.",
        );
        assert_eq!(
            got,
            "title        | The headline
x low_score  | Home
summary      | • First summary point is here.
paragraph    | The first paragraph is a real sentence with many words in it.
heading      | A sub heading
paragraph    | The second paragraph is also a sentence with words.
x related    | Also Read
related      | Another story title
x related    | A teaser that trails off...
x footer     | Next Story
x footer     | The third paragraph after the footer is not kept at all."
        );
    }

    #[test]
    fn the_publication_date_over_an_updates() {
        let page = |update: &str| {
            format!(
                "T:The headline
{update}By Sam Ortiz
May 2, 2024
The first paragraph is a real sentence with many words in it.
The second paragraph is also a sentence with words."
            )
        };
        let dated = "title        | The headline
byline       | By Sam Ortiz
published    | May 2, 2024
paragraph    | The first paragraph is a real sentence with many words in it.
paragraph    | The second paragraph is also a sentence with words.";
        assert_eq!(check(&page("")), dated);
        let updated = check(&page("Updated 14:16 GMT, 3 May 2024\n"));
        assert_eq!(
            updated,
            dated.replacen(
                "\nbyline",
                "\nx low_score  | Updated 14:16 GMT, 3 May 2024\nbyline",
                1
            )
        );
        // Without another date the update's is the page's only date.
        let only = check(
            "T:The headline
Updated 14:16 GMT, 3 May 2024
The first paragraph is a real sentence with many words in it.",
        );
        assert!(only.contains("published    | Updated 14:16 GMT"), "{only}");
    }

    #[test]
    fn related_block_in_the_middle_ends_at_prose() {
        let got = check(
            "The first paragraph is a real sentence with many words in it.
Related
Other story one
Other story two
The body goes on here with another long sentence of words.",
        );
        assert_eq!(
            got,
            "paragraph    | The first paragraph is a real sentence with many words in it.
x related    | Related
related      | Other story one
related      | Other story two
paragraph    | The body goes on here with another long sentence of words."
        );
    }

    #[test]
    fn a_marker_with_its_link_on_its_line_opens_no_block() {
        // "Read more: <a story>" is one link inside the article: the sub-heading under it is
        // the article's. A bare "Read more:" heads a block of links.
        let page = |marker: &str| {
            check(&format!(
                "The first paragraph is a real sentence with many words in it.
{marker}
@0.9 Freedom fighters replace colonial leaders
The body goes on here with another long sentence of words."
            ))
        };
        let second = |got: String| got.lines().nth(2).unwrap_or_default().to_owned();
        assert_eq!(
            second(page("Read more: Germany confronts its colonial past")),
            "heading      | Freedom fighters replace colonial leaders"
        );
        for marker in ["Read more:", "Related", "Read more: Europe"] {
            assert_eq!(
                second(page(marker)),
                "related      | Freedom fighters replace colonial leaders",
                "{marker}"
            );
        }
    }

    #[test]
    fn footer_marker_before_the_body_does_not_end_the_article() {
        let got =
            check("Contact Us\nThe first paragraph is a real sentence with many words in it.");
        assert_eq!(
            got,
            "x low_score  | Contact Us\nparagraph    | The first paragraph is a real sentence with many words in it."
        );
    }

    #[test]
    fn low_scores_keep_the_best_block() {
        // The best line scores under the policy's floor, so the threshold keeps nothing; the
        // run of lines scoring at least half the best that holds the most expected words of
        // text is kept instead, and the page is not emptied. See: issue 10.
        let got = check(
            "T:@0.02 The headline
@0.06 Ten things I believe
@0.01 Blogroll
@0.05 The story starts here, with a sentence of many words in it.
@0.04 It goes on in another sentence, as stories do.
@0.01 Listed below are links to weblogs that reference the story.",
        );
        assert_eq!(
            got,
            "title        | The headline
x low_score  | Ten things I believe
x low_score  | Blogroll
paragraph    | The story starts here, with a sentence of many words in it.
paragraph    | It goes on in another sentence, as stories do.
x low_score  | Listed below are links to weblogs that reference the story."
        );
    }

    #[test]
    fn low_scores_without_prose_keep_nothing() {
        // No line reads like text: a page of menus stays empty (and becomes a reject).
        let got = check("T:@0.02 The headline\n@0.06 Home\n@0.05 News\n@0.04 Sport");
        assert_eq!(
            got,
            "title        | The headline
x low_score  | Home
x low_score  | News
x low_score  | Sport"
        );
    }

    #[test]
    fn the_policy_threshold_wins_when_it_keeps_a_line() {
        // Half the best (0.15) keeps the short line alone; the fallback does not fire.
        let got = check(
            "@0.3 A short line\n@0.1 The story starts here, with a sentence of many words in it.",
        );
        assert_eq!(
            got,
            "paragraph    | A short line
x low_score  | The story starts here, with a sentence of many words in it."
        );
    }

    #[test]
    fn prose_between_kept_paragraphs_is_kept() {
        // The page's threshold is 0.45 (half the best), the gap rule's floor 0.225: the doubted
        // paragraph between two kept ones stays; the one scoring under the floor, the short
        // line and the paragraph after the last kept one do not.
        let got = check(
            "@0.9 The first paragraph is a real sentence with many words in it, and more.
@0.3 The second paragraph is doubted by the model but reads as one, with many words.
@0.1 A third paragraph with many words that the model is quite sure is not the story.
@0.3 A short line.
@0.9 The fourth paragraph is a real sentence with many words in it, and more.
@0.3 After the article a paragraph of many words that the model doubts as well.",
        );
        assert_eq!(
            got,
            "paragraph    | The first paragraph is a real sentence with many words in it, and more.
paragraph    | The second paragraph is doubted by the model but reads as one, with many words.
x low_score  | A third paragraph with many words that the model is quite sure is not the story.
x low_score  | A short line.
paragraph    | The fourth paragraph is a real sentence with many words in it, and more.
x low_score  | After the article a paragraph of many words that the model doubts as well."
        );
    }

    #[test]
    fn the_articles_doubted_last_paragraph_is_kept_on_html_input() {
        // The threshold is 0.45, the tail's floor 0.27. Below the last kept paragraph, a
        // paragraph in the same container stays; one in an aside, or all of it a link, or
        // under the floor, does not, and nothing past it does.
        let head = "<p>@0.9 The first paragraph is a real sentence with many words in it, and more.
<p>@0.9 The second paragraph is a real sentence with many words in it, and more.
";
        let last = "The article's last paragraph, doubted by the model, has many words in it.";
        let rail =
            "@0.35 A paragraph of another story, in a rail beside the article, with many words.";
        let after = |tail: &str| {
            let got = check(&format!("{head}{tail}\n<p>{rail}"));
            got.lines().last().unwrap_or_default().to_owned()
        };
        let tail_of = |tail: &str| {
            let got = check(&format!("{head}{tail}\n<aside>{rail}"));
            got.lines().nth(2).unwrap_or_default().to_owned()
        };
        assert_eq!(
            tail_of(&format!("<p>@0.35 {last}")),
            format!("paragraph    | {last}")
        );
        for tail in [
            format!("<aside>@0.35 {last}"),
            format!("<p linked>@0.35 {last}"),
            format!("<p>@0.2 {last}"),
            format!("@0.35 {last}"),
        ] {
            assert_eq!(tail_of(&tail), format!("x low_score  | {last}"), "{tail}");
        }
        // The rule takes consecutive lines of the container only, up to its span.
        assert_eq!(
            after(&format!("<p>@0.35 {last}")),
            format!("paragraph    | {}", &rail[6..])
        );
        assert_eq!(
            after(&format!("<p>@0.2 {last}")),
            format!("x low_score  | {}", &rail[6..])
        );
    }

    #[test]
    fn a_footer_marker_above_most_of_the_text_does_not_end_it() {
        // "200 comments" under a teaser at the top: three times the teaser's words follow, so
        // the article goes on. The second marker, below it, ends it.
        let got = check(
            "A teaser of the story at the top of the page, with some words.
200 comments
The article starts here with a long sentence of many words in it.
It goes on in a second paragraph with another long sentence of words.
A third paragraph of the story follows with many more words in it.
Next story
A paragraph of the next story with a long sentence of many words.",
        );
        assert_eq!(
            got,
            "paragraph    | A teaser of the story at the top of the page, with some words.
x footer     | 200 comments
paragraph    | The article starts here with a long sentence of many words in it.
paragraph    | It goes on in a second paragraph with another long sentence of words.
paragraph    | A third paragraph of the story follows with many more words in it.
x footer     | Next story
x footer     | A paragraph of the next story with a long sentence of many words."
        );
    }

    #[test]
    fn a_site_templates_end_of_article_line_ends_it() {
        // The site's "Comments" line, removed as template before the classifier: the story
        // teased below it is not the article's.
        let page = "The article starts here with a long sentence of many words in it.
It goes on in a second paragraph with another long sentence of words.
S:Comments
Latest video
@0.8 A paragraph of the next story, with a long sentence of many words.";
        assert_eq!(
            check(page),
            "paragraph    | The article starts here with a long sentence of many words in it.
paragraph    | It goes on in a second paragraph with another long sentence of words.
x site_template| Comments
x footer     | Latest video
x footer     | A paragraph of the next story, with a long sentence of many words."
        );
        // Text right after it: the line was in a box inside the article (a newsletter form's
        // "Privacy Policy"), and the article goes on.
        assert_eq!(
            check(&page.replace("Latest video\n", "")),
            "paragraph    | The article starts here with a long sentence of many words in it.
paragraph    | It goes on in a second paragraph with another long sentence of words.
x site_template| Comments
paragraph    | A paragraph of the next story, with a long sentence of many words."
        );
    }

    #[test]
    fn a_rail_of_excerpts_is_not_text() {
        // The article, then `n` other stories' first paragraphs, each with its link scored
        // `link`.
        let page_with = |n: usize, link: f32| {
            let mut lines = vec![
                "The article starts here with a long sentence of many words in it.".to_owned(),
                "It goes on in a second paragraph with another long sentence of words.".to_owned(),
                "And a third paragraph closes it with yet another long sentence here.".to_owned(),
                "@0.05 Most Popular".to_owned(),
            ];
            for k in 0..n {
                lines.push(format!(
                    "Story {k} opens with a long sentence of many words in it."
                ));
                lines.push(format!("@{link} Continue Reading »"));
            }
            check(&lines.join("\n"))
        };
        let page = |n: usize| page_with(n, 0.05);
        let kept = |got: &str| got.lines().filter(|l| l.starts_with("paragraph")).count();
        assert_eq!(kept(&page(MIN_EXCERPTS)), 3, "{}", page(MIN_EXCERPTS));
        // Fewer links are no rail: a "Read more" or two inside an article.
        assert_eq!(kept(&page(MIN_EXCERPTS - 1)), 3 + MIN_EXCERPTS - 1);
        // Links the classifier keeps as text: the excerpts above them go all the same.
        let got = page_with(MIN_EXCERPTS, 0.9);
        let is_story = |l: &str| l.starts_with("paragraph") && l.contains("| Story ");
        assert!(!got.lines().any(is_story), "{got}");
    }

    #[test]
    fn a_doubted_lead_just_above_the_body_is_text() {
        // The lead scoring `lead` (the threshold is 0.5), `menu` lines under it.
        let page = |lead: f32, menu: usize, title_between: bool| {
            let mut lines = vec![format!(
                "@{lead} The Harbor eight won the autumn regatta by half a length on Sunday afternoon."
            )];
            if title_between {
                lines.push("T:@0.02 Harbor crew wins the regatta".to_owned());
            }
            lines.extend((0..menu).map(|k| format!("@0.05 Share {k}")));
            lines.push(
                "The win is the club's first in the regatta since it was founded, and it was close."
                    .to_owned(),
            );
            lines.push("It goes on in a second paragraph with another long sentence.".to_owned());
            check(&lines.join("\n"))
        };
        let first = |got: String| got.lines().next().unwrap_or_default().to_owned();
        let lead = "The Harbor eight won the autumn regatta by half a length on Sunday afternoon.";
        assert_eq!(first(page(0.4, 2, false)), format!("paragraph    | {lead}"));
        // Scored under LEAD_SHARE of the threshold, further up than LEAD_SPAN live lines, or
        // above a title candidate: not text.
        for (score, menu, title) in [(0.3, 2, false), (0.4, LEAD_SPAN, false), (0.4, 0, true)] {
            assert_eq!(
                first(page(score, menu, title)),
                format!("x low_score  | {lead}"),
                "{score} {menu} {title}"
            );
        }
    }

    #[test]
    fn text_past_a_long_gap_after_the_article_is_another_story() {
        // The article, `gap` lines that are not text (the last a comment's header when
        // `header`), and a comment.
        let page = |gap: usize, header: bool| {
            let mut lines = vec![
                "The article starts here with a long sentence of many words in it.".to_owned(),
                "It goes on in a second paragraph with another long sentence of words.".to_owned(),
            ];
            lines.extend((0..gap - usize::from(header)).map(|k| format!("Menu item {k}")));
            if header {
                lines.push("Reader1 says:".to_owned());
            }
            lines.push("Reader1 wrote a comment with a long sentence of many words.".to_owned());
            lines.join("\n")
        };
        let last = |got: String| got.lines().last().unwrap_or_default().to_owned();
        assert_eq!(
            last(check(&page(STORY_GAP, true))),
            "x low_score  | Reader1 wrote a comment with a long sentence of many words."
        );
        // A shorter gap, or one without a boundary (a list inside the article: a meal plan's
        // items), keeps it.
        for (gap, header) in [(STORY_GAP - 1, true), (STORY_GAP + 5, false)] {
            assert_eq!(
                last(check(&page(gap, header))),
                "paragraph    | Reader1 wrote a comment with a long sentence of many words.",
                "{gap} {header}"
            );
        }
        // The largest block is the article, wherever it is: text above it stays.
        let mut lines = vec!["A teaser with a long sentence of many words, at the top.".to_owned()];
        lines.extend((1..STORY_GAP).map(|k| format!("Menu item {k}")));
        lines.push("S:Most read".to_owned());
        lines.push(page(2, false));
        let got = check(&lines.join("\n"));
        assert!(got.starts_with("paragraph    | A teaser"), "{got}");
        assert!(
            got.ends_with(
                "paragraph    | Reader1 wrote a comment with a long sentence of many words."
            ),
            "{got}"
        );
    }

    #[test]
    fn a_gallerys_slides_are_not_text() {
        let got = check(
            "The article starts here with a long sentence of many words in it.
1 of 3
The first picture shows a crowd in the square, in a long caption of words.
2 of 3
The second picture shows the mayor at the podium, in a caption of many words.
3 of 3
The article goes on in a second paragraph with another long sentence of words.",
        );
        assert_eq!(
            got,
            "paragraph    | The article starts here with a long sentence of many words in it.
x low_score  | 1 of 3
x low_score  | The first picture shows a crowd in the square, in a long caption of words.
x low_score  | 2 of 3
x low_score  | The second picture shows the mayor at the podium, in a caption of many words.
x low_score  | 3 of 3
paragraph    | The article goes on in a second paragraph with another long sentence of words."
        );
        // Two counters are no gallery (nor a recipe's "1/3 cup" three times).
        let two = check(
            "The article starts here with a long sentence of many words in it.
1 of 2
The first picture shows a crowd in the square, in a long caption of words.
2 of 2",
        );
        assert!(two.contains("paragraph    | The first picture"), "{two}");
    }

    #[test]
    fn a_bare_timestamp_is_not_text() {
        let got = check(
            "The first update is a long sentence of many words about the storm.
18:15
The second update is another long sentence of many words about it.",
        );
        assert_eq!(
            got,
            "paragraph    | The first update is a long sentence of many words about the storm.
x low_score  | 18:15
paragraph    | The second update is another long sentence of many words about it."
        );
    }

    #[test]
    fn a_data_table_is_kept_whole_or_dropped_whole() {
        // Kept by the cells' mean score (0.5), whatever each cell scores alone.
        let table = "The first paragraph is a real sentence with many words in it.
<td>@0.6 Team
<td>@0.3 Points
<td>@0.3 Rovers
<td>@0.8 45";
        assert_eq!(
            check(table),
            "paragraph    | The first paragraph is a real sentence with many words in it.
paragraph    | Team
paragraph    | Points
paragraph    | Rovers
paragraph    | 45"
        );
        // Dropped by it (0.4).
        assert_eq!(
            check(&table.replace("@0.8 45", "@0.4 45")),
            "paragraph    | The first paragraph is a real sentence with many words in it.
x low_score  | Team
x low_score  | Points
x low_score  | Rovers
x low_score  | 45"
        );
        // Cells that hold prose (a page laid out in a table) are the classifier's, line by line.
        assert_eq!(
            check(
                "<td>@0.1 Home
<td>@0.9 The first paragraph is a real sentence with many words in it.
<td>@0.1 Contact"
            ),
            "x low_score  | Home
paragraph    | The first paragraph is a real sentence with many words in it.
x low_score  | Contact"
        );
    }

    #[test]
    fn the_page_footer_element_keeps_only_sure_lines() {
        let got = check(
            "<footer>@0.8 Business Daily is published by Example Media, all rights reserved.
The first paragraph is a real sentence with many words in it.
<footer>@0.8 Business Daily is published by Example Media, all rights reserved.",
        );
        // Before the body the footer element is nothing special (here: a paragraph); after it,
        // a line is kept only when it scores `footer_keep` (here: never), as past a marker.
        assert_eq!(
            got,
            "paragraph    | Business Daily is published by Example Media, all rights reserved.
paragraph    | The first paragraph is a real sentence with many words in it.
x footer     | Business Daily is published by Example Media, all rights reserved."
        );
    }

    #[test]
    fn a_comment_header_under_the_marker_ends_the_article_for_good() {
        // Past "270 Comments" a line scoring `footer_keep` (0.9) is kept, unless a reader
        // comment's header follows the marker: then the thread has started.
        let page = |header: &str| {
            check_with(
                &format!(
                    "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.
270 Comments
{header}
@0.95 I haven't seen the film yet, but your review really makes me want to see it."
                ),
                0.9,
            )
        };
        let last = |got: String| got.lines().last().unwrap_or_default().to_owned();
        let comment =
            "I haven't seen the film yet, but your review really makes me want to see it.";
        assert_eq!(
            last(page("Matt Jaycox | November 9, 2012 12:13 AM | Reply")),
            format!("x footer     | {comment}")
        );
        assert_eq!(
            last(page(
                "@0.95 The third paragraph goes on after a widget, with many words."
            )),
            format!("paragraph    | {comment}")
        );
        // A theme's count of the thread, however long the post's title in it, starts it.
        let counted = |count: &str| {
            let got = check_with(
                &format!(
                    "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.
{count}
@0.95 {comment}"
                ),
                0.9,
            );
            last(got)
        };
        let title = "“Interview With Rocky Angelucci, Author of a Book on Living Long, Part Two”";
        assert_eq!(
            counted(&format!("9 Responses to {title}")),
            format!("x footer     | {comment}")
        );
        assert_eq!(
            counted("9 responses to the survey came in"),
            format!("paragraph    | {comment}")
        );
    }

    #[test]
    fn item_numbers() {
        for (line, n) in [
            ("#1 Spend more time on the not-to-do list", Some(1)),
            ("2. Indifference is as important as passion.", Some(2)),
            ("3) Write another book", Some(3)),
            ("No. 4 Resolve to find your purpose", Some(4)),
            ("10 Plan vacations (now)", Some(10)),
            ("1 comment", None),
            ("2012 was a good year", None),
            ("#2", None),
        ] {
            assert_eq!(item_number(line), n, "{line}");
        }
    }

    #[test]
    fn a_numbered_list_the_article_goes_on_into_is_text() {
        let items = (1..=4)
            .map(|n| {
                format!(
                    "@0.2 #{n} Resolve to do thing number {n}\n@0.2 A paragraph about it, with a long sentence of many words."
                )
            })
            .collect::<Vec<_>>()
            .join("\n");
        let page = |lead: &str| {
            check(&format!(
                "The first paragraph is a real sentence with many words in it.
{lead}
{items}
@0.05 Ten other resolutions that successful people make, in a rail."
            ))
        };
        let n_kept = |got: &str| got.lines().filter(|l| !l.starts_with('x')).count();
        // Under the article's "Here are ten of my favorites:", items and paragraphs are text,
        // not the rail under them.
        assert_eq!(
            n_kept(&page("Here are ten of my favorites, in a long sentence.")),
            10
        );
        // Two lines under the article, the list is left to the classifier.
        let got = page("@0.05 Sponsored\n@0.05 Sponsored by a brand");
        assert_eq!(n_kept(&got), 1, "{got}");
    }

    #[test]
    fn a_question_is_no_end_of_article_marker() {
        // "… comments?" ends as "200 comments" does, but asks: the article goes on.
        let got = check(
            "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.
How do we attract more comments?
The third paragraph is a real sentence with many words in it.",
        );
        assert_eq!(
            got.lines().last(),
            Some("paragraph    | The third paragraph is a real sentence with many words in it.")
        );
        let got = check(
            "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.
Reader comments
The third paragraph is a real sentence with many words in it.",
        );
        assert_eq!(
            got.lines().last(),
            Some("x footer     | The third paragraph is a real sentence with many words in it.")
        );
    }

    #[test]
    fn a_comment_header_under_the_sites_comments_line_ends_the_article() {
        // The site's own "Comments" (site template) with a reader's comment under it, its
        // header after it (as Typepad prints them): the thread has started, however sure the
        // classifier is of the comment.
        let got = check_with(
            "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.
S:Comments
@0.95 Ha! Sixty for a low when your high is above a hundred is a dream, honestly.
Posted by: Ellen at September 10, 2012 11:40 AM",
            0.9,
        );
        assert_eq!(
            got.lines().nth(3),
            Some(
                "x footer     | Ha! Sixty for a low when your high is above a hundred is a dream, honestly."
            )
        );
    }

    #[test]
    fn a_thread_of_dated_comment_headers_ends_the_article() {
        let article = "The first paragraph is a real sentence with many words in it.
The second paragraph is a real sentence with many words in it.";
        let comment = |name: &str, time: &str| {
            format!(
                "{name} 07.08.12 at {time}\nI agree with every word of this post, and I would add one thing."
            )
        };
        let thread = [
            comment("Peter Flom", "13:24"),
            comment("Dave Tate", "14:02"),
            comment("Ann Lee", "15:40"),
        ];
        let kept = |page: &str| check(page).lines().filter(|l| !l.starts_with('x')).count();
        // Three dated headers under the article: the thread starts at the first.
        assert_eq!(kept(&format!("{article}\n{}", thread.join("\n"))), 2);
        // Two are not a thread.
        assert_eq!(kept(&format!("{article}\n{}", thread[..2].join("\n"))), 6);
        // Names that say are headers too.
        let says = ["Paula said,", "Dan said,", "Surio said,"].map(|name| {
            format!("{name}\nI agree with every word of this post, and I would add one thing.")
        });
        assert_eq!(kept(&format!("{article}\n{}", says.join("\n"))), 2);
        // Dated reviews in a widget above more of the article are not its end.
        let more =
            "The article goes on below the widget with a long sentence of words.\n".repeat(14);
        assert_eq!(
            kept(&format!("{article}\n{}\n{more}", thread.join("\n"))),
            2 + 6 + 14
        );
        // ... nor does such a widget hide the thread under the article.
        assert_eq!(
            kept(&format!(
                "{article}\n{}\n{more}{}",
                thread.join("\n"),
                thread.join("\n")
            )),
            2 + 6 + 14
        );
    }

    #[test]
    fn removed_sample_keeps_the_first_and_last_lines() {
        let mut text: Vec<String> = (0..100).map(|i| format!("Menu {i}")).collect();
        text.insert(
            50,
            "The first paragraph is a real sentence with many words in it.".into(),
        );
        let (mut marked, facts) = crate::test_support::marked(&text.join("\n"));
        let scores: Vec<f32> = facts
            .iter()
            .map(|f| if f.is_prose() { 0.9 } else { 0.1 })
            .collect();
        assign_roles(&mut marked, &facts, &scores, &Policy::fixed(0.5));
        let article = build(&marked, &facts, None);
        let sample: Vec<&str> = article
            .stats
            .removed_sample
            .iter()
            .map(|line| line.text.as_str())
            .collect();
        let expected: Vec<String> = (0..32)
            .chain(68..100)
            .map(|i| format!("Menu {i}"))
            .collect();
        assert_eq!(sample, expected);
        assert!(
            article
                .stats
                .removed_sample
                .iter()
                .all(|l| l.reason == "low_score")
        );
    }
}
