//! Running on a cluster (issue 11): the job-array script (`scripts/shard-run.sh`) and the Spark
//! driver (`scripts/spark-run.sh`, Spark `local[2]`) against `newsclean run`, byte for byte, on
//! a generated archive of several sites (text, HTML, JSONL with URLs, a tar.gz) with exact and
//! near duplicates across shards (by Jaccard and by containment), chains of near duplicates,
//! and rejects; and failed and killed tasks run again.
//!
//! The Spark tests need pyspark and Java: `.ci/run` installs pyspark in a virtual environment
//! and sets `SPARK_SUBMIT`; on a machine without it they say that they are skipped, and under
//! CI (`CI` set) they fail instead.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::OnceLock;

use crate::util::{Rng, TestEnv, WORDS, arg, assert_code, read_jsonl};

/// A story: a title and paragraphs of generated sentences.
#[derive(Clone)]
struct Story {
    title: String,
    paragraphs: Vec<String>,
}

fn story(rng: &mut Rng, n: usize) -> Story {
    let words: Vec<&str> = WORDS.split_whitespace().collect();
    let mut pick = |k: usize| -> Vec<String> {
        (0..k)
            .map(|_| words[rng.below(words.len())].to_owned())
            .collect()
    };
    let title = format!("Story {n}: {}", pick(6).join(" "));
    let paragraphs = (0..5)
        .map(|_| {
            (0..3)
                .map(|_| {
                    let mut s = pick(14).join(" ");
                    s[..1].make_ascii_uppercase();
                    s + "."
                })
                .collect::<Vec<_>>()
                .join(" ")
        })
        .collect();
    Story { title, paragraphs }
}

/// The story with `n` words changed (a re-scrape, an update).
fn edited(story: &Story, rng: &mut Rng, n: usize) -> Story {
    let mut paragraphs: Vec<Vec<String>> = story
        .paragraphs
        .iter()
        .map(|p| p.split(' ').map(str::to_owned).collect())
        .collect();
    for _ in 0..n {
        let p = rng.below(paragraphs.len());
        let at = 1 + rng.below(paragraphs[p].len() - 2);
        paragraphs[p][at] = format!("edit{}", rng.below(1_000_000));
    }
    Story {
        title: story.title.clone(),
        paragraphs: paragraphs.iter().map(|w| w.join(" ")).collect(),
    }
}

/// A text page of a site: its menu, the story, a "Most Read" list and its footer.
fn text_page(site: &str, story: &Story, most_read: &[String]) -> String {
    let mut lines = vec![format!("{} | {site}", story.title), story.title.clone()];
    lines.extend(["Home", "World", "Politics", "Business", "Sport"].map(String::from));
    lines.push(story.title.clone());
    lines.extend(story.paragraphs.iter().cloned());
    lines.push("Most Read".into());
    lines.extend(most_read.iter().cloned());
    lines.push(format!("About {site}"));
    lines.push(format!(
        "Get the day's top stories from {site} in your inbox every morning."
    ));
    lines.push(format!("© 2024 {site} Media Group"));
    lines.join("\n") + "\n"
}

fn html_page(story: &Story) -> String {
    let paragraphs: String = story
        .paragraphs
        .iter()
        .map(|p| ["<p>", p, "</p>\n"].concat())
        .collect();
    format!(
        "<!doctype html><html><head><title>{t} | The Herald</title></head><body>\n\
         <nav><a href=\"/\">Home</a> <a href=\"/news\">News</a> <a href=\"/sport\">Sport</a></nav>\n\
         <h1>{t}</h1>\n{paragraphs}<aside><h2>Most popular</h2><ul><li>Weather warning</li></ul></aside>\n\
         <footer><p>The Herald, 1 Harbour Street</p><p>Subscribe to The Herald newsletter for the news every morning.</p></footer>\n\
         </body></html>\n",
        t = story.title
    )
}

/// Writes a file under the archive being made.
struct Writer<'a>(&'a Path);

