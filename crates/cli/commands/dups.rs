//! `newsclean dups map | reduce | resolve`: duplicate detection split over shards, as keyed
//! lines (the logic is `newsclean_dedupe::sharded`; this file reads and writes the lines).
//!
//! * map, per shard, per article: `EXACT<TAB>x<TAB>SEQ<TAB>"ID"` and, per reduce partition
//!   that gets some of its bands,
//!   `PART<TAB>b<TAB>SEQ<TAB>EXACT<TAB>SLOTS<TAB>SHINGLES<TAB>"ID"<TAB>R<TAB>BANDS` (`SLOTS` the
//!   128 16-bit signature slots in hex, `SHINGLES` the body's distinct shingles in decimal,
//!   `BANDS` a comma list of `BBKKKKKKKK`, band and key, band `20` (`N_BANDS`) being the title
//!   key's group; a band key goes to partition `KKKKKKKK mod R`, and `PART` is that number, so
//!   that the signature travels once per partition, not once per band);
//! * reduce, per key: `SEQ<TAB>m<TAB>EXACT<TAB>"ID"<TAB>TITLE` for the articles a group
//!   relates (`TITLE` the title key it looks up by, 8 hex digits, 0 for none) and
//!   `A<TAB>p<TAB>B<TAB>SIMILARITY<TAB>SHINGLES_A<TAB>SHINGLES_B<TAB>BY_BAND` for the pairs of
//!   classes of a band or title group (what `DupConfig::is_near_titled` decides on; `BY_BAND`
//!   1 when they share a band key, 0 when only a title key);
//! * resolve, once: the drop list, `SEQ<TAB>exact|near<TAB>SIMILARITY<TAB>"ID"<TAB>"DUPLICATE_OF"`.
//!
//! Keys, order keys (`SEQ`) and exact hashes are 16 hex digits; ids are JSON strings.

use std::collections::{BTreeMap, BTreeSet};
use std::io::BufRead;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use newsclean_core::{Record, Sink, StageError, StageId};
use newsclean_dedupe::dup::{DupConfig, Keep, N_BANDS, N_HASHES};
use newsclean_dedupe::sharded::{
    Member, Pair, Resolver, ShardError, ShardPrint, Signature, Slots, reduce_band, reduce_exact,
    reduce_title,
};
use newsclean_ingest::{InputSource, Shard};
use newsclean_pipeline::Runner;

use super::config::dup_config;
use super::report::StageClock;
use super::shard::{
    KeyedOut, OutPlace, check_site_model, cleaning, drop_line, finished, has_stdin, hex,
    json_string, open_inputs, partition_of, read_paths, task,
};
use super::{outputs, print_line};
use crate::args::{DupsMapArgs, DupsReduceArgs, DupsResolveArgs};
use crate::exit::ExitStatus;
use crate::progress::Progress;

/// `dups map`: cleans one shard as `run` does and writes each article's keys.
pub fn map(args: &DupsMapArgs) -> anyhow::Result<ExitStatus> {
    let shard = args.shard.unwrap_or(Shard { index: 0, count: 1 });
    check_site_model(&args.site, has_stdin(&args.input))?;
    let (place, marker) = KeyedOut::resolve(&args.output)?;
    let reads = read_paths(&args.input, Some(&args.site), &args.common, None);
    outputs::check_shard(&reads, &place.outputs())?;
    let dup = dup_config(&args.dup, std::path::Path::new("-"))?;
    match dup.keep {
        Keep::First => {}
        Keep::Longest => return Err(ShardError::KeepLongest.into()),
        Keep::All => anyhow::bail!("--keep all looks for no duplicates; there is nothing to map"),
    }
    task(marker, args, args.common.quiet, || {
        let (settings, ingest) =
            match cleaning(&args.common, &args.article, &args.input, &args.site, shard)? {
                Ok(resolved) => resolved,
                Err(status) => return Ok(status),
            };
        let mut sink = BandSink {
            out: Some(KeyedOut::open(&place)?),
            n_parts: args.output.partitions.unwrap_or(1),
            config: dup.clone(),
            line: Vec::new(),
            slots: Vec::new(),
            n_articles: 0,
        };
        let progress = Progress::new(settings.is_quiet, "map");
        let clock = StageClock::default();
        let source = InputSource::new(&args.input.inputs, &ingest, &progress)?;
        let runner = Runner::new(settings.threads, settings.cancel, &progress);
        let result = settings
            .engine(dup)
            .run_fingerprinted(&runner, source, &mut sink, &clock);
        progress.finish();
        let status = finished(result)?;
        if status == ExitStatus::Success && !settings.is_quiet {
            print_line(&format!(
                "newsclean: dups map {}/{}: {} articles",
                shard.index, shard.count, sink.n_articles
            ));
        }
        Ok(status)
    })
}

