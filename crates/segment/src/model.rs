//! The line classifier: two gradient-boosted tree ensembles evaluated in pure Rust.
//!
//! Pass 1 scores each live line from its [`features`](crate::features::extract); pass 2 scores it again
//! from the same features plus the pass-1 probabilities of the lines around it. There is one
//! model per [`View`]: text input is scored by the text model (`model/line-model-text.json`),
//! HTML input by the HTML model (`model/line-model-html.json`); both are data files trained by
//! `train/train_lines.py` (see `train/MODEL_CARD.md`), compiled into the binary and replaceable
//! at run time. A model file's view is the one whose feature names it lists.

use std::ops::Range;
use std::sync::{Arc, OnceLock};

use serde::Deserialize;

use crate::features::{self, DocFeatures, View};
use crate::title::{N_TITLE_FEATURES, TitleCandidates, n_title_features, title_names};

/// A model that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    /// The file is not a model.
    #[error("not a newsclean line model")]
    Parse(#[source] serde_json::Error),
    /// The file says it is for one view, and its features are another's.
    #[error(
        "the model says it is for {declared} input, but its features are those of {found} input"
    )]
    View {
        /// The view the file names.
        declared: String,
        /// The view its features are of.
        found: View,
    },
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
    /// A tree has more leaves than the compiled forest holds.
    #[error(
        "tree {tree} of {pass} has more than {MAX_LEAVES} leaves; train with num_leaves {MAX_LEAVES} at most"
    )]
    TooManyLeaves {
        /// `pass1`, `pass2` or `title`.
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
    /// The reference walk with the trainer's `f64` comparisons; tests check the compiled forest
    /// against it.
    #[cfg(test)]
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

    /// The leaves of a valid tree: one more than its splits, which have two children each.
    fn n_leaves(&self) -> usize {
        self.feature.len() + 1
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
        let shapes_ok = !self.leaf.is_empty()
            && self.threshold.len() == n
            && self.left.len() == n
            && self.right.len() == n
            && self.feature.iter().all(|&f| (f as usize) < n_features)
            && (0..n).all(|p| child_ok(p, self.left[p]) && child_ok(p, self.right[p]));
        if !shapes_ok || n == 0 {
            return shapes_ok;
        }
        // A tree, not a graph: every node but the root, and every leaf, has one parent, so a
        // walk from the root reaches `n + 1` leaves, each once.
        let mut parents = vec![0u32; n + self.leaf.len()];
        for &c in self.left.iter().chain(&self.right) {
            parents[if c < 0 { n + !c as usize } else { c as usize }] += 1;
        }
        parents[1..].iter().all(|&p| p == 1)
    }
}

#[derive(Debug, Clone, Deserialize)]
struct ForestFile {
    trees: Vec<Tree>,
}

/// The most leaves a compiled tree may have: the leaves a row can still reach are the bits of
/// a `u32`. The trainer grows trees of 31 leaves (15 for the title picker).
pub const MAX_LEAVES: usize = 32;
/// The most features a row may have (a compiled split names its feature in one byte).
pub const MAX_FEATURES: usize = 128;
const _: () = assert!(
    features::N_FEATURES_2 <= MAX_FEATURES && N_TITLE_FEATURES <= MAX_FEATURES,
    "rows are read at a fixed width of MAX_FEATURES"
);
const _: () = assert!(MAX_FEATURES.is_power_of_two() && MAX_FEATURES <= 1 << u8::BITS);

/// One split of a compiled tree: a row whose `feature` is above `threshold` goes right, so it
/// cannot reach the leaves of the left subtree, and `keep` clears them.
#[derive(Debug, Clone, Copy)]
struct Split {
    /// Rounded down to `f32` so that `x <= threshold` means the same for every `f32` feature
    /// value as the trainer's `f64` comparison.
    threshold: f32,
    /// The leaves (bit `k`: the `k`-th from the left) a row going right can still reach.
    keep: u32,
    feature: u8,
}

