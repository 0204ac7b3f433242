//! The run's own files, which it never reads as input, even when they lie inside an input
//! directory: its outputs, every file named after one (`<name>.<anything>`: temporary,
//! partial and checkpoint files), everything inside an output directory, and numbered shards.
//! See: issue 13 (item 2).
//!
//! Names are compared first (cheap, and almost never equal); only a file whose name matches
//! has its directory resolved and compared, so that a path through a symlink is recognised.

use std::path::{Path, PathBuf};

/// A set of paths the walk skips (see the module docs).
#[derive(Debug, Clone, Default)]
pub struct OwnFiles {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone)]
struct Rule {
    /// The directory the files are in, absolute.
    dir: PathBuf,
    /// The name, or the part of a numbered name before the number.
    prefix: String,
    /// For numbered names: the part after the number.
    suffix: Option<String>,
}

impl Rule {
    fn matches_name(&self, name: &str) -> bool {
        let Some(rest) = name.strip_prefix(self.prefix.as_str()) else {
            return false;
        };
        let rest = match &self.suffix {
            None => rest,
            Some(suffix) => {
                let n_digits = rest.bytes().take_while(u8::is_ascii_digit).count();
                match rest[n_digits..].strip_prefix(suffix.as_str()) {
                    Some(after) if n_digits > 0 => after,
                    _ => return false,
                }
            }
        };
        rest.is_empty() || rest.starts_with('.')
    }
}

fn absolute(path: &Path) -> PathBuf {
    std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf())
}

fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// The same directory, compared as the file system resolves it when both exist.
fn same_dir(a: &Path, b: &Path) -> bool {
    match (std::fs::canonicalize(a), std::fs::canonicalize(b)) {
        (Ok(a), Ok(b)) => a == b,
        _ => absolute(a) == absolute(b),
    }
}

impl OwnFiles {
    /// Adds `path` (a file or directory), every file named after it (`<name>.<anything>`)
    /// and, for a directory, everything in it.
    pub fn add(&mut self, path: &Path) {
        let Some(name) = path.file_name() else {
            return;
        };
        self.rules.push(Rule {
            dir: absolute(parent_of(path)),
            prefix: name.to_string_lossy().into_owned(),
            suffix: None,
        });
    }

    /// Adds the numbered files whose first one is `first`, where `number` is the number in
    /// its name (`out-00000.jsonl` with `00000`): every `out-<digits>.jsonl`, and every file
    /// named after one.
    pub fn add_numbered(&mut self, first: &Path, number: &str) {
        let Some(name) = first.file_name() else {
            return;
        };
        let name = name.to_string_lossy();
        let Some((prefix, suffix)) = name.rsplit_once(number) else {
            self.add(first);
            return;
        };
        self.rules.push(Rule {
            dir: absolute(parent_of(first)),
            prefix: prefix.to_owned(),
            suffix: Some(suffix.to_owned()),
        });
    }

    /// True for a path the run must not read.
    pub fn contains(&self, path: &Path) -> bool {
        let Some(name) = path.file_name() else {
            return false;
        };
        let name = name.to_string_lossy();
        self.rules
            .iter()
            .any(|rule| rule.matches_name(&name) && same_dir(parent_of(path), &rule.dir))
    }

    /// True when nothing is excluded.
    pub fn is_empty(&self) -> bool {
        self.rules.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_after_an_output_and_numbered_shards() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir(d.join("sub")).unwrap();
        let mut own = OwnFiles::default();
        own.add(&d.join("out.jsonl"));
        own.add_numbered(&d.join("part-00000.csv.gz"), "00000");
        for name in [
            "out.jsonl",
            "out.jsonl.tmp-123",
            "out.jsonl.partial",
            "out.jsonl.checkpoint",
            "part-00000.csv.gz",
            "part-123456.csv.gz.tmp-9",
        ] {
            assert!(own.contains(&d.join(name)), "{name}");
        }
        for name in [
            "out.jsonl2",
            "out.json",
            "sub/out.jsonl",
            "part-.csv.gz",
            "part-0001.csv",
            "part-12x.csv.gz",
        ] {
            assert!(!own.contains(&d.join(name)), "{name}");
        }
        // The same directory by another path.
        assert!(own.contains(&d.join("sub/../out.jsonl.tmp-1")));
    }
}
