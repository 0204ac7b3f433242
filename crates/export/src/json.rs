//! The JSON shapes of articles, rejects and duplicates.

use std::collections::BTreeMap;

use newsclean_core::{ArticleStats, DocSource, Duplicate, Reject};
use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};

use crate::fields::{Field, Row};

#[derive(Serialize)]
pub(crate) struct JsonSource<'a> {
    path: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    member: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
}

impl<'a> From<&'a DocSource> for JsonSource<'a> {
    fn from(source: &'a DocSource) -> JsonSource<'a> {
        JsonSource {
            path: &source.path,
            member: source.member.as_deref(),
            url: source.url.as_deref(),
        }
    }
}

/// A section; `sentences` (one list per paragraph) only with `--sentences`.
#[derive(Serialize)]
pub(crate) struct JsonSection<'a> {
    heading: Option<&'a str>,
    paragraphs: &'a [String],
    #[serde(skip_serializing_if = "Option::is_none")]
    sentences: Option<&'a [Vec<&'a str>]>,
}

/// The counts of an article; the removed-line sample is for the report only.
#[derive(Serialize)]
pub(crate) struct JsonStats<'a> {
    n_bytes: u64,
    encoding: &'a str,
    n_invalid: u64,
    n_lines: u32,
    n_kept: u32,
    n_words: u32,
    removed: &'a BTreeMap<String, u32>,
}

impl<'a> From<&'a ArticleStats> for JsonStats<'a> {
    fn from(stats: &'a ArticleStats) -> JsonStats<'a> {
        JsonStats {
            n_bytes: stats.n_bytes,
            encoding: &stats.encoding,
            n_invalid: stats.n_invalid,
            n_lines: stats.n_lines,
            n_kept: stats.n_kept,
            n_words: stats.n_words,
            removed: &stats.removed,
        }
    }
}

pub(crate) fn sections<'a>(row: &'a Row<'_>) -> Vec<JsonSection<'a>> {
    row.article
        .sections
        .iter()
        .enumerate()
        .map(|(i, section)| JsonSection {
            heading: section.heading.as_deref(),
            paragraphs: &section.paragraphs,
            sentences: row.section_sentences(i),
        })
        .collect()
}

/// The value of one field, serialised with `serializer` (shared by JSONL and CSV's lists).
pub(crate) fn serialize_field<S: SerializeMap>(
    map: &mut S,
    field: Field,
    row: &Row<'_>,
) -> Result<(), S::Error> {
    let article = row.article;
    let key = field.name();
    match field {
        Field::Id => map.serialize_entry(key, &article.id),
        Field::Url => map.serialize_entry(key, &article.source.url),
        Field::Site => map.serialize_entry(key, &row.site),
        Field::Path => map.serialize_entry(key, &article.source.path),
        Field::Member => map.serialize_entry(key, &article.source.member),
        Field::Source => map.serialize_entry(key, &JsonSource::from(&article.source)),
        Field::Title => map.serialize_entry(key, &article.title),
        Field::Byline => map.serialize_entry(key, &article.byline),
        Field::Published => map.serialize_entry(key, &article.published),
        Field::PublishedText => map.serialize_entry(key, &article.published_text),
        Field::Summary => map.serialize_entry(key, &article.summary),
        Field::Sections => map.serialize_entry(key, &sections(row)),
        Field::Related => map.serialize_entry(key, &article.related),
        Field::Text => map.serialize_entry(key, &row.text),
        Field::NWords => map.serialize_entry(key, &article.stats.n_words),
        Field::NLines => map.serialize_entry(key, &article.stats.n_lines),
        Field::NKept => map.serialize_entry(key, &article.stats.n_kept),
        Field::NBytes => map.serialize_entry(key, &article.stats.n_bytes),
        Field::Encoding => map.serialize_entry(key, &article.stats.encoding),
        Field::Stats => map.serialize_entry(key, &JsonStats::from(&article.stats)),
        Field::Meta => map.serialize_entry(key, &meta(row)),
    }
}

/// The input record's other fields as a JSON value. The meta text is a JSON object by
/// construction; anything else is left out (null) rather than written as invalid JSON.
fn meta(row: &Row<'_>) -> Option<serde_json::Value> {
    row.article
        .source
        .meta
        .as_deref()
        .and_then(|meta| serde_json::from_str(meta).ok())
}

/// An article as a JSON object with the given fields, in order. `meta` is written only when
/// the input had some, so that documents without it keep their shape.
struct JsonRow<'a> {
    fields: &'a [Field],
    row: &'a Row<'a>,
}

impl Serialize for JsonRow<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut map = serializer.serialize_map(None)?;
        for &field in self.fields {
            if field == Field::Meta && self.row.article.source.meta.is_none() {
                continue;
            }
            serialize_field(&mut map, field, self.row)?;
        }
        map.end()
    }
}

/// Appends an article as one JSON object (no newline).
pub(crate) fn write_row(out: &mut Vec<u8>, fields: &[Field], row: &Row<'_>) {
    serde_json::to_writer(out, &JsonRow { fields, row })
        .expect("serialising to memory cannot fail");
}

#[derive(Serialize)]
struct JsonReject<'a> {
    id: &'a str,
    source: JsonSource<'a>,
    reason: &'a str,
}

/// A reject as one JSON object (no newline).
pub(crate) fn reject_line(reject: &Reject) -> Vec<u8> {
    let json = JsonReject {
        id: &reject.id,
        source: (&reject.source).into(),
        reason: &reject.reason,
    };
    serde_json::to_vec(&json).expect("serialising to memory cannot fail")
}

#[derive(Serialize)]
struct JsonDuplicate<'a> {
    id: &'a str,
    duplicate_of: &'a str,
    kind: &'a str,
    similarity: f64,
}

/// A dropped duplicate as one JSON object (no newline); the similarity rounded to 3 digits.
pub(crate) fn duplicate_line(duplicate: &Duplicate) -> Vec<u8> {
    let json = JsonDuplicate {
        id: &duplicate.id,
        duplicate_of: &duplicate.duplicate_of,
        kind: duplicate.kind.name(),
        similarity: (f64::from(duplicate.similarity) * 1000.0).round() / 1000.0,
    };
    serde_json::to_vec(&json).expect("serialising to memory cannot fail")
}