/// One tree compiled for the bit-vector walk of `QuickScorer` (Lucchese et al., SIGIR 2015):
/// every split a row fails (goes right at) clears the leaves of its left subtree from the
/// row's set of reachable leaves, in any order; the leftmost leaf left is the one the row's
/// walk ends in. No test depends on another, so a tree's splits are tested on a block of rows
/// side by side in vector registers, with no data-dependent loads.
#[derive(Debug, Clone)]
struct CompiledTree {
    /// The tree's splits in [`Forest::splits`].
    splits: Range<usize>,
    /// Leaf values from left to right, padded to [`MAX_LEAVES`] so that indexing needs no
    /// bounds check.
    leaf: [f32; MAX_LEAVES],
}

/// A forest compiled for fast evaluation.
#[derive(Debug, Clone)]
struct Forest {
    trees: Vec<CompiledTree>,
    splits: Vec<Split>,
}

/// Rows scored side by side: one split's test on a block is a few vector instructions.
const BLOCK: usize = 8;
/// Rows scored side by side while a page has that many left to score.
const WIDE_BLOCK: usize = 32;

/// How [`Forest::raw_sums`] walks the trees. Every walk gives the same bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Walk {
    /// The fastest this CPU has: AVX2 where it has it (checked once per call, a cached flag).
    Fastest,
    /// Portable code, as the compiler vectorises it for the build's target.
    #[cfg_attr(
        not(test),
        expect(dead_code, reason = "tests compare it with the fastest walk")
    )]
    Portable,
}

/// The largest `f32` not above `t`.
fn f32_at_most(t: f64) -> f32 {
    let r = t as f32;
    if f64::from(r) <= t {
        return r;
    }
    // Rounded up: step one representable value down.
    if r == 0.0 {
        -f32::from_bits(1)
    } else if r > 0.0 {
        f32::from_bits(r.to_bits() - 1)
    } else {
        f32::from_bits(r.to_bits() + 1)
    }
}

impl Forest {
    /// Compiles validated trees of at most [`MAX_LEAVES`] leaves.
    fn compile(file: &ForestFile) -> Forest {
        let mut splits = Vec::new();
        let trees = file
            .trees
            .iter()
            .map(|tree| {
                let start = splits.len();
                let mut leaf = [0f32; MAX_LEAVES];
                if tree.feature.is_empty() {
                    leaf[0] = tree.leaf[0];
                } else {
                    compile_node(tree, 0, &mut 0, &mut leaf, &mut splits);
                }
                CompiledTree {
                    splits: start..splits.len(),
                    leaf,
                }
            })
            .collect();
        Forest { trees, splits }
    }

    /// The probability of each row of `rows` (row-major, `width` values each).
    fn probabilities(&self, rows: &[f32], width: usize) -> Vec<f32> {
        (self.raw_sums(rows, width, Walk::Fastest).into_iter())
            .map(|r| 1.0 / (1.0 + (-r).exp()))
            .collect()
    }

    /// The sum of the trees' leaves for each row of `rows`, by `walk`.
    fn raw_sums(&self, rows: &[f32], width: usize, walk: Walk) -> Vec<f32> {
        debug_assert!(width <= MAX_FEATURES);
        let width = width.clamp(1, MAX_FEATURES);
        let n = rows.len() / width;
        let mut raw = vec![0f32; n];
        // Wide blocks while they fill, then narrow ones: a split's test costs the same on a
        // full block as on a block of one row.
        let wide = n - n % WIDE_BLOCK;
        let (wide_rows, rest) = rows.split_at(wide * width);
        let (wide_raw, rest_raw) = raw.split_at_mut(wide);
        #[cfg(not(target_arch = "x86_64"))]
        let _ = walk;
        #[cfg(target_arch = "x86_64")]
        if let Some(simd) = pulp::x86::V3::try_new().filter(|_| walk == Walk::Fastest) {
            simd.vectorize(|| {
                self.sums_avx2::<{ WIDE_BLOCK / 8 }>(simd, wide_rows, width, wide_raw);
                self.sums_avx2::<{ BLOCK / 8 }>(simd, rest, width, rest_raw);
            });
            return raw;
        }
        self.sums::<WIDE_BLOCK>(wide_rows, width, wide_raw);
        self.sums::<BLOCK>(rest, width, rest_raw);
        raw
    }

