//! `newsclean merge`: the keyed outputs of `run --shard` merged by order key into the
//! articles, duplicates and rejects files that one `run` writes, byte for byte.
//!
//! Ids are the one thing a shard cannot decide alone: `run` gives a document whose id an
//! earlier document has the id with a `~N` suffix (see `newsclean_ingest`), and a shard knows
//! only the ids of the documents it reads. So the merge checks that no id is in two shards'
//! outputs. When none is, every id is the one `run` gives (a shard renames what `run` renames
//! among its documents, and `run` renames a document only for an id of an earlier one, which
//! the merge would have found twice), and the merged files are `run`'s; when one is, the
//! merge fails and names it. Standard input is read whole by every shard, so its ids are
//! always `run`'s.

use std::cmp::Reverse;
use std::collections::BinaryHeap;
use std::io::{BufRead, Write};

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use newsclean_core::hash::stable_hash;
use newsclean_export::atomic::{self, AtomicFile};

use super::shard::{hex, open_inputs};
use super::{default_side_path, notes, outputs, print_line};
use crate::args::MergeArgs;
use crate::exit::ExitStatus;

/// One input being merged: its next line and key.
struct Head {
    name: String,
    input: Box<dyn BufRead>,
    line: Vec<u8>,
    n_line: u64,
    key: Option<u64>,
}

impl Head {
    /// Reads the next line; its key must be above the one before (each input is in order).
    fn advance(&mut self) -> anyhow::Result<()> {
        self.line.clear();
        if self
            .input
            .read_until(b'\n', &mut self.line)
            .with_context(|| format!("failed to read {}", self.name))?
            == 0
        {
            self.key = None;
            return Ok(());
        }
        self.n_line += 1;
        let end = self.line.iter().position(|&b| b == b'\t');
        let key = end
            .and_then(|end| std::str::from_utf8(&self.line[..end]).ok())
            .map(hex)
            .transpose()?
            .with_context(|| {
                format!(
                    "{} line {} is not a keyed line of `run --shard`",
                    self.name, self.n_line
                )
            })?;
        if self.key.is_some_and(|before| key <= before) {
            anyhow::bail!(
                "{} line {}: keys are not in increasing order; give the outputs of `run --shard` as written (or one stream sorted by key)",
                self.name,
                self.n_line
            );
        }
        self.key = Some(key);
        Ok(())
    }

    /// The line's kind, id (a JSON string) and JSON: `KEY<TAB>KIND<TAB>"ID"<TAB>JSON`.
    fn record(&self) -> anyhow::Result<(u8, &[u8], &[u8])> {
        let line = self.line.strip_suffix(b"\n").unwrap_or(&self.line);
        let mut fields = line.splitn(4, |&b| b == b'\t').skip(1);
        match (fields.next(), fields.next(), fields.next()) {
            (Some([kind]), Some(id), Some(json)) => Ok((*kind, id, json)),
            _ => anyhow::bail!(
                "{} line {} is not a keyed line of `run --shard`",
                self.name,
                self.n_line
            ),
        }
    }
}

/// The articles, duplicates and rejects files, checked before any work (as `run` checks its
/// outputs).
fn output_paths(args: &MergeArgs) -> anyhow::Result<[PathBuf; 3]> {
    if args.output == Path::new("-") {
        anyhow::bail!("merge writes files: give -o FILE (and --duplicates, --rejects)");
    }
    let path_of = |given: &Option<PathBuf>, what| {
        given
            .clone()
            .or_else(|| default_side_path(&args.output, what))
            .context("the output needs a file name")
    };
    let paths = [
        args.output.clone(),
        path_of(&args.duplicates, "duplicates")?,
        path_of(&args.rejects, "rejects")?,
    ];
    let inputs: Vec<&Path> = args.inputs.iter().map(PathBuf::as_path).collect();
    let written: Vec<outputs::Output> = ["-o", "--duplicates", "--rejects"]
        .iter()
        .zip(&paths)
        .map(|(flag, path)| outputs::Output::file(flag, path))
        .collect();
    outputs::check(&inputs, &written)?;
    Ok(paths)
}

/// The ids of the documents merged so far: the hash of each (as `run` compares ids) → the
/// key of its document.
#[derive(Default)]
struct Ids(HashMap<u64, u64>);

impl Ids {
    /// Adds the id of the document `key` (a JSON string); an error when an earlier document
    /// has it (see the module docs).
    fn add(&mut self, id: &[u8], key: u64, head: &Head) -> anyhow::Result<()> {
        let id: String = serde_json::from_slice(id).with_context(|| {
            format!(
                "{} line {}: the id is not a JSON string",
                head.name, head.n_line
            )
        })?;
        if let Some(first) = self.0.insert(stable_hash(id.as_bytes()), key) {
            anyhow::bail!(
                "the id {id:?} is given to two documents ({first:016x} and {key:016x}) that \
                 different shards read; a shard makes ids unique only among its own documents, \
                 so `newsclean run` would name the later one {id}~N; give the documents distinct \
                 names or ids, or clean them in one run"
            );
        }
        Ok(())
    }
}

pub fn merge(args: &MergeArgs) -> anyhow::Result<ExitStatus> {
    let paths = output_paths(args)?;
    let mut heads = Vec::new();
    for (name, input) in open_inputs(&args.inputs)? {
        let mut head = Head {
            name,
            input,
            line: Vec::new(),
            n_line: 0,
            key: None,
        };
        head.advance()?;
        heads.push(head);
    }
    let [articles, duplicates, rejects] = &paths;
    let mut files = [
        AtomicFile::create(articles)?,
        AtomicFile::create(duplicates)?,
        AtomicFile::create(rejects)?,
    ];
    let mut ids = Ids::default();
    let mut counts = [0u64; 3];
    let mut heap: BinaryHeap<Reverse<(u64, usize)>> = heads
        .iter()
        .enumerate()
        .filter_map(|(i, head)| head.key.map(|key| Reverse((key, i))))
        .collect();
    let mut last = None;
    while let Some(Reverse((key, i))) = heap.pop() {
        if last == Some(key) {
            anyhow::bail!(
                "the key {key:016x} is in two inputs (the second is {}); give each shard's output once",
                heads[i].name
            );
        }
        last = Some(key);
        let head = &mut heads[i];
        let (kind, id, json) = head.record()?;
        ids.add(id, key, head)?;
        let slot = match kind {
            b'a' => 0,
            b'd' => 1,
            b'r' => 2,
            _ => anyhow::bail!(
                "{} line {}: unknown kind {:?}",
                head.name,
                head.n_line,
                char::from(kind)
            ),
        };
        let file = &mut files[slot];
        file.write_all(json)
            .and_then(|()| file.write_all(b"\n"))
            .with_context(|| format!("failed to write {}", file.path().display()))?;
        counts[slot] += 1;
        head.advance()?;
        if let Some(key) = head.key {
            heap.push(Reverse((key, i)));
        }
    }
    atomic::commit_together(files)?;
    let [n_exported, n_duplicates, n_rejected] = counts;
    let n_seen = n_exported + n_duplicates + n_rejected;
    if !args.common.quiet {
        print_line(&format!(
            "newsclean: merged {}: {}: {n_exported} exported, {n_duplicates} duplicates, {n_rejected} rejected",
            notes::count(heads.len() as u64, "input"),
            notes::count(n_seen, "document"),
        ));
    }
    if n_seen == 0 {
        print_line("newsclean: warning: the shards' outputs hold no document");
        return Ok(ExitStatus::NoInput);
    }
    // As `run`: 1 when documents were rejected.
    Ok(ExitStatus::of_run(n_rejected))
}
