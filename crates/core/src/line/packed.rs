//! The serialised form of a document's lines: fixed-width little-endian bytes instead of one
//! serde call per field of every line.
//!
//! A document's lines cross the spool (pass 1 → pass 2) and the stage frames once each, and
//! bincode's serde path costs a few hundred instructions per line (a varint and a call per
//! field, a tag per verdict). Packed, a line is 21 bytes in three byte blobs that are copied
//! whole: for each line its start, end, hash and score (`u32`, `u32`, `u64`, `f32`) in
//! `fixed`, its verdict's tag in `tags`, and the verdicts' payloads in order apart: the score
//! of each [`Reason::LowScore`] in `low_scores`, the rule of each [`Reason::Boilerplate`] in
//! `rules`. Decoding checks every length and tag: a bad frame is an error, never a panic.

use serde::de::{self, Deserializer, SeqAccess, Visitor};
use serde::ser::Serializer;
use serde::{Deserialize, Serialize};

use super::{Line, Reason, Role, Verdict};

/// Bytes per line in `fixed`.
const FIXED: usize = 4 + 4 + 8 + 4;

const ROLES: [Role; 7] = [
    Role::Title,
    Role::Summary,
    Role::Byline,
    Role::Published,
    Role::Heading,
    Role::Paragraph,
    Role::Related,
];

// Verdict tags: the three plain verdicts, then one per role, then one per reason.
const BLANK: u8 = 0;
const UNDECIDED: u8 = 1;
const TITLE_CANDIDATE: u8 = 2;
const KEPT: u8 = 3;
const REMOVED: u8 = KEPT + ROLES.len() as u8;
const REPEATED_HEADLINE: u8 = REMOVED;
const REPEATED_LINE: u8 = REMOVED + 1;
const BOILERPLATE: u8 = REMOVED + 2;
const SITE_TEMPLATE: u8 = REMOVED + 3;
const FOOTER: u8 = REMOVED + 4;
const RELATED: u8 = REMOVED + 5;
const LOW_SCORE: u8 = REMOVED + 6;

/// The index of `role` in [`ROLES`] (a match, so that a new role cannot be left out).
fn role_index(role: Role) -> u8 {
    match role {
        Role::Title => 0,
        Role::Summary => 1,
        Role::Byline => 2,
        Role::Published => 3,
        Role::Heading => 4,
        Role::Paragraph => 5,
        Role::Related => 6,
    }
}

/// A byte blob serialised as bytes (one length and a copy), not as a sequence of `u8`s.
#[derive(Clone, Copy)]
struct Bytes<'a>(&'a [u8]);

impl Serialize for Bytes<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_bytes(self.0)
    }
}

/// A byte blob read back from [`Bytes`] (or, from a format without bytes, a sequence).
struct ByteBuf(Vec<u8>);

impl<'de> Deserialize<'de> for ByteBuf {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<ByteBuf, D::Error> {
        struct BytesVisitor;
        impl<'de> Visitor<'de> for BytesVisitor {
            type Value = ByteBuf;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("bytes")
            }
            fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v.to_vec()))
            }
            fn visit_byte_buf<E: de::Error>(self, v: Vec<u8>) -> Result<ByteBuf, E> {
                Ok(ByteBuf(v))
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<ByteBuf, A::Error> {
                let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1 << 20));
                while let Some(b) = seq.next_element()? {
                    out.push(b);
                }
                Ok(ByteBuf(out))
            }
        }
        deserializer.deserialize_bytes(BytesVisitor)
    }
}

#[derive(Clone, Serialize)]
struct Packed<'a> {
    fixed: Bytes<'a>,
    tags: Bytes<'a>,
    low_scores: Bytes<'a>,
    rules: Vec<&'a str>,
}

#[derive(Deserialize)]
struct Unpacked {
    fixed: ByteBuf,
    tags: ByteBuf,
    low_scores: ByteBuf,
    rules: Vec<String>,
}

