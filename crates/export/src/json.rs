//! The JSON shapes of articles and rejects.

use newsclean_core::{Article, ArticleStats, DocSource, Duplicate, Reject, Section};
use serde::Serialize;

#[derive(Serialize)]
struct JsonSource<'a> {
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

#[derive(Serialize)]
struct JsonArticle<'a> {
    id: &'a str,
    source: JsonSource<'a>,
    title: Option<&'a str>,
    byline: Option<&'a str>,
    published: Option<&'a str>,
    summary: &'a [String],
    sections: &'a [Section],
    related: &'a [String],
    text: String,
    stats: &'a ArticleStats,
}

#[derive(Serialize)]
struct JsonReject<'a> {
    id: &'a str,
    source: JsonSource<'a>,
    reason: &'a str,
}

/// Appends an article as one JSON object (no newline).
pub fn write_article(out: &mut Vec<u8>, article: &Article) {
    let json = JsonArticle {
        id: &article.id,
        source: (&article.source).into(),
        title: article.title.as_deref(),
        byline: article.byline.as_deref(),
        published: article.published.as_deref(),
        summary: &article.summary,
        sections: &article.sections,
        related: &article.related,
        text: article.text(),
        stats: &article.stats,
    };
    serde_json::to_writer(out, &json).expect("serialising to memory cannot fail");
}

/// A reject as one JSON object (no newline).
pub fn reject_line(reject: &Reject) -> Vec<u8> {
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
pub fn duplicate_line(duplicate: &Duplicate) -> Vec<u8> {
    let json = JsonDuplicate {
        id: &duplicate.id,
        duplicate_of: &duplicate.duplicate_of,
        kind: duplicate.kind.name(),
        similarity: (f64::from(duplicate.similarity) * 1000.0).round() / 1000.0,
    };
    serde_json::to_vec(&json).expect("serialising to memory cannot fail")
}
