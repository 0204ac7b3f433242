//! The engine: the stages of a run wired once, so that the `newsclean` binary and the Python
//! package (`python/`) clean documents with the same code and cannot drift apart.
//!
//! # Brief overview
//!
//! * [`Engine`] holds a run's resolved settings: the dedupe settings with the site model, the
//!   line model, the duplicate policy. [`Engine::run`] drives a source of raw documents
//!   through the runner: on each worker decode → dedupe → segment → fingerprint
//!   ([`Engine::worker`]), then the duplicate index in input order, then the sink.
//!   [`Engine::clean_one`] cleans one document on the calling thread as a worker would, with
//!   no index (one document has no copies).
//! * The steps of a run split over shards (issue 11) clean through the same workers:
//!   [`Engine::run_fingerprinted`] (`newsclean dups map`: every article with its body's
//!   fingerprint, no index) and [`Engine::run_shard`] (`newsclean run --shard`: the articles
//!   of the drop list replaced by duplicates, as the index would have done).
//! * [`learn`] is pass 1: the site model of a source ([`learn_into`] for another sink).
//! * [`load_site_model`], [`save_site_model`], [`merge_site_models`], [`site_model_for_run`]
//!   and [`load_line_models`] read, write and prepare the models, with the messages the binary
//!   prints.
//! * [`Page`] is a document handed in by a program rather than read from a file.
//! * [`clock`] times each part of a run for the report.
//!
//! ```
//! use newsclean_core::{RawFormat, Record};
//! use newsclean_engine::{Engine, Page};
//!
//! let page = Page {
//!     id: Some("example.com/a".into()),
//!     url: None,
//!     bytes: b"<title>Hi</title><p>A first paragraph that is long enough to be kept as text.".to_vec(),
//!     format: RawFormat::Html,
//! };
//! let record = Engine::default().clean_one(page.into_raw(0, "<memory>")).unwrap();
//! let line = newsclean_export::json_line(&record).unwrap();
//! assert!(String::from_utf8(line).unwrap().starts_with(r#"{"id":"example.com/a","url":null,"source":{"path":"<memory>"}"#));
//! ```

pub mod clock;

use std::io::{BufReader, BufWriter};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use newsclean_core::codec::Encode;
use newsclean_core::{
    Article, Chain, Discard, DocSource, Identity, OrderedStep, RawDoc, RawFormat, Record, Seq,
    Sink, Source, StageError, Transform,
};
use newsclean_dedupe::dup::{DupConfig, DupIndex, Fingerprinter, Keep};
use newsclean_dedupe::sharded::ApplyDrops;
use newsclean_dedupe::site::{CountLines, GroupBy, LineHasher, ModelError, SiteLearner, SiteModel};
use newsclean_dedupe::{Dedupe, DedupeConfig};
use newsclean_export::Renderer;
use newsclean_export::atomic::AtomicFile;
use newsclean_ingest::{Decoder, clean_id};
use newsclean_pipeline::{Processed, RunStats, Runner, process_one};
use newsclean_segment::{DEFAULT_MIN_WORDS, LineModel, LineModels, Segment, SegmentConfig, View};

use crate::clock::{Part, StageClock};

/// Errors of the model files; the messages are the ones the binary prints.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A site model file could not be opened.
    #[error("failed to read the site model {}", path.display())]
    ReadSiteModel {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A site model file is not a site model (or of another version).
    #[error("failed to load the site model {}", path.display())]
    LoadSiteModel {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: newsclean_core::codec::Error,
    },
    /// A site model could not be written.
    #[error("failed to write the site model {}", path.display())]
    WriteSiteModel {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: Box<dyn std::error::Error + Send + Sync>,
    },
    /// Site models that cannot be added up.
    #[error("failed to merge the site models")]
    MergeSiteModels(#[source] ModelError),
    /// A line model file could not be read.
    #[error("failed to read {}", path.display())]
    ReadLineModel {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// A line model file is not a line model of this version.
    #[error("failed to load the line model {}", path.display())]
    LoadLineModel {
        /// The file.
        path: PathBuf,
        /// The cause.
        #[source]
        source: newsclean_segment::ModelError,
    },
    /// Two line model files for the same view.
    #[error(
        "{} and {} are both line models for {view} input; give at most one model per view",
        first.display(),
        second.display()
    )]
    TwoLineModels {
        /// The view.
        view: View,
        /// The first file.
        first: PathBuf,
        /// The second file.
        second: PathBuf,
    },
}

/// The settings of a run, resolved once; workers are built from it.
#[derive(Debug, Clone)]
pub struct Engine {
    /// Per-document dedupe: the site model (see [`site_model_for_run`]) and template rules.
    pub dedupe: DedupeConfig,
    /// The line classifier of each view.
    pub segment: SegmentConfig,
    /// The duplicate index.
    pub dup: DupConfig,
}

