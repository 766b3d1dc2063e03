//! Univariate Cox screening: one `coxph(Surv ~ feature [+ covariates])` per feature, in
//! parallel. The outcome is sorted once and every fit reuses a per-thread workspace, so a
//! feature costs a few passes over the risk sets.
//!
//! Per feature: coefficient, standard error, Wald z and p (as `summary.coxph`), the hazard ratio
//! with its Wald interval, the likelihood-ratio p (feature vs. the covariates-only model) and the
//! score p (score test of the feature at the covariates-only solution), which stay informative
//! for a perfectly separating feature whose Wald p is useless.

use crate::cox::{coxfit6, finish_raw, validate, CoxControl, CoxFit, Design, SortedSurv, Ties, Workspace};
use crate::risk_sets::RiskSetPlan;
use crate::univariate::{ColumnFit, Lanes, LANES};
use std::ops::Range;
use crate::data::SurvData;
use crate::error::SurvivalError;
use crate::stats::{chisq_upper, normal_quantile};
use rayon::ThreadPool;
use rg_core::monitor::in_blocks;
use rg_core::threads::{map_items, workers};
use rg_core::Monitor;

/// Where feature `j` of a block has its value for sorted subject `k` (of `n`): features in
/// groups of `LANES`, each group subject-major, the layout the univariate kernel works in.
fn lane_position(n: usize, j: usize, k: usize) -> usize {
    ((j / LANES) * n + k) * LANES + j % LANES
}

/// Index of the first infinite value (a branch-free scan, vectorized, of all of them first).
fn first_infinite(values: &[f64]) -> Option<usize> {
    let any = values.chunks(4096).any(|chunk| chunk.iter().fold(false, |any, v| any | v.is_infinite()));
    if any {
        values.iter().position(|v| v.is_infinite())
    } else {
        None
    }
}

/// Whether each feature of a lane block (all its groups' lanes) has a missing (NaN) value.
fn missing_in_lane_block(block: &[f64], n: usize) -> Vec<bool> {
    let mut missing = Vec::with_capacity(block.len() / n.max(1));
    for group in block.chunks_exact(n.max(1) * LANES) {
        let mut any = [false; LANES];
        for subject in group.chunks_exact(LANES) {
            for lane in 0..LANES {
                any[lane] |= subject[lane].is_nan();
            }
        }
        missing.extend(any);
    }
    missing
}

/// How the feature values are laid out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FeatureLayout {
    /// Each feature's values are contiguous (a samples × features data frame / R matrix).
    FeatureMajor,
    /// Each sample's values are contiguous (an R genes × samples matrix).
    SampleMajor,
}

#[derive(Debug, Clone, Copy)]
pub struct Features<'a> {
    pub values: &'a [f64],
    pub n_features: usize,
    pub n_samples: usize,
    pub layout: FeatureLayout,
}

impl<'a> Features<'a> {
    pub fn new(values: &'a [f64], n_features: usize, n_samples: usize, layout: FeatureLayout) -> Result<Self, SurvivalError> {
        crate::data::check_length("x", values.len(), n_features * n_samples)?;
        Ok(Features { values, n_features, n_samples, layout })
    }

    /// (feature, sample) of the value at `index` in storage order.
    fn position(&self, index: usize) -> (usize, usize) {
        match self.layout {
            FeatureLayout::FeatureMajor => (index / self.n_samples.max(1), index % self.n_samples.max(1)),
            FeatureLayout::SampleMajor => (index % self.n_features.max(1), index / self.n_features.max(1)),
        }
    }

