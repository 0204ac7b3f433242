//! Directory trees with one file per article: plain text (`<id>.txt`) or Markdown (`<id>.md`).
//!
//! The Markdown of an article:
//!
//! ```text
//! # Title
//!
//! *byline, as written on the page*
//!
//! *date line, as written on the page*
//!
//! - summary bullet
//!
//! paragraph before the first heading
//!
//! ## Heading
//!
//! paragraph
//!
//! ---
//!
//! **Related**
//!
//! - related title
//! ```
//!
//! Text is escaped so that it reads back as the same text: a backslash goes before `\`, `*`,
//! `_`, `` ` ``, `[`, `]` and `<` anywhere, and before a character that would start a block at
//! the start of a line (`#`, `>`, `-`, `+`, `=`, `|`, `~`, and the `.` or `)` of `1.`).

use std::io;
use std::path::{Path, PathBuf};

use newsclean_core::Article;
use newsclean_core::hash::stable_hash;

use crate::Error;
use crate::atomic::AtomicFile;

/// Which tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum TreeKind {
    Text,
    Markdown,
}

impl TreeKind {
    fn extension(self) -> &'static str {
        match self {
            TreeKind::Text => "txt",
            TreeKind::Markdown => "md",
        }
    }
}

/// A tree being built under a temporary name beside its final path and renamed into place
/// by [`TreeDir::commit`], so that a tree appears whole or not at all (see: issue 13, item
/// 4). Dropped without a commit, the temporary tree is removed, except a resumable one
/// (`<name>.partial`), which a resumed run goes on writing.
///
/// An existing directory at the final path is replaced as a whole when it holds nothing but
/// articles of the same kind (an earlier run's tree) and folders; anything else there is
/// refused before any work, so that `-o ~` cannot replace a home directory.
pub(crate) struct TreeDir {
    path: PathBuf,
    tmp: PathBuf,
    kind: TreeKind,
    is_kept: bool,
    is_done: bool,
}

fn write_error(path: &Path) -> impl FnOnce(io::Error) -> Error + '_ {
    move |source| Error::Write {
        path: path.to_path_buf(),
        source,
    }
}

impl TreeDir {
    /// Starts a tree for `path` under `<name>.tmp-<pid>`.
    pub(crate) fn create(path: &Path, kind: TreeKind) -> Result<TreeDir, Error> {
        let tmp = AtomicFile::temp_path(path);
        TreeDir::start(path, tmp, kind, false)
    }

    /// Starts (empty) the resumable tree for `path`, `<name>.partial`.
    pub(crate) fn create_partial(path: &Path, kind: TreeKind) -> Result<TreeDir, Error> {
        TreeDir::start(path, AtomicFile::partial_path(path), kind, true)
    }

    /// Goes on with the resumable tree of `path`; `Ok(None)` when it is missing.
    pub(crate) fn resume_partial(path: &Path, kind: TreeKind) -> Result<Option<TreeDir>, Error> {
        check_replaceable(path, kind)?;
        let tmp = AtomicFile::partial_path(path);
        if !tmp.is_dir() {
            return Ok(None);
        }
        Ok(Some(TreeDir {
            path: path.to_path_buf(),
            tmp,
            kind,
            is_kept: true,
            is_done: false,
        }))
    }

    fn start(path: &Path, tmp: PathBuf, kind: TreeKind, is_kept: bool) -> Result<TreeDir, Error> {
        check_replaceable(path, kind)?;
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent).map_err(write_error(path))?;
        }
        if std::fs::symlink_metadata(&tmp).is_ok() {
            std::fs::remove_dir_all(&tmp).map_err(write_error(path))?;
        }
        std::fs::create_dir(&tmp).map_err(write_error(path))?;
        Ok(TreeDir {
            path: path.to_path_buf(),
            tmp,
            kind,
            is_kept,
            is_done: false,
        })
    }

    /// The final path of the tree.
    pub(crate) fn path(&self) -> &Path {
        &self.path
    }

    /// Writes one article's file into the tree.
    pub(crate) fn write(&self, article: &Article) -> Result<(), Error> {
        let path = tree_path(&self.tmp, &article.id, self.kind.extension());
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent).map_err(write_error(&self.path))?;
        }
        let body = match self.kind {
            TreeKind::Text => {
                // Line 1 is the title, empty when the article has none: a reader never takes
                // the first paragraph for it.
                let mut text = if article.title.is_none() {
                    String::from("\n")
                } else {
                    String::new()
                };
                text.push_str(&article.text());
                text.push('\n');
                text
            }
            TreeKind::Markdown => markdown(article),
        };
        std::fs::write(&path, body).map_err(write_error(&self.path))
    }

    /// Puts the tree in place, replacing an earlier one.
    pub(crate) fn commit(mut self) -> Result<(), Error> {
        if std::fs::symlink_metadata(&self.path).is_ok() {
            // A directory cannot be renamed over a non-empty one: the old tree steps aside
            // first, under a temporary name that a later run would clean up if this one died.
            let mut old = self.tmp.clone().into_os_string();
            old.push(".old");
            let old = PathBuf::from(old);
            std::fs::rename(&self.path, &old).map_err(write_error(&self.path))?;
            std::fs::rename(&self.tmp, &self.path).map_err(write_error(&self.path))?;
            self.is_done = true;
            std::fs::remove_dir_all(&old).map_err(write_error(&self.path))?;
        } else {
            std::fs::rename(&self.tmp, &self.path).map_err(write_error(&self.path))?;
            self.is_done = true;
        }
        Ok(())
    }
}

