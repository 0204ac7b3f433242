//! Where a user's habits meet the tool (issue 12): the output format from its name, inputs
//! recognised by content, sizes with suffixes, stdout by default, what goes to stderr.

use crate::util::{TestEnv, arg, assert_code, run, run_with_stdin, sample};

fn stderr(output: &std::process::Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// The help text of one option of `newsclean run --help`, from its line to the next option.
fn option_help(option: &str) -> String {
    let output = run(&["run", "--help"]);
    assert_code(&output, 0);
    let help = String::from_utf8(output.stdout).unwrap();
    let mut lines = help
        .lines()
        .skip_while(|line| !line.trim_start().starts_with(option));
    let first = lines
        .next()
        .unwrap_or_else(|| panic!("{option} in --help:\n{help}"));
    let rest = lines.take_while(|line| !line.trim_start().starts_with('-'));
    std::iter::once(first)
        .chain(rest)
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn output_format_follows_the_extension() {
    let env = TestEnv::new();
    let parquet = env.path("out.parquet");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&parquet), "-q"]), 0);
    let bytes = std::fs::read(&parquet).unwrap();
    assert!(
        bytes.starts_with(b"PAR1") && bytes.ends_with(b"PAR1"),
        "not parquet"
    );
    let csv = env.path("out.csv.gz");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&csv), "-q"]), 0);
    let mut text = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::GzDecoder::new(std::fs::File::open(&csv).unwrap()),
        &mut text,
    )
    .unwrap();
    assert!(text.starts_with("id,url,site,title,text\r\n"), "{text}");
    let md = env.path("out.md");
    assert_code(&run(&["run", arg(&sample()), "-o", arg(&md), "-q"]), 0);
    assert!(md.is_dir(), "markdown writes a directory");
    assert!(md.join("seed-bol-xi-putin.md").is_file());
}

#[test]
fn a_format_that_contradicts_the_name_is_refused() {
    let env = TestEnv::new();
    let out = env.path("x.parquet");
    let output = run(&["run", arg(&sample()), "-f", "jsonl", "-o", arg(&out)]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("--format jsonl contradicts the output name"),
        "{}",
        stderr(&output)
    );
    assert!(!out.exists());
    // A name that says nothing leaves --format free; `.txt` alone is ambiguous.
    assert_code(
        &run(&[
            "run",
            arg(&sample()),
            "-f",
            "csv",
            "-o",
            arg(&env.path("x.out")),
            "-q",
        ]),
        0,
    );
    let output = run(&["run", arg(&sample()), "-o", arg(&env.path("x.txt"))]);
    assert_code(&output, 2);
    assert!(
        stderr(&output).contains("--format text"),
        "{}",
        stderr(&output)
    );
}

#[test]
fn jsonl_goes_to_stdout_without_o() {
    let output = run(&["run", arg(&sample()), "-q"]);
    assert_code(&output, 0);
    let stdout = String::from_utf8(output.stdout).unwrap();
    let n_files = std::fs::read_dir(sample()).unwrap().count();
    assert_eq!(stdout.lines().count(), n_files, "{stdout}");
    for line in stdout.lines() {
        let value: serde_json::Value = serde_json::from_str(line).unwrap();
        assert!(value["title"].is_string());
    }
    let output = run(&["run", arg(&sample()), "-f", "parquet"]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("needs -o"), "{}", stderr(&output));
}

#[test]
fn sizes_take_suffixes() {
    let env = TestEnv::new();
    let big = "A long enough paragraph of words to be kept as the text of a page. ".repeat(20);
    let input = env.write("in/big.txt", &big);
    let out = env.path("o.jsonl");
    let output = run(&[
        "run",
        arg(&input),
        "--max-doc-bytes",
        "1K",
        "-o",
        arg(&out),
        "-q",
    ]);
    assert_code(&output, 1);
    let rejects = std::fs::read_to_string(env.path("o.rejects.jsonl")).unwrap();
    assert!(
        rejects.contains(&format!("is {} bytes, over the limit of 1024", big.len())),
        "{rejects}"
    );
    assert_code(
        &run(&[
            "run",
            arg(&input),
            "--max-doc-bytes",
            "16X",
            "-o",
            arg(&out),
        ]),
        2,
    );
    assert!(option_help("--max-doc-bytes").contains("[default: 16M]"));
    assert!(
        option_help("--max-archive-bytes")
            .contains("[default: 100 times the file's size, at least 1G]")
    );
}

