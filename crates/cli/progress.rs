//! Progress bars on stderr, implementing the libraries' `Reporter`.

use std::time::Duration;

use indicatif::{
    DecimalBytes, MultiProgress, ProgressBar, ProgressDrawTarget, ProgressState, ProgressStyle,
};
use newsclean_core::Reporter;

use crate::commands::count;

/// Three bars: files found by the walk, input read (bytes as stored: compressed bytes of a
/// compressed file, so the bar compares like with like), documents written. One unit
/// throughout (MB, 10^6 bytes, as in the summary line) and whole-number rates. Hidden with
/// `--quiet` and whenever stderr is not a terminal.
pub struct Progress {
    multi: MultiProgress,
    found: ProgressBar,
    read: ProgressBar,
    written: ProgressBar,
}

/// A byte rate as a whole number of the largest fitting decimal unit: `850 kB/s`, `12 MB/s`.
pub fn byte_rate(per_sec: f64) -> String {
    let units = ["B", "kB", "MB", "GB"];
    let mut value = per_sec.max(0.0);
    let mut unit = 0;
    while value >= 1000.0 && unit + 1 < units.len() {
        value /= 1000.0;
        unit += 1;
    }
    format!("{value:.0} {}/s", units[unit])
}

fn template(text: &str) -> ProgressStyle {
    ProgressStyle::with_template(text)
        .expect("valid template")
        .with_key(
            "files",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&count(state.pos(), "file"));
            },
        )
        .with_key(
            "docs",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&count(state.pos(), "document"));
            },
        )
        .with_key(
            "rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = write!(w, "{:.0}/s", state.per_sec());
            },
        )
        .with_key(
            "byte_rate",
            |state: &ProgressState, w: &mut dyn std::fmt::Write| {
                let _ = w.write_str(&byte_rate(state.per_sec()));
            },
        )
}

impl Progress {
    /// The bars of a pass; `label` names it (`pass 1 (site model)`, `pass 2`).
    pub fn new(is_quiet: bool, label: &str) -> Progress {
        let target = if is_quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let found = multi.add(ProgressBar::new_spinner());
        found.set_style(template(&format!(
            "{{spinner}} {label}: found {{files}}, {{msg}}"
        )));
        let read = multi.add(ProgressBar::new(0));
        read.set_style(
            template(
                "  read [{bar:30}] {decimal_bytes}/{decimal_total_bytes} {byte_rate} ETA {eta}",
            )
            .progress_chars("=> "),
        );
        let written = multi.add(ProgressBar::new_spinner());
        written.set_style(template("  done  {docs} ({rate})"));
        for bar in [&found, &written] {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Progress {
            multi,
            found,
            read,
            written,
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        for bar in [&self.found, &self.read, &self.written] {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Reporter for Progress {
    fn on_found(&self, n_bytes: u64) {
        self.found.inc(1);
        self.read.inc_length(n_bytes);
        self.found
            .set_message(DecimalBytes(self.read.length().unwrap_or(0)).to_string());
    }

    fn on_found_all(&self) {
        self.found.finish();
    }

    fn on_read(&self, n_bytes: u64) {
        self.read.inc(n_bytes);
    }

    fn on_written(&self) {
        self.written.inc(1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rates_are_whole_numbers_in_one_unit_system() {
        assert_eq!(byte_rate(0.0), "0 B/s");
        assert_eq!(byte_rate(999.4), "999 B/s");
        assert_eq!(byte_rate(850_000.0), "850 kB/s");
        assert_eq!(byte_rate(12_345_678.9), "12 MB/s");
        assert_eq!(byte_rate(3.2e9), "3 GB/s");
    }
}
