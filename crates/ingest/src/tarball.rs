//! Tar archives, read as a stream member by member: each regular file is a document.

use std::io::{self, Read};

use crate::id::member_id;
use crate::read::read_at_most;
use crate::walk::{FileCtx, Out, member_format};

/// Emits one record per regular member of the tar stream `input`. `Err` means the archive
/// cannot be read further (a corrupt header, a truncated or corrupt compressed stream); the
/// caller reports it.
pub(crate) fn read(
    input: Box<dyn Read + '_>,
    ctx: &FileCtx<'_>,
    out: &mut Out<'_>,
) -> io::Result<()> {
    let max = ctx.config.max_doc_bytes;
    let mut archive = tar::Archive::new(input);
    for entry in archive.entries()? {
        if out.is_stopped() {
            return Ok(());
        }
        let mut entry = entry?;
        let kind = entry.header().entry_type();
        if kind.is_dir() || kind.is_pax_global_extensions() {
            // Folders and archive-wide metadata are not documents.
            continue;
        }
        let name = String::from_utf8_lossy(&entry.path_bytes()).into_owned();
        let id = member_id(&ctx.id, &name);
        let source = ctx.source(Some(name.clone()));
        if !(kind.is_file() || kind.is_contiguous() || kind.is_gnu_sparse()) {
            // A link, device or FIFO is not a document, but it is a member: a reject says
            // why it was not read, so that every member is accounted for. See: issue 13.
            let target = entry
                .link_name_bytes()
                .map(|t| format!(" to {}", String::from_utf8_lossy(&t)))
                .unwrap_or_default();
            let what = match kind {
                tar::EntryType::Symlink => format!("a symbolic link{target}"),
                tar::EntryType::Link => format!("a hard link{target}"),
                tar::EntryType::Char => "a character device".to_owned(),
                tar::EntryType::Block => "a block device".to_owned(),
                tar::EntryType::Fifo => "a FIFO".to_owned(),
                other => format!("of type {:?}", other.as_byte() as char),
            };
            out.reject(
                id,
                source,
                format!("archive member is not a file ({what}); not read"),
            );
            continue;
        }
        // A resumed run reads skipped members all the same (the stream has to be read
        // through anyway), so that it numbers documents exactly as the first run did.
        let size = entry.size();
        if size > max {
            out.reject(id, source, ctx.too_large("archive member", Some(size)));
            continue;
        }
        let bytes = match read_at_most(&mut entry, max) {
            Ok(Some(bytes)) => bytes,
            Ok(None) => {
                out.reject(id, source, ctx.too_large("archive member", None));
                continue;
            }
            Err(err) => {
                // The stream is broken inside this member: nothing after it can be trusted.
                let reason = format!("archive member cannot be read: {}", ctx.stream_error(&err));
                out.reject(id, source, reason);
                return Ok(());
            }
        };
        if (bytes.len() as u64) < size {
            // Tar data ends without an error when the file is cut: compare with the header.
            let reason = format!(
                "archive member is cut short ({} of {size} bytes): the {} is truncated",
                bytes.len(),
                ctx.what
            );
            out.reject(id, source, reason);
            return Ok(());
        }
        match member_format(&name, &bytes) {
            Ok(format) => out.doc(id, source, format, None, bytes),
            Err(reason) => out.reject(id, source, reason),
        }
    }
    Ok(())
}