#[test]
fn id_field_shows_one_default() {
    let help = option_help("--id-field");
    assert_eq!(help.matches("default").count(), 1, "{help}");
}

/// A page's paragraphs: long enough to be kept as article text.
fn paragraphs(topic: &str) -> [String; 3] {
    [
        format!(
            "The {topic} reopened on Monday after two years of work, officials said, and crowds came at once to see it."
        ),
        format!(
            "Engineers replaced the old supports of the {topic} and painted every beam, the city council said in a statement."
        ),
        format!(
            "Residents who had waited for the {topic} said they were glad it was back, and many stayed until the evening."
        ),
    ]
}

/// JSONL lines whose first line is longer than what a sniffer looks at.
fn jsonl_shard() -> Vec<u8> {
    let mut shard = Vec::new();
    for (i, topic) in ["harbour", "railway"].iter().enumerate() {
        let text = format!(
            "The {topic} reopens\n{}",
            paragraphs(topic).join("\n").repeat(3)
        );
        let line = serde_json::json!({"id": format!("doc-{i}"), "text": text, "lang": "en"});
        shard.extend_from_slice(line.to_string().as_bytes());
        shard.push(b'\n');
    }
    assert!(shard.iter().position(|&b| b == b'\n').unwrap() > 1024);
    shard
}

fn gzip(bytes: &[u8]) -> Vec<u8> {
    use std::io::Write;
    let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    encoder.write_all(bytes).unwrap();
    encoder.finish().unwrap()
}

/// Records written to stdout by `run - -o -`.
fn stdout_records(output: &std::process::Output) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .map(|line| serde_json::from_str(line).expect("a JSON line"))
        .collect()
}

#[test]
fn jsonl_on_stdin_is_read_as_jsonl() {
    for (what, input) in [("plain", jsonl_shard()), ("gzip", gzip(&jsonl_shard()))] {
        let output = run_with_stdin(&["run", "-", "-o", "-", "-q"], &input);
        assert_code(&output, 0);
        let records = stdout_records(&output);
        let ids: Vec<&str> = records.iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids, ["doc-0", "doc-1"], "{what}: {}", stderr(&output));
        assert_eq!(records[0]["title"], "The harbour reopens", "{what}");
        assert_eq!(records[1]["meta"]["lang"], "en", "{what}");
    }
}

#[test]
fn jsonl_in_a_file_without_extension_is_read_as_jsonl() {
    let env = TestEnv::new();
    let shard = env.write("in/shard", jsonl_shard());
    let output = run(&["run", arg(&shard), "-q"]);
    assert_code(&output, 0);
    let records = stdout_records(&output);
    assert_eq!(records.len(), 2, "{}", stderr(&output));
    assert_eq!(records[1]["title"], "The railway reopens");
}

/// An HTML fragment: no doctype, no `<html>`, no name.
fn fragment() -> String {
    let [a, b, c] = paragraphs("library");
    format!("<div class=\"story\"><h1>The library reopens</h1><p>{a}</p><p>{b}</p><p>{c}</p></div>")
}

#[test]
fn an_html_fragment_on_stdin_is_html() {
    let output = run_with_stdin(&["run", "-", "-q"], fragment().as_bytes());
    assert_code(&output, 0);
    let records = stdout_records(&output);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["title"], "The library reopens");
    let text = records[0]["text"].as_str().unwrap();
    assert!(
        text.contains("Engineers replaced the old supports"),
        "{text}"
    );
    assert!(!text.contains("<p>"), "{text}");
}

