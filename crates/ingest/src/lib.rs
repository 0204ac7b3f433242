//! Reading input: walks files and directories in a stable order, opens every format a
//! scraped archive comes in, and decodes each document's bytes into UTF-8 text.
//!
//! # Brief overview
//!
//! [`InputSource`] is the pipeline's source. One thread walks the inputs (sorted, so the
//! order and every `seq` are the same on every run) and opens each file:
//!
//! * compressed files (`.gz`, `.zst`, `.bz2`, `.xz`, recognised by their magic bytes) are
//!   decompressed as streams;
//! * containers are expanded member by member, never whole: tar (`.tar`, `.tar.gz`, `.tgz`,
//!   `.tar.zst`) and zip archives (one document per file member, id `archive/member`),
//!   JSONL (one document per line, see [`JsonFields`]) and WARC/WET files (one document
//!   per `conversion` record or HTML `response` record);
//! * anything else is one document: plain text, or HTML (`.html`, `.htm`, or content that
//!   starts like HTML).
//!
//! The source only reads bytes: each document leaves it as a [`Record::Raw`](newsclean_core::Record::Raw) with a
//! format hint. The [`Decoder`] transform runs on the workers and does the costly part:
//! choosing the encoding (BOM, UTF-8, declared charset, detection), turning HTML into text
//! the way a naive scraper does, normalising line ends.
//!
//! Bad input is data: an empty, binary, oversized, truncated, corrupt or unreadable document
//! becomes one [`Record::Reject`](newsclean_core::Record::Reject) with a reason, and the run goes on. Every size is bounded:
//! a document (or a JSONL line) by `max_doc_bytes`, the decompressed bytes of one compressed
//! file or zip archive by `max_archive_bytes`. Ids are always relative paths that stay
//! inside an output directory, whatever an archive member is called (see [`doc_id`]).
//!
//! ```
//! use newsclean_core::{Record, RawDoc, RawFormat, DocSource, Transform};
//! use newsclean_ingest::Decoder;
//!
//! let raw = RawDoc {
//!     seq: 0,
//!     id: "a".into(),
//!     source: DocSource::default(),
//!     bytes: b"<title>Hi</title><p>there<br>you".to_vec(),
//!     format: RawFormat::Html,
//!     charset: None,
//! };
//! let Record::Doc(doc) = Decoder.process(Record::Raw(raw)).unwrap() else { panic!() };
//! assert_eq!(doc.text, "Hi\nthere\nyou\n");
//! ```

mod charset;
mod decode;
mod format;
mod html;
mod id;
mod jsonl;
mod own;
mod read;
mod tarball;
mod walk;
mod warc;
mod zipfile;

use newsclean_core::Seq;

pub use decode::{Decoder, decode};
pub use format::{InputFormat, looks_like_html};
pub use id::{clean_id, doc_id};
pub use jsonl::JsonFields;
pub use own::OwnFiles;
pub use walk::InputSource;

/// One part of an input split over several processes or machines (`--shard I/N`).
///
/// The walk numbers every file it finds (after `--include`/`--exclude`), in its sorted order,
/// whatever the shard; shard `index` of `count` reads the files whose number is `index`
/// modulo `count`, and of standard input the documents whose id hashes to `index` modulo
/// `count` ([`stable_hash`](newsclean_core::hash::stable_hash)). Every document's `seq` is
/// then its global [`order_key`], the same in every shard and for every shard count, so that
/// the outputs of the shards merge into the order of an unsharded run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    /// Which shard, from 0.
    pub index: u64,
    /// How many shards (at least 1).
    pub count: u64,
}

impl Shard {
    /// True when the `file`-th file of the walk belongs to this shard.
    pub fn takes_file(self, file: u64) -> bool {
        file % self.count == self.index
    }

    /// True when a document of standard input with this id belongs to this shard.
    pub fn takes_id(self, id: &str) -> bool {
        newsclean_core::hash::stable_hash(id.as_bytes()) % self.count == self.index
    }
}

/// The most documents one file can hold in a sharded run (the member part of an order key).
pub const MAX_MEMBERS: u64 = 1 << 32;

