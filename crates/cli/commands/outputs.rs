//! Every path a command writes, resolved and checked before any work: the one place that
//! decides whether an output may be written at all. See: issue 13 (items 1 and 2), issue 12
//! (item 9).
//!
//! An output is refused when it is an input (or the site or line model the run reads), when
//! two outputs are the same file, when a file output is inside the directory of a tree
//! output (which is replaced as a whole), when it exists and is not what it would be replaced
//! with (a FIFO, a device, a directory for a file), or when its directory is missing or not
//! writable. Outputs are compared as the files they name: through symlinks, and on Unix by
//! device and inode, so a hard link to an input is the input.

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use newsclean_ingest::OwnFiles;

/// What is written at an output path.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// A file, written under a temporary name and renamed into place.
    File,
    /// A directory tree (text, markdown), built under a temporary name and renamed into place.
    Dir,
}

/// One output of a command: the option that names it, its path and what it is.
#[derive(Debug, Clone)]
pub struct Output {
    pub flag: &'static str,
    pub path: PathBuf,
    pub kind: Kind,
}

impl Output {
    pub fn file(flag: &'static str, path: &Path) -> Output {
        Output {
            flag,
            path: path.to_path_buf(),
            kind: Kind::File,
        }
    }
}

/// The identity of a path for comparisons: the canonical path (of the file when it exists,
/// else of its directory, joined with its name) and, on Unix, the file's device and inode.
#[derive(Debug, Clone)]
struct Resolved {
    canonical: PathBuf,
    inode: Option<(u64, u64)>,
}

impl Resolved {
    fn is_same(&self, other: &Resolved) -> bool {
        self.canonical == other.canonical || self.inode.is_some() && self.inode == other.inode
    }
}

#[cfg(unix)]
#[expect(
    clippy::unnecessary_wraps,
    reason = "the same signature as on systems without inodes"
)]
fn inode(meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    use std::os::unix::fs::MetadataExt as _;
    Some((meta.dev(), meta.ino()))
}

#[cfg(not(unix))]
fn inode(_meta: &std::fs::Metadata) -> Option<(u64, u64)> {
    None
}

/// Resolves a path: the file itself when it exists, else its nearest existing ancestor
/// joined with the missing names; `None` when nothing of it can be resolved.
fn resolve(path: &Path) -> Option<Resolved> {
    if let Ok(canonical) = std::fs::canonicalize(path) {
        let inode = std::fs::metadata(&canonical).ok().as_ref().and_then(inode);
        return Some(Resolved { canonical, inode });
    }
    let mut missing = vec![path.file_name()?.to_os_string()];
    let mut at = parent_of(path).to_path_buf();
    loop {
        if let Ok(canonical) = std::fs::canonicalize(&at) {
            let canonical = missing.iter().rev().fold(canonical, |p, n| p.join(n));
            return Some(Resolved {
                canonical,
                inode: None,
            });
        }
        missing.push(at.file_name()?.to_os_string());
        at = parent_of(&at).to_path_buf();
    }
}

/// The directory of a path (`.` for a bare name).
fn parent_of(path: &Path) -> &Path {
    match path.parent() {
        Some(parent) if !parent.as_os_str().is_empty() => parent,
        _ => Path::new("."),
    }
}