    /// [`Forest::sums`] on AVX2, `8 * G` rows at a time: the same tests and the same sums in
    /// the same order (so the same bits), a split's test on eight rows in one instruction.
    /// Called inside `simd.vectorize`, where the CPU's AVX2 is known and the intrinsics inline.
    #[cfg(target_arch = "x86_64")]
    #[inline(always)]
    fn sums_avx2<const G: usize>(
        &self,
        simd: pulp::x86::V3,
        rows: &[f32],
        width: usize,
        raw: &mut [f32],
    ) {
        use pulp::{cast, f32x8, u32x8};
        if raw.is_empty() {
            return;
        }
        let block = 8 * G;
        let mut columns = [[[0f32; 8]; G]; MAX_FEATURES];
        for (chunk, out) in rows.chunks(block * width).zip(raw.chunks_mut(block)) {
            for (lane, row) in chunk.chunks_exact(width).enumerate() {
                for (column, &x) in columns.iter_mut().zip(row) {
                    column[lane / 8][lane % 8] = x;
                }
            }
            let mut sums = [[0f32; 8]; G];
            for tree in &self.trees {
                let mut reachable = [simd.splat_u32x8(u32::MAX); G];
                for split in &self.splits[tree.splits.clone()] {
                    let column = &columns[usize::from(split.feature) & (MAX_FEATURES - 1)];
                    let threshold = simd.splat_f32x8(split.threshold);
                    // The leaves a row going right can no longer reach.
                    let lost = simd.splat_u32x8(!split.keep);
                    for (r, &x) in reachable.iter_mut().zip(column) {
                        let right: u32x8 =
                            cast(simd.cmp_gt_f32x8(cast::<[f32; 8], f32x8>(x), threshold));
                        *r = simd.andnot_u32x8(simd.and_u32x8(right, lost), *r);
                    }
                }
                for (sum, r) in sums.iter_mut().zip(reachable) {
                    for (s, r) in sum.iter_mut().zip(cast::<u32x8, [u32; 8]>(r)) {
                        *s += tree.leaf[r.trailing_zeros() as usize & (MAX_LEAVES - 1)];
                    }
                }
            }
            for (o, s) in out.iter_mut().zip(sums.as_flattened()) {
                *o = *s;
            }
        }
    }

    /// The sum of the trees' leaves for each row of `rows`, scored `B` rows at a time.
    fn sums<const B: usize>(&self, rows: &[f32], width: usize, raw: &mut [f32]) {
        if raw.is_empty() {
            return;
        }
        // Each block of rows is copied feature-major, so that a split reads its feature of
        // every row of the block as one array.
        let mut columns = [[0f32; B]; MAX_FEATURES];
        for (chunk, out) in rows.chunks(B * width).zip(raw.chunks_mut(B)) {
            for (lane, row) in chunk.chunks_exact(width).enumerate() {
                for (column, &x) in columns.iter_mut().zip(row) {
                    column[lane] = x;
                }
            }
            let mut sums = [0f32; B];
            for tree in &self.trees {
                let mut reachable = [u32::MAX; B];
                for split in &self.splits[tree.splits.clone()] {
                    let column = &columns[usize::from(split.feature) & (MAX_FEATURES - 1)];
                    for (r, &x) in reachable.iter_mut().zip(column) {
                        // All ones unless the row goes right (written without a branch, so
                        // that the loop compiles to vector compares).
                        let stays = u32::from(x > split.threshold).wrapping_sub(1);
                        *r &= split.keep | stays;
                    }
                }
                for (sum, r) in sums.iter_mut().zip(reachable) {
                    *sum += tree.leaf[r.trailing_zeros() as usize & (MAX_LEAVES - 1)];
                }
            }
            out.copy_from_slice(&sums[..out.len()]);
        }
    }
}