impl Default for Engine {
    /// The settings of `newsclean run` without a site model (`--no-site-model`).
    fn default() -> Engine {
        Engine {
            dedupe: DedupeConfig::default(),
            segment: SegmentConfig {
                models: LineModels::builtin(),
                min_words: DEFAULT_MIN_WORDS,
            },
            dup: DupConfig::default(),
        }
    }
}

impl Engine {
    /// The transform each worker runs: decode → dedupe → segment, then the body's fingerprint
    /// when the run has a duplicate index, each part timed on `clock`.
    pub fn worker<'a>(&self, clock: &'a StageClock) -> impl Transform<Item = Record> + 'a {
        self.worker_with(clock, self.dup.keep != Keep::All)
    }

    fn worker_with<'a>(
        &self,
        clock: &'a StageClock,
        is_indexed: bool,
    ) -> impl Transform<Item = Record> + 'a {
        Chain(
            clock.time(Part::Decode, Decoder),
            Chain(
                clock.time(Part::Dedupe, Dedupe::new(&self.dedupe)),
                Chain(
                    clock.time(Part::Segment, Segment::new(&self.segment)),
                    // Bodies are fingerprinted on the workers, in parallel, for the index.
                    clock.time(Part::Duplicates, Fingerprints(is_indexed)),
                ),
            ),
        )
    }

    /// Runs `source` through the workers, the duplicate index (in input order) and `sink`:
    /// the whole of a run after pass 1. The source's records may be raw documents, or
    /// documents pass 1 already decoded and split (its spool), which the decoder passes on.
    pub fn run<S, K>(
        &self,
        runner: &Runner<'_>,
        source: S,
        sink: &mut K,
        clock: &StageClock,
    ) -> Result<RunStats, newsclean_pipeline::Error>
    where
        S: Source<Item = Record>,
        K: Sink<Item = Record> + ?Sized,
    {
        self.run_rendered(runner, source, sink, None, clock)
    }

    /// [`Engine::run`], with the articles rendered on the workers by `renderer` (an
    /// [`ExportSink::renderer`](newsclean_export::ExportSink::renderer) of `sink`), so that
    /// the sink, which sees every document in order, only copies their bytes.
    pub fn run_rendered<S, K>(
        &self,
        runner: &Runner<'_>,
        source: S,
        sink: &mut K,
        renderer: Option<&Renderer>,
        clock: &StageClock,
    ) -> Result<RunStats, newsclean_pipeline::Error>
    where
        S: Source<Item = Record>,
        K: Sink<Item = Record> + ?Sized,
    {
        let is_indexed = self.dup.keep != Keep::All;
        let index = DupIndex::new(&self.dup);
        let through = Through {
            is_indexed,
            renderer,
        };
        self.run_through(runner, source, through, index, sink, clock)
    }

    /// Runs one shard of a run split over shards (`newsclean run --shard`): cleans as
    /// [`Engine::run`] does, then, in input order, replaces the articles of `drops` (this
    /// shard's part of the drop list that `dups resolve` made from every shard) by the
    /// duplicates the index would have written; without `drops` (`--keep all`) every article
    /// stays. Bodies are not fingerprinted: the list has decided.
    pub fn run_shard<S, K>(
        &self,
        runner: &Runner<'_>,
        source: S,
        drops: Option<ApplyDrops>,
        sink: &mut K,
        clock: &StageClock,
    ) -> Result<RunStats, newsclean_pipeline::Error>
    where
        S: Source<Item = Record>,
        K: Sink<Item = Record> + ?Sized,
    {
        let through = Through::default();
        match drops {
            Some(drops) => self.run_through(runner, source, through, drops, sink, clock),
            None => self.run_through(runner, source, through, Identity::default(), sink, clock),
        }
    }

    /// Cleans as [`Engine::run`] does and hands every record to `sink` in input order, each
    /// article with its body's fingerprint, with no duplicate index: the map of duplicate
    /// detection split over shards (`newsclean dups map`).
    pub fn run_fingerprinted<S, K>(
        &self,
        runner: &Runner<'_>,
        source: S,
        sink: &mut K,
        clock: &StageClock,
    ) -> Result<RunStats, newsclean_pipeline::Error>
    where
        S: Source<Item = Record>,
        K: Sink<Item = Record> + ?Sized,
    {
        let through = Through {
            is_indexed: true,
            renderer: None,
        };
        self.run_through(runner, source, through, Identity::default(), sink, clock)
    }

    /// The one pipeline of [`Engine::run`] and the shard steps: `source`, the workers (see
    /// [`Through`]), `step` in input order, then `sink`.
    fn run_through<S, P, K>(
        &self,
        runner: &Runner<'_>,
        source: S,
        through: Through<'_>,
        step: P,
        sink: &mut K,
        clock: &StageClock,
    ) -> Result<RunStats, newsclean_pipeline::Error>
    where
        S: Source<Item = Record>,
        P: OrderedStep<Item = Record>,
        K: Sink<Item = Record> + ?Sized,
    {
        runner.run_ordered(
            clock.time(Part::Read, source),
            || {
                Chain(
                    self.worker_with(clock, through.is_indexed),
                    clock.time(
                        Part::Export,
                        MaybeRender {
                            renderer: through.renderer.cloned(),
                            // `--keep longest` spills articles and writes them later, from
                            // their fields; the other settings write the rendered line.
                            is_body_dropped: self.dup.keep != Keep::Longest,
                        },
                    ),
                )
            },
            &mut clock.time(Part::Duplicates, step),
            &mut clock.time(Part::Export, sink),
        )
    }

    /// Cleans one raw document on the calling thread as a worker does (a panic becomes a
    /// reject); there is no duplicate index, since one document has no copies. The result is
    /// an article or a reject. `Err` only for a stage's fatal error, which a raw document
    /// never causes.
    pub fn clean_one(&self, raw: RawDoc) -> Result<Record, StageError> {
        let clock = StageClock::default();
        let mut worker = self.worker_with(&clock, false);
        match process_one(&mut worker, Record::Raw(raw))? {
            Processed::Done(record) | Processed::Panicked(record) => Ok(record),
        }
    }
}

