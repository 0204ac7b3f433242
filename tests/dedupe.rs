//! Archive-wide dedupe on a generated site: the site template model, exact and near duplicate
//! articles, thread-count independence, and `learn` + `merge` equal to `learn` on the whole.

use std::collections::BTreeMap;
use std::path::Path;

use crate::util::{Rng, TestEnv, WORDS, arg, assert_code, read_jsonl, run, run_with_stdin};

/// One paragraph of two to four generated sentences.
fn paragraph(rng: &mut Rng) -> String {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut sentences = Vec::new();
    for _ in 0..2 + rng.below(3) {
        let n = 12 + rng.below(12);
        let mut sentence: Vec<String> = (0..n)
            .map(|_| words[rng.below(words.len())].to_owned())
            .collect();
        let first = sentence[0].clone();
        sentence[0] = first[..1].to_uppercase() + &first[1..];
        sentences.push(sentence.join(" ") + ".");
    }
    sentences.join(" ")
}

/// One generated article: a title and its paragraphs.
struct Story {
    title: String,
    paragraphs: Vec<String>,
}

fn story(seed: u64) -> Story {
    let mut rng = Rng(seed * 7919 + 17);
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let n = 5 + rng.below(5);
    let title: Vec<&str> = (0..n).map(|_| words[rng.below(words.len())]).collect();
    let title = format!("Story {seed}: {}", title.join(" "));
    let paragraphs = (0..5 + rng.below(5)).map(|_| paragraph(&mut rng)).collect();
    Story { title, paragraphs }
}

const MENU: [&str; 8] = [
    "The Daily Planet",
    "Home",
    "World",
    "Politics",
    "Business",
    "Culture",
    "Opinion",
    "Weather",
];
const FOOTER: [&str; 6] = [
    "About the Daily Planet",
    "Contact the newsroom",
    "Privacy and cookies",
    "Terms and conditions",
    "Get the day's top stories from the Daily Planet in your inbox every morning, free of charge.",
    "© 2024 The Daily Planet Media Group",
];

/// A page of the site: the template around a story, with a "Most Read" list of five titles of
/// other stories that changes from page to page.
fn page(story: &Story, most_read: &[String], extra_top: &[&str]) -> String {
    let mut lines: Vec<String> = vec![
        format!("{} | The Daily Planet", story.title),
        story.title.clone(),
    ];
    lines.extend(MENU.iter().map(|s| (*s).to_owned()));
    lines.extend(extra_top.iter().map(|s| (*s).to_owned()));
    lines.push(story.title.clone());
    for (k, p) in story.paragraphs.iter().enumerate() {
        lines.push(p.clone());
        if k == 1 {
            lines.push("Advertisement".into());
        }
    }
    lines.push("Most Read".into());
    lines.extend(most_read.iter().cloned());
    lines.extend(FOOTER.iter().map(|s| (*s).to_owned()));
    lines.join("\n") + "\n"
}

/// Changes about 1 % of the words of a story (at least one), deterministically.
fn rescrape(paragraphs: &[String], rng: &mut Rng) -> Vec<String> {
    let mut words: Vec<Vec<String>> = paragraphs
        .iter()
        .map(|p| p.split(' ').map(str::to_owned).collect())
        .collect();
    let n_words: usize = words.iter().map(Vec::len).sum();
    for _ in 0..(n_words / 100).max(1) {
        let p = rng.below(words.len());
        let at = 1 + rng.below(words[p].len() - 2);
        words[p][at] = "revised".into();
    }
    words.iter().map(|w| w.join(" ")).collect()
}

