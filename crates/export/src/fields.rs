//! The columns (`--fields`) of the row formats, and the per-article values they read.

use std::fmt;
use std::str::FromStr;

use newsclean_core::{Article, DocSource};

use crate::sentences::{self, Lang};

/// A column of jsonl, csv and parquet output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Field {
    /// The article id.
    Id,
    /// The page URL, when the input carries one.
    Url,
    /// The site: the URL host, else the first directory of the id, else empty.
    Site,
    /// The input file.
    Path,
    /// The archive member, when there is one.
    Member,
    /// `path`, `member` and `url` together.
    Source,
    /// The headline.
    Title,
    /// The author line.
    Byline,
    /// The publication date as ISO 8601, when the date line reads as one.
    Published,
    /// The publication date line as the page prints it.
    PublishedText,
    /// Summary bullets (a list).
    Summary,
    /// Sections: `heading`, `paragraphs` (and `sentences` with `--sentences`).
    Sections,
    /// Related-article titles (a list).
    Related,
    /// Title, summary, headings and paragraphs joined by newlines.
    Text,
    /// Words in `text`.
    NWords,
    /// Non-blank input lines.
    NLines,
    /// Lines kept in the article.
    NKept,
    /// Input bytes.
    NBytes,
    /// The encoding the input was decoded from.
    Encoding,
    /// All counts as one object (jsonl and csv only).
    Stats,
    /// The input record's other fields (a JSONL line's, a WARC record's id and date), as a
    /// JSON object: a JSONL key only when there are some, JSON text in csv and parquet.
    Meta,
}

impl Field {
    /// Every field, in the order `--help` lists them.
    pub const ALL: [Field; 21] = [
        Field::Id,
        Field::Url,
        Field::Site,
        Field::Path,
        Field::Member,
        Field::Source,
        Field::Title,
        Field::Byline,
        Field::Published,
        Field::PublishedText,
        Field::Summary,
        Field::Sections,
        Field::Related,
        Field::Text,
        Field::NWords,
        Field::NLines,
        Field::NKept,
        Field::NBytes,
        Field::Encoding,
        Field::Stats,
        Field::Meta,
    ];

    /// The column or key name.
    pub fn name(self) -> &'static str {
        match self {
            Field::Id => "id",
            Field::Url => "url",
            Field::Site => "site",
            Field::Path => "path",
            Field::Member => "member",
            Field::Source => "source",
            Field::Title => "title",
            Field::Byline => "byline",
            Field::Published => "published",
            Field::PublishedText => "published_text",
            Field::Summary => "summary",
            Field::Sections => "sections",
            Field::Related => "related",
            Field::Text => "text",
            Field::NWords => "n_words",
            Field::NLines => "n_lines",
            Field::NKept => "n_kept",
            Field::NBytes => "n_bytes",
            Field::Encoding => "encoding",
            Field::Stats => "stats",
            Field::Meta => "meta",
        }
    }

    /// The columns of JSONL by default: the schema documented in the crate docs.
    pub const JSONL: &'static [Field] = &[
        Field::Id,
        // Top level, where parquet and csv have it too (and also in `source`, as before).
        Field::Url,
        Field::Source,
        Field::Title,
        Field::Byline,
        Field::Published,
        Field::PublishedText,
        Field::Summary,
        Field::Sections,
        Field::Related,
        Field::Text,
        Field::Stats,
        Field::Meta,
    ];

    /// The columns of CSV by default.
    pub const CSV: &'static [Field] = &[
        Field::Id,
        Field::Url,
        Field::Site,
        Field::Title,
        Field::Text,
    ];

    /// The columns of Parquet by default.
    pub const PARQUET: &'static [Field] = &[
        Field::Id,
        Field::Url,
        Field::Site,
        Field::Path,
        Field::Title,
        Field::Byline,
        Field::Published,
        Field::PublishedText,
        Field::Summary,
        Field::Sections,
        Field::Related,
        Field::Text,
        Field::NWords,
        Field::NLines,
        Field::NKept,
        Field::NBytes,
        Field::Encoding,
    ];
}

impl fmt::Display for Field {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A name that is no [`Field`].
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown field {name:?}; known fields: {}", known_fields())]
pub struct UnknownField {
    /// The name given.
    pub name: String,
}

fn known_fields() -> String {
    Field::ALL.map(Field::name).join(", ")
}

impl FromStr for Field {
    type Err = UnknownField;
    fn from_str(name: &str) -> Result<Field, UnknownField> {
        Field::ALL
            .into_iter()
            .find(|f| f.name() == name.trim())
            .ok_or_else(|| UnknownField {
                name: name.to_owned(),
            })
    }
}

/// The site of a document: its URL host when known, else the first directory of its id
/// (`bolnews.com/2023/x` → `bolnews.com`), else empty; the same site as dedupe's site model
/// groups by default (see [`newsclean_core::site`]).
pub fn site(id: &str, source: &DocSource) -> String {
    newsclean_core::site::site_of(id, source.url.as_deref())
}

/// One article with the values the formats derive from it, computed once.
pub(crate) struct Row<'a> {
    pub article: &'a Article,
    pub site: String,
    pub text: String,
    /// Per section, per paragraph, the sentences (with `--sentences`).
    pub sentences: Option<Vec<Vec<Vec<&'a str>>>>,
}

impl<'a> Row<'a> {
    pub(crate) fn new(article: &'a Article, with_sentences: bool) -> Row<'a> {
        let text = article.text();
        let sentences = with_sentences.then(|| {
            let lang = Lang::guess(&text);
            article
                .sections
                .iter()
                .map(|section| {
                    let paragraphs: Vec<&str> =
                        section.paragraphs.iter().map(String::as_str).collect();
                    sentences::split_paragraphs(&paragraphs, lang)
                })
                .collect()
        });
        Row {
            article,
            site: site(&article.id, &article.source),
            text,
            sentences,
        }
    }

    /// The sentences of section `i`, when split.
    pub(crate) fn section_sentences(&self, i: usize) -> Option<&[Vec<&'a str>]> {
        self.sentences.as_ref().map(|s| s[i].as_slice())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn source(url: Option<&str>) -> DocSource {
        DocSource {
            url: url.map(str::to_owned),
            ..DocSource::default()
        }
    }

    #[test]
    fn sites() {
        assert_eq!(site("bolnews.com/2023/x", &source(None)), "bolnews.com");
        assert_eq!(site("dn_100", &source(None)), "");
        assert_eq!(
            site(
                "a/b",
                &source(Some("https://user@WWW.Example.com:8080/x?y"))
            ),
            "example.com"
        );
        assert_eq!(site("a/b", &source(Some("http://[::1]:80/"))), "::1");
        assert_eq!(site("a/b", &source(Some("not a url"))), "a");
        assert_eq!(site("x", &source(Some("https:///path"))), "");
    }

    #[test]
    fn field_names_round_trip() {
        for field in Field::ALL {
            assert_eq!(field.name().parse::<Field>(), Ok(field));
        }
        let err = "nope".parse::<Field>().unwrap_err().to_string();
        assert!(
            err.starts_with("unknown field \"nope\"; known fields: id, url"),
            "{err}"
        );
    }
}
