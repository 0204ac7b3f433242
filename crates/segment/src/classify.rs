//! Line classification: is a line article text?

use newsclean_core::MarkedDoc;

use crate::model::LineModel;
#[cfg(test)]
use newsclean_core::text::word_units_and_width;
use newsclean_core::text::{Unspaced, unspaced_script};

/// Cheap facts about one line that several rules use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// Words, with unspaced scripts counted as one word per two characters.
    pub n_words: u32,
    /// Width in Latin-letter equivalents (see [`newsclean_core::text::text_width`]).
    pub n_chars: u32,
    /// The line ends like a sentence (`.`, `!`, `?`, `…`, or a closing quote after one).
    pub ends_sentence: bool,
    /// The line ends with punctuation that a heading never ends with.
    pub ends_punct: bool,
    /// Byte length of a leading bullet mark and the space after it, if the line has one.
    pub bullet: Option<u8>,
    /// The character counts the line classifier and the title picker read.
    pub counts: CharCounts,
}

impl LineFacts {
    /// Computes the facts of one trimmed line, in one pass over its characters (on the ASCII
    /// fast path when it can).
    pub fn of(text: &str) -> LineFacts {
        let last = text
            .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
            .chars()
            .next_back();
        let ends_sentence = matches!(last, Some('.' | '!' | '?' | '…' | '。' | '！' | '？'));
        let ends_punct = ends_sentence || matches!(text.chars().next_back(), Some(',' | ';' | ':'));
        let (counts, n_words, width) = if text.is_ascii() {
            CharCounts::of_ascii(text.as_bytes())
        } else {
            CharCounts::of_chars(text)
        };
        LineFacts {
            n_words: n_words as u32,
            n_chars: width as u32,
            ends_sentence,
            ends_punct,
            bullet: bullet_len(text),
            counts,
        }
    }

    /// Reads like running text: a sentence or a long line.
    pub fn is_prose(&self) -> bool {
        self.n_words >= 12 || (self.n_words >= 5 && self.ends_sentence)
    }
}

/// Character counts of one line that the features need.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[allow(
    clippy::struct_field_names,
    reason = "counts are named n_ as the house style asks"
)]
pub struct CharCounts {
    /// Characters.
    pub n_chars: u32,
    /// Letters (alphabetic characters).
    pub n_letters: u32,
    /// Uppercase letters.
    pub n_upper: u32,
    /// Digits (numeric characters that are not letters).
    pub n_digits: u32,
    /// Other characters that are not whitespace.
    pub n_punct: u32,
    /// Sentence ends: a stop followed by a space, a closing quote or the line's end.
    pub n_sentence_ends: u32,
    /// Separator marks (`|`, `»`, `/`, `•`, …).
    pub n_separators: u32,
    /// Commas, ideographic ones included.
    pub n_commas: u32,
    /// Space-separated words that start with a capital.
    pub n_title_words: u32,
    /// Space-separated words.
    pub n_space_words: u32,
}

impl CharCounts {
    /// Counts any text, char by char; also returns its word units and width (see
    /// [`word_units_and_width`](newsclean_core::text::word_units_and_width)), from the same pass.
    fn of_chars(text: &str) -> (CharCounts, usize, usize) {
        let mut n = CharCounts::default();
        let mut at_word_start = true;
        let mut prev = ' ';
        let (mut n_words, mut n_ideographic, mut n_syllabic, mut n_wide) =
            (0usize, 0usize, 0usize, 0usize);
        let mut in_word = false;
        for c in text.chars() {
            n.n_chars += 1;
            if c.is_alphabetic() {
                n.n_letters += 1;
                if c.is_uppercase() {
                    n.n_upper += 1;
                }
            } else if c.is_numeric() {
                n.n_digits += 1;
            } else if !c.is_whitespace() {
                n.n_punct += 1;
            }
            if at_word_start && !c.is_whitespace() {
                n.n_space_words += 1;
                if c.is_uppercase() {
                    n.n_title_words += 1;
                }
            }
            at_word_start = c.is_whitespace();
            // Full-width stops end a sentence wherever they stand (no space follows them).
            if matches!(prev, '。' | '！' | '？')
                || (matches!(prev, '.' | '!' | '?')
                    && (c.is_whitespace() || matches!(c, '"' | '”' | '’')))
            {
                n.n_sentence_ends += 1;
            }
            match c {
                '|' | '»' | '›' | '·' | '•' | '>' | '/' | '«' | '‹' => n.n_separators += 1,
                ',' | '、' | '，' => n.n_commas += 1,
                _ => {}
            }
            prev = c;
            // Word units and width, as `word_units_and_width` counts them.
            match unspaced_script(c) {
                Some(Unspaced::Ideographic) => {
                    n_ideographic += 1;
                    n_wide += 1;
                    in_word = false;
                }
                Some(Unspaced::Syllabic) => {
                    n_syllabic += 1;
                    in_word = false;
                }
                None => {
                    let is_word = c.is_alphanumeric();
                    n_words += usize::from(is_word && !in_word);
                    in_word = is_word;
                }
            }
        }
        if matches!(prev, '.' | '!' | '?' | '。' | '！' | '？') {
            n.n_sentence_ends += 1;
        }
        let units = n_words + n_ideographic.div_ceil(2) + n_syllabic.div_ceil(5);
        let width = n.n_chars as usize + (n_wide * 3).div_ceil(2);
        (n, units, width)
    }

