//! The shared vocabulary of newsclean: documents, lines, verdicts, articles, the stage traits
//! the pipeline drives, the stable hash, line normalisation and the frame codec.
//!
//! # Brief overview
//!
//! A run turns input files into [`RawDoc`]s (ingest's source), decodes them into [`Doc`]s
//! (ingest), splits and marks their lines into a [`MarkedDoc`] (dedupe), builds an [`Article`]
//! (segment) and writes it (export). Between stages every value travels as a [`Record`], which
//! also carries [`Reject`]s, so that every input document is accounted for at the end.
//!
//! Stage crates implement [`Source`], [`Transform`] and [`Sink`]; `newsclean-pipeline` drives
//! them over bounded channels. Nothing in this crate spawns threads, prints or exits.
//!
//! ```
//! use newsclean_core::text::normalize;
//! assert_eq!(normalize("  “Hello”   World — again "), "\"hello\" world - again");
//! ```

pub mod article;
pub mod codec;
pub mod doc;
pub mod hash;
pub mod lexicon;
pub mod line;
pub mod markup;
pub mod record;
pub mod report;
pub mod site;
pub mod stage;
pub mod text;

pub use article::{Article, ArticleStats, BodyPrint, RemovedLine, Rendered, Section};
pub use doc::{
    Doc, DocStats, DupKind, Duplicate, RawDoc, RawFormat, Reject, Seq, Source as DocSource,
};
pub use line::{Line, MarkedDoc, Norms, Reason, Role, SiteLines, Verdict};
pub use markup::{Block, LineTags, Markup, PageMeta, Roles};
pub use record::{Envelope, Record, StreamKind};
pub use report::{NoopReporter, Reporter, StageId};
pub use stage::{Chain, Discard, Identity, OrderedStep, Sink, Source, StageError, Transform};