/// What the generated archive holds, for checking the output.
struct Site {
    stories: BTreeMap<String, Story>,
    /// Expected duplicates: copy id → (original id, kind).
    copies: BTreeMap<String, (String, &'static str)>,
}

/// Writes a site of `n` distinct stories under `root/planet/`, plus exact copies (same bytes)
/// and re-scraped copies (another "Most Read" list, an "Updated …" line, ~1 % of words changed).
fn generate(env: &TestEnv, root: &str, n: u64) -> Site {
    let mut rng = Rng(42);
    let all: Vec<Story> = (0..n).map(story).collect();
    let most_read = |rng: &mut Rng, not: usize| -> Vec<String> {
        let mut titles = Vec::new();
        while titles.len() < 5 {
            let k = rng.below(all.len());
            if k != not && !titles.contains(&all[k].title) {
                titles.push(all[k].title.clone());
            }
        }
        titles
    };
    let mut site = Site {
        stories: BTreeMap::new(),
        copies: BTreeMap::new(),
    };
    for (k, s) in all.iter().enumerate() {
        let id = format!("planet/p{k:03}");
        let list = most_read(&mut rng, k);
        env.write(&format!("{root}/{id}.txt"), page(s, &list, &[]));
        site.stories.insert(
            id,
            Story {
                title: s.title.clone(),
                paragraphs: s.paragraphs.clone(),
            },
        );
    }
    // Exact copies: the same page saved again under another name.
    for k in [3usize, 11, 20] {
        let original = format!("planet/p{k:03}");
        let bytes = std::fs::read(env.path(&format!("{root}/{original}.txt"))).unwrap();
        let id = format!("planet/z-copy-{k:03}");
        env.write(&format!("{root}/{id}.txt"), bytes);
        site.copies.insert(id, (original, "exact"));
    }
    // Re-scraped copies: other boilerplate, an update line, a few words changed.
    for k in [5usize, 8, 17, 26] {
        let s = &all[k];
        let copy = Story {
            title: s.title.clone(),
            paragraphs: rescrape(&s.paragraphs, &mut rng),
        };
        let list = most_read(&mut rng, k);
        let id = format!("planet/z-rescrape-{k:03}");
        env.write(
            &format!("{root}/{id}.txt"),
            page(&copy, &list, &["Updated 3 hours ago", "Share this story"]),
        );
        site.copies.insert(id, (format!("planet/p{k:03}"), "near"));
    }
    site
}

/// Runs `newsclean run` on `input` into `out` (JSONL) with `extra` arguments.
fn run_site(input: &Path, out: &Path, extra: &[&str]) -> std::process::Output {
    let mut args = vec!["run", arg(input), "-o", arg(out), "-q"];
    args.extend_from_slice(extra);
    run(&args)
}

fn text_lines(article: &serde_json::Value) -> Vec<String> {
    let mut lines: Vec<String> = article["text"]
        .as_str()
        .unwrap()
        .lines()
        .map(str::to_owned)
        .collect();
    lines.extend(
        article["related"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned()),
    );
    lines
}

#[test]
fn site_template_goes_and_every_paragraph_stays() {
    let env = TestEnv::new();
    let site = generate(&env, "in", 32);
    let out = env.path("out.jsonl");
    let output = run_site(&env.path("in"), &out, &[]);
    assert_code(&output, 0);
    let articles = read_jsonl(&out);
    assert_eq!(articles.len(), site.stories.len(), "one article per story");
    let template: Vec<&str> = MENU
        .iter()
        .chain(&FOOTER)
        .copied()
        .chain(["Most Read", "Advertisement"])
        .collect();
    for article in &articles {
        let id = article["id"].as_str().unwrap();
        let story = &site.stories[id];
        let lines = text_lines(article);
        for line in &lines {
            assert!(
                !template.contains(&line.as_str()),
                "{id}: template line {line:?} kept"
            );
            assert!(
                !line.starts_with("Story ") || *line == story.title,
                "{id}: another story's title {line:?} kept (a Most Read entry)"
            );
        }
        assert_eq!(article["title"], story.title.as_str(), "{id}");
        for paragraph in &story.paragraphs {
            assert!(
                lines.contains(paragraph),
                "{id}: paragraph lost: {paragraph:?}"
            );
        }
        assert!(
            article["stats"]["removed"]["site_template"]
                .as_u64()
                .unwrap()
                >= 10,
            "{id}: {}",
            article["stats"]
        );
    }
}

#[test]
fn a_story_scraped_again_and_again_keeps_its_headline() {
    // One story scraped five times, each scrape with its own "Most Read" list and "Updated"
    // line, in a site of 32 others (and 7 copies of them): its headline is on five pages of 44,
    // as many as the site's template needs, yet it is the story's own. Every scrape keeps its
    // headline and paragraphs, and the site's template still goes.
    let env = TestEnv::new();
    generate(&env, "in", 32);
    let again = story(40);
    let most_read: Vec<String> = (0..5).map(|k| story(k).title).collect();
    for scrape in 0..5 {
        let mut list = most_read.clone();
        list.rotate_left(scrape);
        list[4] = story(50 + scrape as u64).title;
        let updated = format!("Updated {} hours ago", scrape + 1);
        env.write(
            &format!("in/planet/again-{scrape}.txt"),
            page(&again, &list, &[updated.as_str()]),
        );
    }
    let out = env.path("out.jsonl");
    let output = run_site(&env.path("in"), &out, &["--keep", "all"]);
    assert_code(&output, 0);
    let articles = read_jsonl(&out);
    let scrapes: Vec<&serde_json::Value> = articles
        .iter()
        .filter(|a| a["id"].as_str().unwrap().starts_with("planet/again-"))
        .collect();
    assert_eq!(scrapes.len(), 5);
    for article in scrapes {
        let id = article["id"].as_str().unwrap();
        assert_eq!(article["title"], again.title.as_str(), "{id}: {article}");
        let lines = text_lines(article);
        for paragraph in &again.paragraphs {
            assert!(
                lines.contains(paragraph),
                "{id}: paragraph lost: {paragraph:?}"
            );
        }
        for line in MENU.iter().chain(&FOOTER) {
            assert!(
                !lines.contains(&(*line).to_owned()),
                "{id}: template line {line:?} kept"
            );
        }
        // Nor is when the scrape was updated any of the story.
        assert!(
            !lines.iter().any(|l| l.starts_with("Updated ")),
            "{id}: {lines:?}"
        );
    }
}

#[test]
fn exact_and_rescraped_copies_are_found_and_nothing_else() {
    let env = TestEnv::new();
    let site = generate(&env, "in", 32);
    let out = env.path("out.jsonl");
    let output = run_site(&env.path("in"), &out, &[]);
    assert_code(&output, 0);
    let duplicates = read_jsonl(&env.path("out.duplicates.jsonl"));
    let found: BTreeMap<String, (String, &str)> = duplicates
        .iter()
        .map(|d| {
            let kind = if d["kind"] == "exact" {
                "exact"
            } else {
                "near"
            };
            (
                d["id"].as_str().unwrap().to_owned(),
                (d["duplicate_of"].as_str().unwrap().to_owned(), kind),
            )
        })
        .collect();
    // Precision and recall 1: every copy found, with its original and kind, and no distinct
    // story of the same site merged.
    assert_eq!(found, site.copies);
    for d in &duplicates {
        let similarity = d["similarity"].as_f64().unwrap();
        assert!((0.8..=1.0).contains(&similarity), "{d}");
    }
    // Accounting: seen = exported + duplicates + rejected.
    let n_seen = site.stories.len() + site.copies.len();
    assert_eq!(read_jsonl(&out).len() + duplicates.len(), n_seen);

    // The summary line and the report count them, and the report lists the clusters.
    let report_path = env.path("report.json");
    let output = run(&[
        "run",
        arg(&env.path("in")),
        "-o",
        arg(&env.path("again.jsonl")),
        "--report",
        arg(&report_path),
    ]);
    assert_code(&output, 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{n_seen} documents: {} exported, {} duplicates, 0 rejected",
            site.stories.len(),
            site.copies.len()
        )),
        "{stderr}"
    );
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report_path).unwrap()).unwrap();
    assert_eq!(report["n_seen"], n_seen);
    assert_eq!(report["n_exported"], site.stories.len());
    assert_eq!(report["n_duplicates"], site.copies.len());
    assert_eq!(report["n_rejected"], 0);
    let mut clustered: BTreeMap<String, String> = BTreeMap::new();
    let mut n_docs = 0;
    for cluster in report["duplicate_clusters"].as_array().unwrap() {
        let ids: Vec<&str> = cluster["ids"]
            .as_array()
            .unwrap()
            .iter()
            .map(|id| id.as_str().unwrap())
            .collect();
        assert_eq!(cluster["n_docs"], ids.len());
        n_docs += ids.len() - 1;
        for copy in &ids[1..] {
            clustered.insert((*copy).to_owned(), ids[0].to_owned());
        }
    }
    assert_eq!(n_docs, site.copies.len());
    let originals: BTreeMap<String, String> = site
        .copies
        .iter()
        .map(|(copy, (original, _))| (copy.clone(), original.clone()))
        .collect();
    assert_eq!(clustered, originals);

    // Exact only: the re-scraped copies stay.
    let exact_only = env.path("exact.jsonl");
    assert_code(
        &run_site(&env.path("in"), &exact_only, &["--no-near-dup"]),
        0,
    );
    assert_eq!(
        read_jsonl(&env.path("exact.duplicates.jsonl")).len(),
        site.copies.values().filter(|c| c.1 == "exact").count()
    );
}

