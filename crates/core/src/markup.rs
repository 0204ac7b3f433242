//! What an HTML page's markup says about its lines and about the page: the evidence ingest
//! keeps when a document was decoded from HTML, for segment's features and title picker.
//!
//! Per line it is a few bytes ([`LineTags`]: the block element, a bitset of the roles of the
//! block and its ancestors, the share of linked text); per page a handful of strings
//! ([`PageMeta`]: title, `og:title`, the first `h1`, canonical URL, publication time, author,
//! and what a JSON-LD `NewsArticle` says). Text input has none of it.

use serde::{Deserialize, Serialize};

/// The kind of block element a line of an HTML page comes from.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[repr(u8)]
pub enum Block {
    /// Another block (`div`, `section`, `td` of a layout table, text straight in `body`, ...).
    #[default]
    Other,
    /// The `<title>` line (line 1 of the text).
    Title,
    /// The `og:title` / `twitter:title` line (line 2, when the page has one).
    OgTitle,
    /// A paragraph, `p`.
    Paragraph,
    /// A list item, `li`, `dt` or `dd`.
    Item,
    /// A top-level heading, `h1`.
    H1,
    /// A lower heading, `h2` to `h6`.
    Heading,
    /// A table cell, `td` or `th`.
    Cell,
    /// A quotation, `blockquote`.
    Quote,
    /// Preformatted text, `pre`.
    Pre,
    /// A caption, `figcaption` or a table's `caption`.
    Caption,
    /// The `alt` text of an image.
    ImgAlt,
}

/// The roles of a line's block and its ancestors: a bitset of the constants below. A role is
/// set when the line's text lies inside such an element (elements) or inside an element whose
/// `class` or `id` holds such a word (`class:` words, matched as whole parts of the name:
/// `article-comments`, `commentList`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Roles(pub u32);

impl Roles {
    /// `nav`.
    pub const NAV: Roles = Roles(1 << 0);
    /// `header`.
    pub const HEADER: Roles = Roles(1 << 1);
    /// `footer`.
    pub const FOOTER: Roles = Roles(1 << 2);
    /// `aside`.
    pub const ASIDE: Roles = Roles(1 << 3);
    /// `figure`.
    pub const FIGURE: Roles = Roles(1 << 4);
    /// `article`.
    pub const ARTICLE: Roles = Roles(1 << 5);
    /// `main`.
    pub const MAIN: Roles = Roles(1 << 6);
    /// `form`, `button`, `label`.
    pub const FORM: Roles = Roles(1 << 7);
    /// `ul`, `ol`, `menu`, `dl`.
    pub const LIST: Roles = Roles(1 << 8);
    /// `table`.
    pub const TABLE: Roles = Roles(1 << 9);
    /// Hidden: the `hidden` attribute, `aria-hidden="true"`, or `display:none` /
    /// `visibility:hidden` in a `style` attribute.
    pub const HIDDEN: Roles = Roles(1 << 10);
    /// `address`, `time`.
    pub const TIME: Roles = Roles(1 << 11);
    /// Microdata: `itemprop="articleBody"` (or `text`).
    pub const BODY_PROP: Roles = Roles(1 << 12);
    /// Microdata: `itemprop="headline"` (or `name`).
    pub const HEADLINE_PROP: Roles = Roles(1 << 13);
    /// `class:` comment, reply, discussion, disqus.
    pub const C_COMMENT: Roles = Roles(1 << 14);
    /// `class:` share, social, sharing, facebook, twitter, whatsapp, email.
    pub const C_SHARE: Roles = Roles(1 << 15);
    /// `class:` related, recommended, more, trending, popular, read, outbrain, taboola, teaser.
    pub const C_RELATED: Roles = Roles(1 << 16);
    /// `class:` ad, ads, advert, advertisement, sponsor, promo, banner, dfp.
    pub const C_PROMO: Roles = Roles(1 << 17);
    /// `class:` newsletter, subscribe, subscription, signup, paywall, register.
    pub const C_NEWSLETTER: Roles = Roles(1 << 18);
    /// `class:` author, byline, bio, contributor.
    pub const C_AUTHOR: Roles = Roles(1 << 19);
    /// `class:` caption, credit, photo, image, img, gallery, media.
    pub const C_CAPTION: Roles = Roles(1 << 20);
    /// `class:` nav, menu, breadcrumb, breadcrumbs, navbar, navigation, pagination.
    pub const C_NAV: Roles = Roles(1 << 21);
    /// `class:` footer, copyright, legal.
    pub const C_FOOTER: Roles = Roles(1 << 22);
    /// `class:` sidebar, widget, rail, aside, sidebox.
    pub const C_SIDEBAR: Roles = Roles(1 << 23);
    /// `class:` cookie, cookies, consent, gdpr.
    pub const C_COOKIE: Roles = Roles(1 << 24);
    /// `class:` date, time, timestamp, published, updated, dateline.
    pub const C_DATE: Roles = Roles(1 << 25);
    /// `class:` article, content, story, entry, post, body, text, prose.
    pub const C_CONTENT: Roles = Roles(1 << 26);
    /// `class:` header, masthead, topbar, top.
    pub const C_HEADER: Roles = Roles(1 << 27);
    /// `class:` tag, tags, topics, keywords, category, categories.
    pub const C_TAGS: Roles = Roles(1 << 28);
    /// `class:` title, headline, heading.
    pub const C_TITLE: Roles = Roles(1 << 29);

