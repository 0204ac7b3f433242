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
//! `template`, `iframe`, `object`, `svg`, `math` and `select` are dropped with all they
//! contain, and so are comments and `embed` (a void element: it has no end tag and no
//! content). Nothing else is: menus, footers and hidden text stay, for the cleaner to remove.
//!
//! Beside the text, [`to_text`] keeps what the markup says ([`Markup`]): per line the block
//! element, the roles of the block and its ancestors (`nav`, `footer`, `aside`, a class such
//! as `comments` or `share`, ...) and the share of linked characters, from a stack of open
//! elements kept on the token stream (with the implied end tags of `p`, `li`, `dt`/`dd`,
//! `td`/`th`, `tr` and `option`); per page the `<title>`, `og:title`, first `h1`, canonical URL,
//! publication time, author and the JSON-LD article's headline, date and author.
//!
//! A page whose `<title>` is never closed would lose everything after it to the title (the
//! title's text is not markup); as lenient parsers do, such a page is read again with the
//! title closed at the first tag after it.
//!
//! A page that a script renders (an application shell: menus and a footer, the article
//! fetched later) shows no article, but it often carries the article's text in its JSON-LD
//! (`articleBody`). When it does (at least [`MIN_LD_BODY_WORDS`] words) and the page's text
//! lacks the body's opening words, the body's paragraphs follow the title lines, as an
//! article's paragraphs (`<article><p>`), for the cleaner to judge as any other. A page that
//! shows its article, or a paywall's teaser of it, shows its opening and is read as it is.
//! Without such a body, the page's largest `noscript` is taken the same way (its markup read
//! as a page's): a blog platform renders its post from a script template and keeps a copy
//! for readers without scripts there, which the reader otherwise drops as the dev set's
//! scraper does.

use std::cell::RefCell;
use std::sync::OnceLock;

use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};
use html5ever::{LocalName, TokenizerResult, local_name};
use newsclean_core::hash::FastMap;
use newsclean_core::text::{count_words, for_each_word};
use newsclean_core::{Block, LineTags, Markup, PageMeta, Roles};

/// Elements dropped with everything inside them. None is void: a void element has no end tag,
/// so skipping to it would drop the rest of the page (`embed` did; see issue 10).
const DROPPED: &[&str] = &[
    "script", "style", "noscript", "template", "iframe", "object", "svg", "math", "select",
    "noembed", "noframes",
];

/// HTML start tags that end foreign content (`svg`, `math`), as in the HTML standard.
const BREAKOUT: &[&str] = &[
    "b",
    "big",
    "blockquote",
    "body",
    "br",
    "center",
    "code",
    "dd",
    "div",
    "dl",
    "dt",
    "em",
    "embed",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "head",
    "hr",
    "i",
    "img",
    "li",
    "listing",
    "menu",
    "meta",
    "nobr",
    "ol",
    "p",
    "pre",
    "ruby",
    "s",
    "small",
    "span",
    "strong",
    "strike",
    "sub",
    "sup",
    "table",
    "tt",
    "u",
    "ul",
    "var",
];

/// Void elements: they have no content and no end tag, so they never open a scope.
const VOID: &[&str] = &[
    "area", "base", "br", "col", "embed", "hr", "img", "input", "keygen", "link", "meta", "param",
    "source", "track", "wbr",
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

/// Block elements that close an open `p` (the implied end tag of the HTML standard).
const CLOSES_P: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "center",
    "details",
    "dialog",
    "dir",
    "div",
    "dl",
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
    "main",
    "menu",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "ul",
];

/// A title longer than this that holds markup swallowed the page: its end tag is missing.
const MAX_TITLE_BYTES: usize = 300;
/// End tags look this far down the stack of open elements for their element; an end tag
/// without an open element nearby is ignored (bounded work per tag, whatever the nesting).
const MAX_END_TAG_SEARCH: usize = 256;

/// The visible text of an HTML page, one block per line (see the module doc), and what the
/// markup says about each line and the page.
pub(crate) fn to_text(html: &str) -> (String, Markup) {
    let scraper = scrape(html);
    let swallowed = scraper.in_title.is_some()
        || scraper
            .title
            .as_deref()
            .is_some_and(|t| t.len() > MAX_TITLE_BYTES && has_markup(t));
    if swallowed {
        if let Some(repaired) = close_title(html) {
            return finish(scrape(&repaired));
        }
    }
    finish(scraper)
}

