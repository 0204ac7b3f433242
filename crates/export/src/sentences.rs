//! Sentence splitting for `--sentences`: abbreviation-aware, for English, German, French and
//! Spanish.
//!
//! A sentence ends at `.`, `!`, `?`, `…` (or a run of them), plus any closing quotes and
//! brackets after it, when whitespace and a plausible sentence start follow: a capital letter,
//! a digit, or an opening quote, bracket, `¿` or `¡` before a capital. A lowercase word after
//! the stop never starts a sentence. A single `.` does not end a sentence after:
//!
//! * an abbreviation of the language's list (`abbrev/*.txt`, e.g. `Mr.`, `z.B.`, `Sra.`), or
//!   one that holds only before a number (`No. 5`, `S. 12`);
//! * an initial (`J. K. Rowling`) or dotted capitals (`U.S.`, `U.K.`);
//! * in German, an ordinal before a word of `abbrev/de.ordinals.txt` (`am 3. Oktober`).
//!
//! Decimals (`3.5`) never split, as no whitespace follows the point. The splitter never fails:
//! any text gives sentences whose concatenation is the text less whitespace between them.
//!
//! ```
//! use newsclean_export::sentences::{Lang, split};
//! assert_eq!(
//!     split("Mr. Smith went to the U.S. Army. He said “Yes.” Then left.", Lang::En),
//!     ["Mr. Smith went to the U.S. Army.", "He said “Yes.”", "Then left."]
//! );
//! ```

use std::collections::HashSet;
use std::sync::OnceLock;

/// The languages with abbreviation lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// English.
    En,
    /// German.
    De,
    /// French.
    Fr,
    /// Spanish.
    Es,
}

/// Frequent short words of each language, for [`Lang::guess`]. A word may stand for several.
const STOPWORDS: [(Lang, &[&str]); 4] = [
    (
        Lang::En,
        &[
            "the", "and", "of", "to", "is", "in", "that", "was", "for", "with", "on", "it", "he",
            "she", "are", "by", "this", "have", "from",
        ],
    ),
    (
        Lang::De,
        &[
            "der", "die", "das", "und", "ist", "nicht", "ein", "eine", "mit", "von", "zu", "den",
            "sich", "auf", "dem", "im", "sie", "er", "es", "auch",
        ],
    ),
    (
        Lang::Fr,
        &[
            "le", "la", "les", "et", "est", "des", "une", "un", "du", "que", "dans", "pour", "pas",
            "au", "il", "elle", "sur", "qui", "ce", "avec",
        ],
    ),
    (
        Lang::Es,
        &[
            "el", "la", "los", "las", "y", "es", "que", "del", "en", "por", "una", "con", "para",
            "se", "al", "lo", "como", "su", "pero", "fue",
        ],
    ),
];

impl Lang {
    /// Every language, in tie-breaking order.
    pub const ALL: [Lang; 4] = [Lang::En, Lang::De, Lang::Fr, Lang::Es];

    /// The ISO 639-1 code.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::De => "de",
            Lang::Fr => "fr",
            Lang::Es => "es",
        }
    }

    /// The language whose frequent words occur most often in `text` (English on a tie or when
    /// none occurs). Looks at the first 2000 words at most.
    pub fn guess(text: &str) -> Lang {
        let mut hits = [0u32; 4];
        let words = text
            .split(|c: char| !c.is_alphabetic())
            .filter(|w| !w.is_empty())
            .take(2000);
        for word in words {
            if word.len() > 6 {
                continue;
            }
            let word = word.to_lowercase();
            for (k, (_, list)) in STOPWORDS.iter().enumerate() {
                if list.contains(&word.as_str()) {
                    hits[k] += 1;
                }
            }
        }
        let mut best = 0;
        for k in 1..4 {
            if hits[k] > hits[best] {
                best = k;
            }
        }
        STOPWORDS[best].0
    }
}

/// The abbreviations of one language (its list plus the common one).
#[derive(Debug, Default)]
struct Abbrevs {
    /// Never end a sentence.
    always: HashSet<String>,
    /// Do not end a sentence before a number.
    before_number: HashSet<String>,
    /// German: words after which `<number>.` is an ordinal.
    ordinal_nouns: HashSet<String>,
}

