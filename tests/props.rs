//! Property tests of the cleaning invariants on generated pages.

use std::sync::atomic::AtomicBool;

use newsclean_core::{
    Chain, Doc, DocSource, DocStats, NoopReporter, Record, Sink, Source, StageError, Transform,
};
use newsclean_dedupe::{Dedupe, DedupeConfig};
use newsclean_pipeline::Runner;
use newsclean_segment::{Segment, SegmentConfig};
use proptest::prelude::*;

/// Lines a scraped page is made of: prose, short lines, markers, ad labels, bullets, repeats.
fn line() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z]{2,8}( [a-z]{1,8}){4,20}[.!?]",
        "[A-Z][a-z]{2,8}( [a-z]{1,8}){0,4}",
        Just("Advertisement".to_owned()),
        Just("Also Read".to_owned()),
        Just("End of Article".to_owned()),
        Just("Share".to_owned()),
        "• [A-Z][a-z]{2,8}( [a-z]{1,8}){3,10}\\.",
        Just(String::new()),
        "[a-zé“”’—]{0,12}( [a-zé“”’—]{0,12}){0,3}",
    ]
}

fn page() -> impl Strategy<Value = String> {
    (line(), proptest::collection::vec(line(), 0..40)).prop_map(|(title, mut lines)| {
        lines.insert(0, title.clone());
        lines.insert(1, title);
        lines.join("\n")
    })
}

fn clean(text: &str) -> newsclean_core::Article {
    let doc = Doc {
        seq: 0,
        id: "p".into(),
        source: DocSource::default(),
        text: text.into(),
        stats: DocStats::default(),
        markup: None,
    };
    let mut stages = Chain(
        Dedupe::new(&DedupeConfig::default()),
        Segment::new(&SegmentConfig::default()),
    );
    match stages.process(Record::Doc(doc)).unwrap() {
        Record::Article(article) => article,
        other => panic!("expected an article, got {}", other.kind_name()),
    }
}

struct Docs(Vec<String>);

impl Source for Docs {
    type Item = Record;
    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        for (seq, text) in self.0.drain(..).enumerate() {
            let doc = Doc {
                seq: seq as u64,
                id: format!("d{seq}"),
                source: DocSource::default(),
                text,
                stats: DocStats::default(),
                markup: None,
            };
            if !emit(Record::Doc(doc)) {
                break;
            }
        }
        Ok(())
    }
}

#[derive(Default)]
struct Collect(Vec<Record>);

impl Sink for Collect {
    type Item = Record;
    fn write(&mut self, record: Record) -> Result<(), StageError> {
        self.0.push(record);
        Ok(())
    }
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    /// Every output line is text of one input line: cleaning removes and labels, never writes.
    /// (A summary bullet loses its mark and a title its site name, so a line may be part of an
    /// input line.)
    #[test]
    fn no_text_is_invented(text in page()) {
        let article = clean(&text);
        let input_lines: Vec<&str> = text.lines().map(str::trim).collect();
        for line in article.text_lines().chain(article.related.iter().map(String::as_str)) {
            prop_assert!(
                input_lines.iter().any(|input| input.contains(line) && !line.is_empty()),
                "{line:?} is not in an input line"
            );
        }
        // Apart from the title, every output line is an input line, whole or without its
        // bullet mark.
        for line in article.text_lines().skip(usize::from(article.title.is_some())) {
            prop_assert!(input_lines.iter().any(|input| input.ends_with(line)), "{line:?} is cut from a line");
        }
    }

    /// The title appears once in the text.
    #[test]
    fn title_once(text in page()) {
        let article = clean(&text);
        if let Some(title) = &article.title {
            let norm = newsclean_core::text::normalize(title);
            let copies = article.text_lines().filter(|l| newsclean_core::text::normalize(l) == norm).count();
            prop_assert_eq!(copies, 1);
        }
    }

    /// The pipeline gives the same records for any thread count.
    #[test]
    fn thread_count_independence(pages in proptest::collection::vec(page(), 0..30), threads in 2usize..6) {
        let run = |threads: usize| {
            let cancel = AtomicBool::new(false);
            let mut sink = Collect::default();
            let make = || Chain(Dedupe::new(&DedupeConfig::default()), Segment::new(&SegmentConfig::default()));
            Runner::new(threads, &cancel, &NoopReporter).run(Docs(pages.clone()), make, &mut sink).unwrap();
            sink.0
        };
        prop_assert_eq!(run(1), run(threads));
    }
}