/// Serialises `lines` packed (for `#[serde(with)]`).
pub(crate) fn serialize<S: Serializer>(lines: &[Line], serializer: S) -> Result<S::Ok, S::Error> {
    let mut fixed = Vec::with_capacity(lines.len() * FIXED);
    let mut tags = Vec::with_capacity(lines.len());
    let mut low_scores = Vec::new();
    let mut rules = Vec::new();
    for line in lines {
        fixed.extend_from_slice(&line.start.to_le_bytes());
        fixed.extend_from_slice(&line.end.to_le_bytes());
        fixed.extend_from_slice(&line.hash.to_le_bytes());
        fixed.extend_from_slice(&line.score.to_le_bytes());
        tags.push(match &line.verdict {
            Verdict::Blank => BLANK,
            Verdict::Undecided => UNDECIDED,
            Verdict::TitleCandidate => TITLE_CANDIDATE,
            Verdict::Kept(role) => KEPT + role_index(*role),
            Verdict::Removed(reason) => match reason {
                Reason::RepeatedHeadline => REPEATED_HEADLINE,
                Reason::RepeatedLine => REPEATED_LINE,
                Reason::Boilerplate(rule) => {
                    rules.push(rule.as_str());
                    BOILERPLATE
                }
                Reason::SiteTemplate => SITE_TEMPLATE,
                Reason::Footer => FOOTER,
                Reason::Related => RELATED,
                Reason::LowScore(score) => {
                    low_scores.extend_from_slice(&score.to_le_bytes());
                    LOW_SCORE
                }
            },
        });
    }
    Packed {
        fixed: Bytes(&fixed),
        tags: Bytes(&tags),
        low_scores: Bytes(&low_scores),
        rules,
    }
    .serialize(serializer)
}

