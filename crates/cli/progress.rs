//! Progress bars on stderr, implementing the libraries' `Reporter`.

use std::time::Duration;

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use newsclean_core::Reporter;

/// Three bars: files found by the walk, bytes processed by the workers, documents written.
/// Hidden with `--quiet` and whenever stderr is not a terminal.
pub struct Progress {
    multi: MultiProgress,
    found: ProgressBar,
    processed: ProgressBar,
    written: ProgressBar,
}

impl Progress {
    pub fn new(is_quiet: bool) -> Progress {
        let target = if is_quiet {
            ProgressDrawTarget::hidden()
        } else {
            ProgressDrawTarget::stderr()
        };
        let multi = MultiProgress::with_draw_target(target);
        let found = multi.add(ProgressBar::new_spinner());
        found.set_style(
            ProgressStyle::with_template("{spinner} found     {pos} files, {msg}")
                .expect("valid template"),
        );
        let processed = multi.add(ProgressBar::new(0));
        processed.set_style(
            ProgressStyle::with_template(
                "  processed [{bar:30}] {bytes}/{total_bytes} {bytes_per_sec} ETA {eta}",
            )
            .expect("valid template")
            .progress_chars("=> "),
        );
        let written = multi.add(ProgressBar::new_spinner());
        written.set_style(
            ProgressStyle::with_template("  written   {pos} documents ({per_sec})")
                .expect("valid template"),
        );
        for bar in [&found, &written] {
            bar.enable_steady_tick(Duration::from_millis(200));
        }
        Progress {
            multi,
            found,
            processed,
            written,
        }
    }

    /// Removes the bars.
    pub fn finish(&self) {
        for bar in [&self.found, &self.processed, &self.written] {
            bar.finish_and_clear();
        }
        let _ = self.multi.clear();
    }
}

impl Reporter for Progress {
    fn on_found(&self, n_bytes: u64) {
        self.found.inc(1);
        self.processed.inc_length(n_bytes);
        self.found
            .set_message(indicatif::HumanBytes(self.processed.length().unwrap_or(0)).to_string());
    }

    fn on_found_all(&self) {
        self.found.finish();
    }

    fn on_processed(&self, n_bytes: u64) {
        self.processed.inc(n_bytes);
    }

    fn on_written(&self) {
        self.written.inc(1);
    }
}
