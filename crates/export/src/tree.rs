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

use std::io::Write;
use std::path::{Path, PathBuf};

use newsclean_core::Article;

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

/// Writes one article's file into `dir`, atomically.
pub(crate) fn write(dir: &Path, kind: TreeKind, article: &Article) -> Result<(), Error> {
    let path = tree_path(dir, &article.id, kind.extension())?;
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|source| Error::Write {
            path: parent.to_path_buf(),
            source,
        })?;
    }
    let body = match kind {
        TreeKind::Text => {
            let mut text = article.text();
            text.push('\n');
            text
        }
        TreeKind::Markdown => markdown(article),
    };
    let mut file = AtomicFile::create(&path)?;
    file.write_all(body.as_bytes())
        .map_err(|source| Error::Write {
            path: path.clone(),
            source,
        })?;
    file.commit()
}

/// The file of an article in a tree; ids never climb out of `dir`.
pub(crate) fn tree_path(dir: &Path, id: &str, extension: &str) -> Result<PathBuf, Error> {
    let mut path = dir.to_path_buf();
    let parts: Vec<&str> = id.split('/').collect();
    if parts
        .iter()
        .any(|p| p.is_empty() || *p == "." || *p == ".." || p.contains('\\') || p.contains('\0'))
    {
        return Err(Error::BadId(id.to_owned()));
    }
    for part in parts {
        path.push(part);
    }
    let mut name = path
        .file_name()
        .expect("ids have a last part")
        .to_os_string();
    name.push(".");
    name.push(extension);
    path.set_file_name(name);
    Ok(path)
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
        assert!(tree_path(Path::new("o"), "../x", "txt").is_err());
        assert!(tree_path(Path::new("o"), "/x", "txt").is_err());
        assert_eq!(
            tree_path(Path::new("o"), "a/b", "md").unwrap(),
            Path::new("o/a/b.md")
        );
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
