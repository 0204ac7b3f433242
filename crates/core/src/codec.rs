//! The frame stream between stage commands: the only place that knows bincode.
//!
//! Layout: a 10-byte header (`NWSCLN`, format version as u16 little-endian, the
//! [`StreamKind`] byte, a reserved zero), then frames of a u32 little-endian length and that
//! many bytes of a bincode-encoded [`Record`], then the end marker `u32::MAX`. A stream without
//! its end marker was cut short, and the reader says so instead of treating it as complete.
//!
//! A single value (a site model) is written as a blob: the same header, with the value's own
//! format version and kind, then its length as u64 little-endian and its bincode bytes
//! ([`write_blob`], [`read_blob`]).
//!
//! A stream is input like any other, so nothing in it is trusted (see: issue 13, item 10): a
//! frame's length is checked against [`FrameReader::with_max_frame`] (the stage commands
//! derive it from `--max-doc-bytes`) and its bytes are read as they come, never allocated
//! up front; and every length inside a frame (a string, a list) is bounded by the frame's
//! real size, through bincode's `with_limit` ([`decode_bounded`]), so that a 114-byte frame
//! claiming a 1 TB string fails at once instead of allocating it.

use std::io::{self, Read, Write};

use serde::{Deserialize, Serialize};

use crate::doc::{Seq, Source as DocSource};
use crate::record::{Record, StreamKind};
use crate::report::StageId;
use crate::stage::{Sink, Source, StageError};

const MAGIC: &[u8; 6] = b"NWSCLN";
/// The version of the frame format; bump it when [`Record`] changes shape.
pub const VERSION: u16 = 7;
const END: u32 = u32::MAX;
/// Frames larger than this are refused as corrupt rather than allocated.
pub const MAX_FRAME: u32 = 1 << 30;
/// A frame may claim, inside it, at most this many times its own size in bytes: bincode
/// counts 8 bytes for every integer, which may take 1 byte on the wire.
const CLAIM_RATIO: usize = 16;

