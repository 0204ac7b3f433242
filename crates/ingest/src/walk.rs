//! Walking the inputs in a stable order.

use std::io::Read;
use std::path::{Component, Path, PathBuf};

use globset::{Glob, GlobSet, GlobSetBuilder};
use newsclean_core::{DocSource, RawDoc, Record, Reject, Reporter, Source, StageError};
use walkdir::WalkDir;

use crate::{Error, IngestConfig};

/// The source of a run: walks files, directories and `-` (standard input) and emits one
/// [`Record::Raw`] per file, or a [`Record::Reject`] for a file that cannot be read.
///
/// Directories are walked sorted by file name, so the order of documents, and with it every
/// `seq`, is the same on every run and machine.
pub struct InputSource<'a> {
    inputs: Vec<PathBuf>,
    include: Option<GlobSet>,
    exclude: GlobSet,
    max_doc_bytes: u64,
    reporter: &'a dyn Reporter,
    seq: u64,
}

fn glob_set(patterns: &[String]) -> Result<GlobSet, Error> {
    let mut builder = GlobSetBuilder::new();
    for pattern in patterns {
        let glob = Glob::new(pattern).map_err(|source| Error::Glob {
            pattern: pattern.clone(),
            source,
        })?;
        builder.add(glob);
    }
    builder.build().map_err(|source| Error::Glob {
        pattern: patterns.join(" "),
        source,
    })
}

impl<'a> InputSource<'a> {
    /// A source over `inputs` (files, directories, or `-` for standard input).
    pub fn new(
        inputs: &[PathBuf],
        config: &IngestConfig,
        reporter: &'a dyn Reporter,
    ) -> Result<InputSource<'a>, Error> {
        let include = if config.include.is_empty() {
            None
        } else {
            Some(glob_set(&config.include)?)
        };
        Ok(InputSource {
            inputs: inputs.to_vec(),
            include,
            exclude: glob_set(&config.exclude)?,
            max_doc_bytes: config.max_doc_bytes,
            reporter,
            seq: 0,
        })
    }

    fn is_selected(&self, rel: &Path) -> bool {
        let is_included = self.include.as_ref().is_none_or(|set| set.is_match(rel));
        is_included && !self.exclude.is_match(rel)
    }

    fn next_seq(&mut self) -> u64 {
        let seq = self.seq;
        self.seq += 1;
        seq
    }

    fn reject(&mut self, id: String, path: &Path, reason: String) -> Record {
        let seq = self.next_seq();
        Record::Reject(Reject {
            seq,
            id,
            source: source_of(path),
            reason,
        })
    }

    /// Reads one file into a record.
    fn read_file(&mut self, path: &Path, rel: &Path) -> Record {
        let id = doc_id(rel);
        let n_bytes = match std::fs::metadata(path) {
            Ok(meta) => meta.len(),
            Err(err) => return self.reject(id, path, format!("cannot read file: {err}")),
        };
        self.reporter.on_found(n_bytes);
        if n_bytes > self.max_doc_bytes {
            let reason = format!(
                "file is {n_bytes} bytes, over the limit of {} (--max-doc-bytes)",
                self.max_doc_bytes
            );
            return self.reject(id, path, reason);
        }
        // Read at most one byte past the limit: the file may have grown since `metadata`.
        let mut bytes = Vec::with_capacity(n_bytes as usize);
        let read = std::fs::File::open(path)
            .and_then(|file| file.take(self.max_doc_bytes + 1).read_to_end(&mut bytes));
        if let Err(err) = read {
            return self.reject(id, path, format!("cannot read file: {err}"));
        }
        if bytes.len() as u64 > self.max_doc_bytes {
            return self.reject(
                id,
                path,
                format!(
                    "file is over the limit of {} bytes (--max-doc-bytes)",
                    self.max_doc_bytes
                ),
            );
        }
        let seq = self.next_seq();
        Record::Raw(RawDoc {
            seq,
            id,
            source: source_of(path),
            bytes,
        })
    }

    fn read_stdin(&mut self) -> Record {
        let path = Path::new("-");
        let mut bytes = Vec::new();
        let read = std::io::stdin()
            .lock()
            .take(self.max_doc_bytes + 1)
            .read_to_end(&mut bytes);
        if let Err(err) = read {
            return self.reject(
                "stdin".into(),
                path,
                format!("cannot read standard input: {err}"),
            );
        }
        self.reporter.on_found(bytes.len() as u64);
        if bytes.len() as u64 > self.max_doc_bytes {
            let reason = format!(
                "standard input is over the limit of {} bytes (--max-doc-bytes)",
                self.max_doc_bytes
            );
            return self.reject("stdin".into(), path, reason);
        }
        let seq = self.next_seq();
        Record::Raw(RawDoc {
            seq,
            id: "stdin".into(),
            source: source_of(path),
            bytes,
        })
    }

    /// Walks one input, emitting its records; returns `false` when the run should stop.
    fn walk(&mut self, input: &Path, emit: &mut dyn FnMut(Record) -> bool) -> bool {
        if input == Path::new("-") {
            let record = self.read_stdin();
            return emit(record);
        }
        let walker = WalkDir::new(input).follow_links(true).sort_by_file_name();
        for entry in walker {
            let record = match entry {
                Ok(entry) if entry.file_type().is_dir() => continue,
                Ok(entry) => {
                    let rel = relative(input, entry.path());
                    if !self.is_selected(&rel) {
                        continue;
                    }
                    self.read_file(entry.path(), &rel)
                }
                Err(err) => {
                    let path = err.path().unwrap_or(input).to_path_buf();
                    let rel = relative(input, &path);
                    if !self.is_selected(&rel) {
                        continue;
                    }
                    let reason = match err.loop_ancestor() {
                        Some(ancestor) => format!("symlink loop back to {}", ancestor.display()),
                        None => format!(
                            "cannot read: {}",
                            err.io_error()
                                .map_or_else(|| err.to_string(), ToString::to_string)
                        ),
                    };
                    self.reject(doc_id(&rel), &path, reason)
                }
            };
            if !emit(record) {
                return false;
            }
        }
        true
    }
}

