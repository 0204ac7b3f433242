//! Line classification: is a line article text?

use newsclean_core::MarkedDoc;

use crate::markers::{Marker, marker};
use crate::model::LineModel;
use crate::patterns::{is_byline_like, is_date_like};
#[cfg(test)]
use newsclean_core::text::word_units_and_width;
use newsclean_core::text::{Unspaced, count_words, unspaced_script};

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
    /// The structure marker the line is, looked up once for the features, the roles and the
    /// title picker: on a page's lines of 1 to `MARKER_WORDS` (25) words
    /// ([`LineFacts::of_page`]), never by [`LineFacts::of`].
    pub marker: Option<Marker>,
    /// Whether the line reads as a date or a byline, looked up once for the features and the
    /// title picker: on a page's lines of 1 to `SHAPE_WORDS` (20) words
    /// ([`LineFacts::of_page`]), never by [`LineFacts::of`]; see [`LineFacts::shape`].
    pub shape: Option<Shape>,
    /// Words as [`newsclean_core::text::count_words`] counts them (runs of letters and
    /// digits), which the article's word count adds up: `n_words` where the line has no
    /// character of an unspaced script, which `n_words` counts apart.
    pub n_runs: u32,
}

/// The longest line, in words, whose structure marker [`LineFacts::of_page`] looks up.
pub const MARKER_WORDS: u32 = 25;
/// The longest line, in words, whose [`Shape`] [`LineFacts::of_page`] looks up: the features
/// ask no longer line for it.
pub const SHAPE_WORDS: u32 = 20;

/// What a short line reads as.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Shape {
    /// It carries a date ([`is_date_like`]).
    pub date_like: bool,
    /// It names the author or says when the page was posted ([`is_byline_like`]).
    pub byline_like: bool,
}

impl Shape {
    /// The shape of a normalised line.
    pub fn of(norm: &str) -> Shape {
        Shape {
            date_like: is_date_like(norm),
            byline_like: is_byline_like(norm),
        }
    }
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
        let (counts, n_words, width, is_spaced) = CharCounts::of(text);
        LineFacts {
            n_words: n_words as u32,
            n_runs: if is_spaced {
                n_words as u32
            } else {
                count_words(text) as u32
            },
            n_chars: width as u32,
            ends_sentence,
            ends_punct,
            bullet: bullet_len(text),
            counts,
            marker: None,
            shape: None,
        }
    }

    /// The facts of every line of a page, with the markers of its short lines.
    pub fn of_page(marked: &MarkedDoc) -> Vec<LineFacts> {
        (0..marked.lines.len())
            .map(|i| {
                let mut facts = LineFacts::of(marked.line_text(i));
                if (1..=MARKER_WORDS).contains(&facts.n_words) {
                    let norm = marked.norm(i);
                    facts.marker = marker(norm);
                    if facts.n_words <= SHAPE_WORDS {
                        facts.shape = Some(Shape::of(norm));
                    }
                }
                facts
            })
            .collect()
    }

    /// The shape of the line whose normal form is `norm`: the one looked up with the page's
    /// facts where there is one, else looked up now.
    pub fn shape(&self, norm: &str) -> Shape {
        self.shape.unwrap_or_else(|| Shape::of(norm))
    }

    /// Reads like running text: a sentence or a long line.
    pub fn is_prose(&self) -> bool {
        self.n_words >= 12 || (self.n_words >= 5 && self.ends_sentence)
    }
}