fn scrape(html: &str) -> Scraper {
    let queue = BufferQueue::default();
    queue.push_back(html.into());
    let tokenizer = Tokenizer::new(Sink(RefCell::default()), TokenizerOpts::default());
    while let TokenizerResult::Script(()) = tokenizer.feed(&queue) {}
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

fn finish(mut scraper: Scraper) -> (String, Markup) {
    scraper.body.end_line();
    scraper.end_h1();
    let mut lines = Lines::default();
    let title = scraper.title.take().or_else(|| scraper.in_title.take());
    let og_title = scraper.og_title.take().or(scraper.twitter_title.take());
    let head = [
        (title.as_deref(), Block::Title),
        (og_title.as_deref(), Block::OgTitle),
    ];
    for (text, block) in head {
        if let Some(text) = text {
            lines.push_text(text, Context::block(block));
            lines.end_line();
        }
    }
    let mut meta = scraper.meta;
    let mut ld_body = None;
    for script in &scraper.ld_json {
        if meta.ld_headline.is_some() {
            break;
        }
        ld_body = read_ld_json(script, &mut meta);
    }
    let shown = &scraper.body.out;
    let unshown = (ld_body.map(|body| ld_body_text(&body)))
        .filter(|body| is_unshown(body, shown))
        .or_else(|| noscript_body(&scraper.noscripts, shown));
    if let Some(body) = unshown {
        push_unshown_body(&body, &mut lines);
    }
    lines.out.push_str(&scraper.body.out);
    lines.tags.append(&mut scraper.body.tags);
    meta.title = title.map(|t| collapse(&t)).filter(|t| !t.is_empty());
    meta.og_title = og_title.map(|t| collapse(&t)).filter(|t| !t.is_empty());
    meta.published = meta.published.or(scraper.time);
    meta.canonical = meta.canonical.or(scraper.og_url);
    (
        lines.out,
        Markup {
            lines: lines.tags,
            meta,
        },
    )
}

/// The fewest words of a JSON-LD `articleBody` (or a `noscript`'s text) the reader takes for
/// a page that does not show it.
const MIN_LD_BODY_WORDS: usize = 50;

/// The opening words of a JSON-LD `articleBody` looked for in the page's text.
const LD_OPENING_WORDS: usize = 8;

/// Whether a JSON-LD `articleBody` read as text ([`ld_body_text`]), or a `noscript`'s text
/// ([`noscript_body`]), is long enough, the page's text `shown` is shorter (a shell around an
/// article, not a page showing another article), and it has neither the body's opening words
/// nor most of its runs of three words (words compared without case and punctuation; the
/// second test for bodies whose links lost their spaces, `inNintendo’s`).
fn is_unshown(body: &str, shown: &str) -> bool {
    let body = word_keys(body);
    if body.len() < MIN_LD_BODY_WORDS || count_words(shown) >= body.len() {
        return false;
    }
    let shown = word_keys(shown);
    let opening = &body[..LD_OPENING_WORDS];
    if shown.windows(LD_OPENING_WORDS).any(|w| w == opening) {
        return false;
    }
    let runs: std::collections::HashSet<u64> = shown.windows(3).map(run_key).collect();
    let n_shown = body
        .windows(3)
        .filter(|w| runs.contains(&run_key(w)))
        .count();
    2 * n_shown < body.len() - 2
}

/// A key per word of a text ([`for_each_word`]), whatever its case, without a string per word.
fn word_keys(text: &str) -> Vec<u64> {
    let mut keys = Vec::new();
    for_each_word(text, |w| {
        let mut key = 0xcbf2_9ce4_8422_2325u64;
        for c in w.chars().flat_map(char::to_lowercase) {
            key = (key ^ u64::from(c)).wrapping_mul(0x0100_0000_01b3);
        }
        keys.push(key);
    });
    keys
}

/// A key of a run of word keys.
fn run_key(keys: &[u64]) -> u64 {
    keys.iter().fold(0x9e37_79b9_7f4a_7c15u64, |acc, &k| {
        (acc ^ k)
            .wrapping_mul(0xff51_afd7_ed55_8ccd)
            .rotate_left(29)
    })
}

/// A JSON-LD `articleBody` as the reader's lines: its HTML read as a page's (some sites put the
/// article's markup there), else each of its lines a paragraph; entities decoded either way.
fn ld_body_text(body: &str) -> String {
    if has_markup(body) {
        fragment_text(body)
    } else {
        let mut html = String::with_capacity(body.len() + 64);
        for line in body.lines() {
            html.push_str("<p>");
            html.push_str(line);
        }
        fragment_text(&html)
    }
}

/// The `noscript` elements a page keeps, at most, and the bytes of each.
const MAX_NOSCRIPTS: usize = 16;
const MAX_NOSCRIPT_BYTES: usize = 1 << 20;
/// A `noscript` shorter than this holds no article (a tracking pixel, "Enable JavaScript").
const MIN_NOSCRIPT_BYTES: usize = 250;

/// The text of the page's largest `noscript` (its markup read as a page's) when it is an
/// article the page does not show ([`is_unshown`]): a page whose script renders the article
/// (a blog platform's post in a `<script type=text/template>`) keeps it for readers without
/// scripts in a `noscript`, which the reader, like the dev set's scraper, otherwise drops.
fn noscript_body(noscripts: &[String], shown: &str) -> Option<String> {
    // Most are ruled out without reading them, by the fewest words of an article or by the
    // page's own.
    let mut n_shown = None;
    (noscripts.iter())
        .filter(|markup| markup.len() >= MIN_NOSCRIPT_BYTES)
        .filter(|markup| {
            let n = most_words(markup);
            n >= MIN_LD_BODY_WORDS && n > *n_shown.get_or_insert_with(|| count_words(shown))
        })
        .map(|markup| fragment_text(markup))
        .max_by_key(|text| count_words(text))
        .filter(|text| is_unshown(text, shown))
}

/// At least as many words as the text of `markup` has: the words outside its tags (an entity
/// or a comment may add one, none is lost), without reading it as HTML.
fn most_words(markup: &str) -> usize {
    let bytes = markup.as_bytes();
    let mut n = 0;
    let (mut text_start, mut at) = (0, 0);
    while let Some(lt) = memchr::memchr(b'<', &bytes[at..]).map(|k| at + k) {
        // A `<` opens a tag (or a comment) only before a letter, `/`, `!` or `?`.
        let opens = bytes
            .get(lt + 1)
            .is_some_and(|&b| b.is_ascii_alphabetic() || matches!(b, b'/' | b'!' | b'?'));
        if !opens {
            at = lt + 1;
            continue;
        }
        n += count_words(&markup[text_start..lt]);
        at = memchr::memchr(b'>', &bytes[lt..]).map_or(bytes.len(), |k| lt + k + 1);
        text_start = at;
    }
    n + count_words(&markup[text_start..])
}

/// The visible text of a fragment of markup (an `articleBody`'s, a `noscript`'s), one block
/// per line: a page's text without its title lines and markup evidence.
fn fragment_text(html: &str) -> String {
    let mut scraper = scrape(html);
    scraper.body.end_line();
    scraper.body.out
}

/// Pushes the lines of an article the page does not show (a JSON-LD `articleBody`,
/// [`ld_body_text`], or a `noscript`'s, [`noscript_body`]) as an article's paragraphs.
fn push_unshown_body(body: &str, lines: &mut Lines) {
    let context = Context {
        roles: Roles::ARTICLE | Roles::BODY_PROP,
        block: Block::Paragraph,
        is_link: false,
    };
    for paragraph in body.lines() {
        lines.push_text(paragraph, context);
        lines.end_line();
    }
}

/// Whether text holds something that looks like a tag (`<p`, `</div`, `<!--`).
fn has_markup(text: &str) -> bool {
    text.as_bytes()
        .windows(2)
        .any(|w| w[0] == b'<' && (w[1].is_ascii_alphabetic() || matches!(w[1], b'/' | b'!')))
}

/// The page with `</title>` inserted before the first `<` after its first `<title>` tag, or
/// `None` when there is no such place.
fn close_title(html: &str) -> Option<String> {
    let bytes = html.as_bytes();
    let open = bytes
        .windows(6)
        .position(|w| w.eq_ignore_ascii_case(b"<title"))?;
    let text_start = open + memchr::memchr(b'>', &bytes[open..])? + 1;
    let text_end = text_start + memchr::memchr(b'<', &bytes[text_start..])?;
    let mut out = String::with_capacity(html.len() + 8);
    out.push_str(&html[..text_end]);
    out.push_str("</title>");
    out.push_str(&html[text_end..]);
    Some(out)
}

/// What text inherits from the elements around it.
#[derive(Debug, Clone, Copy, Default)]
struct Context {
    roles: Roles,
    block: Block,
    is_link: bool,
}

impl Context {
    fn block(block: Block) -> Context {
        Context {
            block,
            ..Context::default()
        }
    }
}

/// One open element.
struct Open {
    name: LocalName,
    context: Context,
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
    /// Inside a JSON-LD script: its text so far.
    in_ld_json: Option<String>,
    ld_json: Vec<String>,
    /// Inside a `noscript`: its markup so far, unparsed.
    in_noscript: Option<String>,
    noscripts: Vec<String>,
    /// Inside a ruby annotation (`rt`, `rp`): its text, a reading of the characters before it,
    /// is no text of the page. Any other tag ends it (its end tag may be left out).
    in_ruby_text: bool,
    /// The open elements, innermost last.
    open: Vec<Open>,
    /// The first `h1` while it is open: its depth in `open` and its text so far.
    in_h1: Option<(usize, String)>,
    meta: PageMeta,
    /// The `datetime` of the first `<time>`.
    time: Option<String>,
    og_url: Option<String>,
}

impl Scraper {
    fn context(&self) -> Context {
        self.open
            .last()
            .map_or_else(Context::default, |o| o.context)
    }

    fn tag(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = &*tag.name;
        if self.breaks_out_of_foreign(tag) {
            self.skip = None;
        }
        if let Some((skipped, depth)) = &mut self.skip {
            // In foreign content (`svg`, `math`) a `title`, `style` or `script` is an element
            // like any other: its text is markup, not raw text, and it may close itself. An
            // icon's `<title/>` read as raw text ran to the end of the page.
            let is_foreign = matches!(&**skipped, "svg" | "math");
            if *skipped == tag.name {
                match tag.kind {
                    TagKind::StartTag if !tag.self_closing => *depth += 1,
                    TagKind::StartTag => {}
                    TagKind::EndTag => {
                        *depth -= 1;
                        if *depth == 0 {
                            self.skip = None;
                            if let Some(script) = self.in_ld_json.take() {
                                self.ld_json.push(script);
                            }
                            if let Some(markup) = self.in_noscript.take() {
                                self.noscripts.push(markup);
                            }
                        }
                    }
                }
            }
            // Raw-text elements inside dropped ones still need the tokenizer's raw mode,
            // or a `<` in their text would be read as a tag.
            return if tag.kind == TagKind::StartTag && !is_foreign {
                raw_kind(name).map_or(TokenSinkResult::Continue, TokenSinkResult::RawData)
            } else {
                TokenSinkResult::Continue
            };
        }
        // Any tag ends a ruby annotation; `rt` and `rp` start one (below).
        self.in_ruby_text = false;
        let kinds = kinds(&tag.name);
        match (tag.kind, name) {
            (TagKind::StartTag, "rt" | "rp") => self.in_ruby_text = true,
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
            (TagKind::StartTag, "link") => self.link(tag),
            // Foreign elements may close themselves (`<svg/>`); HTML elements may not.
            (TagKind::StartTag, "svg" | "math") if tag.self_closing => {}
            (TagKind::StartTag, _) if kinds & kind::DROPPED != 0 => return self.start_dropped(tag),
            (_, "br") => self.body.end_line(),
            (TagKind::StartTag, "img") => {
                self.body.end_line();
                if let Some(alt) = attr(tag, "alt") {
                    let context = Context {
                        block: Block::ImgAlt,
                        ..self.context()
                    };
                    self.body.push_text(alt, context);
                    self.body.end_line();
                }
            }
            (TagKind::StartTag, "textarea") => {
                self.start(tag, kinds);
                return TokenSinkResult::RawData(RawKind::Rcdata);
            }
            (TagKind::StartTag, "xmp") => {
                self.start(tag, kinds);
                return TokenSinkResult::RawData(RawKind::Rawtext);
            }
            (TagKind::StartTag, "plaintext") => {
                self.start(tag, kinds);
                return TokenSinkResult::Plaintext;
            }
            (TagKind::StartTag, _) => {
                if kinds & kind::BLOCK != 0 {
                    self.body.end_line();
                }
                if name == "time" && self.time.is_none() {
                    self.time = attr(tag, "datetime").map(|t| t.trim().to_owned());
                }
                if kinds & kind::VOID == 0 {
                    self.start(tag, kinds);
                }
            }
            (TagKind::EndTag, _) => {
                if kinds & kind::BLOCK != 0 {
                    self.body.end_line();
                }
                self.end(&tag.name);
            }
        }
        TokenSinkResult::Continue
    }

    /// Starts dropping the element of `tag` with its contents, keeping the text of a JSON-LD
    /// script and the markup of a `noscript`.
    fn start_dropped(&mut self, tag: &Tag) -> TokenSinkResult<()> {
        let name = &*tag.name;
        self.skip = Some((tag.name.clone(), 1));
        let is_ld_json = name == "script"
            && attr(tag, "type")
                .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/ld+json"));
        if is_ld_json && self.ld_json.len() < 8 {
            self.in_ld_json = Some(String::new());
        }
        if name == "noscript" && self.noscripts.len() < MAX_NOSCRIPTS {
            self.in_noscript = Some(String::new());
        }
        raw_kind(name).map_or(TokenSinkResult::Continue, TokenSinkResult::RawData)
    }

    /// Whether `tag` ends an unclosed `svg` or `math` the way an HTML5 tree builder ends
    /// foreign content: an HTML start tag such as `p`, `div` or `li`, or an end tag of an
    /// HTML element that is open around it (`<strong><svg><use></strong>` closes the `svg`).
    /// Without this, one unclosed icon dropped the rest of the page.
    fn breaks_out_of_foreign(&self, tag: &Tag) -> bool {
        let Some((skipped, _)) = &self.skip else {
            return false;
        };
        if !matches!(&**skipped, "svg" | "math") {
            return false;
        }
        let name = &*tag.name;
        match tag.kind {
            TagKind::StartTag => {
                kinds(&tag.name) & kind::BREAKOUT != 0
                    || (name == "font"
                        && ["color", "face", "size"]
                            .iter()
                            .any(|a| attr(tag, a).is_some()))
            }
            TagKind::EndTag => {
                matches!(name, "br" | "p")
                    || self
                        .open
                        .iter()
                        .rev()
                        .take(MAX_END_TAG_SEARCH)
                        .any(|o| o.name == tag.name)
            }
        }
    }

    /// Opens an element: closes what its start implies, then pushes it with its context.
    /// Opens the element of `tag`, on the lists `kinds` says ([`kinds`]).
    fn start(&mut self, tag: &Tag, kinds: u8) {
        let name = &*tag.name;
        // Implied end tags: a block closes an open `p`; an item closes the previous item.
        if kinds & kind::CLOSES_P != 0 {
            self.close_implied(
                &[local_name!("p")],
                &[
                    local_name!("button"),
                    local_name!("table"),
                    local_name!("td"),
                    local_name!("th"),
                    local_name!("caption"),
                ],
            );
        }
        match name {
            "li" => self.close_implied(
                &[local_name!("li")],
                &[local_name!("ul"), local_name!("ol"), local_name!("menu")],
            ),
            "dt" | "dd" => self.close_implied(
                &[local_name!("dt"), local_name!("dd")],
                &[local_name!("dl")],
            ),
            "td" | "th" => self.close_implied(
                &[local_name!("td"), local_name!("th")],
                &[local_name!("tr"), local_name!("table")],
            ),
            "tr" => self.close_implied(&[local_name!("tr")], &[local_name!("table")]),
            "option" => self.close_implied(&[local_name!("option")], &[]),
            _ => {}
        }
        let parent = self.context();
        let (roles, block) = element_roles(name, kinds & kind::BLOCK != 0);
        let context = Context {
            roles: parent.roles | roles | attr_roles(tag, kinds & kind::PAGE == 0),
            block: block.unwrap_or(parent.block),
            is_link: parent.is_link || (name == "a" && attr(tag, "href").is_some()),
        };
        if name == "h1" && self.meta.h1.is_none() && self.in_h1.is_none() {
            self.in_h1 = Some((self.open.len(), String::new()));
        }
        self.open.push(Open {
            name: tag.name.clone(),
            context,
        });
    }

    /// Closes the innermost open element named in `names`, with everything inside it, unless
    /// an element named in `scope` is open inside it (or nothing of the kind is open nearby).
    /// (Names are interned: comparing two is comparing two numbers.)
    fn close_implied(&mut self, names: &[LocalName], scope: &[LocalName]) {
        for (depth, open) in self.open.iter().enumerate().rev().take(8) {
            if names.contains(&open.name) {
                self.truncate(depth);
                return;
            }
            // Scoping elements stop the search; `div`, `p` and `address` do not (as the HTML
            // standard's "special" category says).
            if scope.contains(&open.name)
                || (kinds(&open.name) & kind::BLOCK != 0
                    && !matches!(&*open.name, "div" | "p" | "address"))
            {
                return;
            }
        }
    }

    /// Closes the innermost open element named `name`, and everything opened inside it.
    fn end(&mut self, name: &LocalName) {
        let found = self
            .open
            .iter()
            .rev()
            .take(MAX_END_TAG_SEARCH)
            .position(|o| o.name == *name);
        if let Some(from_top) = found {
            self.truncate(self.open.len() - 1 - from_top);
        }
    }

    fn truncate(&mut self, depth: usize) {
        self.open.truncate(depth);
        if self.in_h1.as_ref().is_some_and(|(d, _)| *d >= depth) {
            self.end_h1();
        }
    }

    fn end_h1(&mut self) {
        if let Some((_, text)) = self.in_h1.take() {
            let text = collapse(&text);
            if !text.is_empty() {
                self.meta.h1 = Some(text);
            }
        }
    }

    /// `<link rel=canonical>`.
    fn link(&mut self, tag: &Tag) {
        let is_canonical = attr(tag, "rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("canonical"))
        });
        if let Some(href) = attr(tag, "href").filter(|_| is_canonical) {
            self.meta
                .canonical
                .get_or_insert_with(|| href.trim().to_owned());
        }
    }

    fn meta(&mut self, tag: &Tag) {
        let key = attr(tag, "property")
            .or_else(|| attr(tag, "name"))
            .or_else(|| attr(tag, "itemprop"))
            .map(str::to_ascii_lowercase);
        let Some(content) = attr(tag, "content") else {
            return;
        };
        let content = content.trim();
        if content.is_empty() {
            return;
        }
        let slot = match key.as_deref() {
            Some("og:title") => &mut self.og_title,
            Some("twitter:title") => &mut self.twitter_title,
            Some("og:url") => &mut self.og_url,
            Some("og:site_name") => &mut self.meta.site_name,
            Some(
                "article:published_time"
                | "og:published_time"
                | "datepublished"
                | "pubdate"
                | "publishdate"
                | "publish-date"
                | "date"
                | "dc.date"
                | "dc.date.issued"
                | "sailthru.date"
                | "parsely-pub-date",
            ) => &mut self.meta.published,
            Some(
                "author" | "article:author" | "parsely-author" | "sailthru.author" | "dc.creator",
            ) if !content.starts_with("http") => &mut self.meta.author,
            _ => return,
        };
        slot.get_or_insert_with(|| content.to_owned());
    }

    fn text(&mut self, text: &str) {
        if self.skip.is_some() {
            if let Some(script) = &mut self.in_ld_json {
                script.push_str(text);
            }
            if let Some(markup) = &mut self.in_noscript {
                if markup.len() < MAX_NOSCRIPT_BYTES {
                    markup.push_str(text);
                }
            }
            return;
        }
        if let Some(title) = &mut self.in_title {
            title.push_str(text);
            return;
        }
        if self.in_ruby_text {
            return;
        }
        if let Some((_, h1)) = &mut self.in_h1 {
            h1.push_str(text);
        }
        let context = self.context();
        self.body.push_text(text, context);
    }
}

