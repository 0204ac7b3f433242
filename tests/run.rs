//! The whole pipeline on the bundled fixtures.

use std::fmt::Write as _;
use std::path::Path;

use crate::util::{TestEnv, arg, assert_code, read_jsonl, run, sample};

/// Runs `newsclean run` on `input` into JSONL and returns the records and the run's output.
fn run_jsonl(
    env: &TestEnv,
    input: &Path,
    extra: &[&str],
) -> (Vec<serde_json::Value>, std::process::Output) {
    let out = env.path("out.jsonl");
    let mut args = vec!["run", arg(input), "-o", arg(&out), "--quiet"];
    args.extend_from_slice(extra);
    let output = run(&args);
    (read_jsonl(&out), output)
}

fn strings(value: &serde_json::Value) -> Vec<&str> {
    value
        .as_array()
        .expect("array")
        .iter()
        .map(|v| v.as_str().expect("string"))
        .collect()
}

#[test]
fn seed_article_comes_out_exactly() {
    let env = TestEnv::new();
    let seed = env.write(
        "seed.txt",
        std::fs::read(sample().join("seed-bol-xi-putin.txt")).unwrap(),
    );
    let (records, output) = run_jsonl(&env, &seed, &[]);
    assert_code(&output, 0);
    assert_eq!(records.len(), 1);
    let a = &records[0];
    let title = "US urges Xi to press Putin on alleged “war crimes” in Ukraine";
    assert_eq!(a["title"], title);
    assert_eq!(
        strings(&a["summary"]),
        [
            "NSC spokesman urged Mr. Xi to persuade his Russian counterpart to withdraw troops from Ukraine.",
            "According to John Kirby, seeking a cease-fire will not suffice.",
            "There are fears that China’s support for Russia will evolve into military support.",
        ]
    );
    let sections = a["sections"].as_array().unwrap();
    let shape: Vec<(Option<&str>, usize)> = sections
        .iter()
        .map(|s| {
            (
                s["heading"].as_str(),
                s["paragraphs"].as_array().unwrap().len(),
            )
        })
        .collect();
    assert_eq!(
        shape,
        [
            (None, 6),
            (Some("Hours of informal talks"), 6),
            (Some("Unilateral sanctions"), 7),
            (Some("Positive role"), 6)
        ]
    );
    let first = strings(&sections[0]["paragraphs"]);
    assert!(first[0].starts_with("The US has urged"), "{}", first[0]);
    assert!(
        first[5].ends_with("ratify Russia’s illegal conquests.”"),
        "{}",
        first[5]
    );
    assert!(first.contains(&"According to John Kirby, seeking a cease-fire will not suffice."));
    let last = strings(&sections[3]["paragraphs"]);
    assert!(
        last[5].ends_with("refusing to denounce Mr. Putin."),
        "{}",
        last[5]
    );
    assert_eq!(
        strings(&a["related"]),
        ["Xi Jinping full text speech on his state visit to Russia"]
    );

    let text = a["text"].as_str().unwrap();
    assert!(!text.contains("Advertisement"));
    for gone in [
        "Also Read",
        "Xi Jinping full text speech",
        "Chinese President Xi Jinping arrived",
        "Read More News On",
        "End of Article",
    ] {
        assert!(!text.contains(gone), "{gone:?} leaked into the text");
    }
    assert_eq!(
        text.matches(title).count(),
        1,
        "the title must appear exactly once"
    );
    assert!(text.starts_with(title));
}

/// One article as the snapshots show it: title, byline, date, sections, summary, related.
fn render(record: &serde_json::Value) -> String {
    let mut shown = format!(
        "title: {}\nbyline: {}\npublished: {} ({})\n",
        record["title"], record["byline"], record["published"], record["published_text"]
    );
    for section in record["sections"].as_array().unwrap() {
        writeln!(shown, "## {}", section["heading"]).unwrap();
        for p in section["paragraphs"].as_array().unwrap() {
            writeln!(shown, "   {}", p.as_str().unwrap()).unwrap();
        }
    }
    writeln!(
        shown,
        "summary: {}
related: {}",
        record["summary"], record["related"]
    )
    .unwrap();
    shown
}

#[test]
fn fixtures_snapshot() {
    let env = TestEnv::new();
    let (records, output) = run_jsonl(&env, &sample(), &[]);
    assert_code(&output, 0);
    for record in &records {
        let id = record["id"].as_str().unwrap();
        let shown = render(record);
        insta::assert_snapshot!(format!("fixture_{id}"), shown);
    }
}

/// Modern-page failure modes (`fixtures/modern/README.md`): newsletter prompts, related cards,
/// captions, live blogs, cookie banners, author bios, a video player inside the article, a
/// paywall's prompts and a share dialog above it, embedded social posts, pages whose
/// repeated lines are the article, a script's app shell with its article in JSON-LD, and a
/// blog post with its readers' thread. See:
/// issue 10.
#[test]
fn modern_fixtures_snapshot() {
    let env = TestEnv::new();
    let modern = crate::util::root().join("fixtures/modern");
    let (records, output) = run_jsonl(&env, &modern, &["--exclude", "*.md"]);
    assert_code(&output, 0);
    assert_eq!(records.len(), 15);
    for record in &records {
        let id = record["id"].as_str().unwrap();
        let shown = render(record);
        insta::assert_snapshot!(format!("modern_{id}"), shown);
    }
}

