//! What a run says on stderr besides its summary line: why documents were rejected, and that
//! it read nothing.

use std::fmt::Write as _;
use std::path::Path;

use newsclean_export::ExportSummary;
use newsclean_export::report::REJECTS_LISTED;

use crate::args::InputArgs;

/// `1 document`, `2 documents`.
pub fn count(n: u64, noun: &str) -> String {
    if n == 1 {
        format!("1 {noun}")
    } else {
        format!("{n} {noun}s")
    }
}

/// Reason kinds shown when there are too many rejects to list one by one.
const KINDS_SHOWN: usize = 5;

/// The lines that tell why documents were rejected, when no `--rejects` file was asked for:
/// each reject when there are at most [`REJECTS_LISTED`], else the most common kinds of
/// reason with a hint where the full list is (`rejects`, the default side file, if any).
pub fn rejects(summary: &ExportSummary, rejects: Option<&Path>) -> Vec<String> {
    let n = summary.n_rejected;
    if n == 0 {
        return Vec::new();
    }
    if n <= REJECTS_LISTED as u64 {
        return summary
            .first_rejects
            .iter()
            .map(|reject| format!("newsclean: rejected {}: {}", reject.id, reject.reason))
            .collect();
    }
    let mut kinds: Vec<(&String, &u64)> = summary.rejects_by_reason.iter().collect();
    kinds.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
    let mut shown: Vec<String> = kinds
        .iter()
        .take(KINDS_SHOWN)
        .map(|(kind, n)| format!("{n} {kind}"))
        .collect();
    if kinds.len() > KINDS_SHOWN {
        let rest: u64 = kinds[KINDS_SHOWN..].iter().map(|(_, n)| **n).sum();
        shown.push(format!(
            "{rest} for {} more reasons",
            kinds.len() - KINDS_SHOWN
        ));
    }
    let hint = match rejects {
        Some(path) => format!("each one is listed in {}", path.display()),
        None => "give --rejects PATH to list each one".to_owned(),
    };
    vec![format!(
        "newsclean: {} rejected: {}; {hint}",
        count(n, "document"),
        shown.join("; ")
    )]
}

/// The warning of a run that read no document: which filters left nothing.
pub fn nothing_read(input: &InputArgs) -> String {
    let quoted = |globs: &[String]| {
        globs
            .iter()
            .map(|g| format!("'{g}'"))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut why = String::new();
    if !input.include.is_empty() {
        why = format!("; --include {} matched no file", quoted(&input.include));
        if !input.exclude.is_empty() {
            let _ = write!(why, " not excluded by --exclude {}", quoted(&input.exclude));
        }
    } else if !input.exclude.is_empty() {
        why = format!("; --exclude {} left no file", quoted(&input.exclude));
    }
    format!("newsclean: warning: no input documents{why}")
}

#[cfg(test)]
mod tests {
    use newsclean_core::{DocSource, Reject};

    use super::*;

    fn summary(n: usize) -> ExportSummary {
        let mut summary = ExportSummary::default();
        for i in 0..n {
            summary.add_reject(&Reject {
                seq: i as u64,
                id: format!("d{i}"),
                source: DocSource::default(),
                reason: if i % 3 == 0 {
                    format!("file is {i} bytes, over the limit")
                } else {
                    "binary file".to_owned()
                },
            });
        }
        summary
    }

    #[test]
    fn few_rejects_are_listed_many_are_counted() {
        assert!(rejects(&summary(0), None).is_empty());
        assert_eq!(
            rejects(&summary(2), None),
            [
                "newsclean: rejected d0: file is 0 bytes, over the limit",
                "newsclean: rejected d1: binary file"
            ]
        );
        assert_eq!(rejects(&summary(10), None).len(), 10);
        assert_eq!(
            rejects(&summary(11), Some(Path::new("o.rejects.jsonl"))),
            [
                "newsclean: 11 documents rejected: 7 binary file; 4 file is N bytes, over the limit; each one is listed in o.rejects.jsonl"
            ]
        );
        assert!(rejects(&summary(11), None)[0].ends_with("give --rejects PATH to list each one"));
    }

    #[test]
    fn counts() {
        assert_eq!(count(1, "site"), "1 site");
        assert_eq!(count(0, "site"), "0 sites");
        assert_eq!(count(2, "document"), "2 documents");
    }
}