/// The roles an element gives by its name, and the block it starts.
fn element_roles(name: &str, is_block: bool) -> (Roles, Option<Block>) {
    match name {
        "nav" => (Roles::NAV, Some(Block::Other)),
        "header" => (Roles::HEADER, Some(Block::Other)),
        "footer" => (Roles::FOOTER, Some(Block::Other)),
        "aside" => (Roles::ASIDE, Some(Block::Other)),
        "figure" => (Roles::FIGURE, Some(Block::Other)),
        "article" => (Roles::ARTICLE, Some(Block::Other)),
        "main" => (Roles::MAIN, Some(Block::Other)),
        "form" | "button" | "label" | "fieldset" => (Roles::FORM, None),
        "ul" | "ol" | "menu" | "dl" => (Roles::LIST, Some(Block::Other)),
        "table" => (Roles::TABLE, Some(Block::Other)),
        "address" => (Roles::TIME, Some(Block::Other)),
        "time" => (Roles::TIME, None),
        "p" => (Roles::NONE, Some(Block::Paragraph)),
        "li" | "dt" | "dd" => (Roles::NONE, Some(Block::Item)),
        "h1" => (Roles::NONE, Some(Block::H1)),
        "h2" | "h3" | "h4" | "h5" | "h6" => (Roles::NONE, Some(Block::Heading)),
        "td" | "th" => (Roles::NONE, Some(Block::Cell)),
        "blockquote" => (Roles::NONE, Some(Block::Quote)),
        "pre" => (Roles::NONE, Some(Block::Pre)),
        "figcaption" | "caption" => (Roles::NONE, Some(Block::Caption)),
        _ if is_block => (Roles::NONE, Some(Block::Other)),
        _ => (Roles::NONE, None),
    }
}