    /// The values of the features in `range` at the samples `order`, in the lanes' layout of
    /// the univariate kernel (see [`lane_position`]; the last group padded with zeros).
    fn sorted_lane_block(&self, range: Range<usize>, order: &[usize]) -> Vec<f64> {
        let n = order.len();
        let mut block = vec![0.0; range.len().div_ceil(LANES) * n * LANES];
        match self.layout {
            FeatureLayout::FeatureMajor => {
                for (j, f) in range.enumerate() {
                    let source = &self.values[f * self.n_samples..(f + 1) * self.n_samples];
                    for (k, &sample) in order.iter().enumerate() {
                        block[lane_position(n, j, k)] = source[sample];
                    }
                }
            }
            FeatureLayout::SampleMajor => {
                // each sample's features are contiguous: read them row by row, a lane group's
                // values at a time (contiguous in the block too)
                for (k, &sample) in order.iter().enumerate() {
                    let source = &self.values[sample * self.n_features + range.start..sample * self.n_features + range.end];
                    let (groups, rest) = source.as_chunks::<LANES>();
                    for (group, values) in groups.iter().enumerate() {
                        let at = lane_position(n, group * LANES, k);
                        block[at..at + LANES].copy_from_slice(values);
                    }
                    if !rest.is_empty() {
                        let at = lane_position(n, groups.len() * LANES, k);
                        block[at..at + rest.len()].copy_from_slice(rest);
                    }
                }
            }
        }
        block
    }