impl Abbrevs {
    fn parse(into: &mut Abbrevs, data: &str) {
        for line in data.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            match line.strip_suffix(" #") {
                Some(abbrev) => into.before_number.insert(abbrev.trim().to_owned()),
                None => into.always.insert(line.to_owned()),
            };
        }
    }

    fn of(lang: Lang) -> &'static Abbrevs {
        static TABLES: OnceLock<[Abbrevs; 4]> = OnceLock::new();
        let tables = TABLES.get_or_init(|| {
            Lang::ALL.map(|lang| {
                let mut abbrevs = Abbrevs::default();
                Abbrevs::parse(&mut abbrevs, include_str!("../abbrev/common.txt"));
                Abbrevs::parse(
                    &mut abbrevs,
                    match lang {
                        Lang::En => include_str!("../abbrev/en.txt"),
                        Lang::De => include_str!("../abbrev/de.txt"),
                        Lang::Fr => include_str!("../abbrev/fr.txt"),
                        Lang::Es => include_str!("../abbrev/es.txt"),
                    },
                );
                if lang == Lang::De {
                    let ordinals = include_str!("../abbrev/de.ordinals.txt");
                    abbrevs.ordinal_nouns = ordinals
                        .lines()
                        .map(str::trim)
                        .filter(|l| !l.is_empty() && !l.starts_with('#'))
                        .map(str::to_owned)
                        .collect();
                }
                abbrevs
            })
        });
        &tables[Lang::ALL.iter().position(|&l| l == lang).expect("in ALL")]
    }

    /// `token` (with its final period) is in `set`, as written or with a capital first letter.
    fn contains(set: &HashSet<String>, token: &str) -> bool {
        if set.contains(token) {
            return true;
        }
        let mut chars = token.chars();
        match chars.next() {
            Some(first) if first.is_uppercase() => {
                let lower: String = first.to_lowercase().chain(chars).collect();
                set.contains(&lower)
            }
            _ => false,
        }
    }
}

fn is_terminal(c: char) -> bool {
    matches!(c, '.' | '!' | '?' | '…' | '。' | '！' | '？')
}

/// Closes a quote or bracket when it follows the stop without a space.
fn is_closer(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '”' | '’' | '“' | '»' | '«' | ')' | ']' | '}' | '›' | '‹'
    )
}

/// Opens a quote or bracket, or a Spanish question or exclamation, at a sentence start.
fn is_opener(c: char) -> bool {
    matches!(
        c,
        '"' | '\'' | '“' | '‘' | '„' | '«' | '»' | '(' | '[' | '{' | '¿' | '¡' | '‹' | '›'
    )
}

/// Splits one paragraph into sentences, trimmed, none empty.
pub fn split(text: &str, lang: Lang) -> Vec<&str> {
    let abbrevs = Abbrevs::of(lang);
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let n_chars = chars.len();
    let byte_at = |at: usize| chars.get(at).map_or(text.len(), |&(b, _)| b);
    let mut sentences = Vec::new();
    // `start` is a byte offset; the other positions index `chars`.
    let mut start = 0usize;
    let mut pos = 0usize;
    while pos < n_chars {
        if !is_terminal(chars[pos].1) {
            pos += 1;
            continue;
        }
        let term_start = pos;
        let mut term_end = pos;
        while term_end < n_chars && is_terminal(chars[term_end].1) {
            term_end += 1;
        }
        // Closing quotes and brackets belong to the sentence; French puts a space before `»`.
        let mut close_end = term_end;
        loop {
            if close_end < n_chars && is_closer(chars[close_end].1) {
                close_end += 1;
                continue;
            }
            let mut probe = close_end;
            while probe < n_chars && matches!(chars[probe].1, ' ' | '\u{a0}' | '\u{202f}') {
                probe += 1;
            }
            if probe > close_end && probe < n_chars && chars[probe].1 == '»' {
                close_end = probe + 1;
                continue;
            }
            break;
        }
        if close_end >= n_chars || !chars[close_end].1.is_whitespace() {
            pos = term_end;
            continue;
        }
        let mut next_start = close_end;
        while next_start < n_chars && chars[next_start].1.is_whitespace() {
            next_start += 1;
        }
        if next_start >= n_chars {
            break;
        }
        let term = &text[byte_at(term_start)..byte_at(term_end)];
        let before = &text[start..byte_at(term_start)];
        let next = &text[byte_at(next_start)..];
        if is_boundary(abbrevs, lang, before, term, next) {
            let sentence = text[start..byte_at(close_end)].trim();
            if !sentence.is_empty() {
                sentences.push(sentence);
            }
            start = byte_at(next_start);
        }
        pos = close_end;
    }
    let rest = text[start..].trim();
    if !rest.is_empty() {
        sentences.push(rest);
    }
    sentences
}

