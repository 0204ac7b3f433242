//! Export formats end to end: every format read back and compared with the JSONL export,
//! sharding, sentences, and the run report's figures against the run's own output.
//!
//! Self-contained (its own helpers), so it merges without touching `util.rs`.

use std::collections::BTreeMap;
use std::io::Read as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use arrow_array::{Array, Int64Array, ListArray, StringArray, StructArray};
use newsclean_core::Record;
use newsclean_core::codec::FrameReader;
use parquet::arrow::arrow_reader::ParquetRecordBatchReaderBuilder;
use serde_json::{Map, Value, json};

/// The parquet columns by default, as `--fields` names them.
const PARQUET_FIELDS: &str = "id,url,site,path,title,byline,published,published_text,summary,sections,related,text,n_words,n_lines,n_kept,n_bytes,encoding";

/// A temporary directory with an input tree of three sites and two bad files.
struct Corpus {
    dir: tempfile::TempDir,
}

impl Corpus {
    fn new() -> Corpus {
        let dir = tempfile::tempdir().expect("temp dir");
        let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures");
        let mut names: Vec<_> = std::fs::read_dir(sample.join("sample"))
            .expect("fixtures/sample")
            .map(|e| e.expect("entry").file_name())
            .collect();
        names.sort();
        for (i, name) in names.iter().enumerate() {
            let site = if i < 4 { "site-a.com" } else { "site-b.org" };
            copy(
                &sample.join("sample").join(name),
                &dir.path().join("in").join(site).join(name),
            );
        }
        for name in ["empty.txt", "binary.txt"] {
            copy(
                &sample.join("bad").join(name),
                &dir.path().join("in").join(name),
            );
        }
        // Three pages of one site sharing a menu and a footer: the site's boilerplate.
        for (i, topic) in ["harbour", "railway", "library"].iter().enumerate() {
            let page = format!(
                "Home | World | Sport\nSign in\nThe {topic} story, told in full\n\
                 The {topic} reopened on Monday, officials said, after \"two years\" of work, delays, and costs.\n\
                 Mr. Smith, who led the U.S. team, said: \"It was hard. We did it.\" He thanked the crew of {i}.\n\
                 A second paragraph, with a comma, a \"quote\" and a line that goes on long enough to count.\n\
                 {story}\n\
                 © 2024 Site C News. All rights reserved.\n",
                // Each page tells its own story, so that the pages are not near duplicates of
                // each other (the duplicate index would drop two of them).
                story = [
                    "Fishing boats returned to the quay at dawn, and the new crane lifted its first container well before noon.",
                    "Commuters crowded the platform as the first train in two years left for the coast, only nine minutes late.",
                    "Children queued outside the reading room, where volunteers had shelved forty thousand donated books overnight.",
                ][i],
            );
            write(
                &dir.path().join(format!("in/site-c.net/{topic}.txt")),
                page.as_bytes(),
            );
        }
        Corpus { dir }
    }

    fn input(&self) -> PathBuf {
        self.dir.path().join("in")
    }

    fn path(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }

    /// Runs `newsclean run` on the corpus with `args` after the input.
    fn run(&self, args: &[&str]) -> Output {
        let input = self.input();
        let mut all = vec!["run", arg(&input), "--quiet"];
        all.extend_from_slice(args);
        let output = Command::new(env!("CARGO_BIN_EXE_newsclean"))
            .args(&all)
            .stdin(Stdio::null())
            .output()
            .expect("newsclean runs");
        // Two documents are rejected (empty and binary files): exit code 1, not 0 or 2.
        assert_eq!(
            output.status.code(),
            Some(1),
            "newsclean {all:?}\nstderr:\n{}",
            String::from_utf8_lossy(&output.stderr)
        );
        output
    }

    /// Runs with `-f jsonl` and `args` and returns the records.
    fn jsonl(&self, name: &str, args: &[&str]) -> Vec<Value> {
        let out = self.path(name);
        let mut all = vec!["-f", "jsonl", "-o", arg(&out)];
        all.extend_from_slice(args);
        self.run(&all);
        read_jsonl(&std::fs::read(&out).expect("jsonl output"))
    }
}

