//! The JSON shapes of articles and rejects.

use newsclean_core::{Article, ArticleStats, DocSource, Reject, Section};
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
    #[serde(skip_serializing_if = "Option::is_none")]
    meta: Option<serde_json::Value>,
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
        // The meta text is a JSON object by construction; anything else is left out rather
        // than written as invalid JSON.
        meta: article
            .source
            .meta
            .as_deref()
            .and_then(|meta| serde_json::from_str(meta).ok()),
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
