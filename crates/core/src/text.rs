//! Line normalisation for hashing and matching.
//!
//! Two lines that a reader would call the same (case, Unicode compatibility forms, curly vs
//! straight quotes, dash variants, runs of spaces) normalise to the same string. This runs on
//! every line of every document, so the common cases take fast paths that give the same bytes
//! as the general one: ASCII lines skip Unicode entirely, and lines that pass the NFKC quick
//! check skip the NFKC pass (under 1 % of news lines change under NFKC).

use unicode_normalization::{IsNormalized, UnicodeNormalization, is_nfkc_quick};

/// Normalises a line: NFKC, lowercase, quotes and dashes unified, whitespace collapsed to
/// single spaces and trimmed.
pub fn normalize(line: &str) -> String {
    let mut out = String::with_capacity(line.len());
    normalize_into(line, &mut out);
    out
}

/// Like [`normalize`], but writes into `out` (cleared first) to reuse its allocation.
pub fn normalize_into(line: &str, out: &mut String) {
    out.clear();
    normalize_append(line, out);
}

/// Like [`normalize`], but appends to `out`: many lines can share one buffer.
pub fn normalize_append(line: &str, out: &mut String) {
    let start = out.len();
    if line.is_ascii() {
        normalize_ascii(line, out, start);
    } else if is_nfkc_quick(non_ascii_chars(line)) == IsNormalized::Yes {
        normalize_mixed(line, out, start);
    } else {
        normalize_chars(line.nfkc(), out, start);
    }
}

/// The characters of `line` that are not ASCII, found without decoding the ASCII bytes. The
/// NFKC quick check of these says "yes" only where the whole line's does: an ASCII character
/// is NFKC and of combining class 0, so leaving it out can only make the check stricter
/// (combining marks it separated are compared as neighbours), and a line the shortened check
/// doubts takes the general path, which gives the same normal form.
fn non_ascii_chars(line: &str) -> impl Iterator<Item = char> + '_ {
    let bytes = line.as_bytes();
    let mut at = 0;
    std::iter::from_fn(move || {
        at += bytes.get(at..)?.iter().position(|b| !b.is_ascii())?;
        let c = line[at..].chars().next()?;
        at += c.len_utf8();
        Some(c)
    })
}

/// `char::is_whitespace` on an ASCII byte (vertical tab included, unlike
/// `u8::is_ascii_whitespace`), as the general path has it.
#[inline]
fn is_ascii_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t'..=b'\r')
}

fn normalize_ascii(line: &str, out: &mut String, start: usize) {
    let bytes = line.as_bytes();
    // Most lines have single spaces between words and none at the ends: then normalising is
    // a copy and an ASCII lowercase, both of which run over whole machine words.
    // No control byte, no space at either end or next to another: tested on every byte and
    // pair without a branch, so that the loop runs on vectors.
    let is_control = |b: u8| b.wrapping_sub(b'\t') < 5;
    let (Some(&first), Some(&last)) = (bytes.first(), bytes.last()) else {
        return;
    };
    let is_plain = first != b' '
        && last != b' '
        && !is_control(first)
        && (bytes.iter().zip(&bytes[1..])).fold(0u8, |bad, (&a, &b)| {
            bad | u8::from(a == b' ' && b == b' ') | u8::from(is_control(b))
        }) == 0;
    if is_plain {
        out.push_str(line);
        out[start..].make_ascii_lowercase();
        return;
    }
    let mut pending_space = false;
    for &b in bytes {
        if is_ascii_space(b) {
            pending_space = out.len() > start;
        } else {
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            out.push(char::from(b.to_ascii_lowercase()));
        }
    }
}

