//! A fuzzer of the stage-frame decoder on the stable toolchain (cargo-fuzz needs nightly):
//! mutates real frame streams (documents, marked documents and articles of the bundled sample
//! pages, as `ingest`, `dedupe` and `segment` write them) and decodes them, for as long as it
//! is told. See: issue 13 (item 10).
//!
//! ```sh
//! cargo run --release --example fuzz_frames -- 660        # seconds to run; seed optional
//! ```
//!
//! A panic is a failure: the input is saved as `fuzz-frames-crash.bin` and the exit code is 1.
//! An abort (an allocation that fails) kills the process. On Linux the peak virtual memory is
//! watched too: a decoder that allocates what a frame claims instead of what it holds (1 GiB
//! for a 114-byte frame) fails with exit code 1, its input saved.

#![expect(
    clippy::print_stdout,
    clippy::print_stderr,
    clippy::exit,
    reason = "a command-line fuzzer reports on stdout and through its exit code"
)]

use std::panic::AssertUnwindSafe;
use std::path::Path;
use std::time::{Duration, Instant};

use newsclean_core::codec::{FrameReader, FrameWriter};
use newsclean_core::{DocSource, RawDoc, RawFormat, Record, StreamKind, Transform as _};

/// How much the peak virtual memory may grow over the start while decoding: a few times the
/// largest frame, far below one allocation of what a lying frame claims.
const MAX_GROWTH_KB: u64 = 256 << 10;

