//! Duplicate detection split over shards: the map, reduce and resolve steps that give exactly
//! the decisions of [`DupIndex`] with `keep first`, for a run spread over many processes or
//! machines (`newsclean dups map | reduce | resolve`).
//!
//! One run's index sees the articles in input order and keeps the first copy: an article is an
//! exact duplicate of the kept article with its exact body hash, else a near duplicate of the
//! most similar kept article that shares one of its 32 LSH bands and is near by
//! [`DupConfig::is_near`] (the Jaccard threshold, or the containment rule), or that shares its
//! title key (both among the first [`MAX_TITLED`] articles with it) and is near by
//! [`DupConfig::is_near_titled`] (the earliest among equals), else it is kept and indexed.
//! Only kept articles are indexed,
//! so in a chain A ≈ B ≈ C where C is not similar enough to A, B is dropped as a copy of A and
//! C is kept. A sharded run reproduces these decisions in three steps, with a shuffle between
//! them:
//!
//! 1. **Map** ([`ShardPrint::of`]), per shard, after cleaning exactly as `run` cleans: each
//!    article's exact hash and, for a body that takes part in near-duplicate detection, its
//!    band keys, signature slots, distinct shingle count and title key ([`NearPrint`]), under
//!    its global order key (its `seq` in a sharded run).
//! 2. **Reduce**, per shuffle key: [`reduce_exact`] per exact hash, [`reduce_band`] per band
//!    and band key (a band's table of the index), [`reduce_title`] per title key (the index's
//!    title table: only the group's first [`MAX_TITLED`] articles by order key, each marked
//!    with the key, [`Member::title`]). Articles with the same exact hash form a
//!    *class*: the same normalised body, so the same words, shingles and signature. A group
//!    relates articles only when it holds two articles of one exact hash, or two classes of
//!    one band key; then the reduce emits its [`Member`]s and, for a band group, every pair of
//!    classes with the similarity of their signatures and their shingle counts ([`Pair`]).
//! 3. **Resolve** ([`Resolver`]), once: replays the index's decisions over the members, in
//!    order key order, into the list of dropped articles ([`Drop`]).
//!
//! Why the members suffice: an article in no such group has no other article of its exact
//! hash and shares no band key with another class, so the index keeps it, and no other
//! article is ever compared with it. Why the decisions are the index's: a kept article's class
//! holds exactly one kept article, the candidates of an article are the kept articles of the
//! classes its class is paired with (they share a band key of the same band, as the index's
//! band tables require), the similarity is computed from the same 16-bit slots, the resolve
//! step decides with the index's [`DupConfig::is_near`] on the same similarity and shingle
//! counts, and ties go to the earliest kept article, as the index's candidate order does. (Two different bodies with the same 64-bit exact hash, which the index
//! also takes for one body, would have different signatures; the reduce uses the first.)
//!
//! The title key is a property of an article, not of its class (one body may come under two
//! titles), so it travels with the members: the index looks an article up by its title key
//! when it is one of the first [`MAX_TITLED`] articles with that key (counting every article
//! with a signature, whatever becomes of it), and finds there the kept articles indexed by the
//! same key. The title group's reduce sorts the group by order key, keeps the first
//! [`MAX_TITLED`], and marks them with the key; its pairs say that the classes share a title
//! key only ([`Pair::by_band`]). The resolve step takes a kept article of a paired class as a
//! candidate when the pair shares a band (decided by [`DupConfig::is_near`]), or when the
//! article and the kept one carry one title key (decided by [`DupConfig::is_near_titled`],
//! which is looser): the index's candidates and rules.
//!
//! The final map ([`ApplyDrops`]) replaces the dropped articles by
//! [`Duplicate`](newsclean_core::Duplicate)s exactly as the index would, in each shard's
//! ordered step.
//!
//! `keep longest` is not split: it compares a copy with its cluster's longest article, which
//! may share no band with it, so the pairs of the reduce are not enough ([`ShardError`]).

use std::collections::BTreeMap;

use newsclean_core::{Article, DupKind, OrderedStep, Record, Seq, StageError, StageId};

use crate::dup::{
    DupConfig, DupIndex, Keep, MAX_TITLED, N_BANDS, N_HASHES, band_key, print_of, slot,
};
use crate::site::PrehashedMap;