/// [`normalize_chars`] of a line in NFKC form that is not all ASCII (curly quotes in English
/// text, accents): its runs of ASCII words and single spaces are copied and lowercased whole,
/// its other characters go one by one.
fn normalize_mixed(line: &str, out: &mut String, start: usize) {
    let bytes = line.as_bytes();
    let mut pending_space = false;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        if b.is_ascii() {
            if is_ascii_space(b) {
                pending_space = out.len() > start;
                i += 1;
                continue;
            }
            if pending_space {
                out.push(' ');
                pending_space = false;
            }
            // The run ends before a non-ASCII or control byte, or before a space that is not
            // followed by another word's ASCII byte.
            let mut end = i + 1;
            while let Some(&c) = bytes.get(end) {
                let is_word_space = c == b' '
                    && bytes
                        .get(end + 1)
                        .is_some_and(|&d| d.is_ascii() && !is_ascii_space(d));
                if !c.is_ascii() || (is_ascii_space(c) && !is_word_space) {
                    break;
                }
                end += 1;
            }
            let from = out.len();
            out.push_str(&line[i..end]);
            out[from..].make_ascii_lowercase();
            i = end;
            continue;
        }
        let c = line[i..].chars().next().unwrap_or_default();
        i += c.len_utf8();
        push_normalized(c, out, start, &mut pending_space);
    }
}

fn normalize_chars(chars: impl Iterator<Item = char>, out: &mut String, start: usize) {
    let mut pending_space = false;
    for c in chars {
        push_normalized(c, out, start, &mut pending_space);
    }
}

/// Appends `c` to the line normalised so far (from `start` in `out`) as normalising maps it: a
/// run of whitespace becomes one space between words (`pending_space` until a word follows),
/// quote and dash variants are unified, letters lowercased.
#[inline]
fn push_normalized(c: char, out: &mut String, start: usize, pending_space: &mut bool) {
    // An ASCII character in fewer steps than the general ones below.
    let is_space = if c.is_ascii() {
        is_ascii_space(c as u8)
    } else {
        c.is_whitespace()
    };
    if is_space {
        *pending_space = out.len() > start;
        return;
    }
    if std::mem::take(pending_space) {
        out.push(' ');
    }
    if c.is_ascii() {
        out.push(c.to_ascii_lowercase());
        return;
    }
    match unify(c) {
        Some(u) => out.push(u),
        None if c.is_lowercase() || !c.is_alphabetic() => out.push(c),
        None => out.extend(c.to_lowercase()),
    }
}

/// Maps quote and dash variants to their ASCII form.
#[inline]
fn unify(c: char) -> Option<char> {
    match c {
        '\u{201C}' | '\u{201D}' | '\u{201E}' | '\u{201F}' | '\u{00AB}' | '\u{00BB}'
        | '\u{2033}' => Some('"'),
        '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}' | '\u{2032}' | '\u{2039}'
        | '\u{203A}' => Some('\''),
        '\u{2010}' | '\u{2011}' | '\u{2012}' | '\u{2013}' | '\u{2014}' | '\u{2015}'
        | '\u{2212}' => Some('-'),
        _ => None,
    }
}

/// Counts the words of a text: maximal runs of alphanumeric characters.
pub fn count_words(text: &str) -> usize {
    let bytes = text.as_bytes();
    if bytes.is_ascii() {
        return count_ascii_words(bytes);
    }
    let mut n = 0;
    for_each_word(text, |_| n += 1);
    n
}

/// Calls `f` with each word of `text`, a maximal run of alphanumeric characters, in order:
/// what `text.split(|c: char| !c.is_alphanumeric())` gives without its empty pieces, with
/// the ASCII bytes of mostly-ASCII text (curly quotes in English) classed without decoding.
pub fn for_each_word<'a>(text: &'a str, mut f: impl FnMut(&'a str)) {
    let bytes = text.as_bytes();
    let mut start = None;
    let mut i = 0;
    while let Some(&b) = bytes.get(i) {
        let (is_word, len) = if b.is_ascii() {
            (b.is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (c.is_alphanumeric(), c.len_utf8())
        };
        match (is_word, start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                f(&text[s..i]);
                start = None;
            }
            _ => {}
        }
        i += len;
    }
    if let Some(s) = start {
        f(&text[s..]);
    }
}

/// Counts words the way a reader would across scripts: runs of alphanumeric characters, where
/// text written without spaces counts by characters: one word per two for Chinese and
/// Japanese, one per five for Thai, Lao, Khmer and Myanmar.
pub fn count_word_units(text: &str) -> usize {
    if text.is_ascii() {
        return count_ascii_words(text.as_bytes());
    }
    let mut n_words = 0;
    let mut n_ideographic = 0usize;
    let mut n_syllabic = 0usize;
    let mut in_word = false;
    for c in text.chars() {
        match unspaced_script(c) {
            Some(Unspaced::Ideographic) => {
                n_ideographic += 1;
                in_word = false;
                continue;
            }
            Some(Unspaced::Syllabic) => {
                n_syllabic += 1;
                in_word = false;
                continue;
            }
            None => {}
        }
        let is_word = c.is_alphanumeric();
        if is_word && !in_word {
            n_words += 1;
        }
        in_word = is_word;
    }
    n_words + n_ideographic.div_ceil(2) + n_syllabic.div_ceil(5)
}