fn copy(from: &Path, to: &Path) {
    write(to, &std::fs::read(from).expect("fixture"));
}

fn write(path: &Path, bytes: &[u8]) {
    std::fs::create_dir_all(path.parent().expect("parent")).expect("mkdir");
    std::fs::write(path, bytes).expect("write");
}

fn arg(path: &Path) -> &str {
    path.to_str().expect("test paths are UTF-8")
}

fn read_jsonl(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .expect("UTF-8")
        .lines()
        .map(|line| serde_json::from_str(line).expect("valid JSON line"))
        .collect()
}

/// Files in `dir`, sorted by name.
fn listing(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .expect("dir")
        .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

/// One cell of an Arrow array as JSON, recursively.
fn cell(array: &dyn Array, i: usize) -> Value {
    if array.is_null(i) {
        return Value::Null;
    }
    let any = array.as_any();
    if let Some(a) = any.downcast_ref::<StringArray>() {
        Value::from(a.value(i))
    } else if let Some(a) = any.downcast_ref::<Int64Array>() {
        Value::from(a.value(i))
    } else if let Some(a) = any.downcast_ref::<ListArray>() {
        let values = a.value(i);
        (0..values.len()).map(|j| cell(&values, j)).collect()
    } else if let Some(a) = any.downcast_ref::<StructArray>() {
        let map: Map<String, Value> = a
            .fields()
            .iter()
            .zip(a.columns())
            .map(|(field, column)| (field.name().clone(), cell(column, i)))
            .collect();
        Value::Object(map)
    } else {
        panic!("unexpected column type {:?}", array.data_type())
    }
}

/// Reads a parquet file back with the parquet crate's reader, one JSON object per row.
pub(crate) fn read_parquet(path: &Path) -> (Vec<Value>, usize) {
    let file = std::fs::File::open(path).expect("parquet output");
    let builder = ParquetRecordBatchReaderBuilder::try_new(file).expect("a parquet file");
    let n_row_groups = builder.metadata().num_row_groups();
    let mut rows = Vec::new();
    for batch in builder.build().expect("reader") {
        let batch = batch.expect("a record batch");
        let schema = batch.schema();
        for i in 0..batch.num_rows() {
            let row: Map<String, Value> = schema
                .fields()
                .iter()
                .zip(batch.columns())
                .map(|(field, column)| (field.name().clone(), cell(column, i)))
                .collect();
            rows.push(Value::Object(row));
        }
    }
    (rows, n_row_groups)
}

fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut reader = csv::Reader::from_path(path).expect("csv output");
    let header = reader
        .headers()
        .expect("header")
        .iter()
        .map(str::to_owned)
        .collect();
    let rows = reader
        .records()
        .map(|r| r.expect("a csv record").iter().map(str::to_owned).collect())
        .collect();
    (header, rows)
}

/// Removes Markdown's backslash escapes.
fn unescape(text: &str) -> String {
    let mut out = String::new();
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\\' && chars.peek().is_some_and(char::is_ascii_punctuation) {
            out.push(chars.next().expect("peeked"));
        } else {
            out.push(c);
        }
    }
    out
}

/// Parses an exported Markdown article back into the JSONL shape.
fn parse_markdown(text: &str) -> Value {
    let mut title = Value::Null;
    let mut summary: Vec<Value> = Vec::new();
    let mut sections: Vec<Value> = Vec::new();
    let mut related: Vec<Value> = Vec::new();
    let mut meta: Vec<Value> = Vec::new();
    let mut is_in_related = false;
    let bullets = |block: &str| -> Vec<Value> {
        block
            .lines()
            .map(|l| Value::from(unescape(l.strip_prefix("- ").expect("a bullet"))))
            .collect()
    };
    for block in text.trim_end_matches('\n').split("\n\n") {
        if let Some(rest) = block.strip_prefix("# ") {
            title = Value::from(unescape(rest));
        } else if block == "---" || block == "**Related**" {
            is_in_related = true;
        } else if block.starts_with("- ") {
            if is_in_related {
                related = bullets(block);
            } else {
                summary = bullets(block);
            }
        } else if let Some(rest) = block.strip_prefix('*').and_then(|b| b.strip_suffix('*')) {
            // Byline and date lines, in that order, in italics (a paragraph's `*` is escaped).
            meta.push(Value::from(unescape(rest)));
        } else if let Some(rest) = block.strip_prefix("## ") {
            sections.push(json!({"heading": unescape(rest), "paragraphs": []}));
        } else {
            assert!(!block.contains('\n'), "a paragraph is one line: {block:?}");
            if sections.is_empty() {
                sections.push(json!({"heading": null, "paragraphs": []}));
            }
            let last = sections.last_mut().expect("a section");
            last["paragraphs"]
                .as_array_mut()
                .expect("paragraphs")
                .push(Value::from(unescape(block)));
        }
    }
    json!({"title": title, "meta": meta, "summary": summary, "sections": sections, "related": related})
}