impl Drop for TreeDir {
    fn drop(&mut self) {
        if !self.is_done && !self.is_kept {
            // Not committed: the run failed or was interrupted. Leave no partial tree.
            let _ = std::fs::remove_dir_all(&self.tmp);
        }
    }
}

/// Refuses to replace an existing `path` that is not an earlier tree of `kind` (a file, or
/// a directory holding anything but folders and `.<extension>` files).
fn check_replaceable(path: &Path, kind: TreeKind) -> Result<(), Error> {
    let Ok(meta) = std::fs::metadata(path) else {
        return Ok(());
    };
    let refuse = |what: String| Error::TreeNotReplaceable {
        path: path.to_path_buf(),
        what,
    };
    if !meta.is_dir() {
        return Err(refuse("is not a directory".into()));
    }
    let extension = std::ffi::OsStr::new(kind.extension());
    let mut stack = vec![path.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).map_err(write_error(path))? {
            let entry = entry.map_err(write_error(path))?;
            let file_type = entry.file_type().map_err(write_error(path))?;
            let child = entry.path();
            if file_type.is_dir() {
                stack.push(child);
            } else if !(file_type.is_file() && child.extension() == Some(extension)) {
                return Err(refuse(format!(
                    "holds {}, which is not a .{} article",
                    child.display(),
                    kind.extension()
                )));
            }
        }
    }
    Ok(())
}

/// The longest path of an article's file relative to the tree, in bytes: far below
/// `PATH_MAX` (4096 on Linux), whatever the tree's own path.
pub const MAX_REL_PATH: usize = 1024;
/// The longest file or folder name, in bytes (255 on most file systems).
const MAX_NAME: usize = 240;

/// The file of an article in a tree: `<dir>/<id>.<extension>`, unique and bounded for every
/// id, and never outside `dir` (see [`tree_rel_path`]).
pub(crate) fn tree_path(dir: &Path, id: &str, extension: &str) -> PathBuf {
    dir.join(tree_rel_path(id, extension))
}

/// The path of an article's file relative to its tree. A function of the id alone (so a
/// resumed run names files as the run that stopped did), one to one for the ids of a run,
/// and always a valid path (see: issue 13, item 3):
///
/// * the parts of the id are folders, its last part the file, `<last>.<extension>`;
/// * a folder whose name ends in `.<extension>` (followed by any number of `_`) gets one
///   more `_`, so that no folder is named like an article's file (`x` and `x.txt/y` are
///   `x.txt` and `x.txt_/y.txt`);
/// * an id whose path would be longer than [`MAX_REL_PATH`] bytes, or has a part longer than
///   a file name may be, or is not a safe relative path (an empty, `.` or `..` part, a `\`,
///   a control character; ingest never makes such ids, but a frame stream may carry them),
///   keeps the folders that fit and gets a file named after its hash.
pub fn tree_rel_path(id: &str, extension: &str) -> PathBuf {
    let parts: Vec<&str> = id.split('/').collect();
    let is_safe = parts.iter().all(|p| {
        !p.is_empty()
            && *p != "."
            && *p != ".."
            && !p.contains('\\')
            && !p.contains(char::is_control)
    });
    let (dirs, last) = parts.split_at(parts.len() - 1);
    let dirs: Vec<String> = dirs.iter().map(|d| escape_dir(d, extension)).collect();
    let file = format!("{}.{extension}", last[0]);
    let n_bytes = dirs.iter().map(|d| d.len() + 1).sum::<usize>() + file.len();
    let fits = n_bytes <= MAX_REL_PATH && dirs.iter().chain([&file]).all(|p| p.len() <= MAX_NAME);
    let mut rel = PathBuf::new();
    if is_safe && fits {
        rel.extend(&dirs);
        rel.push(file);
        return rel;
    }
    let hashed = format!("{:016x}.{extension}", stable_hash(id.as_bytes()));
    if is_safe {
        let mut n_bytes = 0;
        for dir in &dirs {
            if dir.len() > MAX_NAME || n_bytes + dir.len() + 1 + hashed.len() > MAX_REL_PATH {
                break;
            }
            n_bytes += dir.len() + 1;
            rel.push(dir);
        }
    }
    rel.push(hashed);
    rel
}

/// A folder name that cannot be an article's file name (see [`tree_rel_path`]).
fn escape_dir(name: &str, extension: &str) -> String {
    let base = name.trim_end_matches('_');
    let is_like_a_file = base
        .strip_suffix(extension)
        .is_some_and(|stem| stem.ends_with('.'));
    if is_like_a_file {
        format!("{name}_")
    } else {
        name.to_owned()
    }
}

