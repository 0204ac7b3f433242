//! Byte outputs: an atomic file or standard output, optionally compressed, and shard names.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use flate2::write::GzEncoder;

use crate::Error;
use crate::atomic::{AtomicFile, PendingFile};

/// A file being written, or standard output.
pub(crate) enum Output {
    File(AtomicFile),
    Stdout(io::BufWriter<io::Stdout>),
}

impl Output {
    pub(crate) fn open(path: &Path) -> Result<Output, Error> {
        if is_stdout(path) {
            Ok(Output::Stdout(io::BufWriter::with_capacity(
                1 << 16,
                io::stdout(),
            )))
        } else {
            AtomicFile::create(path).map(Output::File)
        }
    }

    pub(crate) fn path(&self) -> PathBuf {
        match self {
            Output::File(file) => file.path().to_path_buf(),
            Output::Stdout(_) => PathBuf::from("-"),
        }
    }

    /// Flushes and syncs a file for a checkpoint; returns its length.
    pub(crate) fn sync(&mut self) -> Result<u64, Error> {
        match self {
            Output::File(file) => file.sync(),
            Output::Stdout(_) => Err(Error::ResumeUnsupported("standard output")),
        }
    }

    /// Syncs a flushed file for a checkpoint; returns its length.
    fn sync_flushed(&self) -> Result<u64, Error> {
        match self {
            Output::File(file) => file.sync_flushed(),
            Output::Stdout(_) => Err(Error::ResumeUnsupported("standard output")),
        }
    }

    pub(crate) fn commit(self) -> Result<(), Error> {
        self.close()?.map_or(Ok(()), PendingFile::commit)
    }

    /// Completes the output; a file stays under its temporary name until committed.
    pub(crate) fn close(self) -> Result<Option<PendingFile>, Error> {
        match self {
            Output::File(file) => file.close().map(Some),
            Output::Stdout(mut out) => out.flush().map(|()| None).map_err(|source| Error::Write {
                path: "-".into(),
                source,
            }),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::File(file) => file.write(buf),
            Output::Stdout(out) => out.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::File(file) => file.flush(),
            Output::Stdout(out) => out.flush(),
        }
    }
}

/// `-` stands for standard output.
pub(crate) fn is_stdout(path: &Path) -> bool {
    path == Path::new("-")
}

/// A compression chosen from the output file's extension.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// No compression.
    None,
    /// gzip (`.gz`).
    Gzip,
    /// Zstandard (`.zst`, `.zstd`).
    Zstd,
}

impl Compression {
    /// The compression a file name asks for.
    pub fn of(path: &Path) -> Compression {
        match path.extension().and_then(|e| e.to_str()) {
            Some("gz") => Compression::Gzip,
            Some("zst" | "zstd") => Compression::Zstd,
            _ => Compression::None,
        }
    }
}

/// A byte stream into an [`Output`], compressed as its name asks.
pub(crate) enum Stream {
    Plain(Output),
    Gzip(GzEncoder<Output>),
    Zstd(zstd::stream::write::Encoder<'static, Output>),
}

impl Stream {
    /// A stream into `out`, opened for `path`, compressed as `path` asks.
    pub(crate) fn new(path: &Path, out: Output) -> Result<Stream, Error> {
        Ok(match Compression::of(path) {
            Compression::None => Stream::Plain(out),
            Compression::Gzip => Stream::Gzip(GzEncoder::new(out, flate2::Compression::default())),
            Compression::Zstd => {
                Stream::Zstd(zstd::stream::write::Encoder::new(out, 3).map_err(|source| {
                    Error::Write {
                        path: path.to_path_buf(),
                        source,
                    }
                })?)
            }
        })
    }

    pub(crate) fn path(&self) -> PathBuf {
        match self {
            Stream::Plain(out) => out.path(),
            Stream::Gzip(enc) => enc.get_ref().path(),
            Stream::Zstd(enc) => enc.get_ref().path(),
        }
    }

    /// Flushes and syncs the file for a checkpoint; returns its length. A compressed stream
    /// cannot be cut back to a checkpoint, so it has none.
    pub(crate) fn sync(&mut self) -> Result<u64, Error> {
        match self {
            Stream::Plain(out) => out.sync(),
            Stream::Gzip(_) | Stream::Zstd(_) => Err(Error::ResumeUnsupported("compressed output")),
        }
    }

    /// As [`Stream::sync`], for a stream already flushed and only lent out shared.
    pub(crate) fn sync_flushed(&self) -> Result<u64, Error> {
        match self {
            Stream::Plain(out) => out.sync_flushed(),
            Stream::Gzip(_) | Stream::Zstd(_) => Err(Error::ResumeUnsupported("compressed output")),
        }
    }

    /// Ends the compressed stream and completes the output (see [`Output::close`]).
    pub(crate) fn close(self) -> Result<Option<PendingFile>, Error> {
        let path = self.path();
        let out = match self {
            Stream::Plain(out) => Ok(out),
            Stream::Gzip(enc) => enc.finish(),
            Stream::Zstd(enc) => enc.finish(),
        }
        .map_err(|source| Error::Write { path, source })?;
        out.close()
    }
}

impl Write for Stream {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Stream::Plain(out) => out.write(buf),
            Stream::Gzip(enc) => enc.write(buf),
            Stream::Zstd(enc) => enc.write(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Stream::Plain(out) => out.flush(),
            Stream::Gzip(enc) => enc.flush(),
            Stream::Zstd(enc) => enc.flush(),
        }
    }
}

/// The name of shard `index` of `base`: the number goes before the format's extension and a
/// compression extension, so `out.jsonl.gz` → `out-00003.jsonl.gz`, `out` → `out-00003`.
pub fn shard_path(base: &Path, index: u64) -> PathBuf {
    let name = base
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let (rest, compression) = match name.rsplit_once('.') {
        Some((rest, "gz" | "zst" | "zstd")) => (rest, &name[rest.len()..]),
        _ => (name.as_str(), ""),
    };
    let (stem, ext) = match rest.rsplit_once('.') {
        Some((stem, _)) if !stem.is_empty() => (stem, &rest[stem.len()..]),
        _ => (rest, ""),
    };
    base.with_file_name(format!("{stem}-{index:05}{ext}{compression}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shard_names() {
        let check = |base: &str, index| shard_path(Path::new(base), index);
        assert_eq!(check("out.parquet", 0), Path::new("out-00000.parquet"));
        assert_eq!(
            check("d/out.jsonl.gz", 12),
            Path::new("d/out-00012.jsonl.gz")
        );
        assert_eq!(check("out.csv.zst", 1), Path::new("out-00001.csv.zst"));
        assert_eq!(check("my.data.jsonl", 2), Path::new("my.data-00002.jsonl"));
        assert_eq!(check("out", 3), Path::new("out-00003"));
        assert_eq!(check(".hidden", 4), Path::new(".hidden-00004"));
        assert_eq!(check("out.jsonl", 123_456), Path::new("out-123456.jsonl"));
    }

    #[test]
    fn compression_from_extension() {
        assert_eq!(Compression::of(Path::new("a.jsonl.gz")), Compression::Gzip);
        assert_eq!(Compression::of(Path::new("a.jsonl.zst")), Compression::Zstd);
        assert_eq!(Compression::of(Path::new("a.jsonl")), Compression::None);
        assert_eq!(Compression::of(Path::new("-")), Compression::None);
    }
}
