//! Line classification: is a line article text?

use newsclean_core::MarkedDoc;

use crate::model::LineModel;
use newsclean_core::text::word_units_and_width;

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
}

impl LineFacts {
    /// Computes the facts of one trimmed line.
    pub fn of(text: &str) -> LineFacts {
        let last = text
            .trim_end_matches(['"', '\'', '”', '’', '»', ')', ']'])
            .chars()
            .next_back();
        let ends_sentence = matches!(last, Some('.' | '!' | '?' | '…' | '。' | '！' | '？'));
        let ends_punct = ends_sentence || matches!(text.chars().next_back(), Some(',' | ';' | ':'));
        let (n_words, width) = word_units_and_width(text);
        LineFacts {
            n_words: n_words as u32,
            n_chars: width as u32,
            ends_sentence,
            ends_punct,
            bullet: bullet_len(text),
        }
    }

    /// Reads like running text: a sentence or a long line.
    pub fn is_prose(&self) -> bool {
        self.n_words >= 12 || (self.n_words >= 5 && self.ends_sentence)
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

/// Scores every line from 0 (boilerplate) to 1 (article text) with the line model; lines that
/// are not alive get 0.
pub fn classify(marked: &MarkedDoc, facts: &[LineFacts], model: &LineModel) -> Vec<f32> {
    let features = crate::features::extract(marked, facts);
    let mut scores = vec![0.0; marked.lines.len()];
    for (&i, p) in features.lines.iter().zip(model.score(&features)) {
        scores[i] = p;
    }
    scores
}

#[cfg(test)]
mod tests {
    use super::*;

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
