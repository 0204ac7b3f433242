//! CSV output: a header row, then one row per article, RFC 4180 (quoted when needed, `""` for a
//! quote, CRLF between records). Lists and objects are compact JSON inside their cell; a
//! missing value is an empty cell.

use std::borrow::Cow;
use std::path::Path;

use crate::atomic::PendingFile;
use crate::fields::{Field, Row};
use crate::json::{JsonSource, JsonStats, sections};
use crate::output::Stream;
use crate::{Error, RowFile};

/// One CSV file being written.
pub(crate) struct CsvFile {
    writer: csv::Writer<Stream>,
    fields: Vec<Field>,
    path: std::path::PathBuf,
}

fn csv_error(path: &Path, err: csv::Error) -> Error {
    let source = match err.into_kind() {
        csv::ErrorKind::Io(io) => io,
        other => std::io::Error::other(format!("{other:?}")),
    };
    Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl CsvFile {
    /// A CSV file into `stream`; the header row is written unless the stream continues a
    /// file that has it (a resumed run).
    pub(crate) fn create(
        path: &Path,
        stream: Stream,
        fields: &[Field],
        has_header: bool,
    ) -> Result<CsvFile, Error> {
        let mut writer = csv::WriterBuilder::new()
            .terminator(csv::Terminator::CRLF)
            .quote_style(csv::QuoteStyle::Necessary)
            .from_writer(stream);
        if !has_header {
            writer
                .write_record(fields.iter().map(|f| f.name()))
                .map_err(|err| csv_error(path, err))?;
        }
        Ok(CsvFile {
            writer,
            fields: fields.to_vec(),
            path: path.to_path_buf(),
        })
    }
}

fn json<T: serde::Serialize + ?Sized>(value: &T) -> Cow<'static, str> {
    Cow::Owned(serde_json::to_string(value).expect("serialising to memory cannot fail"))
}

/// The cell of one field.
fn cell<'a>(field: Field, row: &'a Row<'_>) -> Cow<'a, str> {
    let article = row.article;
    let opt = |value: &'a Option<String>| Cow::Borrowed(value.as_deref().unwrap_or(""));
    match field {
        Field::Id => Cow::Borrowed(&article.id),
        Field::Url => opt(&article.source.url),
        Field::Site => Cow::Borrowed(&row.site),
        Field::Path => Cow::Borrowed(&article.source.path),
        Field::Member => opt(&article.source.member),
        Field::Source => json(&JsonSource::from(&article.source)),
        Field::Title => opt(&article.title),
        Field::Byline => opt(&article.byline),
        Field::Published => opt(&article.published),
        Field::PublishedText => opt(&article.published_text),
        Field::Summary => json(&article.summary),
        Field::Sections => json(&sections(row)),
        Field::Related => json(&article.related),
        Field::Text => Cow::Borrowed(&row.text),
        Field::NWords => Cow::Owned(article.stats.n_words.to_string()),
        Field::NLines => Cow::Owned(article.stats.n_lines.to_string()),
        Field::NKept => Cow::Owned(article.stats.n_kept.to_string()),
        Field::NBytes => Cow::Owned(article.stats.n_bytes.to_string()),
        Field::Encoding => Cow::Borrowed(&article.stats.encoding),
        Field::Stats => json(&JsonStats::from(&article.stats)),
        Field::Meta => opt(&article.source.meta),
    }
}

impl RowFile for CsvFile {
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        let cells: Vec<Cow<'_, str>> = self.fields.iter().map(|&f| cell(f, row)).collect();
        self.writer
            .write_record(cells.iter().map(|c| c.as_bytes()))
            .map_err(|err| csv_error(&self.path, err))
    }

    fn sync(&mut self) -> Result<u64, Error> {
        self.writer.flush().map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })?;
        // The CSV writer flushes down to the file; it lends its stream out shared only.
        self.writer.get_ref().sync_flushed()
    }

    fn close(self: Box<Self>) -> Result<Option<PendingFile>, Error> {
        let CsvFile { writer, path, .. } = *self;
        let stream = writer.into_inner().map_err(|err| Error::Write {
            path: path.clone(),
            source: err.into_error(),
        })?;
        stream.close()
    }
}
