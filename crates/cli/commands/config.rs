//! The libraries' settings from the arguments several commands share: the site template
//! rules and duplicate detection.

use std::path::{Path, PathBuf};

use newsclean_dedupe::dup::{DupConfig, Keep};
use newsclean_dedupe::site::SiteRules;

use crate::args::{DupArgs, KeepArg, RuleArgs};

/// The site template rules of `--min-site-docs`, `--site-share` and `--prose-share`.
pub fn site_rules(args: &RuleArgs) -> anyhow::Result<SiteRules> {
    for (name, share) in [
        ("--site-share", args.site_share),
        ("--prose-share", args.prose_share),
    ] {
        if !(0.0..=1.0).contains(&share) {
            anyhow::bail!("{name} must be between 0 and 1, got {share}");
        }
    }
    Ok(SiteRules {
        min_docs: args.min_site_docs,
        share: args.site_share,
        prose_share: args.prose_share,
    })
}

/// The duplicate index's settings of `--keep`, `--no-near-dup` and the `--near-dup-*` options;
/// `keep longest` spills beside `output`.
pub fn dup_config(args: &DupArgs, output: &Path) -> anyhow::Result<DupConfig> {
    for (name, value) in [
        ("--near-dup-threshold", args.near_dup_threshold),
        ("--near-dup-containment", args.near_dup_containment),
        ("--near-dup-title", args.near_dup_title),
    ] {
        if !(0.0..=1.0).contains(&value) {
            anyhow::bail!("{name} must be between 0 and 1, got {value}");
        }
    }
    // The spill file of `--keep longest` goes beside the output, where there is room for it.
    let spill_dir = (output != Path::new("-"))
        .then(|| output.parent().map(Path::to_path_buf))
        .flatten()
        .map(|dir| {
            if dir.as_os_str().is_empty() {
                PathBuf::from(".")
            } else {
                dir
            }
        });
    Ok(DupConfig {
        keep: match args.keep {
            KeepArg::First => Keep::First,
            KeepArg::Longest => Keep::Longest,
            KeepArg::All => Keep::All,
        },
        near: !args.no_near_dup,
        threshold: args.near_dup_threshold,
        containment: args.near_dup_containment,
        title: args.near_dup_title,
        spill_dir,
    })
}
