//! HTML to text the way a naive scraper does it, which is how the dev set's inputs were made
//! (see `shared/bench/dev/README.md`, "How the input was made").
//!
//! The page is read by the tokenizer of a WHATWG HTML5 parser (`html5ever`), so tags,
//! entities, comments and raw-text elements are recognised exactly as a browser does. No tree
//! is built: a tree builder costs time proportional to the nesting depth for every tag, so a
//! page of 100,000 nested `<div>`s would stall a worker for minutes; on the token stream the
//! work is linear, and for line breaking the tree adds nothing but the rare re-parenting of
//! misplaced table text. Line 1 is the `<title>`, line 2 the `og:title` (or `twitter:title`)
//! when the page has one, then all text in document order with one line per block element;
//! a `<br>` ends a line and each `<img alt>` is a line of its own. Inside a line, runs of
//! whitespace become one space, and empty lines are dropped. `script`, `style`, `noscript`,
//! `template`, `iframe`, `object`, `embed`, `svg`, `math` and `select` are dropped with all
//! they contain, and so are comments. Nothing else is: menus, footers and hidden text stay,
//! for the cleaner to remove.

use std::cell::RefCell;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{LocalName, TokenizerResult};

/// Elements dropped with everything inside them.
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "embed", "svg", "math",
    "select", "noembed", "noframes",
];

/// Elements that start and end a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "caption",
    "center",
    "dd",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
    "dt",
    "fieldset",
    "figcaption",
    "figure",
    "footer",
    "form",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hgroup",
    "hr",
    "html",
    "legend",
    "li",
    "main",
    "menu",
    "nav",
    "ol",
    "optgroup",
    "option",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "td",
    "tfoot",
    "th",
    "thead",
    "tr",
    "ul",
];

/// The visible text of an HTML page, one block per line (see the module doc).
pub(crate) fn to_text(html: &str) -> String {
    let queue = BufferQueue::default();
    queue.push_back(html.into());
    let tokenizer = Tokenizer::new(Sink(RefCell::default()), TokenizerOpts::default());
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    let mut scraper = tokenizer.sink.0.into_inner();
    scraper.body.end_line();
    let mut lines = Lines::default();
    let og_title = scraper.og_title.or(scraper.twitter_title);
    for text in [scraper.title.as_deref(), og_title.as_deref()]
        .into_iter()
        .flatten()
    {
        lines.push_text(text);
        lines.end_line();
    }
    lines.out.push_str(&scraper.body.out);
    lines.out
}

/// The state of one page's token stream.
#[derive(Default)]
struct Scraper {
    body: Lines,
    title: Option<String>,
    og_title: Option<String>,
    twitter_title: Option<String>,
    /// Inside a `<title>`: its text so far.
    in_title: Option<String>,
    /// Inside a dropped element: its name and how many of that name are open.
    skip: Option<(LocalName, u32)>,
}

impl Scraper {
    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = &*tag.name;
        if let Some((skipped, depth)) = &mut self.skip {
            if *skipped == tag.name {
                match tag.kind {
                    TagKind::StartTag if !tag.self_closing => *depth += 1,
                    TagKind::StartTag => {}
                    TagKind::EndTag => {
                        *depth -= 1;
                        if *depth == 0 {
                            self.skip = None;
                        }
                    }
                }
            }
            // Raw-text elements inside dropped ones still need the tokenizer's raw mode,
            // or a `<` in their text would be read as a tag.
            return if tag.kind == TagKind::StartTag {
                raw_kind(name).map_or(TokenSinkResult::Continue, TokenSinkResult::RawData)
            } else {
                TokenSinkResult::Continue
            };
        }
        match (tag.kind, name) {
            (TagKind::StartTag, "title") => {
                self.in_title = Some(String::new());
                return TokenSinkResult::RawData(RawKind::Rcdata);
            }
            (TagKind::EndTag, "title") => {
                if let Some(text) = self.in_title.take() {
                    self.title.get_or_insert(text);
                }
            }
            (TagKind::StartTag, "meta") => self.meta(tag),
            // Foreign elements may close themselves (`<svg/>`); HTML elements may not.
            (TagKind::StartTag, "svg" | "math") if tag.self_closing => {}
            (TagKind::StartTag, _) if DROPPED.contains(&name) => {
                self.skip = Some((tag.name.clone(), 1));
                if let Some(kind) = raw_kind(name) {
                    return TokenSinkResult::RawData(kind);
                }
            }
            (_, "br") => self.body.end_line(),
            (TagKind::StartTag, "img") => {
                self.body.end_line();
                if let Some(alt) = attr(tag, "alt") {
                    self.body.push_text(alt);
                    self.body.end_line();
                }
            }
            (TagKind::StartTag, "textarea") => return TokenSinkResult::RawData(RawKind::Rcdata),
            (TagKind::StartTag, "xmp") => return TokenSinkResult::RawData(RawKind::Rawtext),
            (TagKind::StartTag, "plaintext") => return TokenSinkResult::Plaintext,
            _ if BLOCKS.contains(&name) => self.body.end_line(),
            _ => {}
        }
        TokenSinkResult::Continue
    }

    fn meta(&mut self, tag: &Tag) {
        let key = attr(tag, "property")
            .or_else(|| attr(tag, "name"))
            .map(str::to_ascii_lowercase);
        let Some(content) = attr(tag, "content") else {
            return;
        };
        let slot = match key.as_deref() {
            Some("og:title") => &mut self.og_title,
            Some("twitter:title") => &mut self.twitter_title,
            _ => return,
        };
        slot.get_or_insert_with(|| content.to_owned());
    }

    fn text(&mut self, text: &str) {
        if self.skip.is_some() {
            return;
        }
        match &mut self.in_title {
            Some(title) => title.push_str(text),
            None => self.body.push_text(text),
        }
    }
}