#[test]
fn keep_longest_keeps_the_longer_later_copy() {
    let env = TestEnv::new();
    let s = story(7);
    let long = Story {
        title: s.title.clone(),
        paragraphs: s
            .paragraphs
            .iter()
            .cloned()
            .chain(["A closing paragraph that only the later, longer copy of the story has, with more words.".to_owned()])
            .collect(),
    };
    let other = story(8);
    let list: Vec<String> = (20..25).map(|k| story(k).title).collect();
    env.write("in/a.txt", page(&s, &list, &[]));
    env.write("in/b.txt", page(&other, &list, &[]));
    env.write("in/c.txt", page(&long, &list, &["Updated 1 hour ago"]));
    let out = env.path("out.jsonl");
    assert_code(&run_site(&env.path("in"), &out, &["--keep", "longest"]), 0);
    let ids: Vec<String> = read_jsonl(&out)
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["b", "c"]);
    let duplicates = read_jsonl(&env.path("out.duplicates.jsonl"));
    assert_eq!(duplicates.len(), 1);
    assert_eq!(duplicates[0]["id"], "a");
    assert_eq!(duplicates[0]["duplicate_of"], "c");
    assert_eq!(duplicates[0]["kind"], "near");
    // The default keeps the first.
    let first = env.path("first.jsonl");
    assert_code(&run_site(&env.path("in"), &first, &[]), 0);
    let duplicates = read_jsonl(&env.path("first.duplicates.jsonl"));
    assert_eq!(
        (&duplicates[0]["id"], &duplicates[0]["duplicate_of"]),
        (&"c".into(), &"a".into())
    );
}