/// General punctuation (dashes, curly quotes, bullets, the ellipsis; the block's spaces left
/// out): no letter, digit, space or character of an unspaced script.
fn is_general_punctuation(c: char) -> bool {
    matches!(c, '\u{2010}'..='\u{2027}' | '\u{2030}'..='\u{205E}')
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
    /// The definition that [`of`](Self::of) computes faster.
    #[cfg(test)]
    fn of_chars(text: &str) -> (CharCounts, usize, usize, bool) {
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
        (n, units, width, n_ideographic == 0 && n_syllabic == 0)
    }

    /// Counts a character of which [`is_general_punctuation`] holds, `after` the kind of
    /// character before it, as `of` counts the others, without their Unicode lookups.
    fn add_general_punctuation(&mut self, c: char, after: usize) {
        self.n_punct += 1;
        self.n_space_words += u32::from(after & AFTER_SPACE != 0);
        self.n_sentence_ends += u32::from(after & AFTER_STOP != 0 && matches!(c, '”' | '’'));
        self.n_separators += u32::from(matches!(c, '›' | '•' | '‹'));
    }

    /// The same counts in one pass over the bytes. An ASCII byte (most of most lines, even
    /// of lines with a curly quote) adds one entry of [`ASCII_STEP`], chosen by the byte and
    /// the kind of character before it, to packed counters; other characters are counted as
    /// `of_chars` (the char-by-char definition the tests hold it to) counts them.
    fn of(text: &str) -> (CharCounts, usize, usize, bool) {
        let bytes = text.as_bytes();
        let mut n = CharCounts::default();
        let (mut n_words, mut n_ideographic, mut n_syllabic, mut n_wide) = (0u32, 0u32, 0u32, 0u32);
        let mut packed = Packed::default();
        // What the last character was (`AFTER_*` bits): a line starts as after a space.
        let mut after = AFTER_SPACE;
        let mut at = 0;
        // In runs of at most `Packed::RUN` bytes, so that no packed field can overflow
        // before the run's end moves them to the totals.
        let mut run_end = 0;
        while at < bytes.len() {
            if at >= run_end {
                packed.flush();
                run_end = at + Packed::RUN;
            }
            // The ASCII bytes up to the next other character or the run's end.
            let stop = run_end.min(bytes.len());
            while at < stop && bytes[at] < 0x80 {
                let b = usize::from(bytes[at]);
                packed.fields = packed.fields.wrapping_add(ASCII_STEP[after][b]);
                // What the byte leaves behind depends on the byte alone: read from its own
                // table, not from the step, the next step's lookup does not wait on this one.
                after = usize::from(ASCII_AFTER[b]);
                at += 1;
            }
            if at == stop {
                continue;
            }
            let c = text[at..].chars().next().unwrap_or_default();
            at += c.len_utf8();
            n.n_chars += 1;
            if is_general_punctuation(c) {
                n.add_general_punctuation(c, after);
                after = 0;
                continue;
            }
            let space = c.is_whitespace();
            if c.is_alphabetic() {
                n.n_letters += 1;
                n.n_upper += u32::from(c.is_uppercase());
            } else if c.is_numeric() {
                n.n_digits += 1;
            } else if !space {
                n.n_punct += 1;
            }
            if after & AFTER_SPACE != 0 && !space {
                n.n_space_words += 1;
                n.n_title_words += u32::from(c.is_uppercase());
            }
            // A full-width stop ends a sentence whatever follows it.
            if (after & AFTER_STOP != 0 && (space || matches!(c, '”' | '’')))
                || matches!(c, '。' | '！' | '？')
            {
                n.n_sentence_ends += 1;
            }
            match c {
                '»' | '›' | '·' | '•' | '«' | '‹' => n.n_separators += 1,
                '、' | '，' => n.n_commas += 1,
                _ => {}
            }
            let in_word = match unspaced_script(c) {
                Some(Unspaced::Ideographic) => {
                    n_ideographic += 1;
                    n_wide += 1;
                    false
                }
                Some(Unspaced::Syllabic) => {
                    n_syllabic += 1;
                    false
                }
                None => {
                    let is_word = c.is_alphanumeric();
                    n_words += u32::from(is_word && after & AFTER_WORD == 0);
                    is_word
                }
            };
            after = if space {
                AFTER_SPACE
            } else {
                usize::from(in_word) * AFTER_WORD
            };
        }
        n.n_sentence_ends += u32::from(after & AFTER_STOP != 0);
        let ascii = packed.finish();
        for (total, add) in [
            &mut n.n_letters,
            &mut n.n_upper,
            &mut n.n_digits,
            &mut n.n_punct,
            &mut n.n_separators,
            &mut n.n_commas,
            &mut n.n_space_words,
            &mut n.n_title_words,
            &mut n.n_sentence_ends,
            &mut n_words,
            &mut n.n_chars,
        ]
        .into_iter()
        .zip(ascii)
        {
            *total += add;
        }
        let units = n_words + n_ideographic.div_ceil(2) + n_syllabic.div_ceil(5);
        let width = n.n_chars + (n_wide * 3).div_ceil(2);
        let is_spaced = n_ideographic == 0 && n_syllabic == 0;
        (n, units as usize, width as usize, is_spaced)
    }
}

