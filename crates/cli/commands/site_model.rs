//! The site model a command runs with: loaded from `--model`, or learned by pass 1 over its
//! inputs (with pass 1's spool for pass 2), or none; shared by `run`, `learn`, `features`,
//! `explain`, the stages and the shard tasks.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, Instant};

use newsclean_core::Discard;
use newsclean_dedupe::site::{GroupBy, SiteLearner, SiteModel};
use newsclean_engine::RUN_MIN_COUNT;
use newsclean_ingest::{IngestConfig, InputSource};
use newsclean_pipeline::Runner;

use super::config::site_rules;
use super::notes::count;
use super::spool::{Spool, SpoolPlace, SpoolWriter};
use super::{Settings, print_line};
use crate::args::{GroupArgs, GroupByArg, SiteArgs};
use crate::exit::ExitStatus;
use crate::progress::Progress;

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
