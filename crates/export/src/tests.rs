//! Export tests: each format written and read back.

use std::io::Write as _;

use newsclean_core::{Article, DocSource, Reject, Section, Transform as _};

use super::*;

fn article(seq: u64, id: &str) -> Article {
    Article {
        seq,
        id: id.into(),
        source: DocSource {
            path: format!("in/{id}.txt"),
            ..DocSource::default()
        },
        title: Some("Title".into()),
        summary: vec!["Point.".into()],
        sections: vec![Section {
            heading: None,
            paragraphs: vec!["Para one.".into()],
        }],
        ..Article::default()
    }
}

fn reject(seq: u64) -> Record {
    Record::Reject(Reject {
        seq,
        id: "bad".into(),
        source: DocSource::default(),
        reason: "empty file".into(),
    })
}

/// The single place that runs the sink in these tests.
fn export(format: Format, output: &Path, rejects: Option<&Path>) -> ExportSummary {
    let config = ExportConfig {
        rejects: rejects.map(Path::to_path_buf),
        ..ExportConfig::new(format, output.to_path_buf())
    };
    let mut sink = ExportSink::new(&config).unwrap();
    sink.write(Record::Article(article(0, "a"))).unwrap();
    sink.write(reject(1)).unwrap();
    sink.write(Record::Article(article(2, "sub/b"))).unwrap();
    sink.finish().unwrap();
    sink.summary().clone()
}

#[test]
fn jsonl_and_rejects() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let rejects = dir.path().join("out.rejects.jsonl");
    let summary = export(Format::Jsonl, &out, Some(&rejects));
    assert_eq!(
        (summary.n_seen, summary.n_exported, summary.n_rejected),
        (3, 2, 1)
    );
    let text = std::fs::read_to_string(&out).unwrap();
    let first: serde_json::Value = serde_json::from_str(text.lines().next().unwrap()).unwrap();
    assert_eq!(first["id"], "a");
    assert_eq!(first["text"], "Title\nPoint.\nPara one.");
    assert_eq!(first["source"], serde_json::json!({"path": "in/a.txt"}));
    assert_eq!(text.lines().count(), 2);
    assert_eq!(
        std::fs::read_to_string(&rejects).unwrap(),
        "{\"id\":\"bad\",\"source\":{\"path\":\"\"},\"reason\":\"empty file\"}\n"
    );
    let leftovers: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(leftovers.len(), 2, "temporary files left: {leftovers:?}");
}

#[test]
fn text_tree() {
    let dir = tempfile::tempdir().unwrap();
    export(Format::Text, &dir.path().join("out"), None);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out/a.txt")).unwrap(),
        "Title\nPoint.\nPara one.\n"
    );
    assert!(dir.path().join("out/sub/b.txt").exists());
}

#[test]
fn a_text_tree_leaves_line_1_empty_without_a_title() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let mut sink = ExportSink::new(&ExportConfig::new(Format::Text, out.clone())).unwrap();
    let untitled = Article {
        title: None,
        ..article(0, "a")
    };
    sink.write(Record::Article(untitled)).unwrap();
    sink.finish().unwrap();
    assert_eq!(
        std::fs::read_to_string(out.join("a.txt")).unwrap(),
        "\nPoint.\nPara one.\n"
    );
}

#[test]
fn bincode_frames_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.bin");
    export(Format::Bincode, &out, None);
    let bytes = std::fs::read(&out).unwrap();
    let mut reader = newsclean_core::codec::FrameReader::new(bytes.as_slice()).unwrap();
    let mut ids = Vec::new();
    while let Some(record) = reader.read().unwrap() {
        ids.push(record.id().to_owned());
    }
    assert_eq!(ids, ["a", "bad", "sub/b"]);
}

