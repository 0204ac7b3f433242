//! `newsclean learn`: pass 1 alone (the site template model), and merging models; the model
//! and dedupe settings that `run`, `dedupe` and `export` share.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsclean_core::Discard;
use newsclean_dedupe::dup::{DupConfig, Keep};
use newsclean_dedupe::site::{GroupBy, SiteGroup, SiteLearner, SiteModel, SiteRules};
use newsclean_engine::RUN_MIN_COUNT;
use newsclean_ingest::{IngestConfig, InputSource};
use newsclean_pipeline::Runner;

use super::notes::count;
use super::spool::{Spool, SpoolPlace, SpoolWriter};
use super::{Settings, ingest_config, outputs, print_line};
use crate::args::{DupArgs, GroupArgs, GroupByArg, KeepArg, LearnArgs, RuleArgs, SiteArgs};
use crate::exit::ExitStatus;
use crate::progress::Progress;

pub fn learn(args: &LearnArgs) -> anyhow::Result<ExitStatus> {
    if let Some(shard) = args.shard {
        return super::shard::learn(args, shard);
    }
    let settings = Settings::new(&args.common)?;
    let inputs: Vec<&Path> = args.input.inputs.iter().map(PathBuf::as_path).collect();
    outputs::check(&inputs, &[outputs::Output::file("-o", &args.output)])?;
    let (model, what) = if args.merge {
        if args.input.inputs.iter().any(|p| p == Path::new("-")) {
            anyhow::bail!("--merge reads model files; `-` (standard input) is not one");
        }
        let models = args
            .input
            .inputs
            .iter()
            .map(|path| load_model(path))
            .collect::<anyhow::Result<Vec<_>>>()?;
        let model = newsclean_engine::merge_site_models(models)?;
        if let Some(group_by) = args.group.group_by {
            if model.group_by != group_by_of(Some(group_by)) {
                anyhow::bail!(
                    "the models group pages by {}, not by {}",
                    model.group_by.name(),
                    group_by_of(Some(group_by)).name()
                );
            }
        }
        (model, format!("merged {} models", args.input.inputs.len()))
    } else {
        let Some(Pass1 { model, elapsed, .. }) = pass1(
            &args.input.inputs,
            &ingest_config(&args.input)?,
            group_by_of(args.group.group_by),
            &settings,
            1,
            None,
        )?
        else {
            print_line("newsclean: interrupted; no model was written");
            return Ok(ExitStatus::Interrupted);
        };
        (model, format!("learned in {:.2} s", elapsed.as_secs_f64()))
    };
    newsclean_engine::save_site_model(&model, &args.output)?;
    if !settings.is_quiet {
        let n_lines: usize = model.groups().map(SiteGroup::n_lines).sum();
        print_line(&format!(
            "newsclean: site model: {}, {}, {} ({what}); wrote {}",
            count(model.n_docs(), "document"),
            count(model.groups().count() as u64, "site"),
            count(n_lines as u64, "distinct line"),
            args.output.display()
        ));
    }
    Ok(ExitStatus::Success)
}

/// The grouping `--group-by` asks for.
pub fn group_by_of(arg: Option<GroupByArg>) -> GroupBy {
    match arg {
        None | Some(GroupByArg::Auto) => GroupBy::Auto,
        Some(GroupByArg::Host) => GroupBy::Host,
        Some(GroupByArg::Dir) => GroupBy::Dir,
        Some(GroupByArg::None) => GroupBy::None,
    }
}

/// Applies `--model`/`--no-site-model`/`--group-by` and the template rules to `settings`,
/// running pass 1 over `inputs` (read as `config` says) when no model is given;
/// `Err(status)` when it was interrupted. With `spool`, pass 1 keeps what it read for pass 2
/// (see [`super::spool`]) and the spool is returned when pass 1 ran.
pub fn apply_site_args(
    site: &SiteArgs,
    inputs: &[PathBuf],
    config: &IngestConfig,
    settings: &mut Settings,
    spool: Option<SpoolPlace<'_>>,
) -> anyhow::Result<Result<Option<Spool>, ExitStatus>> {
    settings.dedupe.rules = site_rules(&site.rules)?;
    match run_model(
        site.model.as_deref(),
        site.no_site_model,
        &site.group,
        inputs,
        config,
        settings,
        spool,
    )? {
        Ok(RunModel { model, spool }) => {
            settings.dedupe.site = model;
            Ok(Ok(spool))
        }
        Err(status) => Ok(Err(status)),
    }
}

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

