//! Documents as ingest produces them, and rejects.

use serde::{Deserialize, Serialize};

use crate::markup::Markup;

/// The position of a document in the input order; export writes in `Seq` order.
pub type Seq = u64;

/// Where a document came from.
///
/// Record types never use `skip_serializing_if`: the frame codec is not self-describing.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Source {
    /// The file the document was read from (`-` for standard input).
    pub path: String,
    /// The member inside an archive file, when there is one.
    pub member: Option<String>,
    /// The URL of the page, when the input carries one.
    pub url: Option<String>,
    /// Fields of the input record that newsclean does not use (a JSONL line's other fields,
    /// a WARC record's id and date), as the text of a JSON object; export writes them as
    /// `meta`.
    pub meta: Option<String>,
}

/// What the bytes of a [`RawDoc`] are, as far as the source could tell.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum RawFormat {
    /// Plain text.
    #[default]
    Text,
    /// An HTML page: the decoder turns it into the visible text, one block per line.
    Html,
}

/// A document before decoding: the bytes of one input file or archive member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawDoc {
    /// Position in the input order.
    pub seq: Seq,
    /// Stable identifier: the path relative to the input root, without extension.
    pub id: String,
    /// Where the bytes came from.
    pub source: Source,
    /// The undecoded content.
    pub bytes: Vec<u8>,
    /// Text or HTML.
    pub format: RawFormat,
    /// The charset the container declared (an HTTP `Content-Type` header, say), if any.
    pub charset: Option<String>,
}

/// Facts about a document's decoding, carried through to the output's `stats`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DocStats {
    /// Size of the input in bytes, before decoding.
    pub n_bytes: u64,
    /// The encoding the text was decoded from.
    pub encoding: String,
    /// Number of invalid byte sequences replaced with U+FFFD, and of stray NUL bytes dropped
    /// from a text or HTML page.
    pub n_invalid: u64,
    /// Control characters removed from the text (C0 and C1 but tab and newline, and DEL:
    /// escape sequences, bells, backspaces).
    pub n_controls: u64,
}

/// A decoded document: UTF-8 text without BOM, with `\n` line ends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Doc {
    /// Position in the input order.
    pub seq: Seq,
    /// Stable identifier.
    pub id: String,
    /// Where the document came from.
    pub source: Source,
    /// The decoded text.
    pub text: String,
    /// Decoding facts.
    pub stats: DocStats,
    /// What the markup said, for a document decoded from HTML; `None` for text.
    pub markup: Option<Box<Markup>>,
}

/// A document that cannot be processed, with the reason in words.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reject {
    /// Position in the input order.
    pub seq: Seq,
    /// Identifier of the rejected document.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// Why it was rejected, for people.
    pub reason: String,
}

/// How a dropped document matched the copy that was kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum DupKind {
    /// The same normalised cleaned body.
    Exact,
    /// A cleaned body whose estimated word-shingle Jaccard similarity reaches the threshold,
    /// or the smaller of which is mostly inside the larger (containment).
    Near,
}

impl DupKind {
    /// The name written in the duplicates file: `exact` or `near`.
    pub fn name(self) -> &'static str {
        match self {
            DupKind::Exact => "exact",
            DupKind::Near => "near",
        }
    }
}

/// A document dropped as a copy of another one.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Duplicate {
    /// Position in the input order.
    pub seq: Seq,
    /// Identifier of the dropped document.
    pub id: String,
    /// Where it came from.
    pub source: Source,
    /// Identifier of the document that was kept.
    pub duplicate_of: String,
    /// Exact or near copy.
    pub kind: DupKind,
    /// The (estimated) Jaccard similarity of the two cleaned bodies; 1 for exact copies.
    /// Under the threshold for a copy found by containment.
    pub similarity: f32,
    /// Size of the dropped input in bytes.
    pub n_bytes: u64,
}
