//! Input formats and compressions, told apart by file name and by content.
//!
//! Compression is recognised by its magic bytes, which are unambiguous; a name that claims a
//! compression its content lacks is a reject. The container format (text, HTML, JSONL, WARC,
//! tar, zip) comes from `--input-format` when given, else from the name's extension when it
//! is a known one (so `binary.txt` is text even if it starts like a zip file), else from
//! the content.

use std::path::Path;

/// What an input file holds, once decompressed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum InputFormat {
    /// Decide per file from its name and content.
    #[default]
    Auto,
    /// One plain-text document per file.
    Text,
    /// One HTML page per file, turned into its visible text.
    Html,
    /// One JSON object per line, each a document.
    Jsonl,
    /// WARC or WET records: `conversion` records (WET text) and HTML `response` records.
    Warc,
    /// A tar archive: each regular member is a document.
    Tar,
    /// A zip archive: each file member is a document.
    Zip,
}

impl InputFormat {
    /// The lowercase name, as `--input-format` spells it.
    pub fn name(self) -> &'static str {
        match self {
            InputFormat::Auto => "auto",
            InputFormat::Text => "text",
            InputFormat::Html => "html",
            InputFormat::Jsonl => "jsonl",
            InputFormat::Warc => "warc",
            InputFormat::Tar => "tar",
            InputFormat::Zip => "zip",
        }
    }
}

/// A compression wrapped around an input file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Compression {
    Gzip,
    Zstd,
    Bzip2,
    Xz,
}

impl Compression {
    pub(crate) fn name(self) -> &'static str {
        match self {
            Compression::Gzip => "gzip",
            Compression::Zstd => "zstd",
            Compression::Bzip2 => "bzip2",
            Compression::Xz => "xz",
        }
    }

    /// The compression whose magic bytes `head` starts with.
    pub(crate) fn sniff(head: &[u8]) -> Option<Compression> {
        if head.starts_with(b"\x1f\x8b\x08") {
            Some(Compression::Gzip)
        } else if head.starts_with(b"\x28\xb5\x2f\xfd") {
            Some(Compression::Zstd)
        } else if head.starts_with(b"\xfd7zXZ\x00") {
            Some(Compression::Xz)
        } else if head.len() >= 10
            && head.starts_with(b"BZh")
            && (b'1'..=b'9').contains(&head[3])
            // "BZh" alone is plain text; a real stream goes on with a block or end magic.
            && (head[4..10] == *b"\x31\x41\x59\x26\x53\x59" || head[4..10] == *b"\x17\x72\x45\x38\x50\x90")
        {
            Some(Compression::Bzip2)
        } else {
            None
        }
    }
}

/// Lowercase extension of a file name (`a.TXT` → `txt`).
fn extension(name: &str) -> Option<String> {
    let dot = name.rfind('.')?;
    (dot > 0).then(|| name[dot + 1..].to_ascii_lowercase())
}

/// The compression a file name claims, and the name without that extension
/// (`a.jsonl.gz` → gzip, `a.jsonl`; `a.tgz` → gzip, `a.tar`).
pub(crate) fn split_compression(name: &str) -> (Option<Compression>, String) {
    let Some(ext) = extension(name) else {
        return (None, name.to_owned());
    };
    let stem = &name[..name.len() - ext.len() - 1];
    match ext.as_str() {
        "gz" | "gzip" => (Some(Compression::Gzip), stem.to_owned()),
        "zst" | "zstd" => (Some(Compression::Zstd), stem.to_owned()),
        "bz2" => (Some(Compression::Bzip2), stem.to_owned()),
        "xz" => (Some(Compression::Xz), stem.to_owned()),
        "tgz" => (Some(Compression::Gzip), format!("{stem}.tar")),
        "tzst" => (Some(Compression::Zstd), format!("{stem}.tar")),
        _ => (None, name.to_owned()),
    }
}

