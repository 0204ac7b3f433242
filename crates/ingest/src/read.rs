//! Bounded reading: documents and lines never grow past a limit, decompressed streams never
//! expand past a budget, and every decompressor is a streaming `Read`.

use std::cell::Cell;
use std::io::{self, BufRead, Read};
use std::rc::Rc;

use ruzstd::decoding::errors::{FrameDecoderError, ReadFrameHeaderError};
use ruzstd::decoding::{BlockDecodingStrategy, FrameDecoder};

use crate::format::Compression;

/// Reads all of `input` if it holds at most `max` bytes; `None` if it holds more (then
/// `max + 1` bytes were read and dropped, never more).
pub(crate) fn read_at_most<R: Read + ?Sized>(
    input: &mut R,
    max: u64,
) -> io::Result<Option<Vec<u8>>> {
    read_at_most_sized(input, max, 0)
}

/// [`read_at_most`] of an input that probably holds `size_hint` bytes: its buffer is sized
/// once, not grown by doubling (and copying).
pub(crate) fn read_at_most_sized<R: Read + ?Sized>(
    input: &mut R,
    max: u64,
    size_hint: u64,
) -> io::Result<Option<Vec<u8>>> {
    let capacity = size_hint.min(max).saturating_add(1);
    let mut bytes = Vec::with_capacity(usize::try_from(capacity).unwrap_or(0));
    (&mut *input)
        .take(max.saturating_add(1))
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        Ok(None)
    } else {
        Ok(Some(bytes))
    }
}

/// One line read by [`read_line`].
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum LineRead {
    /// A line (in the caller's buffer, without its `\n`).
    Line,
    /// A line longer than the limit: it was read to its end and dropped.
    TooLong {
        /// Its length in bytes.
        n_bytes: u64,
    },
    /// The end of the input.
    Eof,
}

/// Reads one line into `buf` (cleared first), holding at most `max` bytes of it in memory:
/// a longer line is consumed to its end without being kept, so a 1 GB "line" costs no memory.
pub(crate) fn read_line(
    input: &mut impl BufRead,
    max: usize,
    buf: &mut Vec<u8>,
) -> io::Result<LineRead> {
    buf.clear();
    let mut n_bytes = 0u64;
    let mut is_too_long = false;
    let mut has_any = false;
    loop {
        let available = match input.fill_buf() {
            Ok(available) => available,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => continue,
            Err(err) => return Err(err),
        };
        if available.is_empty() {
            break;
        }
        has_any = true;
        let (chunk, used, is_end) = match memchr::memchr(b'\n', available) {
            Some(at) => (&available[..at], at + 1, true),
            None => (available, available.len(), false),
        };
        n_bytes += chunk.len() as u64;
        if !is_too_long {
            if n_bytes > max as u64 {
                is_too_long = true;
                buf.clear();
                buf.shrink_to(1 << 16);
            } else {
                buf.extend_from_slice(chunk);
            }
        }
        input.consume(used);
        if is_end {
            break;
        }
    }
    Ok(if !has_any {
        LineRead::Eof
    } else if is_too_long {
        LineRead::TooLong { n_bytes }
    } else {
        LineRead::Line
    })
}

/// A problem with the layout of a container (a WARC record without a length, a tar member
/// cut short), as opposed to an error of the stream under it.
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub(crate) struct FormatError(pub String);

impl FormatError {
    /// An I/O error of `kind` carrying this message.
    pub(crate) fn io(kind: io::ErrorKind, message: String) -> io::Error {
        io::Error::new(kind, FormatError(message))
    }
}

/// The error a [`Budget`] reader returns once its limit is passed.
#[derive(Debug, thiserror::Error)]
#[error("the decompressed size limit was reached")]
pub(crate) struct BudgetExceeded;

/// A reader that fails once more than `limit` bytes came through it: the per-archive cap on
/// decompressed bytes that stops zip and gzip bombs.
pub(crate) struct Budget<R> {
    inner: R,
    left: u64,
    is_exceeded: Rc<Cell<bool>>,
}

impl<R: Read> Budget<R> {
    /// Wraps `inner`; the returned flag is raised when the limit is passed.
    pub(crate) fn new(inner: R, limit: u64) -> (Budget<R>, Rc<Cell<bool>>) {
        let flag = Rc::new(Cell::new(false));
        let budget = Budget {
            inner,
            left: limit,
            is_exceeded: Rc::clone(&flag),
        };
        (budget, flag)
    }
}

impl<R: Read> Read for Budget<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        if self.left == 0 {
            // Exactly at the limit: fine if the stream ends here.
            let mut probe = [0u8; 1];
            if self.inner.read(&mut probe)? == 0 {
                return Ok(0);
            }
            self.is_exceeded.set(true);
            return Err(io::Error::other(BudgetExceeded));
        }
        let want = buf
            .len()
            .min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let n = self.inner.read(&mut buf[..want])?;
        self.left -= n as u64;
        Ok(n)
    }
}

/// A streaming decompressor for `compression` over `input`.
pub(crate) fn decompress<'a, R: BufRead + 'a>(
    input: R,
    compression: Compression,
) -> Box<dyn Read + 'a> {
    match compression {
        Compression::Gzip => Box::new(flate2::bufread::MultiGzDecoder::new(input)),
        Compression::Bzip2 => Box::new(bzip2::bufread::MultiBzDecoder::new(input)),
        Compression::Xz => Box::new(lzma_rust2::XzReader::new(input, true)),
        Compression::Zstd => Box::new(ZstdReader::new(input)),
    }
}