/// `-` stands for standard output.
fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// Checks every output of a command against its inputs, each other and the file system,
/// before any work (see the module docs). `inputs` are the paths the command reads (`-`
/// is skipped).
pub fn check(inputs: &[&Path], outputs: &[Output]) -> anyhow::Result<()> {
    let inputs: Vec<(&Path, Resolved)> = inputs
        .iter()
        .filter(|p| !is_stdout(p))
        .filter_map(|p| resolve(p).map(|r| (*p, r)))
        .collect();
    let mut seen: Vec<(&Output, Resolved)> = Vec::new();
    for output in outputs {
        if is_stdout(&output.path) {
            continue;
        }
        let resolved = resolve(&output.path)
            .with_context(|| format!("cannot resolve {} {}", output.flag, output.path.display()))?;
        for (input, r) in &inputs {
            if resolved.is_same(r) {
                anyhow::bail!(
                    "{} {} is an input of this run ({}); newsclean never writes over its inputs",
                    output.flag,
                    output.path.display(),
                    input.display()
                );
            }
            if output.kind == Kind::Dir && r.canonical.starts_with(&resolved.canonical) {
                anyhow::bail!(
                    "{} {} holds the input {}; a tree output replaces its whole directory",
                    output.flag,
                    output.path.display(),
                    input.display()
                );
            }
        }
        for (other, r) in &seen {
            if resolved.is_same(r) {
                anyhow::bail!(
                    "{} and {} name the same file ({}); give each output its own path",
                    other.flag,
                    output.flag,
                    output.path.display()
                );
            }
            let pairs = [
                (*other, r, output, &resolved),
                (output, &resolved, *other, r),
            ];
            for (dir, dir_at, inner, inner_at) in pairs {
                if dir.kind == Kind::Dir && inner_at.canonical.starts_with(&dir_at.canonical) {
                    anyhow::bail!(
                        "{} {} is inside the directory of {} {}, which is replaced as a whole; put it elsewhere",
                        inner.flag,
                        inner.path.display(),
                        dir.flag,
                        dir.path.display()
                    );
                }
            }
        }
        seen.push((output, resolved));
    }
    for (output, _) in &seen {
        check_one(output)?;
    }
    Ok(())
}

/// [`check`] for a step that reads one shard of the inputs (`--shard I/N`), which also
/// refuses an output inside an input directory: every shard must find the same files in the
/// same order (a file's number in the walk decides its shard and its documents' order keys),
/// and a shard skips only its own outputs, so it would read the others'. See: issue 11.
pub fn check_shard(inputs: &[&Path], outputs: &[Output]) -> anyhow::Result<()> {
    let dirs: Vec<(&Path, PathBuf)> = inputs
        .iter()
        .filter(|p| !is_stdout(p) && p.is_dir())
        .filter_map(|p| std::fs::canonicalize(p).ok().map(|c| (*p, c)))
        .collect();
    for output in outputs.iter().filter(|o| !is_stdout(&o.path)) {
        let Some(resolved) = resolve(&output.path) else {
            continue;
        };
        if let Some((dir, _)) = dirs
            .iter()
            .find(|(_, canonical)| resolved.canonical.starts_with(canonical))
        {
            anyhow::bail!(
                "{} {} is inside the input directory {}; the shards of a run must all find the same files, so write their outputs elsewhere",
                output.flag,
                output.path.display(),
                dir.display()
            );
        }
    }
    check(inputs, outputs)
}

/// Checks one output against the file system.
fn check_one(output: &Output) -> anyhow::Result<()> {
    let path = &output.path;
    let shown = path.display();
    match std::fs::metadata(path) {
        Ok(meta) => match output.kind {
            Kind::File if !meta.is_file() => anyhow::bail!(
                "{} {shown} exists and is not a regular file (a directory, FIFO, socket or device); \
                 outputs are written under a temporary name and renamed over it, so give a file path",
                output.flag
            ),
            Kind::Dir if !meta.is_dir() => anyhow::bail!(
                "{} {shown} exists and is not a directory; the text and markdown formats write a directory",
                output.flag
            ),
            _ => {}
        },
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => {
            if std::fs::symlink_metadata(path).is_ok() {
                anyhow::bail!("{} {shown} is a broken symlink", output.flag);
            }
        }
        Err(err) => {
            return Err(err).with_context(|| format!("cannot use {} {shown}", output.flag));
        }
    }
    if output.kind == Kind::File {
        let dir = parent_of(path);
        if !dir.is_dir() {
            anyhow::bail!(
                "{} {shown}: the directory {} does not exist",
                output.flag,
                dir.display()
            );
        }
        probe_writable(path).with_context(|| format!("cannot write {} {shown}", output.flag))?;
    }
    Ok(())
}

/// Removes the temporary files that dead runs left for these outputs (see
/// [`newsclean_export::atomic::remove_stale`]); returns how many.
pub fn remove_stale(outputs: &[Output], own: &OwnFiles) -> anyhow::Result<usize> {
    let mut dirs: Vec<PathBuf> = outputs
        .iter()
        .filter(|o| !is_stdout(&o.path))
        .map(|o| parent_of(&o.path).to_path_buf())
        .collect();
    dirs.sort();
    dirs.dedup();
    let mut n_removed = 0;
    for dir in dirs {
        n_removed += newsclean_export::atomic::remove_stale(&dir, &|p| own.contains(p))?.len();
    }
    Ok(n_removed)
}