/// Escapes one line of text for Markdown (see the module docs).
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let starts_block = text.starts_with(['#', '>', '-', '+', '=', '|', '~']);
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let ordered_mark = digits > 0 && text[digits..].starts_with(['.', ')']);
    for (i, c) in text.char_indices() {
        let is_block_mark = (i == 0 && starts_block) || (ordered_mark && i == digits);
        if is_block_mark || matches!(c, '\\' | '*' | '_' | '`' | '[' | ']' | '<') {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// The Markdown of an article (see the module docs).
pub(crate) fn markdown(article: &Article) -> String {
    let mut blocks: Vec<String> = Vec::new();
    if let Some(title) = &article.title {
        blocks.push(format!("# {}", escape_markdown(title)));
    }
    if let Some(byline) = &article.byline {
        blocks.push(format!("*{}*", escape_markdown(byline)));
    }
    if let Some(published) = &article.published_text {
        blocks.push(format!("*{}*", escape_markdown(published)));
    }
    let bullets = |items: &[String]| {
        items
            .iter()
            .map(|item| format!("- {}", escape_markdown(item)))
            .collect::<Vec<_>>()
            .join("\n")
    };
    if !article.summary.is_empty() {
        blocks.push(bullets(&article.summary));
    }
    for section in &article.sections {
        if let Some(heading) = &section.heading {
            blocks.push(format!("## {}", escape_markdown(heading)));
        }
        blocks.extend(section.paragraphs.iter().map(|p| escape_markdown(p)));
    }
    if !article.related.is_empty() {
        blocks.push("---".to_owned());
        blocks.push("**Related**".to_owned());
        blocks.push(bullets(&article.related));
    }
    let mut out = blocks.join("\n\n");
    out.push('\n');
    out
}

#[cfg(test)]
mod tests {
    use newsclean_core::Section;

    use super::*;

    #[test]
    fn ids_cannot_escape() {
        let rel = |id: &str| tree_rel_path(id, "txt").to_string_lossy().into_owned();
        assert_eq!(rel("a/b"), "a/b.txt");
        for bad in ["../x", "/x", "a//b", "a/./b", "a\\b", "a/\u{1b}"] {
            // A file named after the id's hash, at the top of the tree.
            let path = rel(bad);
            let hash = path.strip_suffix(".txt").unwrap_or_default();
            assert!(
                hash.len() == 16 && hash.bytes().all(|b| b.is_ascii_hexdigit()),
                "{bad}: {path}"
            );
        }
    }

    #[test]
    fn names_are_unique_and_bounded() {
        let rel = |id: &str| tree_rel_path(id, "txt").to_string_lossy().into_owned();
        // A folder never takes the name of an article's file, whatever the order.
        assert_eq!(rel("x"), "x.txt");
        assert_eq!(rel("x.txt/y"), "x.txt_/y.txt");
        assert_eq!(rel("x.txt_/y"), "x.txt__/y.txt");
        assert_eq!(rel("x.txt_a/y"), "x.txt_a/y.txt");
        assert_eq!(rel("x.md/y"), "x.md/y.txt");
        assert_eq!(
            tree_rel_path("x.md/y", "md").to_string_lossy(),
            "x.md_/y.md"
        );
        // 25 folders of 200 bytes: the path stays under the bound, the id decides the name.
        let long = vec!["d".repeat(200); 25].join("/");
        let other = format!("{long}x");
        let (a, b) = (rel(&long), rel(&other));
        assert!(
            a.len() <= MAX_REL_PATH && b.len() <= MAX_REL_PATH,
            "{}",
            a.len()
        );
        assert_ne!(a, b);
        assert!(a.starts_with(&format!("{}/", "d".repeat(200))));
        // One name too long for a file system.
        assert!(rel(&"n".repeat(300)).len() < 255);
    }

    #[test]
    fn escapes() {
        assert_eq!(escape_markdown("# not a heading"), "\\# not a heading");
        assert_eq!(escape_markdown("1. not a list"), "1\\. not a list");
        assert_eq!(escape_markdown("2020 was good"), "2020 was good");
        assert_eq!(
            escape_markdown("a *b* [c] \\ d_e"),
            "a \\*b\\* \\[c\\] \\\\ d\\_e"
        );
        assert_eq!(escape_markdown("- dash"), "\\- dash");
        assert_eq!(escape_markdown("a - b"), "a - b");
    }

    #[test]
    fn markdown_layout() {
        let article = Article {
            title: Some("Big *news*".into()),
            summary: vec!["One.".into(), "Two.".into()],
            sections: vec![
                Section {
                    heading: None,
                    paragraphs: vec!["Lead.".into()],
                },
                Section {
                    heading: Some("More".into()),
                    paragraphs: vec!["# Body.".into(), "End.".into()],
                },
            ],
            related: vec!["Other".into()],
            ..Article::default()
        };
        assert_eq!(
            markdown(&article),
            "# Big \\*news\\*\n\n- One.\n- Two.\n\nLead.\n\n## More\n\n\\# Body.\n\nEnd.\n\n---\n\n**Related**\n\n- Other\n"
        );
    }
}
