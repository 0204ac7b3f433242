//! Articles rendered on the workers: the part of exporting an article that depends on it
//! alone (its row, its JSON line, its site), done in parallel, so that the sink, the one
//! thread that writes in input order, only counts and copies bytes.

use newsclean_core::{Record, Rendered, StageError, Transform};

use crate::fields::{Field, Row};
use crate::lines::write_article;
use crate::schema::Schema;

/// Renders each article as the [`crate::ExportSink`] it came from writes it (see
/// [`crate::ExportSink::renderer`]), into [`newsclean_core::Article::rendered`]; other
/// records pass through.
#[derive(Debug, Clone)]
pub struct Renderer {
    pub(crate) fields: Vec<Field>,
    pub(crate) schema: Schema,
    pub(crate) has_sentences: bool,
}

impl Transform for Renderer {
    type Item = Record;

    fn process(&mut self, mut record: Record) -> Result<Record, StageError> {
        if let Record::Article(article) = &mut record {
            let row = Row::new(article, self.has_sentences);
            let mut line = Vec::new();
            write_article(&mut line, &self.fields, self.schema, &row);
            let rendered = Rendered {
                line,
                n_text_bytes: row.text.len(),
                site: row.site,
            };
            article.rendered = Some(rendered);
        }
        Ok(record)
    }
}
