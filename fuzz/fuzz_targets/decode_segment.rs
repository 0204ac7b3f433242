//! Fuzz target: arbitrary bytes through ingest's decoder (charset detection, HTML to text)
//! and then dedupe and segment, as one worker of `newsclean run` does. Any panic is a bug:
//! bad input must become a reject, never a crash.

#![no_main]

use libfuzzer_sys::fuzz_target;
use newsclean_core::{DocSource, RawDoc, RawFormat, Record, Transform};
use newsclean_dedupe::{Dedupe, DedupeConfig};
use newsclean_ingest::Decoder;
use newsclean_segment::{Segment, SegmentConfig};

/// Declared charsets the first byte chooses from, as a container would pass them.
const CHARSETS: &[Option<&str>] = &[
    None,
    Some("utf-8"),
    Some("iso-8859-1"),
    Some("shift_jis"),
    Some("utf-16le"),
    Some("bogus"),
];

fuzz_target!(|data: &[u8]| {
    let Some((&selector, bytes)) = data.split_first() else {
        return;
    };
    let raw = RawDoc {
        seq: 0,
        id: "fuzz".into(),
        source: DocSource {
            url: (selector & 0x80 != 0).then(|| "http://news.example.jp/a".into()),
            ..DocSource::default()
        },
        bytes: bytes.to_vec(),
        format: if selector & 1 == 0 {
            RawFormat::Text
        } else {
            RawFormat::Html
        },
        charset: CHARSETS[usize::from(selector >> 1) % CHARSETS.len()].map(str::to_owned),
    };
    let record = Decoder
        .process(Record::Raw(raw))
        .expect("the decoder never fails");
    let record = Dedupe::new(&DedupeConfig::default())
        .process(record)
        .expect("dedupe never fails on a decoded document");
    let record = Segment::new(&SegmentConfig::default())
        .process(record)
        .expect("segment never fails on a marked document");
    assert!(
        matches!(record, Record::Article(_) | Record::Reject(_)),
        "a document ends as an article or a reject"
    );
});