impl Writer<'_> {
    fn write(&self, name: &str, bytes: impl AsRef<[u8]>) {
        let path = self.0.join(name);
        std::fs::create_dir_all(path.parent().expect("has a parent")).expect("mkdir");
        std::fs::write(&path, bytes).expect("write");
    }

    fn path(&self, name: &str) -> PathBuf {
        self.0.join(name)
    }
}

/// The archive and `run`'s output on it (`DIR/in`, `DIR/run`), made once for these tests, in
/// cargo's temporary directory for tests.
fn fixture() -> &'static Path {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("scale");
        let _ = std::fs::remove_dir_all(&dir);
        archive(&Writer(&dir), "in");
        assert_code(&run_whole(&dir.join("in"), &dir.join("run")), 1);
        assert_archive_has_everything(&dir.join("run"));
        dir
    })
}

/// Cut copies of Daily pages: the first three of five paragraphs (Jaccard about 0.6, wholly
/// contained), which only the containment rule relates (issue 10).
fn cut_copies(env: &Writer<'_>, root: &str, daily: &[Story]) {
    for k in (6..690).step_by(24) {
        let cut = Story {
            title: daily[k].title.clone(),
            paragraphs: daily[k].paragraphs[..3].to_vec(),
        };
        let list: Vec<String> = daily[k + 2..k + 6]
            .iter()
            .map(|s| s.title.clone())
            .collect();
        let page = text_page("The Daily", &cut, &list);
        env.write(&format!("{root}/daily/zz-cut-{k:04}.txt"), page);
    }
}