    pub fn get(&self, feature: usize, sample: usize) -> f64 {
        match self.layout {
            FeatureLayout::FeatureMajor => self.values[feature * self.n_samples + sample],
            FeatureLayout::SampleMajor => self.values[sample * self.n_features + feature],
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScreenOptions {
    pub ties: Ties,
    pub control: CoxControl,
    /// Level of the hazard-ratio interval.
    pub conf_level: f64,
    pub n_threads: usize,
}

impl Default for ScreenOptions {
    fn default() -> Self {
        ScreenOptions { ties: Ties::Efron, control: CoxControl::default(), conf_level: 0.95, n_threads: 1 }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct ScreenRow {
    pub coef: f64,
    pub hr: f64,
    pub lower: f64,
    pub upper: f64,
    pub se: f64,
    pub z: f64,
    pub p: f64,
    pub p_lr: f64,
    pub p_score: f64,
    /// Benjamini–Hochberg adjusted Wald p over all features.
    pub padj: f64,
    pub n: usize,
    pub nevent: usize,
    pub converged: bool,
    pub infinite: bool,
    pub iter: usize,
}

impl ScreenRow {
    fn missing(n: usize, nevent: usize) -> Self {
        let nan = f64::NAN;
        ScreenRow { coef: nan, hr: nan, lower: nan, upper: nan, se: nan, z: nan, p: nan, p_lr: nan, p_score: nan, padj: nan, n, nevent, converged: false, infinite: false, iter: 0 }
    }
}

/// The covariates-only model every feature is compared with.
struct Baseline {
    loglik: f64,
    coef: Vec<f64>,
    df: usize,
}

const BLOCK: usize = 512;
/// Features per task: for the lane kernel, many lane refills, and long contiguous reads of an
/// R genes x samples matrix (a sample's features), which gathering the block is bound by.
const CHUNK: usize = 256;

/// One Cox model per feature. `NaN` feature values are missing: that feature is fitted on its
/// complete samples (and time-fixed afresh, as `coxph` would). `covariates` (samples × q,
/// column-major, complete) enter every model after the feature.
pub fn cox_screen(
    surv: &SurvData,
    features: &Features,
    covariates: Option<&Design>,
    options: &ScreenOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<ScreenRow>, SurvivalError> {
    crate::data::check_length("x", features.n_samples, surv.len())?;
    let empty = Design { values: &[], n: surv.len(), p: 0 };
    let covariates = covariates.copied().unwrap_or(empty);
    validate(surv, &covariates)?;
    if let Some(bad) = first_infinite(features.values) {
        let (feature, sample) = features.position(bad);
        let count = features.values.iter().filter(|v| v.is_infinite()).count();
        return Err(SurvivalError::invalid(
            "x",
            format!("has {count} infinite values (the first: feature {}, sample {})", feature + 1, sample + 1),
        ));
    }
    if !(options.conf_level > 0.0 && options.conf_level < 1.0) {
        return Err(SurvivalError::invalid("conf.level", "must be between 0 and 1"));
    }
    let pool = workers(options.n_threads).map_err(|e| SurvivalError::invalid("n_threads", e.to_string()))?;
    let shared = Shared::new(surv, &covariates, options);
    let mut rows: Vec<ScreenRow> = Vec::with_capacity(features.n_features);
    in_blocks(features.n_features, BLOCK, monitor, |range| -> Result<(), SurvivalError> {
        rows.extend(shared.fit_block(features, range, pool.as_ref()));
        Ok(())
    })?;
    let p: Vec<f64> = rows.iter().map(|r| r.p).collect();
    for (row, adj) in rows.iter_mut().zip(rg_core::adjust::benjamini_hochberg(&p)) {
        row.padj = adj;
    }
    Ok(rows)
}

/// What every feature's fit shares: the sorted outcome, the covariates already in the
/// workspace, the baseline model.
struct Shared<'a> {
    surv: &'a SurvData,
    covariates: &'a Design<'a>,
    sorted: SortedSurv,
    /// The risk-set sweep of the univariate kernel.
    plan: RiskSetPlan,
    workspace: Workspace,
    baseline: Baseline,
    options: &'a ScreenOptions,
    z: f64,
}

impl<'a> Shared<'a> {
    fn new(surv: &'a SurvData, covariates: &'a Design<'a>, options: &'a ScreenOptions) -> Self {
        let sorted = SortedSurv::new(surv);
        let workspace = workspace_with_covariates(&sorted, covariates);
        let baseline = fit_baseline(surv, &sorted, covariates, options);
        let plan = RiskSetPlan::new(&sorted, options.ties);
        Shared { surv, covariates, sorted, plan, workspace, baseline, options, z: normal_quantile(1.0 - (1.0 - options.conf_level) / 2.0) }
    }

    fn fit_block(&self, features: &Features, range: Range<usize>, pool: Option<&ThreadPool>) -> Vec<ScreenRow> {
        let chunks: Vec<Range<usize>> = range.clone().step_by(CHUNK).map(|s| s..(s + CHUNK).min(range.end)).collect();
        let rows = map_items(pool, &chunks, |chunk| {
            if self.covariates.p > 0 {
                self.fit_adjusted(features, chunk.clone())
            } else {
                self.fit_unadjusted(features, chunk.clone())
            }
        });
        rows.concat()
    }

    /// Features with covariates, one after another in a workspace holding the covariates.
    fn fit_adjusted(&self, features: &Features, chunk: Range<usize>) -> Vec<ScreenRow> {
        let mut work = self.workspace.clone();
        chunk.map(|f| self.fit_feature(features, f, &mut work)).collect()
    }

    /// Features without covariates, fitted in lanes (those with missing values one by one).
    fn fit_unadjusted(&self, features: &Features, chunk: Range<usize>) -> Vec<ScreenRow> {
        let n = self.surv.len();
        let first = chunk.start;
        let mut block = features.sorted_lane_block(chunk.clone(), &self.sorted.order);
        let mut rows: Vec<Option<ScreenRow>> = vec![None; chunk.len()];
        let missing = missing_in_lane_block(&block, n);
        let (with_missing, complete): (Vec<usize>, Vec<usize>) = (0..chunk.len()).partition(|&j| missing[j]);
        for j in with_missing {
            rows[j] = Some(self.fit_feature_subset(features, first + j));
        }
        let nevent = self.surv.n_events();
        let control = self.options.control;
        let emit = |j: usize, fit: ColumnFit, max_lp: f64| {
            let summary = FeatureFit::from_column(&fit, max_lp, &control, n, nevent);
            rows[j] = Some(univariate_row(&summary, fit.loglik, fit.sctest, self.z));
        };
        Lanes::new(&self.sorted, &self.plan, control).fit_block(&mut block, &complete, emit);
        rows.into_iter().map(|row| row.expect("every feature of the chunk was fitted")).collect()
    }

    fn fit_feature(&self, features: &Features, f: usize, work: &mut Workspace) -> ScreenRow {
        let n = self.surv.len();
        let has_missing = (0..n).any(|s| features.get(f, s).is_nan());
        if has_missing {
            return self.fit_feature_subset(features, f);
        }
        let values = self.sorted.order.iter().map(|&row| features.get(f, row));
        load_feature(work, values, self.covariates, &self.sorted);
        let nevent = self.surv.n_events();
        fit_one(&self.sorted, work, &self.baseline, self.options, self.z, n, nevent)
    }

    /// A feature with missing values: its own complete-case problem (rare, so not optimised).
    fn fit_feature_subset(&self, features: &Features, f: usize) -> ScreenRow {
        let keep: Vec<usize> = (0..self.surv.len()).filter(|&s| !features.get(f, s).is_nan()).collect();
        let surv = self.surv.subset(&keep);
        let nevent = surv.n_events();
        if nevent < 2 {
            return ScreenRow::missing(keep.len(), nevent);
        }
        let q = self.covariates.p;
        let cov_values: Vec<f64> = (0..q).flat_map(|j| keep.iter().map(move |&s| self.covariates.get(s, j))).collect();
        let covariates = Design { values: &cov_values, n: keep.len(), p: q };
        let sorted = SortedSurv::new(&surv);
        let mut work = workspace_with_covariates(&sorted, &covariates);
        let baseline = fit_baseline(&surv, &sorted, &covariates, self.options);
        let values = sorted.order.iter().map(|&local| features.get(f, keep[local]));
        load_feature(&mut work, values, &covariates, &sorted);
        fit_one(&sorted, &mut work, &baseline, self.options, self.z, keep.len(), nevent)
    }
}

/// A workspace for (feature + q covariates) with the covariate columns 1..=q loaded.
fn workspace_with_covariates(sorted: &SortedSurv, covariates: &Design) -> Workspace {
    let q = covariates.p;
    let mut work = Workspace::new(sorted.len(), q + 1);
    for j in 0..q {
        let column = sorted.order.iter().map(|&row| covariates.get(row, j));
        work.set_sorted_column(j + 1, column, true);
    }
    work
}

/// coxfit6 centres columns in place, so the covariate columns are reloaded for every feature.
fn load_feature(work: &mut Workspace, values: impl Iterator<Item = f64>, covariates: &Design, sorted: &SortedSurv) {
    work.set_sorted_column(0, values, true);
    for j in 0..covariates.p {
        let column = sorted.order.iter().map(|&row| covariates.get(row, j));
        work.set_sorted_column(j + 1, column, true);
    }
}

fn fit_baseline(surv: &SurvData, sorted: &SortedSurv, covariates: &Design, options: &ScreenOptions) -> Baseline {
    if covariates.p == 0 {
        let mut work = Workspace::new(sorted.len(), 0);
        return Baseline { loglik: crate::cox::iterate(sorted, &mut work, options.ties, &[]), coef: Vec::new(), df: 0 };
    }
    let mut work = Workspace::new(sorted.len(), covariates.p);
    work.load(sorted, covariates, true);
    let raw = coxfit6(sorted, &mut work, &vec![0.0; covariates.p], options.ties, &options.control);
    let fit = finish_raw(&raw, covariates.p, surv.len(), surv.n_events(), f64::NEG_INFINITY, options.control, None);
    let df = fit.df();
    // aliased covariates start the score test at 0, as coxph(init = ) would need
    let coef = fit.coef.iter().map(|c| if c.is_nan() { 0.0 } else { *c }).collect();
    Baseline { loglik: fit.loglik[1], coef, df }
}

fn fit_one(sorted: &SortedSurv, work: &mut Workspace, baseline: &Baseline, options: &ScreenOptions, z: f64, n: usize, nevent: usize) -> ScreenRow {
    let p = work.p;
    let original_columns: Option<Vec<f64>> = if baseline.coef.is_empty() { None } else { Some(work.covar.clone()) };
    let raw = coxfit6(sorted, work, &vec![0.0; p], options.ties, &options.control);
    let max_lp = max_linear_predictor(work, &raw.coef);
    let fit = finish_raw(&raw, p, n, nevent, max_lp, options.control, None);
    let Some(columns) = original_columns else {
        return univariate_row(&FeatureFit::from_cox(&fit), fit.loglik, fit.score, z);
    };
    let df_gain = fit.df() as f64 - baseline.df as f64;
    let lr = 2.0 * (fit.loglik[1] - baseline.loglik);
    let (p_score, p_lr) = if fit.aliased[0] {
        (f64::NAN, f64::NAN)
    } else {
        // score test of the feature at (0, covariate solution)
        work.covar.copy_from_slice(&columns);
        let mut init = vec![0.0; p];
        init[1..].copy_from_slice(&baseline.coef);
        let control = CoxControl { iter_max: 0, ..options.control };
        let at_baseline = coxfit6(sorted, work, &init, options.ties, &control);
        (chisq_upper(at_baseline.sctest, df_gain), chisq_upper(lr, df_gain))
    };
    feature_row(&FeatureFit::from_cox(&fit), p_score, p_lr, z)
}

/// What a row needs from a fit: the feature's (first) coefficient and the fit's flags.
struct FeatureFit {
    coef: f64,
    var: f64,
    aliased: bool,
    converged: bool,
    infinite: bool,
    iter: usize,
    n: usize,
    nevent: usize,
}

impl FeatureFit {
    fn from_cox(fit: &CoxFit) -> Self {
        FeatureFit {
            coef: fit.coef[0],
            var: fit.var[0],
            aliased: fit.aliased[0],
            converged: fit.converged,
            infinite: fit.infinite[0] || fit.any_infinite,
            iter: fit.iter,
            n: fit.n,
            nevent: fit.nevent,
        }
    }

    fn from_column(fit: &ColumnFit, max_lp: f64, control: &CoxControl, n: usize, nevent: usize) -> Self {
        let summary = fit.summarize(max_lp, control);
        FeatureFit {
            coef: summary.coef,
            var: fit.var,
            aliased: summary.aliased,
            converged: summary.converged,
            infinite: summary.infinite,
            iter: fit.iter,
            n,
            nevent,
        }
    }
}

/// A feature's row without covariates: LR and score tests against the null model, whose
/// log-likelihood is the fit's own `loglik[0]` (the fit starts at 0).
fn univariate_row(fit: &FeatureFit, loglik: [f64; 2], score: f64, z: f64) -> ScreenRow {
    let (p_score, p_lr) = if fit.aliased {
        (f64::NAN, f64::NAN)
    } else {
        (chisq_upper(score, 1.0), chisq_upper(2.0 * (loglik[1] - loglik[0]), 1.0))
    };
    feature_row(fit, p_score, p_lr, z)
}

fn feature_row(fit: &FeatureFit, p_score: f64, p_lr: f64, z: f64) -> ScreenRow {
    let coef = fit.coef;
    // coxph reports se 0 for an aliased column; NA is the honest value in a table
    let se = if fit.aliased { f64::NAN } else { fit.var.sqrt() };
    let zval = coef / se;
    ScreenRow {
        coef,
        hr: coef.exp(),
        lower: (coef - z * se).exp(),
        upper: (coef + z * se).exp(),
        se,
        z: zval,
        p: chisq_upper(zval * zval, 1.0),
        p_lr,
        p_score,
        padj: f64::NAN,
        n: fit.n,
        nevent: fit.nevent,
        converged: fit.converged,
        infinite: fit.infinite,
        iter: fit.iter,
    }
}

/// The largest linear predictor, from the centred and scaled columns left in the workspace.
fn max_linear_predictor(work: &Workspace, coef: &[f64]) -> f64 {
    let p = work.p;
    let n = work.covar.len() / p.max(1);
    let mut best = f64::NEG_INFINITY;
    for k in 0..n {
        // covar is centred and scaled; coef is on the original scale, so undo the scale
        let lp: f64 = (0..p).map(|i| work.covar[k * p + i] / work.scale_of(i) * coef[i]).sum();
        best = best.max(lp);
    }
    best
}
