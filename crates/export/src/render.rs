//! Articles rendered on the workers: the part of exporting an article that depends on it
//! alone (its row, its JSON line, its site), done in parallel, so that the sink, the one
//! thread that writes in input order, only counts and copies bytes.

use newsclean_core::{Record, StageError, Transform};

use crate::lines::JsonLines;

/// Renders each article as the [`crate::ExportSink`] it came from writes it (see
/// [`crate::ExportSink::renderer`]), into [`newsclean_core::Article::rendered`]; other
/// records pass through.
#[derive(Debug, Clone)]
pub struct Renderer {
    pub(crate) lines: JsonLines,
}

impl Transform for Renderer {
    type Item = Record;

    fn process(&mut self, mut record: Record) -> Result<Record, StageError> {
        if let Record::Article(article) = &mut record {
            article.rendered = Some(self.lines.rendered(article));
        }
        Ok(record)
    }
}
