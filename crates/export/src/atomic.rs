//! Files that appear under their name only when complete.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// What follows an output's name in its temporary names, before the process id.
pub const TEMP_MARK: &str = ".tmp-";

/// A file written under a temporary name beside its final path and renamed into place by
/// [`AtomicFile::commit`]. Errors name the final path, the one the user gave. Dropped without a commit, the temporary file is removed, except
/// for a resumable file (`<name>.partial`, see [`AtomicFile::create_partial`]), which a
/// resumed run goes on writing.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
    len: u64,
    is_kept: bool,
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl AtomicFile {
    /// The temporary name of `path` in this process: `<name>.tmp-<pid>`.
    pub fn temp_path(path: &Path) -> PathBuf {
        let mut name = path
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(format!("{TEMP_MARK}{}", std::process::id()));
        path.with_file_name(name)
    }

    /// Creates the temporary file for `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let tmp = AtomicFile::temp_path(path);
        let file = File::create(&tmp).map_err(write_error(path))?;
        Ok(AtomicFile::wrap(path, tmp, file, 0, false))
    }

    fn wrap(path: &Path, tmp: PathBuf, file: File, len: u64, is_kept: bool) -> AtomicFile {
        AtomicFile {
            path: path.to_path_buf(),
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
            len,
            is_kept,
        }
    }

    /// The temporary name of a resumable file: `<name>.partial`.
    pub fn partial_path(path: &Path) -> PathBuf {
        let mut name = path
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(".partial");
        path.with_file_name(name)
    }

    /// Creates (or empties) the resumable temporary file `<name>.partial` for `path`. It has
    /// the same name in every run and is kept when the run stops before committing it.
    pub fn create_partial(path: &Path) -> Result<AtomicFile, Error> {
        let tmp = AtomicFile::partial_path(path);
        let file = File::create(&tmp).map_err(write_error(path))?;
        Ok(AtomicFile::wrap(path, tmp, file, 0, true))
    }

    /// Reopens the resumable temporary file of `path`, cut back to its first `len` bytes
    /// (what the last checkpoint vouched for); `Ok(None)` when it is missing or shorter.
    pub fn resume_partial(path: &Path, len: u64) -> Result<Option<AtomicFile>, Error> {
        let tmp = AtomicFile::partial_path(path);
        let mut file = match OpenOptions::new().write(true).open(&tmp) {
            Ok(file) => file,
            Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(write_error(path)(err)),
        };
        if file.metadata().map_err(write_error(path))?.len() < len {
            return Ok(None);
        }
        file.set_len(len).map_err(write_error(path))?;
        file.seek(SeekFrom::Start(len)).map_err(write_error(path))?;
        Ok(Some(AtomicFile::wrap(path, tmp, file, len, true)))
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Bytes written so far.
    pub fn len(&self) -> u64 {
        self.len
    }

    /// True when nothing was written.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// Flushes the file and syncs its data to disk; returns its length.
    pub fn sync(&mut self) -> Result<u64, Error> {
        self.flush().map_err(write_error(&self.path))?;
        self.sync_flushed()
    }

    /// Syncs the data of a flushed file to disk (for writers that own the file and only lend
    /// it out shared); returns its length. Fails if something is still buffered.
    pub fn sync_flushed(&self) -> Result<u64, Error> {
        let out = self.out.as_ref().expect("the writer lives until commit");
        if !out.buffer().is_empty() {
            return Err(write_error(&self.path)(io::Error::other(
                "cannot sync a file with unflushed data",
            )));
        }
        out.get_ref().sync_data().map_err(write_error(&self.path))?;
        Ok(self.len)
    }

    /// Flushes the file and renames it to its final path.
    pub fn commit(self) -> Result<(), Error> {
        self.close()?.commit()
    }

    /// Flushes and closes the file, still under its temporary name: [`PendingFile::commit`]
    /// puts it in place later, for outputs of several files that must appear together.
    pub fn close(mut self) -> Result<PendingFile, Error> {
        let out = self.out.take().expect("the writer lives until commit");
        let file = out
            .into_inner()
            .map_err(|err| write_error(&self.path)(err.into_error()))?;
        drop(file);
        Ok(PendingFile {
            path: std::mem::take(&mut self.path),
            tmp: Some(std::mem::take(&mut self.tmp)),
        })
    }
}

/// Closes `files` and then puts them all in place, so that they appear together: when one
/// cannot be closed, none is put in place (the others are removed).
pub fn commit_together(files: impl IntoIterator<Item = AtomicFile>) -> Result<(), Error> {
    let pending = files
        .into_iter()
        .map(AtomicFile::close)
        .collect::<Result<Vec<_>, _>>()?;
    pending.into_iter().try_for_each(PendingFile::commit)
}