#[test]
fn warc_on_stdin_is_read_as_warc() {
    let html = format!("<html><body>{}</body></html>", fragment());
    let http = format!("HTTP/1.1 200 OK\r\nContent-Type: text/html\r\n\r\n{html}");
    let mut warc = format!(
        "WARC/1.0\r\nWARC-Type: response\r\nWARC-Target-URI: https://news.example/library\r\n\
         WARC-Record-ID: <urn:uuid:1>\r\nWARC-Date: 2024-01-02T03:04:05Z\r\n\
         Content-Type: application/http; msgtype=response\r\nContent-Length: {}\r\n\r\n",
        http.len()
    )
    .into_bytes();
    warc.extend_from_slice(http.as_bytes());
    warc.extend_from_slice(b"\r\n\r\n");
    for input in [warc.clone(), gzip(&warc)] {
        let output = run_with_stdin(&["run", "-", "-q"], &input);
        assert_code(&output, 0);
        let records = stdout_records(&output);
        assert_eq!(records.len(), 1, "{}", stderr(&output));
        assert_eq!(records[0]["title"], "The library reopens");
        assert_eq!(records[0]["source"]["url"], "https://news.example/library");
    }
}

#[test]
fn explain_reads_stdin() {
    let output = run_with_stdin(&["explain", "-"], fragment().as_bytes());
    assert_code(&output, 0);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(
        text.lines()
            .next()
            .unwrap()
            .contains("title \"The library reopens\""),
        "{text}"
    );
    let output = run_with_stdin(&["explain", "-"], &jsonl_shard());
    assert_code(&output, 0);
    let text = String::from_utf8(output.stdout).unwrap();
    assert!(text.contains("title \"The harbour reopens\""), "{text}");
}

#[test]
fn include_that_matches_nothing_warns_and_exits_1() {
    let env = TestEnv::new();
    env.write("in/a.html", fragment());
    let output = run(&["run", arg(&env.path("in")), "--include", "*.txt", "-o", "-"]);
    assert_code(&output, 1);
    let stderr = stderr(&output);
    assert!(
        stderr.contains("warning: no input documents; --include '*.txt' matched no file"),
        "{stderr}"
    );
    // The warning is no summary: --quiet keeps it.
    let output = run(&["run", arg(&env.path("in")), "--include", "*.txt", "-q"]);
    assert_code(&output, 1);
    assert!(String::from_utf8_lossy(&output.stderr).contains("warning: no input documents"));
}