/// Elements that hold the whole page: their class and id words describe the page (a site's
/// feature flags, `comments-open`, `single-post`), not a region of it, so they give no roles;
/// else every line of the page would carry them. See: issue 10.
const PAGE_ELEMENTS: [&str; 2] = ["html", "body"];

/// The lists above an element is on, a bit each ([`kinds`]).
mod kind {
    pub const DROPPED: u8 = 1;
    pub const BREAKOUT: u8 = 2;
    pub const VOID: u8 = 4;
    pub const BLOCK: u8 = 8;
    pub const CLOSES_P: u8 = 16;
    pub const PAGE: u8 = 32;
}

/// Each list of elements with its bit of [`kind`].
const KIND_LISTS: [(&[&str], u8); 6] = [
    (DROPPED, kind::DROPPED),
    (BREAKOUT, kind::BREAKOUT),
    (VOID, kind::VOID),
    (BLOCKS, kind::BLOCK),
    (CLOSES_P, kind::CLOSES_P),
    (&PAGE_ELEMENTS, kind::PAGE),
];

/// The lists an element is on ([`kind`]), looked up once per tag by its interned name (a
/// hash the name carries) instead of string compares against each list.
fn kinds(name: &LocalName) -> u8 {
    static TABLE: OnceLock<FastMap<LocalName, u8>> = OnceLock::new();
    let table = TABLE.get_or_init(|| {
        let mut table = FastMap::default();
        for (list, bit) in KIND_LISTS {
            for &name in list {
                *table.entry(LocalName::from(name)).or_insert(0) |= bit;
            }
        }
        table
    });
    table.get(name).copied().unwrap_or(0)
}