/// What the workers of [`Engine::run_through`] do after segment: fingerprint bodies (for a
/// duplicate index, or for `dups map`), render articles for the sink.
#[derive(Default, Clone, Copy)]
struct Through<'a> {
    is_indexed: bool,
    renderer: Option<&'a Renderer>,
}

/// A [`Renderer`] when the sink has one, else nothing.
struct MaybeRender {
    renderer: Option<Renderer>,
    /// Whether a rendered article's text fields are emptied on the worker (see
    /// [`drop_rendered_body`]).
    is_body_dropped: bool,
}

impl Transform for MaybeRender {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        let Some(renderer) = &mut self.renderer else {
            return Ok(record);
        };
        let mut record = renderer.process(record)?;
        if self.is_body_dropped {
            if let Record::Article(article) = &mut record {
                drop_rendered_body(article);
            }
        }
        Ok(record)
    }
}

/// Empties the text fields (title, byline, dates, summary, body, related titles) of an
/// article that a worker rendered and fingerprinted: the sink writes its rendered line and
/// counts its stats, the duplicate index reads its print, and what is freed here is not freed
/// by the one thread that writes in input order (a string per paragraph). An article without
/// a print has no words to print, so the index, which would fingerprint its fields, finds
/// none either way.
fn drop_rendered_body(article: &mut Article) {
    if article.rendered.is_none() {
        return;
    }
    article.title = None;
    article.byline = None;
    article.published = None;
    article.published_text = None;
    article.summary = Vec::new();
    article.sections = Vec::new();
    article.related = Vec::new();
    article.body_norm = None;
}

/// [`Fingerprinter`] when the run has a duplicate index, else nothing.
struct Fingerprints(bool);

impl Transform for Fingerprints {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        if self.0 {
            Fingerprinter.process(record)
        } else {
            Ok(record)
        }
    }
}

/// Pass 1: reads every document of `source` once, hashing lines only, and counts them per
/// site (grouped by `group_by`).
pub fn learn<S>(
    runner: &Runner<'_>,
    source: S,
    group_by: GroupBy,
) -> Result<SiteModel, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
{
    let learner = SiteLearner::new(group_by);
    learn_into(runner, source, &learner, &mut Discard::default())?;
    // Every line, as `newsclean learn` saves it; a run prunes (`site_model_for_run`).
    Ok(learner.into_model(1))
}

/// Pass 1: the workers count every document's lines into `learner`, and pass the split
/// documents on to `sink` (`newsclean run`'s spool, which pass 2 then reads through
/// [`Engine::run`], or a [`Discard`]).
pub fn learn_into<S, K>(
    runner: &Runner<'_>,
    source: S,
    learner: &SiteLearner,
    sink: &mut K,
) -> Result<RunStats, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
    K: Sink<Item = Record> + ?Sized,
{
    learn_then(runner, source, learner, sink, Identity::default)
}

/// [`learn_into`], with every record encoded on the workers ([`Record::Encoded`]) for a sink
/// that stores them (`newsclean run`'s spool): the one thread that sees every record then
/// only copies bytes, and pass 2's workers decode them ([`Decoder`]).
pub fn learn_encoded<S, K>(
    runner: &Runner<'_>,
    source: S,
    learner: &SiteLearner,
    sink: &mut K,
) -> Result<RunStats, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
    K: Sink<Item = Record> + ?Sized,
{
    learn_then(runner, source, learner, sink, || Encode)
}