#[test]
fn few_reject_reasons_go_to_stderr_many_are_counted() {
    let env = TestEnv::new();
    env.write("in/empty.txt", "");
    env.write("in/binary.txt", b"ab\0cd");
    env.write("in/page.html", fragment());
    let out = env.path("o.jsonl");
    let output = run(&["run", arg(&env.path("in")), "-o", arg(&out)]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(
        text.contains(
            "newsclean: rejected binary: binary file (1 NUL or control bytes in the first 5)"
        ),
        "{text}"
    );
    assert!(
        text.contains("newsclean: rejected empty: empty file"),
        "{text}"
    );
    // With --rejects each reason is in the file, and stderr only counts them (issue 13.14).
    let rejects = env.path("r.jsonl");
    let output = run(&[
        "run",
        arg(&env.path("in")),
        "-o",
        arg(&out),
        "--rejects",
        arg(&rejects),
    ]);
    assert_code(&output, 1);
    assert!(
        !stderr(&output).contains("newsclean: rejected"),
        "{}",
        stderr(&output)
    );
    assert!(
        stderr(&output).contains(&format!(
            "newsclean: 2 documents rejected: 1 binary file (N NUL or control bytes in the first N); 1 empty file; each one is listed in {}",
            rejects.display()
        )),
        "{}",
        stderr(&output)
    );
    // Many: a count by reason and where to find each one.
    for i in 0..12 {
        env.write(&format!("in/empty-{i:02}.txt"), "");
    }
    let output = run(&["run", arg(&env.path("in")), "-o", arg(&out)]);
    assert_code(&output, 1);
    let text = stderr(&output);
    assert!(!text.contains("newsclean: rejected "), "{text}");
    assert!(
        text.contains(&format!(
            "newsclean: 14 documents rejected: 13 empty file; 1 binary file (N NUL or control bytes in the first N); each one is listed in {}",
            env.path("o.rejects.jsonl").display()
        )),
        "{text}"
    );
}

#[test]
fn a_page_without_article_text_is_a_reject() {
    let env = TestEnv::new();
    env.write(
        "in/menu.txt",
        "Home\nNews\nSport\nWeather\nAdvertisement\nSubscribe to our newsletter\nCookie policy\n",
    );
    env.write("in/story.html", fragment());
    let out = env.path("o.jsonl");
    let report = env.path("report.json");
    let output = run(&[
        "run",
        arg(&env.path("in")),
        "-o",
        arg(&out),
        "--report",
        arg(&report),
    ]);
    assert_code(&output, 1);
    assert!(
        stderr(&output).contains("newsclean: rejected menu: no article text (0 words)"),
        "{}",
        stderr(&output)
    );
    let records = crate::util::read_jsonl(&out);
    assert_eq!(records.len(), 1);
    assert_eq!(records[0]["id"], "story");
    let rejects = crate::util::read_jsonl(&env.path("o.rejects.jsonl"));
    assert_eq!(rejects[0]["reason"], "no article text (0 words)");
    let report: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&report).unwrap()).unwrap();
    assert_eq!(report["rejects_by_reason"]["no article text (N words)"], 1);
    // --min-words 0 writes it, empty.
    let output = run(&["run", arg(&env.path("in")), "--min-words", "0", "-q"]);
    assert_code(&output, 0);
    let records = stdout_records(&output);
    assert_eq!(records.len(), 2);
    assert_eq!(records[0]["text"], "");
}

#[test]
fn published_is_iso_8601_with_the_printed_line_beside_it() {
    let env = TestEnv::new();
    let cases = [
        (
            "en",
            "Published 14 March 2024, 10:30 GMT",
            "2024-03-14T10:30Z",
        ),
        (
            "de",
            "Veröffentlicht am 14.03.2024, 10:30 Uhr",
            "2024-03-14T10:30",
        ),
        ("fr", "Publié le 14 mars 2024 à 10h30", "2024-03-14T10:30"),
        ("es", "14 de marzo de 2024", "2024-03-14"),
        (
            "ru",
            "14 марта 2024 года, 10:30 МСК",
            "2024-03-14T10:30+03:00",
        ),
        ("ja", "2024年3月14日 10時30分", "2024-03-14T10:30"),
    ];
    for (lang, line, _) in cases {
        // A topic per page, so that no page is a copy of another.
        let topic = format!("harbour of {lang}");
        let [a, b, c] = paragraphs(&topic);
        env.write(
            &format!("in/{lang}.txt"),
            format!("The {topic} reopens\n{line}\n{a}\n{b}\n{c}\n"),
        );
    }
    let output = run(&["run", arg(&env.path("in")), "--no-site-model", "-q"]);
    assert_code(&output, 0);
    let records = stdout_records(&output);
    for (lang, line, iso) in cases {
        let record = records.iter().find(|r| r["id"] == lang).unwrap();
        assert_eq!(record["published_text"], line, "{lang}: {record}");
        assert_eq!(record["published"], iso, "{lang}");
    }
}

/// Chromium, when installed (`.ci/run` installs Debian's `chromium` package).
fn chromium() -> Option<std::path::PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .flat_map(|dir| ["chromium", "chromium-browser"].map(|name| dir.join(name)))
        .find(|candidate| candidate.is_file())
}