/// The format a (decompressed) file name says, if its extension is a known one.
pub(crate) fn format_of_name(name: &str) -> Option<InputFormat> {
    let format = match extension(name)?.as_str() {
        "txt" | "text" => InputFormat::Text,
        "html" | "htm" | "xhtml" | "shtml" => InputFormat::Html,
        "jsonl" | "ndjson" => InputFormat::Jsonl,
        "warc" | "wet" => InputFormat::Warc,
        "tar" => InputFormat::Tar,
        "zip" => InputFormat::Zip,
        _ => return None,
    };
    Some(format)
}

/// The format of content that starts with `head` (at least the first 512 bytes when the
/// content is that long). `can_be_zip` is false inside a compressed stream: zip archives
/// need random access, so they are only read as plain files.
pub(crate) fn sniff_format(head: &[u8], can_be_zip: bool) -> InputFormat {
    if head.starts_with(b"WARC/") {
        InputFormat::Warc
    } else if head.len() >= 262 && &head[257..262] == b"ustar" {
        InputFormat::Tar
    } else if can_be_zip && (head.starts_with(b"PK\x03\x04") || head.starts_with(b"PK\x05\x06")) {
        InputFormat::Zip
    } else if looks_like_html(head) {
        InputFormat::Html
    } else if looks_like_jsonl(head) {
        InputFormat::Jsonl
    } else {
        InputFormat::Text
    }
}

/// Tag names that mark content as HTML: the document's own, and the elements that HTML
/// fragments (a scraped `<div>` or `<article>`, without `<html>`) start with.
const HTML_TAGS: [&str; 46] = [
    "html",
    "head",
    "body",
    "meta",
    "title",
    "link",
    "base",
    "script",
    "style",
    "noscript",
    "div",
    "span",
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "a",
    "b",
    "i",
    "em",
    "strong",
    "small",
    "img",
    "figure",
    "figcaption",
    "picture",
    "article",
    "section",
    "main",
    "header",
    "footer",
    "nav",
    "aside",
    "ul",
    "ol",
    "li",
    "table",
    "tr",
    "td",
    "blockquote",
    "time",
];

/// True when `rest` (what follows a `<` or `</`) starts with a known HTML tag name that ends
/// there (`div>`, `p class=…`, `br/`), case-insensitively.
fn html_tag_at(rest: &[u8]) -> bool {
    HTML_TAGS.iter().any(|tag| {
        rest.len() > tag.len()
            && rest[..tag.len()].eq_ignore_ascii_case(tag.as_bytes())
            && matches!(rest[tag.len()], b'>' | b'/' | b' ' | b'\t' | b'\n' | b'\r')
    })
}

/// True when `head` is HTML: it starts (after a BOM and whitespace) with a doctype, a comment,
/// an XML declaration or a known tag, also of a fragment (`<div><h1>…`); or it has at least
/// three known tags (text with `<p>` and `<br>` in it).
pub(crate) fn looks_like_html(head: &[u8]) -> bool {
    // Only the start counts: callers may pass a whole document.
    let head = &head[..head.len().min(1024)];
    let head = head.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(head);
    let start = head
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(head.len());
    let head = &head[start..];
    if let Some(rest) = head.strip_prefix(b"<") {
        let prefix: Vec<u8> = rest.iter().take(9).map(u8::to_ascii_lowercase).collect();
        if prefix.starts_with(b"!doctype")
            || prefix.starts_with(b"!--")
            || prefix.starts_with(b"?xml")
            || html_tag_at(rest)
        {
            return true;
        }
    }
    let mut n_tags = 0;
    for at in memchr::memchr_iter(b'<', head) {
        let rest = &head[at + 1..];
        let rest = rest.strip_prefix(b"/").unwrap_or(rest);
        if html_tag_at(rest) {
            n_tags += 1;
            if n_tags == 3 {
                return true;
            }
        }
    }
    false
}