/// Runs of ASCII letters and digits: the words of ASCII text, by any of the counts above.
fn count_ascii_words(bytes: &[u8]) -> usize {
    let mut n_words = 0;
    let mut in_word = false;
    for &b in bytes {
        let is_word = b.is_ascii_alphanumeric();
        n_words += usize::from(is_word && !in_word);
        in_word = is_word;
    }
    n_words
}

/// [`count_word_units`] and [`text_width`] of a text in one pass, with an ASCII fast path.
pub fn word_units_and_width(text: &str) -> (usize, usize) {
    if text.is_ascii() {
        return (count_ascii_words(text.as_bytes()), text.len());
    }
    (count_word_units(text), text_width(text))
}

/// The width of a text in Latin-letter equivalents: Chinese and Japanese characters carry as
/// much text as about two and a half Latin letters, so they count that much; everything else
/// counts one. Length features computed on it mean the same across scripts.
pub fn text_width(text: &str) -> usize {
    let mut n_wide = 0usize;
    let mut n = 0usize;
    for c in text.chars() {
        n += 1;
        if unspaced_script(c) == Some(Unspaced::Ideographic) {
            n_wide += 1;
        }
    }
    n + (n_wide * 3).div_ceil(2)
}

/// How a script written without spaces between words counts in words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unspaced {
    /// Han, Hiragana, Katakana.
    Ideographic,
    /// Thai, Lao, Myanmar, Khmer.
    Syllabic,
}

/// The scripts written without spaces between words.
pub fn unspaced_script(c: char) -> Option<Unspaced> {
    match c as u32 {
        0x3040..=0x30FF
        | 0x3400..=0x4DBF
        | 0x4E00..=0x9FFF
        | 0xF900..=0xFAFF
        | 0x20000..=0x2FA1F => Some(Unspaced::Ideographic),
        0x0E00..=0x0EFF | 0x1000..=0x109F | 0x1780..=0x17FF => Some(Unspaced::Syllabic),
        _ => None,
    }
}

/// Separators between a headline and a site name in title tags.
const AFFIX_SEPARATORS: [&str; 8] = [" | ", " - ", " – ", " — ", " :: ", " • ", " · ", " » "];

/// The first and last position of each of [`AFFIX_SEPARATORS`] in `line`, in one pass over
/// its spaces (each separator is a space, a mark and a space).
fn affix_separators(line: &str) -> [Option<(usize, usize)>; AFFIX_SEPARATORS.len()] {
    let mut found = [None; AFFIX_SEPARATORS.len()];
    let bytes = line.as_bytes();
    for at in memchr::memchr_iter(b' ', bytes) {
        // Most spaces are followed by a letter, which opens no separator's mark.
        let Some(&mark) = bytes.get(at + 1) else {
            break;
        };
        if mark.is_ascii_alphanumeric() {
            continue;
        }
        let rest = &line[at..];
        for (k, sep) in AFFIX_SEPARATORS.iter().enumerate() {
            if rest.starts_with(sep) {
                let (first, _) = found[k].unwrap_or((at, at));
                found[k] = Some((first, at));
            }
        }
    }
    found
}

/// The parts of a title-tag line without a site name: the text before the last separator and
/// the text after the first one (`Title | Site` → `Title`; `Site - Title` → `Title`), for each
/// separator the line contains; parts of fewer than two words are left out.
pub fn strip_site_affix(line: &str) -> Vec<&str> {
    let mut out = Vec::new();
    for (sep, found) in AFFIX_SEPARATORS.iter().zip(affix_separators(line)) {
        if let Some((first, last)) = found {
            out.push(line[..last].trim());
            out.push(line[first + sep.len()..].trim());
        }
    }
    out.retain(|part| count_words(part) >= 2);
    out
}

