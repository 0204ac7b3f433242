//! Stability, a metamorphic test (issue 10): the same article scraped twice with different
//! boilerplate around it must clean to the same body, and the second scrape must be found as
//! a near duplicate of the first.
//!
//! For [`N_PAGES`] dev pages (`../shared/bench/dev`; without it the test says so and passes),
//! a recrawl is made by perturbing only what is not the article (lines the page's ground truth
//! does not hold): 30 % of those lines dropped, runs of short lines (menus) shuffled, an
//! "Updated" line added above the body, and 1 % of their words changed. Both copies are cleaned
//! in one run, as in an archive that holds both; the bodies' 5-word-shingle Jaccard is
//! measured against [`MIN_JACCARD`], and the duplicate index must find each recrawl as a copy
//! of its page (recall) and nothing else (precision). Pages are told apart by their article,
//! the ground truth: two dev pages with the same truth (`dn_T77` and `dn_T146`, both picked,
//! are one story on two URLs) are copies of each other, and a recrawl found as a copy of its
//! page's twin is found.
//!
//! Issue 10's targets are a Jaccard of 0.95 for 95 % of the pairs and recall and precision of
//! 0.98. The duplicate index reaches the last two: it finds all 60 recrawls, precision 1.000
//! (59 of 60 before the title key of `newsclean_dedupe::dup`, recall 0.983). The Jaccard rule alone found 49 (0.817; 48 and precision 0.960 when the
//! twins counted as different pages): the cleaner often keeps a caption or a related-links
//! paragraph in one scrape and not in the other, which leaves the bodies' Jaccard between 0.58
//! and 0.8 while the smaller is 0.83 to 1.0 contained in the larger, so the index also matches
//! on containment (see `newsclean_dedupe::dup`). The one miss those two rules leave,
//! `dn_T114` (bodies' Jaccard 0.72, differences on both sides: each scrape kept other video
//! teasers), the title key finds: both are under "Best Book Phone Apps".
//! The first target is not reached: the shipped text model (the pages are text) keeps the body
//! of 42 of 60 recrawls (session of 2026-12-02, fourth; 30 when the floor was set, before the
//! rules of `newsclean_segment::structure` that keep doubted paragraphs between, above and
//! below the article's). The floors below keep these figures from falling (see
//! `train/MODEL_CARD.md`, "Where it fails").
//!
//! The 60 pages are dev pages, which the shipped model learned from: these figures are
//! in-sample. `train/train_lines.py` measures the same out of fold on every dev page (a
//! recrawl drawn by its own generator; `train/MODEL_CARD.md`, "Stability out of fold"): 59 %
//! of the bodies kept and 94 % of the recrawls found with the shipped recipe (at most 64 % and
//! 95 % with the others tried), and a model retrained by that recipe finds 55 of these 60.

use std::collections::{HashMap, HashSet};
use std::path::Path;

use newsclean_core::hash::stable_hash;

use crate::util::{TestEnv, arg, read_jsonl, root, run};

const N_PAGES: usize = 60;
const MIN_JACCARD: f64 = 0.95;
/// Floors at or under the measured 30/60 (42/60 now), 0.983 (1.000 now) and 1.000 (targets:
/// 0.95, 0.98, 0.98).
const MIN_STABLE_SHARE: f64 = 0.50;
const MIN_RECALL: f64 = 0.98;
const MIN_PRECISION: f64 = 0.98;

/// Lowercase words: runs of letters and digits.
fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

fn shingles(text: &str, n: usize) -> HashSet<u64> {
    let words = words(text);
    words
        .windows(n)
        .map(|w| stable_hash(w.join(" ").as_bytes()))
        .collect()
}

fn jaccard(a: &HashSet<u64>, b: &HashSet<u64>) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    a.intersection(b).count() as f64 / a.union(b).count() as f64
}