/// Compiles the subtree of `tree` under `node` (negative: leaf `!node`), numbering its leaves
/// from `*n_leaves` on in left-to-right order; a split's left subtree holds the leaves
/// numbered while it is compiled.
fn compile_node(
    tree: &Tree,
    node: i32,
    n_leaves: &mut usize,
    leaf: &mut [f32; MAX_LEAVES],
    splits: &mut Vec<Split>,
) {
    if node < 0 {
        leaf[*n_leaves] = tree.leaf[!node as usize];
        *n_leaves += 1;
        return;
    }
    let n = node as usize;
    let first = *n_leaves;
    compile_node(tree, tree.left[n], n_leaves, leaf, splits);
    let left_leaves = ((1u64 << *n_leaves) - (1u64 << first)) as u32;
    splits.push(Split {
        threshold: f32_at_most(tree.threshold[n]),
        keep: !left_leaves,
        feature: u8::try_from(tree.feature[n]).expect("a validated feature is under MAX_FEATURES"),
    });
    compile_node(tree, tree.right[n], n_leaves, leaf, splits);
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
    /// A line whose pass-1 probability is within this of 0 or 1 keeps it: pass 2 runs only on
    /// the lines pass 1 is unsure about (0: on every line).
    #[serde(default)]
    pub settled: f32,
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
            settled: 0.0,
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
    /// `text` or `html`; optional, since the feature names say it too (the first text model
    /// predates the field).
    #[serde(default)]
    view: Option<String>,
    features: Vec<String>,
    features_2: Vec<String>,
    threshold: f32,
    #[serde(default)]
    policy: Option<Policy>,
    pass1: ForestFile,
    pass2: ForestFile,
    #[serde(default)]
    title_features: Vec<String>,
    #[serde(default)]
    title_threshold: f32,
    #[serde(default)]
    title: Option<ForestFile>,
}

/// The trained line classifier and title picker of one [`View`].
#[derive(Debug, Clone)]
pub struct LineModel {
    view: View,
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
        LineModel::from_file(&file)
    }

    /// Checks and compiles a parsed model file.
    fn from_file(file: &ModelFile) -> Result<LineModel, ModelError> {
        if file.format != "newsclean-line-model-1" {
            return Err(ModelError::Features("unknown format"));
        }
        let view = View::ALL
            .into_iter()
            .find(|&view| file.features == features::names(view))
            .ok_or(ModelError::Features("pass 1"))?;
        if let Some(declared) = &file.view
            && declared != view.name()
        {
            return Err(ModelError::View {
                declared: declared.clone(),
                found: view,
            });
        }
        if file.features_2 != features::names_2(view) {
            return Err(ModelError::Features("pass 2"));
        }
        if file.title.is_some() && file.title_features != title_names(view) {
            return Err(ModelError::Features("title"));
        }
        let title = file
            .title
            .as_ref()
            .map(|t| ("title", t, n_title_features(view)));
        let forests = [
            ("pass1", &file.pass1, view.n_features()),
            ("pass2", &file.pass2, view.n_features_2()),
        ];
        for (pass, forest, n) in forests.into_iter().chain(title) {
            if let Some(tree) = forest.trees.iter().position(|t| !t.is_valid(n)) {
                return Err(ModelError::Tree { pass, tree });
            }
            if let Some(tree) = forest.trees.iter().position(|t| t.n_leaves() > MAX_LEAVES) {
                return Err(ModelError::TooManyLeaves { pass, tree });
            }
        }
        Ok(LineModel {
            view,
            pass1: Forest::compile(&file.pass1),
            pass2: Forest::compile(&file.pass2),
            threshold: file.threshold,
            policy: file.policy.unwrap_or(Policy::fixed(file.threshold)),
            title: file.title.as_ref().map(Forest::compile),
            title_threshold: file.title_threshold,
        })
    }

    /// The model of `view` compiled into this build.
    pub fn builtin(view: View) -> Arc<LineModel> {
        builtin_ref(view).clone()
    }

    /// The view this model reads pages in.
    pub fn view(&self) -> View {
        self.view
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
        debug_assert_eq!(found.view, self.view);
        let forest = self.title.as_ref()?;
        Some(forest.probabilities(&found.values, n_title_features(found.view)))
    }

    /// The pass-1 probability of each row.
    pub fn pass1(&self, features: &DocFeatures) -> Vec<f32> {
        debug_assert_eq!(features.view, self.view);
        self.pass1
            .probabilities(&features.values, features.view.n_features())
    }

    /// The final probability of each row that it is article text.
    pub fn score(&self, features: &DocFeatures) -> Vec<f32> {
        let p1 = self.pass1(features);
        let settled = self.policy.settled;
        let unsure: Vec<usize> = (0..p1.len())
            .filter(|&k| p1[k] > settled && p1[k] < 1.0 - settled)
            .collect();
        let width = features.view.n_features_2();
        // Second-pass rows only for the lines pass 2 scores.
        let unsure_rows = features::pass2_rows(features, &p1, &unsure);
        if unsure.len() == p1.len() {
            return self.pass2.probabilities(&unsure_rows, width);
        }
        let mut scores = p1;
        for (&k, p) in unsure
            .iter()
            .zip(self.pass2.probabilities(&unsure_rows, width))
        {
            scores[k] = p;
        }
        scores
    }
}