/// A complete file under its temporary name. Dropped without a commit, it is removed.
#[derive(Debug)]
pub struct PendingFile {
    path: PathBuf,
    tmp: Option<PathBuf>,
}

impl PendingFile {
    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The size of the file in bytes.
    pub fn size(&self) -> Result<u64, Error> {
        let tmp = self.tmp.as_deref().expect("present until commit");
        std::fs::metadata(tmp)
            .map(|m| m.len())
            .map_err(|source| Error::Write {
                path: self.path.clone(),
                source,
            })
    }

    /// Renames the file to its final path.
    pub fn commit(mut self) -> Result<(), Error> {
        let tmp = self.tmp.take().expect("present until commit");
        std::fs::rename(&tmp, &self.path).map_err(write_error(&self.path))
    }
}

impl Drop for PendingFile {
    fn drop(&mut self) {
        if let Some(tmp) = self.tmp.take() {
            let _ = std::fs::remove_file(tmp);
        }
    }
}

impl Write for AtomicFile {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self
            .out
            .as_mut()
            .expect("the writer lives until commit")
            .write(buf)?;
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.out
            .as_mut()
            .expect("the writer lives until commit")
            .flush()
    }
}

impl Drop for AtomicFile {
    fn drop(&mut self) {
        if self.out.take().is_some() && !self.is_kept {
            // Not committed: the run failed or was interrupted. Leave no partial file behind.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}

/// Removes, in `dir`, the temporary files and trees that dead processes left for outputs
/// (`<name>.tmp-<pid>`, and names that go on after it: a replaced tree's `.old`): those of a
/// process that no longer runs, for a `<name>` that `is_output` says is one of the caller's
/// outputs (given as a path in `dir`). A run killed by SIGKILL or a full machine cannot clean
/// up after itself; the next run writing the same outputs does. Returns what it removed.
///
/// Whether a process runs is known on Linux (`/proc`); elsewhere nothing is removed.
pub fn remove_stale(dir: &Path, is_output: &dyn Fn(&Path) -> bool) -> Result<Vec<PathBuf>, Error> {
    let mut removed = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Ok(removed);
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(name) = name.to_str() else {
            continue;
        };
        let Some((base, rest)) = name.rsplit_once(TEMP_MARK) else {
            continue;
        };
        let pid = rest.split('.').next().unwrap_or_default();
        let Ok(pid) = pid.parse::<u32>() else {
            continue;
        };
        if pid == std::process::id() || is_running(pid) != Some(false) {
            continue;
        }
        if !is_output(&dir.join(base)) {
            continue;
        }
        let path = entry.path();
        let result = if entry.file_type().is_ok_and(|t| t.is_dir()) {
            std::fs::remove_dir_all(&path)
        } else {
            std::fs::remove_file(&path)
        };
        match result {
            Ok(()) => removed.push(path),
            Err(err) if err.kind() == io::ErrorKind::NotFound => {}
            Err(source) => return Err(Error::Write { path, source }),
        }
    }
    removed.sort();
    Ok(removed)
}

/// Whether process `pid` runs; `None` when that cannot be known here.
fn is_running(pid: u32) -> Option<bool> {
    if cfg!(target_os = "linux") && Path::new("/proc/self").exists() {
        Some(Path::new("/proc").join(pid.to_string()).exists())
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn errors_name_the_final_path_not_the_temporary_one() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("missing/out.jsonl");
        let Err(err) = AtomicFile::create(&path) else {
            panic!("created a file in a missing directory")
        };
        assert_eq!(
            err.to_string(),
            format!("failed to write {}", path.display())
        );
    }

    #[test]
    fn stale_temporary_files_of_dead_processes_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        // No process has pid 4194400: Linux's `pid_max` is at most 2^22 = 4194304.
        let dead = 4_194_400;
        let live = std::process::id();
        for name in [
            format!("out.jsonl.tmp-{dead}"),
            format!("out.jsonl.tmp-{live}"),
            format!("other.jsonl.tmp-{dead}"),
            format!("out.jsonl.tmp-x{dead}"),
        ] {
            std::fs::write(d.join(name), "x").unwrap();
        }
        std::fs::create_dir_all(d.join(format!("tree.tmp-{dead}.old/a"))).unwrap();
        let ours = |p: &Path| p == d.join("out.jsonl") || p == d.join("tree");
        let removed = remove_stale(d, &ours).unwrap();
        if is_running(dead).is_none() {
            assert!(removed.is_empty());
            return;
        }
        let names: Vec<String> = removed
            .iter()
            .map(|p| p.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            names,
            [
                format!("out.jsonl.tmp-{dead}"),
                format!("tree.tmp-{dead}.old")
            ]
        );
        assert!(d.join(format!("out.jsonl.tmp-{live}")).exists());
        assert!(d.join(format!("other.jsonl.tmp-{dead}")).exists());
    }
}