/// Writes the archive under `root`: about 2,300 documents (7 MB) in text files, HTML files,
/// two JSONL files (with URLs) and a tar.gz, including exact copies, re-scrapes and chains of
/// near copies that land in other shards, and rejects.
fn archive(env: &Writer<'_>, root: &str) {
    let mut rng = Rng(11);
    let mut n = 0;
    let mut next_story = |rng: &mut Rng| {
        n += 1;
        story(rng, n)
    };
    let titles = |rng: &mut Rng, stories: &[Story]| -> Vec<String> {
        (0..4)
            .map(|_| stories[rng.below(stories.len())].title.clone())
            .collect()
    };
    // The Daily: 700 text pages, exact copies, re-scrapes and chains (each link 4 words away
    // from the one before: about 0.85 similar, the chain's ends about 0.7; each link
    // retitled, as under one title the ends would be near duplicates too).
    let daily: Vec<Story> = (0..700).map(|_| next_story(&mut rng)).collect();
    for (k, s) in daily.iter().enumerate() {
        let list = titles(&mut rng, &daily);
        env.write(
            &format!("{root}/daily/p{k:04}.txt"),
            text_page("The Daily", s, &list),
        );
    }
    for k in (0..700).step_by(12) {
        let bytes = std::fs::read(env.path(&format!("{root}/daily/p{k:04}.txt"))).unwrap();
        env.write(&format!("{root}/daily/zz-copy-{k:04}.txt"), bytes);
        let list = titles(&mut rng, &daily);
        let copy = edited(&daily[k + 1], &mut rng, 2);
        let page = text_page("The Daily", &copy, &list);
        env.write(&format!("{root}/daily/zz-rescrape-{k:04}.txt"), page);
    }
    cut_copies(env, root, &daily);
    for k in 0..40 {
        let mut link = next_story(&mut rng);
        for step in 0..4 {
            let list = titles(&mut rng, &daily);
            let page = text_page("The Daily", &link, &list);
            env.write(&format!("{root}/daily/chain-{k:02}-{step}.txt"), page);
            link = edited(&link, &mut rng, 4);
            link.title = format!("{} (version {})", link.title, step + 2);
        }
    }
    // The Herald: 500 HTML pages and re-scrapes of some.
    let herald: Vec<Story> = (0..500).map(|_| next_story(&mut rng)).collect();
    for (k, s) in herald.iter().enumerate() {
        env.write(&format!("{root}/herald/a{k:04}.html"), html_page(s));
    }
    for k in (0..500).step_by(15) {
        let copy = edited(&herald[k], &mut rng, 1);
        env.write(&format!("{root}/herald/re-{k:04}.html"), html_page(&copy));
    }
    // Wire: two JSONL files of 300 records with URLs (one site by host), some carrying a
    // Daily story, and one bad line.
    let wire: Vec<Story> = (0..560).map(|_| next_story(&mut rng)).collect();
    for file in 0..2 {
        let mut jsonl = String::new();
        for k in 0..300 {
            let s = match k % 7 {
                3 => daily[(file * 300 + k) % 700].clone(),
                _ => wire[(file * 280 + k) % 560].clone(),
            };
            let list = titles(&mut rng, &wire);
            let text = text_page("Wire", &s, &list);
            let record = serde_json::json!({
                "id": format!("w{file}-{k:03}"),
                "url": format!("https://wire.example.com/{file}/{k}"),
                "text": text,
            });
            jsonl.push_str(&record.to_string());
            jsonl.push('\n');
        }
        jsonl.push_str("{\"id\": \"broken\", \"text\": \n");
        env.write(&format!("{root}/wire/feed-{file}.jsonl"), jsonl);
    }
    // The Bulletin: a tar.gz of 300 members, some re-scrapes of Herald stories.
    let mut tar = tar::Builder::new(flate2::write::GzEncoder::new(
        Vec::new(),
        flate2::Compression::fast(),
    ));
    let bulletin: Vec<Story> = (0..300).map(|_| next_story(&mut rng)).collect();
    for (k, s) in bulletin.iter().enumerate() {
        let s = if k % 10 == 4 {
            edited(&herald[k], &mut rng, 1)
        } else {
            s.clone()
        };
        let list = titles(&mut rng, &bulletin);
        let page = text_page("The Bulletin", &s, &list);
        let mut header = tar::Header::new_gnu();
        header.set_size(page.len() as u64);
        header.set_mode(0o644);
        header.set_cksum();
        tar.append_data(&mut header, format!("s{k:04}.txt"), page.as_bytes())
            .unwrap();
    }
    let gz = tar.into_inner().unwrap().finish().unwrap();
    env.write(&format!("{root}/bulletin.tar.gz"), gz);
    // Rejects: empty, binary, truncated gzip, a page with no article text.
    env.write(&format!("{root}/bad/empty.txt"), "");
    env.write(
        &format!("{root}/bad/blob.txt"),
        [0u8, 159, 146, 150, 0, 1, 2, 3].repeat(64),
    );
    env.write(&format!("{root}/bad/cut.txt.gz"), [0x1f, 0x8b, 8, 0, 0, 0]);
    env.write(&format!("{root}/bad/menu.txt"), "Home\nWorld\nSport\n");
}

/// The three files of a run into `dir`.
fn outputs(dir: &Path) -> [PathBuf; 3] {
    ["articles.jsonl", "duplicates.jsonl", "rejects.jsonl"].map(|name| dir.join(name))
}

/// A command run in the input's directory, the input named relatively (as documents'
/// `source.path` then says, whichever way the run is made).
fn beside(program: impl AsRef<std::ffi::OsStr>, input: &Path) -> (Command, &str) {
    let mut cmd = Command::new(program);
    cmd.current_dir(input.parent().expect("inputs are in a directory"));
    let name = input.file_name().and_then(|n| n.to_str()).expect("a name");
    (cmd, name)
}

/// `newsclean run INPUT -o DIR/articles.jsonl --duplicates … --rejects …`.
fn run_whole(input: &Path, dir: &Path) -> Output {
    let [articles, duplicates, rejects] = outputs(dir);
    std::fs::create_dir_all(dir).unwrap();
    let (mut cmd, input) = beside(env!("CARGO_BIN_EXE_newsclean"), input);
    cmd.args([
        "run",
        input,
        "-o",
        arg(&articles),
        "--duplicates",
        arg(&duplicates),
        "--rejects",
        arg(&rejects),
        "-q",
    ]);
    cmd.output().expect("newsclean runs")
}