/// A zstd decoder over all the frames of a stream (`ruzstd`'s own reader stops after one),
/// skipping skippable frames.
struct ZstdReader<R> {
    input: R,
    frame: FrameDecoder,
    is_in_frame: bool,
}

impl<R: BufRead> ZstdReader<R> {
    fn new(input: R) -> ZstdReader<R> {
        ZstdReader {
            input,
            frame: FrameDecoder::new(),
            is_in_frame: false,
        }
    }
}

impl<R: BufRead> Read for ZstdReader<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if buf.is_empty() {
            return Ok(0);
        }
        loop {
            if self.is_in_frame {
                while self.frame.can_collect() < buf.len() && !self.frame.is_finished() {
                    let want = buf.len() - self.frame.can_collect();
                    self.frame
                        .decode_blocks(&mut self.input, BlockDecodingStrategy::UptoBytes(want))
                        .map_err(io::Error::other)?;
                }
                let n = self.frame.read(buf)?;
                if n > 0 {
                    return Ok(n);
                }
                self.is_in_frame = false;
            }
            if self.input.fill_buf()?.is_empty() {
                return Ok(0);
            }
            match self.frame.reset(&mut self.input) {
                Ok(()) => self.is_in_frame = true,
                Err(FrameDecoderError::ReadFrameHeaderError(ReadFrameHeaderError::SkipFrame {
                    length,
                    ..
                })) => {
                    let skipped = io::copy(
                        &mut (&mut self.input).take(u64::from(length)),
                        &mut io::sink(),
                    )?;
                    if skipped < u64::from(length) {
                        return Err(io::Error::new(
                            io::ErrorKind::UnexpectedEof,
                            "zstd stream ends inside a skippable frame",
                        ));
                    }
                }
                Err(err) => return Err(io::Error::other(err)),
            }
        }
    }
}

/// A reader whose first bytes were looked at by [`peek`].
pub(crate) type Peeked<R> = io::Chain<io::Cursor<Vec<u8>>, R>;

/// Reads up to `n` bytes from the start of `input` and returns them with a reader that still
/// yields the whole input, those bytes included.
pub(crate) fn peek<R: Read>(mut input: R, n: usize) -> io::Result<(Vec<u8>, Peeked<R>)> {
    let mut head = Vec::with_capacity(n);
    (&mut input).take(n as u64).read_to_end(&mut head)?;
    let copy = head.clone();
    Ok((copy, io::Cursor::new(head).chain(input)))
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;

    fn lines(input: &[u8], max: usize) -> Vec<Result<String, u64>> {
        let mut reader = io::BufReader::with_capacity(4, input);
        let mut buf = Vec::new();
        let mut out = Vec::new();
        loop {
            match read_line(&mut reader, max, &mut buf).unwrap() {
                LineRead::Line => out.push(Ok(String::from_utf8(buf.clone()).unwrap())),
                LineRead::TooLong { n_bytes } => out.push(Err(n_bytes)),
                LineRead::Eof => return out,
            }
        }
    }

    #[test]
    fn lines_are_bounded() {
        assert_eq!(
            lines(b"ab\n0123456789\n\nlast", 5),
            [
                Ok("ab".into()),
                Err(10),
                Ok(String::new()),
                Ok("last".into())
            ]
        );
        assert_eq!(lines(b"", 5), []);
        assert_eq!(lines(b"x\n", 5), [Ok("x".into())]);
    }

    #[test]
    fn budget_stops_at_the_limit() {
        let (mut exact, flag) = Budget::new(&b"12345"[..], 5);
        let mut out = Vec::new();
        exact.read_to_end(&mut out).unwrap();
        assert!(!flag.get());
        let (mut over, flag) = Budget::new(&b"123456"[..], 5);
        assert!(over.read_to_end(&mut Vec::new()).is_err());
        assert!(flag.get());
    }

    #[test]
    fn bounded_read() {
        assert_eq!(
            read_at_most(&mut &b"abc"[..], 3).unwrap(),
            Some(b"abc".to_vec())
        );
        assert_eq!(read_at_most(&mut &b"abcd"[..], 3).unwrap(), None);
    }

    #[test]
    fn zstd_reads_every_frame_and_skips_skippable_ones() {
        let mut stream = ruzstd::encoding::compress_to_vec(
            &b"first frame, "[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        );
        // A skippable frame: magic 0x184D2A50, length 3, payload.
        stream
            .write_all(&[0x50, 0x2A, 0x4D, 0x18, 3, 0, 0, 0, 1, 2, 3])
            .unwrap();
        stream.extend(ruzstd::encoding::compress_to_vec(
            &b"second frame"[..],
            ruzstd::encoding::CompressionLevel::Fastest,
        ));
        let mut text = String::new();
        decompress(&stream[..], Compression::Zstd)
            .read_to_string(&mut text)
            .unwrap();
        assert_eq!(text, "first frame, second frame");
        let cut = &stream[..stream.len() - 3];
        assert!(
            decompress(cut, Compression::Zstd)
                .read_to_end(&mut Vec::new())
                .is_err()
        );
    }
}