/// The roles an element gives by its attributes: class and id words (when `class_words`),
/// microdata, hiding.
fn attr_roles(tag: &Tag, class_words: bool) -> Roles {
    let mut roles = Roles::NONE;
    let mut words = Roles::NONE;
    for a in &tag.attrs {
        match &*a.name.local {
            "class" | "id" if class_words => words |= class_roles(&a.value),
            "hidden" => roles |= Roles::HIDDEN,
            "aria-hidden" if a.value.trim().eq_ignore_ascii_case("true") => roles |= Roles::HIDDEN,
            "style" => {
                let style: String = a
                    .value
                    .chars()
                    .filter(|c| !c.is_whitespace())
                    .map(|c| c.to_ascii_lowercase())
                    .collect();
                if style.contains("display:none") || style.contains("visibility:hidden") {
                    roles |= Roles::HIDDEN;
                }
            }
            "itemprop" => {
                for prop in a.value.split_ascii_whitespace() {
                    if prop.eq_ignore_ascii_case("articlebody") || prop.eq_ignore_ascii_case("text")
                    {
                        roles |= Roles::BODY_PROP;
                    } else if prop.eq_ignore_ascii_case("headline") {
                        roles |= Roles::HEADLINE_PROP;
                    }
                }
            }
            _ => {}
        }
    }
    // An element that declares itself the article's body is the article, whatever its class
    // and id name besides: `id="gigya-share-btns-2_gig_containerParent"` names the share
    // widget hung on it and made every paragraph of one news page a share button's.
    if roles.intersects(Roles::BODY_PROP) {
        words = words & Roles::C_CONTENT;
    }
    roles | words
}

/// The roles of the words of a `class` or `id` value: parts split at anything but letters and
/// digits and where a capital follows a small letter (`articleBody` is `article` and `body`).
fn class_roles(value: &str) -> Roles {
    // No word of [`class_word_role`] is this long; a longer word has no role. Words are read
    // a byte at a time: a byte of a non-ASCII character is no ASCII letter or digit, as the
    // character is not.
    const LONGEST: usize = 16;
    let mut roles = Roles::NONE;
    let mut word = [0u8; LONGEST];
    let (mut len, mut too_long) = (0, false);
    let mut prev_lower = false;
    for &b in value.as_bytes().iter().chain(b" ") {
        let is_alnum = b.is_ascii_alphanumeric();
        let is_boundary = !is_alnum || (prev_lower && b.is_ascii_uppercase());
        if is_boundary && (len > 0 || too_long) {
            if !too_long {
                roles |= std::str::from_utf8(&word[..len]).map_or(Roles::NONE, class_word_role);
            }
            (len, too_long) = (0, false);
        }
        if is_alnum {
            if len < LONGEST {
                word[len] = b.to_ascii_lowercase();
                len += 1;
            } else {
                too_long = true;
            }
        }
        prev_lower = b.is_ascii_lowercase() || b.is_ascii_digit();
    }
    roles
}

/// The role of one lowercase class or id word. Class names are markup vocabulary shared by
/// templates in every language, like tag names; no language's prose is matched.
fn class_word_role(word: &str) -> Roles {
    match word {
        "comment" | "comments" | "reply" | "replies" | "discussion" | "disqus" | "respond" => {
            Roles::C_COMMENT
        }
        "share" | "sharing" | "social" | "facebook" | "twitter" | "whatsapp" | "email"
        | "addthis" | "sharebar" => Roles::C_SHARE,
        "related" | "recommended" | "recommendations" | "recirc" | "more" | "trending"
        | "popular" | "mostread" | "mostpopular" | "outbrain" | "taboola" | "teaser"
        | "teasers" | "readmore" => Roles::C_RELATED,
        "ad" | "ads" | "advert" | "adverts" | "advertisement" | "advertising" | "sponsor"
        | "sponsored" | "promo" | "promotion" | "banner" | "dfp" | "adslot" | "adunit" => {
            Roles::C_PROMO
        }
        "newsletter" | "subscribe" | "subscription" | "signup" | "paywall" | "register"
        | "registration" | "optin" => Roles::C_NEWSLETTER,
        "author" | "authors" | "byline" | "bio" | "contributor" | "writer" => Roles::C_AUTHOR,
        "caption" | "credit" | "credits" | "photo" | "image" | "img" | "gallery" | "media" => {
            Roles::C_CAPTION
        }
        "nav" | "navbar" | "navigation" | "menu" | "breadcrumb" | "breadcrumbs" | "pagination"
        | "pager" => Roles::C_NAV,
        "footer" | "copyright" | "legal" => Roles::C_FOOTER,
        "sidebar" | "widget" | "widgets" | "rail" | "aside" | "sidebox" => Roles::C_SIDEBAR,
        "cookie" | "cookies" | "consent" | "gdpr" => Roles::C_COOKIE,
        "date" | "time" | "timestamp" | "published" | "updated" | "dateline" | "pubdate" => {
            Roles::C_DATE
        }
        "article" | "content" | "story" | "entry" | "post" | "body" | "text" | "prose" => {
            Roles::C_CONTENT
        }
        "header" | "masthead" | "topbar" => Roles::C_HEADER,
        "tag" | "tags" | "topic" | "topics" | "keywords" | "category" | "categories" => {
            Roles::C_TAGS
        }
        "title" | "headline" | "heading" | "hed" => Roles::C_TITLE,
        _ => Roles::NONE,
    }
}

/// Reads the first article of a JSON-LD script into `meta`: its `headline`, `datePublished`
/// and first author's name; returns its `articleBody`. Broken JSON is skipped.
fn read_ld_json(script: &str, meta: &mut PageMeta) -> Option<String> {
    let value = serde_json::from_str::<serde_json::Value>(script.trim()).ok()?;
    let article = find_article(&value, 0)?;
    let text = |key: &str| {
        article
            .get(key)
            .and_then(serde_json::Value::as_str)
            .map(collapse)
            .filter(|s| !s.is_empty())
    };
    meta.ld_headline = text("headline");
    meta.ld_published = text("datePublished");
    meta.ld_author = article.get("author").and_then(author_name);
    let body = article.get("articleBody")?.as_str()?;
    Some(body.to_owned())
}

