//! The hostile probe of issue 13, as tests: outputs that clash with inputs or each other, a
//! run that reads its own files, colliding ids, interrupted trees, pipes and FIFOs, symlinks
//! out of the input, odd archive members, zip bombs, damaged stage streams, absurd thread
//! counts, changed inputs under `--resume`, hostile encodings and control characters. Every
//! input is built at test time. See: issue 13.

use std::io::{BufRead as _, BufReader};
#[cfg(unix)]
use std::os::unix::fs::FileTypeExt as _;
use std::path::Path;
use std::process::{Command, Output, Stdio};

use proptest::prelude::*;
use serde_json::Value;

use crate::util::{TestEnv, assert_code, newsclean};

/// A page the cleaner keeps: a headline and two paragraphs, all mentioning `word`.
fn page(word: &str) -> String {
    format!(
        "Council approves the {word} budget\n\
         The city council approved the {word} budget on Tuesday after a long debate about \
         schools, roads and the cost of public transport in the coming year.\n\
         Members of the opposition said the {word} plan would raise taxes, while the mayor \
         argued that the spending was needed to repair old bridges and buildings.\n"
    )
}

/// `newsclean ARGS -q` in `dir`.
fn run_in(dir: &Path, args: &[&str]) -> Output {
    newsclean()
        .current_dir(dir)
        .args(args)
        .arg("-q")
        .output()
        .expect("newsclean runs")
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

fn jsonl(path: &Path) -> Vec<Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect()
}

/// Every file under `dir`, relative, sorted.
fn listing(dir: &Path) -> Vec<String> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(at) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&at) else {
            continue;
        };
        for entry in entries {
            let path = entry.unwrap().path();
            if path.is_dir() && !path.is_symlink() {
                stack.push(path.clone());
            }
            out.push(
                path.strip_prefix(dir)
                    .unwrap()
                    .to_string_lossy()
                    .into_owned(),
            );
        }
    }
    out.sort();
    out
}

// ---------------------------------------------------------------------------------------
// 1. Outputs that clash with inputs, each other, or nodes that are not files.

#[test]
fn outputs_that_clash_are_refused_before_any_work() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("f.txt", page("input"));
    env.write("in/a.txt", page("a"));
    let cases: &[&[&str]] = &[
        // The input itself, as the output, the rejects or the report.
        &["run", "f.txt", "-o", "f.txt"],
        &["run", "f.txt", "-o", "x.jsonl", "--rejects", "f.txt"],
        &[
            "run",
            "f.txt",
            "in/a.txt",
            "-o",
            "x",
            "--duplicates",
            "in/a.txt",
        ],
        &["run", "in", "--model", "in/a.txt", "-o", "in/a.txt"],
        &["run", "f.txt", "-o", "x.jsonl", "--report", "f.txt"],
        // Two outputs on one file.
        &["run", "in", "--rejects", "X", "-o", "X"],
        &["run", "in", "--report", "out.jsonl", "-o", "out.jsonl"],
        &[
            "run",
            "in",
            "-o",
            "o.jsonl",
            "--rejects",
            "s",
            "--duplicates",
            "s",
        ],
        // A tree over its own input, or around another output.
        &["run", "in", "-f", "text", "-o", "in"],
        &["run", "in", "-f", "text", "-o", "t", "--report", "t/r.json"],
        // Nodes that are not regular files.
        &["run", "f.txt", "-o", "/dev/null"],
        &["run", "f.txt", "-o", "o.jsonl", "--rejects", "/dev/null"],
        &["run", "f.txt", "-o", "in"],
        // A missing directory fails now, not after the run.
        &["run", "f.txt", "-o", "o.jsonl", "--report", "nope/r.json"],
        &["learn", "f.txt", "-o", "f.txt"],
    ];
    for args in cases {
        let before = listing(dir);
        let output = run_in(dir, args);
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(
            stderr(&output).contains("newsclean: error:"),
            "{args:?}: {}",
            stderr(&output)
        );
        assert_eq!(listing(dir), before, "{args:?} changed files");
        assert_eq!(
            std::fs::read_to_string(env.path("f.txt")).unwrap(),
            page("input")
        );
    }
    let output = run_in(
        dir,
        &["run", "f.txt", "-o", "o.jsonl", "--report", "nope/r.json"],
    );
    assert!(
        stderr(&output).contains("--report nope/r.json: the directory nope does not exist"),
        "{}",
        stderr(&output)
    );
}

#[cfg(unix)]
#[test]
fn an_output_at_a_fifo_is_refused() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("f.txt", page("input"));
    mkfifo(&env.path("pipe"));
    let output = run_in(dir, &["run", "f.txt", "-o", "pipe"]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("not a regular file"),
        "{}",
        stderr(&output)
    );
    assert!(
        std::fs::symlink_metadata(env.path("pipe"))
            .unwrap()
            .file_type()
            .is_fifo()
    );
}

#[cfg(unix)]
fn mkfifo(path: &Path) {
    let status = Command::new("mkfifo")
        .arg(path)
        .status()
        .expect("mkfifo runs");
    assert!(status.success());
}

// ---------------------------------------------------------------------------------------
// 2. A run never reads its own outputs, side files, checkpoint or temporary files.