/// A copy of a story under its headline with about twice its length of other text in the body (as
/// when one scrape took in a comment thread): too far apart for the Jaccard and containment
/// rules, a copy under one title; not with `--near-dup-title 0`, nor under another title.
#[test]
fn a_copy_under_one_title_with_much_more_text_is_found() {
    let env = TestEnv::new();
    let s = story(9);
    let larger = |title: &str, others: [u64; 2]| Story {
        title: title.to_owned(),
        paragraphs: (s.paragraphs.iter().cloned())
            .chain(others.into_iter().flat_map(|k| story(k).paragraphs))
            .collect(),
    };
    let list: Vec<String> = (20..25).map(|k| story(k).title).collect();
    env.write("in/a.txt", page(&s, &list, &[]));
    env.write("in/b.txt", page(&story(10), &list, &[]));
    env.write("in/c.txt", page(&larger(&s.title, [30, 31]), &list, &[]));
    let other_title = "Another headline over the same story";
    env.write("in/d.txt", page(&larger(other_title, [33, 34]), &list, &[]));
    let found = |extra: &[&str]| -> Vec<(String, String)> {
        let out = env.path("out.jsonl");
        assert_code(&run_site(&env.path("in"), &out, extra), 0);
        let duplicates = read_jsonl(&env.path("out.duplicates.jsonl"));
        for d in &duplicates {
            assert!(d["similarity"].as_f64().unwrap() < 0.5, "{d}");
        }
        (duplicates.iter())
            .map(|d| {
                let id = |k: &str| d[k].as_str().unwrap().to_owned();
                (id("id"), id("duplicate_of"))
            })
            .collect()
    };
    assert_eq!(found(&[]), [("c".to_owned(), "a".to_owned())]);
    assert_eq!(found(&["--near-dup-title", "0"]), []);
}

