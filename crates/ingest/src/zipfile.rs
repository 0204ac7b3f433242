//! Zip archives: each file member is a document, read one at a time in the order of the
//! central directory.
//!
//! Every member listed is accounted for (see: issue 13): a file is a document, and a member
//! that is not read is a reject that says why: a symlink, a device or FIFO (by its Unix
//! mode), an entry whose data overlaps another's (the overlapping zip bomb, where a thousand
//! entries point at one huge member), or a member after the archive's budget ran out.

use std::fs::File;
use std::io::{BufReader, Read};

use crate::id::member_id;
use crate::walk::{FileCtx, Out, member_format};

/// The file types of a Unix mode (`st_mode & S_IFMT`).
const S_IFMT: u32 = 0o170_000;
const S_IFREG: u32 = 0o100_000;
const S_IFDIR: u32 = 0o040_000;
const S_IFLNK: u32 = 0o120_000;

/// What the central directory says of one entry.
struct Listed {
    name: String,
    is_dir: bool,
    /// Why it is not read, when it is not (not a file, overlapping data).
    skip: Option<String>,
}

/// Emits one record per file member of the zip archive at `ctx.path`; a zip that cannot be
/// opened at all is one reject.
pub(crate) fn read(ctx: &FileCtx<'_>, out: &mut Out<'_>) {
    let max = ctx.config.max_doc_bytes;
    let file = match File::open(ctx.path) {
        Ok(file) => file,
        Err(err) => {
            out.reject(
                ctx.id.clone(),
                ctx.source(None),
                format!("cannot read file: {err}"),
            );
            return;
        }
    };
    let mut archive = match zip::ZipArchive::new(BufReader::new(file)) {
        Ok(archive) => archive,
        Err(err) => {
            out.reject(
                ctx.id.clone(),
                ctx.source(None),
                format!("zip archive is truncated or corrupt: {err}"),
            );
            return;
        }
    };
    let listed = list(&mut archive);
    let mut n_read = 0u64;
    let mut is_over_budget = false;
    for (index, entry) in listed.iter().enumerate() {
        if out.is_stopped() {
            return;
        }
        if entry.is_dir {
            continue;
        }
        let name = &entry.name;
        let id = member_id(&ctx.id, name);
        let source = ctx.source(Some(name.clone()));
        if is_over_budget {
            let reason = format!(
                "archive member not read: the zip archive expands to more than {} bytes (--max-archive-bytes)",
                ctx.budget
            );
            out.reject(id, source, reason);
            continue;
        }
        if let Some(reason) = &entry.skip {
            out.reject(id, source, reason.clone());
            continue;
        }
        let mut member = match archive.by_index(index) {
            Ok(member) => member,
            Err(err) => {
                let reason = format!("archive member cannot be read: {err}");
                out.reject(id, source, reason);
                continue;
            }
        };
        let size = member.size();
        if size > max {
            out.reject(id, source, ctx.too_large("archive member", Some(size)));
            continue;
        }
        // The per-archive budget counts bytes really decompressed, whatever sizes the
        // directory claims. A resumed run reads skipped members too, so that the budget runs
        // out at the same member.
        let left = ctx.budget.saturating_sub(n_read);
        let limit = max.min(left);
        let mut bytes = Vec::new();
        let read = (&mut member)
            .take(limit.saturating_add(1))
            .read_to_end(&mut bytes);
        n_read += bytes.len() as u64;
        if let Err(err) = read {
            let reason = format!("archive member is corrupt: {err}");
            out.reject(id, source, reason);
            continue;
        }
        if bytes.len() as u64 > limit {
            if limit < max {
                let reason = format!(
                    "zip archive expands to more than {} bytes (--max-archive-bytes); the rest of it was skipped",
                    ctx.budget
                );
                out.reject(id, source, reason);
                is_over_budget = true;
                continue;
            }
            out.reject(id, source, ctx.too_large("archive member", None));
            continue;
        }
        match member_format(name, &bytes) {
            Ok(format) => out.doc(id, source, format, None, bytes),
            Err(reason) => out.reject(id, source, reason),
        }
    }
}

/// Every entry of the central directory, with the reason not to read it, if any: not a file,
/// or data that overlaps an entry earlier in the file.
fn list<R: Read + std::io::Seek>(archive: &mut zip::ZipArchive<R>) -> Vec<Listed> {
    // (start of the local header, end of the data, index) of each readable entry.
    let mut spans: Vec<(u64, u64, usize)> = Vec::new();
    let mut listed = Vec::with_capacity(archive.len());
    for index in 0..archive.len() {
        let listed_name = archive
            .name_for_index(index)
            .map_or_else(|| format!("member {index}"), str::to_owned);
        let entry = match archive.by_index_raw(index) {
            Ok(entry) => entry,
            Err(err) => {
                listed.push(Listed {
                    name: listed_name,
                    is_dir: false,
                    skip: Some(format!("archive member cannot be read: {err}")),
                });
                continue;
            }
        };
        let mode = entry.unix_mode().map(|m| m & S_IFMT).filter(|&t| t != 0);
        let is_dir = entry.is_dir() || mode == Some(S_IFDIR);
        let skip = match mode {
            _ if is_dir => None,
            Some(S_IFLNK) => Some("archive member is not a file (a symbolic link); not read"),
            Some(t) if t != S_IFREG => {
                Some("archive member is not a file (a device, FIFO or socket); not read")
            }
            _ => None,
        }
        .map(str::to_owned);
        if skip.is_none() && !is_dir {
            let end = entry.data_start().saturating_add(entry.compressed_size());
            spans.push((entry.header_start(), end, index));
        }
        listed.push(Listed {
            name: entry.name().to_owned(),
            is_dir,
            skip,
        });
    }
    // In file order, an entry that starts before the end of an earlier one shares its bytes.
    spans.sort_unstable();
    let mut widest: Option<(u64, usize)> = None;
    for (start, end, index) in spans {
        match widest {
            Some((widest_end, other)) if start < widest_end => {
                listed[index].skip = Some(format!(
                    "zip entry overlaps another entry's data (member {}: overlapping entries, a zip bomb); not read",
                    listed[other].name
                ));
            }
            Some((widest_end, _)) if end <= widest_end => {}
            _ => widest = Some((end, index)),
        }
    }
    listed
}