/// Writes `n` distinct pages under `in/`.
fn pages(env: &TestEnv, n: usize) {
    for i in 0..n {
        env.write(&format!("in/p{i:03}.txt"), page(&format!("w{i}")));
    }
}

#[test]
fn a_run_never_reads_its_own_files() {
    let variants: &[&[&str]] = &[
        &["-o", "in/out.jsonl", "--report", "in/report.json"],
        &[
            "-o",
            "in/out.jsonl",
            "--max-docs-per-file",
            "5",
            "--report",
            "rep.json",
        ],
        &[
            "-o",
            "in/out.jsonl",
            "--resume",
            "--rejects",
            "in/r.jsonl",
            "--report",
            "rep.json",
        ],
        &[
            "-o",
            "in/tree",
            "-f",
            "text",
            "--duplicates",
            "in/d.jsonl",
            "--report",
            "rep.json",
        ],
        &[
            "-o",
            "in/out.bin",
            "-f",
            "bincode",
            "--keep",
            "longest",
            "--report",
            "rep.json",
        ],
    ];
    for extra in variants {
        let env = TestEnv::new();
        let dir = env.dir.path();
        pages(&env, 44);
        let mut first = None;
        // Three identical runs, each over the files of the one before.
        for _ in 0..3 {
            let mut args = vec!["run", "in", "-j", "2"];
            args.extend_from_slice(extra);
            let output = run_in(dir, &args);
            assert_code(&output, 0);
            let report = env.path(extra[extra.len() - 1]);
            let report: Value = serde_json::from_slice(&std::fs::read(report).unwrap()).unwrap();
            assert_eq!(report["n_seen"], 44, "{extra:?}: {report}");
            let out = if extra.contains(&"in/tree") {
                listing(&env.path("in/tree")).join("\n").into_bytes()
            } else if extra.contains(&"--max-docs-per-file") {
                std::fs::read(env.path("in/out-00008.jsonl")).unwrap()
            } else {
                std::fs::read(env.path(extra[1])).unwrap()
            };
            match &first {
                None => first = Some(out),
                Some(first) => assert!(*first == out, "{extra:?}: the output changed"),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------
// 3 and 15. Ids are unique in a run; tree file names are unique and bounded.

/// The ids of the articles of a JSONL output and the `(id, duplicate_of)` of its duplicates.
fn ids_and_copies(dir: &Path, output: &str) -> (Vec<String>, Vec<(String, String)>) {
    let ids = jsonl(&dir.join(output))
        .iter()
        .map(|a| a["id"].as_str().unwrap().to_owned())
        .collect();
    let stem = output.strip_suffix(".jsonl").unwrap();
    let copies = jsonl(&dir.join(format!("{stem}.duplicates.jsonl")))
        .iter()
        .map(|d| {
            let id = d["id"].as_str().unwrap().to_owned();
            (id, d["duplicate_of"].as_str().unwrap().to_owned())
        })
        .collect();
    (ids, copies)
}

#[test]
fn the_same_file_given_twice_is_never_a_copy_of_itself() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("in/dn_100.txt", page("twice"));
    let output = run_in(
        dir,
        &[
            "run",
            "in/dn_100.txt",
            "in/dn_100.txt",
            "in",
            "-o",
            "o.jsonl",
        ],
    );
    assert_code(&output, 0);
    let (ids, copies) = ids_and_copies(dir, "o.jsonl");
    assert_eq!(ids, ["dn_100"]);
    assert_eq!(
        copies,
        [
            ("dn_100~2".to_owned(), "dn_100".to_owned()),
            ("dn_100~3".to_owned(), "dn_100".to_owned())
        ]
    );
}

#[test]
fn colliding_ids_each_get_their_own_file() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    // The same id from two files of one folder.
    env.write("in/story.txt", page("text"));
    env.write(
        "in/story.html",
        format!("<p>{}</p>", page("html").replace('\n', "</p><p>")),
    );
    // Duplicate member names, and members `.` and `..`.
    let members: Vec<(&str, Vec<u8>)> = vec![
        ("a.txt", page("first a").into_bytes()),
        ("a.txt", page("second a").into_bytes()),
        (".", page("dot").into_bytes()),
        ("..", page("dotdot").into_bytes()),
    ];
    let members: Vec<(&str, &[u8])> = members.iter().map(|(n, b)| (*n, b.as_slice())).collect();
    env.write("in/dump.tar", crate::ingest::tar_of(&members));
    // An id that is a file where another needs a folder, and one far too long for a path.
    let long = vec!["d".repeat(200); 25].join("/");
    let mut lines = String::new();
    for (id, word) in [("x", "x"), ("x.txt/y", "xy"), (long.as_str(), "long")] {
        let record = serde_json::json!({ "id": id, "text": page(word) });
        lines.push_str(&record.to_string());
        lines.push('\n');
    }
    env.write("in/records.jsonl", lines);
    for format in ["text", "markdown"] {
        let output = run_in(
            dir,
            &["run", "in", "-f", format, "-o", format, "--keep", "all"],
        );
        assert_code(&output, 0);
        let report = run_in(dir, &["run", "in", "-o", "all.jsonl", "--keep", "all"]);
        assert_code(&report, 0);
        let (ids, _) = ids_and_copies(dir, "all.jsonl");
        assert_eq!(ids.len(), 9, "{ids:?}");
        let mut unique = ids.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), ids.len(), "{ids:?}");
        let files: Vec<String> = listing(&env.path(format))
            .into_iter()
            .filter(|f| !env.path(format).join(f).is_dir())
            .collect();
        assert_eq!(files.len(), 9, "{format}: {files:?}");
        assert!(files.iter().all(|f| f.len() <= 1024), "{files:?}");
    }
}

