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
    /// For each first byte of a key, the wildcard patterns (indices into `wild`, in file
    /// order) that a key starting with it can match: those whose text before the first `*`
    /// starts with that byte or is empty.
    wild_by_byte: Vec<Vec<usize>>,
    /// Keys longer than this match no exact pattern, so long lines skip the hash lookup.
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
                lexicon
                    .wild
                    .push((pattern.split('*').map(str::to_owned).collect(), rule_index));
            } else {
                lexicon.max_len = lexicon.max_len.max(pattern.len());
                lexicon.exact.entry(pattern).or_insert(rule_index);
            }
        }
        lexicon.wild_by_byte = (0..=u8::MAX)
            .map(|b| {
                (lexicon.wild.iter().enumerate())
                    .filter(|(_, (parts, _))| parts[0].as_bytes().first().is_none_or(|&f| f == b))
                    .map(|(k, _)| k)
                    .collect()
            })
            .collect();
        Ok(lexicon)
    }

    /// The rule matching a normalised line, if any.
    pub fn lookup(&self, normalized: &str) -> Option<&str> {
        let key = key(normalized);
        if key.is_empty() || key.len() > MAX_KEY_BYTES {
            return None;
        }
        if let Some(&rule) = (key.len() <= self.max_len)
            .then(|| self.exact.get(key))
            .flatten()
        {
            return Some(&self.rules[rule]);
        }
        let candidates = self.wild_by_byte.get(usize::from(key.as_bytes()[0]))?;
        // A long line is matched only by a pattern that opens with a phrase of its own.
        let is_long = key.len() > MAX_SHORT_KEY_BYTES;
        candidates
            .iter()
            .map(|&k| &self.wild[k])
            .filter(|(parts, _)| !is_long || parts[0].len() >= MIN_LONG_PREFIX_BYTES)
            .find(|(parts, _)| glob_match(parts, key))
            .map(|&(_, rule)| self.rules[rule].as_str())
    }
}

/// The longest key [`Lexicon::lookup`] matches, in bytes: lines longer than this are prose.
/// A theme's post footer ("This entry was posted … You can follow any responses …") or a
/// cookie notice runs to a few hundred bytes.
const MAX_KEY_BYTES: usize = 400;
/// Keys up to this many bytes are matched by every pattern; longer ones only by wildcard
/// patterns whose text before the first `*` has [`MIN_LONG_PREFIX_BYTES`] or more: `©*` on a
/// long line is a photo credit glued to a paragraph, `we use cookies*` is still a notice.
const MAX_SHORT_KEY_BYTES: usize = 200;
/// See [`MAX_SHORT_KEY_BYTES`].
const MIN_LONG_PREFIX_BYTES: usize = 12;

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

    /// The first matching wildcard pattern in file order names the rule, whichever byte its
    /// text starts with.
    #[test]
    fn wildcards_in_file_order() {
        let lex = "a * comments\nb read*\nc r*s\nd *";
        assert_eq!(check(lex, "Read 5 comments"), Some("a".into()));
        assert_eq!(check(lex, "Read on"), Some("b".into()));
        assert_eq!(check(lex, "rows"), Some("c".into()));
        assert_eq!(check(lex, "zebra"), Some("d".into()));
        assert_eq!(check("b read*", "zebra"), None);
    }

    proptest::proptest! {
        /// The lookup finds what a scan of every pattern in file order finds.
        #[test]
        fn lookup_equals_a_scan(key in "[ab ]{1,8}") {
            let text = "x ab\nw a*\nv *b\nu b*a\nt *a*\ns ba";
            let lexicon = Lexicon::parse(text).unwrap();
            let key = key.trim();
            let scan = lexicon.exact.get(key).map(|&r| &lexicon.rules[r]).or_else(|| {
                (lexicon.wild.iter())
                    .find(|(parts, _)| glob_match(parts, key))
                    .map(|(_, r)| &lexicon.rules[*r])
            });
            let scan = scan.filter(|_| !key.is_empty()).map(String::as_str);
            proptest::prop_assert_eq!(lexicon.lookup(key), scan);
        }
    }

    /// A theme's footer or a cookie notice runs to a few hundred bytes and is still matched;
    /// past [`MAX_KEY_BYTES`] a line is prose and is not; a pattern with a short prefix
    /// matches short lines only.
    #[test]
    fn long_lines_up_to_the_key_limit() {
        let lex = "footer this entry was posted*";
        let line = |n: usize| {
            format!(
                "This entry was posted on May 2, 2024{}",
                " and more".repeat(n)
            )
        };
        assert!(line(30).len() > 200 && line(30).len() < MAX_KEY_BYTES);
        assert_eq!(check(lex, &line(30)), Some("footer".into()));
        assert!(line(50).len() > MAX_KEY_BYTES);
        assert_eq!(check(lex, &line(50)), None);
        // A short prefix matches only short lines.
        let credit = |n: usize| format!("© Provided by Example News{}", " and the story".repeat(n));
        assert_eq!(check("copyright ©*", &credit(2)), Some("copyright".into()));
        assert!(credit(20).len() > MAX_SHORT_KEY_BYTES);
        assert_eq!(check("copyright ©*", &credit(20)), None);
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