/// The three files of `got` equal those of `want`, byte for byte.
#[track_caller]
fn assert_same(want: &Path, got: &Path) {
    for (want, got) in outputs(want).iter().zip(outputs(got)) {
        let (a, b) = (std::fs::read(want).unwrap(), std::fs::read(&got).unwrap());
        assert!(
            a == b,
            "{} differs from {} ({} and {} bytes)",
            got.display(),
            want.display(),
            b.len(),
            a.len()
        );
    }
}

/// The archive exercises what it must: exact and near duplicates, near by containment, a chain
/// whose middle link goes while its end stays (the index compares with kept articles only),
/// and rejects.
#[track_caller]
fn assert_archive_has_everything(dir: &Path) {
    let [articles, duplicates, rejects] = outputs(dir);
    let duplicates = read_jsonl(&duplicates);
    let kind = |k: &str| duplicates.iter().filter(|d| d["kind"] == k).count();
    assert!(kind("exact") >= 50 && kind("near") >= 50, "{duplicates:?}");
    let n_contained = duplicates
        .iter()
        .filter(|d| {
            let id = d["id"].as_str().unwrap();
            id.starts_with("daily/zz-cut-") && d["similarity"].as_f64().unwrap() < 0.8
        })
        .count();
    assert!(n_contained >= 20, "{n_contained} cut copies found");
    let ids: Vec<String> = read_jsonl(&articles)
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let is_dup = |id: &str| duplicates.iter().any(|d| d["id"] == id);
    let chains = (0..40).filter(|k| {
        let link = |step: usize| format!("daily/chain-{k:02}-{step}");
        is_dup(&link(1)) && ids.contains(&link(2))
    });
    assert!(
        chains.count() >= 1,
        "no chain whose middle went and end stayed"
    );
    assert!(read_jsonl(&rejects).len() >= 4);
    assert!(ids.len() > 2000, "{} articles", ids.len());
}

fn shard_run(input: &Path, out: &Path, workers: &str, env: &[(&str, &str)]) -> Output {
    let (mut cmd, input) = beside("bash", input);
    cmd.arg(crate::util::root().join("scripts/shard-run.sh"))
        .args([input, arg(out), workers])
        .env("NEWSCLEAN", env!("CARGO_BIN_EXE_newsclean"))
        .env("THREADS", "1");
    for (key, value) in env {
        cmd.env(key, value);
    }
    cmd.output().expect("bash runs")
}

#[test]
fn job_array_writes_what_run_writes() {
    let env = TestEnv::new();
    let input = fixture().join("in");
    // 2 workers, 3 shards, 2 reduce partitions.
    let out = env.path("array");
    let output = shard_run(&input, &out, "2", &[("SHARDS", "3")]);
    assert_code(&output, 1);
    assert_same(&fixture().join("run"), &out);
    assert!(
        !out.join(".newsclean-work").exists(),
        "the work directory is removed"
    );
}