fn main() {
    let mut args = std::env::args().skip(1);
    let seconds: u64 = args.next().map_or(60, |s| s.parse().expect("seconds"));
    let seed: u64 = args.next().map_or_else(
        || {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map_or(1, |d| d.as_nanos() as u64)
        },
        |s| s.parse().expect("seed"),
    );
    let streams = sample_streams();
    let mut rng = Rng(seed | 1);
    let baseline = vm_peak_kb();
    let started = Instant::now();
    let deadline = started + Duration::from_secs(seconds);
    let mut last_report = started;
    let mut n_iterations = 0u64;
    let mut n_ok = 0u64;
    println!(
        "fuzz_frames: seed {seed}, {} streams of {:?} bytes, {seconds} s",
        streams.len(),
        streams.iter().map(Vec::len).collect::<Vec<_>>()
    );
    while Instant::now() < deadline {
        let input = mutate(&streams, &mut rng);
        let result = std::panic::catch_unwind(AssertUnwindSafe(|| decode(&input)));
        n_iterations += 1;
        match result {
            Ok(true) => n_ok += 1,
            Ok(false) => {}
            Err(_) => fail("panicked", &input),
        }
        if let (Some(base), Some(now)) = (baseline, vm_peak_kb()) {
            if now > base + MAX_GROWTH_KB {
                fail(
                    &format!("peak virtual memory grew by {} kB", now - base),
                    &input,
                );
            }
        }
        if last_report.elapsed() > Duration::from_secs(60) {
            last_report = Instant::now();
            println!(
                "fuzz_frames: {n_iterations} iterations in {:.0} s ({n_ok} decoded whole)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    println!(
        "fuzz_frames: done: {n_iterations} iterations in {:.1} s ({n_ok} decoded whole), no panic, no abort, peak virtual memory {} kB (start {} kB)",
        started.elapsed().as_secs_f64(),
        vm_peak_kb().unwrap_or(0),
        baseline.unwrap_or(0),
    );
}

fn fail(what: &str, input: &[u8]) -> ! {
    std::fs::write("fuzz-frames-crash.bin", input).expect("write the crash input");
    eprintln!("fuzz_frames: {what}; input saved as fuzz-frames-crash.bin");
    std::process::exit(1);
}

/// Decodes a whole stream; true when it decoded to the end marker.
fn decode(bytes: &[u8]) -> bool {
    let Ok(mut reader) = FrameReader::new(bytes) else {
        return false;
    };
    loop {
        match reader.read() {
            Ok(Some(_)) => {}
            Ok(None) => return true,
            Err(_) => return false,
        }
    }
}

/// `VmPeak` of this process, in kB (Linux).
fn vm_peak_kb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmPeak:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// xorshift64*.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

/// A real stream with one to eight mutations.
fn mutate(streams: &[Vec<u8>], rng: &mut Rng) -> Vec<u8> {
    let mut out = streams[rng.below(streams.len())].clone();
    for _ in 0..=rng.below(8) {
        let len = out.len().max(1);
        let at = rng.below(len);
        match rng.below(9) {
            // Flip a bit.
            0 => {
                if let Some(b) = out.get_mut(at) {
                    *b ^= 1 << rng.below(8);
                }
            }
            // Set a byte to an interesting value.
            1 => {
                let values = [0, 1, 0x7F, 0x80, 0xFA, 0xFB, 0xFC, 0xFD, 0xFE, 0xFF];
                if let Some(b) = out.get_mut(at) {
                    *b = values[rng.below(values.len())];
                }
            }
            // Insert a large varint: a length or count that lies.
            2 => {
                let (tag, width) = [(0xFB, 2), (0xFC, 4), (0xFD, 8)][rng.below(3)];
                let value = [u64::MAX, 1 << 40, 1 << 30, rng.next()][rng.below(4)];
                let mut varint = vec![tag];
                varint.extend_from_slice(&value.to_le_bytes()[..width]);
                out.splice(at..at, varint);
            }
            // Overwrite a frame length at a 4-byte window.
            3 => {
                let value: u32 =
                    [u32::MAX - 1, (1 << 30) - 1, 1 << 29, rng.next() as u32][rng.below(4)];
                if at + 4 <= out.len() {
                    out[at..at + 4].copy_from_slice(&value.to_le_bytes());
                }
            }
            // Insert random bytes.
            4 => {
                let n = 1 + rng.below(16);
                let bytes: Vec<u8> = (0..n).map(|_| rng.next() as u8).collect();
                out.splice(at..at, bytes);
            }
            // Delete a range.
            5 => {
                let end = (at + 1 + rng.below(64)).min(out.len());
                out.drain(at.min(end)..end);
            }
            // Duplicate a chunk.
            6 => {
                let end = (at + 1 + rng.below(256)).min(out.len());
                let chunk = out[at.min(end)..end].to_vec();
                let to = rng.below(out.len());
                out.splice(to..to, chunk);
            }
            // Splice in part of another stream.
            7 => {
                let other = &streams[rng.below(streams.len())];
                let from = rng.below(other.len());
                let end = (from + 1 + rng.below(512)).min(other.len());
                out.splice(at..at, other[from..end].iter().copied());
            }
            // Cut the stream.
            _ => out.truncate(at),
        }
    }
    out
}

/// The frame streams of the sample pages: documents, marked documents, articles.
fn sample_streams() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/sample");
    let mut paths: Vec<_> = std::fs::read_dir(dir)
        .expect("the sample pages")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    paths.sort();
    let mut dedupe = newsclean_dedupe::Dedupe::new(&newsclean_dedupe::DedupeConfig::default());
    let mut segment = newsclean_segment::Segment::new(&newsclean_segment::SegmentConfig::default());
    let (mut docs, mut marked, mut articles) = (Vec::new(), Vec::new(), Vec::new());
    for (seq, path) in paths.iter().enumerate() {
        let raw = Record::Raw(RawDoc {
            seq: seq as u64,
            id: format!("sample/{seq}"),
            source: DocSource {
                path: path.display().to_string(),
                url: Some(format!("https://news.example.org/{seq}")),
                meta: Some(r#"{"lang":"en"}"#.into()),
                ..DocSource::default()
            },
            bytes: std::fs::read(path).expect("a sample page"),
            format: RawFormat::Text,
            charset: None,
        });
        let doc = newsclean_ingest::Decoder.process(raw).expect("decodes");
        docs.push(doc.clone());
        let mark = dedupe.process(doc).expect("dedupes");
        marked.push(mark.clone());
        let article = segment.process(mark).expect("segments");
        articles.push(
            newsclean_dedupe::dup::Fingerprinter
                .process(article)
                .expect("prints"),
        );
    }
    [
        (StreamKind::Docs, docs),
        (StreamKind::Marked, marked),
        (StreamKind::Articles, articles),
    ]
    .into_iter()
    .map(|(kind, records)| {
        let mut writer = FrameWriter::new(Vec::new(), kind).expect("a header");
        for record in &records {
            writer.write(record).expect("a frame");
        }
        writer.finish().expect("the end marker")
    })
    .collect()
}
