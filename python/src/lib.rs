//! `newsclean._newsclean`, the native module of the Python package: thin bindings over
//! `newsclean-engine`, which wires the stages for the `newsclean` binary too, and
//! `newsclean-export`'s JSON lines, so that Python gets exactly what `newsclean run` writes.
//!
//! Nothing here cleans. Pages become [`Page`]s; the engine cleans them, one on the calling
//! thread ([`Cleaner::clean`]) or many through the runner on a thread of its own
//! ([`Cleaner::clean_many`], [`learn`]); each result is the JSON object of `--format jsonl`,
//! parsed by Python's `json`. The GIL is released while Rust works, and only the calling
//! thread touches Python objects: it feeds the pages into a bounded channel and reads the
//! results from another, so the background run never waits for the GIL.

use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, OnceLock};
use std::thread::JoinHandle;
use std::time::Duration;

use crossbeam_channel::{Receiver, Select, Sender, TryRecvError, TrySendError, bounded};
use newsclean_core::{NoopReporter, RawDoc, RawFormat, Record, Sink, Source, StageError, StageId};
use newsclean_dedupe::dup::{DupConfig, Keep};
use newsclean_dedupe::site::{GroupBy, SiteModel};
use newsclean_engine::clock::StageClock;
use newsclean_engine::{Engine, Page};
use newsclean_export::json_line;
use newsclean_pipeline::Runner;
use newsclean_segment::DEFAULT_MIN_WORDS;
use pyo3::exceptions::{PyException, PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::sync::PyOnceLock;
use pyo3::types::{PyBytes, PyDict, PyIterator, PyString, PyTuple};

pyo3::create_exception!(
    newsclean,
    NewscleanError,
    PyException,
    "An error of newsclean (a model file that cannot be read, say), with the message the `newsclean` binary prints."
);

/// The source path of pages handed in from Python (they have no file).
const PAGE_PATH: &str = "<python>";

/// How long a wait lasts before Python's signal handlers (Ctrl-C) get a chance to run.
const SIGNAL_CHECK: Duration = Duration::from_millis(100);

/// An error and its causes, as the binary prints them (`{:#}`): `outer: inner: innermost`.
fn message(err: &(dyn std::error::Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(err) = cause {
        text.push_str(": ");
        text.push_str(&err.to_string());
        cause = err.source();
    }
    text
}

fn error(err: &(dyn std::error::Error + 'static)) -> PyErr {
    NewscleanError::new_err(message(err))
}

fn type_name(value: &Bound<'_, PyAny>) -> String {
    value
        .get_type()
        .name()
        .map_or_else(|_| "?".to_owned(), |name| name.to_string())
}

/// Python's `json.loads`, looked up once.
fn json_loads(py: Python<'_>) -> PyResult<&Bound<'_, PyAny>> {
    static LOADS: PyOnceLock<Py<PyAny>> = PyOnceLock::new();
    Ok(LOADS
        .get_or_try_init(py, || -> PyResult<Py<PyAny>> {
            Ok(py.import("json")?.getattr("loads")?.unbind())
        })?
        .bind(py))
}

/// A record's JSON line as a dict.
fn to_dict(py: Python<'_>, line: &[u8]) -> PyResult<Py<PyAny>> {
    let text = std::str::from_utf8(line).expect("serde_json writes UTF-8");
    Ok(json_loads(py)?.call1((PyString::new(py, text),))?.unbind())
}

/// The bytes of a page given as `str` (UTF-8; lone surrogates become U+FFFD) or `bytes`
/// (undecoded: the encoding is detected as for a file).
fn page_bytes(value: &Bound<'_, PyAny>, what: &str) -> PyResult<Vec<u8>> {
    if let Ok(text) = value.cast::<PyString>() {
        Ok(text.to_string_lossy().into_owned().into_bytes())
    } else if let Ok(bytes) = value.cast::<PyBytes>() {
        Ok(bytes.as_bytes().to_vec())
    } else {
        Err(PyTypeError::new_err(format!(
            "{what} must be str or bytes, not {}",
            type_name(value)
        )))
    }
}

/// A page from `clean`'s arguments: exactly one of `text` and `html`.
fn page(
    text: Option<&Bound<'_, PyAny>>,
    html: Option<&Bound<'_, PyAny>>,
    url: Option<String>,
    id: Option<String>,
) -> PyResult<Page> {
    let (bytes, format) = match (text, html) {
        (Some(text), None) => (page_bytes(text, "text")?, RawFormat::Text),
        (None, Some(html)) => (page_bytes(html, "html")?, RawFormat::Html),
        (None, None) => return Err(PyTypeError::new_err("give the page as text or as html")),
        (Some(_), Some(_)) => {
            return Err(PyTypeError::new_err(
                "give the page as text or as html, not both",
            ));
        }
    };
    Ok(Page {
        id,
        url,
        bytes,
        format,
    })
}

/// An optional string value of a page dict.
fn dict_str(dict: &Bound<'_, PyDict>, key: &str) -> PyResult<Option<String>> {
    match dict.get_item(key)? {
        None => Ok(None),
        Some(value) if value.is_none() => Ok(None),
        Some(value) => value.extract().map(Some).map_err(|_| {
            PyTypeError::new_err(format!(
                "a page's {key:?} must be str or None, not {}",
                type_name(&value)
            ))
        }),
    }
}

/// One item of `clean_many` or `learn`: `str` or `bytes` (text), or a dict with `text` or
/// `html` and optionally `id` and `url` (other keys are ignored).
fn page_of(item: &Bound<'_, PyAny>) -> PyResult<Page> {
    if let Ok(dict) = item.cast::<PyDict>() {
        let text = dict.get_item("text")?.filter(|v| !v.is_none());
        let html = dict.get_item("html")?.filter(|v| !v.is_none());
        if text.is_none() && html.is_none() {
            return Err(PyTypeError::new_err(
                "a page dict needs a \"text\" or an \"html\" key",
            ));
        }
        page(
            text.as_ref(),
            html.as_ref(),
            dict_str(dict, "url")?,
            dict_str(dict, "id")?,
        )
    } else if item.is_instance_of::<PyString>() || item.is_instance_of::<PyBytes>() {
        page(Some(item), None, None, None)
    } else {
        Err(PyTypeError::new_err(format!(
            "pages must be str, bytes or dict, not {}",
            type_name(item)
        )))
    }
}

fn threads_of(threads: Option<usize>) -> PyResult<usize> {
    match threads {
        Some(0) => Err(PyValueError::new_err("threads must be at least 1")),
        Some(n) => Ok(n),
        None => Ok(std::thread::available_parallelism().map_or(1, std::num::NonZero::get)),
    }
}

fn keep_of(keep: &str) -> PyResult<Keep> {
    match keep {
        "first" => Ok(Keep::First),
        "longest" => Ok(Keep::Longest),
        "all" => Ok(Keep::All),
        other => Err(PyValueError::new_err(format!(
            "invalid value '{other}' for keep [possible values: first, longest, all]"
        ))),
    }
}

fn group_by_of(group_by: &str) -> PyResult<GroupBy> {
    match group_by {
        "auto" => Ok(GroupBy::Auto),
        "host" => Ok(GroupBy::Host),
        "dir" => Ok(GroupBy::Dir),
        "none" => Ok(GroupBy::None),
        other => Err(PyValueError::new_err(format!(
            "invalid value '{other}' for group_by [possible values: auto, host, dir, none]"
        ))),
    }
}

/// The source of a run fed from Python: raw documents arrive through a channel.
struct Feed(Receiver<RawDoc>);

impl Source for Feed {
    type Item = Record;
    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        for raw in &self.0 {
            if !emit(Record::Raw(raw)) {
                break;
            }
        }
        Ok(())
    }
}

/// The sink of a run read from Python: each record's JSON line goes into a channel.
struct Results(Sender<Vec<u8>>);

impl Sink for Results {
    type Item = Record;
    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let line = json_line(&record).expect("a run ends in articles, rejects and duplicates");
        // A failed send means the iterator was dropped, and the run was cancelled with it.
        self.0
            .send(line)
            .map_err(|_| StageError::new(StageId::Export, "the results are no longer read"))
    }
    fn finish(&mut self) -> Result<(), StageError> {
        Ok(())
    }
}

/// A run on a thread of its own, fed by the calling thread.
struct Background<T> {
    /// Where pages go; `None` once the input ended.
    input: Option<Sender<RawDoc>>,
    thread: Option<JoinHandle<Result<T, newsclean_pipeline::Error>>>,
    cancel: Arc<AtomicBool>,
}

impl<T: Send + 'static> Background<T> {
    /// Starts `run` (given the source and the cancel flag) on a new thread; pages are taken
    /// from a channel with room for a runner's window of them.
    fn start<F>(threads: usize, run: F) -> Background<T>
    where
        F: FnOnce(Feed, &AtomicBool) -> Result<T, newsclean_pipeline::Error> + Send + 'static,
    {
        let (input, pages) = bounded(4 * threads + 16);
        let cancel = Arc::new(AtomicBool::new(false));
        let flag = Arc::clone(&cancel);
        let thread = std::thread::spawn(move || run(Feed(pages), &flag));
        Background {
            input: Some(input),
            thread: Some(thread),
            cancel,
        }
    }

    /// Waits for the run to end (with the GIL released) and returns its outcome.
    fn join(&mut self, py: Python<'_>) -> PyResult<T> {
        self.input = None;
        let thread = self
            .thread
            .take()
            .ok_or_else(|| NewscleanError::new_err("the run has already ended"))?;
        match py.detach(|| thread.join()) {
            Ok(Ok(value)) => Ok(value),
            Ok(Err(err)) => Err(error(&err)),
            Err(_) => Err(NewscleanError::new_err("internal error: the run panicked")),
        }
    }
}

impl<T> Drop for Background<T> {
    fn drop(&mut self) {
        // Stops the run (a dropped iterator, an exception while feeding); the runner's
        // threads never wait for Python, so joining cannot deadlock.
        self.cancel.store(true, Ordering::Relaxed);
        self.input = None;
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// Takes pages from a Python iterator, numbering them, as raw documents.
struct Pages {
    /// `None` once exhausted or failed.
    iter: Option<Py<PyIterator>>,
    next_seq: u64,
    /// The exception the iterator (or a bad page) raised: raised after the results of the
    /// pages before it.
    error: Option<PyErr>,
}

impl Pages {
    fn new(pages: &Bound<'_, PyAny>) -> PyResult<Pages> {
        Ok(Pages {
            iter: Some(PyIterator::from_object(pages)?.unbind()),
            next_seq: 0,
            error: None,
        })
    }

    /// The next page; `None` at the end of the input or at its first error.
    fn next(&mut self, py: Python<'_>) -> Option<RawDoc> {
        let mut iter = self.iter.as_ref()?.bind(py).clone();
        let page = match iter.next() {
            None => Ok(None),
            Some(Err(err)) => Err(err),
            Some(Ok(item)) => page_of(&item).map(Some),
        };
        match page {
            Ok(Some(page)) => {
                let raw = page.into_raw(self.next_seq, PAGE_PATH);
                self.next_seq += 1;
                Some(raw)
            }
            Ok(None) => {
                self.iter = None;
                None
            }
            Err(err) => {
                self.iter = None;
                self.error = Some(err);
                None
            }
        }
    }
}

/// Builds the settings of a cleaner.
fn engine(
    model: Option<&Bound<'_, PyAny>>,
    site_model: Option<&Bound<'_, PyAny>>,
    keep: &str,
    near_dup: bool,
    min_words: u32,
) -> PyResult<Engine> {
    // A path, or a list of paths: one line model file per view (text, HTML), each replacing
    // the built-in model of its view.
    let paths: Vec<PathBuf> = match model {
        None => Vec::new(),
        Some(value) if value.is_none() => Vec::new(),
        Some(value) => match value.extract::<PathBuf>() {
            Ok(path) => vec![path],
            Err(_) => value.extract::<Vec<PathBuf>>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "model must be a path or a list of paths, not {}",
                    type_name(value)
                ))
            })?,
        },
    };
    let line_models = newsclean_engine::load_line_models(&paths).map_err(|err| error(&err))?;
    let site = match site_model {
        None => None,
        Some(value) if value.is_none() => None,
        Some(value) => {
            let model = if let Ok(model) = value.cast::<PySiteModel>() {
                SiteModel::clone(&model.get().model)
            } else {
                let path: PathBuf = value.extract().map_err(|_| {
                    PyTypeError::new_err(format!(
                        "site_model must be a SiteModel or a path, not {}",
                        type_name(value)
                    ))
                })?;
                newsclean_engine::load_site_model(&path).map_err(|err| error(&err))?
            };
            Some(newsclean_engine::site_model_for_run(model))
        }
    };
    // `newsclean run`'s settings, with these arguments' changes.
    let mut engine = Engine::default();
    engine.dedupe.site = site;
    engine.segment.models = line_models;
    engine.segment.min_words = min_words;
    engine.dup.keep = keep_of(keep)?;
    engine.dup.near = near_dup;
    Ok(engine)
}

