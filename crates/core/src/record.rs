//! The value that travels between stages.

use serde::{Deserialize, Serialize};

use crate::article::Article;
use crate::codec::Encoded;
use crate::doc::{Doc, Duplicate, RawDoc, Reject, Seq, Source};
use crate::line::MarkedDoc;

/// One document at some point of the pipeline, or its reject.
///
/// Every stage maps one record to exactly one record, and rejects pass through unchanged, so
/// that the number of records that reach export equals the number of documents read.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Record {
    /// Undecoded bytes (only inside a process, before ingest's decoder).
    Raw(RawDoc),
    /// A decoded document: the output of `ingest`.
    Doc(Doc),
    /// A document with a verdict on every line: the output of `dedupe`.
    Marked(MarkedDoc),
    /// A structured article: the output of `segment`.
    Article(Article),
    /// A document that could not be processed.
    Reject(Reject),
    /// A document dropped as a copy of another (after segment; see dedupe's index).
    Duplicate(Duplicate),
    /// Another record, still encoded (only inside a process: the spool's records on their
    /// way between a run's workers and the threads that store and read them).
    Encoded(Encoded),
}

/// Which stage wrote a frame stream, recorded in its header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum StreamKind {
    /// Written by `newsclean ingest`: documents.
    Docs,
    /// Written by `newsclean dedupe`: documents with marked lines.
    Marked,
    /// Written by `newsclean segment`: articles.
    Articles,
    /// Written by `newsclean learn`: a site model (one value, not a stream of records).
    SiteModel,
}

impl StreamKind {
    /// The stage command that writes this kind of stream.
    pub fn writer(self) -> &'static str {
        match self {
            StreamKind::Docs => "ingest",
            StreamKind::Marked => "dedupe",
            StreamKind::Articles => "segment",
            StreamKind::SiteModel => "learn",
        }
    }

    /// The byte that stands for this kind in a stream header.
    pub fn to_byte(self) -> u8 {
        match self {
            StreamKind::Docs => 1,
            StreamKind::Marked => 2,
            StreamKind::Articles => 3,
            StreamKind::SiteModel => 4,
        }
    }

    /// The kind a header byte stands for.
    pub fn from_byte(byte: u8) -> Option<StreamKind> {
        match byte {
            1 => Some(StreamKind::Docs),
            2 => Some(StreamKind::Marked),
            3 => Some(StreamKind::Articles),
            4 => Some(StreamKind::SiteModel),
            _ => None,
        }
    }
}

/// What the pipeline runner needs to know about the values it moves.
pub trait Envelope: Send + 'static {
    /// Enough of a value to build a replacement if processing it panics.
    type Stub: Send;
    /// The position in the input order.
    fn seq(&self) -> Seq;
    /// Input bytes this value stands for, for throughput figures.
    fn n_bytes(&self) -> u64;
    /// Captures what is needed to build a replacement value.
    fn stub(&self) -> Self::Stub;
    /// The value that replaces one whose processing panicked.
    fn from_panic(stub: Self::Stub, message: &str) -> Self;
}

impl Record {
    /// The position in the input order.
    pub fn seq(&self) -> Seq {
        match self {
            Record::Raw(r) => r.seq,
            Record::Doc(d) => d.seq,
            Record::Marked(m) => m.seq,
            Record::Article(a) => a.seq,
            Record::Reject(r) => r.seq,
            Record::Duplicate(d) => d.seq,
            Record::Encoded(e) => e.seq,
        }
    }

    /// The document identifier.
    pub fn id(&self) -> &str {
        match self {
            Record::Raw(r) => &r.id,
            Record::Doc(d) => &d.id,
            Record::Marked(m) => &m.id,
            Record::Article(a) => &a.id,
            Record::Reject(r) => &r.id,
            Record::Duplicate(d) => &d.id,
            Record::Encoded(e) => &e.id,
        }
    }

    /// Where the document came from.
    pub fn source(&self) -> &Source {
        match self {
            Record::Raw(r) => &r.source,
            Record::Doc(d) => &d.source,
            Record::Marked(m) => &m.source,
            Record::Article(a) => &a.source,
            Record::Reject(r) => &r.source,
            Record::Duplicate(d) => &d.source,
            Record::Encoded(e) => &e.source,
        }
    }

    /// A short name of the variant, for error messages.
    pub fn kind_name(&self) -> &'static str {
        match self {
            Record::Raw(_) => "raw document",
            Record::Doc(_) => "document",
            Record::Marked(_) => "marked document",
            Record::Article(_) => "article",
            Record::Reject(_) => "reject",
            Record::Duplicate(_) => "duplicate",
            Record::Encoded(_) => "encoded record",
        }
    }
}

impl Envelope for Record {
    type Stub = (Seq, String, Source);

    fn seq(&self) -> Seq {
        Record::seq(self)
    }

    fn n_bytes(&self) -> u64 {
        match self {
            Record::Raw(r) => r.bytes.len() as u64,
            Record::Doc(d) => d.stats.n_bytes,
            Record::Marked(m) => m.stats.n_bytes,
            Record::Article(a) => a.stats.n_bytes,
            Record::Reject(_) => 0,
            Record::Duplicate(d) => d.n_bytes,
            Record::Encoded(e) => e.n_bytes,
        }
    }

    fn stub(&self) -> Self::Stub {
        (self.seq(), self.id().to_owned(), self.source().clone())
    }

    fn from_panic((seq, id, source): Self::Stub, message: &str) -> Self {
        Record::Reject(Reject {
            seq,
            id,
            source,
            reason: format!("internal error while processing: {message}"),
        })
    }
}
