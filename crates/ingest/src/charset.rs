//! Choosing a document's character encoding and decoding it to UTF-8.
//!
//! The order is the one the dev set's inputs were made with, and the one browsers use: a
//! byte-order mark wins; then bytes that are valid UTF-8 are UTF-8; then a declared charset
//! (from the container, such as an HTTP header, or an HTML `<meta>`); then, for text that is
//! UTF-8 with a few damaged bytes, lossy UTF-8; then detection (`chardetng`) among the legacy
//! encodings (windows-1252, ISO-8859-x, `Shift_JIS`, GBK, KOI8-R, ...). The decision goes into
//! `DocStats::encoding`: the encoding's name, with ` (declared)` or ` (detected)` when it was
//! not UTF-8 or UTF-16.

use encoding_rs::{Encoding, UTF_8, UTF_16BE, UTF_16LE, WINDOWS_1252};

/// Text decoded from bytes, and how.
#[derive(Debug, PartialEq, Eq)]
pub(crate) struct Decoded {
    /// The text.
    pub text: String,
    /// The encoding and how it was chosen.
    pub encoding: String,
    /// Byte sequences that were invalid in that encoding (replaced by U+FFFD).
    pub n_invalid: u64,
}

/// Decodes `bytes`. `declared` is a charset label from the container; `is_html` enables the
/// `<meta charset>` scan; `tld` (the URL's top-level domain) helps detection.
pub(crate) fn decode(
    bytes: &[u8],
    declared: Option<&str>,
    is_html: bool,
    tld: Option<&[u8]>,
) -> Decoded {
    if let Some((encoding, bom_len)) = Encoding::for_bom(bytes) {
        return decode_with(encoding, &bytes[bom_len..], encoding_name(encoding));
    }
    if let Some(encoding) = utf16_without_bom(bytes) {
        let name = format!("{} (detected)", encoding_name(encoding));
        return decode_with(encoding, bytes, name);
    }
    if let Ok(text) = std::str::from_utf8(bytes) {
        return Decoded {
            text: text.to_owned(),
            encoding: "utf-8".into(),
            n_invalid: 0,
        };
    }
    let declared = declared
        .and_then(|label| Encoding::for_label(label.trim().as_bytes()))
        .or_else(|| is_html.then(|| meta_charset(bytes)).flatten())
        .map(|encoding| {
            // A page cannot declare itself UTF-16 in ASCII; browsers read such pages as
            // UTF-8, and x-user-defined as windows-1252.
            if encoding == UTF_16LE || encoding == UTF_16BE {
                UTF_8
            } else if encoding == encoding_rs::X_USER_DEFINED {
                WINDOWS_1252
            } else {
                encoding
            }
        });
    if let Some(encoding) = declared {
        let name = if encoding == UTF_8 {
            "utf-8".to_owned()
        } else {
            format!("{} (declared)", encoding_name(encoding))
        };
        return decode_with(encoding, bytes, name);
    }
    if is_mostly_utf8(bytes) {
        return decode_with(UTF_8, bytes, "utf-8".into());
    }
    let mut detector = chardetng::EncodingDetector::new(chardetng::Iso2022JpDetection::Deny);
    detector.feed(bytes, true);
    let encoding = detector.guess(tld, chardetng::Utf8Detection::Deny);
    let name = format!("{} (detected)", encoding_name(encoding));
    decode_with(encoding, bytes, name)
}