#[test]
fn unfinished_output_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let config = ExportConfig::new(Format::Jsonl, out.clone());
    let mut sink = ExportSink::new(&config).unwrap();
    sink.write(Record::Article(article(0, "a"))).unwrap();
    drop(sink);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn unfinished_sharded_output_leaves_no_file() {
    // Two shards are complete when the run stops: neither may appear, since the run's output
    // is all the shards together.
    let dir = tempfile::tempdir().unwrap();
    let config = ExportConfig {
        max_docs_per_file: Some(1),
        ..ExportConfig::new(Format::Parquet, dir.path().join("out.parquet"))
    };
    let mut sink = ExportSink::new(&config).unwrap();
    for seq in 0..3 {
        sink.write(Record::Article(article(seq, &format!("a{seq}"))))
            .unwrap();
    }
    drop(sink);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn empty_run_writes_one_valid_empty_file() {
    let dir = tempfile::tempdir().unwrap();
    for (format, name) in [
        (Format::Jsonl, "out-00000.jsonl"),
        (Format::Csv, "out-00000.csv"),
        (Format::Parquet, "out-00000.parquet"),
    ] {
        let base = dir.path().join(format!("out.{}", format.name()));
        let config = ExportConfig {
            max_docs_per_file: Some(10),
            ..ExportConfig::new(format, base)
        };
        let mut sink = ExportSink::new(&config).unwrap();
        sink.finish().unwrap();
        let files = &sink.summary().files;
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].path, dir.path().join(name));
        assert_eq!(files[0].n_docs, 0);
        // A parquet file ends with its magic bytes; a csv file has its header.
        let bytes = std::fs::read(&files[0].path).unwrap();
        match format {
            Format::Parquet => assert!(bytes.ends_with(b"PAR1")),
            Format::Csv => assert_eq!(bytes, b"id,url,site,title,text\r\n"),
            _ => assert!(bytes.is_empty()),
        }
    }
}