// ---------------------------------------------------------------------------------------
// 4. Text and markdown trees appear whole or not at all; a rerun replaces them.

#[test]
fn a_tree_is_put_in_place_whole_and_a_rerun_replaces_it() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    pages(&env, 30);
    for format in ["text", "markdown"] {
        let ext = if format == "text" { "txt" } else { "md" };
        // A run that dies half way leaves no tree under the output's name.
        let output = run_in(
            dir,
            &[
                "run",
                "in",
                "-f",
                format,
                "-o",
                "t",
                "--debug-abort-after",
                "10",
            ],
        );
        assert_ne!(output.status.code(), Some(0));
        assert!(
            !env.path("t").exists(),
            "{format}: a partial tree is in place"
        );
        let output = run_in(dir, &["run", "in", "-f", format, "-o", "t"]);
        assert_code(&output, 0);
        assert_eq!(listing(&env.path("t")).len(), 30, "{format}");
        // A rerun over fewer inputs leaves exactly its own articles.
        std::fs::remove_file(env.path("in/p000.txt")).unwrap();
        let output = run_in(dir, &["run", "in", "-f", format, "-o", "t"]);
        assert_code(&output, 0);
        let files = listing(&env.path("t"));
        assert_eq!(files.len(), 29, "{format}: {files:?}");
        assert!(!files.contains(&format!("p000.{ext}")));
        // Something that is not an earlier tree is never replaced.
        env.write("t/notes.doc", "mine");
        let output = run_in(dir, &["run", "in", "-f", format, "-o", "t"]);
        assert_code(&output, 2);
        assert!(stderr(&output).contains("notes.doc"), "{}", stderr(&output));
        assert_eq!(
            std::fs::read_to_string(env.path("t/notes.doc")).unwrap(),
            "mine"
        );
        std::fs::remove_dir_all(env.path("t")).unwrap();
        env.write("in/p000.txt", page("w0"));
        for entry in std::fs::read_dir(dir).unwrap() {
            let name = entry.unwrap().file_name().to_string_lossy().into_owned();
            // The aborted run's temporary tree too: later runs removed it (see item 5).
            assert!(!name.contains(".tmp-"), "{format}: {name} left behind");
        }
    }
}

// ---------------------------------------------------------------------------------------
// 5. SIGTERM stops a run as Ctrl-C does; a later run removes what a killed one left.

/// Starts a run that pauses after 5 documents, waits until it says so, sends `signal`, and
/// returns its exit code.
#[cfg(unix)]
fn signal_mid_run(dir: &Path, args: &[&str], signal: &str) -> Option<i32> {
    let mut child = newsclean()
        .current_dir(dir)
        .args(args)
        .args(["-q", "-j", "2", "--debug-pause-after", "5"])
        .stderr(Stdio::piped())
        .spawn()
        .expect("newsclean starts");
    let mut stderr = BufReader::new(child.stderr.take().unwrap());
    let mut line = String::new();
    // The event to wait for: the run says it is paused (it waits for the signal).
    while !line.contains("paused") {
        line.clear();
        let n = stderr.read_line(&mut line).unwrap();
        assert!(n > 0, "the run ended before pausing");
    }
    let status = Command::new("kill")
        .args([signal, &child.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    child.wait().unwrap().code()
}

/// The names in `dir` that look like temporary files.
fn temporaries(dir: &Path) -> Vec<String> {
    listing(dir)
        .into_iter()
        .filter(|f| f.contains(".tmp-") || f.contains(".partial"))
        .collect()
}

#[cfg(unix)]
#[test]
fn sigterm_stops_a_run_like_ctrl_c() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    pages(&env, 30);
    for signal in ["-TERM", "-INT", "-HUP"] {
        for args in [
            &["run", "in", "-o", "out.jsonl", "--report", "r.json"][..],
            &["run", "in", "-f", "text", "-o", "tree"][..],
            &["run", "in", "-o", "out.jsonl", "--max-docs-per-file", "2"][..],
        ] {
            let code = signal_mid_run(dir, args, signal);
            assert_eq!(code, Some(130), "{signal} {args:?}");
            // Nothing was put in place, and nothing was left behind.
            let left: Vec<String> = listing(dir)
                .into_iter()
                .filter(|f| !f.starts_with("in"))
                .collect();
            assert_eq!(left, Vec::<String>::new(), "{signal} {args:?}");
        }
    }
}

#[test]
fn a_later_run_removes_what_a_killed_run_left() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    pages(&env, 30);
    let args = ["run", "in", "-o", "out.jsonl", "--report", "r.json"];
    let mut killed = args.to_vec();
    killed.extend(["--debug-abort-after", "10"]);
    let output = run_in(dir, &killed);
    assert_ne!(output.status.code(), Some(0));
    assert!(
        !temporaries(dir).is_empty(),
        "the killed run left nothing to clean"
    );
    let output = run_in(dir, &args);
    assert_code(&output, 0);
    assert_eq!(temporaries(dir), Vec::<String>::new());
}

