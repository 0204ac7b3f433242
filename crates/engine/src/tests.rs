//! The engine against the export sink: what a program gets from [`Engine::run`] or
//! [`Engine::clean_one`] with [`json_line`] is what `run` writes.

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;

use newsclean_core::{NoopReporter, Record, Sink, StageError};
use newsclean_dedupe::site::GroupBy;
use newsclean_export::{ExportConfig, ExportSink, Format, json_line};
use newsclean_ingest::{IngestConfig, InputSource};

use super::*;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/sample")
}

/// A sink that keeps every record's JSON line.
#[derive(Default)]
struct Lines(Vec<String>);

impl Sink for Lines {
    type Item = Record;
    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let line = json_line(&record).expect("the run ends in articles, rejects and duplicates");
        self.0.push(String::from_utf8(line).unwrap());
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

fn source(input: &Path) -> InputSource<'static> {
    InputSource::new(&[input.to_owned()], &IngestConfig::default(), &NoopReporter).unwrap()
}

/// The single place that runs the engine: every record's JSON line, in order.
fn check(engine: &Engine, input: &Path, threads: usize) -> Vec<String> {
    let cancel = AtomicBool::new(false);
    let runner = Runner::new(threads, &cancel, &NoopReporter);
    let mut lines = Lines::default();
    engine
        .run(&runner, source(input), &mut lines, &StageClock::default())
        .unwrap();
    lines.0
}

/// What the export sink writes for the same run: output, rejects and duplicates, each in
/// input order (the files interleave as the run's records do only within each file).
fn exported(engine: &Engine, input: &Path) -> [Vec<String>; 3] {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out.jsonl");
    let config = ExportConfig {
        rejects: Some(dir.path().join("rejects.jsonl")),
        duplicates: Some(dir.path().join("duplicates.jsonl")),
        ..ExportConfig::new(Format::Jsonl, out.clone())
    };
    let mut sink = ExportSink::new(&config).unwrap();
    let cancel = AtomicBool::new(false);
    let runner = Runner::new(2, &cancel, &NoopReporter);
    engine
        .run(&runner, source(input), &mut sink, &StageClock::default())
        .unwrap();
    let read = |path: &Path| -> Vec<String> {
        std::fs::read_to_string(path)
            .unwrap()
            .lines()
            .map(str::to_owned)
            .collect()
    };
    [
        read(&out),
        read(&config.rejects.unwrap()),
        read(&config.duplicates.unwrap()),
    ]
}

/// Splits lines into articles, rejects and duplicates by their keys.
fn split(lines: &[String]) -> [Vec<String>; 3] {
    let mut parts: [Vec<String>; 3] = Default::default();
    for line in lines {
        // Articles have sections; of the others, rejects have a reason.
        let part = match (
            line.contains(r#""sections":"#),
            line.contains(r#""reason":"#),
        ) {
            (true, _) => 0,
            (false, true) => 1,
            (false, false) => 2,
        };
        parts[part].push(line.clone());
    }
    parts
}

/// A directory with the sample pages, copies of two of them and two bad files.
fn archive() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(sample()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, dir.path().join(path.file_name().unwrap())).unwrap();
    }
    let seed = std::fs::read(sample().join("seed-bol-xi-putin.txt")).unwrap();
    std::fs::write(dir.path().join("zz-copy.txt"), &seed).unwrap();
    let german = std::fs::read_to_string(sample().join("german-page.txt")).unwrap();
    std::fs::write(dir.path().join("zz-near.txt"), german.replacen('.', "!", 1)).unwrap();
    std::fs::write(dir.path().join("empty.txt"), "").unwrap();
    std::fs::write(dir.path().join("binary.txt"), b"a\0b").unwrap();
    dir
}