#[test]
fn output_is_byte_identical_for_1_and_4_threads() {
    let env = TestEnv::new();
    generate(&env, "in", 32);
    for keep in ["first", "longest"] {
        let mut outputs = Vec::new();
        for threads in ["1", "4"] {
            let out = env.path(&format!("out-{keep}-{threads}.jsonl"));
            assert_code(
                &run_site(&env.path("in"), &out, &["-j", threads, "--keep", keep]),
                0,
            );
            let dups = env.path(&format!("out-{keep}-{threads}.duplicates.jsonl"));
            outputs.push((std::fs::read(out).unwrap(), std::fs::read(dups).unwrap()));
        }
        assert!(
            outputs[0] == outputs[1],
            "--keep {keep}: 1 and 4 threads differ"
        );
    }
}

#[test]
fn learn_on_halves_and_merge_equals_learn_on_the_whole() {
    let env = TestEnv::new();
    generate(&env, "whole", 32);
    // The same pages split in two archives with the same layout (the site is the directory).
    for entry in std::fs::read_dir(env.path("whole/planet")).unwrap() {
        let path = entry.unwrap().path();
        let name = path.file_name().unwrap().to_string_lossy().into_owned();
        let half = if name.as_str() < "p016" { "a" } else { "b" };
        env.write(
            &format!("{half}/planet/{name}"),
            std::fs::read(&path).unwrap(),
        );
    }
    let learn = |input: &str, model: &str| {
        let model = env.path(model);
        assert_code(
            &run(&["learn", arg(&env.path(input)), "-o", arg(&model), "-q"]),
            0,
        );
        model
    };
    let whole = learn("whole", "whole.model");
    let a = learn("a", "a.model");
    let b = learn("b", "b.model");
    let merged = env.path("merged.model");
    assert_code(
        &run(&[
            "learn",
            "--merge",
            arg(&b),
            arg(&a),
            "-o",
            arg(&merged),
            "-q",
        ]),
        0,
    );
    assert!(
        std::fs::read(&whole).unwrap() == std::fs::read(&merged).unwrap(),
        "merged halves differ from the whole"
    );

    // `run --model` skips pass 1 and writes what `run` writes.
    let with_model = env.path("with-model.jsonl");
    let learned = env.path("learned.jsonl");
    assert_code(
        &run_site(&env.path("whole"), &with_model, &["--model", arg(&merged)]),
        0,
    );
    assert_code(&run_site(&env.path("whole"), &learned, &[]), 0);
    assert!(std::fs::read(with_model).unwrap() == std::fs::read(learned).unwrap());

    // A model is not a frame stream, and a frame stream is not a model.
    let bad = run(&[
        "run",
        arg(&env.path("whole")),
        "-o",
        arg(&env.path("x.jsonl")),
        "--model",
        arg(&env.path("whole/planet/p000.txt")),
    ]);
    assert_code(&bad, 2);
    assert!(String::from_utf8_lossy(&bad.stderr).contains("failed to load the site model"));
}

#[test]
fn stdin_has_no_site_model_and_says_so_once() {
    let env = TestEnv::new();
    let out = env.path("out.jsonl");
    let output = run_with_stdin(
        &["run", "-", "-o", arg(&out)],
        b"A title here\nA title here\nThe body of the story is long enough to be a paragraph of text.\n",
    );
    assert_code(&output, 0);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(stderr.matches("no site model").count(), 1, "{stderr}");
    assert!(
        stderr.contains("1 exported, 0 duplicates, 0 rejected"),
        "{stderr}"
    );
}