/// Whether [`strip_site_affix`] finds a part in `line`, without collecting them: the first
/// part of two words or more says so.
pub fn has_site_affix(line: &str) -> bool {
    AFFIX_SEPARATORS
        .iter()
        .zip(affix_separators(line))
        .any(|(sep, found)| {
            found.is_some_and(|(first, last)| {
                count_words(line[..last].trim()) >= 2
                    || count_words(line[first + sep.len()..].trim()) >= 2
            })
        })
}

/// The two sides of the title-tag separators in `line`, as `(before, after)` pairs, trimmed:
/// split at the first and at the last occurrence of each of the separators [`strip_site_affix`]
/// knows (`A | B | C` gives `("A", "B | C")` and `("A | B", "C")`). Where
/// [`strip_site_affix`] keeps a side that may be the headline, this keeps the pairs, so that a
/// title picker that knows one side is the site name can take the other.
pub fn affix_splits(line: &str) -> Vec<(&str, &str)> {
    let mut out = Vec::new();
    for (sep, found) in AFFIX_SEPARATORS.iter().zip(affix_separators(line)) {
        if let Some((first, last)) = found {
            for at in [first, last] {
                let pair = (line[..at].trim(), line[at + sep.len()..].trim());
                if !out.contains(&pair) {
                    out.push(pair);
                }
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn check(input: &str, expected: &str) {
        assert_eq!(normalize(input), expected, "input: {input:?}");
    }

    #[test]
    fn ascii() {
        check("  Hello   World \t", "hello world");
        check("", "");
        check(" \t ", "");
    }

    #[test]
    fn quotes_dashes_case() {
        check(
            "US urges “war crimes” — Ukraine’s",
            "us urges \"war crimes\" - ukraine's",
        );
        check("ÉCOLE", "école");
    }

    #[test]
    fn compatibility_forms() {
        check("ｆｕｌｌｗｉｄｔｈ", "fullwidth");
        check("ﬁne\u{00A0}print", "fine print");
    }

    #[test]
    fn word_units() {
        assert_eq!(count_word_units("Hello, big world"), 3);
        assert_eq!(count_word_units("市立図書館は来月から"), 5);
        assert_eq!(count_word_units("NHK が報じた"), 1 + 2);
        assert_eq!(count_word_units("สวัสดีครับ"), 2);
        assert_eq!(text_width("abc"), 3);
        assert_eq!(text_width("図書館"), 3 + 5);
    }

    proptest! {
        /// The one-pass measures equal the two separate ones.
        #[test]
        fn word_units_and_width_agree(s in "\\PC{0,40}") {
            prop_assert_eq!(word_units_and_width(&s), (count_word_units(&s), text_width(&s)));
        }

        /// The ASCII fast path counts what the general path counts.
        #[test]
        fn ascii_word_counts_agree(s in "[\\x00-\\x7F]{0,60}") {
            let mut general = 0;
            let mut in_word = false;
            for c in s.chars() {
                general += usize::from(c.is_alphanumeric() && !in_word);
                in_word = c.is_alphanumeric();
            }
            prop_assert_eq!(count_words(&s), general);
            prop_assert_eq!(count_word_units(&s), general);
        }

        /// Normalising by the fast paths gives what the general steps give, character by
        /// character, on the NFKC form.
        #[test]
        fn normalize_equals_the_general_steps(
            s in "[ -~\t\x0B\r\n]{0,40}|[ -~\t\x0B“”‘’–—ÄéİΣßﬁ①\u{A0}\u{2003}\u{301}]{0,40}|[ a-zA-Z’é\t]{0,40}|\\PC{0,40}"
        ) {
            let mut general = String::new();
            let mut pending_space = false;
            for c in s.nfkc() {
                if c.is_whitespace() {
                    pending_space = !general.is_empty();
                    continue;
                }
                if pending_space {
                    general.push(' ');
                    pending_space = false;
                }
                match unify(c) {
                    Some(u) => general.push(u),
                    None => general.extend(c.to_lowercase()),
                }
            }
            prop_assert_eq!(normalize(&s), general);
        }

        /// The non-ASCII characters found byte by byte are those of the line, in order.
        #[test]
        fn non_ascii_chars_are_the_lines(s in "[ a-z’é\u{301}]{0,20}|\\PC{0,30}") {
            prop_assert!(non_ascii_chars(&s).eq(s.chars().filter(|c| !c.is_ascii())));
        }

        /// The words found and counted byte by byte are the pieces of a split at every other
        /// character.
        #[test]
        fn words_are_the_split_pieces(s in "[ a-z0-9’é,.\t]{0,40}|\\PC{0,40}") {
            let mut words = Vec::new();
            for_each_word(&s, |w| words.push(w));
            let split: Vec<&str> =
                s.split(|c: char| !c.is_alphanumeric()).filter(|w| !w.is_empty()).collect();
            prop_assert_eq!(count_words(&s), split.len());
            prop_assert_eq!(words, split);
        }

        #[test]
        fn ascii_word_units_and_width_agree(s in "[ -~]{0,60}") {
            prop_assert_eq!(word_units_and_width(&s), (count_word_units(&s), text_width(&s)));
        }
    }

    /// The one-pass search finds what `find` and `rfind` of each separator find.
    fn site_affix_by_find(line: &str) -> Vec<&str> {
        let mut out = Vec::new();
        for sep in AFFIX_SEPARATORS {
            if let Some(at) = line.rfind(sep) {
                out.push(line[..at].trim());
            }
            if let Some(at) = line.find(sep) {
                out.push(line[at + sep.len()..].trim());
            }
        }
        out.retain(|part| count_words(part) >= 2);
        out
    }

    proptest! {
        #[test]
        fn site_affix_equals_find_and_rfind(
            parts in proptest::collection::vec("[a-z ]{0,8}|[|:•·»–—-]{1,2}| ", 0..12)
        ) {
            let line = parts.concat();
            prop_assert_eq!(strip_site_affix(&line), site_affix_by_find(&line));
            prop_assert_eq!(has_site_affix(&line), !strip_site_affix(&line).is_empty());
        }
    }

    #[test]
    fn site_affix() {
        assert_eq!(
            strip_site_affix("Big storm hits | The Daily"),
            vec!["Big storm hits", "The Daily"]
        );
        assert_eq!(
            strip_site_affix("Site - A long title here"),
            vec!["A long title here"]
        );
        assert!(strip_site_affix("No separator here").is_empty());
    }

    #[test]
    fn affix_splits_pair_both_sides_of_each_separator() {
        assert_eq!(
            affix_splits("Big storm hits | The Daily"),
            vec![("Big storm hits", "The Daily")]
        );
        assert_eq!(
            affix_splits("Big storm hits | Weather | The Daily"),
            vec![
                ("Big storm hits", "Weather | The Daily"),
                ("Big storm hits | Weather", "The Daily")
            ]
        );
        assert_eq!(
            affix_splits("Site - Big storm – The Daily"),
            vec![
                ("Site", "Big storm – The Daily"),
                ("Site - Big storm", "The Daily")
            ]
        );
        assert!(affix_splits("No separator here").is_empty());
    }

    /// The general path, used to check that the fast paths give identical bytes.
    fn slow(line: &str) -> String {
        let mut out = String::new();
        normalize_chars(line.nfkc(), &mut out, 0);
        out
    }

    proptest! {
        #[test]
        fn fast_paths_equal_general_path(s in "\\PC{0,40}") {
            prop_assert_eq!(normalize(&s), slow(&s));
        }

        /// ASCII lines with every kind of spacing take the copy-and-lowercase path or the
        /// byte loop, and both give the general path's bytes.
        #[test]
        fn ascii_fast_path_equals_general_path(s in "[ -~\t\n\r\x0B\x0C]{0,60}") {
            prop_assert_eq!(normalize(&s), slow(&s));
        }

        #[test]
        fn any_ascii_equals_general_path(s in "[\x00-\x7F]{0,60}") {
            prop_assert_eq!(normalize(&s), slow(&s));
        }

        /// Appending to a buffer that holds other lines gives the line's own normal form.
        #[test]
        fn append_equals_into(a in "\\PC{0,20}", s in "[ -~\t]{0,30}|\\PC{0,30}") {
            let mut out = normalize(&a);
            let before = out.clone();
            normalize_append(&s, &mut out);
            prop_assert_eq!(out, before + &normalize(&s));
        }

        #[test]
        fn idempotent(s in "\\PC{0,40}") {
            let once = normalize(&s);
            prop_assert_eq!(normalize(&once), once.clone());
        }
    }
}
