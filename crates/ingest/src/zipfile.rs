//! Zip archives: each file member is a document, read one at a time in the order of the
//! central directory.

use std::fs::File;
use std::io::{BufReader, Read};

use crate::id::member_id;
use crate::walk::{FileCtx, Out, member_format};

/// Emits one record per file member of the zip archive at `ctx.path`; a zip that cannot be
/// opened at all is one reject.
pub(crate) fn read(ctx: &FileCtx<'_>, out: &mut Out<'_>) {
    let max = ctx.config.max_doc_bytes;
    let file = match File::open(ctx.read_path) {
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
    let mut n_read = 0u64;
    for index in 0..archive.len() {
        if out.is_stopped() {
            return;
        }
        let listed_name = archive
            .name_for_index(index)
            .map_or_else(|| format!("member {index}"), str::to_owned);
        let mut member = match archive.by_index(index) {
            Ok(member) => member,
            Err(err) => {
                let id = member_id(&ctx.id, &listed_name);
                let reason = format!("archive member cannot be read: {err}");
                out.reject(id, ctx.source(Some(listed_name)), reason);
                continue;
            }
        };
        if member.is_dir() || member.is_symlink() {
            continue;
        }
        let name = member.name().to_owned();
        let id = member_id(&ctx.id, &name);
        let source = ctx.source(Some(name.clone()));
        let size = member.size();
        if size > max {
            out.reject(id, source, ctx.too_large("archive member", Some(size)));
            continue;
        }
        // The per-archive budget counts bytes really decompressed, whatever sizes the
        // directory claims: overlapping members make the classic zip bomb. A resumed run
        // reads skipped members too, so that the budget runs out at the same member.
        let left = ctx.config.max_archive_bytes.saturating_sub(n_read);
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
                    ctx.config.max_archive_bytes
                );
                out.reject(id, source, reason);
                return;
            }
            out.reject(id, source, ctx.too_large("archive member", None));
            continue;
        }
        match member_format(&name, &bytes) {
            Ok(format) => out.doc(id, source, format, None, bytes),
            Err(reason) => out.reject(id, source, reason),
        }
    }
}