/// Decides whether the stop `term` between `before` and `next` ends a sentence.
fn is_boundary(abbrevs: &Abbrevs, lang: Lang, before: &str, term: &str, next: &str) -> bool {
    let mut next_chars = next.chars();
    let Some(first) = next_chars.next() else {
        return true;
    };
    let starts_sentence = if first.is_uppercase() || first.is_numeric() {
        true
    } else if is_opener(first) {
        next_chars
            .find(|c| !is_opener(*c))
            .is_some_and(|c| c.is_uppercase() || c.is_numeric())
    } else {
        false
    };
    if !starts_sentence {
        return false;
    }
    if term != "." {
        return true;
    }
    let word = before
        .rsplit(char::is_whitespace)
        .next()
        .unwrap_or("")
        .trim_start_matches(is_opener);
    if word.is_empty() {
        return true;
    }
    let token = format!("{word}.");
    let next_word = next.split(char::is_whitespace).next().unwrap_or("");
    if Abbrevs::contains(&abbrevs.always, &token) {
        return false;
    }
    if first.is_ascii_digit() && Abbrevs::contains(&abbrevs.before_number, &token) {
        return false;
    }
    // Abbreviations of two words, `z. B.`: this token and the next, or the one before and this.
    if Abbrevs::contains(&abbrevs.always, &format!("{token} {next_word}")) {
        return false;
    }
    let prev_word = before
        .trim_end()
        .rsplit(char::is_whitespace)
        .nth(1)
        .unwrap_or("");
    if !prev_word.is_empty() && Abbrevs::contains(&abbrevs.always, &format!("{prev_word} {token}"))
    {
        return false;
    }
    // Initials and dotted capitals: `J.`, `U.S.`. Dotted lower case (`a.m.`) may end a sentence.
    let parts: Vec<&str> = word.split('.').collect();
    if parts
        .iter()
        .all(|p| p.chars().count() == 1 && p.chars().all(char::is_uppercase))
    {
        return false;
    }
    if lang == Lang::De && word.len() <= 3 && word.bytes().all(|b| b.is_ascii_digit()) {
        let noun = next_word.trim_end_matches(|c: char| !c.is_alphanumeric());
        if abbrevs.ordinal_nouns.contains(noun) {
            return false;
        }
    }
    true
}

/// The sentences of every paragraph, in the language guessed from all of them.
pub fn split_paragraphs<'a>(paragraphs: &[&'a str], lang: Lang) -> Vec<Vec<&'a str>> {
    paragraphs.iter().map(|p| split(p, lang)).collect()
}

#[cfg(test)]
mod tests {
    use proptest::prelude::*;

    use super::*;

    /// A fixture case: language (None = guess), paragraph, expected sentences, line number.
    type Case = (Option<Lang>, String, Vec<String>, usize);

    fn parse_fixture(text: &str) -> Vec<Case> {
        let mut cases: Vec<Case> = Vec::new();
        for (n, line) in text.lines().enumerate() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(sentence) = line.strip_prefix("= ") {
                cases
                    .last_mut()
                    .expect("a sentence follows a case")
                    .2
                    .push(sentence.to_owned());
            } else {
                let (lang, paragraph) = line.split_once("| ").expect("`lang| paragraph`");
                let lang = match lang {
                    "auto" => None,
                    code => Some(
                        *Lang::ALL
                            .iter()
                            .find(|l| l.code() == code)
                            .expect("a known language"),
                    ),
                };
                cases.push((lang, paragraph.to_owned(), Vec::new(), n + 1));
            }
        }
        cases
    }

    #[test]
    fn tricky_fixture() {
        let cases = parse_fixture(include_str!("../fixtures/sentences.txt"));
        assert!(cases.len() >= 25, "the fixture has {} cases", cases.len());
        let mut failures = Vec::new();
        for (lang, paragraph, expected, line) in &cases {
            let lang = lang.unwrap_or_else(|| Lang::guess(paragraph));
            let got = split(paragraph, lang);
            if got != *expected {
                failures.push(format!(
                    "line {line} ({}):\n  expected {expected:#?}\n  got {got:#?}",
                    lang.code()
                ));
            }
        }
        assert!(failures.is_empty(), "{}", failures.join("\n"));
    }

    #[test]
    fn guesses_languages() {
        assert_eq!(
            Lang::guess("The cat is on the mat and it is happy."),
            Lang::En
        );
        assert_eq!(
            Lang::guess("Die Katze ist auf der Matte und sie ist froh."),
            Lang::De
        );
        assert_eq!(
            Lang::guess("Le chat est sur le tapis et il est content."),
            Lang::Fr
        );
        assert_eq!(
            Lang::guess("El gato está en la alfombra y es feliz con su dueño."),
            Lang::Es
        );
        assert_eq!(Lang::guess(""), Lang::En);
    }

    #[test]
    fn edge_cases() {
        assert!(split("", Lang::En).is_empty());
        assert!(split("   ", Lang::En).is_empty());
        assert_eq!(split("...", Lang::En), ["..."]);
        assert_eq!(split(". . A", Lang::En), [". .", "A"]);
        assert_eq!(split("Ends here.   ", Lang::En), ["Ends here."]);
    }

    proptest! {
        // Splitting keeps every non-space character, in order, and never panics.
        #[test]
        fn keeps_the_text(text in "[a-zA-Z0-9 .!?…\"'“”«»()¿¡]{0,80}", lang in 0usize..4) {
            let sentences = split(&text, Lang::ALL[lang]);
            let joined: String = sentences.concat().chars().filter(|c| !c.is_whitespace()).collect();
            let original: String = text.chars().filter(|c| !c.is_whitespace()).collect();
            prop_assert_eq!(joined, original);
            prop_assert!(sentences.iter().all(|s| !s.is_empty() && s.trim() == *s));
        }
    }
}