/// The first object with a `headline` whose `@type` is an article, searched through arrays
/// and `@graph`.
fn find_article(value: &serde_json::Value, depth: u32) -> Option<&serde_json::Value> {
    if depth > 4 {
        return None;
    }
    match value {
        serde_json::Value::Array(items) => items.iter().find_map(|v| find_article(v, depth + 1)),
        serde_json::Value::Object(map) => {
            let is_article = |t: &serde_json::Value| {
                t.as_str()
                    .is_some_and(|t| t.ends_with("Article") || t == "BlogPosting" || t == "Report")
            };
            let typed = match map.get("@type") {
                Some(serde_json::Value::Array(types)) => types.iter().any(is_article),
                Some(t) => is_article(t),
                None => false,
            };
            if typed
                && map
                    .get("headline")
                    .is_some_and(serde_json::Value::is_string)
            {
                return Some(value);
            }
            map.get("@graph")
                .and_then(|g| find_article(g, depth + 1))
                .or_else(|| {
                    map.get("mainEntity")
                        .and_then(|g| find_article(g, depth + 1))
                })
        }
        _ => None,
    }
}

fn author_name(value: &serde_json::Value) -> Option<String> {
    match value {
        serde_json::Value::String(s) => Some(collapse(s)).filter(|s| !s.is_empty()),
        serde_json::Value::Array(items) => items.first().and_then(author_name),
        serde_json::Value::Object(map) => map.get("name").and_then(author_name),
        _ => None,
    }
}