// ---------------------------------------------------------------------------------------
// 6. Pipes and FIFOs are read once; a run never waits for a writer that is gone.

/// Waits for `child` at most two minutes (a run over one page takes well under a second),
/// killing it if it hangs; its exit code, or `None` when it hung.
fn wait_bounded(mut child: std::process::Child) -> Option<i32> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(120);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return status.code();
        }
        if std::time::Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        std::thread::sleep(std::time::Duration::from_millis(20));
    }
}

#[cfg(unix)]
#[test]
fn a_pipe_is_read_once_and_its_document_kept() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("f.txt", page("piped"));
    let child = Command::new("bash")
        .current_dir(dir)
        .args(["-c", r#"exec "$0" run <(cat f.txt) -o o.jsonl -q"#])
        .arg(env!("CARGO_BIN_EXE_newsclean"))
        .spawn()
        .unwrap();
    assert_eq!(wait_bounded(child), Some(0));
    let articles = jsonl(&env.path("o.jsonl"));
    assert_eq!(articles.len(), 1);
    assert!(
        articles[0]["text"]
            .as_str()
            .unwrap()
            .contains("the piped budget")
    );
}

#[cfg(unix)]
#[test]
fn a_named_fifo_is_read_once_and_never_hangs() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    mkfifo(&env.path("fifo"));
    let fifo = env.path("fifo");
    let text = page("fifo");
    // The writer blocks until newsclean opens the FIFO, writes one page and closes it. It is
    // not joined: if newsclean never opened the FIFO, it would wait forever.
    std::thread::spawn(move || std::fs::write(fifo, text));
    let child = newsclean()
        .current_dir(dir)
        .args(["run", "fifo", "-o", "o.jsonl", "-q"])
        .spawn()
        .unwrap();
    assert_eq!(wait_bounded(child), Some(0), "the run hung or failed");
    let articles = jsonl(&env.path("o.jsonl"));
    assert_eq!(articles.len(), 1);
    assert_eq!(articles[0]["id"], "fifo");
    assert!(
        articles[0]["text"]
            .as_str()
            .unwrap()
            .contains("the fifo budget")
    );
}

// ---------------------------------------------------------------------------------------
// 7. Symlinks out of the input directory are not followed unless asked.

#[cfg(unix)]
#[test]
fn symlinks_out_of_the_input_are_rejects_unless_followed() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("in/a.txt", page("inside"));
    // The probe linked /etc; a sibling folder stands for it here.
    env.write("secret/shadow", page("secret"));
    std::os::unix::fs::symlink(env.path("secret"), env.path("in/etclink")).unwrap();
    std::os::unix::fs::symlink(env.path("secret/shadow"), env.path("in/shadow.txt")).unwrap();
    // A link that stays inside is read as usual.
    std::os::unix::fs::symlink("a.txt", env.path("in/same.txt")).unwrap();
    let output = run_in(dir, &["run", "in", "-o", "o.jsonl", "--keep", "all"]);
    assert_code(&output, 1);
    let (ids, _) = ids_and_copies(dir, "o.jsonl");
    assert_eq!(ids, ["a", "same"]);
    let rejects: Vec<(String, String)> = jsonl(&env.path("o.rejects.jsonl"))
        .iter()
        .map(|r| {
            let reason = r["reason"].as_str().unwrap();
            (r["id"].as_str().unwrap().to_owned(), reason.to_owned())
        })
        .collect();
    assert_eq!(rejects.len(), 2, "{rejects:?}");
    for ((id, reason), want) in rejects.iter().zip(["etclink", "shadow"]) {
        assert_eq!(id, want);
        assert!(
            reason.starts_with("symlink out of the input directory"),
            "{reason}"
        );
    }
    let all = std::fs::read_to_string(env.path("o.jsonl")).unwrap();
    assert!(!all.contains("secret budget"));
    // Asked to, the run follows them.
    let output = run_in(
        dir,
        &[
            "run",
            "in",
            "-o",
            "f.jsonl",
            "--keep",
            "all",
            "--follow-symlinks",
        ],
    );
    assert_code(&output, 0);
    let (ids, _) = ids_and_copies(dir, "f.jsonl");
    assert_eq!(ids, ["a", "etclink/shadow", "same", "shadow"]);
}

// ---------------------------------------------------------------------------------------
// 8. Archive members that are not files are rejects: every member is accounted for.

/// A tar archive of `(name, type, bytes)` members, links pointing at `a.txt`.
fn tar_with_kinds(members: &[(&str, tar::EntryType, &[u8])]) -> Vec<u8> {
    let mut builder = tar::Builder::new(Vec::new());
    for (name, kind, data) in members {
        let mut header = tar::Header::new_gnu();
        header.set_path(name).unwrap();
        header.set_entry_type(*kind);
        header.set_mode(0o644);
        header.set_size(data.len() as u64);
        if matches!(kind, tar::EntryType::Symlink | tar::EntryType::Link) {
            header.set_link_name("a.txt").unwrap();
        }
        header.set_cksum();
        builder.append(&header, *data).unwrap();
    }
    builder.into_inner().unwrap()
}

