//! The JSON shapes of articles, rejects and duplicates.

use std::collections::BTreeMap;

use newsclean_core::{ArticleStats, DocSource, Duplicate, Reject};
use serde::Serialize;
#[cfg(test)]
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
    n_controls: u64,
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
            n_controls: stats.n_controls,
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

/// The value of one field, serialised with `serializer`: the definition of an article's JSON,
/// which [`write_row`] writes faster and tests hold it to.
#[cfg(test)]
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

/// An article as a JSON object with the given fields, in order, as serde writes it: the
/// reference [`write_row`] is tested against. `meta` is written only when the input had some,
/// so that documents without it keep their shape.
#[cfg(test)]
struct JsonRow<'a> {
    fields: &'a [Field],
    row: &'a Row<'a>,
}

#[cfg(test)]
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

/// Appends a small value as serde writes it.
fn write_serde<T: Serialize + ?Sized>(out: &mut Vec<u8>, value: &T) {
    serde_json::to_writer(&mut *out, value).expect("serialising to memory cannot fail");
}

/// Appends an article as one JSON object (no newline), byte for byte what `serde_json` writes
/// for it (`JsonRow` in the tests). The article's text is most of the bytes, and `serde_json`
/// escapes strings a byte at a time; [`write_str`] skips sixteen bytes at a time that need no
/// escape. Small values (source, stats, meta, numbers) go through `serde_json`.
pub(crate) fn write_row(out: &mut Vec<u8>, fields: &[Field], row: &Row<'_>) {
    let article = row.article;
    out.push(b'{');
    let mut is_first = true;
    for &field in fields {
        if field == Field::Meta && article.source.meta.is_none() {
            continue;
        }
        if !is_first {
            out.push(b',');
        }
        is_first = false;
        write_str(out, field.name());
        out.push(b':');
        match field {
            Field::Id => write_str(out, &article.id),
            Field::Url => write_opt_str(out, article.source.url.as_deref()),
            Field::Site => write_str(out, &row.site),
            Field::Path => write_str(out, &article.source.path),
            Field::Member => write_opt_str(out, article.source.member.as_deref()),
            Field::Source => write_serde(out, &JsonSource::from(&article.source)),
            Field::Title => write_opt_str(out, article.title.as_deref()),
            Field::Byline => write_opt_str(out, article.byline.as_deref()),
            Field::Published => write_opt_str(out, article.published.as_deref()),
            Field::PublishedText => write_opt_str(out, article.published_text.as_deref()),
            Field::Summary => write_str_list(out, &article.summary),
            Field::Sections => write_sections(out, row),
            Field::Related => write_str_list(out, &article.related),
            Field::Text => write_str(out, &row.text),
            Field::NWords => write_serde(out, &article.stats.n_words),
            Field::NLines => write_serde(out, &article.stats.n_lines),
            Field::NKept => write_serde(out, &article.stats.n_kept),
            Field::NBytes => write_serde(out, &article.stats.n_bytes),
            Field::Encoding => write_str(out, &article.stats.encoding),
            Field::Stats => write_serde(out, &JsonStats::from(&article.stats)),
            Field::Meta => write_serde(out, &meta(row)),
        }
    }
    out.push(b'}');
}

/// The sections as [`JsonSection`]s serialise.
fn write_sections(out: &mut Vec<u8>, row: &Row<'_>) {
    out.push(b'[');
    for (i, section) in row.article.sections.iter().enumerate() {
        if i > 0 {
            out.push(b',');
        }
        out.extend_from_slice(b"{\"heading\":");
        write_opt_str(out, section.heading.as_deref());
        out.extend_from_slice(b",\"paragraphs\":");
        write_str_list(out, &section.paragraphs);
        if let Some(sentences) = row.section_sentences(i) {
            out.extend_from_slice(b",\"sentences\":[");
            for (k, paragraph) in sentences.iter().enumerate() {
                if k > 0 {
                    out.push(b',');
                }
                write_str_list(out, paragraph);
            }
            out.push(b']');
        }
        out.push(b'}');
    }
    out.push(b']');
}

fn write_str_list<S: AsRef<str>>(out: &mut Vec<u8>, list: &[S]) {
    out.push(b'[');
    for (k, s) in list.iter().enumerate() {
        if k > 0 {
            out.push(b',');
        }
        write_str(out, s.as_ref());
    }
    out.push(b']');
}

fn write_opt_str(out: &mut Vec<u8>, s: Option<&str>) {
    match s {
        Some(s) => write_str(out, s),
        None => out.extend_from_slice(b"null"),
    }
}

const ONES: u64 = u64::from_le_bytes([1; 8]);
const HIGHS: u64 = u64::from_le_bytes([0x80; 8]);