fn ids(records: &[Value]) -> Vec<&str> {
    records
        .iter()
        .map(|r| r["id"].as_str().expect("id"))
        .collect()
}

#[test]
fn compressed_jsonl_decompresses_to_the_jsonl_export() {
    let corpus = Corpus::new();
    corpus.jsonl("out.jsonl", &[]);
    let plain = std::fs::read(corpus.path("out.jsonl")).unwrap();
    assert!(read_jsonl(&plain).len() >= 10);
    corpus.run(&["-o", arg(&corpus.path("out.jsonl.gz"))]);
    corpus.run(&["-o", arg(&corpus.path("out.jsonl.zst"))]);
    let mut gunzipped = Vec::new();
    flate2::read::GzDecoder::new(std::fs::File::open(corpus.path("out.jsonl.gz")).unwrap())
        .read_to_end(&mut gunzipped)
        .unwrap();
    assert_eq!(gunzipped, plain);
    let unzstd =
        zstd::decode_all(std::fs::File::open(corpus.path("out.jsonl.zst")).unwrap()).unwrap();
    assert_eq!(unzstd, plain);
    // The rejects file name drops the compression extension.
    assert!(corpus.path("out.rejects.jsonl").exists());
}

#[test]
fn parquet_reads_back_as_the_jsonl_export() {
    let corpus = Corpus::new();
    let expected = corpus.jsonl("cols.jsonl", &["--fields", PARQUET_FIELDS]);
    let out = corpus.path("out.parquet");
    corpus.run(&["-f", "parquet", "-o", arg(&out)]);
    let (rows, n_row_groups) = read_parquet(&out);
    assert_eq!(n_row_groups, 1);
    assert_eq!(rows, expected);
    // Types are what the docs promise, not strings for everything.
    let first = &rows[0];
    assert!(
        first["n_words"].is_i64() && first["summary"].is_array() && first["sections"].is_array()
    );
    assert_eq!(first["site"], "site-a.com");
}

#[test]
fn parquet_and_jsonl_carry_the_same_sentences() {
    let corpus = Corpus::new();
    let fields = "id,sections";
    let expected = corpus.jsonl("s.jsonl", &["--fields", fields, "--sentences"]);
    let out = corpus.path("s.parquet");
    corpus.run(&[
        "-f",
        "parquet",
        "-o",
        arg(&out),
        "--fields",
        fields,
        "--sentences",
    ]);
    assert_eq!(read_parquet(&out).0, expected);

    let mut n_sentences = 0;
    for record in &expected {
        for section in record["sections"].as_array().unwrap() {
            let paragraphs = section["paragraphs"].as_array().unwrap();
            let sentences = section["sentences"].as_array().unwrap();
            assert_eq!(paragraphs.len(), sentences.len());
            for (paragraph, split) in paragraphs.iter().zip(sentences) {
                let joined: Vec<&str> = split
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|s| s.as_str().unwrap())
                    .collect();
                n_sentences += joined.len();
                let squash = |s: &str| s.split_whitespace().collect::<Vec<_>>().join(" ");
                assert_eq!(
                    squash(&joined.join(" ")),
                    squash(paragraph.as_str().unwrap())
                );
            }
        }
    }
    // The site-c pages' second paragraph: "Mr." and "U.S." do not end sentences; a stop inside
    // a quotation does, as in the common tokenizers (NLTK's Punkt splits it the same way).
    let harbour = expected
        .iter()
        .find(|r| r["id"] == "site-c.net/harbour")
        .expect("harbour page");
    let sentences = harbour["sections"][0]["sentences"].as_array().unwrap();
    assert!(
        sentences.contains(&json!([
            "Mr. Smith, who led the U.S. team, said: \"It was hard.",
            "We did it.\"",
            "He thanked the crew of 0."
        ])),
        "{sentences:#?}"
    );
    assert!(n_sentences > 50);
}