#[test]
fn archive_members_that_are_not_files_are_rejects() {
    use tar::EntryType as T;
    let env = TestEnv::new();
    let dir = env.dir.path();
    let pages: Vec<String> = (0..25).map(|i| page(&format!("m{i}"))).collect();
    let mut members: Vec<(String, T, &[u8])> = pages
        .iter()
        .enumerate()
        .map(|(i, p)| (format!("p{i:02}.txt"), T::Regular, p.as_bytes()))
        .collect();
    for (name, kind) in [
        ("sym.txt", T::Symlink),
        ("hard.txt", T::Link),
        ("fifo", T::Fifo),
        ("chr", T::Char),
        ("blk", T::Block),
        ("weird", T::new(b'V')),
    ] {
        members.push((name.to_owned(), kind, b""));
    }
    members.push(("folder/".to_owned(), T::Directory, b""));
    let members: Vec<(&str, T, &[u8])> = members
        .iter()
        .map(|(n, k, b)| (n.as_str(), *k, *b))
        .collect();
    // 32 members: 25 files, 6 that are not files, and a folder, which is no document.
    env.write("in/dump.tar", tar_with_kinds(&members));
    // A zip with a symlink member.
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default();
    zip.start_file("z.txt", options).unwrap();
    std::io::Write::write_all(&mut zip, page("zipped").as_bytes()).unwrap();
    zip.add_symlink("link.txt", "z.txt", options).unwrap();
    env.write("in/bundle.zip", zip.finish().unwrap().into_inner());
    let output = run_in(
        dir,
        &[
            "run", "in", "-o", "o.jsonl", "--report", "r.json", "--keep", "all",
        ],
    );
    assert_code(&output, 1);
    let report: Value =
        serde_json::from_slice(&std::fs::read(env.path("r.json")).unwrap()).unwrap();
    assert_eq!(report["n_seen"], 25 + 6 + 2, "{report}");
    assert_eq!(report["n_exported"], 26);
    let rejects = jsonl(&env.path("o.rejects.jsonl"));
    let reasons: Vec<&str> = rejects
        .iter()
        .map(|r| r["reason"].as_str().unwrap())
        .collect();
    assert_eq!(reasons.len(), 7, "{reasons:?}");
    assert!(
        reasons
            .iter()
            .all(|r| r.starts_with("archive member is not a file")),
        "{reasons:?}"
    );
    // The zip comes first in sorted order, then the tar's members in their order.
    assert!(reasons[0].contains("symbolic link"), "{reasons:?}");
    assert!(reasons[1].contains("symbolic link to a.txt"), "{reasons:?}");
    assert!(reasons[2].contains("hard link to a.txt"), "{reasons:?}");
    assert!(reasons[3].contains("FIFO"), "{reasons:?}");
}

// ---------------------------------------------------------------------------------------
// 9. Zip entries that share data are detected and not read.

/// A zip whose `n` entries all point at the data of one member (the overlapping bomb): the
/// central directory record of a one-member zip, repeated under `n` names.
fn overlapping_zip(n: usize, member: &[u8]) -> Vec<u8> {
    let mut zip = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("k.txt", options).unwrap();
    std::io::Write::write_all(&mut zip, member).unwrap();
    let bytes = zip.finish().unwrap().into_inner();
    let u16_at = |at: usize| usize::from(u16::from_le_bytes([bytes[at], bytes[at + 1]]));
    let u32_at = |at: usize| u32::from_le_bytes(bytes[at..at + 4].try_into().unwrap()) as usize;
    let eocd = bytes.len() - 22;
    assert_eq!(
        u32_at(eocd),
        0x0605_4b50,
        "a zip without a comment ends in its EOCD"
    );
    let cd_start = u32_at(eocd + 16);
    let record = &bytes[cd_start..eocd];
    let name_len = u16_at(cd_start + 28);
    assert_eq!(
        46 + name_len + u16_at(cd_start + 30) + u16_at(cd_start + 32),
        record.len()
    );
    let mut out = bytes[..cd_start].to_vec();
    for i in 0..n {
        let name = format!("f{i:04}.txt");
        let mut entry = record[..46].to_vec();
        entry[28..30].copy_from_slice(&(name.len() as u16).to_le_bytes());
        entry[30..34].fill(0);
        entry.extend_from_slice(name.as_bytes());
        out.extend_from_slice(&entry);
    }
    let cd_len = out.len() - cd_start;
    out.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
    out.extend_from_slice(&[0; 4]);
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&(n as u16).to_le_bytes());
    out.extend_from_slice(&(cd_len as u32).to_le_bytes());
    out.extend_from_slice(&(cd_start as u32).to_le_bytes());
    out.extend_from_slice(&[0; 2]);
    out
}

#[test]
fn zip_entries_that_share_data_are_not_read() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    // 300 entries over one member of 1 MB: read whole, 300 MB; read once, 1 MB.
    let member = page("kernel").repeat(1_000_000 / page("kernel").len());
    env.write("in/bomb.zip", overlapping_zip(300, member.as_bytes()));
    let output = run_in(dir, &["run", "in", "-o", "o.jsonl", "--report", "r.json"]);
    assert_code(&output, 1);
    let report: Value =
        serde_json::from_slice(&std::fs::read(env.path("r.json")).unwrap()).unwrap();
    assert_eq!(report["n_seen"], 300, "{report}");
    assert_eq!(report["n_exported"], 1, "{report}");
    assert_eq!(report["timings"]["n_bytes_read"], member.len(), "{report}");
    let rejects = jsonl(&env.path("o.rejects.jsonl"));
    assert_eq!(rejects.len(), 299);
    assert!(
        rejects.iter().all(|r| r["reason"]
            .as_str()
            .unwrap()
            .starts_with("zip entry overlaps another entry's data (member f0000.txt")),
        "{:?}",
        rejects[0]
    );
}