/// Errors reading or writing a frame stream.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The input does not start with the frame header.
    #[error(
        "input is not a newsclean frame stream (bad header); stage commands read the output of another stage command"
    )]
    BadMagic,
    /// The stream was written by another format version.
    #[error("frame stream has format version {found}, this newsclean reads version {VERSION}")]
    Version {
        /// The version in the header.
        found: u16,
    },
    /// A blob was written by another format version of its kind.
    #[error("{} file has format version {found}, this newsclean reads version {expected}", kind.writer())]
    BlobVersion {
        /// The kind of blob.
        kind: StreamKind,
        /// The version in the header.
        found: u16,
        /// The version this build reads.
        expected: u16,
    },
    /// A blob is of another kind than expected.
    #[error("expected a file written by `{}`, but this one was written by `{}`", expected.writer(), found.writer())]
    BlobKind {
        /// The kind expected.
        expected: StreamKind,
        /// The kind in the header.
        found: StreamKind,
    },
    /// The stream was written by another stage than the one this stage reads.
    #[error("`{reader}` reads the output of `{}`, but this stream was written by `{}`", expected.writer(), found.writer())]
    WrongKind {
        /// The stage command reading.
        reader: StageId,
        /// The kind it reads.
        expected: StreamKind,
        /// The kind in the header.
        found: StreamKind,
    },
    /// The header names a stream kind this version does not know.
    #[error("frame stream has unknown kind {0}")]
    Kind(u8),
    /// A frame claims an impossible length.
    #[error("frame {index} claims {len} bytes; the stream is corrupt")]
    TooLarge {
        /// Zero-based frame number.
        index: u64,
        /// The claimed length.
        len: u32,
    },
    /// A frame is longer than this reader accepts.
    #[error(
        "frame {index} is {len} bytes, over the limit of {max} (16 times --max-doc-bytes, plus 1 MiB); \
         give the --max-doc-bytes of the command that wrote the stream"
    )]
    OverLimit {
        /// Zero-based frame number.
        index: u64,
        /// Its length.
        len: u32,
        /// The limit.
        max: u32,
    },
    /// The stream ended inside a frame or without its end marker.
    #[error(
        "frame stream ended early after {n_frames} frames: the writing stage stopped before finishing"
    )]
    Truncated {
        /// Complete frames read.
        n_frames: u64,
    },
    /// A frame's payload does not decode.
    #[error("frame {index} does not decode")]
    Decode {
        /// Zero-based frame number.
        index: u64,
        /// The decoder's complaint.
        #[source]
        source: bincode::error::DecodeError,
    },
    /// A record does not encode.
    #[error("record does not encode")]
    Encode(#[source] bincode::error::EncodeError),
    /// Reading or writing failed.
    #[error("frame stream I/O failed")]
    Io(#[from] io::Error),
}

fn config() -> bincode::config::Configuration {
    bincode::config::standard()
}

/// Decodes a value from `bytes` with every length inside it bounded by the size of `bytes`
/// (see the module docs): bincode refuses any claim beyond the smallest limit of the form
/// 2^(16+3k) that is at least 16 times `bytes.len()`, so nothing allocates more
/// than 128 times the bytes actually there (or 64 KiB). Returns the value and the bytes used.
pub fn decode_bounded<T: serde::de::DeserializeOwned>(
    bytes: &[u8],
) -> Result<(T, usize), bincode::error::DecodeError> {
    macro_rules! with_limits {
        ($($shift:literal),*) => {{
            let need = bytes.len().saturating_mul(CLAIM_RATIO);
            $(
                if need <= 1usize << $shift {
                    return bincode::serde::decode_from_slice(
                        bytes,
                        config().with_limit::<{ 1usize << $shift }>(),
                    );
                }
            )*
            Err(bincode::error::DecodeError::LimitExceeded)
        }};
    }
    #[cfg(target_pointer_width = "64")]
    {
        with_limits!(16, 19, 22, 25, 28, 31, 34, 37)
    }
    #[cfg(not(target_pointer_width = "64"))]
    {
        with_limits!(16, 19, 22, 25, 28, 31)
    }
}

/// Encodes one record as a frame payload.
pub fn encode(record: &Record, buf: &mut Vec<u8>) -> Result<(), Error> {
    buf.clear();
    bincode::serde::encode_into_std_write(record, buf, config()).map_err(Error::Encode)?;
    Ok(())
}

/// A record encoded as a frame payload by the thread that made it (a pipeline's worker), so
/// that a thread that only stores records (the spool's writer) or only reads them back (the
/// spool's source) never encodes or decodes one: a run's workers do both in parallel, and
/// the one thread that sees every record copies bytes. It keeps what a worker must know of
/// the record without decoding it: its order, size, id and source (a panic while cleaning it
/// still becomes a reject that names the document).
///
/// In a stream ([`FrameWriter::write_encoded`], [`FrameReader::read_encoded`]) a frame's
/// payload is a u32 little-endian header length, the bincode header (the four fields) and
/// the record's own payload.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Encoded {
    /// The record's position in the input order.
    pub seq: Seq,
    /// Input bytes the record stands for (see [`crate::Envelope::n_bytes`]).
    pub n_bytes: u64,
    /// The record's document id.
    pub id: String,
    /// Where the document came from.
    pub source: DocSource,
    /// The frame the record was read from, or its payload alone.
    frame: Vec<u8>,
    /// Where the record's payload starts in `frame`.
    start: usize,
}

impl Encoded {
    /// Encodes `record`.
    pub fn new(record: &Record) -> Result<Encoded, Error> {
        use crate::Envelope as _;
        // A split document takes about 2.3 times its text (its lines' normal forms, offsets
        // and hashes): room for that saves the doublings of the buffer and their copies.
        let guess = usize::try_from(record.n_bytes().saturating_mul(5) / 2).unwrap_or(0);
        let mut frame = Vec::with_capacity(guess.min(1 << 24) + 256);
        bincode::serde::encode_into_std_write(record, &mut frame, config())
            .map_err(Error::Encode)?;
        Ok(Encoded {
            seq: record.seq(),
            n_bytes: record.n_bytes(),
            id: record.id().to_owned(),
            source: record.source().clone(),
            frame,
            start: 0,
        })
    }

    /// The record's payload.
    fn payload(&self) -> &[u8] {
        &self.frame[self.start..]
    }

    /// Decodes the record (lengths inside it bounded as [`decode_bounded`] bounds them).
    pub fn decode(&self) -> Result<Record, Error> {
        let payload = self.payload();
        let (record, used): (Record, usize) =
            decode_bounded(payload).map_err(|source| Error::Decode { index: 0, source })?;
        if used != payload.len() {
            return Err(Error::Decode {
                index: 0,
                source: bincode::error::DecodeError::Other("trailing bytes in frame"),
            });
        }
        Ok(record)
    }
}

