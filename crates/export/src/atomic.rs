//! Files that appear under their name only when complete.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::{Path, PathBuf};

use crate::Error;

/// A file written under a temporary name beside its final path and renamed into place by
/// [`AtomicFile::commit`]. Dropped without a commit, the temporary file is removed.
pub struct AtomicFile {
    path: PathBuf,
    tmp: PathBuf,
    out: Option<BufWriter<File>>,
}

impl AtomicFile {
    /// Creates the temporary file for `path`.
    pub fn create(path: &Path) -> Result<AtomicFile, Error> {
        let mut name = path
            .file_name()
            .map(std::ffi::OsStr::to_os_string)
            .unwrap_or_default();
        name.push(format!(".tmp-{}", std::process::id()));
        let tmp = path.with_file_name(name);
        let file = File::create(&tmp).map_err(|source| Error::Write {
            path: tmp.clone(),
            source,
        })?;
        Ok(AtomicFile {
            path: path.to_path_buf(),
            tmp,
            out: Some(BufWriter::with_capacity(1 << 16, file)),
        })
    }

    /// The final path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Flushes the file and renames it to its final path.
    pub fn commit(self) -> Result<(), Error> {
        self.close()?.commit()
    }

    /// Flushes and closes the file, still under its temporary name: [`PendingFile::commit`]
    /// puts it in place later, for outputs of several files that must appear together.
    pub fn close(mut self) -> Result<PendingFile, Error> {
        let out = self.out.take().expect("the writer lives until commit");
        let file = out.into_inner().map_err(|err| Error::Write {
            path: self.tmp.clone(),
            source: err.into_error(),
        })?;
        drop(file);
        Ok(PendingFile {
            path: std::mem::take(&mut self.path),
            tmp: Some(std::mem::take(&mut self.tmp)),
        })
    }
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
                path: tmp.to_path_buf(),
                source,
            })
    }

    /// Renames the file to its final path.
    pub fn commit(mut self) -> Result<(), Error> {
        let tmp = self.tmp.take().expect("present until commit");
        std::fs::rename(&tmp, &self.path).map_err(|source| Error::Write {
            path: self.path.clone(),
            source,
        })
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
        self.out
            .as_mut()
            .expect("the writer lives until commit")
            .write(buf)
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
        if self.out.take().is_some() {
            // Not committed: the run failed or was interrupted. Leave no partial file behind.
            let _ = std::fs::remove_file(&self.tmp);
        }
    }
}
