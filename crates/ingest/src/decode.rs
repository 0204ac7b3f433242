//! Bytes to text: the [`Decoder`] transform, which runs on the workers.
//!
//! The source only finds documents and reads their bytes; everything costly (charset
//! detection, HTML parsing) happens here, in parallel.

use newsclean_core::{
    Doc, DocStats, RawDoc, RawFormat, Record, Reject, StageError, StageId, Transform,
};

use crate::{charset, html};

/// The transform that decodes [`Record::Raw`] into [`Record::Doc`] or [`Record::Reject`],
/// and a [`Record::Encoded`] into the record it holds; other records pass through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoder;

impl Transform for Decoder {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
        let record = match record {
            // A spooled record (see `Encoded`): decoded here, on a worker.
            Record::Encoded(encoded) => encoded
                .decode()
                .map_err(|err| StageError::new(StageId::Ingest, err))?,
            other => other,
        };
        Ok(match record {
            Record::Raw(raw) => decode(raw),
            other => other,
        })
    }
}

/// Decodes one document's bytes into a [`Record::Doc`], or a [`Record::Reject`] that says why
/// it cannot be used.
pub fn decode(raw: RawDoc) -> Record {
    match try_decode(raw) {
        Ok(doc) => Record::Doc(doc),
        Err(reject) => Record::Reject(*reject),
    }
}

fn try_decode(raw: RawDoc) -> Result<Doc, Box<Reject>> {
    let RawDoc {
        seq,
        id,
        source,
        bytes,
        format,
        charset,
    } = raw;
    let n_bytes = bytes.len() as u64;
    // "file" for files, "document" for archive members, lines and records.
    let what = if source.member.is_some() {
        "document"
    } else {
        "file"
    };
    let reject = |reason: String| {
        Box::new(Reject {
            seq,
            id: id.clone(),
            source: source.clone(),
            reason,
        })
    };
    if bytes.is_empty() {
        return Err(reject(format!("empty {what}")));
    }
    let is_utf16 = bytes.starts_with(b"\xFF\xFE")
        || bytes.starts_with(b"\xFE\xFF")
        || charset::utf16_without_bom(&bytes).is_some();
    let mut bytes = bytes;
    let mut n_nul = 0u64;
    if !is_utf16 && memchr::memchr(0, &bytes).is_some() {
        // A stray NUL in a page is damage, not a sign of a binary file: judge by the share of
        // NUL and control bytes, and drop the NULs of a text page. See: issue 10.
        let (n_control, n_sampled) = control_bytes(&bytes);
        if is_binary(n_control, n_sampled) {
            return Err(reject(format!(
                "binary {what} ({n_control} NUL or control bytes in the first {n_sampled})"
            )));
        }
        let before = bytes.len();
        bytes.retain(|&b| b != 0);
        n_nul = (before - bytes.len()) as u64;
    }
    let tld = source.url.as_deref().and_then(tld_of);
    let is_html = format == RawFormat::Html;
    let mut decoded = charset::decode(&bytes, charset.as_deref(), is_html, tld);
    drop(bytes);
    if memchr::memchr(0, decoded.text.as_bytes()).is_some() {
        // NUL characters after decoding (UTF-16 with a BOM): the same judgement on characters.
        let n_chars = decoded.text.chars().take(SNIFF_BYTES).count() as u64;
        let n_control = decoded
            .text
            .chars()
            .take(SNIFF_BYTES)
            .filter(|&c| is_control_char(c))
            .count() as u64;
        if is_binary(n_control, n_chars) {
            return Err(reject(format!(
                "binary {what} ({n_control} NUL or control characters in the first {n_chars})"
            )));
        }
        let before = decoded.text.len();
        decoded.text.retain(|c| c != '\0');
        n_nul += (before - decoded.text.len()) as u64;
    }
    let (text, markup) = if is_html {
        let (text, markup) = html::to_text(&decoded.text);
        if text.is_empty() {
            return Err(reject("HTML page has no visible text".into()));
        }
        (text, Some(Box::new(markup)))
    } else {
        (normalize_newlines(decoded.text), None)
    };
    let (text, n_controls) = strip_controls(text);
    if text.trim().is_empty() {
        return Err(reject(format!("empty {what} (whitespace only)")));
    }
    Ok(Doc {
        seq,
        id,
        source,
        text,
        stats: DocStats {
            n_bytes,
            encoding: decoded.encoding,
            n_invalid: decoded.n_invalid + n_nul,
            n_controls,
        },
        markup,
    })
}

/// How many leading bytes (or characters) [`is_binary`] judges.
const SNIFF_BYTES: usize = 64 * 1024;

