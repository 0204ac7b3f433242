//! Document ids: stable, readable, and always safe as a relative path under an output
//! directory.
//!
//! An id is a `/`-separated list of parts, none of them empty, `.` or `..`, and none holding a
//! `\`, a NUL or another control character, each at most [`MAX_PART`] bytes. Ids come from
//! file paths, archive member names, JSON fields and WARC record numbers, so whatever an
//! archive member is called (`../../x`, `/etc/x`, `a\b`), the text export's files stay
//! inside the output directory.

use std::path::{Component, Path};

/// The longest part of an id, in bytes, so that `<part>.txt` fits in a file name.
pub const MAX_PART: usize = 200;

/// The stable id of a document: its path relative to the input root with `/` separators and
/// without the extension of the file name (`a/b.txt` → `a/b`). Only normal path components
/// survive, so an id never climbs out of an output directory.
pub fn doc_id(rel: &Path) -> String {
    let mut parts: Vec<String> = Vec::new();
    for component in rel.components() {
        if let Component::Normal(part) = component {
            push_parts(&mut parts, &part.to_string_lossy());
        }
    }
    let Some(last) = parts.last_mut() else {
        return "input".into();
    };
    if let Some(dot) = last.rfind('.') {
        if dot > 0 {
            last.truncate(dot);
        }
    }
    parts.join("/")
}

/// An id given by the input (a JSON field), made safe: separators `/` and `\` split parts,
/// and empty, `.` and `..` parts are dropped. The extension is kept. Empty if nothing is left.
pub fn clean_id(raw: &str) -> String {
    let mut parts = Vec::new();
    push_parts(&mut parts, raw);
    parts.join("/")
}

/// The id of an archive member: the archive's id, then the member's path without extension.
pub(crate) fn member_id(archive_id: &str, member: &str) -> String {
    let mut parts = Vec::new();
    push_parts(&mut parts, member);
    let member = doc_id(Path::new(&parts.join("/")));
    format!("{archive_id}/{member}")
}

/// Appends the safe parts of `text` (split at `/` and `\`) to `parts`.
fn push_parts(parts: &mut Vec<String>, text: &str) {
    for part in text.split(['/', '\\']) {
        if part.is_empty() || part == "." || part == ".." {
            continue;
        }
        let mut clean: String = part
            .chars()
            .map(|c| if c.is_control() { '_' } else { c })
            .collect();
        if clean.len() > MAX_PART {
            let mut end = MAX_PART;
            while !clean.is_char_boundary(end) {
                end -= 1;
            }
            clean.truncate(end);
        }
        parts.push(clean);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids() {
        assert_eq!(doc_id(Path::new("a/b.txt")), "a/b");
        assert_eq!(doc_id(Path::new("x.tar.gz")), "x.tar");
        assert_eq!(doc_id(Path::new("README")), "README");
        assert_eq!(doc_id(Path::new(".hidden")), ".hidden");
        assert_eq!(doc_id(Path::new("../../etc/passwd")), "etc/passwd");
        assert_eq!(doc_id(Path::new("/abs/x.txt")), "abs/x");
        assert_eq!(doc_id(Path::new("win\\dir\\x.txt")), "win/dir/x");
        assert_eq!(doc_id(Path::new("..")), "input");
        assert_eq!(doc_id(Path::new("a\u{0}b\n.txt")), "a_b_");
        assert_eq!(doc_id(Path::new(&"é".repeat(150))).len(), 200);
    }

    #[test]
    fn member_and_input_ids() {
        assert_eq!(member_id("dump", "../../x.txt"), "dump/x");
        assert_eq!(member_id("dump", "/etc/passwd"), "dump/etc/passwd");
        assert_eq!(member_id("dump", "./a/./b.html"), "dump/a/b");
        assert_eq!(member_id("dump", ".."), "dump/input");
        assert_eq!(clean_id("news/2024.01/a"), "news/2024.01/a");
        assert_eq!(clean_id("../../x"), "x");
        assert_eq!(clean_id("/"), "");
    }
}
