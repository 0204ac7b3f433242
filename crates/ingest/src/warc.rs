//! WARC and WET files (ISO 28500), read record by record.
//!
//! A record is a `WARC/1.x` version line, header lines up to a blank line, and a body of
//! exactly `Content-Length` bytes. Compressed files hold one gzip member per record, which
//! the multi-member gzip reader reads as one stream. Documents are `conversion` records (the
//! text of a WET file), `response` records whose HTTP payload is HTML or plain text, and
//! `resource` records of those types; the other records (`warcinfo`, `request`, `metadata`,
//! images, scripts) are not documents and are passed over. The target URI becomes
//! `source.url`; the record's id and date go to `meta`. A document's id is the file's id and
//! the record's number in the file (`crawl/3`).
//!
//! No crate fits (the WARC readers on crates.io are unmaintained or read whole records
//! without bounds), so this is a small reader of its own: every line and body is bounded.

use std::io::{self, BufRead, Read};

use newsclean_core::{DocSource, RawFormat};

use crate::format::looks_like_html;
use crate::read::{FormatError, LineRead, read_at_most, read_line};
use crate::walk::{FileCtx, Out};

/// The longest WARC or HTTP header line kept.
const MAX_HEADER_LINE: usize = 64 << 10;
/// The most header lines in one WARC or HTTP header.
const MAX_HEADERS: usize = 1000;

/// Emits one record per document record of `input`. `Err` means the file cannot be read
/// further (corrupt framing, a truncated or corrupt stream); the caller reports it.
pub(crate) fn read(
    input: &mut impl BufRead,
    ctx: &FileCtx<'_>,
    out: &mut Out<'_>,
) -> io::Result<()> {
    let mut line = Vec::new();
    let mut n_record = 0u64;
    loop {
        if out.is_stopped() {
            return Ok(());
        }
        // Records are followed by two CRLFs: skip blank lines up to the next version line.
        loop {
            match read_line(input, 1024, &mut line)? {
                LineRead::Eof => return Ok(()),
                LineRead::TooLong { .. } => {
                    return Err(corrupt(format!(
                        "expected a WARC/1.x version line after record {n_record}"
                    )));
                }
                LineRead::Line if line.trim_ascii().is_empty() => {}
                LineRead::Line => break,
            }
        }
        n_record += 1;
        if !line.starts_with(b"WARC/") {
            return Err(corrupt(format!(
                "record {n_record} does not start with a WARC/1.x version line"
            )));
        }
        let headers = read_headers(input, &mut line, "WARC")?;
        let len = header(&headers, "content-length")
            .and_then(|len| len.trim().parse::<u64>().ok())
            .ok_or_else(|| corrupt(format!("record {n_record} has no valid Content-Length")))?;
        let mut body = input.take(len);
        if !record(&mut body, &headers, n_record, ctx, out) {
            return Ok(());
        }
        io::copy(&mut body, &mut io::sink())?;
        if body.limit() > 0 {
            return Err(cut_short(n_record));
        }
    }
}

fn corrupt(message: String) -> io::Error {
    FormatError::io(io::ErrorKind::InvalidData, message)
}

fn cut_short(n_record: u64) -> io::Error {
    FormatError::io(
        io::ErrorKind::UnexpectedEof,
        format!("record {n_record} is cut short"),
    )
}

/// Header lines up to a blank line, as lowercase names and trimmed values.
fn read_headers(
    input: &mut impl BufRead,
    line: &mut Vec<u8>,
    what: &str,
) -> io::Result<Vec<(String, String)>> {
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        match read_line(input, MAX_HEADER_LINE, line)? {
            LineRead::Eof => {
                return Err(FormatError::io(
                    io::ErrorKind::UnexpectedEof,
                    format!("the input ends inside a {what} header"),
                ));
            }
            LineRead::TooLong { .. } => {
                return Err(corrupt(format!("{what} header line is too long")));
            }
            LineRead::Line => {}
        }
        let text = String::from_utf8_lossy(line);
        let text = text.trim_end_matches('\r');
        if text.is_empty() {
            return Ok(headers);
        }
        if headers.len() >= MAX_HEADERS {
            return Err(corrupt(format!("{what} header has too many lines")));
        }
        if text.starts_with([' ', '\t']) {
            if let Some((_, value)) = headers.last_mut() {
                value.push(' ');
                value.push_str(text.trim());
                continue;
            }
        }
        let Some((name, value)) = text.split_once(':') else {
            return Err(corrupt(format!("malformed {what} header line {text:?}")));
        };
        headers.push((name.trim().to_ascii_lowercase(), value.trim().to_owned()));
    }
}

