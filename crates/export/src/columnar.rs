//! Parquet output: one row per article, typed columns, zstd, and row groups small enough to
//! stream.
//!
//! Rows are gathered in Arrow builders and handed to the Parquet writer in batches of
//! [`BATCH_ROWS`] (or fewer when the batch's text passes [`BATCH_BYTES`]); the writer closes a
//! row group at [`ROW_GROUP_ROWS`] rows or [`ROW_GROUP_BYTES`] encoded bytes. So memory is bounded
//! by about one batch plus one row group, however many articles a file holds.
//!
//! Types: strings are `utf8` (null when unknown), counts `int64`, `summary` and `related`
//! `list<utf8>`, `sections` `list<struct<heading: utf8, paragraphs: list<utf8>>>` (plus
//! `sentences: list<list<utf8>>`, one list per paragraph, with `--sentences`), and `source`
//! `struct<path, member, url>`.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use arrow_array::builder::{ArrayBuilder, Int64Builder, ListBuilder, StringBuilder, StructBuilder};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_schema::{DataType, Field as ArrowField, FieldRef, Fields, Schema, SchemaRef};
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use crate::atomic::PendingFile;
use crate::fields::{Field, Row};
use crate::output::Output;
use crate::schema::{self as shapes, Schema as Shape};
use crate::{Error, RowFile};

/// Rows per Arrow batch handed to the writer.
pub const BATCH_ROWS: usize = 1024;
/// A batch is handed over early when its text reaches this many bytes.
pub const BATCH_BYTES: usize = 32 << 20;
/// Most rows in one row group.
pub const ROW_GROUP_ROWS: usize = 8192;
/// A row group is closed when its encoded size reaches this many bytes.
pub const ROW_GROUP_BYTES: usize = 64 << 20;

fn item(data_type: DataType) -> FieldRef {
    Arc::new(ArrowField::new("item", data_type, true))
}

fn list(data_type: DataType) -> DataType {
    DataType::List(item(data_type))
}

fn section_fields(has_sentences: bool) -> Fields {
    let mut fields = vec![
        ArrowField::new("heading", DataType::Utf8, true),
        ArrowField::new("paragraphs", list(DataType::Utf8), false),
    ];
    if has_sentences {
        fields.push(ArrowField::new(
            "sentences",
            list(list(DataType::Utf8)),
            false,
        ));
    }
    Fields::from(fields)
}

fn source_fields() -> Fields {
    Fields::from(vec![
        ArrowField::new("path", DataType::Utf8, false),
        ArrowField::new("member", DataType::Utf8, true),
        ArrowField::new("url", DataType::Utf8, true),
    ])
}

/// The Arrow type of a column and whether it can be null; `None` for `stats`.
fn column_type(field: Field, has_sentences: bool) -> Option<(DataType, bool)> {
    Some(match field {
        Field::Id | Field::Site | Field::Path | Field::Text | Field::Encoding => {
            (DataType::Utf8, false)
        }
        Field::Url
        | Field::Member
        | Field::Title
        | Field::Byline
        | Field::Published
        | Field::PublishedText
        | Field::Meta => (DataType::Utf8, true),
        Field::NWords | Field::NLines | Field::NKept | Field::NBytes => (DataType::Int64, false),
        Field::Summary | Field::Related => (list(DataType::Utf8), false),
        Field::Sections => (list(DataType::Struct(section_fields(has_sentences))), false),
        Field::Source => (DataType::Struct(source_fields()), false),
        Field::Stats => return None,
    })
}

/// The Parquet schema of the given columns; an error for a column Parquet does not have.
pub fn schema(fields: &[Field], has_sentences: bool) -> Result<Schema, Error> {
    fields
        .iter()
        .map(|&field| {
            let (data_type, nullable) =
                column_type(field, has_sentences).ok_or(Error::FieldUnsupported {
                    field,
                    format: "parquet",
                })?;
            Ok(ArrowField::new(field.name(), data_type, nullable))
        })
        .collect::<Result<Vec<_>, Error>>()
        .map(Schema::new)
}

fn strings() -> ListBuilder<StringBuilder> {
    ListBuilder::new(StringBuilder::new()).with_field(item(DataType::Utf8))
}

/// The builder of one column.
enum Column {
    Str(StringBuilder),
    Int(Int64Builder),
    Strs(ListBuilder<StringBuilder>),
    Sections(ListBuilder<StructBuilder>),
    Source(StructBuilder),
}