    /// Every role, in bit order, with its name (the feature names of segment).
    pub const ALL: [(&'static str, Roles); 30] = [
        ("nav", Roles::NAV),
        ("header", Roles::HEADER),
        ("footer", Roles::FOOTER),
        ("aside", Roles::ASIDE),
        ("figure", Roles::FIGURE),
        ("article", Roles::ARTICLE),
        ("main", Roles::MAIN),
        ("form", Roles::FORM),
        ("list", Roles::LIST),
        ("table", Roles::TABLE),
        ("hidden", Roles::HIDDEN),
        ("time", Roles::TIME),
        ("body_prop", Roles::BODY_PROP),
        ("headline_prop", Roles::HEADLINE_PROP),
        ("c_comment", Roles::C_COMMENT),
        ("c_share", Roles::C_SHARE),
        ("c_related", Roles::C_RELATED),
        ("c_promo", Roles::C_PROMO),
        ("c_newsletter", Roles::C_NEWSLETTER),
        ("c_author", Roles::C_AUTHOR),
        ("c_caption", Roles::C_CAPTION),
        ("c_nav", Roles::C_NAV),
        ("c_footer", Roles::C_FOOTER),
        ("c_sidebar", Roles::C_SIDEBAR),
        ("c_cookie", Roles::C_COOKIE),
        ("c_date", Roles::C_DATE),
        ("c_content", Roles::C_CONTENT),
        ("c_header", Roles::C_HEADER),
        ("c_tags", Roles::C_TAGS),
        ("c_title", Roles::C_TITLE),
    ];

    /// No role.
    pub const NONE: Roles = Roles(0);

    /// Whether every role of `other` is set.
    pub fn contains(self, other: Roles) -> bool {
        self.0 & other.0 == other.0
    }

    /// Whether any role of `other` is set.
    pub fn intersects(self, other: Roles) -> bool {
        self.0 & other.0 != 0
    }
}

impl std::ops::BitOr for Roles {
    type Output = Roles;
    fn bitor(self, rhs: Roles) -> Roles {
        Roles(self.0 | rhs.0)
    }
}

impl std::ops::BitOrAssign for Roles {
    fn bitor_assign(&mut self, rhs: Roles) {
        self.0 |= rhs.0;
    }
}

impl std::ops::BitAnd for Roles {
    type Output = Roles;
    fn bitand(self, rhs: Roles) -> Roles {
        Roles(self.0 & rhs.0)
    }
}

/// What the markup says about one line: 8 bytes.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct LineTags {
    /// The block element the line's text is in.
    pub block: Block,
    /// The roles all of the line's text shares (its block's and its ancestors').
    pub roles: Roles,
    /// The share of the line's characters inside links (`<a href>`), from 0 (none) to 255
    /// (all).
    pub link: u8,
}

impl LineTags {
    /// The share of linked characters, 0 to 1.
    pub fn link_share(self) -> f32 {
        f32::from(self.link) / 255.0
    }
}

/// Page-level facts from the `head` and structured data, each as the page wrote it (whitespace
/// collapsed); `None` when the page does not say.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageMeta {
    /// The `<title>` text.
    pub title: Option<String>,
    /// `og:title`, else `twitter:title`.
    pub og_title: Option<String>,
    /// The text of the first `h1`.
    pub h1: Option<String>,
    /// `<link rel=canonical>`, else `og:url`.
    pub canonical: Option<String>,
    /// `article:published_time` (or a similar meta), else the first `<time datetime>`.
    pub published: Option<String>,
    /// The `author` meta (or `article:author`).
    pub author: Option<String>,
    /// `og:site_name`.
    pub site_name: Option<String>,
    /// The `headline` of a JSON-LD `NewsArticle` (or `Article`, `BlogPosting`, ...).
    pub ld_headline: Option<String>,
    /// Its `datePublished`.
    pub ld_published: Option<String>,
    /// Its `author` (the first author's `name`).
    pub ld_author: Option<String>,
}

/// The markup evidence of a document decoded from HTML.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Markup {
    /// One entry per line of the document text, in order (the decoder writes no blank line).
    pub lines: Vec<LineTags>,
    /// Page-level facts.
    pub meta: PageMeta,
}

impl Markup {
    /// The tags of line `i`, if the markup covers it.
    pub fn line(&self, i: usize) -> Option<LineTags> {
        self.lines.get(i).copied()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_names_are_the_bits_in_order() {
        for (bit, (_, role)) in Roles::ALL.iter().enumerate() {
            assert_eq!(role.0, 1 << bit);
        }
        assert!((Roles::NAV | Roles::C_SHARE).contains(Roles::NAV));
        assert!(!Roles::NAV.intersects(Roles::FOOTER));
        assert_eq!(std::mem::size_of::<LineTags>(), 8);
    }
}