fn header<'h>(headers: &'h [(String, String)], name: &str) -> Option<&'h str> {
    headers
        .iter()
        .find(|(n, _)| n == name)
        .map(|(_, v)| v.as_str())
}

/// The media type of a `Content-Type` value, lowercase, and its `charset` parameter.
fn media_type(content_type: &str) -> (String, Option<String>) {
    let mut parts = content_type.split(';');
    let media = parts.next().unwrap_or("").trim().to_ascii_lowercase();
    let charset = parts.find_map(|param| {
        let (key, value) = param.split_once('=')?;
        (key.trim().eq_ignore_ascii_case("charset"))
            .then(|| value.trim().trim_matches(['"', '\'']).to_owned())
    });
    (media, charset)
}

/// The parts of an HTTP response head that decoding needs.
struct HttpHead {
    content_type: Option<String>,
    is_chunked: bool,
    content_encoding: Option<String>,
}

/// Reads an HTTP response head from the start of a record body.
fn read_http_head(
    body: &mut impl BufRead,
    line: &mut Vec<u8>,
) -> io::Result<Result<HttpHead, String>> {
    match read_line(body, MAX_HEADER_LINE, line)? {
        LineRead::Line if line.starts_with(b"HTTP/") => {}
        _ => return Ok(Err("response record has no HTTP status line".into())),
    }
    let headers = read_headers(body, line, "HTTP")?;
    let content_encoding = header(&headers, "content-encoding")
        .map(|v| v.trim().to_ascii_lowercase())
        .filter(|v| !v.is_empty() && v != "identity");
    Ok(Ok(HttpHead {
        content_type: header(&headers, "content-type").map(str::to_owned),
        is_chunked: header(&headers, "transfer-encoding")
            .is_some_and(|v| v.to_ascii_lowercase().contains("chunked")),
        content_encoding,
    }))
}

/// Reads the payload of a chunked HTTP body, keeping at most `max` bytes; `Ok(Err)` for a
/// malformed or too large one.
fn dechunk(body: &mut impl BufRead, max: u64) -> io::Result<Result<Vec<u8>, String>> {
    let mut payload = Vec::new();
    let mut line = Vec::new();
    loop {
        if read_line(body, 1024, &mut line)? != LineRead::Line {
            return Ok(Err("malformed chunked HTTP payload".into()));
        }
        let size_text = String::from_utf8_lossy(&line);
        let size_text = size_text.split(';').next().unwrap_or("").trim();
        let Ok(size) = u64::from_str_radix(size_text, 16) else {
            return Ok(Err("malformed chunked HTTP payload".into()));
        };
        if size == 0 {
            return Ok(Ok(payload));
        }
        if payload.len() as u64 + size > max {
            return Ok(Err(format!(
                "HTTP payload is over the limit of {max} bytes (--max-doc-bytes)"
            )));
        }
        let before = payload.len();
        body.take(size).read_to_end(&mut payload)?;
        if (payload.len() - before) as u64 != size {
            return Ok(Err("chunked HTTP payload is cut short".into()));
        }
        // The CRLF after the chunk.
        read_line(body, 1024, &mut line)?;
    }
}

/// Handles one record's body; returns `false` when the file cannot be read further (the
/// record was cut short and reported).
fn record(
    body: &mut io::Take<&mut impl BufRead>,
    headers: &[(String, String)],
    n_record: u64,
    ctx: &FileCtx<'_>,
    out: &mut Out<'_>,
) -> bool {
    let warc_type = header(headers, "warc-type")
        .unwrap_or("")
        .to_ascii_lowercase();
    if !matches!(warc_type.as_str(), "conversion" | "response" | "resource") {
        return true;
    }
    let (record_media, record_charset) = media_type(header(headers, "content-type").unwrap_or(""));
    if warc_type == "response" && record_media != "application/http" {
        // dns: and other non-HTTP responses.
        return true;
    }
    let (id, source) = record_source(headers, n_record, ctx);
    let head = if warc_type == "response" {
        let mut line = Vec::new();
        match read_http_head(body, &mut line) {
            Ok(Ok(head)) => head,
            Ok(Err(reason)) => {
                out.reject(id, source, reason);
                return true;
            }
            Err(err)
                if matches!(
                    err.kind(),
                    io::ErrorKind::InvalidData | io::ErrorKind::UnexpectedEof
                ) =>
            {
                out.reject(id, source, format!("malformed HTTP response: {err}"));
                return true;
            }
            Err(err) => {
                out.reject(id, source, ctx.stream_error(&err));
                return false;
            }
        }
    } else {
        HttpHead {
            content_type: header(headers, "content-type").map(str::to_owned),
            is_chunked: false,
            content_encoding: None,
        }
    };
    let (media, charset) = match head.content_type.as_deref() {
        Some(content_type) => media_type(content_type),
        None => (String::new(), record_charset),
    };
    let format = match media.as_str() {
        "text/html" | "application/xhtml+xml" => Some(RawFormat::Html),
        "text/plain" => Some(RawFormat::Text),
        "" => None,
        // Images, scripts, PDFs: not pages.
        _ => return true,
    };
    match payload(body, &head, n_record, ctx) {
        Ok(payload) => {
            let format = format.unwrap_or(if looks_like_html(&payload) {
                RawFormat::Html
            } else {
                RawFormat::Text
            });
            out.doc(id, source, format, charset, payload);
            true
        }
        Err(Failure::Reject(reason)) => {
            out.reject(id, source, reason);
            true
        }
        Err(Failure::Fatal(reason)) => {
            out.reject(id, source, reason);
            false
        }
    }
}