#[test]
fn job_array_reruns_failed_and_killed_tasks() {
    let env = TestEnv::new();
    let input = fixture().join("in");
    let out = env.path("array");
    let work = out.join(".newsclean-work");
    // A task that fails: shard 1's output cannot be put in place (a directory is there).
    std::fs::create_dir_all(work.join("out/1.keyed")).unwrap();
    let settings = [("SHARDS", "5"), ("PARTITIONS", "3"), ("KEEP_WORK", "1")];
    let failed = shard_run(&input, &out, "2", &settings);
    assert_code(&failed, 2);
    let stderr = String::from_utf8_lossy(&failed.stderr);
    assert!(stderr.contains("run --shard failed"), "{stderr}");
    assert!(stderr.contains("1.keyed"), "the task's reason: {stderr}");
    assert!(!out.join("articles.jsonl").exists());
    std::fs::remove_dir(work.join("out/1.keyed")).unwrap();
    // A task killed halfway: shard 0 done again with an abort after 3 documents, as SIGKILL.
    std::fs::remove_file(work.join("out/0.keyed.done")).unwrap();
    std::fs::remove_file(work.join("out/0.keyed")).unwrap();
    let (mut cmd, name) = beside(env!("CARGO_BIN_EXE_newsclean"), &input);
    let killed = cmd.args([
        "run",
        name,
        "--shard",
        "0/5",
        "--model",
        arg(&work.join("site.model")),
        "--drop-list",
        arg(&work.join("drops.tsv")),
        "-o",
        arg(&work.join("out/0.keyed")),
        "--debug-abort-after",
        "3",
        "-q",
    ]);
    let killed = killed.output().expect("newsclean runs");
    assert_eq!(killed.status.code(), None, "killed by a signal");
    assert!(!work.join("out/0.keyed").exists());
    // The same command again: finished tasks are skipped (their markers are the same files),
    // the rest run, and the bytes are run's.
    let markers = [
        "models/0.model.done",
        "bands/s2.done",
        "pairs/1.tsv.done",
        "drops.tsv.done",
        "out/3.keyed.done",
    ];
    let inode = |name: &str| {
        use std::os::unix::fs::MetadataExt;
        std::fs::metadata(work.join(name)).unwrap().ino()
    };
    let before = markers.map(inode);
    let again = shard_run(&input, &out, "2", &settings);
    assert_code(&again, 1);
    assert_same(&fixture().join("run"), &out);
    assert_eq!(markers.map(inode), before, "finished tasks were skipped");
    assert!(work.join("out/0.keyed.done").exists() && work.join("out/1.keyed.done").exists());
}

/// A page long enough to be an article, different for each `n`.
fn page(n: usize) -> String {
    let mut rng = Rng(n as u64 + 1);
    let body = story(&mut rng, n);
    text_page("ids", &body, &[])
}