/// True when the first line of `head` is a JSON object: complete, or cut off by the end of
/// `head` but valid up to there (a JSONL line is often longer than the bytes sniffed).
fn looks_like_jsonl(head: &[u8]) -> bool {
    let (line, is_cut) = match memchr::memchr(b'\n', head) {
        Some(end) => (&head[..end], false),
        None => (head, true),
    };
    let line = line
        .strip_prefix(b"\xEF\xBB\xBF")
        .unwrap_or(line)
        .trim_ascii();
    if !line.starts_with(b"{") {
        return false;
    }
    match serde_json::from_slice::<serde_json::Map<String, serde_json::Value>>(line) {
        Ok(_) => true,
        // Cut off: valid so far, and long enough to have shown a key.
        Err(err) => is_cut && err.is_eof() && line.contains(&b':'),
    }
}

/// The name of the last component of `path`, lossily as text.
pub(crate) fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|name| name.to_string_lossy().into_owned())
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        assert_eq!(
            split_compression("a.jsonl.gz"),
            (Some(Compression::Gzip), "a.jsonl".into())
        );
        assert_eq!(
            split_compression("a.tgz"),
            (Some(Compression::Gzip), "a.tar".into())
        );
        assert_eq!(split_compression("a.txt"), (None, "a.txt".into()));
        assert_eq!(split_compression(".gz"), (None, ".gz".into()));
        assert_eq!(format_of_name("x.WET"), Some(InputFormat::Warc));
        assert_eq!(format_of_name("x.htm"), Some(InputFormat::Html));
        assert_eq!(format_of_name("x"), None);
        assert_eq!(format_of_name("x.json"), None);
    }

    #[test]
    fn magic() {
        assert_eq!(
            Compression::sniff(b"\x1f\x8b\x08\0"),
            Some(Compression::Gzip)
        );
        assert_eq!(
            Compression::sniff(b"BZh91AY&SY..."),
            Some(Compression::Bzip2)
        );
        assert_eq!(Compression::sniff(b"BZh9 is just text"), None);
        assert_eq!(Compression::sniff(b"plain"), None);
    }

    #[test]
    fn sniffing() {
        assert_eq!(sniff_format(b"WARC/1.0\r\n", true), InputFormat::Warc);
        assert_eq!(sniff_format(b"PK\x03\x04", true), InputFormat::Zip);
        assert_eq!(sniff_format(b"PK\x03\x04", false), InputFormat::Text);
        assert_eq!(
            sniff_format(b"\n  <!DOCTYPE html><html>", true),
            InputFormat::Html
        );
        assert_eq!(
            sniff_format(b"{\"text\": \"a\"}\n{\"te", true),
            InputFormat::Jsonl
        );
        assert_eq!(sniff_format(b"{not json}\n", true), InputFormat::Text);
        // A first line longer than the bytes sniffed: valid so far is enough.
        assert_eq!(
            sniff_format(b"{\"id\": \"a\", \"text\": \"A long", true),
            InputFormat::Jsonl
        );
        assert_eq!(
            sniff_format(b"{\"id\": \"a\"} and", true),
            InputFormat::Text
        );
        assert_eq!(sniff_format(b"{ curly start", true), InputFormat::Text);
        // HTML fragments, without <html>.
        assert_eq!(
            sniff_format(b"<div><h1>Title</h1><p>Body", true),
            InputFormat::Html
        );
        assert_eq!(sniff_format(b"<P class=x>Body", true), InputFormat::Html);
        assert_eq!(
            sniff_format(b"Title<br>\nBody<br>\n<b>bold</b>", true),
            InputFormat::Html
        );
        assert_eq!(sniff_format(b"<3 you", true), InputFormat::Text);
        assert_eq!(sniff_format(b"a <b> c", true), InputFormat::Text);
        assert_eq!(
            sniff_format(b"<pre-release> notes", true),
            InputFormat::Text
        );
        assert_eq!(sniff_format(b"Headline\nBody", true), InputFormat::Text);
        let mut tar = vec![0u8; 512];
        tar[257..262].copy_from_slice(b"ustar");
        assert_eq!(sniff_format(&tar, true), InputFormat::Tar);
    }
}