/// The transform that encodes every record (see [`Encoded`]), last on a worker whose records
/// a thread stores without looking into them.
#[derive(Debug, Clone, Copy, Default)]
pub struct Encode;

impl crate::Transform for Encode {
    type Item = Record;

    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        match record {
            Record::Encoded(_) => Ok(record),
            record => Encoded::new(&record)
                .map(Record::Encoded)
                .map_err(|err| StageError::new(StageId::Dedupe, err)),
        }
    }
}

/// Writes a frame stream.
pub struct FrameWriter<W: Write> {
    out: W,
    buf: Vec<u8>,
}

impl<W: Write> FrameWriter<W> {
    /// Writes the header for a stream of `kind`.
    pub fn new(mut out: W, kind: StreamKind) -> Result<FrameWriter<W>, Error> {
        out.write_all(MAGIC)?;
        out.write_all(&VERSION.to_le_bytes())?;
        out.write_all(&[kind.to_byte(), 0])?;
        Ok(FrameWriter {
            out,
            buf: Vec::new(),
        })
    }

    /// Goes on writing a stream whose header (and some frames) `out` already holds, as a
    /// resumed run does.
    pub fn append(out: W) -> FrameWriter<W> {
        FrameWriter {
            out,
            buf: Vec::new(),
        }
    }

    /// The inner writer, to flush or sync it between frames.
    pub fn get_mut(&mut self) -> &mut W {
        &mut self.out
    }

    /// Writes one record.
    pub fn write(&mut self, record: &Record) -> Result<(), Error> {
        encode(record, &mut self.buf)?;
        let len = frame_len(self.buf.len())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.buf)?;
        Ok(())
    }

    /// Writes one record a worker encoded (see [`Encoded`]); [`FrameReader::read_encoded`]
    /// reads it back.
    pub fn write_encoded(&mut self, record: &Encoded) -> Result<(), Error> {
        self.buf.clear();
        self.buf.extend_from_slice(&[0; 4]);
        let header = (record.seq, record.n_bytes, &record.id, &record.source);
        bincode::serde::encode_into_std_write(header, &mut self.buf, config())
            .map_err(Error::Encode)?;
        let header_len = u32::try_from(self.buf.len() - 4).expect("a header is short");
        self.buf[..4].copy_from_slice(&header_len.to_le_bytes());
        let len = frame_len(self.buf.len() + record.payload().len())?;
        self.out.write_all(&len.to_le_bytes())?;
        self.out.write_all(&self.buf)?;
        self.out.write_all(record.payload())?;
        Ok(())
    }

    /// Writes the end marker and flushes; returns the inner writer.
    pub fn finish(mut self) -> Result<W, Error> {
        self.out.write_all(&END.to_le_bytes())?;
        self.out.flush()?;
        Ok(self.out)
    }
}

/// A frame's length field for `n` bytes, or the error for a record past [`MAX_FRAME`].
fn frame_len(n: usize) -> Result<u32, Error> {
    u32::try_from(n)
        .ok()
        .filter(|&n| n < MAX_FRAME)
        .ok_or(Error::Encode(bincode::error::EncodeError::Other(
            "record larger than the frame limit",
        )))
}

/// The longest frame that holds a document of `max_doc_bytes` (16 times it, for re-encoded
/// text, lines and metadata, plus 1 MiB), below [`MAX_FRAME`].
pub fn max_frame_for(max_doc_bytes: u64) -> u32 {
    let max = max_doc_bytes.saturating_mul(16).saturating_add(1 << 20);
    u32::try_from(max).unwrap_or(u32::MAX).min(MAX_FRAME - 1)
}

/// Reads a frame stream.
pub struct FrameReader<R: Read> {
    input: R,
    kind: StreamKind,
    buf: Vec<u8>,
    n_frames: u64,
    is_done: bool,
    max_frame: u32,
}

impl<R: Read> FrameReader<R> {
    /// Reads and checks the header.
    pub fn new(mut input: R) -> Result<FrameReader<R>, Error> {
        let mut header = [0u8; 10];
        read_full(&mut input, &mut header).map_err(|err| match err {
            ReadFull::Eof(_) => Error::BadMagic,
            ReadFull::Io(err) => Error::Io(err),
        })?;
        if &header[..6] != MAGIC {
            return Err(Error::BadMagic);
        }
        let version = u16::from_le_bytes([header[6], header[7]]);
        if version != VERSION {
            return Err(Error::Version { found: version });
        }
        let kind = StreamKind::from_byte(header[8]).ok_or(Error::Kind(header[8]))?;
        Ok(FrameReader {
            input,
            kind,
            buf: Vec::new(),
            n_frames: 0,
            is_done: false,
            max_frame: MAX_FRAME - 1,
        })
    }

