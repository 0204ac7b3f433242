//! `newsclean explain FILE`: every input line with the decision `run` makes on it and why.
//!
//! It reads the file as `run` does (compressed, HTML, any charset; the first document of an
//! archive), runs the same decoder, dedupe and segment code on it and prints the
//! verdict each line ends with: its role (title, summary, byline, published, heading,
//! paragraph, related) or the reason it was removed, with the line classifier's score.

use std::ffi::OsStr;
use std::io::{self, IsTerminal, Write};
use std::path::Path;
use std::sync::Arc;

use anyhow::Context as _;
use newsclean_core::{NoopReporter, Reason, Record, Source, Verdict};
use newsclean_dedupe::mark_with;
use newsclean_ingest::{IngestConfig, InputSource, decode, doc_id};
use newsclean_segment::{View, segment};

use super::Settings;
use super::site_model::load_model;
use crate::args::{ColorChoice, ExplainArgs};
use crate::exit::ExitStatus;

const GREEN: &str = "\x1b[32m";
const BOLD_GREEN: &str = "\x1b[1;32m";
const CYAN: &str = "\x1b[36m";
const DIM: &str = "\x1b[2m";
const RED: &str = "\x1b[31m";
const RESET: &str = "\x1b[0m";

fn label(verdict: &Verdict) -> (String, &'static str) {
    match verdict {
        Verdict::Blank => (String::new(), ""),
        Verdict::Kept(role) => {
            let color = match role.name() {
                "title" => BOLD_GREEN,
                "related" | "byline" | "published" => CYAN,
                _ => GREEN,
            };
            (role.name().to_owned(), color)
        }
        Verdict::Removed(Reason::Boilerplate(rule)) => (format!("x boilerplate:{rule}"), RED),
        Verdict::Removed(Reason::LowScore(_)) => ("x low score".to_owned(), DIM),
        Verdict::Removed(reason) => (format!("x {}", reason.name().replace('_', " ")), RED),
        Verdict::Undecided | Verdict::TitleCandidate => ("?".to_owned(), ""),
    }
}

/// Whether to colour: `--color always`/`never` as said; `auto` on a terminal, unless
/// `NO_COLOR` is set to anything but the empty string (no-color.org) or `TERM` is `dumb`.
fn is_color(
    choice: ColorChoice,
    is_terminal: bool,
    no_color: Option<&OsStr>,
    term: Option<&OsStr>,
) -> bool {
    match choice {
        ColorChoice::Always => true,
        ColorChoice::Never => false,
        ColorChoice::Auto => {
            is_terminal
                && no_color.is_none_or(OsStr::is_empty)
                && term.is_none_or(|term| term != "dumb")
        }
    }
}

pub fn explain(args: &ExplainArgs) -> anyhow::Result<ExitStatus> {
    let settings = Settings::new(&args.common)?;
    let path: &Path = &args.file;
    // `-` is standard input, recognised by content as `run -` recognises it.
    if path != Path::new("-") && !path.is_file() {
        anyhow::bail!("{} is not a file", path.display());
    }
    // The first document of the file, read as `run` reads it.
    let mut first = None;
    InputSource::new(
        &[path.to_path_buf()],
        &IngestConfig::default(),
        &NoopReporter,
    )?
    .run(&mut |record| {
        first = Some(record);
        false
    })?;
    let record = first.ok_or_else(|| anyhow::anyhow!("{} holds no document", path.display()))?;
    let record = match record {
        Record::Raw(raw) => decode(raw),
        other => other,
    };
    let mut doc = match record {
        Record::Doc(doc) => doc,
        Record::Reject(reject) => {
            anyhow::bail!("{} is rejected: {}", path.display(), reject.reason)
        }
        other => anyhow::bail!("unexpected {}", other.kind_name()),
    };
    // Under --root, the page has the id `run ROOT` gives it, and so its site.
    if let Some(root) = &args.root {
        let rel = path
            .strip_prefix(root)
            .with_context(|| format!("{} is not under {}", path.display(), root.display()))?;
        doc.id = doc_id(rel);
    }
    // With a site model, the page is judged as `run --model` judges it.
    let mut dedupe = settings.dedupe.clone();
    if let Some(model) = &args.model {
        dedupe.site = Some(Arc::new(load_model(model)?));
    }
    let mut marked = mark_with(doc, &dedupe);
    let model = settings.segment.models.get(View::of(&marked));
    let article = segment(&mut marked, model);

    let is_color = is_color(
        args.color,
        io::stdout().is_terminal(),
        std::env::var_os("NO_COLOR").as_deref(),
        std::env::var_os("TERM").as_deref(),
    );
    let mut out = io::BufWriter::new(io::stdout().lock());
    writeln!(
        out,
        "{}: title {:?}; {} lines, {} kept",
        path.display(),
        article.title.as_deref().unwrap_or(""),
        article.stats.n_lines,
        article.stats.n_kept
    )?;
    for i in 0..marked.lines.len() {
        let line = &marked.lines[i];
        let (label, color) = label(&line.verdict);
        let score = if line.score >= 0.0 {
            format!("{:.2}", line.score)
        } else {
            "    ".to_owned()
        };
        let text = marked.line_text(i);
        if is_color && !color.is_empty() {
            writeln!(out, "{:>5} {color}{label:<26}{RESET} {score} {text}", i + 1)?;
        } else {
            writeln!(out, "{:>5} {label:<26} {score} {text}", i + 1)?;
        }
    }
    out.flush()?;
    Ok(ExitStatus::Success)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colour_follows_no_color_and_term() {
        let os = |s: &'static str| Some(OsStr::new(s));
        assert!(is_color(ColorChoice::Auto, true, None, os("xterm")));
        assert!(!is_color(ColorChoice::Auto, false, None, os("xterm")));
        assert!(!is_color(ColorChoice::Auto, true, os("1"), os("xterm")));
        assert!(is_color(ColorChoice::Auto, true, os(""), os("xterm")));
        assert!(!is_color(ColorChoice::Auto, true, None, os("dumb")));
        assert!(is_color(ColorChoice::Always, false, os("1"), os("dumb")));
        assert!(!is_color(ColorChoice::Never, true, None, None));
    }
}
