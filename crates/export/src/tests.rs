//! Export tests: each format written and read back.

use std::io::Write as _;

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
fn meta_is_written_only_when_present() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let config = ExportConfig {
        format: Format::Jsonl,
        output: out.clone(),
        rejects: None,
    };
    let mut sink = ExportSink::new(&config).unwrap();
    let mut with_meta = article(0, "a");
    with_meta.source.meta = Some(r#"{"lang":"en","n":1}"#.into());
    sink.write(Record::Article(with_meta)).unwrap();
    sink.write(Record::Article(article(1, "b"))).unwrap();
    sink.finish().unwrap();
    let text = std::fs::read_to_string(&out).unwrap();
    let lines: Vec<serde_json::Value> = text
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["meta"], serde_json::json!({"lang": "en", "n": 1}));
    assert!(lines[1].get("meta").is_none());
}

/// Writes documents `from..to` (every third a reject) into `sink`.
fn write_range(sink: &mut ExportSink, from: u64, to: u64) {
    for seq in from..to {
        let record = if seq % 3 == 1 {
            reject(seq)
        } else {
            Record::Article(article(seq, &format!("d{seq}")))
        };
        sink.write(record).unwrap();
    }
}

#[test]
fn resumed_output_equals_uninterrupted_output() {
    for format in [Format::Jsonl, Format::Bincode, Format::Text] {
        let dir = tempfile::tempdir().unwrap();
        let config = |name: &str| ExportConfig {
            format,
            output: dir.path().join(name),
            rejects: Some(dir.path().join(format!("{name}.rejects.jsonl"))),
        };
        let whole = config("whole");
        let mut sink = ExportSink::new(&whole).unwrap();
        write_range(&mut sink, 0, 150);
        sink.finish().unwrap();

        let resumed = config("resumed");
        let (mut sink, next) = ExportSink::resumable(&resumed, 7).unwrap();
        assert_eq!(next, 0);
        write_range(&mut sink, 0, 100);
        // A crash: whatever was written after the checkpoint is partly there.
        drop(sink);
        if format != Format::Text {
            let partial = AtomicFile::partial_path(&resumed.output);
            let mut file = std::fs::OpenOptions::new()
                .append(true)
                .open(partial)
                .unwrap();
            file.write_all(b"torn half-record").unwrap();
        }
        assert!(
            ExportSink::resumable(&resumed, 8).is_err(),
            "other arguments must not resume this output"
        );
        let (mut sink, next) = ExportSink::resumable(&resumed, 7).unwrap();
        assert_eq!(next, CHECKPOINT_EVERY);
        write_range(&mut sink, next, 150);
        sink.finish().unwrap();
        assert_eq!(sink.summary().n_seen, 150);
        assert_eq!(sink.summary().n_rejected, 50);

        let read = |path: &Path| {
            if format == Format::Text {
                let mut names: Vec<_> = std::fs::read_dir(path)
                    .unwrap()
                    .map(|e| e.unwrap().file_name())
                    .collect();
                names.sort();
                format!("{names:?}").into_bytes()
            } else {
                std::fs::read(path).unwrap()
            }
        };
        assert_eq!(read(&resumed.output), read(&whole.output), "{format:?}");
        assert_eq!(
            std::fs::read(resumed.rejects.as_ref().unwrap()).unwrap(),
            std::fs::read(whole.rejects.as_ref().unwrap()).unwrap()
        );
        let mut left: Vec<_> = std::fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        left.sort();
        assert_eq!(
            left,
            [
                "resumed",
                "resumed.rejects.jsonl",
                "whole",
                "whole.rejects.jsonl"
            ],
            "{format:?}"
        );
    }
}

#[test]
fn report_counts() {
    let dir = tempfile::tempdir().unwrap();
    let summary = export(Format::Jsonl, &dir.path().join("out.jsonl"), None);
    let path = dir.path().join("report.json");
    report::Report::new(&summary).write(&path).unwrap();
    let json: serde_json::Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    assert_eq!(
        json["documents"],
        serde_json::json!({"seen": 3, "exported": 2, "rejected": 1})
    );
}