// ---------------------------------------------------------------------------------------
// 10. Stage streams are input too: damaged frames are errors, never aborts or huge
// allocations.

/// Real frame streams, one per kind (documents, marked documents, articles), of the bundled
/// sample pages, as `ingest`, `dedupe` and `segment` write them.
pub(crate) fn sample_streams() -> Vec<Vec<u8>> {
    use newsclean_core::codec::FrameWriter;
    use newsclean_core::{DocSource, RawDoc, RawFormat, Record, StreamKind, Transform as _};
    let mut docs = Vec::new();
    let mut marked = Vec::new();
    let mut articles = Vec::new();
    let mut names: Vec<_> = std::fs::read_dir(crate::util::sample())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    names.sort();
    let mut dedupe = newsclean_dedupe::Dedupe::new(&newsclean_dedupe::DedupeConfig::default());
    let mut segment = newsclean_segment::Segment::new(&newsclean_segment::SegmentConfig::default());
    for (seq, path) in names.iter().enumerate() {
        let raw = Record::Raw(RawDoc {
            seq: seq as u64,
            id: format!("sample/{seq}"),
            source: DocSource {
                path: path.display().to_string(),
                url: Some(format!("https://news.example.org/{seq}")),
                meta: Some(r#"{"lang":"en"}"#.into()),
                ..DocSource::default()
            },
            bytes: std::fs::read(path).unwrap(),
            format: RawFormat::Text,
            charset: None,
        });
        let doc = newsclean_ingest::Decoder.process(raw).unwrap();
        docs.push(doc.clone());
        let mark = dedupe.process(doc).unwrap();
        marked.push(mark.clone());
        let article = segment.process(mark).unwrap();
        let article = newsclean_dedupe::dup::Fingerprinter
            .process(article)
            .unwrap();
        articles.push(article);
    }
    [
        (StreamKind::Docs, docs),
        (StreamKind::Marked, marked),
        (StreamKind::Articles, articles),
    ]
    .into_iter()
    .map(|(kind, records)| {
        let mut writer = FrameWriter::new(Vec::new(), kind).unwrap();
        for record in &records {
            writer.write(record).unwrap();
        }
        writer.finish().unwrap()
    })
    .collect()
}

/// Reads a whole frame stream; how far it got, or the error.
fn read_frames(bytes: &[u8]) -> Result<usize, String> {
    let mut reader = newsclean_core::codec::FrameReader::new(bytes).map_err(|e| e.to_string())?;
    let mut n = 0;
    while reader.read().map_err(|e| e.to_string())?.is_some() {
        n += 1;
    }
    Ok(n)
}

/// The stream with the length of the string `needle` (in the first frame that holds it)
/// replaced by `claim`, as a bincode varint, and the frame's length fixed up.
fn with_string_length(stream: &[u8], needle: &[u8], claim: u64) -> Vec<u8> {
    let at = stream
        .windows(needle.len())
        .position(|w| w == needle)
        .expect("the stream holds the string");
    assert_eq!(
        usize::from(stream[at - 1]),
        needle.len(),
        "a one-byte length"
    );
    // The frame that holds it: walk the frames from the header.
    let mut frame = 10;
    loop {
        let len = u32::from_le_bytes(stream[frame..frame + 4].try_into().unwrap()) as usize;
        if at < frame + 4 + len {
            break;
        }
        frame += 4 + len;
    }
    let mut varint = vec![0xFD];
    varint.extend_from_slice(&claim.to_le_bytes());
    let mut out = stream[..at - 1].to_vec();
    out.extend_from_slice(&varint);
    out.extend_from_slice(&stream[at..]);
    let len = u32::from_le_bytes(stream[frame..frame + 4].try_into().unwrap());
    let len = len + varint.len() as u32 - 1;
    out[frame..frame + 4].copy_from_slice(&len.to_le_bytes());
    out
}

#[test]
fn a_frame_that_lies_about_a_length_is_an_error() {
    let streams = sample_streams();
    for stream in &streams {
        assert_eq!(read_frames(stream), Ok(9));
        // A string of 2^40 bytes in a frame of a few kB: the probe's SIGABRT.
        let lying = with_string_length(stream, b"sample/3", 1 << 40);
        let err = read_frames(&lying).unwrap_err();
        assert_eq!(err, "frame 3 does not decode", "{err}");
    }
    // Through the stage command, as the probe did it.
    let lying = with_string_length(&streams[0], b"sample/3", 1 << 40);
    let output = crate::util::run_with_stdin(&["dedupe", "-q"], &lying);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("frame 3 does not decode"),
        "{}",
        stderr(&output)
    );
    // A 114-byte frame that claims 1 GiB: refused by the frame limit, and under a larger
    // limit, read as far as its bytes go, never allocated up front.
    let mut short = streams[0][..10].to_vec();
    short.extend_from_slice(&((1u32 << 30) - 1).to_le_bytes());
    short.extend_from_slice(&[7; 110]);
    let output = crate::util::run_with_stdin(&["dedupe", "-q"], &short);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("over the limit"),
        "{}",
        stderr(&output)
    );
    let output =
        crate::util::run_with_stdin(&["dedupe", "-q", "--max-doc-bytes", "1000000000"], &short);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("ended early"),
        "{}",
        stderr(&output)
    );
}