    /// The same counts for ASCII text, byte by byte (most lines of most pages).
    fn of_ascii(bytes: &[u8]) -> (CharCounts, usize, usize) {
        // `char::is_whitespace` on ASCII, which `u8::is_ascii_whitespace` is not (vertical tab).
        let is_space = |b: u8| matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r');
        let mut n = CharCounts {
            n_chars: bytes.len() as u32,
            ..CharCounts::default()
        };
        let mut at_word_start = true;
        let mut prev = b' ';
        let mut n_words = 0;
        let mut in_word = false;
        for &b in bytes {
            if b.is_ascii_alphabetic() {
                n.n_letters += 1;
                n.n_upper += u32::from(b.is_ascii_uppercase());
            } else if b.is_ascii_digit() {
                n.n_digits += 1;
            } else if !is_space(b) {
                n.n_punct += 1;
            }
            let is_word = b.is_ascii_alphanumeric();
            n_words += usize::from(is_word && !in_word);
            in_word = is_word;
            if at_word_start && !is_space(b) {
                n.n_space_words += 1;
                n.n_title_words += u32::from(b.is_ascii_uppercase());
            }
            at_word_start = is_space(b);
            if matches!(prev, b'.' | b'!' | b'?') && (is_space(b) || b == b'"') {
                n.n_sentence_ends += 1;
            }
            match b {
                b'|' | b'>' | b'/' => n.n_separators += 1,
                b',' => n.n_commas += 1,
                _ => {}
            }
            prev = b;
        }
        if matches!(prev, b'.' | b'!' | b'?') {
            n.n_sentence_ends += 1;
        }
        (n, n_words, bytes.len())
    }
}

/// The bullet marks a summary line may start with.
const BULLETS: [char; 6] = ['•', '▪', '·', '*', '-', '–'];

fn bullet_len(text: &str) -> Option<u8> {
    let first = text.chars().next()?;
    if !BULLETS.contains(&first) {
        return None;
    }
    let rest = &text[first.len_utf8()..];
    let trimmed = rest.trim_start();
    (trimmed.len() < rest.len() && !trimmed.is_empty()).then(|| (text.len() - trimmed.len()) as u8)
}

/// Scores every line from 0 (boilerplate) to 1 (article text) with the line model, in the
/// model's view; lines it does not score get 0.
pub fn classify(marked: &MarkedDoc, facts: &[LineFacts], model: &LineModel) -> Vec<f32> {
    let features = crate::features::extract(marked, facts, model.view());
    let mut scores = vec![0.0; marked.lines.len()];
    for (&i, p) in features.lines.iter().zip(model.score(&features)) {
        scores[i] = p;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The ASCII fast path counts exactly what the general path counts.
        #[test]
        fn ascii_counts_equal_general_counts(text in "[ -~\t\x0B\x0C]{0,60}") {
            proptest::prop_assert_eq!(CharCounts::of_ascii(text.as_bytes()), CharCounts::of_chars(&text));
        }

        /// The one pass measures words and width as the text module does.
        #[test]
        fn facts_measure_as_the_text_module(text in "\\PC{0,40}|[ -~]{0,40}") {
            let facts = LineFacts::of(&text);
            let (n_words, width) = word_units_and_width(&text);
            proptest::prop_assert_eq!((facts.n_words as usize, facts.n_chars as usize), (n_words, width));
        }
    }

    #[test]
    fn facts() {
        let f = LineFacts::of("  • NSC spokesman urged Mr. Xi.".trim());
        assert_eq!(f.bullet, Some("• ".len() as u8));
        assert!(f.ends_sentence);
        assert_eq!(LineFacts::of("-5 degrees").bullet, None);
        assert!(LineFacts::of("He said “yes.”").ends_sentence);
        assert!(!LineFacts::of("Hours of informal talks").ends_punct);
    }
}