#[test]
fn csv_reads_back_as_the_jsonl_export() {
    let corpus = Corpus::new();
    let expected = corpus.jsonl("cols.jsonl", &["--fields", "id,url,site,title,text"]);
    let out = corpus.path("out.csv");
    corpus.run(&["-f", "csv", "-o", arg(&out)]);
    let raw = std::fs::read_to_string(&out).unwrap();
    assert!(
        raw.starts_with("id,url,site,title,text\r\n"),
        "RFC 4180 header and CRLF"
    );
    let (header, rows) = read_csv(&out);
    assert_eq!(header, ["id", "url", "site", "title", "text"]);
    assert_eq!(rows.len(), expected.len());
    let as_cell = |v: &Value| v.as_str().unwrap_or("").to_owned();
    for (row, record) in rows.iter().zip(&expected) {
        let want: Vec<String> = header
            .iter()
            .map(|h| as_cell(&record[h.as_str()]))
            .collect();
        assert_eq!(row, &want);
    }
    // Newlines, quotes and commas survived.
    assert!(rows.iter().all(|r| r[4].contains('\n')));
    assert!(
        rows.iter()
            .any(|r| r[4].contains("team, said: \"It was hard."))
    );

    // Lists are JSON inside their cell.
    let out = corpus.path("lists.csv");
    corpus.run(&[
        "-f",
        "csv",
        "-o",
        arg(&out),
        "--fields",
        "id,summary,sections",
    ]);
    let (_, rows) = read_csv(&out);
    let full = corpus.jsonl("full.jsonl", &[]);
    for (row, record) in rows.iter().zip(&full) {
        assert_eq!(
            serde_json::from_str::<Value>(&row[1]).unwrap(),
            record["summary"]
        );
        assert_eq!(
            serde_json::from_str::<Value>(&row[2]).unwrap(),
            record["sections"]
        );
    }
}

#[test]
fn markdown_text_and_bincode_read_back_as_the_jsonl_export() {
    let corpus = Corpus::new();
    let expected = corpus.jsonl("out.jsonl", &[]);
    let md = corpus.path("md");
    corpus.run(&["-f", "markdown", "-o", arg(&md)]);
    let txt = corpus.path("txt");
    corpus.run(&["-f", "text", "-o", arg(&txt)]);
    let bin = corpus.path("out.bin");
    corpus.run(&["-f", "bincode", "-o", arg(&bin)]);

    for record in &expected {
        let id = record["id"].as_str().unwrap();
        let markdown = std::fs::read_to_string(md.join(format!("{id}.md"))).unwrap();
        let meta: Vec<&Value> = [&record["byline"], &record["published_text"]]
            .into_iter()
            .filter(|v| !v.is_null())
            .collect();
        let want = json!({
            "title": record["title"],
            "meta": meta,
            "summary": record["summary"],
            "sections": record["sections"],
            "related": record["related"],
        });
        assert_eq!(parse_markdown(&markdown), want, "{id}.md:\n{markdown}");
        let text = std::fs::read_to_string(txt.join(format!("{id}.txt"))).unwrap();
        assert_eq!(text, format!("{}\n", record["text"].as_str().unwrap()));
    }

    let bytes = std::fs::read(&bin).unwrap();
    let mut reader = FrameReader::new(bytes.as_slice()).unwrap();
    let mut articles = Vec::new();
    while let Some(record) = reader.read().unwrap() {
        if let Record::Article(article) = record {
            articles.push((article.id.clone(), article.text()));
        }
    }
    let want: Vec<(String, String)> = expected
        .iter()
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(articles, want);
}