#[test]
fn invalid_configs_are_refused_before_writing() {
    let dir = tempfile::tempdir().unwrap();
    let check = |config: ExportConfig, message: &str| {
        let err = ExportSink::new(&config).err().expect("refused");
        let text = std::error::Error::source(&err).unwrap().to_string();
        assert_eq!(text, message);
    };
    let out = dir.path().join("out");
    check(
        ExportConfig {
            fields: Some(vec![Field::Id]),
            ..ExportConfig::new(Format::Bincode, out.clone())
        },
        "the bincode format has no columns to choose; fields apply to jsonl, csv and parquet",
    );
    check(
        ExportConfig {
            fields: Some(vec![Field::Id, Field::Id]),
            ..ExportConfig::new(Format::Csv, out.clone())
        },
        "fields must name at least one column, each once",
    );
    check(
        ExportConfig {
            max_docs_per_file: Some(5),
            ..ExportConfig::new(Format::Jsonl, "-".into())
        },
        "max docs per file applies to jsonl, csv and parquet files, not to standard output",
    );
    check(
        ExportConfig::new(Format::Bincode, dir.path().join("out.bin.zst")),
        &format!(
            "{} asks for compression, which applies to jsonl and csv; parquet compresses itself",
            dir.path().join("out.bin.zst").display()
        ),
    );
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn summary_counts_sites_and_sampled_lines_once_per_document() {
    let dir = tempfile::tempdir().unwrap();
    let mut sink = ExportSink::new(&ExportConfig::new(
        Format::Jsonl,
        dir.path().join("out.jsonl"),
    ))
    .unwrap();
    for seq in 0..3 {
        let mut a = article(seq, &format!("example.com/{seq}"));
        a.stats.removed_sample = vec![
            newsclean_core::RemovedLine {
                reason: "low_score".into(),
                text: "Menu".into(),
            };
            2
        ];
        sink.write(Record::Article(a)).unwrap();
    }
    sink.write(reject(3)).unwrap();
    sink.finish().unwrap();
    let summary = sink.summary();
    let site = &summary.sites["example.com"];
    assert_eq!((site.n_docs, site.n_exported), (3, 3));
    assert_eq!(summary.sites[""].n_rejected, 1);
    assert_eq!(site.top_lines.len(), 1);
    assert_eq!(
        (site.top_lines[0].text.as_str(), site.top_lines[0].n),
        ("Menu", 3)
    );
}

#[test]
fn meta_is_written_only_when_present() {
    let dir = tempfile::tempdir().unwrap();
    let write = |config: &ExportConfig| {
        let mut sink = ExportSink::new(config).unwrap();
        let mut with_meta = article(0, "a");
        with_meta.source.meta = Some(r#"{"lang":"en","n":1}"#.into());
        sink.write(Record::Article(with_meta)).unwrap();
        sink.write(Record::Article(article(1, "b"))).unwrap();
        sink.finish().unwrap();
        std::fs::read_to_string(&config.output).unwrap()
    };
    let jsonl = |text: &str| -> Vec<serde_json::Value> {
        text.lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect()
    };
    // The default JSONL columns.
    let lines = jsonl(&write(&ExportConfig::new(
        Format::Jsonl,
        dir.path().join("out.jsonl"),
    )));
    assert_eq!(lines[0]["meta"], serde_json::json!({"lang": "en", "n": 1}));
    assert!(lines[1].get("meta").is_none());
    // Chosen columns.
    let lines = jsonl(&write(&ExportConfig {
        fields: Some(vec![Field::Id, Field::Meta]),
        ..ExportConfig::new(Format::Jsonl, dir.path().join("some.jsonl"))
    }));
    assert_eq!(
        lines,
        [
            serde_json::json!({"id": "a", "meta": {"lang": "en", "n": 1}}),
            serde_json::json!({"id": "b"}),
        ]
    );
    // CSV: the JSON text, or an empty cell.
    let csv = write(&ExportConfig {
        fields: Some(vec![Field::Id, Field::Meta]),
        ..ExportConfig::new(Format::Csv, dir.path().join("out.csv"))
    });
    assert_eq!(
        csv,
        "id,meta\r\na,\"{\"\"lang\"\":\"\"en\"\",\"\"n\"\":1}\"\r\nb,\r\n"
    );
}

fn duplicate(seq: u64, of: &str) -> Record {
    Record::Duplicate(newsclean_core::Duplicate {
        seq,
        id: format!("site1/copy{seq}"),
        source: DocSource::default(),
        duplicate_of: of.into(),
        kind: newsclean_core::DupKind::Near,
        similarity: 0.876_543,
        n_bytes: 10,
    })
}

/// Writes documents `from..to` (every third a reject, some duplicates) into `sink`.
/// An error and its sources, as the binary prints them.
fn chain(err: &dyn std::error::Error) -> String {
    let mut text = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        text.push_str(": ");
        text.push_str(&cause.to_string());
        source = cause.source();
    }
    text
}

/// The key of a resumable run.
fn key(args: u64, inputs: u64) -> ResumeKey {
    ResumeKey { args, inputs }
}

fn write_range(sink: &mut ExportSink, from: u64, to: u64) {
    for seq in from..to {
        let record = if seq % 3 == 1 {
            reject(seq)
        } else if seq % 5 == 0 && seq > 0 {
            duplicate(seq, &format!("site0/d{}", seq % 4))
        } else {
            let mut a = article(seq, &format!("site{}/d{seq}", seq % 2));
            a.stats.removed_sample = vec![newsclean_core::RemovedLine {
                reason: "boilerplate".into(),
                text: format!("Menu {}", seq % 5),
            }];
            Record::Article(a)
        };
        sink.write(record).unwrap();
    }
}

/// The files a test left in `dir`, by name.
fn names(dir: &Path) -> Vec<String> {
    let mut names: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    names
}

#[test]
fn resumed_output_equals_uninterrupted_output() {
    for format in [
        Format::Jsonl,
        Format::Csv,
        Format::Bincode,
        Format::Text,
        Format::Markdown,
    ] {
        let dir = tempfile::tempdir().unwrap();
        let config = |name: &str| ExportConfig {
            rejects: Some(dir.path().join(format!("{name}.rejects.jsonl"))),
            duplicates: Some(dir.path().join(format!("{name}.duplicates.jsonl"))),
            ..ExportConfig::new(format, dir.path().join(name))
        };
        let whole = config("whole");
        let mut sink = ExportSink::new(&whole).unwrap();
        write_range(&mut sink, 0, 150);
        sink.finish().unwrap();
        let whole_summary = sink.summary().clone();

        let resumed = config("resumed");
        let (mut sink, next) = ExportSink::resumable(&resumed, key(7, 0)).unwrap();
        assert_eq!(next, 0);
        write_range(&mut sink, 0, 100);
        // A crash: whatever was written after the checkpoint is partly there.
        drop(sink);
        if !format.is_tree() {
            let partial = AtomicFile::partial_path(&resumed.output);
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(partial)
                .unwrap();
            file.write_all(b"torn half-record").unwrap();
        }
        assert!(
            ExportSink::resumable(&resumed, key(8, 0)).is_err(),
            "other arguments must not resume this output"
        );
        let err = ExportSink::resumable(&resumed, key(7, 1)).err().unwrap();
        assert!(
            chain(&err).contains("the inputs changed"),
            "changed inputs must not resume this output: {err}"
        );
        let (mut sink, next) = ExportSink::resumable(&resumed, key(7, 0)).unwrap();
        assert_eq!(next, CHECKPOINT_EVERY);
        write_range(&mut sink, next, 150);
        sink.finish().unwrap();
        assert_eq!(sink.summary().n_seen, 150);
        assert_eq!(sink.summary().n_rejected, 50);
        assert_eq!(sink.summary().n_duplicates, 19);
        // The figures for the report, top lines included, are those of the whole run.
        let mut summary = sink.summary().clone();
        let mut expected = whole_summary.clone();
        for files in [&mut summary.files, &mut expected.files] {
            // The articles (a file or a directory), the rejects and the duplicates.
            let kinds: Vec<&str> = files.iter().map(|f| f.kind.as_str()).collect();
            let articles = if format.is_tree() {
                "articles directory"
            } else {
                "articles"
            };
            assert_eq!(kinds, [articles, "rejects", "duplicates"]);
            for file in files.iter_mut() {
                file.path = PathBuf::new();
            }
        }
        assert_eq!(summary, expected, "{format:?}");
        assert!(!expected.sites["site0"].top_lines.is_empty());
        assert_eq!(expected.duplicate_clusters.len(), 4);

        let read = |path: &Path| {
            if format.is_tree() {
                format!("{:?}", names(path)).into_bytes()
            } else {
                std::fs::read(path).unwrap()
            }
        };
        assert_eq!(read(&resumed.output), read(&whole.output), "{format:?}");
        for side in [&resumed.rejects, &resumed.duplicates] {
            let side = side.as_ref().unwrap();
            let whole_side = dir.path().join(
                side.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .replace("resumed", "whole"),
            );
            assert_eq!(
                std::fs::read(side).unwrap(),
                std::fs::read(whole_side).unwrap()
            );
        }
        assert_eq!(
            names(dir.path()),
            [
                "resumed",
                "resumed.duplicates.jsonl",
                "resumed.rejects.jsonl",
                "whole",
                "whole.duplicates.jsonl",
                "whole.rejects.jsonl"
            ],
            "{format:?}"
        );
    }
}

/// A resumed sink writes nothing for the documents the stopped run wrote, when the caller
/// replays them (for the duplicate index) instead of skipping them at the source.
#[test]
fn replayed_documents_are_not_written_again() {
    let dir = tempfile::tempdir().unwrap();
    let whole = ExportConfig::new(Format::Jsonl, dir.path().join("whole.jsonl"));
    let mut sink = ExportSink::new(&whole).unwrap();
    write_range(&mut sink, 0, 150);
    sink.finish().unwrap();

    let resumed = ExportConfig::new(Format::Jsonl, dir.path().join("resumed.jsonl"));
    let (mut sink, _) = ExportSink::resumable(&resumed, key(7, 0)).unwrap();
    write_range(&mut sink, 0, 100);
    drop(sink);
    let (mut sink, next) = ExportSink::resumable(&resumed, key(7, 0)).unwrap();
    assert_eq!(next, CHECKPOINT_EVERY);
    write_range(&mut sink, 0, 150);
    sink.finish().unwrap();
    assert_eq!(sink.summary().n_seen, 150);
    assert_eq!(
        std::fs::read(&resumed.output).unwrap(),
        std::fs::read(&whole.output).unwrap()
    );
}

#[test]
fn duplicates_are_counted_listed_and_clustered() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let duplicates = dir.path().join("out.duplicates.jsonl");
    let config = ExportConfig {
        duplicates: Some(duplicates.clone()),
        ..ExportConfig::new(Format::Jsonl, out.clone())
    };
    let mut sink = ExportSink::new(&config).unwrap();
    sink.write(Record::Article(article(0, "site0/a"))).unwrap();
    sink.write(Record::Article(article(1, "site0/b"))).unwrap();
    sink.write(duplicate(2, "site0/b")).unwrap();
    sink.write(duplicate(3, "site0/a")).unwrap();
    sink.write(duplicate(4, "site0/b")).unwrap();
    sink.finish().unwrap();
    let summary = sink.summary();
    assert_eq!(
        (summary.n_seen, summary.n_exported, summary.n_duplicates),
        (5, 2, 3)
    );
    assert_eq!(summary.sites["site1"].n_duplicates, 3);
    let clusters: Vec<(u64, Vec<&str>)> = summary
        .duplicate_clusters
        .iter()
        .map(|c| (c.n_docs, c.ids.iter().map(String::as_str).collect()))
        .collect();
    assert_eq!(
        clusters,
        [
            (3, vec!["site0/b", "site1/copy2", "site1/copy4"]),
            (2, vec!["site0/a", "site1/copy3"]),
        ]
    );
    let text = std::fs::read_to_string(&duplicates).unwrap();
    assert_eq!(
        text.lines().next().unwrap(),
        "{\"id\":\"site1/copy2\",\"duplicate_of\":\"site0/b\",\"kind\":\"near\",\"similarity\":0.877}"
    );
    assert_eq!(text.lines().count(), 3);
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 2);
}

