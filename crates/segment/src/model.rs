//! The line classifier: two gradient-boosted tree ensembles evaluated in pure Rust.
//!
//! Pass 1 scores each live line from its [`features`](crate::features::extract); pass 2 scores it again
//! from the same features plus the pass-1 probabilities of the lines around it. The model is a
//! data file (`model/line-model.json`, trained by `train/train_lines.py`; see
//! `train/MODEL_CARD.md`), compiled into the binary and replaceable at run time.

use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::features::{self, DocFeatures};
use crate::title::{N_TITLE_FEATURES, TITLE_NAMES, TitleCandidates};

/// A model that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file is not a model.
    #[error("not a newsclean line model")]
    Parse(#[source] serde_json::Error),
    /// The model's features are not the ones this build computes.
    #[error(
        "the model was trained on other features than this build computes ({0}); retrain it with train/train_lines.py"
    )]
    Features(&'static str),
    /// A tree refers to a node or feature that does not exist.
    #[error("tree {tree} of {pass} is malformed")]
    Tree {
        /// `pass1` or `pass2`.
        pass: &'static str,
        /// Zero-based tree number.
        tree: usize,
    },
}

/// One regression tree in flat arrays. Internal node `n` sends a row to `left[n]` when
/// `row[feature[n]] <= threshold[n]`, else to `right[n]`; a negative child `c` is leaf `!c`.
#[derive(Debug, Clone, Deserialize)]
struct Tree {
    #[serde(rename = "f")]
    feature: Vec<u16>,
    #[serde(rename = "t")]
    threshold: Vec<f64>,
    #[serde(rename = "l")]
    left: Vec<i32>,
    #[serde(rename = "r")]
    right: Vec<i32>,
    #[serde(rename = "v")]
    leaf: Vec<f32>,
}

impl Tree {
    #[inline]
    fn predict(&self, row: &[f32]) -> f32 {
        if self.feature.is_empty() {
            return self.leaf[0];
        }
        let mut node = 0usize;
        loop {
            let value = f64::from(row[self.feature[node] as usize]);
            let next = if value <= self.threshold[node] {
                self.left[node]
            } else {
                self.right[node]
            };
            if next < 0 {
                return self.leaf[!next as usize];
            }
            node = next as usize;
        }
    }

