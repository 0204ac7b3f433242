//! Structure markers: the start of a related-links block and the end-of-article footer.

use std::sync::OnceLock;

use newsclean_core::lexicon::Lexicon;

/// The built-in structure markers (`lexicon/markers.txt`).
fn markers() -> &'static Lexicon {
    static LEXICON: OnceLock<Lexicon> = OnceLock::new();
    LEXICON.get_or_init(|| {
        Lexicon::parse(include_str!("../lexicon/markers.txt"))
            .expect("the built-in lexicon parses (tested)")
    })
}

/// What a marker line announces.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Marker {
    /// A block of related-article titles follows.
    Related,
    /// The article has ended.
    Footer,
}

/// The marker a normalised line is, if any. Only short lines are looked up.
pub fn marker(normalized: &str) -> Option<Marker> {
    if normalized.len() > 160 {
        return None;
    }
    match markers().lookup(normalized)? {
        "related" => Some(Marker::Related),
        "footer" => Some(Marker::Footer),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use newsclean_core::text::normalize;

    use super::*;

    #[test]
    fn builtin_markers() {
        assert_eq!(marker(&normalize("Also Read:")), Some(Marker::Related));
        assert_eq!(
            marker(&normalize(
                "Download The BOL News App to get the Daily News Update"
            )),
            Some(Marker::Footer)
        );
        assert_eq!(marker(&normalize("関連記事")), Some(Marker::Related));
        // A comment form's opener ends the article.
        for line in [
            "Add your comment",
            "+ ADD YOUR COMMENT",
            "Leave your comment here…",
            "Post Your Comment",
            "Comments are closed.",
            "Be The First To Comment",
        ] {
            assert_eq!(marker(&normalize(line)), Some(Marker::Footer), "{line}");
        }
        assert_eq!(
            marker(&normalize("The council said more from the budget")),
            None
        );
    }
}