#[test]
fn outputs_that_cannot_be_cut_back_are_not_resumable() {
    let dir = tempfile::tempdir().unwrap();
    let refused = |config: ExportConfig| {
        let err = ExportSink::resumable(&config, key(1, 0)).err().unwrap();
        let err = std::error::Error::source(&err).unwrap().to_string();
        assert!(err.starts_with("cannot resume a run that writes"), "{err}");
    };
    refused(ExportConfig::new(
        Format::Parquet,
        dir.path().join("out.parquet"),
    ));
    refused(ExportConfig::new(
        Format::Jsonl,
        dir.path().join("out.jsonl.gz"),
    ));
    refused(ExportConfig::new(
        Format::Csv,
        dir.path().join("out.csv.zst"),
    ));
    refused(ExportConfig {
        max_docs_per_file: Some(10),
        ..ExportConfig::new(Format::Jsonl, dir.path().join("out.jsonl"))
    });
    refused(ExportConfig::new(Format::Bincode, PathBuf::from("-")));
    // Nothing was created.
    assert!(names(dir.path()).is_empty());
}

#[test]
fn report_counts() {
    let dir = tempfile::tempdir().unwrap();
    let summary = export(Format::Jsonl, &dir.path().join("out.jsonl"), None);
    let path = dir.path().join("report.json");
    let report = Report {
        version: "0".into(),
        args: Vec::new(),
        threads: 1,
        summary,
        timings: report::Timings::default(),
    };
    report.write(&path).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    // Documents seen = exported + duplicates + rejected.
    assert_eq!(
        [
            &json["n_seen"],
            &json["n_exported"],
            &json["n_duplicates"],
            &json["n_rejected"]
        ],
        [3, 2, 0, 1]
    );
}