#[test]
fn ids_that_only_run_can_make_unique_stop_the_merge() {
    // `p.htm`, `p.html` and `p.txt` are all `ids/p`: `run` names them p, p~2 and p~3. With
    // one shard, the shard does the same; with two, p.html is in the other shard, which
    // cannot know that p is taken, and the merge refuses rather than write other ids. See:
    // issue 13 (unique ids), issue 11.
    let env = TestEnv::new();
    let input = env.path("in");
    for (k, name) in ["a.txt", "p.htm", "p.html", "p.txt", "z.txt"]
        .iter()
        .enumerate()
    {
        let page = if name.contains(".htm") {
            html_page(&story(&mut Rng(k as u64 + 1), k))
        } else {
            page(k)
        };
        env.write(&format!("in/ids/{name}"), page);
    }
    run_whole(&input, &env.path("run"));
    let [articles, ..] = outputs(&env.path("run"));
    let ids: Vec<String> = read_jsonl(&articles)
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(ids, ["ids/a", "ids/p", "ids/p~2", "ids/p~3", "ids/z"]);
    let one = shard_run(&input, &env.path("one"), "1", &[]);
    assert_code(&one, 0);
    assert_same(&env.path("run"), &env.path("one"));
    let two = shard_run(&input, &env.path("two"), "2", &[]);
    assert_code(&two, 2);
    let stderr = String::from_utf8_lossy(&two.stderr);
    assert!(
        stderr.contains(r#"the id "ids/p" is given to two documents"#),
        "{stderr}"
    );
    assert!(!env.path("two/articles.jsonl").exists());
}

#[test]
fn shards_of_standard_input_get_the_ids_of_run() {
    // Every shard reads standard input whole, so it makes ids unique as `run` does.
    let env = TestEnv::new();
    let mut jsonl = String::new();
    for k in 0..12 {
        let id = ["a", "b", "a~2"][k % 3];
        jsonl.push_str(&serde_json::json!({ "id": id, "text": page(k) }).to_string());
        jsonl.push('\n');
    }
    let input = env.write("in.jsonl", &jsonl);
    let stdin = || std::fs::File::open(&input).unwrap();
    let common = ["--no-site-model", "--keep", "all", "-q"];
    let whole = env.path("run/articles.jsonl");
    std::fs::create_dir_all(env.path("run")).unwrap();
    let (mut cmd, _) = beside(env!("CARGO_BIN_EXE_newsclean"), &input);
    let status = cmd
        .args(["run", "-", "-o", arg(&whole)])
        .args(["--duplicates", arg(&env.path("run/duplicates.jsonl"))])
        .args(["--rejects", arg(&env.path("run/rejects.jsonl"))])
        .args(common)
        .stdin(stdin())
        .status()
        .unwrap();
    assert_eq!(status.code(), Some(0));
    let mut keyed = Vec::new();
    for shard in ["0/2", "1/2"] {
        let out = env.path(&format!("{}.keyed", &shard[..1]));
        let (mut cmd, _) = beside(env!("CARGO_BIN_EXE_newsclean"), &input);
        let status = cmd
            .args(["run", "-", "--shard", shard, "-o", arg(&out)])
            .args(common)
            .stdin(stdin())
            .status()
            .unwrap();
        assert_eq!(status.code(), Some(0));
        keyed.push(out);
    }
    std::fs::create_dir_all(env.path("merged")).unwrap();
    let [articles, duplicates, rejects] = outputs(&env.path("merged"));
    let (mut cmd, _) = beside(env!("CARGO_BIN_EXE_newsclean"), &input);
    let merged = cmd
        .arg("merge")
        .args(keyed.iter().map(|p| arg(p)))
        .args(["-o", arg(&articles), "--duplicates", arg(&duplicates)])
        .args(["--rejects", arg(&rejects), "-q"])
        .output()
        .unwrap();
    assert_code(&merged, 0);
    assert_same(&env.path("run"), &env.path("merged"));
    let ids: Vec<String> = read_jsonl(&articles)
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(&ids[..6], ["a", "b", "a~2", "a~3", "b~2", "a~2~2"]);
}

#[test]
fn a_shard_writes_outside_its_inputs() {
    let env = TestEnv::new();
    let input = env.path("in");
    env.write("in/a.txt", page(0));
    let output = crate::util::run(&[
        "run",
        arg(&input),
        "--shard",
        "0/2",
        "--no-site-model",
        "--keep",
        "all",
        "-o",
        arg(&input.join("work/0.keyed")),
    ]);
    assert_code(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("is inside the input directory"), "{stderr}");
}

/// `spark-submit` from `SPARK_SUBMIT` or PATH; `None` (the test is skipped, visibly) when there
/// is none, except under CI, where `.ci/run` installs it.
fn spark_submit() -> Option<PathBuf> {
    let found = std::env::var_os("SPARK_SUBMIT")
        .map(PathBuf::from)
        .or_else(|| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|dir| dir.join("spark-submit"))
                    .find(|path| path.is_file())
            })
        })
        .filter(|path| path.is_file());
    if found.is_none() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must run the Spark tests: .ci/run installs pyspark and sets SPARK_SUBMIT"
        );
        let mut stderr = std::io::stderr().lock();
        let _ = writeln!(
            stderr,
            "Spark test SKIPPED: no spark-submit (pip install pyspark; set SPARK_SUBMIT)"
        );
    }
    found
}

/// Runs the Spark driver with `tmp` as its temporary directory (`TMPDIR`, which the driver's
/// and the tasks' Python processes inherit).
fn spark_run(
    submit: &Path,
    input: &Path,
    out: &Path,
    binary: &Path,
    master: &str,
    tmp: &Path,
) -> Output {
    std::fs::create_dir_all(tmp).expect("temporary directory");
    let (mut cmd, input) = beside("bash", input);
    cmd.arg(crate::util::root().join("scripts/spark-run.sh"))
        .args([input, arg(out)])
        .env("TMPDIR", tmp)
        .env("SPARK_SUBMIT", submit)
        .env("NEWSCLEAN", binary)
        .env("SPARK_MASTER", master)
        .env("SHARDS", "3")
        .output()
        .expect("bash runs")
}

