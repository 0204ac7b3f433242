//! Reading input: walks files and directories in a stable order, reads each file, and decodes
//! its bytes into UTF-8 text.
//!
//! # Brief overview
//!
//! [`InputSource`] is the pipeline's source: one thread walks the inputs (sorted, so the order
//! and every `seq` are the same on every run) and reads each file into a raw document. The
//! [`Decoder`] transform runs on the workers and turns bytes into a document (BOM stripped,
//! `\r\n` normalised, invalid UTF-8 replaced and counted) or a reject with a reason (empty,
//! binary, too large, unreadable). Bad input is data: nothing here stops the run except a
//! failure to start reading an input the user named.
//!
//! ```
//! use newsclean_core::{Record, RawDoc, DocSource, Transform};
//! use newsclean_ingest::Decoder;
//!
//! let raw = RawDoc { seq: 0, id: "a".into(), source: DocSource::default(), bytes: b"\xEF\xBB\xBFHi\r\nthere".to_vec() };
//! let Record::Doc(doc) = Decoder.process(Record::Raw(raw)).unwrap() else { panic!() };
//! assert_eq!(doc.text, "Hi\nthere");
//! ```

mod decode;
mod walk;

pub use decode::{Decoder, decode};
pub use walk::{InputSource, doc_id};

/// How inputs are selected and read.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Glob patterns a file's path (relative to its input root) must match; empty means all.
    pub include: Vec<String>,
    /// Glob patterns that exclude a file.
    pub exclude: Vec<String>,
    /// Files larger than this are rejected without being read.
    pub max_doc_bytes: u64,
}

impl Default for IngestConfig {
    fn default() -> IngestConfig {
        IngestConfig {
            include: Vec::new(),
            exclude: Vec::new(),
            max_doc_bytes: 16 << 20,
        }
    }
}

/// Errors that stop ingest before it starts.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A glob pattern does not parse.
    #[error("invalid glob pattern {pattern:?}")]
    Glob {
        /// The pattern.
        pattern: String,
        /// The parser's complaint.
        #[source]
        source: globset::Error,
    },
}