/// A signature as the index stores it: one 16-bit value per slot.
pub type Slots = Box<[u16; N_HASHES]>;

/// Errors of sharded duplicate detection.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// `keep longest` asked of a sharded run.
    #[error(
        "--keep longest cannot be split over shards (it compares copies that share no band); use --keep first or all, or one machine"
    )]
    KeepLongest,
    /// The drop list names documents that are not what the shard read.
    #[error("the drop list does not fit the inputs: {0}")]
    Mismatch(String),
}

/// What the map emits for one article.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardPrint {
    /// The article's global order key.
    pub seq: Seq,
    /// The article's id.
    pub id: String,
    /// The hash of its normalised body (with the title for short bodies).
    pub exact: u64,
    /// What near-duplicate detection needs, when the article takes part in it (near
    /// duplicates on and a body of at least [`MIN_NEAR_WORDS`](crate::dup::MIN_NEAR_WORDS)
    /// words).
    pub near: Option<NearPrint>,
}

/// What the map emits for an article that takes part in near-duplicate detection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NearPrint {
    /// Its band keys (band `b` at `b`).
    pub bands: [u32; N_BANDS],
    /// Its signature.
    pub slots: Slots,
    /// The distinct shingles of its body (for containment).
    pub n_shingles: u32,
    /// Its title key ([`title_key`](crate::dup::title_key)), 0 for none or with the title rule
    /// off: the key of its title group.
    pub title: u32,
}

impl ShardPrint {
    /// The print of `article`, or `None` when the index would not look it up (a body without
    /// words).
    pub fn of(article: &Article, config: &DupConfig) -> Option<ShardPrint> {
        let fp = print_of(article)?;
        let near = fp
            .minhash
            .as_deref()
            .filter(|_| config.near)
            .map(|mins| NearPrint {
                bands: std::array::from_fn(|b| band_key(b, mins)),
                slots: Box::new(std::array::from_fn(|k| slot(mins[k]))),
                n_shingles: fp.n_shingles,
                title: if config.has_titles() { fp.title } else { 0 },
            });
        Some(ShardPrint {
            seq: article.seq,
            id: article.id.clone(),
            exact: fp.exact,
            near,
        })
    }
}

/// An article in a group of the reduce, as the resolve step needs it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Member {
    /// Its global order key.
    pub seq: Seq,
    /// Its exact hash (its class).
    pub exact: u64,
    /// Its id.
    pub id: String,
    /// The title key it looks up by, when it is one of the first [`MAX_TITLED`] articles of
    /// its title group, which sets it ([`reduce_title`]); else 0.
    pub title: u32,
}

/// Two classes (exact hashes, `a < b`) that share a band key, the similarity of their
/// signatures (the share of equal slots, as the index computes it) and their bodies' sizes,
/// what [`DupConfig::is_near`] decides on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Pair {
    /// One class.
    pub a: u64,
    /// The other.
    pub b: u64,
    /// The estimated Jaccard similarity of their bodies.
    pub similarity: f32,
    /// The distinct shingles of `a`'s body.
    pub n_a: u32,
    /// The distinct shingles of `b`'s body.
    pub n_b: u32,
    /// Whether the classes share a band key (else only a title key).
    pub by_band: bool,
}

/// A signature in a band group: its slots and its body's distinct shingle count.
pub type Signature<'a> = (&'a [u16; N_HASHES], u32);

/// The similarity the index computes between two stored signatures.
pub fn similarity(a: &[u16; N_HASHES], b: &[u16; N_HASHES]) -> f32 {
    DupIndex::similarity(a, b)
}

/// Reduces the group of one exact hash: its members when it holds two or more articles (all
/// but the first kept one are exact duplicates), else nothing.
pub fn reduce_exact(members: Vec<Member>) -> Vec<Member> {
    if members.len() >= 2 {
        members
    } else {
        Vec::new()
    }
}