    /// Refuses frames longer than `max` bytes (see [`max_frame_for`]).
    #[must_use]
    pub fn with_max_frame(mut self, max: u32) -> FrameReader<R> {
        self.max_frame = max.min(MAX_FRAME - 1);
        self
    }

    /// The stage that wrote the stream.
    pub fn kind(&self) -> StreamKind {
        self.kind
    }

    /// Reads the next record; `None` after the end marker.
    pub fn read(&mut self) -> Result<Option<Record>, Error> {
        if !self.read_frame()? {
            return Ok(None);
        }
        let (record, used) = decode_bounded(&self.buf).map_err(|source| Error::Decode {
            index: self.n_frames,
            source,
        })?;
        if used != self.buf.len() {
            return Err(Error::Decode {
                index: self.n_frames,
                source: bincode::error::DecodeError::Other("trailing bytes in frame"),
            });
        }
        self.n_frames += 1;
        Ok(Some(record))
    }

    /// Reads the next record that [`FrameWriter::write_encoded`] wrote, leaving its payload
    /// encoded; `None` after the end marker.
    pub fn read_encoded(&mut self) -> Result<Option<Encoded>, Error> {
        if !self.read_frame()? {
            return Ok(None);
        }
        let index = self.n_frames;
        let bad = |what| Error::Decode {
            index,
            source: bincode::error::DecodeError::Other(what),
        };
        let header_len = self
            .buf
            .get(..4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize)
            .ok_or_else(|| bad("frame shorter than its header"))?;
        let header = self
            .buf
            .get(4..4 + header_len)
            .ok_or_else(|| bad("frame shorter than its header"))?;
        let ((seq, n_bytes, id, source), used): ((Seq, u64, String, DocSource), usize) =
            decode_bounded(header).map_err(|source| Error::Decode { index, source })?;
        if used != header_len {
            return Err(bad("trailing bytes in a frame's header"));
        }
        self.n_frames += 1;
        // The worker that decodes the record owns the buffer.
        let frame = std::mem::take(&mut self.buf);
        Ok(Some(Encoded {
            seq,
            n_bytes,
            id,
            source,
            frame,
            start: 4 + header_len,
        }))
    }

    /// Reads the next frame into `self.buf`; false after the end marker.
    fn read_frame(&mut self) -> Result<bool, Error> {
        if self.is_done {
            return Ok(false);
        }
        let truncated = Error::Truncated {
            n_frames: self.n_frames,
        };
        let mut len = [0u8; 4];
        match read_full(&mut self.input, &mut len) {
            Ok(()) => {}
            Err(ReadFull::Eof(_)) => return Err(truncated),
            Err(ReadFull::Io(err)) => return Err(Error::Io(err)),
        }
        let len = u32::from_le_bytes(len);
        if len == END {
            self.is_done = true;
            return Ok(false);
        }
        if len >= MAX_FRAME {
            return Err(Error::TooLarge {
                index: self.n_frames,
                len,
            });
        }
        if len > self.max_frame {
            return Err(Error::OverLimit {
                index: self.n_frames,
                len,
                max: self.max_frame,
            });
        }
        // Read what is there, growing the buffer as bytes come: a length that lies costs
        // nothing more than the bytes that follow it (and the 1 MiB at most reserved first).
        self.buf.clear();
        if self.buf.capacity() > (1 << 24) {
            self.buf.shrink_to(1 << 16);
        }
        // A bounded guess up front saves the doublings of most frames.
        self.buf.reserve((len as usize).min(1 << 20));
        let n_read = loop {
            match (&mut self.input)
                .take(u64::from(len))
                .read_to_end(&mut self.buf)
            {
                Ok(n) => break n,
                Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
                Err(err) => return Err(Error::Io(err)),
            }
        };
        if n_read < len as usize {
            return Err(truncated);
        }
        Ok(true)
    }
}

/// A [`Source`] reading records from a frame stream of one expected kind.
pub struct FrameSource<R: Read + Send> {
    reader: FrameReader<R>,
    stage: StageId,
}

