//! Line lexicons: lists of whole-line patterns kept as data files in the crates that use them.
//!
//! A lexicon file has one rule per line, `rule-name  pattern`, where the pattern is a
//! normalised line (see [`crate::text::normalize`]) in which `*` matches any run of
//! characters. Blank lines and lines starting with `#` are comments. A line matches when its
//! [`key`] matches a whole pattern; the first matching pattern in file order names the rule.

use crate::hash::FastMap;

/// A parsed lexicon.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    rules: Vec<String>,
    exact: FastMap<String, usize>,
    wild: Vec<(Vec<String>, usize)>,
    /// Keys longer than this never match, so long lines skip the wildcard scan.
    max_len: usize,
}

/// A malformed lexicon line.
#[derive(Debug, thiserror::Error)]
#[error("lexicon line {line_no}: expected `rule pattern`, found {text:?}")]
pub struct Error {
    /// One-based line number.
    pub line_no: usize,
    /// The line.
    pub text: String,
}

impl Lexicon {
    /// Parses lexicon text.
    pub fn parse(text: &str) -> Result<Lexicon, Error> {
        let mut lexicon = Lexicon::default();
        for (i, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((rule, pattern)) = line.split_once(char::is_whitespace) else {
                return Err(Error {
                    line_no: i + 1,
                    text: line.to_owned(),
                });
            };
            let pattern = crate::text::normalize(pattern);
            let rule_index = if let Some(index) = lexicon.rules.iter().position(|r| r == rule) {
                index
            } else {
                lexicon.rules.push(rule.to_owned());
                lexicon.rules.len() - 1
            };
            if pattern.contains('*') {
                lexicon.max_len = usize::MAX;
                lexicon
                    .wild
                    .push((pattern.split('*').map(str::to_owned).collect(), rule_index));
            } else {
                lexicon.max_len = lexicon.max_len.max(pattern.len());
                lexicon.exact.entry(pattern).or_insert(rule_index);
            }
        }
        Ok(lexicon)
    }

    /// The rule matching a normalised line, if any.
    pub fn lookup(&self, normalized: &str) -> Option<&str> {
        let key = key(normalized);
        if key.is_empty() || key.len() > 200 {
            return None;
        }
        if let Some(&rule) = self.exact.get(key) {
            return Some(&self.rules[rule]);
        }
        self.wild
            .iter()
            .find(|(parts, _)| glob_match(parts, key))
            .map(|&(_, rule)| self.rules[rule].as_str())
    }
}

/// The part of a normalised line that lexicons match: without leading and trailing
/// punctuation, symbols and spaces (`» Also read:` and `also read` are the same key).
pub fn key(normalized: &str) -> &str {
    normalized.trim_matches(|c: char| !c.is_alphanumeric() && c != '©' && c != '@')
}

/// Matches `text` against a pattern split at its `*`s.
fn glob_match(parts: &[String], text: &str) -> bool {
    let Some((first, rest)) = parts.split_first() else {
        return text.is_empty();
    };
    let Some(mut remaining) = text.strip_prefix(first.as_str()) else {
        return false;
    };
    let Some((last, middle)) = rest.split_last() else {
        return remaining.is_empty();
    };
    for part in middle {
        match remaining.find(part.as_str()) {
            Some(at) => remaining = &remaining[at + part.len()..],
            None => return false,
        }
    }
    remaining.ends_with(last.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(lexicon: &str, line: &str) -> Option<String> {
        let lexicon = Lexicon::parse(lexicon).unwrap();
        lexicon
            .lookup(&crate::text::normalize(line))
            .map(str::to_owned)
    }

    #[test]
    fn exact_and_wildcards() {
        let lex = "# ads\nad advertisement\nfooter download * app*\nfooter catch all the * news*\nrel more from *";
        assert_eq!(check(lex, "ADVERTISEMENT"), Some("ad".into()));
        assert_eq!(check(lex, "  Advertisement:  "), Some("ad".into()));
        assert_eq!(check(lex, "Advertisement here"), None);
        assert_eq!(
            check(
                lex,
                "Download The BOL News App to get the Daily News Update"
            ),
            Some("footer".into())
        );
        assert_eq!(check(lex, "Download the app"), Some("footer".into()));
        assert_eq!(check(lex, "Downloads"), None);
        assert_eq!(check(lex, "More from Politics"), Some("rel".into()));
        assert_eq!(
            check(lex, "Catch all the China News, Russia News"),
            Some("footer".into())
        );
    }

    #[test]
    fn bad_line() {
        assert!(Lexicon::parse("justoneword").is_err());
    }
}
