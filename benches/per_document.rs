//! The per-document step (dedupe + segment, the work every worker does on every page), and
//! its parts (line splitting, dedupe's marks, segment, the duplicate fingerprint), measured
//! with criterion on the dev benchmark's pages when `../shared` is present, else on
//! the bundled sample. Throughput is reported in input bytes per second, for one core.
//!
//! `cargo bench --bench per_document`. Compare figures only within one run: the machines are
//! shared, so `scripts/bench.sh` reports whole runs as ratios against a baseline instead.

#![allow(
    missing_docs,
    reason = "criterion's macros generate undocumented items"
)]

use std::path::Path;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use newsclean_core::{Article, Doc, DocSource, DocStats, MarkedDoc};
use newsclean_segment::{LineModel, View};

fn pages() -> Vec<Doc> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let dev = root.join("../shared/bench/dev");
    let dir = if dev.join("manifest.jsonl").exists() {
        dev
    } else {
        root.join("fixtures/sample")
    };
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .expect("pages")
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            p.extension().is_some_and(|e| e == "txt")
                && !p.to_string_lossy().ends_with(".truth.txt")
        })
        .collect();
    paths.sort();
    paths
        .into_iter()
        .take(400)
        .map(|path| {
            let text = std::fs::read_to_string(&path).expect("UTF-8 page");
            let stats = DocStats {
                n_bytes: text.len() as u64,
                ..DocStats::default()
            };
            Doc {
                seq: 0,
                id: String::new(),
                source: DocSource::default(),
                text,
                stats,
                markup: None,
            }
        })
        .collect()
}

fn per_document(c: &mut Criterion) {
    let docs = pages();
    let n_bytes: u64 = docs.iter().map(|d| d.text.len() as u64).sum();
    // Text pages: the text model.
    let model = LineModel::builtin(View::Text);
    let mut group = c.benchmark_group("per_document");
    group.throughput(Throughput::Bytes(n_bytes));
    group.sample_size(10);
    group.bench_function("normalize_only", |b| {
        b.iter(|| {
            let mut out = String::new();
            for doc in &docs {
                for line in doc.text.lines() {
                    newsclean_core::text::normalize_into(line, &mut out);
                }
            }
        });
    });
    group.bench_function("split", |b| {
        b.iter(|| {
            for doc in &docs {
                std::hint::black_box(MarkedDoc::split(doc.clone()));
            }
        });
    });
    group.bench_function("dedupe", |b| {
        b.iter(|| {
            for doc in &docs {
                std::hint::black_box(newsclean_dedupe::mark(doc.clone()));
            }
        });
    });
    // Segment alone, on documents dedupe marked beforehand (cloned per iteration, as segment
    // changes verdicts in place).
    let marked: Vec<MarkedDoc> = docs
        .iter()
        .map(|doc| newsclean_dedupe::mark(doc.clone()))
        .collect();
    group.bench_function("segment", |b| {
        b.iter(|| {
            for doc in &marked {
                let mut doc = doc.clone();
                std::hint::black_box(newsclean_segment::segment(&mut doc, &model));
            }
        });
    });
    let articles: Vec<Article> = marked
        .iter()
        .map(|doc| newsclean_segment::segment(&mut doc.clone(), &model))
        .collect();
    group.bench_function("fingerprint", |b| {
        b.iter(|| {
            for article in &articles {
                std::hint::black_box(newsclean_dedupe::dup::fingerprint(article));
            }
        });
    });
    group.bench_function("dedupe_segment", |b| {
        b.iter(|| {
            for doc in &docs {
                let mut marked = newsclean_dedupe::mark(doc.clone());
                std::hint::black_box(newsclean_segment::segment(&mut marked, &model));
            }
        });
    });
    group.finish();
}

criterion_group!(benches, per_document);
criterion_main!(benches);