/// The width and height of a PNG image, from its IHDR chunk.
fn png_size(bytes: &[u8]) -> Option<(u32, u32)> {
    let be = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_be_bytes(b.try_into().unwrap()))
    };
    (bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.get(12..16) == Some(b"IHDR"))
        .then(|| Some((be(16)?, be(20)?)))
        .flatten()
}

#[test]
fn html_report_renders_in_headless_chromium() {
    use std::io::Write as _;
    let Some(browser) = chromium() else {
        // Past the harness's capture, so that a skip shows in `cargo test`'s output.
        let _ = writeln!(
            std::io::stderr(),
            "report screenshot SKIPPED: chromium is not installed (.ci/run installs it)"
        );
        return;
    };
    let env = TestEnv::new();
    let report = env.path("report.html");
    let bad = crate::util::root().join("fixtures/bad");
    let output = run(&[
        "run",
        arg(&sample()),
        arg(&bad),
        "-o",
        arg(&env.path("out.jsonl")),
        "--report",
        arg(&report),
        "-q",
    ]);
    assert_code(&output, 1);
    let html = std::fs::read_to_string(&report).unwrap();
    // Reject reasons counted, every file listed.
    assert!(html.contains("Rejects, by reason"), "{html}");
    assert!(
        html.contains("empty file")
            && html.contains("binary file (N NUL or control bytes in the first N)")
    );
    for name in [
        "out.jsonl",
        "out.rejects.jsonl",
        "out.duplicates.jsonl",
        "report.html",
    ] {
        assert!(
            html.contains(&format!("{}</code>", env.path(name).display())),
            "{name}"
        );
    }

    let png = env.path("report.png");
    let profile = env.path("chromium-profile");
    let output = std::process::Command::new(&browser)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--hide-scrollbars",
            "--enable-logging=stderr",
            "--window-size=1280,2400",
        ])
        .arg(format!("--user-data-dir={}", profile.display()))
        .arg(format!("--screenshot={}", png.display()))
        .arg(format!("file://{}", report.display()))
        .stdin(std::process::Stdio::null())
        .output()
        .expect("chromium starts");
    let log = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "chromium failed:\n{log}");
    // The page loads nothing from outside and logs nothing: no failed request, no console
    // message, no script error.
    for sign in ["net::ERR_", "CONSOLE", "Uncaught", "Failed to load"] {
        assert!(!log.contains(sign), "{sign} in chromium's log:\n{log}");
    }
    let bytes = std::fs::read(&png).expect("a screenshot was written");
    assert_eq!(
        png_size(&bytes),
        Some((1280, 2400)),
        "not the screenshot asked for"
    );
    // A rendered page, not a blank one: a blank 1280×2400 PNG compresses to a few kB.
    assert!(
        bytes.len() > 50_000,
        "screenshot of {} bytes looks blank",
        bytes.len()
    );
}

/// A Dolma shard: `metadata` objects, `source` strings, `added` dates.
fn dolma_shard() -> Vec<u8> {
    let mut shard = Vec::new();
    for (i, topic) in ["harbour", "railway"].iter().enumerate() {
        let [a, b, c] = paragraphs(topic);
        let text = format!("The {topic} reopens\n14 March 2024\n{a}\n{b}\n{c}");
        let line = serde_json::json!({
            "id": format!("doc-{i}"),
            "text": text,
            "source": "common-crawl",
            "added": "2024-05-01T00:00:00Z",
            "url": format!("https://news.example/{topic}"),
            "metadata": {"lang": "en", "score": 0.5},
        });
        shard.extend_from_slice(line.to_string().as_bytes());
        shard.push(b'\n');
    }
    shard
}