/// The tokenizer mode for the text of element `name`, when it is not markup.
fn raw_kind(name: &str) -> Option<RawKind> {
    match name {
        "script" => Some(RawKind::ScriptData),
        "style" | "xmp" | "iframe" | "noembed" | "noframes" | "noscript" => Some(RawKind::Rawtext),
        "textarea" | "title" => Some(RawKind::Rcdata),
        _ => None,
    }
}

fn attr<'t>(tag: &'t Tag, name: &str) -> Option<&'t str> {
    tag.attrs
        .iter()
        .find(|a| &*a.name.local == name)
        .map(|a| &*a.value)
}

/// The tokenizer calls its sink through `&self`.
struct Sink(RefCell<Scraper>);

impl TokenSink for Sink {
    type Handle = ();

    fn process_token(&self, token: Token, _line_number: u64) -> TokenSinkResult<()> {
        let mut scraper = self.0.borrow_mut();
        match token {
            Token::TagToken(tag) => return scraper.tag(&tag),
            Token::CharacterTokens(text) => scraper.text(&text),
            _ => {}
        }
        TokenSinkResult::Continue
    }
}

/// Collects lines, collapsing whitespace inside each and dropping empty ones.
#[derive(Default)]
struct Lines {
    out: String,
    line: String,
    has_space: bool,
}

impl Lines {
    fn push_text(&mut self, text: &str) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.has_space = true;
            } else {
                if self.has_space && !self.line.is_empty() {
                    self.line.push(' ');
                }
                self.has_space = false;
                self.line.push(c);
            }
        }
    }

    fn end_line(&mut self) {
        if !self.line.is_empty() {
            self.out.push_str(&self.line);
            self.out.push('\n');
            self.line.clear();
        }
        self.has_space = false;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn naive_scraper_lines() {
        let html = r#"<!DOCTYPE html>
<html><head>
  <title> Big  News | Site </title>
  <meta property="og:title" content="Big News">
  <style>p { color: red }</style>
  <script>var x = "<p>not text</p>";</script>
</head>
<body>
  <nav><ul><li><a href="/">Home</a></li><li>World</li></ul></nav>
  <h1>Big <em>News</em></h1>
  <p>First   paragraph,<br>second line.</p>
  <!-- a comment -->
  <div>Loose text <span>inline</span><div>nested block</div>tail</div>
  <img src="x.jpg" alt="A photo">
  <noscript>Enable JavaScript</noscript>
  <svg><title>icon</title><text>svg text</text></svg>
  <table><tr><td>cell 1</td><td>cell 2</td></tr></table>
  <p style="display:none">Hidden but kept</p>
  <select><option>Choice</option></select>
</body></html>"#;
        assert_eq!(
            to_text(html),
            "Big News | Site\nBig News\nHome\nWorld\nBig News\nFirst paragraph,\nsecond line.\n\
             Loose text inline\nnested block\ntail\nA photo\ncell 1\ncell 2\nHidden but kept\n"
        );
    }

    #[test]
    fn twitter_title_when_no_og_title_and_fragments() {
        assert_eq!(
            to_text(r#"<meta name="twitter:title" content="T"><p>Body"#),
            "T\nBody\n"
        );
        assert_eq!(to_text("just text"), "just text\n");
        assert_eq!(to_text(""), "");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        assert_eq!(to_text(&html), "deep\n");
    }
}
