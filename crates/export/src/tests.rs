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
        format,
        output: output.to_path_buf(),
        rejects: rejects.map(Path::to_path_buf),
        duplicates: None,
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
    let config = ExportConfig {
        format: Format::Jsonl,
        output: out.clone(),
        rejects: None,
        duplicates: None,
    };
    let mut sink = ExportSink::new(&config).unwrap();
    sink.write(Record::Article(article(0, "a"))).unwrap();
    drop(sink);
    assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
}

#[test]
fn ids_cannot_escape() {
    assert!(text_path(Path::new("o"), "../x").is_err());
    assert!(text_path(Path::new("o"), "/x").is_err());
    assert_eq!(
        text_path(Path::new("o"), "a/b").unwrap(),
        Path::new("o/a/b.txt")
    );
}

#[test]
fn duplicates_are_counted_and_listed() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let duplicates = dir.path().join("out.duplicates.jsonl");
    let config = ExportConfig {
        format: Format::Jsonl,
        output: out.clone(),
        rejects: None,
        duplicates: Some(duplicates.clone()),
    };
    let mut sink = ExportSink::new(&config).unwrap();
    sink.write(Record::Article(article(0, "a"))).unwrap();
    sink.write(Record::Duplicate(newsclean_core::Duplicate {
        seq: 1,
        id: "b".into(),
        source: DocSource::default(),
        duplicate_of: "a".into(),
        kind: newsclean_core::DupKind::Near,
        similarity: 0.876_543,
        n_bytes: 10,
    }))
    .unwrap();
    sink.finish().unwrap();
    let summary = sink.summary();
    assert_eq!(
        (summary.n_seen, summary.n_exported, summary.n_duplicates),
        (2, 1, 1)
    );
    assert_eq!(
        std::fs::read_to_string(&duplicates).unwrap(),
        "{\"id\":\"b\",\"duplicate_of\":\"a\",\"kind\":\"near\",\"similarity\":0.877}\n"
    );
    assert_eq!(std::fs::read_to_string(&out).unwrap().lines().count(), 1);
}