/// Reduces the group of one band key (its articles and their signatures, which the caller
/// may share between the groups of an article's bands): when it holds two or more classes,
/// pushes every pair of classes onto `pairs` and returns the members; else nothing.
pub fn reduce_band<'a>(
    entries: &[(&'a Member, Signature<'_>)],
    pairs: &mut Vec<Pair>,
) -> Vec<&'a Member> {
    let mut classes: BTreeMap<u64, Signature<'_>> = BTreeMap::new();
    for (member, signature) in entries {
        classes.entry(member.exact).or_insert(*signature);
    }
    if classes.len() < 2 {
        return Vec::new();
    }
    let classes: Vec<(u64, Signature<'_>)> = classes.into_iter().collect();
    for (i, (a, (slots_a, n_a))) in classes.iter().enumerate() {
        for (b, (slots_b, n_b)) in &classes[i + 1..] {
            pairs.push(Pair {
                a: *a,
                b: *b,
                similarity: similarity(slots_a, slots_b),
                n_a: *n_a,
                n_b: *n_b,
                by_band: true,
            });
        }
    }
    entries.iter().map(|(member, _)| *member).collect()
}

/// Reduces the group of one title key `title` (its articles and their signatures): the first
/// [`MAX_TITLED`] articles by order key look each other up by the title, as in the index;
/// when they hold two or more classes, pushes every pair of their classes onto `pairs` and
/// returns them with their [`Member::title`] set; else nothing.
pub fn reduce_title(
    entries: &[(&Member, Signature<'_>)],
    title: u32,
    pairs: &mut Vec<Pair>,
) -> Vec<Member> {
    let mut entries = entries.to_vec();
    entries.sort_unstable_by_key(|(member, _)| member.seq);
    entries.truncate(MAX_TITLED as usize);
    let n_pairs = pairs.len();
    let members = reduce_band(&entries, pairs);
    for pair in &mut pairs[n_pairs..] {
        pair.by_band = false;
    }
    members
        .into_iter()
        .map(|member| Member {
            title,
            ..member.clone()
        })
        .collect()
}

/// An article the resolve step drops, and the kept article it copies.
#[derive(Debug, Clone, PartialEq)]
pub struct Drop {
    /// The dropped article's global order key.
    pub seq: Seq,
    /// Its id (checked against the article the final map finds at `seq`).
    pub id: String,
    /// The id of the kept article.
    pub duplicate_of: String,
    /// Exact or near copy.
    pub kind: DupKind,
    /// The similarity, 1 for exact copies.
    pub similarity: f32,
}

/// A class that may be near another: its exact hash, the similarity, and whether the two are
/// near as the index finds them by a shared band ([`DupConfig::is_near`]) and as it finds
/// them under one title key ([`DupConfig::is_near_titled`]).
#[derive(Debug, Clone, Copy)]
struct Neighbour {
    class: u64,
    similarity: f32,
    is_band_near: bool,
    is_title_near: bool,
}

/// The resolve step: the index's `keep first` decisions over the members of the reduce.
#[derive(Debug)]
pub struct Resolver {
    config: DupConfig,
    /// Per class, the classes it may be near.
    neighbours: PrehashedMap<u64, Vec<Neighbour>>,
    members: Vec<Member>,
}

impl Resolver {
    /// A resolver for `config`; `keep longest` is refused.
    pub fn new(config: &DupConfig) -> Result<Resolver, ShardError> {
        if config.keep == Keep::Longest {
            return Err(ShardError::KeepLongest);
        }
        Ok(Resolver {
            config: config.clone(),
            neighbours: PrehashedMap::default(),
            members: Vec::new(),
        })
    }

    /// Takes a pair from the reduce (the same pair may come from several groups).
    pub fn add_pair(&mut self, pair: Pair) {
        if !self.config.near {
            return;
        }
        let (s, n_a, n_b) = (pair.similarity, pair.n_a, pair.n_b);
        let is_band_near = pair.by_band && self.config.is_near(s, n_a, n_b);
        // Looser than `is_near`, so it holds whenever `is_band_near` does.
        let is_title_near = self.config.is_near_titled(s, n_a, n_b, true);
        if !is_title_near {
            return;
        }
        for (class, other) in [(pair.a, pair.b), (pair.b, pair.a)] {
            self.neighbours.entry(class).or_default().push(Neighbour {
                class: other,
                similarity: s,
                is_band_near,
                is_title_near,
            });
        }
    }

    /// Takes a member from the reduce (the same member may come from several groups).
    pub fn add_member(&mut self, member: Member) {
        self.members.push(member);
    }

    /// The dropped articles, in order key order.
    pub fn resolve(mut self) -> Vec<Drop> {
        if self.config.keep == Keep::All {
            return Vec::new();
        }
        // A member comes from several groups, with its title key from its title group only.
        self.members
            .sort_unstable_by_key(|m| (m.seq, std::cmp::Reverse(m.title)));
        self.members.dedup_by_key(|m| m.seq);
        let members = &self.members;
        // Class → the kept member of it (members are in order, so its index is its rank).
        let mut kept: PrehashedMap<u64, usize> = PrehashedMap::default();
        let mut drops = Vec::new();
        for (i, member) in members.iter().enumerate() {
            if let Some(&k) = kept.get(&member.exact) {
                drops.push(Drop {
                    seq: member.seq,
                    id: member.id.clone(),
                    duplicate_of: members[k].id.clone(),
                    kind: DupKind::Exact,
                    similarity: 1.0,
                });
                continue;
            }
            let mut best: Option<(f32, usize)> = None;
            for n in self.neighbours.get(&member.exact).into_iter().flatten() {
                let Some(&k) = kept.get(&n.class) else {
                    continue;
                };
                // The index's candidates: kept articles that share a band, and under the
                // member's title key, those indexed by it, decided by the title's rule.
                let same_title = member.title != 0 && members[k].title == member.title;
                if !(n.is_band_near || (same_title && n.is_title_near)) {
                    continue;
                }
                // The most similar kept article; among equals the earliest, as the index's
                // candidates come in the order they were kept.
                let similarity = n.similarity;
                let is_better = |(s, b): (f32, usize)| {
                    similarity.total_cmp(&s).then(b.cmp(&k)) == std::cmp::Ordering::Greater
                };
                if best.is_none_or(is_better) {
                    best = Some((similarity, k));
                }
            }
            match best {
                Some((similarity, k)) => drops.push(Drop {
                    seq: member.seq,
                    id: member.id.clone(),
                    duplicate_of: members[k].id.clone(),
                    kind: DupKind::Near,
                    similarity,
                }),
                None => {
                    kept.insert(member.exact, i);
                }
            }
        }
        drops
    }
}

/// The ordered step of a shard's final map: replaces each article the drop list names by the
/// [`Duplicate`](newsclean_core::Duplicate) the index would have written.
#[derive(Debug)]
pub struct ApplyDrops {
    drops: BTreeMap<Seq, Drop>,
    is_complete: bool,
}

impl ApplyDrops {
    /// A step dropping `drops`. With `is_complete`, `drops` is exactly this shard's part of
    /// the list, and one the shard never reads is an error (the inputs changed between steps).
    pub fn new(drops: impl IntoIterator<Item = Drop>, is_complete: bool) -> ApplyDrops {
        ApplyDrops {
            drops: drops.into_iter().map(|d| (d.seq, d)).collect(),
            is_complete,
        }
    }
}

fn mismatch(reason: String) -> StageError {
    StageError::new(StageId::Dedupe, ShardError::Mismatch(reason))
}

impl OrderedStep for ApplyDrops {
    type Item = Record;

    fn process(&mut self, record: Record, out: &mut Vec<Record>) -> Result<(), StageError> {
        let Some(drop) = self.drops.remove(&record.seq()) else {
            out.push(record);
            return Ok(());
        };
        match record {
            Record::Article(article) if article.id == drop.id => {
                out.push(DupIndex::duplicate(
                    &article,
                    &drop.duplicate_of,
                    drop.kind,
                    drop.similarity,
                ));
                Ok(())
            }
            other => Err(mismatch(format!(
                "document {:016x} is the {} {:?}, and the list drops the article {:?}",
                other.seq(),
                other.kind_name(),
                other.id(),
                drop.id
            ))),
        }
    }

    fn finish(&mut self, _out: &mut Vec<Record>) -> Result<(), StageError> {
        match self.drops.first_key_value() {
            Some((seq, drop)) if self.is_complete => Err(mismatch(format!(
                "{} dropped documents were not read, the first {seq:016x} ({:?})",
                self.drops.len(),
                drop.id
            ))),
            _ => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use newsclean_core::{Article, Section};

    use super::*;

    /// A deterministic generator (xorshift).
    struct Rng(u64);

    impl Rng {
        fn below(&mut self, n: usize) -> usize {
            self.0 ^= self.0 << 13;
            self.0 ^= self.0 >> 7;
            self.0 ^= self.0 << 17;
            (self.0 % n as u64) as usize
        }
    }

    fn article(seq: Seq, title: &str, body: &[String]) -> Article {
        Article {
            seq,
            id: format!("d{seq}"),
            title: Some(title.to_owned()),
            sections: vec![Section {
                heading: None,
                paragraphs: body.to_vec(),
            }],
            ..Article::default()
        }
    }

    /// `id kind duplicate_of similarity` per duplicate.
    fn render(drops: impl IntoIterator<Item = (String, DupKind, String, f32)>) -> Vec<String> {
        drops
            .into_iter()
            .map(|(id, kind, of, s)| format!("{id} {} {of} {s}", kind.name()))
            .collect()
    }

    /// The single place these tests run both ways: the index on all articles in order, and the
    /// map, a shuffle by key, the reduce and the resolve; returns both duplicate lists.
    fn check(articles: &[Article], config: &DupConfig) -> (Vec<String>, Vec<String>) {
        let mut index = DupIndex::new(config);
        let mut out = Vec::new();
        for article in articles {
            index
                .process(Record::Article(article.clone()), &mut out)
                .unwrap();
        }
        let by_index = render(out.into_iter().filter_map(|r| match r {
            Record::Duplicate(d) => Some((d.id, d.kind, d.duplicate_of, d.similarity)),
            _ => None,
        }));
        // Map, in any order (the shards' outputs interleave), then group by key.
        let mut exact: BTreeMap<u64, Vec<Member>> = BTreeMap::new();
        let mut bands: BTreeMap<(usize, u32), Vec<(Member, NearPrint)>> = BTreeMap::new();
        for article in articles.iter().rev() {
            let Some(print) = ShardPrint::of(article, config) else {
                continue;
            };
            let member = Member {
                seq: print.seq,
                exact: print.exact,
                id: print.id.clone(),
                title: 0,
            };
            exact.entry(print.exact).or_default().push(member.clone());
            if let Some(near) = &print.near {
                // The title group is band `N_BANDS`.
                let title = (near.title != 0).then_some((N_BANDS, near.title));
                for key in near.bands.iter().copied().enumerate().chain(title) {
                    bands
                        .entry(key)
                        .or_default()
                        .push((member.clone(), near.clone()));
                }
            }
        }
        let mut resolver = Resolver::new(config).unwrap();
        let mut pairs = Vec::new();
        for group in exact.into_values() {
            for member in reduce_exact(group) {
                resolver.add_member(member);
            }
        }
        for ((b, key), group) in bands {
            let group: Vec<(&Member, Signature<'_>)> = group
                .iter()
                .map(|(m, n)| (m, (&*n.slots, n.n_shingles)))
                .collect();
            if b == N_BANDS {
                for member in reduce_title(&group, key, &mut pairs) {
                    resolver.add_member(member);
                }
            } else {
                for member in reduce_band(&group, &mut pairs) {
                    resolver.add_member(member.clone());
                }
            }
        }
        for pair in pairs {
            resolver.add_pair(pair);
        }
        let drops = resolver.resolve();
        // The final map applies the list to the articles.
        let mut apply = ApplyDrops::new(drops, true);
        let mut out = Vec::new();
        for article in articles {
            apply
                .process(Record::Article(article.clone()), &mut out)
                .unwrap();
        }
        apply.finish(&mut out).unwrap();
        let by_shards = render(out.into_iter().filter_map(|r| match r {
            Record::Duplicate(d) => Some((d.id, d.kind, d.duplicate_of, d.similarity)),
            _ => None,
        }));
        (by_index, by_shards)
    }

    /// Words from a small vocabulary, so that unrelated bodies share a shingle now and then.
    fn words(rng: &mut Rng, n: usize) -> Vec<String> {
        (0..n).map(|_| format!("w{}", rng.below(300))).collect()
    }

    /// A copy of `body` with `n` words changed.
    fn edit(rng: &mut Rng, body: &[String], n: usize) -> Vec<String> {
        let mut body = body.to_vec();
        for _ in 0..n {
            let at = rng.below(body.len());
            body[at] = format!("x{}", rng.below(100_000));
        }
        body
    }

    /// Archives of stories with exact copies, near copies and chains of near copies (each
    /// step changing a few per cent of the words, so that a chain's ends are often not
    /// similar enough while each step is), copies with a block of lines cut or added (which
    /// only containment may relate), copies with a block of up to three times their length
    /// added (which only the title rule may relate), short pages and retitled copies,
    /// shuffled. A third of the stories share one title, so that it has more than
    /// [`MAX_TITLED`] articles.
    fn archive(seed: u64, n_stories: usize) -> Vec<Article> {
        let mut rng = Rng(seed.wrapping_mul(0x9e37_79b9_7f4a_7c15) | 1);
        let mut pages: Vec<(String, Vec<String>)> = Vec::new();
        for s in 0..n_stories {
            let n_words = [8, 40, 120, 400][rng.below(4)];
            let mut body = words(&mut rng, n_words);
            let title = if rng.below(3) == 0 {
                "the headline many stories share".to_owned()
            } else {
                format!("the story number {s}")
            };
            pages.push((title.clone(), body.clone()));
            for _ in 0..rng.below(5) {
                match rng.below(6) {
                    0 => pages.push((title.clone(), body.clone())),
                    1 => pages.push((format!("{title} again"), body.clone())),
                    2 => {
                        // A chain: each link a few per cent away from the one before.
                        let step = 1 + n_words * (2 + rng.below(4)) / 100;
                        body = edit(&mut rng, &body, step);
                        pages.push((title.clone(), body.clone()));
                    }
                    3 => {
                        // A block of 10 to 70 % of the length cut from the end, or new words
                        // added, with a few words changed.
                        let block = n_words * (10 + rng.below(61)) / 100;
                        let mut copy = if rng.below(2) == 0 {
                            body[..n_words - block].to_vec()
                        } else {
                            [body.clone(), words(&mut rng, block)].concat()
                        };
                        let n = rng.below(1 + n_words / 50);
                        copy = edit(&mut rng, &copy, n);
                        pages.push((title.clone(), copy));
                    }
                    4 => {
                        // A block of up to three times the length added.
                        let block = n_words * (50 + rng.below(251)) / 100;
                        let copy = [body.clone(), words(&mut rng, block)].concat();
                        pages.push((title.clone(), copy));
                    }
                    _ => {
                        let n = 1 + rng.below(1 + n_words / 10);
                        pages.push((title.clone(), edit(&mut rng, &body, n)));
                    }
                }
            }
        }
        for i in (1..pages.len()).rev() {
            let j = rng.below(i + 1);
            pages.swap(i, j);
        }
        pages
            .iter()
            .enumerate()
            .map(|(seq, (title, body))| {
                let lines: Vec<String> = body.chunks(20).map(|c| c.join(" ")).collect();
                article(seq as Seq, title, &lines)
            })
            .collect()
    }

    #[test]
    fn shards_decide_as_the_index_does() {
        let mut n_near = 0;
        let mut n_exact = 0;
        let mut n_contained = 0;
        let mut n_titled = 0;
        for seed in 0..40 {
            for config in [
                DupConfig::default(),
                DupConfig {
                    threshold: 0.7,
                    ..DupConfig::default()
                },
                DupConfig {
                    threshold: 0.9,
                    containment: 0.9,
                    ..DupConfig::default()
                },
                DupConfig {
                    containment: 0.0,
                    ..DupConfig::default()
                },
                DupConfig {
                    title: 0.0,
                    ..DupConfig::default()
                },
                DupConfig {
                    title: 0.75,
                    containment: 0.0,
                    ..DupConfig::default()
                },
                DupConfig {
                    near: false,
                    ..DupConfig::default()
                },
            ] {
                let articles = archive(seed, 30);
                let (by_index, by_shards) = check(&articles, &config);
                assert_eq!(by_index, by_shards, "seed {seed}, {config:?}");
                for d in &by_index {
                    let similarity: f32 = d.rsplit(' ').next().unwrap().parse().unwrap();
                    n_near += usize::from(d.contains(" near "));
                    n_exact += usize::from(d.contains(" exact "));
                    // Under the Jaccard threshold: found by containment.
                    n_contained += usize::from(similarity < config.threshold);
                    // Under the containment rule's floor: found by the title rule.
                    n_titled += usize::from(similarity < crate::dup::MIN_CONTAINED_JACCARD);
                }
            }
        }
        // The archives exercise every kind and rule, many times.
        assert!(
            n_near > 200 && n_exact > 200 && n_contained > 100 && n_titled > 50,
            "{n_near} near, {n_exact} exact, {n_contained} by containment, {n_titled} by title"
        );
    }

    /// A chain A ≈ B ≈ C with C not similar enough to A: the index keeps A and C, which
    /// union-find over the pairs would not.
    #[test]
    fn chains_keep_what_the_index_keeps() {
        let mut rng = Rng(7);
        let a = words(&mut rng, 400);
        let b = edit(&mut rng, &a, 7);
        let c = edit(&mut rng, &b, 7);
        let lines =
            |body: &[String]| -> Vec<String> { body.chunks(20).map(|c| c.join(" ")).collect() };
        let articles = [
            article(0, "a", &lines(&a)),
            article(1, "b", &lines(&b)),
            article(2, "c", &lines(&c)),
        ];
        let (by_index, by_shards) = check(&articles, &DupConfig::default());
        assert_eq!(by_index.len(), 1, "{by_index:?}");
        assert!(by_index[0].starts_with("d1 near d0"), "{by_index:?}");
        assert_eq!(by_index, by_shards);
    }

    /// Two kept articles equally similar to a later one: the later one copies the earlier,
    /// whether the Jaccard rule relates them (each a copy of the later one with 8 words of 400
    /// changed) or only containment does (each three quarters of it, overlapping by half).
    #[test]
    fn ties_go_to_the_earliest_kept_article() {
        let lines =
            |body: &[String]| -> Vec<String> { body.chunks(20).map(|c| c.join(" ")).collect() };
        let jaccard_only = DupConfig {
            containment: 0.0,
            ..DupConfig::default()
        };
        for (config, is_contained) in [(jaccard_only, false), (DupConfig::default(), true)] {
            let near = |x: &Article, y: &Article| {
                let x = ShardPrint::of(x, &config).unwrap().near.unwrap();
                let y = ShardPrint::of(y, &config).unwrap().near.unwrap();
                let s = similarity(&x.slots, &y.slots);
                (s, config.is_near(s, x.n_shingles, y.n_shingles))
            };
            let mut n_ties = 0;
            for seed in 1..400 {
                let mut rng = Rng(seed);
                let base = words(&mut rng, 400);
                let (a, b) = if is_contained {
                    (base[..300].to_vec(), base[100..].to_vec())
                } else {
                    (edit(&mut rng, &base, 8), edit(&mut rng, &base, 8))
                };
                let a = article(0, "a", &lines(&a));
                let b = article(1, "b", &lines(&b));
                let c = article(2, "c", &lines(&base));
                let ((ca, is_ca), (cb, is_cb), (_, is_ab)) =
                    (near(&c, &a), near(&c, &b), near(&a, &b));
                if ca.to_bits() != cb.to_bits() || !is_ca || !is_cb || is_ab {
                    continue;
                }
                n_ties += 1;
                let (by_index, by_shards) = check(&[a, b, c], &config);
                assert_eq!(by_index, [format!("d2 near d0 {ca}")]);
                assert_eq!(by_index, by_shards);
            }
            assert!(n_ties >= 3, "{n_ties} ties, {config:?}");
        }
    }

    #[test]
    fn a_list_that_does_not_fit_is_an_error() {
        let drop = Drop {
            seq: 3,
            id: "d3".into(),
            duplicate_of: "d1".into(),
            kind: DupKind::Exact,
            similarity: 1.0,
        };
        let mut apply = ApplyDrops::new([drop.clone()], true);
        let mut out = Vec::new();
        let other = article(3, "t", &["some words here".into()]);
        let other = Article {
            id: "other".into(),
            ..other
        };
        let err = apply.process(Record::Article(other), &mut out).unwrap_err();
        assert!(anyhow_like(&err).contains("drops the article"));
        let mut apply = ApplyDrops::new([drop], true);
        let err = apply.finish(&mut out).unwrap_err();
        assert!(anyhow_like(&err).contains("were not read"));
    }

    fn anyhow_like(err: &StageError) -> String {
        format!("{err}: {}", err.source)
    }

    #[test]
    fn keep_longest_is_refused() {
        let config = DupConfig {
            keep: Keep::Longest,
            ..DupConfig::default()
        };
        assert!(matches!(
            Resolver::new(&config),
            Err(ShardError::KeepLongest)
        ));
    }
}