/// What pass 1 learned, how long it took, and what it spooled.
pub struct Pass1 {
    pub model: SiteModel,
    pub elapsed: Duration,
    pub spool: Option<Spool>,
}

/// Pass 1: reads every input once (or one shard of them, as `config` says), splitting and
/// hashing lines only, and counts them per site, keeping lines on at least `min_count` pages;
/// with `spool`, keeps the split documents for pass 2. `None` when interrupted.
pub fn pass1(
    inputs: &[PathBuf],
    config: &IngestConfig,
    group_by: GroupBy,
    settings: &Settings,
    min_count: u32,
    spool: Option<SpoolPlace<'_>>,
) -> anyhow::Result<Option<Pass1>> {
    let started = Instant::now();
    // Pass 1 reads every document, whatever a resumed pass 2 skips.
    let config = IngestConfig {
        resume_from: 0,
        ..config.clone()
    };
    // Pass 1 has its own bars, so that the run's bars start from zero after it.
    let progress = Progress::new(settings.is_quiet, "pass 1 (site model)");
    let source = InputSource::new(inputs, &config, &progress)?;
    let learner = SiteLearner::new(group_by);
    let runner = Runner::new(settings.threads, settings.cancel, &progress);
    let (result, spool) = match spool {
        None => (
            newsclean_engine::learn_into(&runner, source, &learner, &mut Discard::default()),
            None,
        ),
        Some(place) => {
            let mut writer = SpoolWriter::create(place.dir)?;
            let result = newsclean_engine::learn_encoded(&runner, source, &learner, &mut writer);
            let spool = match &result {
                Ok(_) => Some(writer.into_spool()?),
                Err(_) => None,
            };
            (result, spool)
        }
    };
    progress.finish();
    match result {
        Ok(_) => Ok(Some(Pass1 {
            model: learner.into_model(min_count),
            elapsed: started.elapsed(),
            spool,
        })),
        Err(newsclean_pipeline::Error::Cancelled) => Ok(None),
        Err(err) => Err(err.into()),
    }
}

pub fn load_model(path: &Path) -> anyhow::Result<SiteModel> {
    Ok(newsclean_engine::load_site_model(path)?)
}

/// The site model of a run, and pass 1's spool when pass 1 ran and kept one.
#[derive(Default)]
pub struct RunModel {
    pub model: Option<Arc<SiteModel>>,
    pub spool: Option<Spool>,
}

/// The model a run uses, shared read-only by its workers: loaded, or learned by pass 1
/// (with its spool when `spool` asks for one). The model is `None` for none, and the result
/// `Err` when pass 1 was interrupted (`Interrupted`).
pub fn run_model(
    model: Option<&Path>,
    no_site_model: bool,
    group: &GroupArgs,
    inputs: &[PathBuf],
    config: &IngestConfig,
    settings: &Settings,
    spool: Option<SpoolPlace<'_>>,
) -> anyhow::Result<Result<RunModel, ExitStatus>> {
    let mut kept = None;
    let model = if let Some(path) = model {
        let model = load_model(path)?;
        if let Some(arg) = group.group_by {
            if model.group_by != group_by_of(Some(arg)) {
                anyhow::bail!(
                    "the site model {} groups pages by {}, not by {}",
                    path.display(),
                    model.group_by.name(),
                    group_by_of(Some(arg)).name()
                );
            }
        }
        model
    } else if no_site_model {
        return Ok(Ok(RunModel::default()));
    } else if inputs.iter().any(|p| p == Path::new("-")) {
        if !settings.is_quiet {
            print_line(
                "newsclean: note: standard input is read once, so no site model is learned; only per-document rules apply (see --model)",
            );
        }
        return Ok(Ok(RunModel::default()));
    } else {
        let Some(Pass1 {
            model,
            elapsed,
            spool,
        }) = pass1(
            inputs,
            config,
            group_by_of(group.group_by),
            settings,
            RUN_MIN_COUNT,
            spool,
        )?
        else {
            return Ok(Err(ExitStatus::Interrupted));
        };
        kept = spool;
        if !settings.is_quiet {
            print_line(&format!(
                "newsclean: pass 1 (site model): {}, {} in {:.2} s",
                count(model.n_docs(), "document"),
                count(model.groups().count() as u64, "site"),
                elapsed.as_secs_f64()
            ));
        }
        model
    };
    Ok(Ok(RunModel {
        model: Some(newsclean_engine::site_model_for_run(model)),
        spool: kept,
    }))
}