/// Writes the map's lines of each article.
struct BandSink {
    out: Option<KeyedOut>,
    /// The reduce partitions.
    n_parts: u32,
    config: DupConfig,
    line: Vec<u8>,
    /// The hex signature of the article being written.
    slots: Vec<u8>,
    n_articles: u64,
}

impl BandSink {
    fn write_print(&mut self, print: &ShardPrint) -> std::io::Result<()> {
        let out = self.out.as_mut().expect("open until finish");
        let seq = format!("{:016x}", print.seq);
        let exact = format!("{:016x}", print.exact);
        let id = json_string(&print.id);
        self.line.clear();
        self.line
            .extend_from_slice(format!("x\t{seq}\t{id}").as_bytes());
        out.line(&exact, &self.line)?;
        if let Some(near) = &print.near {
            self.slots.clear();
            push_slots(&mut self.slots, &near.slots);
            let mut by_part: BTreeMap<u32, Vec<String>> = BTreeMap::new();
            // The title key's group is one band more.
            let title = (near.title != 0).then_some((N_BANDS, &near.title));
            for (b, key) in near.bands.iter().enumerate().chain(title) {
                let part = key % self.n_parts;
                by_part
                    .entry(part)
                    .or_default()
                    .push(format!("{b:02x}{key:08x}"));
            }
            for (part, keys) in by_part {
                self.line.clear();
                self.line
                    .extend_from_slice(format!("b\t{seq}\t{exact}\t").as_bytes());
                self.line.extend_from_slice(&self.slots);
                let tail = format!(
                    "\t{}\t{id}\t{}\t{}",
                    near.n_shingles,
                    self.n_parts,
                    keys.join(",")
                );
                self.line.extend_from_slice(tail.as_bytes());
                out.line(&format!("{part:08x}"), &self.line)?;
            }
        }
        Ok(())
    }
}

impl Sink for BandSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let Record::Article(article) = &record else {
            return Ok(());
        };
        self.n_articles += 1;
        match ShardPrint::of(article, &self.config) {
            Some(print) => self
                .write_print(&print)
                .map_err(|err| StageError::new(StageId::Export, err)),
            None => Ok(()),
        }
    }

    fn finish(&mut self) -> Result<(), StageError> {
        KeyedOut::finish(&mut self.out)
    }
}

const MIXED_PARTS: &str = "lines of two partitions in one reduce task: give each task the lines \
     of one partition, the map's --partitions being the number of reduce tasks";

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Appends a signature as 4 hex digits per slot.
fn push_slots(out: &mut Vec<u8>, slots: &[u16; N_HASHES]) {
    for &slot in slots {
        for shift in [12, 8, 4, 0] {
            out.push(HEX[usize::from((slot >> shift) & 15)]);
        }
    }
}

fn parse_slots(text: &str) -> anyhow::Result<Slots> {
    let bytes = text.as_bytes();
    if bytes.len() != 4 * N_HASHES {
        anyhow::bail!("a signature has {} hex digits", 4 * N_HASHES);
    }
    let mut slots = Box::new([0u16; N_HASHES]);
    for (k, slot) in slots.iter_mut().enumerate() {
        let digits = std::str::from_utf8(&bytes[4 * k..4 * k + 4])?;
        *slot = u16::from_str_radix(digits, 16).context("bad signature")?;
    }
    Ok(slots)
}

/// Calls `each(key, kind, fields)` for every line of the inputs; an error names the line.
fn for_each_line(
    inputs: Vec<(String, Box<dyn BufRead>)>,
    mut each: impl FnMut(&str, &str, &[&str]) -> anyhow::Result<()>,
) -> anyhow::Result<()> {
    let mut buf = Vec::new();
    for (name, mut input) in inputs {
        for n in 1.. {
            buf.clear();
            if input
                .read_until(b'\n', &mut buf)
                .with_context(|| format!("failed to read {name}"))?
                == 0
            {
                break;
            }
            let line = std::str::from_utf8(&buf)
                .ok()
                .map(|line| line.strip_suffix('\n').unwrap_or(line));
            let result = line.context("not UTF-8").and_then(|line| {
                let fields: Vec<&str> = line.split('\t').collect();
                match fields.as_slice() {
                    [key, kind, rest @ ..] => each(key, kind, rest),
                    _ => anyhow::bail!("not a keyed line"),
                }
            });
            result.with_context(|| format!("{name} line {n}"))?;
        }
    }
    Ok(())
}