/// A control character that text does not hold: C0 controls other than tab, line feed, form
/// feed, carriage return and escape.
fn is_control_char(c: char) -> bool {
    (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\x0C' | '\r' | '\x1B')
}

/// NUL and other control bytes among the first [`SNIFF_BYTES`] bytes, and how many bytes
/// that is.
fn control_bytes(bytes: &[u8]) -> (u64, u64) {
    let head = &bytes[..bytes.len().min(SNIFF_BYTES)];
    let n_control = head
        .iter()
        .filter(|&&b| is_control_char(char::from(b)))
        .count();
    (n_control as u64, head.len() as u64)
}

/// Binary data, not damaged text: more than 1 % NUL or control bytes. Text pages hold almost
/// none (a stray NUL from a broken scraper is one in thousands of bytes); images, archives and
/// compressed data hold several percent (random bytes about 11 %), and UTF-16 without a BOM
/// is half NULs.
fn is_binary(n_control: u64, n_sampled: u64) -> bool {
    n_control * 100 > n_sampled
}

/// The top-level domain of a URL (`https://www.asahi.com/x` → `com`), a hint for charset
/// detection.
fn tld_of(url: &str) -> Option<&[u8]> {
    let rest = url.split_once("://").map_or(url, |(_, rest)| rest);
    let host = rest.split(['/', '?', '#']).next()?;
    let host = host.rsplit_once('@').map_or(host, |(_, host)| host);
    let host = host.split(':').next()?;
    let tld = host.trim_end_matches('.').rsplit('.').next()?;
    (!tld.is_empty() && tld.bytes().all(|b| b.is_ascii_alphabetic())).then_some(tld.as_bytes())
}

/// Removes control characters (C0 and C1 but tab and newline, and DEL: escape sequences,
/// bells, backspaces) that would pass into the output text; returns the text and how many
/// were removed. A scan of the bytes finds none in almost every document. See: issue 13.
fn strip_controls(text: String) -> (String, u64) {
    if !has_controls(text.as_bytes()) {
        return (text, 0);
    }
    let mut n_removed = 0;
    let clean = text
        .chars()
        .filter(|&c| {
            let is_removed = c.is_control() && c != '\t' && c != '\n';
            n_removed += u64::from(is_removed);
            !is_removed
        })
        .collect();
    (clean, n_removed)
}

/// Whether `bytes` (UTF-8) hold a control character [`strip_controls`] removes. Blocks of 64
/// bytes are screened branch-free (the compiler vectorises it) for the bytes that can start one:
/// C0 but tab and newline, DEL, and 0xC2, the lead byte of the C1 controls; only a block with
/// such a byte is checked exactly.
fn has_controls(bytes: &[u8]) -> bool {
    const BLOCK: usize = 64;
    let suspect = |b: u8| {
        u8::from(b < 0x20) & u8::from(b != b'\t') & u8::from(b != b'\n')
            | u8::from(b == 0x7F)
            | u8::from(b == 0xC2)
    };
    bytes.chunks(BLOCK).enumerate().any(|(k, block)| {
        if block.iter().fold(0, |any, &b| any | suspect(b)) == 0 {
            return false;
        }
        (k * BLOCK..k * BLOCK + block.len()).any(|i| match bytes[i] {
            b'\t' | b'\n' => false,
            0..0x20 | 0x7F => true,
            // C1 controls are U+0080 to U+009F: 0xC2 0x80 to 0xC2 0x9F in UTF-8.
            0xC2 => bytes
                .get(i + 1)
                .is_some_and(|next| (0x80..0xA0).contains(next)),
            _ => false,
        })
    })
}

/// `\r\n` and lone `\r` become `\n`.
fn normalize_newlines(text: String) -> String {
    if memchr::memchr(b'\r', text.as_bytes()).is_none() {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' {
            if chars.peek() == Some(&'\n') {
                chars.next();
            }
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use newsclean_core::DocSource;
    use proptest::prelude::*;

    use super::*;

    fn check_as(bytes: &[u8], format: RawFormat) -> Result<(String, String, u64), String> {
        let raw = RawDoc {
            seq: 0,
            id: "x".into(),
            source: DocSource::default(),
            bytes: bytes.to_vec(),
            format,
            charset: None,
        };
        try_decode(raw)
            .map(|doc| (doc.text, doc.stats.encoding, doc.stats.n_invalid))
            .map_err(|r| r.reason)
    }

    fn check(bytes: &[u8]) -> Result<(String, u64), String> {
        check_as(bytes, RawFormat::Text).map(|(text, _, n_invalid)| (text, n_invalid))
    }

    #[test]
    fn utf8_with_bom_and_crlf() {
        assert_eq!(
            check(b"\xEF\xBB\xBFa\r\nb\rc\n"),
            Ok(("a\nb\nc\n".into(), 0))
        );
    }

    #[test]
    fn invalid_utf8_without_other_clues_is_detected_as_legacy() {
        assert_eq!(
            check_as(b"caf\xE9 ok", RawFormat::Text),
            Ok(("café ok".into(), "windows-1252 (detected)".into(), 0))
        );
    }

    #[test]
    fn utf16_with_bom() {
        assert_eq!(check(b"\xFF\xFEh\0i\0"), Ok(("hi".into(), 0)));
        assert_eq!(check(b"\xFE\xFF\0h\0i"), Ok(("hi".into(), 0)));
    }

    #[test]
    fn utf16_without_bom_is_told_by_its_nuls() {
        let text = "Tomorrow\u{2019}s news: the café reopens.\nSecond line.";
        let le: Vec<u8> = text.encode_utf16().flat_map(u16::to_le_bytes).collect();
        let be: Vec<u8> = text.encode_utf16().flat_map(u16::to_be_bytes).collect();
        assert_eq!(
            check_as(&le, RawFormat::Text),
            Ok((text.to_owned(), "utf-16le (detected)".into(), 0))
        );
        assert_eq!(
            check_as(&be, RawFormat::Text),
            Ok((text.to_owned(), "utf-16be (detected)".into(), 0))
        );
        // Binary with NULs on both sides stays binary, and so does a lone NUL.
        assert_eq!(
            check(b"ab\0cd"),
            Err("binary file (1 NUL or control bytes in the first 5)".into())
        );
        assert_eq!(
            check(b"\0\0\x01\0\0\x02ab\0\0"),
            Err("binary file (8 NUL or control bytes in the first 10)".into())
        );
    }

    #[test]
    fn control_characters_are_removed_and_counted() {
        let raw = RawDoc {
            seq: 0,
            id: "x".into(),
            source: DocSource::default(),
            bytes: "Ti\u{1b}[31mtle\u{7}\nbody\u{8}\ttab \u{85}next\u{7f} caf\u{e9} \u{a0}end\n"
                .as_bytes()
                .to_vec(),
            format: RawFormat::Text,
            charset: None,
        };
        let doc = try_decode(raw).unwrap();
        assert_eq!(doc.text, "Ti[31mtle\nbody\ttab next caf\u{e9} \u{a0}end\n");
        assert_eq!(doc.stats.n_controls, 5);
    }

    #[test]
    fn html_is_turned_into_lines() {
        assert_eq!(
            check_as(
                b"<html><head><title>T</title><meta charset=windows-1251></head><body><p>\xcf\xf0\xe8\xe2\xe5\xf2</p></body></html>",
                RawFormat::Html
            ),
            Ok((
                "T\nПривет\n".into(),
                "windows-1251 (declared)".into(),
                0
            ))
        );
        assert_eq!(
            check_as(b"<script>x()</script>", RawFormat::Html),
            Err("HTML page has no visible text".into())
        );
    }

    #[test]
    fn rejects() {
        assert_eq!(check(b""), Err("empty file".into()));
        assert_eq!(
            check(b" \n\t\r\n"),
            Err("empty file (whitespace only)".into())
        );
        assert_eq!(
            check(b"PK\x03\x04\0\0binary"),
            Err("binary file (4 NUL or control bytes in the first 12)".into())
        );
        assert_eq!(
            check(b"\xFF\xFEh\0\0\0\x01\0"),
            Err("binary file (2 NUL or control characters in the first 3)".into())
        );
    }

    // See: issue 10 (one stray NUL byte rejected a whole page as binary).
    #[test]
    fn a_stray_nul_is_dropped_and_counted() {
        let mut page = b"<html><title>T</title><p>First paragraph.</p>".to_vec();
        page.push(0);
        page.extend_from_slice(&b"<p>Second paragraph, still text.</p>".repeat(4));
        assert_eq!(
            check_as(&page, RawFormat::Html),
            Ok((
                format!(
                    "T\nFirst paragraph.\n{}",
                    "Second paragraph, still text.\n".repeat(4)
                ),
                "utf-8".into(),
                1
            ))
        );
        let mut text = b"A line of text that a scraper saved with a NUL".to_vec();
        text.extend_from_slice(b"\0 in it, and more text after it.\n");
        text.extend_from_slice(&b"Another line of ordinary text.\n".repeat(3));
        assert_eq!(
            check(&text),
            Ok((
                format!(
                    "A line of text that a scraper saved with a NUL in it, and more text after it.\n{}",
                    "Another line of ordinary text.\n".repeat(3)
                ),
                1
            ))
        );
    }

    #[test]
    fn tlds() {
        assert_eq!(tld_of("https://www.asahi.com/x"), Some(&b"com"[..]));
        assert_eq!(tld_of("http://user@news.example.jp:8080"), Some(&b"jp"[..]));
        assert_eq!(tld_of("http://127.0.0.1/"), None);
    }

    proptest! {
        #[test]
        fn never_panics_and_text_has_no_cr(
            bytes in proptest::collection::vec(any::<u8>(), 0..200),
            is_html in any::<bool>(),
        ) {
            let format = if is_html { RawFormat::Html } else { RawFormat::Text };
            if let Ok((text, _, _)) = check_as(&bytes, format) {
                prop_assert!(!text.contains('\r'));
                prop_assert!(!text.contains(|c: char| c.is_control() && c != '\n' && c != '\t'));
                prop_assert!(!text.trim().is_empty());
            }
        }

        /// The block screen agrees with the definition, wherever the control falls in a block.
        #[test]
        fn the_control_screen_agrees_with_the_definition(
            text in "[a-z \t\n\u{7f}-\u{a0}\u{1}-\u{1f}\u{100}\u{1000}]{0,300}",
        ) {
            let expected = text.chars().any(|c| c.is_control() && c != '\t' && c != '\n');
            prop_assert_eq!(has_controls(text.as_bytes()), expected);
        }
    }
}