/// The global order key of the `member`-th document (from 0) of the `file`-th file of the walk
/// (from 0): the `seq` of documents in a sharded run. Keys sort as an unsharded run's `seq`s do.
pub fn order_key(file: u64, member: u64) -> Seq {
    (file << 32) | member
}

/// How inputs are selected and read.
#[derive(Debug, Clone)]
pub struct IngestConfig {
    /// Glob patterns a file's path (relative to its input root) must match; empty means all.
    /// They select files, not archive members.
    pub include: Vec<String>,
    /// Glob patterns that exclude a file.
    pub exclude: Vec<String>,
    /// Documents (files, archive members, JSONL lines, WARC payloads) larger than this, once
    /// decompressed, are rejected without being kept in memory.
    pub max_doc_bytes: u64,
    /// A compressed file or a zip archive that expands to more than this many bytes is read
    /// no further (a reject says so): the guard against decompression bombs. `None`: 100 times
    /// the file's size, at least [`MIN_ARCHIVE_BUDGET`] (see [`IngestConfig::archive_budget`]).
    pub max_archive_bytes: Option<u64>,
    /// The format of every input file; [`InputFormat::Auto`] decides per file.
    pub input_format: InputFormat,
    /// The fields JSONL documents are read from.
    pub fields: JsonFields,
    /// Documents with a `seq` below this were finished by an earlier run (`--resume`): they
    /// are counted, so that later documents keep their `seq`, but not emitted.
    pub resume_from: Seq,
    /// Read only this shard of the inputs, numbering documents by their [`order_key`].
    pub shard: Option<Shard>,
    /// The run's own files (outputs and their temporary files): never read, even
    /// inside an input directory.
    pub own_files: OwnFiles,
    /// Follow symlinks that lead out of an input directory; without it they are rejects.
    pub follow_symlinks: bool,
}

impl Default for IngestConfig {
    fn default() -> IngestConfig {
        IngestConfig {
            include: Vec::new(),
            exclude: Vec::new(),
            max_doc_bytes: 16 << 20,
            max_archive_bytes: None,
            input_format: InputFormat::Auto,
            fields: JsonFields::default(),
            resume_from: 0,
            shard: None,
            own_files: OwnFiles::default(),
            follow_symlinks: false,
        }
    }
}

/// The least a compressed file or zip archive may expand to by default: 1 GiB.
pub const MIN_ARCHIVE_BUDGET: u64 = 1 << 30;
/// By default, a compressed file or zip archive may expand to this many times its size.
/// Text compresses about 3 to 10 times (HTML up to 20), so real archives stay far below it,
/// while a bomb (a 98 kB zip that expands to 15 GB) stops early. See: issue 13.
pub const ARCHIVE_RATIO: u64 = 100;

impl IngestConfig {
    /// How many bytes a compressed file or zip archive of `n_bytes` (unknown for standard
    /// input) may expand to: `max_archive_bytes`, else [`ARCHIVE_RATIO`] times its size and at
    /// least [`MIN_ARCHIVE_BUDGET`].
    pub fn archive_budget(&self, n_bytes: Option<u64>) -> u64 {
        self.max_archive_bytes.unwrap_or_else(|| {
            n_bytes
                .map_or(0, |n| n.saturating_mul(ARCHIVE_RATIO))
                .max(MIN_ARCHIVE_BUDGET)
        })
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
    /// A file of a sharded run holds more documents than an order key can number.
    #[error("{path} holds more than {MAX_MEMBERS} documents, more than a sharded run can number")]
    TooManyMembers {
        /// The file.
        path: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn archive_budget_defaults_to_a_ratio_of_the_size() {
        let auto = IngestConfig::default();
        assert_eq!(auto.archive_budget(Some(98_000)), MIN_ARCHIVE_BUDGET);
        assert_eq!(auto.archive_budget(None), MIN_ARCHIVE_BUDGET);
        assert_eq!(auto.archive_budget(Some(50 << 30)), 5000 << 30);
        assert_eq!(auto.archive_budget(Some(u64::MAX)), u64::MAX);
        let fixed = IngestConfig {
            max_archive_bytes: Some(7),
            ..IngestConfig::default()
        };
        assert_eq!(fixed.archive_budget(Some(50 << 30)), 7);
    }
}