/// Whether a page line is article text by the ground truth: most of its word trigrams are in
/// the truth (a line under three words: it is a whole truth line). The training labels' rule.
fn is_body(line: &str, truth_trigrams: &HashSet<u64>, truth_lines: &HashSet<String>) -> bool {
    let w = words(line);
    if w.len() < 3 {
        return !w.is_empty() && truth_lines.contains(&w.join(" "));
    }
    let grams: Vec<u64> = w
        .windows(3)
        .map(|g| stable_hash(g.join(" ").as_bytes()))
        .collect();
    let hits = grams.iter().filter(|g| truth_trigrams.contains(g)).count();
    hits * 10 >= grams.len() * 6
}

/// A small deterministic generator (xorshift), seeded per page.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// True with probability `p`.
    fn chance(&mut self, p: f64) -> bool {
        (self.next() % 1_000_000) as f64 / 1_000_000.0 < p
    }
}

/// The recrawl of a page: its boilerplate perturbed, its body lines untouched and in order.
/// The first two lines (the title tag and `og:title` of every scrape) stay as they are; the
/// "Updated" line goes above the first body line, where pages put it.
fn recrawl(id: &str, page: &str, truth: &str) -> String {
    let truth_words = words(truth);
    let truth_trigrams: HashSet<u64> = truth_words
        .windows(3)
        .map(|g| stable_hash(g.join(" ").as_bytes()))
        .collect();
    let truth_lines: HashSet<String> = truth.lines().map(|l| words(l).join(" ")).collect();
    let mut rng = Rng(stable_hash(id.as_bytes()) | 1);
    let lines: Vec<&str> = page.lines().filter(|l| !l.trim().is_empty()).collect();
    let body: Vec<bool> = lines
        .iter()
        .map(|l| is_body(l, &truth_trigrams, &truth_lines))
        .collect();
    let mut out: Vec<String> = Vec::new();
    let mut menu: Vec<String> = Vec::new();
    let mut has_updated = false;
    for (k, (line, &is_body)) in lines.iter().zip(&body).enumerate() {
        if k < 2 {
            out.push((*line).to_owned());
            continue;
        }
        let is_menu_item = !is_body && words(line).len() <= 4;
        if !is_menu_item && !menu.is_empty() {
            // A run of short boilerplate lines (a menu) comes back in another order.
            for k in (1..menu.len()).rev() {
                let j = (rng.next() % (k as u64 + 1)) as usize;
                menu.swap(k, j);
            }
            out.append(&mut menu);
        }
        if is_body {
            if !has_updated {
                let minute = rng.next() % 60;
                out.push(format!("Updated 14:{minute:02} GMT, 3 May 2024"));
                has_updated = true;
            }
            out.push((*line).to_owned());
            continue;
        }
        if rng.chance(0.3) {
            continue;
        }
        let changed: Vec<&str> = line
            .split(' ')
            .map(|w| if rng.chance(0.01) { "changed" } else { w })
            .collect();
        if is_menu_item {
            menu.push(changed.join(" "));
        } else {
            out.push(changed.join(" "));
        }
    }
    out.append(&mut menu);
    out.join("\n") + "\n"
}