#[test]
fn meta_objects_pass_through_and_the_url_is_in_one_place() {
    let env = TestEnv::new();
    let input = env.write("in/shard.jsonl", dolma_shard());
    let jsonl = env.path("out.jsonl");
    let parquet = env.path("out.parquet");
    for out in [&jsonl, &parquet] {
        assert_code(&run(&["run", arg(&input), "-o", arg(out), "-q"]), 0);
    }
    let records = crate::util::read_jsonl(&jsonl);
    // Not {"meta": {"metadata": {…}}}: the input's metadata is the meta, with its other fields.
    assert_eq!(
        records[0]["meta"],
        serde_json::json!({"lang": "en", "score": 0.5, "source": "common-crawl", "added": "2024-05-01T00:00:00Z"})
    );
    let (rows, _) = crate::export::read_parquet(&parquet);
    for (record, row) in records.iter().zip(&rows) {
        assert_eq!(record["url"], row["url"], "the URL is top-level in both");
        assert!(
            record["url"]
                .as_str()
                .unwrap()
                .starts_with("https://news.example/")
        );
    }
}

#[test]
fn dolma_and_datatrove_records() {
    let env = TestEnv::new();
    let input = env.write("in/shard.jsonl", dolma_shard());
    for (schema, keys) in [
        (
            "dolma",
            &["id", "text", "source", "added", "created", "metadata"][..],
        ),
        ("datatrove", &["id", "text", "metadata"][..]),
    ] {
        let jsonl = env.path(&format!("{schema}.jsonl"));
        let parquet = env.path(&format!("{schema}.parquet"));
        for out in [&jsonl, &parquet] {
            let output = run(&["run", arg(&input), "--schema", schema, "-o", arg(out), "-q"]);
            assert_code(&output, 0);
        }
        let text = std::fs::read_to_string(&jsonl).unwrap();
        let records = crate::util::read_jsonl(&jsonl);
        assert_eq!(records.len(), 2);
        for (line, record) in text.lines().zip(&records) {
            // The keys in the schema's order.
            let mut at = 0;
            for key in keys {
                at += line[at..]
                    .find(&format!("\"{key}\":"))
                    .unwrap_or_else(|| panic!("{schema}: {key} after {at} in {line}"));
            }
            assert_eq!(record.as_object().unwrap().len(), keys.len(), "{schema}");
            assert!(
                record["text"].as_str().unwrap().starts_with("The "),
                "{schema}"
            );
            let metadata = &record["metadata"];
            assert_eq!(
                metadata["lang"], "en",
                "{schema}: the input's metadata as it is"
            );
            assert_eq!(metadata["published"], "2024-03-14", "{schema}");
            assert_eq!(
                metadata["title"],
                record["text"].as_str().unwrap().lines().next().unwrap()
            );
            assert!(
                metadata["url"]
                    .as_str()
                    .unwrap()
                    .starts_with("https://news.example/")
            );
        }
        if schema == "dolma" {
            assert_eq!(records[0]["source"], "common-crawl");
            assert_eq!(records[0]["added"], "2024-05-01T00:00:00Z");
            assert_eq!(records[0]["created"], "2024-03-14");
        } else {
            assert_eq!(records[0]["metadata"]["source"], "common-crawl");
        }
        // Parquet: the same columns and values, metadata as JSON text.
        let (rows, _) = crate::export::read_parquet(&parquet);
        for (record, row) in records.iter().zip(&rows) {
            let row = row.as_object().unwrap();
            let names: Vec<&str> = row.keys().map(String::as_str).collect();
            let mut want = keys.to_vec();
            want.sort_unstable();
            assert_eq!(names, want, "{schema}");
            for key in keys {
                let value = &row[*key];
                if *key == "metadata" {
                    let parsed: serde_json::Value =
                        serde_json::from_str(value.as_str().unwrap()).unwrap();
                    assert_eq!(&parsed, &record["metadata"], "{schema}");
                } else {
                    assert_eq!(value, &record[*key], "{schema}: {key}");
                }
            }
        }
    }
    let output = run(&[
        "run",
        arg(&input),
        "--schema",
        "dolma",
        "-o",
        arg(&env.path("x.csv")),
    ]);
    assert_code(&output, 2);
    assert!(stderr(&output).contains("the dolma schema applies to jsonl and parquet"));
}