#[test]
fn fields_pick_and_order_jsonl_keys() {
    let corpus = Corpus::new();
    let out = corpus.path("f.jsonl");
    corpus.run(&["-o", arg(&out), "--fields", "site,id,n_words"]);
    let line = std::fs::read_to_string(&out).unwrap();
    let first = line.lines().next().unwrap();
    assert!(
        first.starts_with("{\"site\":\"site-a.com\",\"id\":\"site-a.com/"),
        "{first}"
    );
    assert_eq!(
        serde_json::from_str::<Map<String, Value>>(first)
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn sharding_keeps_every_document_once() {
    let corpus = Corpus::new();
    let expected = corpus.jsonl("all.jsonl", &["--fields", PARQUET_FIELDS]);
    let n = expected.len();
    assert_eq!(n, 12);
    for (format, ext) in [("parquet", "parquet"), ("jsonl", "jsonl"), ("csv", "csv")] {
        let dir = corpus.path(&format!("shards-{format}"));
        std::fs::create_dir_all(&dir).unwrap();
        let base = dir.join(format!("out.{ext}"));
        let fields = if format == "csv" {
            "id,url,site,title,text"
        } else {
            PARQUET_FIELDS
        };
        let rejects = corpus.path(&format!("{format}.rejects.jsonl"));
        let duplicates = corpus.path(&format!("{format}.duplicates.jsonl"));
        corpus.run(&[
            "-f",
            format,
            "-o",
            arg(&base),
            "--fields",
            fields,
            "--max-docs-per-file",
            "5",
            "--rejects",
            arg(&rejects),
            "--duplicates",
            arg(&duplicates),
        ]);
        // 12 articles, 5 per file: 3 files (the last one short), and no temporary or unsharded
        // file left.
        assert_eq!(
            listing(&dir),
            [0, 1, 2].map(|i| format!("out-{i:05}.{ext}")),
            "{format}"
        );
        let mut got: Vec<Value> = Vec::new();
        let mut sizes = Vec::new();
        for i in 0..3 {
            let path = dir.join(format!("out-{i:05}.{ext}"));
            let rows = match format {
                "parquet" => read_parquet(&path).0,
                "jsonl" => read_jsonl(&std::fs::read(&path).unwrap()),
                _ => {
                    let (header, rows) = read_csv(&path);
                    rows.into_iter()
                        .map(|row| {
                            Value::Object(
                                header
                                    .iter()
                                    .cloned()
                                    .zip(row.into_iter().map(Value::from))
                                    .collect(),
                            )
                        })
                        .collect()
                }
            };
            sizes.push(rows.len());
            got.extend(rows);
        }
        assert_eq!(sizes, [5, 5, 2], "{format}");
        assert_eq!(
            ids(&got),
            ids(&expected),
            "{format}: every document once, in order"
        );
        if format != "csv" {
            assert_eq!(got, expected, "{format}");
        }
    }
}

#[test]
fn output_is_the_same_for_any_thread_count() {
    let corpus = Corpus::new();
    for (format, name) in [
        ("parquet", "p.parquet"),
        ("csv", "c.csv.gz"),
        ("jsonl", "j.jsonl.zst"),
    ] {
        let one = corpus.path(&format!("1-{name}"));
        let three = corpus.path(&format!("3-{name}"));
        corpus.run(&["-f", format, "-o", arg(&one), "-j", "1", "--sentences"]);
        corpus.run(&["-f", format, "-o", arg(&three), "-j", "3", "--sentences"]);
        assert_eq!(
            std::fs::read(&one).unwrap(),
            std::fs::read(&three).unwrap(),
            "{format}"
        );
    }
}

#[test]
fn option_errors_are_usage_errors() {
    let corpus = Corpus::new();
    let check = |args: &[&str], message: &str| {
        let input = corpus.input();
        let mut all = vec!["run", arg(&input), "--quiet"];
        all.extend_from_slice(args);
        let output = Command::new(env!("CARGO_BIN_EXE_newsclean"))
            .args(&all)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{all:?}: {stderr}");
        assert!(stderr.contains(message), "{all:?}: {stderr}");
    };
    let out = corpus.path("x.parquet");
    check(
        &["-f", "parquet", "-o", arg(&out), "--fields", "id,stats"],
        "the field stats cannot be written as parquet",
    );
    check(
        &["-o", arg(&out), "--fields", "id,nope"],
        "unknown field \"nope\"",
    );
    check(
        &[
            "-f",
            "text",
            "-o",
            arg(&corpus.path("t")),
            "--max-docs-per-file",
            "2",
        ],
        "not to text",
    );
    check(
        &["-f", "markdown", "-o", "-"],
        "the markdown format writes a directory",
    );
    check(
        &["-f", "parquet", "-o", arg(&corpus.path("x.parquet.gz"))],
        "asks for compression",
    );
    check(&["-o", arg(&out), "--max-docs-per-file", "0"], "at least 1");
    // Nothing was left behind by the failed runs.
    assert_eq!(listing(corpus.dir.path()), ["in"]);
}

/// The report's totals equal the sums over the exported articles' stats.
fn assert_sums(report: &Value, records: &[Value]) {
    let mut removed: BTreeMap<String, u64> = BTreeMap::new();
    let (mut n_words, mut n_lines, mut n_kept, mut n_bytes, mut n_bytes_out) = (0, 0, 0, 0, 0);
    for record in records {
        let stats = &record["stats"];
        for (reason, n) in stats["removed"].as_object().unwrap() {
            *removed.entry(reason.clone()).or_default() += n.as_u64().unwrap();
        }
        n_words += stats["n_words"].as_u64().unwrap();
        n_lines += stats["n_lines"].as_u64().unwrap();
        n_kept += stats["n_kept"].as_u64().unwrap();
        n_bytes += stats["n_bytes"].as_u64().unwrap();
        n_bytes_out += record["text"].as_str().unwrap().len() as u64;
    }
    assert_eq!(serde_json::to_value(&removed).unwrap(), report["removed"]);
    assert_eq!(report["n_words"], n_words);
    assert_eq!(report["n_lines"], n_lines);
    assert_eq!(report["n_kept"], n_kept);
    assert_eq!(report["n_bytes"], n_bytes);
    assert_eq!(report["n_bytes_out"], n_bytes_out);
    let sum = |key: &str| -> u64 {
        report["lengths"][key]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .sum()
    };
    assert_eq!(
        (sum("before"), sum("after")),
        (records.len() as u64, records.len() as u64)
    );
}

#[test]
fn report_figures_equal_the_run() {
    let corpus = Corpus::new();
    let report_json = corpus.path("report.json");
    let records = corpus.jsonl("out.jsonl", &["-j", "2", "--report", arg(&report_json)]);
    let rejects = read_jsonl(&std::fs::read(corpus.path("out.rejects.jsonl")).unwrap());
    let report: Value = serde_json::from_slice(&std::fs::read(&report_json).unwrap()).unwrap();

    assert_eq!(report["n_seen"], records.len() + rejects.len());
    assert_eq!(report["n_exported"], records.len());
    assert_eq!(report["n_rejected"], rejects.len());
    assert_eq!(rejects.len(), 2);
    assert_eq!(report["n_duplicates"], 0);
    assert_eq!(report["threads"], 2);
    assert_eq!(report["version"], env!("CARGO_PKG_VERSION"));
    assert!(
        report["args"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a == "--report")
    );

    assert_sums(&report, &records);

    let mut per_site: BTreeMap<String, u64> = BTreeMap::new();
    for record in &records {
        let id = record["id"].as_str().unwrap();
        let site = id.split_once('/').map_or("", |(site, _)| site);
        *per_site.entry(site.to_owned()).or_default() += 1;
    }
    // Per site: exported articles by id prefix; the bad files sit at the root (no site).
    let sites = report["sites"].as_object().unwrap();
    assert_eq!(
        sites.keys().collect::<Vec<_>>(),
        ["", "site-a.com", "site-b.org", "site-c.net"]
    );
    for (site, n) in &per_site {
        assert_eq!(sites[site]["n_exported"], *n, "{site}");
    }
    assert_eq!(sites[""]["n_rejected"], 2);
    assert_eq!(sites[""]["n_docs"], 2);
    // The menu and footer of site-c's three pages are its top boilerplate lines.
    let top: Vec<(&str, u64)> = sites["site-c.net"]["top_lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| (l["text"].as_str().unwrap(), l["n"].as_u64().unwrap()))
        .collect();
    assert!(top.contains(&("Home | World | Sport", 3)), "{top:?}");
    assert!(
        top.contains(&("© 2024 Site C News. All rights reserved.", 3)),
        "{top:?}"
    );

    // Every output file, with its real size; throughput is consistent with the wall time.
    let files = report["files"].as_array().unwrap();
    let kinds: Vec<&str> = files.iter().map(|f| f["kind"].as_str().unwrap()).collect();
    assert_eq!(kinds, ["articles", "rejects", "duplicates", "report"]);
    assert_eq!(files[0]["n_docs"], records.len());
    assert_eq!(files[1]["n_docs"], rejects.len());
    for (file, name) in files
        .iter()
        .zip(["out.jsonl", "out.rejects.jsonl", "out.duplicates.jsonl"])
    {
        assert_eq!(
            file["n_bytes"],
            std::fs::metadata(corpus.path(name)).unwrap().len(),
            "{name}"
        );
    }
    assert_eq!(files[3]["path"], arg(&report_json));
    // Rejects by reason, with numbers as N.
    let by_reason = report["rejects_by_reason"].as_object().unwrap();
    assert_eq!(
        by_reason.values().map(|n| n.as_u64().unwrap()).sum::<u64>(),
        rejects.len() as u64
    );
    let timings = &report["timings"];
    let wall = timings["wall_s"].as_f64().unwrap();
    let docs_per_s = timings["docs_per_s"].as_f64().unwrap();
    assert!(
        (docs_per_s * wall - report["n_seen"].as_f64().unwrap()).abs() < 1e-6 * docs_per_s.max(1.0)
    );
    let stages: Vec<&str> = timings["stages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["stage"].as_str().unwrap())
        .collect();
    assert!(
        stages.contains(&"segment") && stages.contains(&"export"),
        "{stages:?}"
    );
}

#[test]
fn html_report_is_self_contained() {
    let corpus = Corpus::new();
    let report_html = corpus.path("report.html");
    let records = corpus.jsonl("out.jsonl", &["--report", arg(&report_html)]);
    let rejects = read_jsonl(&std::fs::read(corpus.path("out.rejects.jsonl")).unwrap());
    let html = std::fs::read_to_string(&report_html).unwrap();
    assert!(html.starts_with("<!DOCTYPE html>"));
    assert!(
        html.contains("<svg")
            && html.contains("site-c.net")
            && html.contains("Home | World | Sport")
    );
    assert!(html.contains(&format!(
        "<b>{}</b><span>documents seen</span>",
        records.len() + rejects.len()
    )));
    for outside in [
        "<script",
        "src=",
        "href=",
        "http://",
        "https://",
        "url(",
        "@import",
        "@font-face",
    ] {
        assert!(
            !html.contains(outside),
            "the page refers outside itself: {outside}"
        );
    }
}

#[test]
fn sentences_on_the_tricky_fixture() {
    use newsclean_export::sentences::{Lang, split};
    let fixture = include_str!("../crates/export/fixtures/sentences.txt");
    let mut n_cases = 0;
    let mut current: Option<(Lang, &str, Vec<&str>)> = None;
    let mut check = |case: Option<(Lang, &str, Vec<&str>)>| {
        if let Some((lang, paragraph, expected)) = case {
            assert_eq!(split(paragraph, lang), expected, "{paragraph}");
            n_cases += 1;
        }
    };
    for line in fixture.lines().map(str::trim) {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(sentence) = line.strip_prefix("= ") {
            current.as_mut().expect("a case").2.push(sentence);
        } else {
            check(current.take());
            let (code, paragraph) = line.split_once("| ").expect("`lang| paragraph`");
            let lang = match code {
                "auto" => Lang::guess(paragraph),
                code => *Lang::ALL
                    .iter()
                    .find(|l| l.code() == code)
                    .expect("a language"),
            };
            current = Some((lang, paragraph, Vec::new()));
        }
    }
    check(current.take());
    assert!(n_cases >= 25);
}
