//! Export tests: each format written and read back.

use newsclean_core::{Article, DocSource, Reject, Section};

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