/// Runs of whitespace as one space, trimmed.
fn collapse(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
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

/// Collects lines, collapsing whitespace inside each and dropping empty ones, and the tags of
/// each line.
#[derive(Default)]
struct Lines {
    out: String,
    line: String,
    has_space: bool,
    tags: Vec<LineTags>,
    /// The current line's block, the roles all its text shares, and its characters (linked
    /// ones apart); meaningful once it has text.
    block: Block,
    roles: Roles,
    n_chars: u32,
    n_linked: u32,
}

impl Lines {
    fn push_text(&mut self, text: &str, context: Context) {
        for c in text.chars() {
            if c.is_whitespace() {
                self.has_space = true;
            } else {
                if self.line.is_empty() {
                    self.block = context.block;
                    self.roles = context.roles;
                } else {
                    self.roles = self.roles & context.roles;
                    if self.has_space {
                        self.line.push(' ');
                    }
                }
                self.has_space = false;
                self.line.push(c);
                self.n_chars += 1;
                self.n_linked += u32::from(context.is_link);
            }
        }
    }

    fn end_line(&mut self) {
        if !self.line.is_empty() {
            self.out.push_str(&self.line);
            self.out.push('\n');
            self.line.clear();
            let link = (u64::from(self.n_linked) * 255 / u64::from(self.n_chars.max(1))) as u8;
            self.tags.push(LineTags {
                block: self.block,
                roles: self.roles,
                link,
            });
        }
        self.has_space = false;
        self.n_chars = 0;
        self.n_linked = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn text(html: &str) -> String {
        to_text(html).0
    }

    /// Each line with its block, roles and link share, as `block roles link | text`.
    fn tagged(html: &str) -> String {
        let (text, markup) = to_text(html);
        assert_eq!(text.lines().count(), markup.lines.len());
        text.lines()
            .zip(&markup.lines)
            .map(|(line, tags)| {
                let roles: Vec<&str> = Roles::ALL
                    .iter()
                    .filter(|(_, r)| tags.roles.contains(*r))
                    .map(|(name, _)| *name)
                    .collect();
                format!(
                    "{:?} [{}] {} | {line}",
                    tags.block,
                    roles.join(" "),
                    tags.link
                )
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

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
            text(html),
            "Big News | Site\nBig News\nHome\nWorld\nBig News\nFirst paragraph,\nsecond line.\n\
             Loose text inline\nnested block\ntail\nA photo\ncell 1\ncell 2\nHidden but kept\n"
        );
        assert_eq!(
            tagged(html),
            "Title [] 0 | Big News | Site
OgTitle [] 0 | Big News
Item [nav list] 255 | Home
Item [nav list] 0 | World
H1 [] 0 | Big News
Paragraph [] 0 | First paragraph,
Paragraph [] 0 | second line.
Other [] 0 | Loose text inline
Other [] 0 | nested block
Other [] 0 | tail
ImgAlt [] 0 | A photo
Cell [table] 0 | cell 1
Cell [table] 0 | cell 2
Paragraph [hidden] 0 | Hidden but kept"
        );
    }

    #[test]
    fn twitter_title_when_no_og_title_and_fragments() {
        assert_eq!(
            text(r#"<meta name="twitter:title" content="T"><p>Body"#),
            "T\nBody\n"
        );
        assert_eq!(text("just text"), "just text\n");
        assert_eq!(text(""), "");
    }

    #[test]
    fn deep_nesting_does_not_overflow() {
        let html = "<div>".repeat(100_000) + "deep" + &"</div>".repeat(100_000);
        assert_eq!(text(&html), "deep\n");
        let unclosed = "<div><span>".repeat(50_000) + "deep" + &"</p></li>".repeat(50_000);
        assert_eq!(text(&unclosed), "deep\n");
    }

    // See: issue 10 (a bare `<embed>` dropped the rest of the page).
    #[test]
    fn void_elements_drop_nothing_after_them() {
        for void in VOID {
            let html = format!("<p>Before</p><{void} src=x><p>After</p>");
            assert_eq!(text(&html), "Before\nAfter\n", "<{void}>");
        }
        assert!(DROPPED.iter().all(|d| !VOID.contains(d)));
        assert_eq!(
            text("<p>A</p><embed src=x><embed src=y></embed><p>B</p>"),
            "A\nB\n"
        );
    }

    #[test]
    fn an_unclosed_svg_ends_where_a_browser_ends_it() {
        assert_eq!(
            text("<div><strong>Menu<svg><use href=#x></use></strong><p>Body text</p></div>"),
            "Menu\nBody text\n"
        );
        assert_eq!(
            text("<svg><g><p>Breaks out</p><svg><text>kept out</text></svg>"),
            "Breaks out\n"
        );
        assert_eq!(text("<svg><text>icon</text></svg><p>After</p>"), "After\n");
    }

    // An icon's title that closes itself (`<title/>`) is no raw text: it swallowed the rest of
    // a real page (trafilatura's evaluation pages, `mitvergnuegen.de`).
    #[test]
    fn foreign_content_has_no_raw_text() {
        for icon in [
            "<svg viewBox='0 0 9 9'><title/><path d='M0'/></svg>",
            "<svg><style/><script/><path/></svg>",
            "<math><title/></math>",
            "<svg><title>a < b</title><textarea/></svg>",
        ] {
            let html = format!("<p>Before</p>{icon}<p>After the icon</p>");
            assert_eq!(text(&html), "Before\nAfter the icon\n", "{icon}");
        }
        // HTML's own raw-text elements inside a dropped HTML element keep their raw text.
        assert_eq!(
            text(
                "<noscript><p>x</p></noscript><select><script>a='</select>'</script></select><p>B</p>"
            ),
            "B\n"
        );
    }

    // See: issue 10 (an unclosed `<title>` swallowed the page, which was then rejected as
    // having no visible text).
    #[test]
    fn an_unclosed_title_ends_at_the_first_tag() {
        let body = "<p>The article text of the page, which must not be lost.</p>".repeat(10);
        let html = format!("<html><head><title>Page title<meta charset=utf-8></head><body>{body}");
        assert_eq!(
            text(&html),
            format!(
                "Page title\n{}",
                "The article text of the page, which must not be lost.\n".repeat(10)
            )
        );
        // Closed much later by the title of an inline SVG icon: the same repair.
        let html = format!("<title>Page title<body>{body}<svg><title>icon</title></svg><p>End</p>");
        assert!(text(&html).starts_with("Page title\nThe article text"));
        assert!(text(&html).ends_with("End\n"));
        // A title with a `<` of its own is left alone when short.
        assert_eq!(text("<title>a < b</title><p>x"), "a < b\nx\n");
    }

    #[test]
    fn roles_from_class_words_hiding_and_links() {
        let html = r#"<body><article class="story-body"><header><h1 itemprop="headline">Head</h1>
<div class="byline">By Someone</div></header>
<p>Text with <a href="/x">a link</a> inside.</p>
<div class="articleComments"><p>A reader said this.</p></div>
<aside class="related-links"><ul><li><a href="/y">Other story</a></ul></aside>
<p aria-hidden="true">Sr only</p>
</article><footer id="site-footer"><p>Copyright</p></footer><p>After</p>"#;
        assert_eq!(
            tagged(html),
            "H1 [header article headline_prop c_content] 0 | Head
Other [header article c_author c_content] 0 | By Someone
Paragraph [article c_content] 63 | Text with a link inside.
Paragraph [article c_comment c_content] 0 | A reader said this.
Item [aside article list c_related c_content] 255 | Other story
Paragraph [article hidden c_content] 0 | Sr only
Paragraph [footer c_footer] 0 | Copyright
Paragraph [] 0 | After"
        );
    }

    /// The class words of `html` and `body` are the page's (`comments-open` on a blog page, a
    /// site's feature flags): they would mark every line, so they mark none. A `hidden` body
    /// still hides.
    #[test]
    fn page_elements_class_words_give_no_roles() {
        let html = r#"<html class="no-js sidebar"><body class="single-post comments-open f_comment_nofollow_on" id="top-nav">
<p>The article.</p><div class="comments"><p>A reader said this.</p></div>"#;
        assert_eq!(
            tagged(html),
            "Paragraph [] 0 | The article.
Paragraph [c_comment] 0 | A reader said this."
        );
        assert_eq!(
            tagged("<body hidden><p>Gone</p>"),
            "Paragraph [hidden] 0 | Gone"
        );
    }

    #[test]
    fn the_article_bodys_own_class_words_give_it_no_other_roles() {
        let html = r#"<div itemprop="articleBody" class="text-wrapper story" id="gigya-share-btns-2_gig_containerParent">
<p>The article.</p><div class="share-tools"><p>Share on Facebook</p></div></div>"#;
        assert_eq!(
            tagged(html),
            "Paragraph [body_prop c_content] 0 | The article.
Paragraph [body_prop c_share c_content] 0 | Share on Facebook"
        );
    }

    #[test]
    fn page_meta() {
        let html = r#"<html><head><title>Head | Site</title>
<meta property="og:title" content="Head">
<meta property="og:site_name" content="Site">
<meta property="og:url" content="https://site.example/a">
<link rel="canonical" href="https://site.example/a?b">
<meta property="article:published_time" content="2019-05-01T10:00:00Z">
<meta name="author" content="Jane Roe">
<script type="application/ld+json">{"@context":"https://schema.org","@graph":[
 {"@type":"WebPage","name":"x"},
 {"@type":["NewsArticle"],"headline":"The  headline","datePublished":"2019-05-01",
  "author":[{"@type":"Person","name":"Jane Roe"}]}]}</script>
</head><body><h1>The <b>headline</b></h1><time datetime="2019-05-02">May 2</time></body></html>"#;
        let (_, markup) = to_text(html);
        let meta = markup.meta;
        assert_eq!(meta.title.as_deref(), Some("Head | Site"));
        assert_eq!(meta.og_title.as_deref(), Some("Head"));
        assert_eq!(meta.h1.as_deref(), Some("The headline"));
        assert_eq!(meta.canonical.as_deref(), Some("https://site.example/a?b"));
        assert_eq!(meta.published.as_deref(), Some("2019-05-01T10:00:00Z"));
        assert_eq!(meta.author.as_deref(), Some("Jane Roe"));
        assert_eq!(meta.site_name.as_deref(), Some("Site"));
        assert_eq!(meta.ld_headline.as_deref(), Some("The headline"));
        assert_eq!(meta.ld_published.as_deref(), Some("2019-05-01"));
        assert_eq!(meta.ld_author.as_deref(), Some("Jane Roe"));
        let (_, bare) = to_text(
            "<p>x<time datetime=2020-01-01>y</time><script type=application/ld+json>{broken</script>",
        );
        assert_eq!(bare.meta.published.as_deref(), Some("2020-01-01"));
        assert_eq!(bare.meta.ld_headline, None);
    }

    /// A page around a JSON-LD article whose body is `body` (a JSON string's content), showing
    /// `shown` in its `<body>`.
    fn ld_page(body: &str, shown: &str) -> String {
        format!(
            r#"<html><head><title>Storm closes the coast road</title>
<script type="application/ld+json">{{"@type":"NewsArticle","headline":"Storm closes the coast road",
"articleBody":"{body}"}}</script></head><body><nav>Home News Sport</nav>{shown}
<footer>Copyright The Coast Courier</footer></body></html>"#
        )
    }

    /// Sixty words in two paragraphs (a JSON string: the paragraphs apart by `\n`, an
    /// apostrophe as an entity).
    const LD_BODY: &str = "The coast road was closed on Monday night after the storm washed \
        part of it into the sea, the council said. Drivers are told to use the inland route, \
        which adds half an hour to the journey.\\nEngineers will inspect the cliff on Tuesday \
        and the council&#8217;s leader said repairs could take weeks, depending on the \
        weather and on what the engineers find under the road.";

    #[test]
    fn a_shell_page_gets_its_json_ld_article_body() {
        let (text, markup) = to_text(&ld_page(LD_BODY, "<div id=app>Loading…</div>"));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Storm closes the coast road");
        assert!(lines[1].starts_with("The coast road was closed"), "{text}");
        assert!(lines[2].starts_with("Engineers will inspect"), "{text}");
        assert!(lines[2].contains("council’s leader"), "{text}");
        assert_eq!(lines[3], "Home News Sport");
        assert_eq!(markup.lines[1].block, Block::Paragraph);
        assert!(markup.lines[1].roles.contains(Roles::ARTICLE));
        assert_eq!(text.lines().count(), markup.lines.len());
    }

    #[test]
    fn a_page_that_shows_its_article_is_read_as_it_is() {
        let has_body = |shown: &str| {
            let (text, _) = to_text(&ld_page(LD_BODY, shown));
            text.lines()
                .any(|l| l.starts_with("Engineers will inspect"))
        };
        // The article shown (with other punctuation): read once, from the page.
        let article = "<article><p>The coast road was closed on Monday night after the storm \
            washed part of it into the sea, the council said.</p></article>";
        assert!(!has_body(article));
        // A paywall's teaser shows the opening: the rest is not the page's to show.
        let teaser = "<p>The coast road was closed on Monday night…</p><p>Subscribe to read</p>";
        assert!(!has_body(teaser));
        // Most of the body shown (all but its last sentence), its links' spaces lost in the
        // JSON-LD copy, at the opening too.
        let glued = LD_BODY.replacen("The coast", "Thecoast", 1);
        let body = LD_BODY.replace("\\n", " ");
        let words: Vec<&str> = body.split(' ').collect();
        let shown = format!("<p>{}</p>", words[..words.len() - 16].join(" "));
        let (text, _) = to_text(&ld_page(&glued, &shown));
        assert_eq!(
            text.lines().filter(|l| l.contains("Engineers")).count(),
            1,
            "{text}"
        );
        // A shell that shows more words than the body (another article): read as it is.
        let long = "<p>A different story of many words. </p>".repeat(20);
        assert!(!has_body(&long));
        // Too short a body: no article.
        let (text, _) = to_text(&ld_page("Too short to be an article.", ""));
        assert!(!text.contains("Too short"), "{text}");
        // And with markup in the body (its last paragraph left open), its paragraphs.
        let html_body = "<p>The coast road was closed on Monday night after the storm washed \
            part of it into the sea.</p><p>Engineers will inspect the cliff on Tuesday and the \
            council said repairs could take weeks, depending on the weather and on what the \
            engineers find under the road, which was built a century ago on soft clay.";
        let (text, _) = to_text(&ld_page(html_body, ""));
        assert!(
            text.lines().any(|l| l.starts_with("Engineers will")),
            "{text}"
        );
    }

    /// A page whose post a script renders from a template, with a copy in a `noscript`.
    fn noscript_page(noscript: &str, shown: &str) -> String {
        format!(
            "<html><head><title>Storm closes the coast road</title></head><body>\
             <nav>Home News Sport</nav><div class=post><h2>Storm closes the coast road</h2>\
             <script type='text/template'>{noscript}</script><noscript>{noscript}</noscript>\
             {shown}</div><aside>Labels: storm, roads, coast</aside></body></html>"
        )
    }

    proptest::proptest! {
        /// The bound holds: a noscript's text never has more words.
        #[test]
        fn most_words_bounds_the_text(markup in "(<[a-z/]{1,6}( [a-z]+=['\"][a-z <>]{0,8}['\"])?>|[a-zé中 .,&;#0-9<>!-]{0,12}){0,30}") {
            proptest::prop_assert!(count_words(&fragment_text(&markup)) <= most_words(&markup));
        }
    }

    proptest::proptest! {
        /// The byte-at-a-time reading of class words is the character-at-a-time one.
        #[test]
        fn class_roles_read_by_bytes_as_by_chars(value in "[a-zA-Z0-9 _-]{0,40}|[a-zA-Zé中 _-]{0,30}|(share|Comments|articleBody|related|x){0,6}|recommendations[a-z]{0,4}") {
            let mut roles = Roles::NONE;
            let mut word = String::new();
            let mut prev_lower = false;
            for c in value.chars().chain([' ']) {
                let is_boundary = !c.is_ascii_alphanumeric() || (prev_lower && c.is_ascii_uppercase());
                if is_boundary && !word.is_empty() {
                    roles |= class_word_role(&word);
                    word.clear();
                }
                if c.is_ascii_alphanumeric() {
                    word.push(c.to_ascii_lowercase());
                }
                prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
            }
            proptest::prop_assert_eq!(class_roles(&value), roles);
        }
    }

    /// The table says for every element exactly the lists it is on.
    #[test]
    fn kinds_are_the_lists() {
        let names = KIND_LISTS.iter().flat_map(|(list, _)| list.iter());
        for &name in names.chain(&["span", "a", "custom-element", "P"]) {
            let expected = (KIND_LISTS.iter())
                .filter(|(list, _)| list.contains(&name))
                .fold(0, |k, (_, bit)| k | bit);
            assert_eq!(kinds(&LocalName::from(name)), expected, "{name}");
        }
    }

    #[test]
    fn ruby_annotations_are_no_text() {
        assert_eq!(
            text(
                "<p><ruby>子<rt>こ</rt></ruby>どもへの<ruby>法<rp>(</rp><rt>ほう</rt><rp>)</rp>律</ruby></p>"
            ),
            "子どもへの法律\n"
        );
        // End tags left out: the next annotation, the ruby's end or any other tag ends one.
        assert_eq!(
            text(
                "<p><ruby>漢<rt>かん<rt>じ</ruby>字 <b>bold</b><ruby>x<rt>y<em>kept</em></ruby></p>"
            ),
            "漢字 boldxkept\n"
        );
    }

    #[test]
    fn a_post_rendered_by_a_script_is_read_from_its_noscript() {
        let post = "<p>The coast road was closed on Monday night after the storm washed part \
            of it into the sea, the council said. Drivers are told to use the inland route, \
            which adds half an hour to the journey.</p><p>Engineers will inspect the cliff on \
            Tuesday and the council&#8217;s leader said repairs could take weeks, depending on \
            the weather and on what the engineers find under the road.</p>";
        let (text, markup) = to_text(&noscript_page(post, ""));
        let lines: Vec<&str> = text.lines().collect();
        assert_eq!(lines[0], "Storm closes the coast road");
        assert!(lines[1].starts_with("The coast road was closed"), "{text}");
        assert!(lines[2].contains("council’s leader"), "{text}");
        assert!(markup.lines[1].roles.contains(Roles::ARTICLE));
        assert_eq!(text.lines().count(), markup.lines.len());
        // The page shows the post too: read once, from the page.
        let (text, _) = to_text(&noscript_page(post, post));
        assert_eq!(text.matches("Engineers will inspect").count(), 1, "{text}");
        // What noscripts usually hold: no article.
        for noscript in [
            "Please enable JavaScript to view the comments.",
            "<img src='https://ad.example/pixel?id=1234567890' width=1 height=1 alt=''>",
        ] {
            let (text, _) = to_text(&noscript_page(noscript, "<p>Short post.</p>"));
            assert!(!text.contains("JavaScript"), "{text}");
            assert!(text.contains("Short post."), "{text}");
        }
    }

    proptest::proptest! {
        /// Every line of the text has its tags, whatever the markup.
        #[test]
        fn one_tag_per_line(html in "(<[a-z/]{1,8}( class=\"[a-z-]{0,12}\")?>|[a-z .<>&;]{0,12}){0,40}") {
            let (text, markup) = to_text(&html);
            proptest::prop_assert_eq!(text.lines().count(), markup.lines.len());
        }
    }
}