/// Reads lines written by [`serialize`].
pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Vec<Line>, D::Error> {
    let Unpacked {
        fixed: ByteBuf(fixed),
        tags: ByteBuf(tags),
        low_scores: ByteBuf(low_scores),
        rules,
    } = Unpacked::deserialize(deserializer)?;
    if fixed.len() != tags.len() * FIXED || low_scores.len() % 4 != 0 {
        return Err(de::Error::custom(
            "packed lines: the blobs' lengths disagree",
        ));
    }
    let mut low_scores = low_scores
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let mut rules = rules.into_iter();
    let mut lines = Vec::with_capacity(tags.len());
    for (&tag, f) in tags.iter().zip(fixed.chunks_exact(FIXED)) {
        let verdict = match tag {
            BLANK => Verdict::Blank,
            UNDECIDED => Verdict::Undecided,
            TITLE_CANDIDATE => Verdict::TitleCandidate,
            KEPT..REMOVED => Verdict::Kept(ROLES[usize::from(tag - KEPT)]),
            REPEATED_HEADLINE => Verdict::Removed(Reason::RepeatedHeadline),
            REPEATED_LINE => Verdict::Removed(Reason::RepeatedLine),
            BOILERPLATE => {
                Verdict::Removed(Reason::Boilerplate(rules.next().ok_or_else(|| {
                    de::Error::custom("packed lines: a boilerplate rule is missing")
                })?))
            }
            SITE_TEMPLATE => Verdict::Removed(Reason::SiteTemplate),
            FOOTER => Verdict::Removed(Reason::Footer),
            RELATED => Verdict::Removed(Reason::Related),
            LOW_SCORE => {
                Verdict::Removed(Reason::LowScore(low_scores.next().ok_or_else(|| {
                    de::Error::custom("packed lines: a low score is missing")
                })?))
            }
            _ => {
                return Err(de::Error::custom(format!(
                    "packed lines: unknown verdict tag {tag}"
                )));
            }
        };
        let u32_at = |at: usize| u32::from_le_bytes([f[at], f[at + 1], f[at + 2], f[at + 3]]);
        let mut hash = [0u8; 8];
        hash.copy_from_slice(&f[8..16]);
        lines.push(Line {
            start: u32_at(0),
            end: u32_at(4),
            hash: u64::from_le_bytes(hash),
            verdict,
            score: f32::from_bits(u32_at(16)),
        });
    }
    if low_scores.next().is_some() || rules.next().is_some() {
        return Err(de::Error::custom("packed lines: payloads left over"));
    }
    Ok(lines)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::codec;
    use crate::doc::{DocStats, Source};
    use crate::line::{MarkedDoc, Norms, SiteLines};
    use crate::record::Record;

    fn verdicts() -> Vec<Verdict> {
        let mut all = vec![Verdict::Blank, Verdict::Undecided, Verdict::TitleCandidate];
        all.extend(ROLES.iter().map(|&r| Verdict::Kept(r)));
        all.extend([
            Verdict::Removed(Reason::RepeatedHeadline),
            Verdict::Removed(Reason::RepeatedLine),
            Verdict::Removed(Reason::Boilerplate("ad-label".into())),
            Verdict::Removed(Reason::SiteTemplate),
            Verdict::Removed(Reason::Footer),
            Verdict::Removed(Reason::Related),
            Verdict::Removed(Reason::LowScore(0.125)),
            Verdict::Removed(Reason::Boilerplate(String::new())),
            Verdict::Removed(Reason::LowScore(-1.0)),
        ]);
        all
    }

    fn doc(lines: Vec<Line>) -> Record {
        Record::Marked(MarkedDoc {
            seq: 3,
            id: "id".into(),
            source: Source::default(),
            text: "text".into(),
            lines,
            stats: DocStats::default(),
            site: SiteLines::default(),
            norms: Norms::default(),
            markup: None,
        })
    }

    proptest::proptest! {
        /// Every verdict, any positions, hashes and scores (NaN's bits included) come back.
        #[test]
        fn lines_round_trip(
            picks in proptest::collection::vec((0usize..100, proptest::prelude::any::<(u32, u32, u64, u32)>()), 0..40)
        ) {
            let all = verdicts();
            let lines: Vec<Line> = picks
                .iter()
                .map(|&(v, (start, end, hash, score))| Line {
                    start,
                    end,
                    hash,
                    verdict: all[v % all.len()].clone(),
                    score: f32::from_bits(score),
                })
                .collect();
            let encoded = codec::Encoded::new(&doc(lines.clone())).unwrap();
            let Record::Marked(back) = encoded.decode().unwrap() else {
                panic!("a marked document");
            };
            proptest::prop_assert_eq!(back.lines.len(), lines.len());
            for (a, b) in back.lines.iter().zip(&lines) {
                proptest::prop_assert_eq!((a.start, a.end, a.hash, a.score.to_bits()), (b.start, b.end, b.hash, b.score.to_bits()));
                match (&a.verdict, &b.verdict) {
                    (Verdict::Removed(Reason::LowScore(x)), Verdict::Removed(Reason::LowScore(y))) => {
                        proptest::prop_assert_eq!(x.to_bits(), y.to_bits());
                    }
                    (x, y) => proptest::prop_assert_eq!(x, y),
                }
            }
        }
    }

    #[test]
    fn roles_are_listed_at_their_index() {
        for (k, &role) in ROLES.iter().enumerate() {
            assert_eq!(usize::from(role_index(role)), k, "{role:?}");
        }
    }

    /// Packed blobs that disagree are an error, not a panic: lengths, tags, payloads.
    #[test]
    fn bad_packs_are_errors() {
        let config = bincode::config::standard();
        let decode = |packed: &Packed<'_>| -> Result<Vec<Line>, String> {
            let bytes = bincode::serde::encode_to_vec(packed, config).unwrap();
            let mut de = bincode::serde::BorrowedSerdeDecoder::from_slice(&bytes, config, ());
            deserialize(de.as_deserializer()).map_err(|e| e.to_string())
        };
        let fixed = [0u8; FIXED];
        let good = Packed {
            fixed: Bytes(&fixed),
            tags: Bytes(&[LOW_SCORE]),
            low_scores: Bytes(&[0, 0, 128, 63]),
            rules: vec![],
        };
        let lines = decode(&good).unwrap();
        assert_eq!(lines[0].verdict, Verdict::Removed(Reason::LowScore(1.0)));
        let cases = [
            Packed {
                tags: Bytes(&[UNDECIDED, UNDECIDED]),
                ..good.clone()
            },
            Packed {
                tags: Bytes(&[200]),
                low_scores: Bytes(&[]),
                ..good.clone()
            },
            Packed {
                low_scores: Bytes(&[]),
                ..good.clone()
            },
            Packed {
                low_scores: Bytes(&[0, 0, 128]),
                ..good.clone()
            },
            Packed {
                tags: Bytes(&[BOILERPLATE]),
                low_scores: Bytes(&[]),
                ..good.clone()
            },
            Packed {
                rules: vec!["left over"],
                ..good.clone()
            },
        ];
        for bad in &cases {
            assert!(decode(bad).unwrap_err().contains("packed lines"));
        }
    }
}