/// The text model's file, trained on text input alone.
const BUILTIN_TEXT: &str = include_str!("../model/line-model-text.json");
/// The HTML model's file, trained with the markup's features.
const BUILTIN_HTML: &str = include_str!("../model/line-model-html.json");

/// The built-in model of `view`, parsed on first use: a run that reads only text never parses
/// the HTML model.
fn builtin_ref(view: View) -> &'static Arc<LineModel> {
    static TEXT: OnceLock<Arc<LineModel>> = OnceLock::new();
    static HTML: OnceLock<Arc<LineModel>> = OnceLock::new();
    let (cell, json) = match view {
        View::Text => (&TEXT, BUILTIN_TEXT),
        View::Html => (&HTML, BUILTIN_HTML),
    };
    cell.get_or_init(|| {
        let model = LineModel::parse(json).expect("the built-in models load (tested)");
        assert_eq!(model.view, view, "the built-in model of {view} input");
        Arc::new(model)
    })
}

/// One line model per [`View`]: a page is scored by the model of the view it is read in
/// ([`View::of`]), so text input never depends on what the HTML model learned.
#[derive(Debug, Clone, Default)]
pub struct LineModels {
    /// The text model, when not the built-in one.
    text: Option<Arc<LineModel>>,
    /// The HTML model, when not the built-in one.
    html: Option<Arc<LineModel>>,
}

impl LineModels {
    /// The models compiled into this build (each parsed when first used).
    pub fn builtin() -> LineModels {
        LineModels::default()
    }

    /// The model of `view`.
    pub fn get(&self, view: View) -> &Arc<LineModel> {
        let given = match view {
            View::Text => &self.text,
            View::Html => &self.html,
        };
        given.as_ref().unwrap_or_else(|| builtin_ref(view))
    }