/// UTF-16 without a byte-order mark, told by its NUL bytes: text in a Latin script (and the
/// spaces, digits and punctuation of any script) has a NUL in every other byte, the high byte
/// of each code unit, and almost never one in the other half. Looks at the first 4 KiB: at
/// least a quarter of the code units (and at least 4) must have their NUL on one side, and
/// the other side at most a 32nd as many. Binary files have NULs on both sides, and a lone
/// NUL in a few bytes is not enough to call them text. See: issue 13.
pub(crate) fn utf16_without_bom(bytes: &[u8]) -> Option<&'static Encoding> {
    let head = &bytes[..bytes.len().min(4096)];
    let n_units = head.len() / 2;
    if n_units < 2 {
        return None;
    }
    let (mut n_even, mut n_odd) = (0, 0);
    for unit in head.chunks_exact(2) {
        n_even += usize::from(unit[0] == 0);
        n_odd += usize::from(unit[1] == 0);
    }
    let is_one_sided =
        |nuls: usize, other: usize| nuls >= 4 && 4 * nuls >= n_units && 32 * other <= nuls;
    if is_one_sided(n_odd, n_even) {
        Some(UTF_16LE)
    } else if is_one_sided(n_even, n_odd) {
        Some(UTF_16BE)
    } else {
        None
    }
}

fn encoding_name(encoding: &'static Encoding) -> String {
    encoding.name().to_ascii_lowercase()
}

fn decode_with(encoding: &'static Encoding, bytes: &[u8], name: String) -> Decoded {
    let (text, had_errors) = encoding.decode_without_bom_handling(bytes);
    let n_invalid = if had_errors {
        // Replacement characters that were already in the input are counted too: close
        // enough for a statistic, and never zero when something was replaced.
        text.matches('\u{FFFD}').count() as u64
    } else {
        0
    };
    Decoded {
        text: text.into_owned(),
        encoding: name,
        n_invalid,
    }
}

/// True when `bytes` are UTF-8 with a few damaged sequences: at least as many valid
/// multi-byte characters as invalid sequences. Legacy 8-bit text almost never forms valid
/// multi-byte UTF-8 by chance.
fn is_mostly_utf8(bytes: &[u8]) -> bool {
    let mut n_multi = 0u64;
    let mut n_bad = 0u64;
    for chunk in bytes.utf8_chunks() {
        n_multi += chunk.valid().chars().filter(|c| !c.is_ascii()).count() as u64;
        if !chunk.invalid().is_empty() {
            n_bad += 1;
        }
    }
    n_multi > 0 && n_bad <= n_multi
}

/// The charset an HTML page declares in a `<meta charset>` or `<meta http-equiv
/// content="...; charset=...">` within its first 8 KiB.
fn meta_charset(bytes: &[u8]) -> Option<&'static Encoding> {
    let head: Vec<u8> = bytes
        .iter()
        .take(8 << 10)
        .map(u8::to_ascii_lowercase)
        .collect();
    let mut at = 0;
    while let Some(found) = find(&head[at..], b"<meta") {
        let start = at + found + 5;
        let end = head[start..]
            .iter()
            .position(|&b| b == b'>')
            .map_or(head.len(), |p| start + p);
        let tag = &head[start..end];
        if let Some(encoding) = charset_in(tag).and_then(Encoding::for_label) {
            return Some(encoding);
        }
        at = end;
    }
    None
}

