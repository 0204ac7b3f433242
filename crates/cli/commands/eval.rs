//! `newsclean eval`: scores a directory of text outputs against the benchmark's ground truth
//! and prints `score.py`'s table.

use std::io::Write as _;
use std::path::Path;

use anyhow::Context as _;
use newsclean_eval::{Bootstrap, EvalConfig};

use crate::args::EvalArgs;
use crate::exit::ExitStatus;

pub fn eval(args: &EvalArgs) -> anyhow::Result<ExitStatus> {
    let config = EvalConfig {
        bootstrap: (args.n_bootstrap > 0).then_some(Bootstrap {
            n_resamples: args.n_bootstrap,
            seed: args.seed,
        }),
        has_by_source: !args.no_by_source,
    };
    let report = newsclean_eval::evaluate(&args.truth, &args.output, &config)
        .context("failed to score the outputs")?;
    let name = args.name.clone().unwrap_or_else(|| dir_name(&args.output));
    let mut stdout = std::io::stdout().lock();
    stdout.write_all(report.table(&name).as_bytes())?;
    if report.n_missing > 0 {
        stdout.flush()?;
        #[expect(
            clippy::print_stderr,
            reason = "the binary warns about missing outputs"
        )]
        {
            eprintln!(
                "warning: {} predictions missing (scored as empty output)",
                report.n_missing
            );
        }
    }
    if args.per_doc {
        stdout.write_all(report.per_doc_rows().as_bytes())?;
    }
    if args.title_misses {
        stdout.write_all(report.title_misses().as_bytes())?;
    }
    stdout.flush()?;
    if let Some(path) = &args.json {
        let json = report.to_json(&name, &args.truth.display().to_string());
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("failed to create {}", parent.display()))?;
        }
        std::fs::write(path, json)
            .with_context(|| format!("failed to write {}", path.display()))?;
    }
    Ok(ExitStatus::Success)
}

/// The last component of `dir`, as Python's `Path(dir).name` (`..` included).
fn dir_name(dir: &Path) -> String {
    dir.components()
        .next_back()
        .map(|c| c.as_os_str().to_string_lossy().into_owned())
        .filter(|name| name != "." && name != "/")
        .unwrap_or_default()
}
