//! `newsclean features`: exports the line classifier's features as TSV for training.
//!
//! It runs the same decode and dedupe transforms as `run`, and the features come from
//! `newsclean_segment::features::of_doc`, the function inference uses, so training and
//! inference can never drift apart.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::fs::File;
use std::io::{BufWriter, Write as _};
use std::sync::Arc;

use anyhow::Context as _;
use newsclean_core::{Chain, MarkedDoc, NoopReporter, Record, Sink, StageError, StageId, Verdict};
use newsclean_dedupe::Dedupe;
use newsclean_ingest::{Decoder, InputSource};
use newsclean_pipeline::Runner;
use newsclean_segment::{LineFacts, LineModel, View, classify, features, title};

use super::site_model::apply_site_args;
use super::{Settings, ingest_config};
use crate::args::FeaturesArgs;
use crate::exit::ExitStatus;

/// Writes one TSV row per live line: `doc`, `line`, `kind`, `text`, then the features; with
/// pass-1 probabilities given, the second-pass features.
struct FeatureSink {
    out: BufWriter<File>,
    view: View,
    p1: Option<HashMap<String, Vec<(usize, f32)>>>,
    /// With a model: write title-candidate rows instead (`doc`, `line`, `start`, `end`, `text`, features).
    titles: Option<Arc<LineModel>>,
}

impl FeatureSink {
    fn write_titles(&mut self, marked: &MarkedDoc, model: &LineModel) -> Result<(), StageError> {
        let facts = LineFacts::of_page(marked);
        let scores = classify(marked, &facts, model);
        let found = title::candidates(marked, &facts, &scores, model.threshold(), model.view());
        let mut line = String::new();
        for (c, candidate) in found.candidates.iter().enumerate() {
            line.clear();
            let text = marked.text[candidate.start..candidate.end].replace(['\t', '\r'], " ");
            let _ = write!(
                line,
                "{}\t{}\t{}\t{}\t{text}",
                marked.id, candidate.line, candidate.start, candidate.end
            );
            for value in found.row(c) {
                let _ = write!(line, "\t{value}");
            }
            line.push('\n');
            self.out
                .write_all(line.as_bytes())
                .map_err(|err| StageError::new(StageId::Export, err))?;
        }
        Ok(())
    }
}

impl Sink for FeatureSink {
    type Item = Record;

    fn write(&mut self, record: Record) -> Result<(), StageError> {
        let Record::Marked(marked) = record else {
            return Ok(());
        };
        if let Some(model) = self.titles.clone() {
            return self.write_titles(&marked, &model);
        }
        let doc = features::of_doc(&marked, self.view);
        let rows = match &self.p1 {
            None => doc.values.clone(),
            Some(p1) => {
                let known = p1.get(&marked.id).map(Vec::as_slice).unwrap_or_default();
                let probs: Vec<f32> = doc
                    .lines
                    .iter()
                    .map(|i| {
                        known
                            .iter()
                            .find(|(line, _)| line == i)
                            .map_or(0.0, |&(_, p)| p)
                    })
                    .collect();
                features::pass2(&doc, &probs)
            }
        };
        let width = rows.len() / doc.lines.len().max(1);
        let mut line = String::new();
        for (k, &i) in doc.lines.iter().enumerate() {
            line.clear();
            let kind = if marked.lines[i].verdict == Verdict::TitleCandidate {
                "title"
            } else if marked.lines[i].verdict.is_alive() {
                "live"
            } else {
                "template"
            };
            let text = marked.line_text(i).replace(['\t', '\r'], " ");
            let _ = write!(line, "{}\t{i}\t{kind}\t{text}", marked.id);
            for value in &rows[k * width..(k + 1) * width] {
                line.push('\t');
                let _ = write!(line, "{value}");
            }
            line.push('\n');
            self.out
                .write_all(line.as_bytes())
                .map_err(|err| StageError::new(StageId::Export, err))?;
        }
        Ok(())
    }

    fn finish(&mut self) -> Result<(), StageError> {
        self.out
            .flush()
            .map_err(|err| StageError::new(StageId::Export, err))
    }
}

pub fn features(args: &FeaturesArgs) -> anyhow::Result<ExitStatus> {
    let mut settings = Settings::new(&args.common)?;
    // The same pass 1 as `run`: the site counts are features too.
    let config = ingest_config(&args.input)?;
    if let Err(status) =
        apply_site_args(&args.site, &args.input.inputs, &config, &mut settings, None)?
    {
        return Ok(status);
    }
    let source = InputSource::new(&args.input.inputs, &config, &NoopReporter)?;
    let p1 = args.p1.as_deref().map(read_p1).transpose()?;
    let file = File::create(&args.output)
        .with_context(|| format!("failed to create {}", args.output.display()))?;
    let mut out = BufWriter::new(file);
    let view = View::from(args.view);
    let titles = args
        .titles
        .then(|| settings.segment.models.get(view).clone());
    if titles.is_some() {
        writeln!(
            out,
            "doc\tline\tstart\tend\ttext\t{}",
            title::title_names(view).join("\t")
        )?;
    } else {
        let names = if p1.is_some() {
            features::names_2(view)
        } else {
            features::names(view)
        };
        writeln!(out, "doc\tline\tkind\ttext\t{}", names.join("\t"))?;
    }
    let mut sink = FeatureSink {
        out,
        view,
        p1,
        titles,
    };
    let make_worker = || Chain(Decoder, Dedupe::new(&settings.dedupe));
    Runner::new(settings.threads, settings.cancel, &NoopReporter).run(
        source,
        make_worker,
        &mut sink,
    )?;
    Ok(ExitStatus::Success)
}

/// Reads `doc<TAB>line<TAB>p1` rows.
fn read_p1(path: &std::path::Path) -> anyhow::Result<HashMap<String, Vec<(usize, f32)>>> {
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("failed to read {}", path.display()))?;
    let mut map: HashMap<String, Vec<(usize, f32)>> = HashMap::new();
    for (n, row) in text.lines().enumerate() {
        let mut cols = row.split('\t');
        let (Some(doc), Some(line), Some(p)) = (cols.next(), cols.next(), cols.next()) else {
            anyhow::bail!("{}:{}: expected doc, line, p1", path.display(), n + 1);
        };
        let parsed = line.parse().ok().zip(p.parse().ok());
        let Some((line, p)) = parsed else {
            anyhow::bail!(
                "{}:{}: bad line number or probability",
                path.display(),
                n + 1
            );
        };
        map.entry(doc.to_owned()).or_default().push((line, p));
    }
    Ok(map)
}