/// Runs the duplicate index (keeping the first copy) over the pages and their recrawls:
/// recall (recrawls found as copies of their page, or of a page with the same article),
/// precision (of everything found, the copies of a page with the same article), and what was
/// found (`id` → `duplicate_of`). `story` is each picked page's article (a hash of its truth).
fn near_duplicates(
    env: &TestEnv,
    pages: &Path,
    picked: &[&String],
    story: &HashMap<&str, u64>,
) -> (f64, f64, HashMap<String, String>) {
    let out = env.path("out.jsonl");
    let dups = env.path("dups.jsonl");
    let output = run(&[
        "run",
        arg(pages),
        "--min-words",
        "0",
        "-o",
        arg(&out),
        "--duplicates",
        arg(&dups),
        "-q",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let found: HashMap<String, String> = read_jsonl(&dups)
        .iter()
        .map(|d| {
            (
                d["id"].as_str().unwrap().to_owned(),
                d["duplicate_of"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    // A page and its recrawl hold the same article.
    let story_of = |id: &str| story.get(id.strip_suffix("~r").unwrap_or(id)).copied();
    let is_right = |id: &str, of: &str| story_of(id).is_some() && story_of(id) == story_of(of);
    let n_found = picked
        .iter()
        .filter(|id| {
            let copy = format!("{id}~r");
            found.get(&copy).is_some_and(|of| is_right(&copy, of))
        })
        .count();
    let recall = n_found as f64 / picked.len() as f64;
    let n_right = found.iter().filter(|(id, of)| is_right(id, of)).count();
    let precision = if found.is_empty() {
        1.0
    } else {
        n_right as f64 / found.len() as f64
    };
    (recall, precision, found)
}

/// The body of a text output: every line after the title line.
fn body_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    text.lines().skip(1).collect::<Vec<_>>().join("\n")
}

#[test]
#[expect(
    clippy::print_stderr,
    reason = "the test reports its figures, or why it skipped"
)]
fn recrawled_pages_clean_to_the_same_body() {
    let bench = root().join("../shared/bench/dev");
    let Ok(manifest) = std::fs::read_to_string(bench.join("manifest.jsonl")) else {
        eprintln!("stability test skipped: {} is absent", bench.display());
        return;
    };
    let has_title: HashMap<String, bool> = manifest
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| Some((v["id"].as_str()?.to_owned(), v["has_title"] == true)))
        .collect();
    let mut ids: Vec<String> = has_title.keys().cloned().collect();
    ids.sort();
    let step = (ids.len() / N_PAGES).max(1);
    let picked: Vec<&String> = ids.iter().step_by(step).take(N_PAGES).collect();

    let env = TestEnv::new();
    let mut story: HashMap<&str, u64> = HashMap::new();
    for id in &picked {
        let page = std::fs::read_to_string(bench.join(format!("{id}.txt"))).expect("dev page");
        let truth = std::fs::read_to_string(bench.join(format!("{id}.truth.txt"))).expect("truth");
        story.insert(id.as_str(), stable_hash(words(&truth).join(" ").as_bytes()));
        // The body without the headline, which is the title picker's (as in training).
        let truth = if has_title[*id] {
            truth.lines().skip(1).collect::<Vec<_>>().join("\n")
        } else {
            truth
        };
        env.write(&format!("pages/{id}.txt"), &page);
        env.write(&format!("pages/{id}~r.txt"), recrawl(id, &page, &truth));
    }
    let pages = env.path("pages");

    // Every page cleaned, to compare the bodies.
    let all = env.path("all");
    let output = run(&[
        "run",
        arg(&pages),
        "--keep",
        "all",
        "--min-words",
        "0",
        "-f",
        "text",
        "-o",
        arg(&all),
        "-q",
    ]);
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let mut similarities: Vec<(f64, &str)> = picked
        .iter()
        .map(|id| {
            let a = shingles(&body_of(&all.join(format!("{id}.txt"))), 5);
            let b = shingles(&body_of(&all.join(format!("{id}~r.txt"))), 5);
            (jaccard(&a, &b), id.as_str())
        })
        .collect();
    similarities.sort_by(|a, b| a.0.total_cmp(&b.0));
    let n_stable = similarities
        .iter()
        .filter(|(j, _)| *j >= MIN_JACCARD)
        .count();
    let stable_share = n_stable as f64 / picked.len() as f64;

    let (recall, precision, found) = near_duplicates(&env, &pages, &picked, &story);
    eprintln!(
        "stability: {n_stable} of {} recrawls keep the body (5-shingle Jaccard >= {MIN_JACCARD}), \
         lowest {:?}; near duplicates: recall {recall:.3}, precision {precision:.3}",
        picked.len(),
        &similarities[..3.min(similarities.len())]
    );
    assert!(
        stable_share >= MIN_STABLE_SHARE,
        "only {n_stable} of {} bodies stayed: {similarities:?}",
        picked.len()
    );
    let missed: Vec<&str> = picked
        .iter()
        .filter(|id| !found.contains_key(&format!("{id}~r")))
        .map(|id| id.as_str())
        .collect();
    assert!(
        recall >= MIN_RECALL,
        "near-duplicate recall {recall:.3}; recrawls not listed as duplicates: {missed:?}; bodies: {similarities:?}"
    );
    assert!(
        precision >= MIN_PRECISION,
        "near-duplicate precision {precision:.3}: {found:?}"
    );
}
