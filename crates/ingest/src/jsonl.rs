//! JSON Lines (JSONL, NDJSON): one JSON object per line, each a document.
//!
//! The text is the `--text-field` string; `--id-field` (a string or a number) and
//! `--url-field` give the id and URL when present; every other field is carried to the output
//! as `meta`. A `metadata` (Dolma) or `meta` object is taken as the meta itself, with the
//! other fields (a Dolma `source` string, `added`, `created`) added to it. Blank lines are not documents. A line that is not a JSON object, or lacks the
//! text, is one reject; the lines after it are read as usual.

use std::io::{self, BufRead};

use newsclean_core::RawFormat;
use serde_json::{Map, Value};

use crate::format::looks_like_html;
use crate::id::clean_id;
use crate::read::{LineRead, read_line};
use crate::walk::{FileCtx, Out};

/// The names of the fields a JSONL document is read from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JsonFields {
    /// The field with the document's text (default `text`).
    pub text: String,
    /// The field with the document's id (default `id`); without it the id is the file's id
    /// and the line number (`dump/17`).
    pub id: String,
    /// The field with the page's URL (default `url`).
    pub url: String,
}

impl Default for JsonFields {
    fn default() -> JsonFields {
        JsonFields {
            text: "text".into(),
            id: "id".into(),
            url: "url".into(),
        }
    }
}

/// One line's document.
#[derive(Debug, PartialEq, Eq)]
struct LineDoc {
    id: Option<String>,
    url: Option<String>,
    text: String,
    meta: Option<String>,
}

/// Emits one record per non-blank line of `input`. `Err` means the stream itself broke.
pub(crate) fn read(
    input: &mut impl BufRead,
    ctx: &FileCtx<'_>,
    out: &mut Out<'_>,
) -> io::Result<()> {
    let max = usize::try_from(ctx.config.max_doc_bytes).unwrap_or(usize::MAX);
    let mut line = Vec::new();
    let mut line_no = 0u64;
    loop {
        if out.is_stopped() {
            return Ok(());
        }
        let read = read_line(input, max, &mut line)?;
        line_no += 1;
        let fallback_id = format!("{}/{line_no}", ctx.id);
        let source = || ctx.source(Some(format!("line {line_no}")));
        match read {
            LineRead::Eof => return Ok(()),
            LineRead::TooLong { n_bytes } => {
                out.reject(fallback_id, source(), ctx.too_large("line", Some(n_bytes)));
            }
            LineRead::Line if line.trim_ascii().is_empty() => {}
            LineRead::Line if out.is_skipping() => out.skip(),
            LineRead::Line => match parse(&line, &ctx.config.fields) {
                Ok(doc) => {
                    let id = doc
                        .id
                        .map(|id| clean_id(&id))
                        .filter(|id| !id.is_empty())
                        .unwrap_or(fallback_id);
                    let mut source = source();
                    source.url = doc.url;
                    source.meta = doc.meta;
                    let format = if looks_like_html(doc.text.as_bytes()) {
                        RawFormat::Html
                    } else {
                        RawFormat::Text
                    };
                    out.doc(id, source, format, None, doc.text.into_bytes());
                }
                Err(reason) => out.reject(fallback_id, source(), reason),
            },
        }
    }
}

/// Reads one line's fields.
fn parse(line: &[u8], fields: &JsonFields) -> Result<LineDoc, String> {
    let mut object: Map<String, Value> =
        serde_json::from_slice(line).map_err(|err| format!("malformed JSON line: {err}"))?;
    let text = match object.remove(&fields.text) {
        Some(Value::String(text)) => text,
        Some(_) => return Err(format!("field {:?} is not a string", fields.text)),
        None => return Err(format!("no {:?} field", fields.text)),
    };
    let id = match object.get(&fields.id) {
        Some(Value::String(id)) => Some(id.clone()),
        Some(Value::Number(id)) => Some(id.to_string()),
        _ => None,
    };
    if id.is_some() {
        object.remove(&fields.id);
    }
    let url = match object.get(&fields.url) {
        Some(Value::String(url)) => Some(url.clone()),
        _ => None,
    };
    if url.is_some() {
        object.remove(&fields.url);
    }
    // A Dolma `metadata` or datatrove-style `meta` object is the record's meta as it is, not
    // one level deeper; the line's other fields join it (without replacing its keys).
    for key in ["metadata", "meta"] {
        if let Some(Value::Object(inner)) = object.get(key) {
            let mut meta = inner.clone();
            object.remove(key);
            for (key, value) in std::mem::take(&mut object) {
                meta.entry(key).or_insert(value);
            }
            object = meta;
            break;
        }
    }
    let meta = (!object.is_empty())
        .then(|| serde_json::to_string(&object).expect("a JSON map always serialises"));
    Ok(LineDoc {
        id,
        url,
        text,
        meta,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(line: &str) -> Result<LineDoc, String> {
        parse(line.as_bytes(), &JsonFields::default())
    }

    #[test]
    fn fields_and_meta() {
        assert_eq!(
            check(
                r#"{"id": 7, "url": "https://x.org/a", "text": "Hi", "lang": "en", "tags": ["a"]}"#
            ),
            Ok(LineDoc {
                id: Some("7".into()),
                url: Some("https://x.org/a".into()),
                text: "Hi".into(),
                meta: Some(r#"{"lang":"en","tags":["a"]}"#.into()),
            })
        );
        assert_eq!(
            check(r#"{"text": "Hi", "id": null}"#),
            Ok(LineDoc {
                id: None,
                url: None,
                text: "Hi".into(),
                meta: Some(r#"{"id":null}"#.into()),
            })
        );
    }

    #[test]
    fn meta_objects_pass_through() {
        let meta = |line: &str| check(line).unwrap().meta;
        // Dolma: metadata is the meta; source, added and created join it.
        assert_eq!(
            meta(
                r#"{"id":"a","text":"Hi","source":"cc","added":"2024-01-01","metadata":{"lang":"en","n":1}}"#
            ),
            Some(r#"{"added":"2024-01-01","lang":"en","n":1,"source":"cc"}"#.into())
        );
        assert_eq!(
            meta(r#"{"text":"Hi","meta":{"lang":"en"}}"#),
            Some(r#"{"lang":"en"}"#.into())
        );
        // Its own keys win over the line's.
        assert_eq!(
            meta(r#"{"text":"Hi","lang":"de","meta":{"lang":"en"}}"#),
            Some(r#"{"lang":"en"}"#.into())
        );
        // A meta that is no object is just a field.
        assert_eq!(
            meta(r#"{"text":"Hi","meta":"x"}"#),
            Some(r#"{"meta":"x"}"#.into())
        );
    }

    #[test]
    fn bad_lines() {
        assert_eq!(check(r#"{"body": "Hi"}"#), Err(r#"no "text" field"#.into()));
        assert_eq!(
            check(r#"{"text": 5}"#),
            Err(r#"field "text" is not a string"#.into())
        );
        assert_eq!(
            check("[1, 2]"),
            Err(
                "malformed JSON line: invalid type: sequence, expected a map at line 1 column 0"
                    .into()
            )
        );
        assert!(
            check(r#"{"text": "a""#)
                .unwrap_err()
                .starts_with("malformed JSON line: EOF")
        );
    }
}
