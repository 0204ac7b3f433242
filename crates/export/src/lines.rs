//! Records as the lines of the JSONL outputs, one at a time, for writers other than
//! [`ExportSink`](crate::ExportSink): a shard of a run split over machines (`newsclean run
//! --shard`) writes each line under its order key, and the merged shards must be byte for byte
//! what one run writes, so both render lines here.

use newsclean_core::{Article, Duplicate, Reject, Rendered};

use crate::fields::{Field, Row};
use crate::{Error, ExportConfig, Schema, json, schema};

/// Renders articles, rejects and duplicates as the JSONL output, the rejects file and the
/// duplicates file of a run with the same config hold them.
#[derive(Debug, Clone)]
pub struct JsonLines {
    pub(crate) fields: Vec<Field>,
    pub(crate) schema: Schema,
    pub(crate) has_sentences: bool,
}

impl JsonLines {
    /// The lines of `config`'s fields, schema and sentences, checked as [`ExportSink::new`]
    /// checks them (its format should be jsonl).
    ///
    /// [`ExportSink::new`]: crate::ExportSink::new
    pub fn new(config: &ExportConfig) -> Result<JsonLines, Error> {
        let fields = crate::validate(config)?;
        Ok(JsonLines {
            fields,
            schema: config.schema,
            has_sentences: config.has_sentences,
        })
    }

    /// Appends an article's line, without the newline, to `out`.
    pub fn article(&self, article: &Article, out: &mut Vec<u8>) {
        write_article(
            out,
            &self.fields,
            self.schema,
            &Row::new(article, self.has_sentences),
        );
    }

    /// An article's line (without the newline) with what the sink's report needs of it: its
    /// site and the length of its text (see [`crate::Renderer`]).
    pub(crate) fn rendered(&self, article: &Article) -> Rendered {
        let row = Row::new(article, self.has_sentences);
        let mut line = Vec::new();
        write_article(&mut line, &self.fields, self.schema, &row);
        Rendered {
            line,
            n_text_bytes: row.text.len(),
            site: row.site,
        }
    }

    /// A reject's line, without the newline.
    pub fn reject(reject: &Reject) -> Vec<u8> {
        json::reject_line(reject)
    }

    /// A duplicate's line, without the newline.
    pub fn duplicate(duplicate: &Duplicate) -> Vec<u8> {
        json::duplicate_line(duplicate)
    }
}

/// Appends the JSON object of an article's row: the chosen fields, or a corpus tool's shape.
pub(crate) fn write_article(out: &mut Vec<u8>, fields: &[Field], schema: Schema, row: &Row<'_>) {
    match schema {
        Schema::Newsclean => json::write_row(out, fields, row),
        schema => schema::write_json(out, schema, &schema::shape(row, schema)),
    }
}