#[test]
fn format_from_the_output_name() {
    let of = |name: &str| Format::of_path(Path::new(name));
    assert_eq!(of("out.parquet"), Some(Format::Parquet));
    assert_eq!(of("d/out.CSV"), Some(Format::Csv));
    assert_eq!(of("out.csv.zst"), Some(Format::Csv));
    assert_eq!(of("out.jsonl.gz"), Some(Format::Jsonl));
    assert_eq!(of("out.json"), Some(Format::Jsonl));
    assert_eq!(of("out.md"), Some(Format::Markdown));
    assert_eq!(of("run.bin"), Some(Format::Bincode));
    assert_eq!(of("out"), None);
    assert_eq!(of("out.txt"), None);
    assert_eq!(of("out.gz"), None);
    assert_eq!(of("-"), None);
}

/// Articles rendered on the workers ([`ExportSink::renderer`]) come out byte for byte as the
/// sink renders them itself, in every JSONL shape, with the same counts; other formats have
/// no renderer.
#[test]
fn rendered_articles_are_written_as_the_sink_renders_them() {
    let dir = tempfile::tempdir().unwrap();
    let mut long = article(2, "sub/b");
    long.sections[0].paragraphs = vec!["One sentence here. Another one \"quoted\"\tend.".into()];
    long.source.url = Some("https://example.com/x".into());
    long.stats.removed_sample = vec![newsclean_core::RemovedLine {
        text: "Advertisement".into(),
        reason: "boilerplate".into(),
    }];
    let articles = [article(0, "a"), long];
    for schema in [Schema::Newsclean, Schema::Dolma, Schema::Datatrove] {
        for has_sentences in [false, true] {
            let run = |name: &str, render: bool| {
                let config = ExportConfig {
                    has_sentences,
                    schema,
                    ..ExportConfig::new(Format::Jsonl, dir.path().join(name))
                };
                let mut sink = ExportSink::new(&config).unwrap();
                let mut renderer = sink.renderer().expect("jsonl has a renderer");
                for article in &articles {
                    let mut record = Record::Article(article.clone());
                    if render {
                        record = renderer.process(record).unwrap();
                        let Record::Article(a) = &record else {
                            panic!()
                        };
                        assert!(a.rendered.is_some());
                    }
                    sink.write(record).unwrap();
                }
                sink.finish().unwrap();
                // The same counts, but for the files' names.
                let summary = ExportSummary {
                    files: Vec::new(),
                    ..sink.summary().clone()
                };
                (std::fs::read(dir.path().join(name)).unwrap(), summary)
            };
            let label = format!("{schema:?}, sentences {has_sentences}");
            assert_eq!(
                run("plain.jsonl", false),
                run("rendered.jsonl", true),
                "{label}"
            );
        }
    }
    for format in [Format::Csv, Format::Parquet] {
        let config = ExportConfig::new(format, dir.path().join(format!("x.{}", format.name())));
        assert!(ExportSink::new(&config).unwrap().renderer().is_none());
    }
}