/// Pass 1's workers: decode, hash the lines, count them in `learner`, then `last`.
fn learn_then<S, K, T>(
    runner: &Runner<'_>,
    source: S,
    learner: &SiteLearner,
    sink: &mut K,
    last: fn() -> T,
) -> Result<RunStats, newsclean_pipeline::Error>
where
    S: Source<Item = Record>,
    K: Sink<Item = Record> + ?Sized,
    T: Transform<Item = Record>,
{
    runner.run(
        source,
        || {
            Chain(
                Chain(Chain(Decoder, LineHasher), CountLines::new(learner)),
                last(),
            )
        },
        sink,
    )
}

/// The fewest pages that carry a line a run keeps in its site model: a line on one page is
/// never template, and the model knows unknown lines count 1.
pub const RUN_MIN_COUNT: u32 = 2;

/// The model a run uses, shared read-only by its workers: only lines on
/// [`RUN_MIN_COUNT`] or more pages can be template, and the rest would only take memory.
pub fn site_model_for_run(mut model: SiteModel) -> Arc<SiteModel> {
    model.prune(RUN_MIN_COUNT);
    Arc::new(model)
}

/// Reads a site model written by [`save_site_model`] (or `newsclean learn`).
pub fn load_site_model(path: &Path) -> Result<SiteModel, Error> {
    let file = std::fs::File::open(path).map_err(|source| Error::ReadSiteModel {
        path: path.to_owned(),
        source,
    })?;
    SiteModel::load(BufReader::with_capacity(1 << 16, file)).map_err(|source| {
        Error::LoadSiteModel {
            path: path.to_owned(),
            source,
        }
    })
}

/// Writes a site model under a temporary name and renames it into place.
pub fn save_site_model(model: &SiteModel, path: &Path) -> Result<(), Error> {
    let fail = |source: Box<dyn std::error::Error + Send + Sync>| Error::WriteSiteModel {
        path: path.to_owned(),
        source,
    };
    let mut file = AtomicFile::create(path).map_err(|err| fail(err.into()))?;
    model
        .save(BufWriter::with_capacity(1 << 16, &mut file))
        .map_err(|err| fail(err.into()))?;
    file.commit().map_err(|err| fail(err.into()))
}

/// Adds up models learned on parts of an archive.
pub fn merge_site_models(models: Vec<SiteModel>) -> Result<SiteModel, Error> {
    SiteModel::merge(models).map_err(Error::MergeSiteModels)
}

/// The built-in line models, with each of `paths` (line models `train/train_lines.py` writes)
/// in place of the built-in model of its view; at most one file per view.
pub fn load_line_models(paths: &[PathBuf]) -> Result<LineModels, Error> {
    let mut models = LineModels::builtin();
    let mut given: Vec<(View, &Path)> = Vec::new();
    for path in paths {
        let model = load_line_model(path)?;
        if let Some(&(view, first)) = given.iter().find(|(view, _)| *view == model.view()) {
            return Err(Error::TwoLineModels {
                view,
                first: first.to_owned(),
                second: path.clone(),
            });
        }
        given.push((model.view(), path));
        models.replace(model);
    }
    Ok(models)
}

/// Reads a line model (the classifier of one view, as `train/train_lines.py` writes it).
pub fn load_line_model(path: &Path) -> Result<Arc<LineModel>, Error> {
    let json = std::fs::read_to_string(path).map_err(|source| Error::ReadLineModel {
        path: path.to_owned(),
        source,
    })?;
    let model = LineModel::parse(&json).map_err(|source| Error::LoadLineModel {
        path: path.to_owned(),
        source,
    })?;
    Ok(Arc::new(model))
}

/// A document handed in by a program rather than read from a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page {
    /// The id, made safe as a JSONL id is ([`clean_id`]); without one (or with one that
    /// cleans to nothing), the page's position.
    pub id: Option<String>,
    /// The page's URL: its site, and a hint for charset detection.
    pub url: Option<String>,
    /// The undecoded content: UTF-8 text, or bytes in any encoding (detected as for a file).
    pub bytes: Vec<u8>,
    /// Text or HTML.
    pub format: RawFormat,
}

impl Page {
    /// The raw document at position `seq`, with `path` as its source's path.
    pub fn into_raw(self, seq: Seq, path: &str) -> RawDoc {
        let id = self
            .id
            .map(|id| clean_id(&id))
            .filter(|id| !id.is_empty())
            .unwrap_or_else(|| seq.to_string());
        RawDoc {
            seq,
            id,
            source: DocSource {
                path: path.to_owned(),
                url: self.url,
                ..DocSource::default()
            },
            bytes: self.bytes,
            format: self.format,
            charset: None,
        }
    }
}

#[cfg(test)]
mod tests;