impl Source for InputSource<'_> {
    type Item = Record;
    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        let inputs = std::mem::take(&mut self.inputs);
        for input in &inputs {
            if !self.walk(input, emit) {
                break;
            }
        }
        self.reporter.on_found_all();
        Ok(())
    }
}

fn source_of(path: &Path) -> DocSource {
    DocSource {
        path: path.to_string_lossy().into_owned(),
        ..DocSource::default()
    }
}

/// The path of `path` under the input `root`; for a file input, its file name.
fn relative(root: &Path, path: &Path) -> PathBuf {
    match path.strip_prefix(root) {
        Ok(rel) if !rel.as_os_str().is_empty() => rel.to_path_buf(),
        _ => path
            .file_name()
            .map_or_else(|| PathBuf::from("input"), PathBuf::from),
    }
}

/// The stable id of a document: its path relative to the input root with `/` separators and
/// without the extension of the file name (`a/b.txt` → `a/b`). Only normal path components
/// survive, so an id never climbs out of an output directory.
pub fn doc_id(rel: &Path) -> String {
    let parts: Vec<String> = rel
        .components()
        .filter_map(|c| match c {
            Component::Normal(part) => Some(part.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    let Some((last, dirs)) = parts.split_last() else {
        return "input".into();
    };
    let stem = match last.rfind('.') {
        Some(dot) if dot > 0 => &last[..dot],
        _ => last.as_str(),
    };
    let mut id = dirs.join("/");
    if !id.is_empty() {
        id.push('/');
    }
    id.push_str(stem);
    id
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use newsclean_core::NoopReporter;

    use super::*;

    #[test]
    fn ids() {
        assert_eq!(doc_id(Path::new("a/b.txt")), "a/b");
        assert_eq!(doc_id(Path::new("x.tar.gz")), "x.tar");
        assert_eq!(doc_id(Path::new("README")), "README");
        assert_eq!(doc_id(Path::new(".hidden")), ".hidden");
        assert_eq!(doc_id(Path::new("../../etc/passwd")), "etc/passwd");
        assert_eq!(doc_id(Path::new("/abs/x.txt")), "abs/x");
    }

    fn walk(root: &Path, config: &IngestConfig) -> Vec<(String, String)> {
        let mut source = InputSource::new(&[root.to_path_buf()], config, &NoopReporter).unwrap();
        let mut out = Vec::new();
        let stop = AtomicBool::new(false);
        source
            .run(&mut |r| {
                let what = match &r {
                    Record::Raw(raw) => String::from_utf8_lossy(&raw.bytes).into_owned(),
                    Record::Reject(rej) => format!("reject: {}", rej.reason),
                    other => other.kind_name().to_owned(),
                };
                out.push((r.id().to_owned(), what));
                !stop.load(std::sync::atomic::Ordering::Relaxed)
            })
            .unwrap();
        out
    }

    #[test]
    fn walks_sorted_with_globs_and_size_limit() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("b/c")).unwrap();
        std::fs::write(root.join("b/c/z.txt"), "z").unwrap();
        std::fs::write(root.join("a.txt"), "a").unwrap();
        std::fs::write(root.join("a.truth.txt"), "truth").unwrap();
        std::fs::write(root.join("big.txt"), "0123456789").unwrap();
        let config = IngestConfig {
            exclude: vec!["*.truth.txt".into()],
            max_doc_bytes: 5,
            ..IngestConfig::default()
        };
        let got = walk(root, &config);
        assert_eq!(
            got,
            vec![
                ("a".into(), "a".into()),
                ("b/c/z".into(), "z".into()),
                (
                    "big".into(),
                    "reject: file is 10 bytes, over the limit of 5 (--max-doc-bytes)".into()
                ),
            ]
        );
        let only_b = IngestConfig {
            include: vec!["b/**".into()],
            ..IngestConfig::default()
        };
        assert_eq!(walk(root, &only_b), vec![("b/c/z".into(), "z".into())]);
    }

    #[cfg(unix)]
    #[test]
    fn symlink_loops_and_broken_links_are_rejects() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("d")).unwrap();
        std::os::unix::fs::symlink(root, root.join("d/loop")).unwrap();
        std::os::unix::fs::symlink(root.join("missing"), root.join("broken.txt")).unwrap();
        let got = walk(root, &IngestConfig::default());
        assert_eq!(got.len(), 2, "{got:?}");
        assert!(
            got[0].0 == "broken" && got[0].1.starts_with("reject: cannot read"),
            "{got:?}"
        );
        assert!(
            got[1].0 == "d/loop" && got[1].1.starts_with("reject: symlink loop"),
            "{got:?}"
        );
    }
}
