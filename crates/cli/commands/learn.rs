//! `newsclean learn`: pass 1 alone (the site template model), and merging models.

use std::path::{Path, PathBuf};

use newsclean_dedupe::site::SiteGroup;

use super::notes::count;
use super::site_model::{Pass1, group_by_of, load_model, pass1};
use super::{Settings, ingest_config, outputs, print_line};
use crate::args::LearnArgs;
use crate::exit::ExitStatus;

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