impl Column {
    fn new(field: Field, has_sentences: bool) -> Column {
        match column_type(field, has_sentences).map(|(t, _)| t) {
            Some(DataType::Utf8) => Column::Str(StringBuilder::new()),
            Some(DataType::Int64) => Column::Int(Int64Builder::new()),
            _ => match field {
                Field::Sections => {
                    let fields = section_fields(has_sentences);
                    let mut builders: Vec<Box<dyn ArrayBuilder>> =
                        vec![Box::new(StringBuilder::new()), Box::new(strings())];
                    if has_sentences {
                        builders.push(Box::new(
                            ListBuilder::new(strings()).with_field(item(list(DataType::Utf8))),
                        ));
                    }
                    let sections = StructBuilder::new(fields.clone(), builders);
                    Column::Sections(
                        ListBuilder::new(sections).with_field(item(DataType::Struct(fields))),
                    )
                }
                Field::Source => Column::Source(StructBuilder::new(
                    source_fields(),
                    vec![
                        Box::new(StringBuilder::new()),
                        Box::new(StringBuilder::new()),
                        Box::new(StringBuilder::new()),
                    ],
                )),
                _ => Column::Strs(strings()),
            },
        }
    }

    fn append(&mut self, field: Field, row: &Row<'_>) {
        let article = row.article;
        let stats = &article.stats;
        match self {
            Column::Str(b) => b.append_option(match field {
                Field::Id => Some(article.id.as_str()),
                Field::Site => Some(row.site.as_str()),
                Field::Path => Some(article.source.path.as_str()),
                Field::Text => Some(row.text.as_str()),
                Field::Encoding => Some(stats.encoding.as_str()),
                Field::Url => article.source.url.as_deref(),
                Field::Member => article.source.member.as_deref(),
                Field::Title => article.title.as_deref(),
                Field::Byline => article.byline.as_deref(),
                Field::Published => article.published.as_deref(),
                Field::PublishedText => article.published_text.as_deref(),
                Field::Meta => article.source.meta.as_deref(),
                _ => unreachable!("{field} is not a string column"),
            }),
            Column::Int(b) => b.append_value(match field {
                Field::NWords => i64::from(stats.n_words),
                Field::NLines => i64::from(stats.n_lines),
                Field::NKept => i64::from(stats.n_kept),
                Field::NBytes => stats.n_bytes as i64,
                _ => unreachable!("{field} is not an integer column"),
            }),
            Column::Strs(b) => {
                let values = match field {
                    Field::Summary => &article.summary,
                    Field::Related => &article.related,
                    _ => unreachable!("{field} is not a list column"),
                };
                for value in values {
                    b.values().append_value(value);
                }
                b.append(true);
            }
            Column::Sections(b) => {
                let sections = b.values();
                for (i, section) in article.sections.iter().enumerate() {
                    sections
                        .field_builder::<StringBuilder>(0)
                        .expect("heading")
                        .append_option(section.heading.as_deref());
                    let paragraphs = sections
                        .field_builder::<ListBuilder<StringBuilder>>(1)
                        .expect("paragraphs");
                    for paragraph in &section.paragraphs {
                        paragraphs.values().append_value(paragraph);
                    }
                    paragraphs.append(true);
                    if let Some(per_paragraph) = row.section_sentences(i) {
                        let sentences = sections
                            .field_builder::<ListBuilder<ListBuilder<StringBuilder>>>(2)
                            .expect("sentences");
                        for paragraph in per_paragraph {
                            for sentence in paragraph {
                                sentences.values().values().append_value(sentence);
                            }
                            sentences.values().append(true);
                        }
                        sentences.append(true);
                    }
                    sections.append(true);
                }
                b.append(true);
            }
            Column::Source(b) => {
                let source = &article.source;
                let values = [
                    Some(source.path.as_str()),
                    source.member.as_deref(),
                    source.url.as_deref(),
                ];
                for (k, value) in values.into_iter().enumerate() {
                    b.field_builder::<StringBuilder>(k)
                        .expect("source fields are strings")
                        .append_option(value);
                }
                b.append(true);
            }
        }
    }

    fn finish(&mut self) -> ArrayRef {
        match self {
            Column::Str(b) => Arc::new(b.finish()),
            Column::Int(b) => Arc::new(b.finish()),
            Column::Strs(b) => Arc::new(b.finish()),
            Column::Sections(b) => Arc::new(b.finish()),
            Column::Source(b) => Arc::new(b.finish()),
        }
    }
}