/// The high bit of each of the eight bytes of `w` that is a control character, `"` or `\\`
/// (the bytes JSON escapes), and maybe of bytes after such a byte: zero when none is. Bytes of
/// 0x80 and up, which UTF-8 text has, are not mistaken for controls: `!w` clears their bit.
fn escape_mask(w: u64) -> u64 {
    let zero_bytes = |v: u64| v.wrapping_sub(ONES) & !v & HIGHS;
    (w.wrapping_sub(ONES * 0x20) & !w & HIGHS)
        | zero_bytes(w ^ (ONES * u64::from(b'"')))
        | zero_bytes(w ^ (ONES * u64::from(b'\\')))
}

/// Appends `s` as a JSON string, escaped exactly as `serde_json` escapes it: `"` and `\\`, the
/// short escapes `\b \t \n \f \r`, other control characters as `\u00XX` (lowercase hex).
/// Sixteen bytes at a time are skipped while none needs an escape; a block that has one is
/// copied byte by byte.
fn write_str(out: &mut Vec<u8>, s: &str) {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    const BLOCK: usize = 16;
    let bytes = s.as_bytes();
    out.reserve(bytes.len() + 2);
    out.push(b'"');
    let mut run = 0;
    let mut i = 0;
    while i < bytes.len() {
        while let Some(block) = bytes.get(i..i + BLOCK) {
            let (a, b) = block.split_at(8);
            let a = u64::from_le_bytes(a.try_into().expect("eight bytes"));
            let b = u64::from_le_bytes(b.try_into().expect("eight bytes"));
            if escape_mask(a) | escape_mask(b) != 0 {
                break;
            }
            i += BLOCK;
        }
        let end = (i + BLOCK).min(bytes.len());
        for (at, &b) in bytes.iter().enumerate().take(end).skip(i) {
            let short = match b {
                b'"' => b'"',
                b'\\' => b'\\',
                0x08 => b'b',
                0x09 => b't',
                0x0A => b'n',
                0x0C => b'f',
                0x0D => b'r',
                0x20.. => continue,
                _ => 0,
            };
            out.extend_from_slice(&bytes[run..at]);
            if short == 0 {
                let hex = [HEX[usize::from(b >> 4)], HEX[usize::from(b & 0xF)]];
                out.extend_from_slice(&[b'\\', b'u', b'0', b'0', hex[0], hex[1]]);
            } else {
                out.extend_from_slice(&[b'\\', short]);
            }
            run = at + 1;
        }
        i = end;
    }
    out.extend_from_slice(&bytes[run..]);
    out.push(b'"');
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

#[cfg(test)]
mod tests {
    use newsclean_core::{Article, DocSource, Section};

    use super::*;

    proptest::proptest! {
        /// Strings are escaped exactly as `serde_json` escapes them: any text, and text rich in
        /// the bytes that need escapes, at every alignment of the eight-byte steps.
        #[test]
        fn strings_are_escaped_as_serde_json_escapes_them(
            s in "\\PC{0,40}|[ -~\"\\\\\u{0}-\u{1f}\u{7f}é中]{0,40}|.{0,40}"
        ) {
            let mut out = Vec::new();
            write_str(&mut out, &s);
            proptest::prop_assert_eq!(String::from_utf8(out).unwrap(), serde_json::to_string(&s).unwrap());
        }
    }

    /// A whole article, every field, with and without sentences and meta, is what serde writes.
    #[test]
    fn rows_are_written_as_serde_writes_them() {
        let mut article = Article {
            id: "a/\"quoted\"\\id".into(),
            source: DocSource {
                path: "in/a.txt".into(),
                member: Some("m\u{1}".into()),
                url: Some("https://example.com/a?b=\"c\"".into()),
                meta: Some(r#"{"lang":"en","n":3}"#.into()),
            },
            title: Some("Title with \"quotes\"\tand a tab".into()),
            byline: None,
            published: Some("2024-03-14".into()),
            published_text: Some("14 March 2024".into()),
            summary: vec!["Point one.".into(), "Point\ntwo.".into()],
            sections: vec![
                Section {
                    heading: None,
                    paragraphs: vec![
                        "Para one. It goes on.".into(),
                        "Ünïcödé, 中文 and \u{7f}.".into(),
                    ],
                },
                Section {
                    heading: Some("A heading\r".into()),
                    paragraphs: vec!["Para three\u{1f}.".into()],
                },
            ],
            related: vec!["Other story".into()],
            ..Article::default()
        };
        article.stats.encoding = "utf-8".into();
        article.stats.removed.insert("low_score".into(), 3);
        for with_meta in [true, false] {
            if !with_meta {
                article.source.meta = None;
            }
            for with_sentences in [false, true] {
                let row = Row::new(&article, with_sentences);
                for fields in [
                    Field::JSONL,
                    &Field::ALL[..],
                    &[Field::Text, Field::NWords][..],
                ] {
                    let mut fast = Vec::new();
                    write_row(&mut fast, fields, &row);
                    let reference = serde_json::to_vec(&JsonRow { fields, row: &row }).unwrap();
                    assert_eq!(
                        String::from_utf8(fast).unwrap(),
                        String::from_utf8(reference).unwrap()
                    );
                }
            }
        }
    }
}
