//! Python's text semantics, as `score.py` relies on them: `\w+` tokens, `str.isspace`,
//! `str.splitlines`, `str.split()` and `str.lower()`.
//!
//! Rust's own definitions differ in small ways that change scores, so each one is spelled out
//! here: `char::is_alphanumeric` also accepts combining marks with `Other_Alphabetic` (the
//! vowel signs of Devanagari, for example), which Python's `\w` does not; `char::is_whitespace`
//! misses the four ASCII separators `\x1c`..`\x1f`, which Python counts as space; and
//! `str::lines` breaks only at `\n`.

use unicode_properties::{GeneralCategory, GeneralCategoryGroup, UnicodeGeneralCategory};

/// Whether Python's `re` matches `c` with `\w` in a `str` pattern: `_`, or a character whose
/// `str.isalnum()` is true, that is, a letter (general category `L*`) or a number (`Nd`, `Nl`,
/// `No`).
///
/// Categories come from the Unicode version of the `unicode-properties` crate, which may be
/// newer than the one of the Python that runs `score.py`; they differ only on characters
/// assigned in between.
///
/// ```
/// use newsclean_eval::text::is_word_char;
/// assert!(is_word_char('_') && is_word_char('é') && is_word_char('٣') && is_word_char('²'));
/// assert!(!is_word_char('-') && !is_word_char('\u{94d}')); // A Devanagari virama is a mark.
/// ```
#[inline]
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric() || c == '_';
    }
    match c.general_category_group() {
        GeneralCategoryGroup::Letter => true,
        GeneralCategoryGroup::Number => matches!(
            c.general_category(),
            GeneralCategory::DecimalNumber
                | GeneralCategory::LetterNumber
                | GeneralCategory::OtherNumber
        ),
        _ => false,
    }
}

/// Python's `re.findall(r'\w+', text)`: the maximal runs of [`is_word_char`] characters.
///
/// ```
/// use newsclean_eval::text::tokens;
/// assert_eq!(tokens("It's 3.5% — naïve_x!"), ["It", "s", "3", "5", "naïve_x"]);
/// ```
pub fn tokens(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = None;
    for (i, c) in text.char_indices() {
        match (is_word_char(c), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                out.push(&text[s..i]);
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        out.push(&text[s..]);
    }
    out
}

/// Python's `str.isspace` for one character: Unicode `White_Space` plus `\x1c`..`\x1f`.
#[inline]
pub fn is_space(c: char) -> bool {
    c.is_whitespace() || ('\x1c'..='\x1f').contains(&c)
}

/// Whether Python's `str.splitlines` ends a line at `c`.
#[inline]
fn is_line_break(c: char) -> bool {
    matches!(
        c,
        '\n' | '\r'
            | '\x0b'
            | '\x0c'
            | '\x1c'
            | '\x1d'
            | '\x1e'
            | '\u{85}'
            | '\u{2028}'
            | '\u{2029}'
    )
}

/// Python's `str.splitlines()`: lines without their ends; `\r\n` is one break, and a final
/// break does not start another line.
///
/// ```
/// use newsclean_eval::text::lines;
/// assert_eq!(lines("a\r\nb\rc\u{2028}d\n"), ["a", "b", "c", "d"]);
/// assert_eq!(lines("a\n\nb"), ["a", "", "b"]);
/// ```
pub fn lines(text: &str) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if !is_line_break(c) {
            continue;
        }
        out.push(&text[start..i]);
        start = i + c.len_utf8();
        if c == '\r' && chars.peek().is_some_and(|&(_, next)| next == '\n') {
            chars.next();
            start += 1;
        }
    }
    if start < text.len() {
        out.push(&text[start..]);
    }
    out
}

/// Whether Python's `line.strip()` leaves anything.
#[inline]
pub fn is_blank(line: &str) -> bool {
    line.chars().all(is_space)
}