/// One Parquet file being written.
pub(crate) struct ParquetFile {
    writer: ArrowWriter<Output>,
    schema: SchemaRef,
    /// A corpus tool's record shape, whose columns are all strings; else `fields`.
    shape: Shape,
    fields: Vec<Field>,
    columns: Vec<Column>,
    n_rows: usize,
    n_bytes: usize,
    path: PathBuf,
}

fn parquet_error(path: &Path, source: parquet::errors::ParquetError) -> Error {
    Error::Parquet {
        path: path.to_path_buf(),
        source,
    }
}

impl ParquetFile {
    pub(crate) fn create(
        path: &Path,
        fields: &[Field],
        has_sentences: bool,
        shape: Shape,
    ) -> Result<ParquetFile, Error> {
        let (schema, columns) = match shape.columns() {
            None => (
                schema(fields, has_sentences)?,
                fields
                    .iter()
                    .map(|&f| Column::new(f, has_sentences))
                    .collect(),
            ),
            Some(names) => (
                Schema::new(
                    names
                        .iter()
                        .map(|&name| {
                            ArrowField::new(name, DataType::Utf8, !matches!(name, "id" | "text"))
                        })
                        .collect::<Vec<_>>(),
                ),
                names
                    .iter()
                    .map(|_| Column::Str(StringBuilder::new()))
                    .collect(),
            ),
        };
        let schema = Arc::new(schema);
        let properties = WriterProperties::builder()
            .set_compression(Compression::ZSTD(
                ZstdLevel::try_new(3).expect("3 is a valid zstd level"),
            ))
            .set_max_row_group_row_count(Some(ROW_GROUP_ROWS))
            .set_max_row_group_bytes(Some(ROW_GROUP_BYTES))
            .set_created_by(format!("newsclean {}", env!("CARGO_PKG_VERSION")))
            .build();
        let out = Output::open(path)?;
        let writer = ArrowWriter::try_new(out, Arc::clone(&schema), Some(properties))
            .map_err(|err| parquet_error(path, err))?;
        Ok(ParquetFile {
            writer,
            schema,
            shape,
            fields: fields.to_vec(),
            columns,
            n_rows: 0,
            n_bytes: 0,
            path: path.to_path_buf(),
        })
    }

    /// Hands the buffered rows to the writer as one batch.
    fn flush_batch(&mut self) -> Result<(), Error> {
        if self.n_rows == 0 {
            return Ok(());
        }
        let arrays: Vec<ArrayRef> = self.columns.iter_mut().map(Column::finish).collect();
        let batch = RecordBatch::try_new(Arc::clone(&self.schema), arrays)
            .map_err(|err| parquet_error(&self.path, err.into()))?;
        self.writer
            .write(&batch)
            .map_err(|err| parquet_error(&self.path, err))?;
        self.n_rows = 0;
        self.n_bytes = 0;
        Ok(())
    }
}

impl RowFile for ParquetFile {
    fn write(&mut self, row: &Row<'_>) -> Result<(), Error> {
        if self.shape == Shape::Newsclean {
            for (column, &field) in self.columns.iter_mut().zip(&self.fields) {
                column.append(field, row);
            }
        } else {
            let shaped = shapes::shape(row, self.shape);
            for (column, value) in self.columns.iter_mut().zip(&shaped.values) {
                if let Column::Str(builder) = column {
                    builder.append_option(shapes::as_text(value));
                }
            }
        }
        self.n_rows += 1;
        self.n_bytes += row.text.len();
        if self.n_rows >= BATCH_ROWS || self.n_bytes >= BATCH_BYTES {
            self.flush_batch()?;
        }
        Ok(())
    }

    fn sync(&mut self) -> Result<u64, Error> {
        // A Parquet file ends in its footer; there is no prefix to cut back to.
        Err(Error::ResumeUnsupported("parquet"))
    }

    fn close(mut self: Box<Self>) -> Result<Option<PendingFile>, Error> {
        self.flush_batch()?;
        let ParquetFile { writer, path, .. } = *self;
        let out = writer
            .into_inner()
            .map_err(|err| parquet_error(&path, err))?;
        out.close()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stats_is_not_a_parquet_column() {
        let err = schema(&[Field::Id, Field::Stats], false).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the field stats cannot be written as parquet; use n_words, n_lines, n_kept, n_bytes and encoding"
        );
    }

    #[test]
    fn every_other_field_has_a_type() {
        let fields: Vec<Field> = Field::ALL
            .into_iter()
            .filter(|&f| f != Field::Stats)
            .collect();
        let schema = schema(&fields, true).unwrap();
        assert_eq!(schema.fields().len(), Field::ALL.len() - 1);
    }
}