/// One change to a frame stream.
#[derive(Debug, Clone)]
enum Mutation {
    /// Replace a byte.
    Set(usize, u8),
    /// Insert a large varint (a length or count) before a byte.
    Claim(usize, u64),
    /// Overwrite a frame's length field (the n-th 4-byte window after the header).
    FrameLen(usize, u32),
    /// Cut the stream.
    Cut(usize),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        (any::<usize>(), any::<u8>()).prop_map(|(at, b)| Mutation::Set(at, b)),
        (
            any::<usize>(),
            prop_oneof![Just(u64::MAX), Just(1 << 40), Just(1 << 30), 1u64..1 << 24]
        )
            .prop_map(|(at, n)| Mutation::Claim(at, n)),
        (any::<usize>(), any::<u32>()).prop_map(|(at, n)| Mutation::FrameLen(at, n)),
        any::<usize>().prop_map(Mutation::Cut),
    ]
}

fn mutate(stream: &[u8], mutations: &[Mutation]) -> Vec<u8> {
    let mut out = stream.to_vec();
    for m in mutations {
        let len = out.len().max(1);
        match *m {
            Mutation::Set(at, b) => {
                if let Some(x) = out.get_mut(at % len) {
                    *x = b;
                }
            }
            Mutation::Claim(at, n) => {
                let at = at % len;
                let mut varint = vec![0xFD];
                varint.extend_from_slice(&n.to_le_bytes());
                out.splice(at..at, varint);
            }
            Mutation::FrameLen(at, n) => {
                let at = 10 + at % len.saturating_sub(14).max(1);
                if at + 4 <= out.len() {
                    out[at..at + 4].copy_from_slice(&n.to_le_bytes());
                }
            }
            Mutation::Cut(at) => out.truncate(at % len),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]
    #[test]
    fn mutated_real_frames_never_panic_or_abort(
        which in 0usize..3,
        mutations in proptest::collection::vec(mutation(), 1..4),
    ) {
        thread_local!(static STREAMS: Vec<Vec<u8>> = sample_streams());
        let stream = STREAMS.with(|s| s[which].clone());
        // Ok or Err, each frame decoded or refused: a panic or an abort fails the test.
        let _ = read_frames(&mutate(&stream, &mutations));
    }
}

// ---------------------------------------------------------------------------------------
// 11. Absurd thread counts are a usage error, before any work.

#[test]
fn absurd_thread_counts_are_refused() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    pages(&env, 3);
    for command in [
        &["run", "in", "-o", "o.jsonl"][..],
        &["learn", "in", "-o", "m"][..],
    ] {
        let mut args = command.to_vec();
        args.extend(["--threads", "100000"]);
        let output = run_in(dir, &args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("--threads must be at most 1024, got 100000"),
            "{}",
            stderr(&output)
        );
        assert_eq!(
            listing(dir).iter().filter(|f| !f.starts_with("in")).count(),
            0
        );
    }
}

// ---------------------------------------------------------------------------------------
// 12. `--resume` refuses inputs that changed since the checkpoint.