impl<R: Read + Send> FrameSource<R> {
    /// Reads the header of `input` and checks that `expected` wrote it; frames longer than
    /// `max_frame` are refused (see [`max_frame_for`]).
    pub fn new(
        input: R,
        stage: StageId,
        expected: StreamKind,
        max_frame: u32,
    ) -> Result<FrameSource<R>, Error> {
        let reader = FrameReader::new(input)?.with_max_frame(max_frame);
        if reader.kind() != expected {
            return Err(Error::WrongKind {
                reader: stage,
                expected,
                found: reader.kind(),
            });
        }
        Ok(FrameSource { reader, stage })
    }
}

impl<R: Read + Send> Source for FrameSource<R> {
    type Item = Record;
    fn run(&mut self, emit: &mut dyn FnMut(Record) -> bool) -> Result<(), StageError> {
        while let Some(record) = self
            .reader
            .read()
            .map_err(|err| StageError::new(self.stage, err))?
        {
            if !emit(record) {
                break;
            }
        }
        Ok(())
    }
}

/// A [`Sink`] writing records as a frame stream.
pub struct FrameSink<W: Write + Send> {
    writer: Option<FrameWriter<W>>,
    stage: StageId,
}

impl<W: Write + Send> FrameSink<W> {
    /// Writes the header of a stream of `kind` to `out`.
    pub fn new(out: W, stage: StageId, kind: StreamKind) -> Result<FrameSink<W>, Error> {
        Ok(FrameSink {
            writer: Some(FrameWriter::new(out, kind)?),
            stage,
        })
    }

    /// The inner writer, once finished.
    pub fn into_inner(self) -> Option<FrameWriter<W>> {
        self.writer
    }
}

impl<W: Write + Send> Sink for FrameSink<W> {
    type Item = Record;
    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let writer = self
            .writer
            .as_mut()
            .ok_or_else(|| StageError::new(self.stage, "frame stream already finished"))?;
        writer
            .write(&record)
            .map_err(|err| StageError::new(self.stage, err))
    }
    fn finish(&mut self) -> Result<(), StageError> {
        if let Some(writer) = self.writer.take() {
            writer
                .finish()
                .map_err(|err| StageError::new(self.stage, err))?;
        }
        Ok(())
    }
}

/// Writes `value` as a blob of `kind` in format `version` (see the module docs).
pub fn write_blob<T: serde::Serialize>(
    mut out: impl Write,
    kind: StreamKind,
    version: u16,
    value: &T,
) -> Result<(), Error> {
    let bytes = bincode::serde::encode_to_vec(value, config()).map_err(Error::Encode)?;
    out.write_all(MAGIC)?;
    out.write_all(&version.to_le_bytes())?;
    out.write_all(&[kind.to_byte(), 0])?;
    out.write_all(&(bytes.len() as u64).to_le_bytes())?;
    out.write_all(&bytes)?;
    out.flush()?;
    Ok(())
}

/// Reads a blob of `kind` in format `version`, checking its header and length.
pub fn read_blob<T: serde::de::DeserializeOwned>(
    mut input: impl Read,
    kind: StreamKind,
    version: u16,
) -> Result<T, Error> {
    let mut header = [0u8; 18];
    read_full(&mut input, &mut header).map_err(|err| match err {
        ReadFull::Eof(_) => Error::BadMagic,
        ReadFull::Io(err) => Error::Io(err),
    })?;
    if &header[..6] != MAGIC {
        return Err(Error::BadMagic);
    }
    let found = StreamKind::from_byte(header[8]).ok_or(Error::Kind(header[8]))?;
    if found != kind {
        return Err(Error::BlobKind {
            expected: kind,
            found,
        });
    }
    let found_version = u16::from_le_bytes([header[6], header[7]]);
    if found_version != version {
        return Err(Error::BlobVersion {
            kind,
            found: found_version,
            expected: version,
        });
    }
    let len = u64::from_le_bytes(header[10..18].try_into().expect("8 bytes"));
    let mut bytes = Vec::new();
    input.take(len).read_to_end(&mut bytes)?;
    if bytes.len() as u64 != len {
        return Err(Error::Truncated { n_frames: 0 });
    }
    let (value, used) =
        decode_bounded(&bytes).map_err(|source| Error::Decode { index: 0, source })?;
    if used != bytes.len() {
        return Err(Error::Decode {
            index: 0,
            source: bincode::error::DecodeError::Other("trailing bytes in blob"),
        });
    }
    Ok(value)
}