/// The driver and its tasks leave none of their temporary files and directories behind
/// (`newsclean-*` in `tmp`), whether a task succeeded, failed or was killed and run again.
fn assert_no_temporary_left(tmp: &Path) {
    let left: Vec<String> = std::fs::read_dir(tmp)
        .expect("temporary directory")
        .map(|entry| {
            entry
                .expect("entry")
                .file_name()
                .to_string_lossy()
                .into_owned()
        })
        .filter(|name| name.starts_with("newsclean-"))
        .collect();
    assert!(left.is_empty(), "left in {}: {left:?}", tmp.display());
}

#[test]
fn spark_writes_what_run_writes_and_retries_a_killed_task() {
    let Some(submit) = spark_submit() else {
        return;
    };
    let env = TestEnv::new();
    let input = fixture().join("in");
    // The binary Spark ships kills itself the first time it runs shard 1's final map; with
    // two attempts per task (local[2,2]) Spark runs that task again.
    let killed = env.path("killed-once");
    let flaky = env.write(
        "bin/newsclean-flaky",
        format!(
            "#!/usr/bin/env bash\n\
             if [[ $1 == run && \" $* \" == *\" --shard 1/\"* && ! -e '{killed}' ]]; then\n\
             \ttouch '{killed}'\n\tkill -9 $$\nfi\n\
             exec '{real}' \"$@\"\n",
            killed = killed.display(),
            real = env!("CARGO_BIN_EXE_newsclean"),
        ),
    );
    make_executable(&flaky);
    let out = env.path("spark");
    let tmp = env.path("tmp");
    let output = spark_run(&submit, &input, &out, &flaky, "local[2,2]", &tmp);
    assert_code(&output, 1);
    assert!(killed.exists(), "the task was killed once");
    assert_same(&fixture().join("run"), &out);
    assert_no_temporary_left(&tmp);
}

#[test]
fn spark_stops_with_the_reason_of_a_failed_task() {
    let Some(submit) = spark_submit() else {
        return;
    };
    let env = TestEnv::new();
    env.write("in/a.txt", "One page.\n");
    let broken = env.write(
        "bin/newsclean-broken",
        "#!/bin/sh\necho 'newsclean: error: the disk is on fire' >&2\nexit 2\n",
    );
    make_executable(&broken);
    let out = env.path("spark");
    let tmp = env.path("tmp");
    let output = spark_run(&submit, &env.path("in"), &out, &broken, "local[2]", &tmp);
    assert_code(&output, 2);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("the disk is on fire"), "{stderr}");
    assert!(!out.join("articles.jsonl").exists());
    assert_no_temporary_left(&tmp);
}

/// The Slurm submission script, with an `sbatch` that runs each job (every index of an array)
/// at once, in the order submitted, as the dependencies would.
#[test]
fn slurm_jobs_write_what_run_writes() {
    let env = TestEnv::new();
    let sbatch = env.write(
        "bin/sbatch",
        "#!/usr/bin/env bash\n\
         array=''; wrap=''\n\
         for a in \"$@\"; do case $a in --array=*) array=${a#--array=};; --wrap=*) wrap=${a#--wrap=};; esac; done\n\
         if [[ -n $array ]]; then\n\
         \tfor ((i=${array%-*}; i<=${array#*-}; i++)); do SLURM_ARRAY_TASK_ID=$i sh -c \"$wrap\" || exit 1; done\n\
         else sh -c \"$wrap\" || exit 1; fi\n\
         echo 42\n",
    );
    make_executable(&sbatch);
    let sample = crate::util::sample();
    let whole = run_whole(&sample, &env.path("run"));
    assert_code(&whole, 0);
    let out = env.path("slurm");
    let (mut cmd, sample) = beside("bash", &sample);
    let output = cmd
        .arg(crate::util::root().join("contrib/slurm/submit.sh"))
        .args([sample, arg(&out), "3", "2"])
        .env("NEWSCLEAN", env!("CARGO_BIN_EXE_newsclean"))
        .env("SBATCH", &sbatch)
        .output()
        .expect("bash runs");
    assert_code(&output, 0);
    assert_eq!(String::from_utf8_lossy(&output.stdout), "42\n");
    assert_same(&env.path("run"), &out);
}

fn make_executable(path: &Path) {
    use std::os::unix::fs::PermissionsExt;
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}