/// Creates and removes the temporary file the output would be written to, so that an
/// unwritable directory fails now, not after the whole run.
fn probe_writable(path: &Path) -> std::io::Result<()> {
    let mut name = path.file_name().unwrap_or_default().to_os_string();
    name.push(format!(".tmp-{}", std::process::id()));
    let probe = path.with_file_name(name);
    std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check_in(dir: &Path, inputs: &[&str], outputs: &[(&'static str, &str, Kind)]) -> String {
        let inputs: Vec<PathBuf> = inputs.iter().map(|p| dir.join(p)).collect();
        let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
        let outputs: Vec<Output> = outputs
            .iter()
            .map(|(flag, path, kind)| Output {
                flag,
                path: if *path == "-" {
                    PathBuf::from("-")
                } else {
                    dir.join(path)
                },
                kind: *kind,
            })
            .collect();
        match check(&inputs, &outputs) {
            Ok(()) => "ok".into(),
            Err(err) => format!("{err:#}").replace(&dir.display().to_string(), "D"),
        }
    }

    #[test]
    fn clashes_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("f.txt"), "x").unwrap();
        std::fs::create_dir(d.join("in")).unwrap();
        let file = Kind::File;
        assert_eq!(check_in(d, &["f.txt"], &[("-o", "o.jsonl", file)]), "ok");
        assert_eq!(
            check_in(d, &["f.txt"], &[("-o", "f.txt", file)]),
            "-o D/f.txt is an input of this run (D/f.txt); newsclean never writes over its inputs"
        );
        assert_eq!(
            check_in(d, &["in"], &[("-o", "x", file), ("--rejects", "x", file)]),
            "-o and --rejects name the same file (D/x); give each output its own path"
        );
        assert_eq!(
            check_in(d, &["in"], &[("-o", "in", Kind::Dir)]),
            "-o D/in is an input of this run (D/in); newsclean never writes over its inputs"
        );
        assert!(
            check_in(
                d,
                &["in"],
                &[("-o", "out", Kind::Dir), ("--report", "out/r.json", file)]
            )
            .contains("inside the directory of -o")
        );
        assert!(check_in(d, &["f.txt"], &[("-o", "in", file)]).contains("not a regular file"));
        assert!(check_in(d, &["in"], &[("-o", "f.txt", Kind::Dir)]).contains("not a directory"));
        assert!(
            check_in(d, &["f.txt"], &[("--report", "nope/r.json", file)])
                .contains("the directory D/nope does not exist")
        );
        assert_eq!(check_in(d, &["-"], &[("-o", "-", file)]), "ok");
    }

    #[test]
    fn a_shard_writes_outside_its_inputs() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::create_dir_all(d.join("in/sub")).unwrap();
        let check_shard_in = |output: &str| {
            let inputs = [d.join("in")];
            let inputs: Vec<&Path> = inputs.iter().map(PathBuf::as_path).collect();
            match check_shard(&inputs, &[Output::file("-o", &d.join(output))]) {
                Ok(()) => "ok".to_owned(),
                Err(err) => format!("{err:#}").replace(&d.display().to_string(), "D"),
            }
        };
        assert_eq!(check_shard_in("0.keyed"), "ok");
        assert_eq!(
            check_shard_in("in/sub/0.keyed"),
            "-o D/in/sub/0.keyed is inside the input directory D/in; the shards of a run must all find the same files, so write their outputs elsewhere"
        );
    }

    #[cfg(unix)]
    #[test]
    fn links_to_an_input_are_the_input() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        std::fs::write(d.join("f.txt"), "x").unwrap();
        std::os::unix::fs::symlink(d.join("f.txt"), d.join("soft")).unwrap();
        std::fs::hard_link(d.join("f.txt"), d.join("hard")).unwrap();
        for link in ["soft", "hard"] {
            assert!(
                check_in(d, &["f.txt"], &[("--rejects", link, Kind::File)]).contains("is an input"),
                "{link}"
            );
        }
    }
}