    /// Uses `model` for the pages of its view; the other view keeps its model.
    pub fn replace(&mut self, model: Arc<LineModel>) {
        match model.view {
            View::Text => self.text = Some(model),
            View::Html => self.html = Some(model),
        }
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
    fn builtin_models_load() {
        for view in View::ALL {
            let model = LineModel::builtin(view);
            assert_eq!(model.view(), view);
            assert!(model.threshold > 0.0 && model.threshold < 1.0);
            assert!(!model.pass1.trees.is_empty());
            assert!(model.title.is_some(), "the shipped models pick titles");
        }
    }

    #[test]
    fn a_model_replaces_the_model_of_its_view() {
        let mut models = LineModels::builtin();
        let text = Arc::new(LineModel::parse(BUILTIN_TEXT).unwrap());
        models.replace(text.clone());
        assert!(Arc::ptr_eq(models.get(View::Text), &text));
        assert!(Arc::ptr_eq(
            models.get(View::Html),
            &LineModel::builtin(View::Html)
        ));
    }

    #[test]
    fn a_declared_view_must_match_the_features() {
        let mut file: serde_json::Value = serde_json::from_str(BUILTIN_TEXT).unwrap();
        file["view"] = "text".into();
        assert!(LineModel::parse(&file.to_string()).is_ok());
        file["view"] = "html".into();
        let err = LineModel::parse(&file.to_string()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the model says it is for html input, but its features are those of text input"
        );
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

    /// The compiled forests give the reference walk's probabilities, row by row and in
    /// batches (blocks of rows side by side and a remainder), for all three forests of both
    /// shipped models.
    #[test]
    fn compiled_forest_equals_the_reference_walk() {
        for (json, view) in [(BUILTIN_TEXT, View::Text), (BUILTIN_HTML, View::Html)] {
            let file: ModelFile = serde_json::from_str(json).unwrap();
            let title = file.title.as_ref().unwrap();
            for (forest, width) in [
                (&file.pass1, view.n_features()),
                (&file.pass2, view.n_features_2()),
                (title, n_title_features(view)),
            ] {
                check_forest(forest, width);
            }
        }
    }

    fn check_forest(file: &ForestFile, width: usize) {
        let compiled = Forest::compile(file);
        let mut state = 0x9e37_79b9_u64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        // Feature values drawn from the trees' own thresholds (and their neighbours), where a
        // rounding slip would show.
        let thresholds: Vec<f64> = file
            .trees
            .iter()
            .flat_map(|t| t.threshold.iter().copied())
            .collect();
        let n_rows = 2003;
        let rows: Vec<f32> = (0..n_rows * width)
            .map(|_| {
                let t = thresholds[(next() % thresholds.len() as u64) as usize] as f32;
                match next() % 3 {
                    0 => t,
                    1 => f32::from_bits(t.to_bits().wrapping_add(1)),
                    _ => f32::from_bits(t.to_bits().wrapping_sub(1)),
                }
            })
            .collect();
        let batch = compiled.probabilities(&rows, width);
        assert_eq!(batch.len(), n_rows);
        // The portable walk and the fastest one give the same bits.
        let fastest = compiled.raw_sums(&rows, width, Walk::Fastest);
        let portable = compiled.raw_sums(&rows, width, Walk::Portable);
        assert!(
            fastest
                .iter()
                .map(|x| x.to_bits())
                .eq(portable.iter().map(|x| x.to_bits()))
        );
        for (k, row) in rows.chunks(width).enumerate() {
            let reference: f32 = file.trees.iter().map(|t| t.predict(row)).sum();
            let expected = 1.0 / (1.0 + (-reference).exp());
            assert!((batch[k] - expected).abs() < 1e-5, "row {k}: {row:?}");
            assert!(
                (compiled.probabilities(row, width)[0] - expected).abs() < 1e-5,
                "row {k}: {row:?}"
            );
        }
    }

    /// A random tree of `n_leaves` leaves over `n_features` features, in the trainer's
    /// pre-order numbering, its leaves numbered in a shuffled order, thresholds on a grid of
    /// halves so that rows on the grid of quarters hit them exactly and miss them by a little.
    fn random_tree(next: &mut impl FnMut() -> u64, n_leaves: usize, n_features: u16) -> Tree {
        fn grow(
            next: &mut impl FnMut() -> u64,
            n_leaves: usize,
            n_features: u16,
            tree: &mut Tree,
            leaf_ids: &mut Vec<i32>,
        ) -> i32 {
            if n_leaves == 1 {
                return !leaf_ids.pop().expect("one id per leaf");
            }
            let node = tree.feature.len();
            tree.feature.push((next() % u64::from(n_features)) as u16);
            tree.threshold.push((next() % 8) as f64 / 2.0);
            tree.left.push(0);
            tree.right.push(0);
            let on_left = 1 + (next() % (n_leaves as u64 - 1)) as usize;
            tree.left[node] = grow(next, on_left, n_features, tree, leaf_ids);
            tree.right[node] = grow(next, n_leaves - on_left, n_features, tree, leaf_ids);
            node as i32
        }
        let mut tree = Tree {
            feature: Vec::new(),
            threshold: Vec::new(),
            left: Vec::new(),
            right: Vec::new(),
            leaf: (0..n_leaves)
                .map(|_| (next() % 1000) as f32 / 250.0 - 2.0)
                .collect(),
        };
        let mut leaf_ids: Vec<i32> = (0..n_leaves as i32).collect();
        for k in (1..leaf_ids.len()).rev() {
            leaf_ids.swap(k, (next() % (k as u64 + 1)) as usize);
        }
        grow(next, n_leaves, n_features, &mut tree, &mut leaf_ids);
        tree
    }

    proptest::proptest! {
        /// Any forest of valid trees scores every row as the reference walk does, to the bit,
        /// in blocks of any fill.
        #[test]
        fn bit_vectors_equal_the_reference_walk(
            seed in 1u64..,
            n_trees in 1usize..5,
            max_leaves in 1usize..=MAX_LEAVES,
            n_rows in 0usize..80,
            width in 1usize..6,
        ) {
            let mut state = seed;
            let mut next = move || {
                state ^= state << 13;
                state ^= state >> 7;
                state ^= state << 17;
                state
            };
            let trees: Vec<Tree> = (0..n_trees)
                .map(|_| {
                    let n_leaves = 1 + (next() % max_leaves as u64) as usize;
                    random_tree(&mut next, n_leaves, width as u16)
                })
                .collect();
            for tree in &trees {
                proptest::prop_assert!(tree.is_valid(width));
                proptest::prop_assert!(tree.n_leaves() <= MAX_LEAVES);
            }
            let file = ForestFile { trees };
            let rows: Vec<f32> = (0..n_rows * width).map(|_| (next() % 17) as f32 / 4.0).collect();
            let scores = Forest::compile(&file).probabilities(&rows, width);
            proptest::prop_assert_eq!(scores.len(), n_rows);
            for (row, score) in rows.chunks(width).zip(scores) {
                let sum: f32 = file.trees.iter().map(|t| t.predict(row)).sum();
                proptest::prop_assert_eq!(score, 1.0 / (1.0 + (-sum).exp()), "row {:?}", row);
            }
        }
    }

    #[test]
    fn trees_with_more_leaves_than_the_layout_are_refused() {
        // A chain of MAX_LEAVES splits on feature 0: one leaf too many.
        let n = MAX_LEAVES;
        let tree = Tree {
            feature: vec![0; n],
            threshold: (1..=n).map(|k| k as f64).collect(),
            left: (0..n)
                .map(|k| if k + 1 < n { k as i32 + 1 } else { -1 })
                .collect(),
            right: (0..n).map(|k| !(k as i32 + 1)).collect(),
            leaf: (0..=n).map(|k| k as f32).collect(),
        };
        assert!(tree.is_valid(1));
        assert_eq!(tree.n_leaves(), MAX_LEAVES + 1);
        let mut file: ModelFile = serde_json::from_str(BUILTIN_HTML).unwrap();
        file.pass1.trees.push(tree.clone());
        assert!(matches!(
            LineModel::from_file(&file),
            Err(ModelError::TooManyLeaves { pass: "pass1", .. })
        ));
        // One split fewer fits, and walks like the reference.
        let mut fits = tree;
        fits.feature.pop();
        fits.threshold.pop();
        fits.left.pop();
        fits.right.pop();
        fits.leaf.pop();
        *fits.left.last_mut().unwrap() = !0;
        assert!(fits.is_valid(1));
        check_forest(&ForestFile { trees: vec![fits] }, 1);
    }

    #[test]
    fn a_tree_whose_nodes_share_a_child_is_malformed() {
        // Both children of the root are node 1, whose leaves are then reached twice.
        let graph = Tree {
            feature: vec![0, 0],
            threshold: vec![0.5, 1.5],
            left: vec![1, -1],
            right: vec![1, -2],
            leaf: vec![1.0, 2.0],
        };
        assert!(!graph.is_valid(1));
        // An unreachable leaf too.
        let orphan = Tree {
            feature: vec![0],
            threshold: vec![0.5],
            left: vec![-1],
            right: vec![-2],
            leaf: vec![1.0, 2.0, 3.0],
        };
        assert!(!orphan.is_valid(1));
    }

    #[test]
    fn rounding_down() {
        assert!(f32_at_most(0.1) < 0.1_f32);
        assert!(f64::from(f32_at_most(0.1)) <= 0.1);
        assert_eq!(f32_at_most(0.5), 0.5);
        assert!(f64::from(f32_at_most(-0.1)) <= -0.1);
        assert_eq!(f32_at_most(1e300), f32::MAX);
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