#[test]
fn resume_refuses_changed_inputs() {
    type Change = (&'static str, fn(&TestEnv));
    let changes: [Change; 3] = [
        ("a file added", |env| {
            env.write("in/zzz.txt", page("late"));
        }),
        ("a file removed", |env| {
            std::fs::remove_file(env.path("in/p150.txt")).unwrap();
        }),
        ("a file rewritten", |env| {
            env.write("in/p010.txt", page("rewritten"));
        }),
    ];
    for (what, change) in changes {
        let env = TestEnv::new();
        let dir = env.dir.path();
        pages(&env, 200);
        let args = ["run", "in", "-o", "o.jsonl", "--resume", "--keep", "all"];
        let mut killed = args.to_vec();
        killed.extend(["--debug-abort-after", "100"]);
        assert_ne!(run_in(dir, &killed).status.code(), Some(0));
        assert!(env.path("o.jsonl.checkpoint").exists());
        change(&env);
        let output = run_in(dir, &args);
        assert_code(&output, 2);
        assert!(
            stderr(&output).contains("the inputs changed"),
            "{what}: {}",
            stderr(&output)
        );
        assert!(env.path("o.jsonl.checkpoint").exists(), "{what}");
        assert!(!env.path("o.jsonl").exists(), "{what}");
    }
    // Unchanged inputs resume, even with the run's own files among them.
    let env = TestEnv::new();
    let dir = env.dir.path();
    pages(&env, 200);
    let args = [
        "run",
        "in",
        "-o",
        "in/o.jsonl",
        "--resume",
        "--report",
        "in/r.json",
    ];
    let mut killed = args.to_vec();
    killed.extend(["--debug-abort-after", "100"]);
    assert_ne!(run_in(dir, &killed).status.code(), Some(0));
    assert_code(&run_in(dir, &args), 0);
    assert_eq!(jsonl(&env.path("in/o.jsonl")).len(), 200);
}

#[cfg(unix)]
#[test]
fn resume_refuses_a_pipe() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("f.txt", page("piped"));
    let output = Command::new("bash")
        .current_dir(dir)
        .args(["-c", r#"exec "$0" run <(cat f.txt) -o o.jsonl -q --resume"#])
        .arg(env!("CARGO_BIN_EXE_newsclean"))
        .output()
        .unwrap();
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("cannot resume a run that reads"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------------------
// 13. UTF-16 without a BOM is read; control characters are removed and counted.

#[test]
fn utf16_without_bom_and_control_characters() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    let text = page("sixteen");
    env.write(
        "in/le.txt",
        text.encode_utf16()
            .flat_map(u16::to_le_bytes)
            .collect::<Vec<u8>>(),
    );
    env.write(
        "in/be.txt",
        text.encode_utf16()
            .flat_map(u16::to_be_bytes)
            .collect::<Vec<u8>>(),
    );
    let noisy = page("noisy")
        .replace("council", "coun\u{1b}[1mcil\u{7}")
        .replace("roads", "ro\u{8}ads\u{85}");
    env.write("in/noisy.txt", noisy);
    let output = run_in(dir, &["run", "in", "-o", "o.jsonl", "--keep", "all"]);
    assert_code(&output, 0);
    let articles = jsonl(&env.path("o.jsonl"));
    assert_eq!(articles.len(), 3);
    for article in &articles[..2] {
        assert!(
            article["text"]
                .as_str()
                .unwrap()
                .contains("the sixteen budget"),
            "{article}"
        );
        assert!(
            article["stats"]["encoding"]
                .as_str()
                .unwrap()
                .starts_with("utf-16")
        );
    }
    let noisy = &articles[2];
    let out = noisy["text"].as_str().unwrap();
    assert!(
        !out.contains(|c: char| c.is_control() && c != '\n'),
        "{out:?}"
    );
    assert!(
        out.contains("coun[1mcil") && out.contains("roads"),
        "{out:?}"
    );
    // ESC and BEL in `council`, backspace and NEL (a C1 control) in `roads`.
    assert_eq!(noisy["stats"]["n_controls"], 4, "{noisy}");
}

// ---------------------------------------------------------------------------------------
// 14. With `-o -`, rejects and duplicates go to files in the current directory, and the
// reasons are counted on stderr.

#[test]
fn standard_output_keeps_rejects_and_duplicates_in_the_current_directory() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    env.write("in/a.txt", page("kept"));
    env.write("in/b.txt", page("kept"));
    for i in 0..11 {
        env.write(&format!("in/empty{i:02}.txt"), "");
    }
    env.write("in/zeros.bin", [0u8, 1, 0, 2, 0, 0, 3, 4]);
    // `-o -`, and no `-o` at all (jsonl goes to standard output by default).
    for args in [&["run", "in", "-o", "-"][..], &["run", "in"][..]] {
        let output = newsclean().current_dir(dir).args(args).output().unwrap();
        assert_code(&output, 1);
        let stdout = String::from_utf8(output.stdout.clone()).unwrap();
        assert_eq!(stdout.lines().count(), 1, "{stdout}");
        let rejects = jsonl(&env.path("newsclean.rejects.jsonl"));
        assert_eq!(rejects.len(), 12);
        let duplicates = jsonl(&env.path("newsclean.duplicates.jsonl"));
        assert_eq!(duplicates.len(), 1);
        assert_eq!(duplicates[0]["duplicate_of"], "a");
        let stderr = stderr(&output);
        assert!(
            stderr.contains("newsclean: 12 documents rejected: 11 empty file; 1 binary file"),
            "{stderr}"
        );
        assert!(
            stderr.contains("each one is listed in newsclean.rejects.jsonl"),
            "{stderr}"
        );
    }
    // With --rejects too, the reasons are said.
    let output = run_in(dir, &["run", "in", "-o", "o.jsonl", "--rejects", "r.jsonl"]);
    assert_code(&output, 1);
    let output = newsclean()
        .current_dir(dir)
        .args(["run", "in", "-o", "o.jsonl", "--rejects", "r.jsonl"])
        .output()
        .unwrap();
    assert!(
        stderr(&output).contains("each one is listed in r.jsonl"),
        "{}",
        stderr(&output)
    );
}

// ---------------------------------------------------------------------------------------
// 16. Exact copies of title-only articles are duplicates too.

#[test]
fn a_thousand_copies_of_a_title_only_article_are_duplicates() {
    let env = TestEnv::new();
    let dir = env.dir.path();
    // A page with a headline and nothing else: the article is its title.
    let headline = "Markets close higher on Friday";
    let html = format!("<html><head><title>{headline}</title></head><body><h1>{headline}</h1>");
    let line = serde_json::json!({ "text": html }).to_string();
    env.write("in/dump.jsonl", format!("{line}\n").repeat(1000));
    let output = run_in(dir, &["run", "in", "-o", "o.jsonl"]);
    assert_code(&output, 0);
    let articles = jsonl(&env.path("o.jsonl"));
    assert_eq!(articles.len(), 1, "{:?}", articles.first());
    assert_eq!(articles[0]["title"], headline);
    assert_eq!(articles[0]["text"], headline);
    let duplicates = jsonl(&env.path("o.duplicates.jsonl"));
    assert_eq!(duplicates.len(), 999);
    assert!(
        duplicates
            .iter()
            .all(|d| d["duplicate_of"] == "dump/1" && d["kind"] == "exact")
    );
}