/// Cleans one page on the calling thread, with the GIL released.
fn clean_page(py: Python<'_>, engine: &Engine, page: Page) -> PyResult<Py<PyAny>> {
    let raw = page.into_raw(0, PAGE_PATH);
    let line = py
        .detach(|| engine.clean_one(raw).map(|record| json_line(&record)))
        .map_err(|err| error(&err))?
        .expect("a cleaned page is an article or a reject");
    to_dict(py, &line)
}

/// A reusable cleaner with the settings of `newsclean run`.
///
/// `model`: a line model file (or a list of them, one per view) instead of the built-in
/// classifier of its view: text input is scored by the text model, HTML input by the HTML
/// model. `site_model`: a
/// `SiteModel` or the path of one, as `run --model` (without it, `run --no-site-model`).
/// `keep`: which copy of a duplicated article `clean_many` keeps, "first", "longest" or
/// "all". `near_dup`: whether near copies count (else exact copies only). `min_words`: an
/// article with fewer words of text is a reject (`--min-words`, 5 by default; 0 keeps every
/// page).
#[pyclass(frozen, module = "newsclean")]
struct Cleaner {
    engine: Arc<Engine>,
}

#[pymethods]
impl Cleaner {
    #[new]
    #[pyo3(signature = (model=None, site_model=None, keep="first", near_dup=true, min_words=None))]
    fn new(
        model: Option<&Bound<'_, PyAny>>,
        site_model: Option<&Bound<'_, PyAny>>,
        keep: &str,
        near_dup: bool,
        min_words: Option<u32>,
    ) -> PyResult<Cleaner> {
        let min_words = min_words.unwrap_or(DEFAULT_MIN_WORDS);
        Ok(Cleaner {
            engine: Arc::new(engine(model, site_model, keep, near_dup, min_words)?),
        })
    }

