//! Line classification: is a line article text?

use newsclean_core::MarkedDoc;
use newsclean_core::text::count_word_units;

/// Cheap facts about one line that several rules use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct LineFacts {
    /// Words, with unspaced scripts counted as one word per two characters.
    pub n_words: u32,
    /// Characters.
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
        LineFacts {
            n_words: count_word_units(text) as u32,
            n_chars: text.chars().count() as u32,
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

/// Scores every line from 0 (boilerplate) to 1 (article text); lines that are not alive get 0.
///
/// A line scores 1 when it reads like prose. A short line between two prose lines (a
/// sub-heading, a short paragraph) scores 0.75: the article is one dense block, and what sits
/// inside it belongs to it.
pub fn classify(marked: &MarkedDoc, facts: &[LineFacts]) -> Vec<f32> {
    let alive: Vec<usize> = (0..marked.lines.len())
        .filter(|&i| marked.lines[i].verdict.is_alive())
        .collect();
    let mut scores = vec![0.0; marked.lines.len()];
    for (k, &i) in alive.iter().enumerate() {
        scores[i] = if facts[i].is_prose() {
            1.0
        } else {
            let prev_is_prose = k > 0 && facts[alive[k - 1]].is_prose();
            let next_is_prose = alive.get(k + 1).is_some_and(|&j| facts[j].is_prose());
            if prev_is_prose && next_is_prose {
                0.75
            } else {
                0.1
            }
        };
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