    fn is_valid(&self, n_features: usize) -> bool {
        let n = self.feature.len();
        // Children come after their parent (pre-order numbering), so a walk cannot loop.
        let child_ok = |parent: usize, c: i32| {
            if c < 0 {
                (!c as usize) < self.leaf.len()
            } else {
                (c as usize) < n && c as usize > parent
            }
        };
        !self.leaf.is_empty()
            && self.threshold.len() == n
            && self.left.len() == n
            && self.right.len() == n
            && self.feature.iter().all(|&f| (f as usize) < n_features)
            && (0..n).all(|p| child_ok(p, self.left[p]) && child_ok(p, self.right[p]))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct Forest {
    trees: Vec<Tree>,
}

impl Forest {
    fn probability(&self, row: &[f32]) -> f32 {
        let raw: f32 = self.trees.iter().map(|t| t.predict(row)).sum();
        1.0 / (1.0 + (-raw).exp())
    }
}

/// How line scores become decisions; tuned end to end with the model and stored with it.
#[derive(Debug, Clone, Copy, PartialEq, Deserialize)]
pub struct Policy {
    /// Lines scoring at least this are article text.
    pub threshold: f32,
    /// On a page whose best line scores low, lines scoring at least `relative` times the best
    /// score (and at least `floor`) are text too: the article is the best block on its page.
    #[serde(default)]
    pub relative: f32,
    /// The lowest threshold the relative rule may set.
    #[serde(default = "Policy::no_floor")]
    pub floor: f32,
    /// Past an end-of-article marker, a line still counts when it scores at least this.
    #[serde(default = "Policy::never")]
    pub footer_keep: f32,
    /// In a related-links block, a title-like line stays in the text when it scores at least this.
    #[serde(default = "Policy::never")]
    pub related_keep: f32,
}

impl Policy {
    fn never() -> f32 {
        f32::INFINITY
    }

    fn no_floor() -> f32 {
        1.0
    }

    /// A fixed threshold and nothing else: for tests and models without a tuned policy.
    pub fn fixed(threshold: f32) -> Policy {
        Policy {
            threshold,
            relative: 0.0,
            floor: Policy::no_floor(),
            footer_keep: Policy::never(),
            related_keep: Policy::never(),
        }
    }

    /// The threshold for one page whose best live line scores `best`.
    pub fn page_threshold(&self, best: f32) -> f32 {
        self.threshold.min((self.relative * best).max(self.floor))
    }
}

#[derive(Debug, Clone, Deserialize)]
struct ModelFile {
    format: String,
    features: Vec<String>,
    features_2: Vec<String>,
    threshold: f32,
    #[serde(default)]
    policy: Option<Policy>,
    pass1: Forest,
    pass2: Forest,
    #[serde(default)]
    title_features: Vec<String>,
    #[serde(default)]
    title_threshold: f32,
    #[serde(default)]
    title: Option<Forest>,
}

/// The trained line classifier and title picker.
#[derive(Debug, Clone)]
pub struct LineModel {
    pass1: Forest,
    pass2: Forest,
    threshold: f32,
    policy: Policy,
    title: Option<Forest>,
    title_threshold: f32,
}

impl LineModel {
    /// Parses and checks a model file.
    pub fn parse(json: &str) -> Result<LineModel, ModelError> {
        let file: ModelFile = serde_json::from_str(json).map_err(ModelError::Parse)?;
        if file.format != "newsclean-line-model-1" {
            return Err(ModelError::Features("unknown format"));
        }
        if file.features != features::names() {
            return Err(ModelError::Features("pass 1"));
        }
        if file.features_2 != features::names_2() {
            return Err(ModelError::Features("pass 2"));
        }
        if file.title.is_some() && file.title_features != TITLE_NAMES {
            return Err(ModelError::Features("title"));
        }
        let title = file.title.as_ref().map(|t| ("title", t, N_TITLE_FEATURES));
        let forests = [
            ("pass1", &file.pass1, features::N_FEATURES),
            ("pass2", &file.pass2, features::N_FEATURES_2),
        ];
        for (pass, forest, n) in forests.into_iter().chain(title) {
            if let Some(tree) = forest.trees.iter().position(|t| !t.is_valid(n)) {
                return Err(ModelError::Tree { pass, tree });
            }
        }
        Ok(LineModel {
            pass1: file.pass1,
            pass2: file.pass2,
            threshold: file.threshold,
            policy: file.policy.unwrap_or(Policy::fixed(file.threshold)),
            title: file.title,
            title_threshold: file.title_threshold,
        })
    }

    /// The model compiled into this build.
    pub fn builtin() -> Arc<LineModel> {
        static MODEL: OnceLock<Arc<LineModel>> = OnceLock::new();
        MODEL
            .get_or_init(|| {
                Arc::new(
                    LineModel::parse(include_str!("../model/line-model.json"))
                        .expect("the built-in model loads (tested)"),
                )
            })
            .clone()
    }

    /// Lines scoring at least this are article text.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// How scores become decisions.
    pub fn policy(&self) -> Policy {
        self.policy
    }

    /// Title candidates scoring below this are not titles.
    pub fn title_threshold(&self) -> f32 {
        self.title_threshold
    }

    /// The probability of each title candidate that it is the headline; `None` for a model
    /// without a title picker (as during training).
    pub fn title_scores(&self, found: &TitleCandidates) -> Option<Vec<f32>> {
        let forest = self.title.as_ref()?;
        Some(
            found
                .values
                .chunks_exact(N_TITLE_FEATURES)
                .map(|row| forest.probability(row))
                .collect(),
        )
    }

    /// The pass-1 probability of each row.
    pub fn pass1(&self, features: &DocFeatures) -> Vec<f32> {
        (0..features.lines.len())
            .map(|k| self.pass1.probability(features.row(k)))
            .collect()
    }

    /// The final probability of each row that it is article text.
    pub fn score(&self, features: &DocFeatures) -> Vec<f32> {
        let p1 = self.pass1(features);
        let rows = features::pass2(features, &p1);
        rows.chunks_exact(features::N_FEATURES_2)
            .map(|row| self.pass2.probability(row))
            .collect()
    }
}

#[cfg(test)]
#[allow(
    clippy::float_cmp,
    reason = "exact values are the point of these tests"
)]
mod tests {
    use super::*;

    #[test]
    fn builtin_model_loads() {
        let model = LineModel::builtin();
        assert!(model.threshold > 0.0 && model.threshold < 1.0);
        assert!(!model.pass1.trees.is_empty());
        assert!(model.title.is_some(), "the shipped model picks titles");
    }

    #[test]
    fn tree_walk() {
        // x0 <= 0.5 ? (x1 <= 2 ? 1 : 2) : 3
        let tree = Tree {
            feature: vec![0, 1],
            threshold: vec![0.5, 2.0],
            left: vec![1, -1],
            right: vec![-3, -2],
            leaf: vec![1.0, 2.0, 3.0],
        };
        assert!(tree.is_valid(2));
        assert_eq!(tree.predict(&[0.0, 1.0]), 1.0);
        assert_eq!(tree.predict(&[0.0, 3.0]), 2.0);
        assert_eq!(tree.predict(&[0.6, 0.0]), 3.0);
        let cyclic = Tree {
            feature: vec![0],
            threshold: vec![0.5],
            left: vec![0],
            right: vec![-1],
            leaf: vec![1.0],
        };
        assert!(!cyclic.is_valid(1));
    }

    #[test]
    fn wrong_features_are_refused() {
        let json = r#"{"format":"newsclean-line-model-1","features":["x"],"features_2":["x"],"threshold":0.5,"pass1":{"trees":[]},"pass2":{"trees":[]}}"#;
        assert!(matches!(
            LineModel::parse(json),
            Err(ModelError::Features(_))
        ));
        assert!(matches!(LineModel::parse("{}"), Err(ModelError::Parse(_))));
    }
}