    /// Cleans one page alone, with this cleaner's models; see the module's `clean`.
    #[pyo3(signature = (text=None, *, html=None, url=None, id=None))]
    fn clean(
        &self,
        py: Python<'_>,
        text: Option<&Bound<'_, PyAny>>,
        html: Option<&Bound<'_, PyAny>>,
        url: Option<String>,
        id: Option<String>,
    ) -> PyResult<Py<PyAny>> {
        clean_page(py, &self.engine, page(text, html, url, id)?)
    }

    /// Cleans pages (str, bytes, or dicts with "text" or "html", "id", "url") as one
    /// archive, as `newsclean run` does: one record per page, in input order, on `threads`
    /// threads (default: the CPUs), later copies of an article as duplicate records. An
    /// iterator that reads the pages as it goes.
    #[pyo3(signature = (pages, threads=None))]
    fn clean_many(&self, pages: &Bound<'_, PyAny>, threads: Option<usize>) -> PyResult<Cleaned> {
        let threads = threads_of(threads)?;
        let pages = Pages::new(pages)?;
        let (results_tx, results) = bounded(4 * threads + 16);
        let engine = Arc::clone(&self.engine);
        let run = Background::start(threads, move |feed, cancel| {
            let runner = Runner::new(threads, cancel, &NoopReporter);
            let mut sink = Results(results_tx);
            engine
                .run(&runner, feed, &mut sink, &StageClock::default())
                .map(|_| ())
        });
        Ok(Cleaned {
            pages,
            pending: None,
            results,
            run,
            is_done: false,
        })
    }