/// The value after `charset` `=` in a tag's text, without quotes.
fn charset_in(tag: &[u8]) -> Option<&[u8]> {
    let mut at = 0;
    while let Some(found) = find(&tag[at..], b"charset") {
        let mut i = at + found + 7;
        while tag.get(i).is_some_and(u8::is_ascii_whitespace) {
            i += 1;
        }
        if tag.get(i) == Some(&b'=') {
            i += 1;
            while tag
                .get(i)
                .is_some_and(|b| b.is_ascii_whitespace() || *b == b'"' || *b == b'\'')
            {
                i += 1;
            }
            let len = tag[i..]
                .iter()
                .position(|b| b.is_ascii_whitespace() || b"\"';/>".contains(b))
                .unwrap_or(tag.len() - i);
            if len > 0 {
                return Some(&tag[i..i + len]);
            }
        }
        at = at + found + 7;
    }
    None
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    memchr::memmem::find(haystack, needle)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(bytes: &[u8], declared: Option<&str>, is_html: bool) -> (String, String, u64) {
        let d = decode(bytes, declared, is_html, None);
        (d.text, d.encoding, d.n_invalid)
    }

    fn encode(text: &str, encoding: &'static Encoding) -> Vec<u8> {
        let (bytes, _, had_errors) = encoding.encode(text);
        assert!(!had_errors, "{text} is not representable");
        bytes.into_owned()
    }

    #[test]
    fn bom_then_utf8() {
        assert_eq!(
            check(b"\xEF\xBB\xBFcaf\xC3\xA9", None, false),
            ("café".into(), "utf-8".into(), 0)
        );
        assert_eq!(
            check(b"\xFF\xFEh\0i\0", None, false),
            ("hi".into(), "utf-16le".into(), 0)
        );
        // Valid UTF-8 wins over a wrong declaration.
        assert_eq!(
            check("naïve".as_bytes(), Some("iso-8859-1"), false),
            ("naïve".into(), "utf-8".into(), 0)
        );
    }

    #[test]
    fn declared_charsets() {
        // latin-1 is read as windows-1252, as browsers and the dev set do.
        assert_eq!(
            check(b"caf\xE9 \x93quoted\x94", Some("ISO-8859-1"), false),
            (
                "café \u{201C}quoted\u{201D}".into(),
                "windows-1252 (declared)".into(),
                0
            )
        );
        let html = b"<html><head><META http-equiv=\"Content-Type\" content=\"text/html; charset=koi8-r\"></head><body>\xf0\xd2\xc9\xd7\xc5\xd4</body>";
        let (text, encoding, _) = check(html, None, true);
        assert!(text.contains("Привет"), "{text}");
        assert_eq!(encoding, "koi8-r (declared)");
        let html = b"<meta charset='shift_jis'><p>\x93\xfa\x96\x7b";
        let (text, encoding, _) = check(html, None, true);
        assert!(text.ends_with("日本"), "{text}");
        assert_eq!(encoding, "shift_jis (declared)");
        // The meta scan is for HTML only.
        assert_ne!(check(html, None, false).1, "shift_jis (declared)");
    }

    #[test]
    fn detection_of_legacy_encodings() {
        let cases = [
            (
                "Die Bürger wählten ihren Bürgermeister, und die Straßen waren voller Menschen, die über die Ergebnisse sprachen.",
                encoding_rs::WINDOWS_1252,
            ),
            (
                "Вчера в городе состоялось собрание жителей, на котором обсуждали новые правила движения транспорта.",
                encoding_rs::KOI8_R,
            ),
            (
                "市立図書館は来月から、平日の開館時間を午後九時まで延長すると発表した。仕事帰りの利用者が増えている。",
                encoding_rs::SHIFT_JIS,
            ),
            (
                "市政府今天宣布，从下个月开始，公共图书馆将延长开放时间，以方便上班族在下班后借阅图书。",
                encoding_rs::GBK,
            ),
            (
                "Wczoraj w mieście odbyło się zebranie mieszkańców, na którym omawiano nowe zasady ruchu drogowego.",
                encoding_rs::ISO_8859_2,
            ),
        ];
        for (text, encoding) in cases {
            let bytes = encode(text, encoding);
            let decoded = decode(&bytes, None, false, None);
            assert_eq!(decoded.text, text, "{}", encoding.name());
            assert!(
                decoded.encoding.ends_with(" (detected)"),
                "{}",
                decoded.encoding
            );
        }
    }

    #[test]
    fn damaged_utf8_stays_utf8() {
        let mut bytes = "Zürich — “quoted” ".as_bytes().to_vec();
        bytes.push(0xFF);
        bytes.extend_from_slice(b" end");
        assert_eq!(
            check(&bytes, None, false),
            ("Zürich — “quoted” \u{FFFD} end".into(), "utf-8".into(), 1)
        );
    }

    #[test]
    fn charset_attribute_forms() {
        assert_eq!(charset_in(b" charset=\"utf-8\" /"), Some(&b"utf-8"[..]));
        assert_eq!(
            charset_in(b" content='text/html; charset = gbk'"),
            Some(&b"gbk"[..])
        );
        assert_eq!(charset_in(b" name=charset"), None);
    }
}
