//! Bytes to text.

use newsclean_core::{Doc, DocStats, RawDoc, Record, Reject, StageError, Transform};

/// The transform that decodes [`Record::Raw`] into [`Record::Doc`] or [`Record::Reject`];
/// other records pass through.
#[derive(Debug, Clone, Copy, Default)]
pub struct Decoder;

impl Transform for Decoder {
    type Item = Record;
    fn process(&mut self, record: Record) -> Result<Record, StageError> {
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
    } = raw;
    let n_bytes = bytes.len() as u64;
    let reject = |reason: String| {
        Box::new(Reject {
            seq,
            id: id.clone(),
            source: source.clone(),
            reason,
        })
    };
    if bytes.is_empty() {
        return Err(reject("empty file".into()));
    }
    let (text, encoding, n_invalid) = if let Some(rest) = bytes.strip_prefix(b"\xFF\xFE") {
        let (text, n_invalid) = decode_utf16(rest, u16::from_le_bytes);
        (text, "utf-16le", n_invalid)
    } else if let Some(rest) = bytes.strip_prefix(b"\xFE\xFF") {
        let (text, n_invalid) = decode_utf16(rest, u16::from_be_bytes);
        (text, "utf-16be", n_invalid)
    } else {
        let body = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&bytes);
        if let Some(at) = memchr::memchr(0, body) {
            return Err(reject(format!("binary file (NUL byte at offset {at})")));
        }
        let (text, n_invalid) = decode_utf8_lossy(body);
        (text, "utf-8", n_invalid)
    };
    if text.contains('\0') {
        return Err(reject("binary file (NUL character in text)".into()));
    }
    let text = normalize_newlines(text);
    if text.trim().is_empty() {
        return Err(reject("empty file (whitespace only)".into()));
    }
    Ok(Doc {
        seq,
        id,
        source,
        text,
        stats: DocStats {
            n_bytes,
            encoding: encoding.into(),
            n_invalid,
        },
    })
}

/// UTF-8 with invalid sequences replaced by U+FFFD, and how many were replaced.
fn decode_utf8_lossy(bytes: &[u8]) -> (String, u64) {
    if let Ok(text) = std::str::from_utf8(bytes) {
        (text.to_owned(), 0)
    } else {
        let mut text = String::with_capacity(bytes.len() + 16);
        let mut n_invalid = 0;
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            if !chunk.invalid().is_empty() {
                text.push('\u{FFFD}');
                n_invalid += 1;
            }
        }
        (text, n_invalid)
    }
}

fn decode_utf16(bytes: &[u8], unit: fn([u8; 2]) -> u16) -> (String, u64) {
    let units = bytes.chunks(2).map(|pair| {
        if pair.len() == 2 {
            unit([pair[0], pair[1]])
        } else {
            0xFFFD
        }
    });
    let mut n_invalid = 0;
    let text = char::decode_utf16(units)
        .map(|c| {
            c.unwrap_or_else(|_| {
                n_invalid += 1;
                '\u{FFFD}'
            })
        })
        .collect();
    (text, n_invalid)
}

/// `\r\n` and lone `\r` become `\n`.
fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
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

    fn check(bytes: &[u8]) -> Result<(String, u64), String> {
        let raw = RawDoc {
            seq: 0,
            id: "x".into(),
            source: DocSource::default(),
            bytes: bytes.to_vec(),
        };
        try_decode(raw)
            .map(|doc| (doc.text, doc.stats.n_invalid))
            .map_err(|r| r.reason)
    }

    #[test]
    fn utf8_with_bom_and_crlf() {
        assert_eq!(
            check(b"\xEF\xBB\xBFa\r\nb\rc\n"),
            Ok(("a\nb\nc\n".into(), 0))
        );
    }

    #[test]
    fn invalid_utf8_is_replaced_and_counted() {
        assert_eq!(
            check(b"caf\xE9 ok \xFF\xFE!"),
            Ok(("caf\u{FFFD} ok \u{FFFD}\u{FFFD}!".into(), 3))
        );
    }

    #[test]
    fn utf16_with_bom() {
        assert_eq!(check(b"\xFF\xFEh\0i\0"), Ok(("hi".into(), 0)));
        assert_eq!(check(b"\xFE\xFF\0h\0i"), Ok(("hi".into(), 0)));
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
            Err("binary file (NUL byte at offset 4)".into())
        );
    }

    proptest! {
        #[test]
        fn never_panics_and_text_has_no_cr(bytes in proptest::collection::vec(any::<u8>(), 0..200)) {
            if let Ok((text, _)) = check(&bytes) {
                prop_assert!(!text.contains('\r'));
            }
        }
    }
}
