//! Dedupe tests: one helper renders every line with its verdict.

use newsclean_core::{Doc, DocSource, DocStats, Reason, Verdict};
use proptest::prelude::*;

use super::*;

fn doc(text: &str) -> Doc {
    Doc {
        seq: 0,
        id: "t".into(),
        source: DocSource::default(),
        text: text.into(),
        stats: DocStats::default(),
        markup: None,
    }
}

/// The single place that runs dedupe in these tests: one `verdict | line` row per line.
fn check(text: &str) -> String {
    let marked = mark(doc(text));
    (0..marked.lines.len())
        .map(|i| {
            let verdict = match &marked.lines[i].verdict {
                Verdict::Blank => "blank".to_owned(),
                Verdict::Undecided => "keep".to_owned(),
                Verdict::TitleCandidate => "TITLE".to_owned(),
                Verdict::Removed(Reason::Boilerplate(rule)) => format!("x {rule}"),
                Verdict::Removed(reason) => format!("x {}", reason.name()),
                Verdict::Kept(role) => role.name().to_owned(),
            };
            format!("{verdict:<20}| {}", marked.line_text(i))
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn repeated_headline_with_site_suffix() {
    let got = check(
        "Big storm hits coast | The Daily\nBig storm hits coast\nHome\nBig Storm Hits Coast\nRain fell all day.\n",
    );
    assert_eq!(
        got,
        "x repeated_headline | Big storm hits coast | The Daily
TITLE               | Big storm hits coast
keep                | Home
x repeated_headline | Big Storm Hits Coast
keep                | Rain fell all day."
    );
}

#[test]
fn headline_repeated_at_top_after_ads() {
    let got = check(
        "Advertisement\n  Same title here  \n\nSame title here\nSAME  Title here\nBody text.",
    );
    assert_eq!(
        got,
        "x ad-label          | Advertisement
TITLE               | Same title here
blank               | 
x repeated_headline | Same title here
x repeated_headline | SAME  Title here
keep                | Body text."
    );
}

#[test]
fn other_repeats_are_dropped_but_bullets_differ() {
    let got =
        check("T one two\nT one two\n• Kirby said so.\nKirby said so.\nRelated A\nRelated A\n");
    assert_eq!(
        got,
        "TITLE               | T one two
x repeated_headline | T one two
keep                | • Kirby said so.
keep                | Kirby said so.
keep                | Related A
x repeated_line     | Related A"
    );
}

#[test]
fn no_headline_when_nothing_repeats() {
    assert_eq!(
        check("Alpha beta\nGamma delta"),
        "keep                | Alpha beta\nkeep                | Gamma delta"
    );
}

#[test]
fn builtin_lexicon_parses() {
    let lexicon = boilerplate_lexicon();
    assert_eq!(lexicon.lookup("advertisement"), Some("ad-label"));
    // A paywall's prompts and a share dialog's confirmations, exactly; a post's tag list, a
    // blog post's footer and a newspaper's print notice.
    let norm = |line: &str| newsclean_core::text::normalize(line);
    for (line, rule) in [
        (
            "Already a print edition subscriber, but don't have a login?",
            "subscription",
        ),
        (
            "A link has been sent to your friend\u{2019}s email address.",
            "share",
        ),
        ("Tags: storms, harbours, ferries", "tags"),
        (
            "This entry was posted on Thursday, May 2nd, 2024 at 9:12 am and is filed under Harbour.",
            "post-footer",
        ),
        (
            "A version of this article appeared May 2, 2024, on page A3 in the print edition.",
            "print-notice",
        ),
        ("Tagged with: ferries", "tags"),
    ] {
        assert_eq!(lexicon.lookup(&norm(line)), Some(rule), "{line}");
    }
    for line in [
        "Already a subscriber to three papers, she reads them all.",
        "Tags are small labels that readers use to find posts.",
        "Continue reading the main story",
    ] {
        assert_eq!(lexicon.lookup(&norm(line)), None, "{line}");
    }
}

proptest! {
    /// Every input line gets exactly one verdict, and line ranges cover the input in order.
    #[test]
    fn one_verdict_per_line(text in "([a-c ]{0,6}\n){0,12}") {
        let marked = mark(doc(&text));
        let n_lines = text.split('\n').count() - usize::from(text.ends_with('\n'));
        prop_assert_eq!(marked.lines.len(), n_lines);
        let mut last = 0;
        for line in &marked.lines {
            prop_assert!(line.start as usize >= last && line.end >= line.start);
            last = line.end as usize;
        }
    }

    /// Marking again what dedupe kept changes nothing: dedupe∘dedupe = dedupe.
    #[test]
    fn idempotent(text in "([a-c ]{0,6}\n){0,12}") {
        let marked = mark(doc(&text));
        let kept: Vec<&str> = (0..marked.lines.len())
            .filter(|&i| marked.lines[i].verdict.is_alive())
            .map(|i| marked.line_text(i))
            .collect();
        let again = mark(doc(&kept.join("\n")));
        prop_assert!(again.lines.iter().all(|l| l.verdict.is_alive() || l.verdict == Verdict::Blank), "{:?}", again.lines);
    }
}

/// Workers that count documents into one learner at once learn the model one thread learns,
/// whatever the split.
#[test]
fn learner_shared_by_threads_learns_what_one_thread_learns() {
    use crate::site::{GroupBy, SiteLearner};
    let docs: Vec<MarkedDoc> = (0..60)
        .map(|k| {
            let text = format!(
                "Menu\nHome\nStory {k} of the day\nA paragraph that only page {k} holds.\nShared line {}\n© Site",
                k % 7
            );
            let mut d = doc(&text);
            d.id = format!("site{}/page{k}", k % 3);
            MarkedDoc::split(d)
        })
        .collect();
    let one = SiteLearner::new(GroupBy::Dir);
    for d in &docs {
        one.add(d);
    }
    let shared = SiteLearner::new(GroupBy::Dir);
    std::thread::scope(|scope| {
        for (k, part) in docs.chunks(7).enumerate() {
            let shared = &shared;
            scope.spawn(move || {
                if k % 2 == 0 {
                    part.iter().rev().for_each(|d| shared.add(d));
                } else {
                    // A worker's batch, added when it is dropped.
                    let mut count = crate::site::CountLines::new(shared);
                    for d in part {
                        count.process(Record::Marked(d.clone())).unwrap();
                    }
                }
            });
        }
    });
    let (one, shared) = (one.into_model(1), shared.into_model(1));
    assert_eq!(one, shared);
    assert_eq!(one.groups().count(), 3);
}

/// A story scraped three times with other boilerplate counts its three copies; pages that
/// share one long line (a blog's "About" paragraph on its three pages) and pages of other
/// stories count as themselves.
#[test]
fn a_story_scraped_again_counts_its_copies() {
    use crate::site::{GroupBy, SiteLearner, story_copies};
    let long = |what: &str| {
        format!(
            "{what}: the council said on Tuesday that the harbour plan would go ahead as agreed, \
             and that the first ships would dock in the new basin before the end of next summer."
        )
    };
    let about = long("About this blog");
    let mut pages: Vec<(String, String)> = Vec::new();
    for copy in 0..3 {
        let text = format!(
            "Most read: teaser {copy}\nHarbour plan approved\n{}\n{}\nUpdated {copy} hours ago",
            long("First"),
            long("Second"),
        );
        pages.push((format!("site/story-{copy}"), text));
    }
    for post in 0..3 {
        let text = format!("Post {post}\nBullet {post} one\n{about}\nBullet {post} two");
        pages.push((format!("site/blog-{post}"), text));
    }
    for other in 0..5 {
        let text = format!(
            "Other story {other}\n{}\n{}",
            long(&format!("Other {other}")),
            long(&format!("More of {other}"))
        );
        pages.push((format!("site/other-{other}"), text));
    }
    let docs: Vec<MarkedDoc> = pages
        .into_iter()
        .map(|(id, text)| {
            let mut d = doc(&text);
            d.id = id;
            MarkedDoc::split(d)
        })
        .collect();
    let learner = SiteLearner::new(GroupBy::Dir);
    for d in &docs {
        learner.add(d);
    }
    let model = learner.into_model(1);
    let copies = |k: usize| story_copies(&docs[k], model.group_of(&docs[k].id, None).unwrap());
    assert_eq!([copies(0), copies(1), copies(2)], [3, 3, 3]);
    assert_eq!([copies(3), copies(4), copies(5)], [1, 1, 1]);
    assert_eq!(copies(6), 1);
}

/// A video player's controls go whole: its distinctive lines by the lexicon, the short words
/// between them (`Play`, `1`, `Chapters`) with them; the same words away from a player, and the
/// video's own title after it, stay.
#[test]
fn a_video_players_controls_go_whole() {
    let got = check(
        "Five habits\nFive habits\nThe chain needs oil every other week.\nPlay Video\nPlay\nMute\n\
         Current Time 0:00\n/\nDuration Time 0:00\nChapters\nBackground\nWindow\nFont Size\n\
         Text Edge Style\nHow to clean a chain\nBackground\nTyres lose air slowly.\n",
    );
    assert_eq!(
        got,
        "TITLE               | Five habits
x repeated_headline | Five habits
keep                | The chain needs oil every other week.
x media-player      | Play Video
x media-player      | Play
x media-player      | Mute
x media-player      | Current Time 0:00
x media-player      | /
x media-player      | Duration Time 0:00
x media-player      | Chapters
x media-player      | Background
x media-player      | Window
x share             | Font Size
x media-player      | Text Edge Style
keep                | How to clean a chain
keep                | Background
keep                | Tyres lose air slowly."
    );
}