    fn __repr__(&self) -> String {
        let engine = &self.engine;
        let keep = match engine.dup.keep {
            Keep::First => "first",
            Keep::Longest => "longest",
            Keep::All => "all",
        };
        format!(
            "Cleaner(site_model={}, keep='{keep}', near_dup={}, min_words={})",
            if engine.dedupe.site.is_some() {
                "SiteModel(...)"
            } else {
                "None"
            },
            if engine.dup.near { "True" } else { "False" },
            engine.segment.min_words,
        )
    }
}

/// The results of `Cleaner.clean_many`, in input order, as they come.
#[pyclass(module = "newsclean")]
struct Cleaned {
    pages: Pages,
    /// A page taken from the iterator that the input channel had no room for yet.
    pending: Option<RawDoc>,
    results: Receiver<Vec<u8>>,
    run: Background<()>,
    is_done: bool,
}

impl Cleaned {
    /// Feeds pages until the input channel is full or the input ends.
    fn feed(&mut self, py: Python<'_>) {
        loop {
            let Some(input) = &self.run.input else {
                return;
            };
            let Some(raw) = self.pending.take().or_else(|| self.pages.next(py)) else {
                // The input ended (or failed): the run finishes what it has.
                self.run.input = None;
                return;
            };
            match input.try_send(raw) {
                Ok(()) => {}
                Err(TrySendError::Full(raw)) => {
                    self.pending = Some(raw);
                    return;
                }
                Err(TrySendError::Disconnected(_)) => {
                    self.run.input = None;
                    return;
                }
            }
        }
    }