#[test]
fn bad_files_are_rejected_and_counted() {
    let env = TestEnv::new();
    let out = env.path("out.jsonl");
    let bad = crate::util::root().join("fixtures/bad");
    let output = run(&["run", arg(&sample()), arg(&bad), "-o", arg(&out)]);
    assert_code(&output, 1);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("11 documents: 9 exported, 0 duplicates, 2 rejected"),
        "{stderr}"
    );
    let rejects = read_jsonl(&env.path("out.rejects.jsonl"));
    let reasons: Vec<(&str, &str)> = rejects
        .iter()
        .map(|r| (r["id"].as_str().unwrap(), r["reason"].as_str().unwrap()))
        .collect();
    assert_eq!(
        reasons,
        [
            (
                "binary",
                "binary file (12 NUL or control bytes in the first 20)"
            ),
            ("empty", "empty file")
        ]
    );
    assert_eq!(read_jsonl(&out).len(), 9);
}

#[test]
fn text_format_writes_one_file_per_article() {
    let env = TestEnv::new();
    let out = env.path("out");
    let output = run(&["run", arg(&sample()), "-f", "text", "-o", arg(&out), "-q"]);
    assert_code(&output, 0);
    let seed = std::fs::read_to_string(out.join("seed-bol-xi-putin.txt")).unwrap();
    let mut lines = seed.lines();
    assert_eq!(
        lines.next(),
        Some("US urges Xi to press Putin on alleged “war crimes” in Ukraine")
    );
    assert_eq!(
        lines.next(),
        Some(
            "NSC spokesman urged Mr. Xi to persuade his Russian counterpart to withdraw troops from Ukraine."
        )
    );
    assert_eq!(std::fs::read_dir(&out).unwrap().count(), 9);
}

/// Writes `n` generated pages of varying shape, so that documents take uneven time.
pub fn generated_corpus(env: &TestEnv, n: usize) -> std::path::PathBuf {
    let words = [
        "river", "council", "market", "storm", "vote", "school", "bridge", "report", "price",
        "team",
    ];
    let mut state = 0x2545_f491_u64;
    let mut next = move |m: usize| {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        (state % m as u64) as usize
    };
    for i in 0..n {
        let mut page = String::new();
        let title = format!(
            "The {} {} story number {i}",
            words[next(10)],
            words[next(10)]
        );
        for _ in 0..=next(3) {
            page.push_str(&title);
            page.push('\n');
        }
        for _ in 0..next(6) {
            page.push_str(["Home\n", "Advertisement\n", "Share\n", "Menu\n"][next(4)]);
        }
        for p in 0..next(40) {
            let n_words = 3 + next(30);
            let sentence: Vec<&str> = (0..n_words).map(|_| words[next(10)]).collect();
            writeln!(page, "Paragraph {p} says {}.", sentence.join(" ")).unwrap();
            if next(5) == 0 {
                page.push_str("Advertisement\n");
            }
        }
        if next(3) == 0 {
            page.push_str("Also Read\nAnother title here\nEnd of Article\n");
        }
        env.write(&format!("gen/{:02}/{i:04}.txt", i % 7), page);
    }
    env.path("gen")
}

#[test]
fn output_is_identical_for_any_thread_count() {
    let env = TestEnv::new();
    let corpus = generated_corpus(&env, 300);
    let mut outputs = Vec::new();
    for threads in ["1", "4"] {
        for (format, name) in [("jsonl", "jsonl"), ("bincode", "bin"), ("text", "txt")] {
            let out = env.path(&format!("out-{threads}.{name}"));
            let output = run(&[
                "run",
                arg(&corpus),
                "-f",
                format,
                "-o",
                arg(&out),
                "-j",
                threads,
                "-q",
                // Some generated pages are all boilerplate; every page is to be written here.
                "--min-words",
                "0",
            ]);
            assert_code(&output, 0);
            let bytes = if format == "text" {
                let mut files: Vec<_> = walk(&out)
                    .into_iter()
                    .map(|(name, bytes)| {
                        (
                            name.strip_prefix(out.to_str().unwrap()).unwrap().to_owned(),
                            bytes,
                        )
                    })
                    .collect();
                files.sort();
                files
                    .into_iter()
                    .flat_map(|(name, bytes)| [name.into_bytes(), bytes].concat())
                    .collect::<Vec<u8>>()
            } else {
                std::fs::read(&out).unwrap()
            };
            outputs.push((threads, format, bytes));
        }
    }
    for (threads, format, bytes) in &outputs[3..] {
        let (_, _, single) = outputs
            .iter()
            .find(|(t, f, _)| *t == "1" && f == format)
            .unwrap();
        assert!(
            bytes == single,
            "{format} output differs between 1 and {threads} threads"
        );
    }
}

fn walk(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else {
            out.push((
                path.to_string_lossy().into_owned(),
                std::fs::read(&path).unwrap(),
            ));
        }
    }
    out
}