fn paths(files: &[PathBuf]) -> Vec<&Path> {
    files.iter().map(PathBuf::as_path).collect()
}

fn field<'a>(fields: &[&'a str], k: usize) -> anyhow::Result<&'a str> {
    fields.get(k).copied().context("too few fields")
}

fn id_field(fields: &[&str], k: usize) -> anyhow::Result<String> {
    serde_json::from_str(field(fields, k)?).context("bad id")
}

/// `dups reduce`: groups the map's lines by band key and by exact hash and writes what each
/// group relates.
pub fn reduce(args: &DupsReduceArgs) -> anyhow::Result<ExitStatus> {
    let (place, marker) = OutPlace::file(args.output.as_deref().unwrap_or(Path::new("-")));
    outputs::check(&paths(&args.inputs), &place.outputs())?;
    task(marker, args, args.common.quiet, || {
        let mut exact: BTreeMap<u64, Vec<Member>> = BTreeMap::new();
        // Each band line's article and signature, once; the band groups refer to them.
        let mut entries: Vec<(Member, Slots, u32)> = Vec::new();
        let mut bands: BTreeMap<u64, Vec<u32>> = BTreeMap::new();
        // The partition (number, of how many) of the lines, to check that the shuffle sent
        // this task one partition of the map's R.
        let mut part: Option<(u64, u64)> = None;
        let mut exact_parts = BTreeSet::new();
        for_each_line(open_inputs(&args.inputs)?, |key, kind, fields| {
            match kind {
                "x" => {
                    exact_parts.insert(partition_of(key));
                    let key = hex(key)?;
                    exact.entry(key).or_default().push(Member {
                        seq: hex(field(fields, 0)?)?,
                        exact: key,
                        id: id_field(fields, 1)?,
                        title: 0,
                    });
                }
                "b" => {
                    let member = Member {
                        seq: hex(field(fields, 0)?)?,
                        exact: hex(field(fields, 1)?)?,
                        id: id_field(fields, 4)?,
                        title: 0,
                    };
                    let slots = parse_slots(field(fields, 2)?)?;
                    let n_shingles: u32 = field(fields, 3)?.parse().context("bad shingle count")?;
                    let n_parts: u64 = field(fields, 5)?.parse().context("bad R")?;
                    let this = (hex(key)?, n_parts);
                    if n_parts == 0 || *part.get_or_insert(this) != this {
                        anyhow::bail!(MIXED_PARTS);
                    }
                    let entry = u32::try_from(entries.len()).context("too many lines")?;
                    entries.push((member, slots, n_shingles));
                    for band in field(fields, 6)?.split(',') {
                        let band_key = hex(band)?;
                        if (band_key & 0xffff_ffff) % n_parts != this.0 {
                            anyhow::bail!("band key {band} is not of partition {}", this.0);
                        }
                        bands.entry(band_key).or_default().push(entry);
                    }
                }
                other => anyhow::bail!("not a `dups map` line (kind {other:?})"),
            }
            Ok(())
        })?;
        if let Some((r, n_parts)) = part {
            if exact_parts.iter().any(|p| p % n_parts != r) {
                anyhow::bail!(MIXED_PARTS);
            }
        }
        let mut members: BTreeMap<u64, Member> = BTreeMap::new();
        let mut pairs = Vec::new();
        for group in exact.into_values() {
            members.extend(reduce_exact(group).into_iter().map(|m| (m.seq, m)));
        }
        for (key, group) in bands {
            let group: Vec<(&Member, Signature<'_>)> = group
                .iter()
                .map(|&k| {
                    let (member, slots, n_shingles) = &entries[k as usize];
                    (member, (&**slots, *n_shingles))
                })
                .collect();
            if key >> 32 == N_BANDS as u64 {
                // A member's title key comes from its title group only.
                for member in reduce_title(&group, key as u32, &mut pairs) {
                    members.insert(member.seq, member);
                }
            } else {
                for member in reduce_band(&group, &mut pairs) {
                    members.entry(member.seq).or_insert_with(|| member.clone());
                }
            }
        }
        let n_pairs = write_reduced(&place, &pairs, &members)?;
        if !args.common.quiet {
            print_line(&format!(
                "newsclean: dups reduce: {} related articles, {n_pairs} pairs",
                members.len(),
            ));
        }
        Ok(ExitStatus::Success)
    })
}

/// Writes the reduce's lines: each pair of classes once (they may share several bands), then
/// the members; returns the number of pairs.
fn write_reduced(
    place: &OutPlace,
    pairs: &[Pair],
    members: &BTreeMap<u64, Member>,
) -> anyhow::Result<usize> {
    let pairs: BTreeSet<(u64, u64, u32, u32, u32, bool)> = pairs
        .iter()
        .map(|p| (p.a, p.b, p.similarity.to_bits(), p.n_a, p.n_b, p.by_band))
        .collect();
    let mut out = KeyedOut::open(place)?;
    for (a, b, similarity, n_a, n_b, by_band) in &pairs {
        let line = format!(
            "p\t{b:016x}\t{}\t{n_a}\t{n_b}\t{}",
            f32::from_bits(*similarity),
            u8::from(*by_band)
        );
        out.line(&format!("{a:016x}"), line.as_bytes())?;
    }
    for member in members.values() {
        let line = format!(
            "m\t{:016x}\t{}\t{:08x}",
            member.exact,
            json_string(&member.id),
            member.title
        );
        out.line(&format!("{:016x}", member.seq), line.as_bytes())?;
    }
    out.commit().map_err(|err| anyhow::anyhow!(err))?;
    Ok(pairs.len())
}

/// `dups resolve`: the keep policy over the reduce's lines, into the drop list.
pub fn resolve(args: &DupsResolveArgs) -> anyhow::Result<ExitStatus> {
    let output = args
        .output
        .clone()
        .unwrap_or_else(|| std::path::PathBuf::from("-"));
    let config = dup_config(&args.dup, std::path::Path::new("-"))?;
    let mut resolver = Resolver::new(&config)?;
    let (place, marker) = OutPlace::file(&output);
    outputs::check(&paths(&args.inputs), &place.outputs())?;
    task(marker, args, args.common.quiet, move || {
        for_each_line(open_inputs(&args.inputs)?, |key, kind, fields| {
            match kind {
                "m" => resolver.add_member(Member {
                    seq: hex(key)?,
                    exact: hex(field(fields, 0)?)?,
                    id: id_field(fields, 1)?,
                    title: u32::try_from(hex(field(fields, 2)?)?).context("bad title key")?,
                }),
                "p" => resolver.add_pair(Pair {
                    a: hex(key)?,
                    b: hex(field(fields, 0)?)?,
                    similarity: field(fields, 1)?.parse().context("bad similarity")?,
                    n_a: field(fields, 2)?.parse().context("bad shingle count")?,
                    n_b: field(fields, 3)?.parse().context("bad shingle count")?,
                    by_band: match field(fields, 4)? {
                        "1" => true,
                        "0" => false,
                        _ => anyhow::bail!("bad band flag"),
                    },
                }),
                other => anyhow::bail!("not a `dups reduce` line (kind {other:?})"),
            }
            Ok(())
        })?;
        let drops = resolver.resolve();
        let mut out = KeyedOut::file(&output)?;
        for drop in &drops {
            let line = drop_line(drop);
            let (key, rest) = line.split_once('\t').expect("a drop line has fields");
            out.line(key, rest.as_bytes())?;
        }
        out.commit().map_err(|err| anyhow::anyhow!(err))?;
        if !args.common.quiet {
            print_line(&format!(
                "newsclean: dups resolve: {} duplicates to drop",
                drops.len()
            ));
        }
        Ok(ExitStatus::Success)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slots_round_trip() {
        let mut slots = Box::new([0u16; N_HASHES]);
        for (k, slot) in slots.iter_mut().enumerate() {
            *slot = (k as u16).wrapping_mul(40_503);
        }
        let mut text = Vec::new();
        push_slots(&mut text, &slots);
        assert_eq!(text.len(), 4 * N_HASHES);
        assert_eq!(
            parse_slots(std::str::from_utf8(&text).unwrap()).unwrap(),
            slots
        );
        assert!(parse_slots("00").is_err());
    }
}