/// The id and source of a document record.
fn record_source(
    headers: &[(String, String)],
    n_record: u64,
    ctx: &FileCtx<'_>,
) -> (String, DocSource) {
    let id = format!("{}/{n_record}", ctx.id);
    let record_id =
        header(headers, "warc-record-id").map(|v| v.trim_matches(['<', '>']).to_owned());
    let mut source = ctx.source(Some(
        record_id
            .clone()
            .unwrap_or_else(|| format!("record {n_record}")),
    ));
    source.url = header(headers, "warc-target-uri")
        .map(|uri| uri.trim_matches(['<', '>']).to_owned())
        .filter(|uri| !uri.is_empty());
    let mut meta = serde_json::Map::new();
    if let Some(record_id) = record_id {
        meta.insert("warc_record_id".into(), record_id.into());
    }
    if let Some(date) = header(headers, "warc-date") {
        meta.insert("warc_date".into(), date.into());
    }
    source.meta = (!meta.is_empty()).then(|| serde_json::Value::Object(meta).to_string());
    (id, source)
}

/// Why a payload could not be read: this document only, or the rest of the file too.
enum Failure {
    Reject(String),
    Fatal(String),
}

/// Reads the payload of a record, undoing HTTP transfer and content encodings.
fn payload(
    body: &mut io::Take<&mut impl BufRead>,
    head: &HttpHead,
    n_record: u64,
    ctx: &FileCtx<'_>,
) -> Result<Vec<u8>, Failure> {
    let max = ctx.config.max_doc_bytes;
    let payload = if head.is_chunked {
        match dechunk(body, max) {
            Ok(Ok(payload)) => payload,
            Ok(Err(reason)) => return Err(Failure::Reject(reason)),
            Err(err) => return Err(Failure::Fatal(ctx.stream_error(&err))),
        }
    } else {
        match read_at_most(body, max) {
            Ok(Some(payload)) => payload,
            Ok(None) => {
                return Err(Failure::Reject(ctx.too_large("WARC record payload", None)));
            }
            Err(err) => return Err(Failure::Fatal(ctx.stream_error(&err))),
        }
    };
    if body.limit() > 0 && !head.is_chunked {
        return Err(Failure::Fatal(ctx.stream_error(&cut_short(n_record))));
    }
    match head.content_encoding.as_deref() {
        None => Ok(payload),
        Some("gzip" | "x-gzip") => {
            let mut decoder = flate2::read::MultiGzDecoder::new(payload.as_slice());
            match read_at_most(&mut decoder, max) {
                Ok(Some(payload)) => Ok(payload),
                Ok(None) => Err(Failure::Reject(
                    ctx.too_large("decompressed HTTP payload", None),
                )),
                Err(err) => Err(Failure::Reject(format!(
                    "HTTP payload is not valid gzip: {err}"
                ))),
            }
        }
        Some(other) => Err(Failure::Reject(format!(
            "HTTP Content-Encoding {other:?} is not supported"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_types() {
        assert_eq!(
            media_type("text/html; charset=\"ISO-8859-1\""),
            ("text/html".into(), Some("ISO-8859-1".into()))
        );
        assert_eq!(media_type("Text/Plain"), ("text/plain".into(), None));
    }

    #[test]
    fn chunked_payloads() {
        let mut body = &b"4\r\nWiki\r\n5;ext=1\r\npedia\r\n0\r\n\r\n"[..];
        assert_eq!(dechunk(&mut body, 100).unwrap(), Ok(b"Wikipedia".to_vec()));
        let mut body = &b"zz\r\n"[..];
        assert!(dechunk(&mut body, 100).unwrap().is_err());
        let mut body = &b"ff\r\nshort"[..];
        assert!(dechunk(&mut body, 1000).unwrap().is_err());
        let mut body = &b"ff\r\n"[..];
        assert!(dechunk(&mut body, 10).unwrap().is_err());
    }
}