enum ReadFull {
    Eof(#[allow(dead_code)] usize),
    Io(io::Error),
}

/// Fills `buf`, telling a clean end of input apart from an I/O error.
fn read_full(input: &mut impl Read, buf: &mut [u8]) -> Result<(), ReadFull> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => return Err(ReadFull::Eof(filled)),
            Ok(n) => filled += n,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(ReadFull::Io(err)),
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::doc::{Reject, Source};

    fn reject(seq: u64) -> Record {
        Record::Reject(Reject {
            seq,
            id: format!("d{seq}"),
            source: Source::default(),
            reason: "r".into(),
        })
    }

    fn stream(records: &[Record]) -> Vec<u8> {
        let mut w = FrameWriter::new(Vec::new(), StreamKind::Docs).unwrap();
        for r in records {
            w.write(r).unwrap();
        }
        w.finish().unwrap()
    }

    fn read_all(bytes: &[u8]) -> Result<Vec<Record>, Error> {
        let mut r = FrameReader::new(bytes)?;
        let mut out = Vec::new();
        while let Some(rec) = r.read()? {
            out.push(rec);
        }
        Ok(out)
    }

    #[test]
    fn blob_round_trip_and_checks() {
        let value = vec![(1u64, 2u32), (3, 4)];
        let mut bytes = Vec::new();
        write_blob(&mut bytes, StreamKind::SiteModel, 7, &value).unwrap();
        let back: Vec<(u64, u32)> = read_blob(bytes.as_slice(), StreamKind::SiteModel, 7).unwrap();
        assert_eq!(back, value);
        let err = read_blob::<Vec<(u64, u32)>>(bytes.as_slice(), StreamKind::SiteModel, 8);
        assert_eq!(
            err.unwrap_err().to_string(),
            "learn file has format version 7, this newsclean reads version 8"
        );
        let cut = &bytes[..bytes.len() - 1];
        assert!(matches!(
            read_blob::<Vec<(u64, u32)>>(cut, StreamKind::SiteModel, 7),
            Err(Error::Truncated { .. })
        ));
        let frames = stream(&[reject(0)]);
        assert!(matches!(
            read_blob::<Vec<(u64, u32)>>(frames.as_slice(), StreamKind::SiteModel, 7),
            Err(Error::BlobKind { .. })
        ));
    }

    #[test]
    fn round_trip() {
        let records = vec![reject(0), reject(1)];
        assert_eq!(read_all(&stream(&records)).unwrap(), records);
    }

    #[test]
    fn appended_frames_continue_the_stream() {
        let mut w = FrameWriter::new(Vec::new(), StreamKind::Docs).unwrap();
        w.write(&reject(0)).unwrap();
        let mut w = FrameWriter::append(std::mem::take(w.get_mut()));
        w.write(&reject(1)).unwrap();
        assert_eq!(
            read_all(&w.finish().unwrap()).unwrap(),
            vec![reject(0), reject(1)]
        );
    }

    #[test]
    fn wrong_kind_is_named() {
        let bytes = stream(&[reject(0)]);
        let err = FrameSource::new(
            bytes.as_slice(),
            StageId::Segment,
            StreamKind::Marked,
            MAX_FRAME - 1,
        )
        .err()
        .unwrap();
        assert_eq!(
            err.to_string(),
            "`segment` reads the output of `dedupe`, but this stream was written by `ingest`"
        );
    }

    #[test]
    fn garbage_is_an_error() {
        assert!(matches!(
            read_all(b"hello world, not frames"),
            Err(Error::BadMagic)
        ));
        assert!(matches!(read_all(b""), Err(Error::BadMagic)));
    }

    #[test]
    fn truncation_is_detected() {
        let bytes = stream(&[reject(0), reject(1)]);
        for cut in 10..bytes.len() {
            assert!(
                read_all(&bytes[..cut]).is_err(),
                "cut at {cut} went unnoticed"
            );
        }
    }

    #[test]
    fn corrupt_frames_do_not_panic() {
        let mut bytes = stream(&[reject(0)]);
        for i in 10..bytes.len() - 4 {
            bytes[i] ^= 0xA5;
            let _ = read_all(&bytes);
            bytes[i] ^= 0xA5;
        }
    }
}