/// The counts of the ASCII bytes of a line as fields of [`FIELD_BITS`] bits in one integer,
/// moved to `u32` totals before a field can overflow (at least every [`Packed::RUN`] bytes).
#[derive(Default)]
struct Packed {
    fields: u128,
    totals: [u32; N_FIELDS],
}

/// Fields of [`Packed`]: letters, uppercase letters, digits, other non-space characters,
/// separators, commas, space-separated words, of them capitalised, sentence ends, words
/// (runs of alphanumerics), characters.
const N_FIELDS: usize = 11;
const FIELD_BITS: u32 = 11;
const _: () = assert!(N_FIELDS as u32 * FIELD_BITS <= u128::BITS);

impl Packed {
    /// The most bytes added between two flushes: each byte adds at most one to a field.
    const RUN: usize = (1 << FIELD_BITS) - 1;

    fn flush(&mut self) {
        for (k, total) in self.totals.iter_mut().enumerate() {
            *total += ((self.fields >> (k as u32 * FIELD_BITS)) & ((1 << FIELD_BITS) - 1)) as u32;
        }
        self.fields = 0;
    }

    fn finish(mut self) -> [u32; N_FIELDS] {
        self.flush();
        self.totals
    }
}

// What the character before a byte was, as bits of an index into [`ASCII_STEP`].
const AFTER_SPACE: usize = 1;
/// Alphanumeric, in a run of them (a word).
const AFTER_WORD: usize = 2;
/// `.`, `!` or `?`: a sentence ends if a space, a quote or the line's end follows.
const AFTER_STOP: usize = 4;

/// What an ASCII byte leaves behind (`AFTER_*`).
const ASCII_AFTER: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        table[b] = if is_ascii_space(c) {
            AFTER_SPACE as u8
        } else if c.is_ascii_alphanumeric() {
            AFTER_WORD as u8
        } else if matches!(c, b'.' | b'!' | b'?') {
            AFTER_STOP as u8
        } else {
            0
        };
        b += 1;
    }
    table
};

/// `char::is_whitespace` on an ASCII byte (vertical tab included).
const fn is_ascii_space(c: u8) -> bool {
    matches!(c, b' ' | b'\t'..=b'\r')
}