    /// The run has written everything: its error, else the input's, else the end.
    fn finish(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        self.is_done = true;
        self.run.join(py)?;
        match self.pages.error.take() {
            Some(err) => Err(err),
            None => Ok(None),
        }
    }
}

#[pymethods]
impl Cleaned {
    fn __iter__(slf: PyRef<'_, Self>) -> PyRef<'_, Self> {
        slf
    }

    fn __next__(&mut self, py: Python<'_>) -> PyResult<Option<Py<PyAny>>> {
        if self.is_done {
            return Ok(None);
        }
        loop {
            self.feed(py);
            match self.results.try_recv() {
                Ok(line) => return to_dict(py, &line).map(Some),
                Err(TryRecvError::Disconnected) => return self.finish(py),
                Err(TryRecvError::Empty) => {}
            }
            // Wait, without the GIL, for a result or for room for the pending page.
            let results = &self.results;
            let input = self.run.input.as_ref().filter(|_| self.pending.is_some());
            py.detach(|| {
                let mut select = Select::new();
                select.recv(results);
                if let Some(input) = input {
                    select.send(input);
                }
                let _ = select.ready_timeout(SIGNAL_CHECK);
            });
            if let Err(err) = py.check_signals() {
                // Ctrl-C: the run stops now, not when the iterator is dropped.
                self.is_done = true;
                self.run.cancel.store(true, Ordering::Relaxed);
                self.run.input = None;
                return Err(err);
            }
        }
    }
}

/// A site template model: per site, in how many pages each line occurs (`newsclean learn`).
#[pyclass(frozen, module = "newsclean", name = "SiteModel")]
struct PySiteModel {
    model: Arc<SiteModel>,
}

impl PySiteModel {
    fn wrap(model: SiteModel) -> PySiteModel {
        PySiteModel {
            model: Arc::new(model),
        }
    }
}

#[pymethods]
impl PySiteModel {
    /// Reads a model written by `save` or `newsclean learn`.
    #[staticmethod]
    #[expect(
        clippy::needless_pass_by_value,
        reason = "pyo3 extracts paths as PathBuf"
    )]
    fn load(py: Python<'_>, path: PathBuf) -> PyResult<PySiteModel> {
        py.detach(|| newsclean_engine::load_site_model(&path))
            .map(PySiteModel::wrap)
            .map_err(|err| error(&err))
    }

    /// Writes the model as `newsclean learn` does.
    #[expect(
        clippy::needless_pass_by_value,
        reason = "pyo3 extracts paths as PathBuf"
    )]
    fn save(&self, py: Python<'_>, path: PathBuf) -> PyResult<()> {
        py.detach(|| newsclean_engine::save_site_model(&self.model, &path))
            .map_err(|err| error(&err))
    }

    /// The sum of this model and `others`, as `newsclean learn --merge`.
    #[pyo3(signature = (*others))]
    fn merge(&self, py: Python<'_>, others: &Bound<'_, PyTuple>) -> PyResult<PySiteModel> {
        let mut models = vec![SiteModel::clone(&self.model)];
        for other in others {
            let other = other.cast::<PySiteModel>().map_err(|_| {
                PyTypeError::new_err(format!("merge takes SiteModels, not {}", type_name(&other)))
            })?;
            models.push(SiteModel::clone(&other.get().model));
        }
        py.detach(|| newsclean_engine::merge_site_models(models))
            .map(PySiteModel::wrap)
            .map_err(|err| error(&err))
    }

    /// The model as the bytes of its file.
    fn to_bytes(&self, py: Python<'_>) -> PyResult<Py<PyBytes>> {
        let mut bytes = Vec::new();
        self.model.save(&mut bytes).map_err(|err| error(&err))?;
        Ok(PyBytes::new(py, &bytes).unbind())
    }

    /// A model from the bytes of its file.
    #[staticmethod]
    fn from_bytes(data: &[u8]) -> PyResult<PySiteModel> {
        SiteModel::load(data)
            .map(PySiteModel::wrap)
            .map_err(|err| error(&err))
    }

    /// How pages were grouped into sites: auto, host, dir or none.
    #[getter]
    fn group_by(&self) -> &'static str {
        self.model.group_by.name()
    }

    /// Pages counted.
    #[getter]
    fn n_docs(&self) -> u64 {
        self.model.n_docs()
    }

    /// Sites (groups of pages).
    #[getter]
    fn n_sites(&self) -> usize {
        self.model.groups().count()
    }

    fn __reduce__(slf: &Bound<'_, Self>) -> PyResult<(Py<PyAny>, (Py<PyBytes>,))> {
        let py = slf.py();
        let from_bytes = slf.get_type().getattr("from_bytes")?.unbind();
        Ok((from_bytes, (slf.get().to_bytes(py)?,)))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> bool {
        other
            .cast::<PySiteModel>()
            .is_ok_and(|other| *other.get().model == *self.model)
    }

    fn __repr__(&self) -> String {
        format!(
            "SiteModel(group_by='{}', n_docs={}, n_sites={})",
            self.group_by(),
            self.n_docs(),
            self.n_sites()
        )
    }
}

