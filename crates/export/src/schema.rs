//! Record shapes of the corpus tools (`--schema`): Dolma's `{id, text, source, added, created,
//! metadata}` and datatrove's `{id, text, metadata}`, with newsclean's fields under `metadata`,
//! for JSONL and Parquet alike.
//!
//! `metadata` is the input record's meta as it came (a JSONL line's `metadata` or `meta`
//! object and its other fields, a WARC record's id and date), plus newsclean's fields: `url`,
//! `site`, `path`, `member`, `title`, `byline`, `published`, `published_text`, `summary`,
//! `sections`, `related` and the counts (`n_words`, `n_lines`, `n_kept`, `n_bytes`,
//! `encoding`); newsclean's value wins where the input has a key of the same name. Dolma's
//! `source` is the input's `source` string when it had one, else `newsclean`; `added` is the
//! input's; `created` is the article's `published` date, else the input's `created`. In
//! Parquet every column is a string and `metadata` is the same object as JSON text.

use serde::Serialize;
use serde_json::{Map, Value};

use crate::fields::Row;
use crate::json;

/// The shape of an article record.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Schema {
    /// newsclean's own columns (see [`crate::Field`]).
    #[default]
    Newsclean,
    /// Dolma: `id`, `text`, `source`, `added`, `created`, `metadata`.
    Dolma,
    /// datatrove: `id`, `text`, `metadata`.
    Datatrove,
}

impl Schema {
    /// The lowercase name, as `--schema` takes it.
    pub fn name(self) -> &'static str {
        match self {
            Schema::Newsclean => "newsclean",
            Schema::Dolma => "dolma",
            Schema::Datatrove => "datatrove",
        }
    }

    /// The columns of the schema, in order (`None` for newsclean's, which are chosen by
    /// fields).
    pub fn columns(self) -> Option<&'static [&'static str]> {
        match self {
            Schema::Newsclean => None,
            Schema::Dolma => Some(&["id", "text", "source", "added", "created", "metadata"]),
            Schema::Datatrove => Some(&["id", "text", "metadata"]),
        }
    }
}

/// One article in a corpus tool's shape: the value of each of [`Schema::columns`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Shaped {
    pub values: Vec<Value>,
}

fn to_value<T: Serialize>(value: &T) -> Value {
    serde_json::to_value(value).expect("article fields serialise")
}

/// The article of `row` in `schema`'s shape (not [`Schema::Newsclean`]).
pub(crate) fn shape(row: &Row<'_>, schema: Schema) -> Shaped {
    let article = row.article;
    let mut metadata: Map<String, Value> = article
        .source
        .meta
        .as_deref()
        .and_then(|meta| serde_json::from_str(meta).ok())
        .unwrap_or_default();
    let (mut source, mut added, mut created) = (Value::Null, Value::Null, Value::Null);
    if schema == Schema::Dolma {
        // Dolma's own keys move up from the input's meta.
        source = match metadata.remove("source") {
            Some(Value::String(s)) => Value::String(s),
            Some(other) => {
                metadata.insert("source".into(), other);
                Value::String("newsclean".into())
            }
            None => Value::String("newsclean".into()),
        };
        added = metadata.remove("added").unwrap_or(Value::Null);
        let input_created = metadata.remove("created").unwrap_or(Value::Null);
        created = article
            .published
            .as_deref()
            .map_or(input_created, |iso| Value::String(iso.to_owned()));
    }
    let stats = &article.stats;
    let ours: [(&str, Value); 16] = [
        ("url", to_value(&article.source.url)),
        ("site", to_value(&row.site)),
        ("path", to_value(&article.source.path)),
        ("member", to_value(&article.source.member)),
        ("title", to_value(&article.title)),
        ("byline", to_value(&article.byline)),
        ("published", to_value(&article.published)),
        ("published_text", to_value(&article.published_text)),
        ("summary", to_value(&article.summary)),
        ("sections", to_value(&json::sections(row))),
        ("related", to_value(&article.related)),
        ("n_words", to_value(&stats.n_words)),
        ("n_lines", to_value(&stats.n_lines)),
        ("n_kept", to_value(&stats.n_kept)),
        ("n_bytes", to_value(&stats.n_bytes)),
        ("encoding", to_value(&stats.encoding)),
    ];
    for (key, value) in ours {
        metadata.insert(key.to_owned(), value);
    }
    let id = Value::String(article.id.clone());
    let text = Value::String(row.text.clone());
    let metadata = Value::Object(metadata);
    let values = match schema {
        Schema::Dolma => vec![id, text, source, added, created, metadata],
        Schema::Datatrove | Schema::Newsclean => vec![id, text, metadata],
    };
    Shaped { values }
}

/// Appends the shaped article as one JSON object (no newline), keys in the schema's order.
pub(crate) fn write_json(out: &mut Vec<u8>, schema: Schema, shaped: &Shaped) {
    let columns = schema.columns().unwrap_or(&[]);
    // Written by hand: a `Map` would sort the keys, and they go out in the schema's order.
    out.push(b'{');
    for (i, (name, value)) in columns.iter().zip(&shaped.values).enumerate() {
        if i > 0 {
            out.push(b',');
        }
        serde_json::to_writer(&mut *out, name).expect("writing to memory cannot fail");
        out.push(b':');
        serde_json::to_writer(&mut *out, value).expect("writing to memory cannot fail");
    }
    out.push(b'}');
}

/// The value of a column as Parquet text: strings as they are, `metadata` as JSON text,
/// null as null.
pub(crate) fn as_text(value: &Value) -> Option<String> {
    match value {
        Value::Null => None,
        Value::String(s) => Some(s.clone()),
        other => Some(other.to_string()),
    }
}