/// Python's `' '.join(s.split())`: runs of [`is_space`] become one space, and the ends are
/// trimmed.
pub fn collapse_space(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for word in text.split(is_space).filter(|w| !w.is_empty()) {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

/// Python's `[t.lower() for t in re.findall(r'\w+', text)]`.
///
/// Both languages lowercase with the full Unicode mappings, final sigma included.
pub fn lower_tokens(text: &str) -> Vec<String> {
    tokens(text).into_iter().map(str::to_lowercase).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(text: &str) -> String {
        tokens(text).join("|")
    }

    #[test]
    fn underscore_and_digits_join_words() {
        assert_eq!(
            check("snake_case x_1 __init__ 2024_05"),
            "snake_case|x_1|__init__|2024_05"
        );
        assert_eq!(check("3.14 1,000 -7 +8"), "3|14|1|000|7|8");
    }

    #[test]
    fn punctuation_and_symbols_split() {
        assert_eq!(
            check("a-b a/b a.b a@b.c $5 #tag"),
            "a|b|a|b|a|b|a|b|c|5|tag"
        );
        // Connector punctuation other than `_` (here U+203F) is not `\w` in Python.
        assert_eq!(check("a\u{203f}b"), "a|b");
        assert_eq!(check(""), "");
        assert_eq!(check(" \t\n"), "");
    }

    #[test]
    fn apostrophes_split() {
        assert_eq!(check("don't it’s rock 'n' roll"), "don|t|it|s|rock|n|roll");
        // U+02BC is a modifier letter (Lm), so Python keeps it inside the word.
        assert_eq!(check("o\u{2bc}clock"), "o\u{2bc}clock");
    }

    #[test]
    fn accents_precomposed_and_combining() {
        assert_eq!(check("café naïve Øre ß"), "café|naïve|Øre|ß");
        // A combining acute (Mn) is not `\w` in Python: decomposed "é" splits.
        assert_eq!(check("cafe\u{301} x"), "cafe|x");
    }

    #[test]
    fn numbers_of_every_kind() {
        // Arabic-Indic digits (Nd), Roman numeral (Nl), superscript and fraction (No).
        assert_eq!(check("٢٠٢٤ Ⅻ x² ½"), "٢٠٢٤|Ⅻ|x²|½");
    }

    #[test]
    fn cjk_runs_are_one_token() {
        assert_eq!(check("東京都、日本。カタカナ"), "東京都|日本|カタカナ");
        // The prolonged sound mark is Lm; the ideographic full stop is punctuation.
        assert_eq!(check("ラーメン。"), "ラーメン");
        assert_eq!(check("서울 특별시"), "서울|특별시");
    }

    #[test]
    fn devanagari_marks_split_words() {
        // "हिन्दी": ह, ि (Mc), न, ् (Mn), द, ी (Mc). Python's `\w` matches only the letters.
        assert_eq!(check("हिन्दी"), "ह|न|द");
        assert!(
            '\u{93f}'.is_alphanumeric(),
            "Rust's own test would wrongly keep the sign"
        );
        assert_eq!(check("नमस्ते १२"), "नमस|त|१२");
    }

    #[test]
    fn other_scripts() {
        assert_eq!(check("Привет, мир! Ελλάδα"), "Привет|мир|Ελλάδα");
        // Arabic letters are Lo; the tatweel is Lm; the Arabic comma is punctuation.
        assert_eq!(check("مرحبا، عالم"), "مرحبا|عالم");
        // Emoji and the replacement character are symbols.
        assert_eq!(check("a😀b\u{fffd}c"), "a|b|c");
    }

    #[test]
    fn python_spaces() {
        assert!(
            is_space('\x1c') && is_space('\u{a0}') && is_space('\u{3000}') && is_space('\u{85}')
        );
        assert!(!is_space('\u{200b}') && !is_space('\u{feff}'));
        assert_eq!(collapse_space(" a\u{a0}\u{a0}b\x1fc \n"), "a b c");
        assert!(is_blank(" \u{2003}\x1e") && !is_blank(" . "));
    }

    #[test]
    fn python_lines() {
        assert_eq!(lines(""), Vec::<&str>::new());
        assert_eq!(lines("\n"), [""]);
        assert_eq!(lines("a\r\r\nb"), ["a", "", "b"]);
        assert_eq!(
            lines("a\x0bb\x0cc\x1cd\x1de\x1ef\u{85}g\u{2029}h"),
            ["a", "b", "c", "d", "e", "f", "g", "h"]
        );
        // `\x1f` is a space to Python, but not a line break.
        assert_eq!(lines("a\x1fb"), ["a\x1fb"]);
    }

    #[test]
    fn lowercase_like_python() {
        assert_eq!(
            lower_tokens("ΟΔΟΣ Straße İ"),
            ["οδος", "straße", "i\u{307}"]
        );
    }
}