/// What an ASCII byte adds to the packed counts after a character of each kind (`AFTER_*`),
/// as `CharCounts::of_chars` counts its character.
const ASCII_STEP: [[u128; 128]; 8] = {
    let mut table = [[0u128; 128]; 8];
    let mut after = 0;
    while after < 8 {
        let mut b = 0;
        while b < 128 {
            let c = b as u8;
            let space = is_ascii_space(c);
            let after_space = after & AFTER_SPACE != 0;
            let fields = [
                c.is_ascii_alphabetic(),
                c.is_ascii_uppercase(),
                c.is_ascii_digit(),
                !c.is_ascii_alphanumeric() && !space,
                matches!(c, b'|' | b'>' | b'/'),
                c == b',',
                after_space && !space,
                after_space && c.is_ascii_uppercase(),
                after & AFTER_STOP != 0 && (space || c == b'"'),
                c.is_ascii_alphanumeric() && after & AFTER_WORD == 0,
                true,
            ];
            let mut step = 0u128;
            let mut k = 0;
            while k < N_FIELDS {
                step |= (fields[k] as u128) << (k as u32 * FIELD_BITS);
                k += 1;
            }
            table[after][b] = step;
            b += 1;
        }
        after += 1;
    }
    table
};

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
        /// The byte-class pass counts exactly what the char-by-char definition counts, on
        /// ASCII, on text that mixes it with the characters counted apart, and on any text.
        #[test]
        fn fast_counts_equal_general_counts(
            text in "[ -~\t\x0B\x0C]{0,60}|[ -~\t\x0B\x0C”’»›·•«‹、，。！？中ไé…\u{85}\u{A0}\u{2003}]{0,60}|[ aA.!?\u{2000}-\u{206F}]{0,40}|\\PC{0,40}"
        ) {
            proptest::prop_assert_eq!(CharCounts::of(&text), CharCounts::of_chars(&text));
        }

        /// A line's runs of letters and digits are the words `count_words` counts, whether
        /// or not it has characters of unspaced scripts.
        #[test]
        fn runs_are_counted_words(text in "[ a-z’é中ไ,]{0,30}|\\PC{0,40}") {
            proptest::prop_assert_eq!(LineFacts::of(&text).n_runs as usize, count_words(&text));
        }

        /// The one pass measures words and width as the text module does.
        #[test]
        fn facts_measure_as_the_text_module(text in "\\PC{0,40}|[ -~]{0,40}") {
            let facts = LineFacts::of(&text);
            let (n_words, width) = word_units_and_width(&text);
            proptest::prop_assert_eq!((facts.n_words as usize, facts.n_chars as usize), (n_words, width));
        }
    }

    /// Lines longer than a packed field can count are counted in full.
    #[test]
    fn long_lines_count_in_full() {
        for text in [
            "He said “yes.” A, B | c. ".repeat(700),
            "x".repeat(5000),
            "Ünïcödé wörds. ".repeat(400),
        ] {
            assert_eq!(CharCounts::of(&text), CharCounts::of_chars(&text));
        }
        assert_eq!(CharCounts::of(&"a".repeat(5000)).0.n_letters, 5000);
    }

    /// A page's lines of 1 to `SHAPE_WORDS` words carry their shape, the one `Shape::of` gives;
    /// longer and blank lines and `LineFacts::of` carry none, and `shape` looks it up then.
    #[test]
    fn page_facts_carry_the_shape_of_short_lines() {
        let long_byline = format!("By Sam Ortiz on May 2, 2024{}", " and more".repeat(10));
        let twenty_words = "word ".repeat(20);
        let text = format!(
            "Posted by Sam Ortiz\nMay 2, 2024\n\n{twenty_words}\n{long_byline}\nThe storm hit the \
             coast on Tuesday and left thousands of homes without power for days.\n"
        );
        let (marked, facts) = crate::test_support::marked(&text);
        let mut n_shaped = 0;
        for (i, f) in facts.iter().enumerate() {
            let norm = marked.norm(i);
            assert_eq!(
                f.shape.is_some(),
                (1..=SHAPE_WORDS).contains(&f.n_words),
                "{norm}"
            );
            n_shaped += usize::from(f.shape.is_some());
            assert_eq!(f.shape(norm), Shape::of(norm), "{norm}");
        }
        assert_eq!(n_shaped, 4);
        assert!(
            facts
                .iter()
                .any(|f| f.n_words == SHAPE_WORDS && f.shape.is_some())
        );
        let byline = facts
            .iter()
            .position(|f| f.n_words > SHAPE_WORDS && f.n_words < 30);
        let byline = byline.expect("the long byline is a line");
        assert!(facts[byline].shape(marked.norm(byline)).byline_like);
        assert_eq!(LineFacts::of("May 2, 2024").shape, None);
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