#[test]
fn run_gives_the_lines_the_export_sink_writes() {
    let dir = archive();
    for keep in [Keep::First, Keep::Longest, Keep::All] {
        let engine = Engine {
            dup: DupConfig {
                keep,
                ..DupConfig::default()
            },
            ..Engine::default()
        };
        let lines = check(&engine, dir.path(), 2);
        assert_eq!(split(&lines), exported(&engine, dir.path()), "{keep:?}");
        assert_eq!(lines, check(&engine, dir.path(), 1), "{keep:?}");
        let [articles, rejects, duplicates] = split(&lines);
        assert_eq!(rejects.len(), 2, "{keep:?}");
        let n_duplicates = if keep == Keep::All { 0 } else { 2 };
        assert_eq!(duplicates.len(), n_duplicates, "{keep:?}: {duplicates:?}");
        assert_eq!(articles.len() + rejects.len() + duplicates.len(), 13);
    }
}

#[test]
fn clean_one_is_a_run_of_one_document() {
    let dir = archive();
    let engine = Engine {
        dup: DupConfig {
            keep: Keep::All,
            ..DupConfig::default()
        },
        ..Engine::default()
    };
    let mut one_by_one = Vec::new();
    source(dir.path())
        .run(&mut |record| {
            let record = match record {
                Record::Raw(raw) => engine.clean_one(raw).unwrap(),
                other => other,
            };
            one_by_one.push(String::from_utf8(json_line(&record).unwrap()).unwrap());
            true
        })
        .unwrap();
    assert_eq!(one_by_one, check(&engine, dir.path(), 2));
}

#[test]
fn a_site_model_changes_what_is_kept_as_in_run() {
    let dir = archive();
    let cancel = AtomicBool::new(false);
    let runner = Runner::new(2, &cancel, &NoopReporter);
    let model = learn(&runner, source(dir.path()), GroupBy::None).unwrap();
    assert_eq!(model.n_docs(), 11);
    let path = dir.path().join("site.model");
    save_site_model(&model, &path).unwrap();
    let loaded = load_site_model(&path).unwrap();
    assert_eq!(loaded, model);
    let engine = Engine {
        dedupe: DedupeConfig {
            site: Some(site_model_for_run(loaded)),
            ..DedupeConfig::default()
        },
        ..Engine::default()
    };
    let lines = check(&engine, dir.path(), 2);
    assert_eq!(split(&lines), exported(&engine, dir.path()));
}

#[test]
fn model_errors_name_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let missing = dir.path().join("missing.model");
    let err = load_site_model(&missing).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to read the site model {}", missing.display())
    );
    let junk = dir.path().join("junk.model");
    std::fs::write(&junk, "not a model").unwrap();
    let err = load_site_model(&junk).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to load the site model {}", junk.display())
    );
    let err = load_line_model(&junk).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!("failed to load the line model {}", junk.display())
    );
    // One model file per view.
    let text = dir.path().join("text.json");
    std::fs::write(
        &text,
        include_str!("../../segment/model/line-model-text.json"),
    )
    .unwrap();
    let models = load_line_models(std::slice::from_ref(&text)).unwrap();
    assert_eq!(models.get(View::Text).view(), View::Text);
    let err = load_line_models(&[text.clone(), text.clone()]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "{} and {} are both line models for text input; give at most one model per view",
            text.display(),
            text.display()
        )
    );
    let models = vec![SiteModel::new(GroupBy::Host), SiteModel::new(GroupBy::Dir)];
    let err = merge_site_models(models).unwrap_err();
    assert_eq!(err.to_string(), "failed to merge the site models");
}

#[test]
fn page_ids_are_made_safe_or_default_to_the_position() {
    let page = |id: Option<&str>| Page {
        id: id.map(str::to_owned),
        url: Some("https://example.com/a".into()),
        bytes: b"text".to_vec(),
        format: RawFormat::Text,
    };
    let id = |id: Option<&str>| page(id).into_raw(7, "<memory>").id;
    assert_eq!(id(None), "7");
    assert_eq!(id(Some("../a/./b.txt")), "a/b.txt");
    assert_eq!(id(Some("/..")), "7");
    let raw = page(None).into_raw(0, "<memory>");
    assert_eq!(raw.source.path, "<memory>");
    assert_eq!(raw.source.url.as_deref(), Some("https://example.com/a"));
}