/// The cleaner behind the module's `clean`: no site model, and no index (one page has no
/// copies), as `newsclean run --no-site-model --keep all`.
fn default_engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| Engine {
        dup: DupConfig {
            keep: Keep::All,
            ..DupConfig::default()
        },
        ..Engine::default()
    })
}

/// Cleans one page: the record `newsclean run --format jsonl --no-site-model --keep all`
/// writes for it, as a dict (an article, or a reject with its reason).
///
/// Give the page as text (plain text) or html; bytes are decoded as a file's are, str is
/// UTF-8. url: the page's URL. id: the article id (default "0"). The GIL is released while
/// the page is cleaned.
#[pyfunction]
#[pyo3(signature = (text=None, *, html=None, url=None, id=None))]
fn clean(
    py: Python<'_>,
    text: Option<&Bound<'_, PyAny>>,
    html: Option<&Bound<'_, PyAny>>,
    url: Option<String>,
    id: Option<String>,
) -> PyResult<Py<PyAny>> {
    clean_page(py, default_engine(), page(text, html, url, id)?)
}

/// Pass 1 of `newsclean run`: the site template model of `pages` (str, bytes or page
/// dicts), as `newsclean learn` writes it. `group_by`: auto, host, dir or none.
#[pyfunction]
#[pyo3(signature = (pages, *, group_by="auto", threads=None))]
fn learn(
    py: Python<'_>,
    pages: &Bound<'_, PyAny>,
    group_by: &str,
    threads: Option<usize>,
) -> PyResult<PySiteModel> {
    let group_by = group_by_of(group_by)?;
    let threads = threads_of(threads)?;
    let mut pages = Pages::new(pages)?;
    let mut run = Background::start(threads, move |feed, cancel| {
        let runner = Runner::new(threads, cancel, &NoopReporter);
        newsclean_engine::learn(&runner, feed, group_by)
    });
    while let Some(mut raw) = pages.next(py) {
        let Some(input) = &run.input else { break };
        loop {
            match input.try_send(raw) {
                Ok(()) => break,
                Err(TrySendError::Full(back)) => {
                    raw = back;
                    py.detach(|| {
                        let mut select = Select::new();
                        select.send(input);
                        let _ = select.ready_timeout(SIGNAL_CHECK);
                    });
                    py.check_signals()?;
                }
                Err(TrySendError::Disconnected(_)) => {
                    // The run stopped; `join` says why.
                    run.input = None;
                    break;
                }
            }
        }
        if run.input.is_none() {
            break;
        }
    }
    if let Some(err) = pages.error.take() {
        return Err(err);
    }
    run.join(py).map(PySiteModel::wrap)
}

/// True when `text` starts like an HTML page, as `newsclean run` decides for JSONL lines,
/// standard input and files whose name does not tell.
#[pyfunction]
fn looks_like_html(text: &Bound<'_, PyAny>) -> PyResult<bool> {
    Ok(newsclean_ingest::looks_like_html(&page_bytes(
        text, "text",
    )?))
}

#[pymodule]
fn _newsclean(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    m.add("NewscleanError", m.py().get_type::<NewscleanError>())?;
    m.add_class::<Cleaner>()?;
    m.add_class::<Cleaned>()?;
    m.add_class::<PySiteModel>()?;
    m.add_function(wrap_pyfunction!(clean, m)?)?;
    m.add_function(wrap_pyfunction!(learn, m)?)?;
    m.add_function(wrap_pyfunction!(looks_like_html, m)?)?;
    Ok(())
}
