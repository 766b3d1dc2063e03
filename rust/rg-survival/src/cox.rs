//! Cox proportional hazards fit: a port of survival 3.5-3's `coxfit6.c` (Newton–Raphson from
//! `init`, centred and scaled covariates, step halving, convergence on the relative change of the
//! log partial likelihood) plus the post-processing of `coxph.fit()` and `coxph()` (aliased
//! columns -> NA, the `toler.inf` infinite-coefficient check, Wald test, concordance).
//!
//! Copying the iteration, not just the model, is what makes the numbers equal survival's to ~1e-12:
//! iterating "to full convergence" would land up to 1e-8 away from survival's own answer.

use crate::concordance::{concordance, Concordance};
use crate::cox_fast::{iterate_fast, FastSums};
use crate::data::{check_length, SurvData};
use crate::error::SurvivalError;
use crate::linalg::{chinv2, cholesky2, chsolve2, wald_test};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ties {
    Breslow,
    Efron,
}

/// `coxph.control()`.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CoxControl {
    pub eps: f64,
    pub toler_chol: f64,
    pub iter_max: usize,
    pub toler_inf: f64,
}

impl Default for CoxControl {
    fn default() -> Self {
        let eps = 1e-9;
        CoxControl { eps, toler_chol: f64::EPSILON.powf(0.75), iter_max: 20, toler_inf: eps.sqrt() }
    }
}

/// A design matrix as R stores it: column-major, `n` rows × `p` columns.
#[derive(Debug, Clone, Copy)]
pub struct Design<'a> {
    pub values: &'a [f64],
    pub n: usize,
    pub p: usize,
}

impl<'a> Design<'a> {
    pub fn new(values: &'a [f64], n: usize, p: usize) -> Result<Self, SurvivalError> {
        check_length("x", values.len(), n * p)?;
        Ok(Design { values, n, p })
    }

    pub fn get(&self, row: usize, col: usize) -> f64 {
        self.values[col * self.n + row]
    }

    pub fn column(&self, col: usize) -> &'a [f64] {
        &self.values[col * self.n..(col + 1) * self.n]
    }
}

/// Everything `coxph()` does not take from the formula.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxOptions {
    pub ties: Ties,
    pub control: CoxControl,
    /// Starting values (`init`); zeros when absent.
    pub init: Option<Vec<f64>>,
    /// Leave columns whose values are all in {-1, 0, 1} uncentred (coxph's `nocenter`).
    pub nocenter: bool,
    /// Compute the concordance (not needed while screening or stepping).
    pub concordance: bool,
}

impl Default for CoxOptions {
    fn default() -> Self {
        CoxOptions { ties: Ties::Efron, control: CoxControl::default(), init: None, nocenter: true, concordance: true }
    }
}

/// A fitted Cox model, with the fields of a `coxph` object.
#[derive(Debug, Clone, PartialEq)]
pub struct CoxFit {
    /// Coefficients; NaN (R's NA) for aliased columns.
    pub coef: Vec<f64>,
    /// p × p variance matrix (row-major, symmetric); zero rows/columns for aliased columns.
    pub var: Vec<f64>,
    /// Log partial likelihood at `init` and at the solution.
    pub loglik: [f64; 2],
    /// Score test statistic at `init`.
    pub score: f64,
    /// Wald test statistic (non-aliased coefficients).
    pub wald: f64,
    /// Newton–Raphson iterations used (survival's count: `iter_max + 1` when it ran out).
    pub iter: usize,
    /// survival's flag: rank of the information matrix, -2 when the last step was halved,
    /// 1000 when iterations ran out.
    pub flag: i32,
    pub converged: bool,
    /// Per-coefficient "Loglik converged before variable ...; coefficient may be infinite".
    pub infinite: Vec<bool>,
    /// Non-convergence with a huge linear predictor: "one or more coefficients may be infinite".
    pub any_infinite: bool,
    pub aliased: Vec<bool>,
    /// Column means used for centring (0 for uncentred columns).
    pub means: Vec<f64>,
    /// Score vector at the solution.
    pub u: Vec<f64>,
    /// Linear predictors in the input row order (centred as survival centres them).
    pub linear_predictors: Vec<f64>,
    pub n: usize,
    pub nevent: usize,
    pub concordance: Option<Concordance>,
}

impl CoxFit {
    pub fn p(&self) -> usize {
        self.coef.len()
    }

    /// Number of estimated (non-aliased) coefficients: the degrees of freedom of the LR test.
    pub fn df(&self) -> usize {
        self.aliased.iter().filter(|&&a| !a).count()
    }

    /// `extractAIC(fit, k = k)[2]`.
    pub fn aic(&self, k: f64) -> f64 {
        extract_aic(self.loglik[1], self.df(), k)
    }

    pub fn se(&self) -> Vec<f64> {
        let p = self.p();
        (0..p).map(|i| self.var[i * p + i].sqrt()).collect()
    }
}

/// `extractAIC()` of a Cox model: -2 log L + k × (number of non-NA coefficients).
pub(crate) fn extract_aic(loglik: f64, df: usize, k: f64) -> f64 {
    -2.0 * loglik + k * df as f64
}

/// What a stepwise candidate needs from a fit.
#[derive(Debug, Clone)]
pub(crate) struct FitSummary {
    /// Coefficients (original scale); NaN where aliased.
    pub coef: Vec<f64>,
    pub loglik: f64,
    /// Number of non-aliased coefficients.
    pub df: usize,
    /// Converged without step halving or an infinite coefficient: a safe starting point.
    pub clean: bool,
}

impl FitSummary {
    pub(crate) fn of(fit: &CoxFit) -> Self {
        let clean = fit.converged && fit.flag != -2 && !fit.any_infinite && !fit.infinite.iter().any(|&f| f);
        FitSummary { coef: fit.coef.clone(), loglik: fit.loglik[1], df: fit.df(), clean }
    }
}

/// Fits a Cox model of `surv` on the columns of `x` (like `coxph(Surv ~ x)`).
pub fn cox_fit(surv: &SurvData, x: &Design, options: &CoxOptions) -> Result<CoxFit, SurvivalError> {
    validate(surv, x)?;
    if let Some(init) = &options.init {
        check_length("init", init.len(), x.p)?;
    }
    let sorted = SortedSurv::new(surv);
    let mut work = Workspace::new(surv.len(), x.p);
    work.load(&sorted, x, options.nocenter);
    let init = options.init.clone().unwrap_or_else(|| vec![0.0; x.p]);
    let raw = coxfit6(&sorted, &mut work, &init, options.ties, &options.control);
    let mut fit = finish(surv, x, &raw, options.control, options.init.as_deref());
    if options.concordance {
        fit.concordance = Some(concordance(surv, &fit.linear_predictors));
    }
    Ok(fit)
}

/// The log partial likelihood of the model with no covariates (`coxph(Surv ~ 1)$loglik`).
pub fn null_loglik(surv: &SurvData, ties: Ties) -> f64 {
    let sorted = SortedSurv::new(surv);
    let mut work = Workspace::new(surv.len(), 0);
    iterate(&sorted, &mut work, ties, &[])
}

pub(crate) fn validate(surv: &SurvData, x: &Design) -> Result<(), SurvivalError> {
    check_length("x", x.n, surv.len())?;
    if let Some(bad) = x.values.iter().position(|v| !v.is_finite()) {
        let row = bad % x.n.max(1);
        let count = x.values.iter().filter(|v| !v.is_finite()).count();
        return Err(SurvivalError::NonFinite { arg: "x".into(), count, rows: (row + 1).to_string() });
    }
    let events = surv.n_events();
    if events < 2 {
        return Err(SurvivalError::TooFewEvents { events });
    }
    Ok(())
}

/// The outcome sorted by (stratum, time), as `coxph.fit()` hands it to `coxfit6`.
#[derive(Debug, Clone)]
pub struct SortedSurv {
    /// `order[k]` = input row at sorted position k.
    pub order: Vec<usize>,
    pub time: Vec<f64>,
    pub status: Vec<bool>,
    pub weights: Vec<f64>,
    /// true for the last subject of a stratum (survival's `strata` vector).
    pub last_in_stratum: Vec<bool>,
}

impl SortedSurv {
    pub fn new(surv: &SurvData) -> Self {
        let order = surv.order_by_stratum_time();
        let n = order.len();
        let mut last: Vec<bool> = (0..n)
            .map(|k| k + 1 < n && surv.strata[order[k]] != surv.strata[order[k + 1]])
            .collect();
        if let Some(l) = last.last_mut() {
            *l = true;
        }
        SortedSurv {
            time: order.iter().map(|&i| surv.time[i]).collect(),
            status: order.iter().map(|&i| surv.status[i]).collect(),
            weights: order.iter().map(|&i| surv.weights[i]).collect(),
            last_in_stratum: last,
            order,
        }
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }
}

/// coxfit6's arrays, reusable across fits of the same size (screening, stepwise).
#[derive(Debug, Clone)]
pub struct Workspace {
    pub(crate) p: usize,
    /// Covariates in sorted order, subject-major: `covar[person * p + i]`.
    pub(crate) covar: Vec<f64>,
    pub(crate) doscale: Vec<bool>,
    /// Accumulate p >= 2 sums with reordered arithmetic (a few ulps from survival's; for the
    /// candidate fits of stepwise selection, whose log-likelihoods only rank models).
    pub(crate) fast_sums: bool,
    pub(crate) a: Vec<f64>,
    pub(crate) a2: Vec<f64>,
    newbeta: Vec<f64>,
    beta: Vec<f64>,
    scale: Vec<f64>,
    means: Vec<f64>,
    pub(crate) u: Vec<f64>,
    cmat: Vec<f64>,
    cmat2: Vec<f64>,
    pub(crate) imat: Vec<f64>,
    /// Scratch of the `fast_sums` iteration (allocated on first use).
    pub(crate) fast: FastSums,
}

impl Workspace {
    pub fn new(n: usize, p: usize) -> Self {
        Workspace {
            p,
            covar: vec![0.0; n * p],
            doscale: vec![true; p],
            fast_sums: false,
            a: vec![0.0; p],
            a2: vec![0.0; p],
            newbeta: vec![0.0; p],
            beta: vec![0.0; p],
            scale: vec![1.0; p],
            means: vec![0.0; p],
            u: vec![0.0; p],
            cmat: vec![0.0; p * p],
            cmat2: vec![0.0; p * p],
            imat: vec![0.0; p * p],
            fast: FastSums::default(),
        }
    }

    /// The state of `Workspace::new(n, p)` again, in the allocations already made (many
    /// small fits in a row would otherwise pay for fresh, page-faulting memory each time).
    pub(crate) fn reset(&mut self, n: usize, p: usize) {
        self.p = p;
        refill(&mut self.covar, n * p, 0.0);
        refill(&mut self.doscale, p, true);
        self.fast_sums = false;
        for v in [&mut self.a, &mut self.a2, &mut self.newbeta, &mut self.beta, &mut self.means, &mut self.u] {
            refill(v, p, 0.0);
        }
        refill(&mut self.scale, p, 1.0);
        for m in [&mut self.cmat, &mut self.cmat2, &mut self.imat] {
            refill(m, p * p, 0.0);
        }
    }

    /// Copies the columns of `x` in sorted order and decides which to centre.
    pub fn load(&mut self, sorted: &SortedSurv, x: &Design, nocenter: bool) {
        let p = self.p;
        for (k, &row) in sorted.order.iter().enumerate() {
            for i in 0..p {
                self.covar[k * p + i] = x.get(row, i);
            }
        }
        for i in 0..p {
            self.doscale[i] = needs_centring(x.column(i), nocenter);
        }
    }

    /// The scale coxfit6 applied to column `i` in the last fit.
    pub(crate) fn scale_of(&self, i: usize) -> f64 {
        self.scale[i]
    }

    /// Sets column `i` from values already in sorted order.
    pub(crate) fn set_sorted_column(&mut self, i: usize, values: impl Iterator<Item = f64>, nocenter: bool) {
        let p = self.p;
        let mut all_unit = true;
        for (k, v) in values.enumerate() {
            self.covar[k * p + i] = v;
            all_unit &= is_nocenter_value(v);
        }
        self.doscale[i] = !(nocenter && all_unit);
    }
}

/// `v` as `vec![value; len]`, keeping its allocation.
pub(crate) fn refill<T: Clone>(v: &mut Vec<T>, len: usize, value: T) {
    v.clear();
    v.resize(len, value);
}

/// What `coxfit6` returns (on the original covariate scale).
#[derive(Debug, Clone)]
pub(crate) struct RawFit {
    pub coef: Vec<f64>,
    pub means: Vec<f64>,
    pub u: Vec<f64>,
    pub imat: Vec<f64>,
    pub loglik: [f64; 2],
    pub sctest: f64,
    pub iter: usize,
    pub flag: i32,
    pub maxiter: usize,
}

/// The Newton–Raphson driver of `coxfit6.c`. `work.covar` holds the sorted covariates and is
/// centred/scaled in place.
pub(crate) fn coxfit6(sorted: &SortedSurv, work: &mut Workspace, init: &[f64], ties: Ties, control: &CoxControl) -> RawFit {
    center_and_scale(sorted, work);
    if work.p == 1 {
        let fit = crate::univariate::fit_one_column(sorted, &work.covar, init[0], work.means[0], work.scale[0], ties, control);
        if !fit.is_fragile(control) {
            return fit.into_raw();
        }
    }
    newton(sorted, work, init, ties, control)
}

/// `coxfit6` for a column already centred and scaled (mean and scale given) with survival's
/// arithmetic throughout.
pub(crate) fn coxfit6_exact_column(sorted: &SortedSurv, column: &[f64], mean: f64, scale: f64, ties: Ties, control: &CoxControl) -> RawFit {
    let mut work = Workspace::new(sorted.len(), 1);
    work.covar.copy_from_slice(column);
    work.means[0] = mean;
    work.scale[0] = scale;
    newton(sorted, &mut work, &[0.0], ties, control)
}

/// `coxfit6` and `finish_raw` for a fit whose variance is not reported (stepwise candidates).
/// A converged full-rank fit skips the inversion of the information: the infinite-coefficient
/// check needs only var × u, one solve with the Cholesky factor. Other fits take the full path
/// (with redundant columns the check depends on chinv2's generalized inverse).
pub(crate) fn coxfit6_summary(
    sorted: &SortedSurv,
    work: &mut Workspace,
    init: &[f64],
    ties: Ties,
    control: &CoxControl,
    nevent: usize,
) -> FitSummary {
    let (n, p) = (sorted.len(), work.p);
    let full = |raw: &RawFit| FitSummary::of(&finish_raw(raw, p, n, nevent, f64::NEG_INFINITY, *control, None));
    if p < 2 {
        return full(&coxfit6(sorted, work, init, ties, control));
    }
    center_and_scale(sorted, work);
    let end = newton_steps(sorted, work, init, ties, control);
    if end.flag != 1000 && end.flag == p as i32 && end.maxiter > 1 {
        return full_rank_summary(work, &end, control);
    }
    full(&with_variance(work, end))
}

/// `finish_raw`'s coefficients and infinite-coefficient check from the Cholesky factor in
/// `work.imat`: on the original scale, var × u = S (V u_scaled), V the inverse of the scaled
/// information and S the diagonal of scales.
fn full_rank_summary(work: &Workspace, end: &NewtonEnd, control: &CoxControl) -> FitSummary {
    let p = work.p;
    let mut var_u = work.u.clone();
    chsolve2(&work.imat, p, &mut var_u);
    let coef: Vec<f64> = end.beta.iter().zip(&work.scale).map(|(b, s)| b * s).collect();
    let infinite = (0..p).any(|j| {
        let u = work.u[j] / work.scale[j];
        let infs = (var_u[j] * work.scale[j]).abs();
        !u.is_finite() || (infs > control.eps && infs > control.toler_inf * coef[j].abs())
    });
    FitSummary { coef, loglik: end.loglik[1], df: p, clean: !infinite }
}

/// coxfit6's Newton–Raphson on the centred, scaled columns in `work`.
fn newton(sorted: &SortedSurv, work: &mut Workspace, init: &[f64], ties: Ties, control: &CoxControl) -> RawFit {
    let end = newton_steps(sorted, work, init, ties, control);
    with_variance(work, end)
}

/// Where coxfit6's iteration stopped, before the information matrix is inverted. `work.imat`
/// holds the Cholesky factor at `beta` (out of iterations: the information itself, which survival
/// inverts without a fresh factorization).
struct NewtonEnd {
    /// Coefficients on the centred, scaled covariates.
    beta: Vec<f64>,
    loglik: [f64; 2],
    sctest: f64,
    iter: usize,
    flag: i32,
    maxiter: usize,
}

/// coxfit6's end: the inverse of the information (`chinv2`) and the original scale.
fn with_variance(work: &mut Workspace, end: NewtonEnd) -> RawFit {
    chinv2(&mut work.imat, work.p);
    let coef = rescale(work, &end.beta);
    RawFit {
        coef,
        means: work.means.clone(),
        u: work.u.clone(),
        imat: work.imat.clone(),
        loglik: end.loglik,
        sctest: end.sctest,
        iter: end.iter,
        flag: end.flag,
        maxiter: end.maxiter,
    }
}

/// coxfit6's iteration up to (not including) the inversion of the information matrix.
fn newton_steps(sorted: &SortedSurv, work: &mut Workspace, init: &[f64], ties: Ties, control: &CoxControl) -> NewtonEnd {
    let p = work.p;
    let maxiter = control.iter_max;
    for i in 0..p {
        work.beta[i] = init[i] / work.scale[i];
    }
    let mut iter = 0;
    let beta0 = work.beta.clone();
    let loglik0 = iterate(sorted, work, ties, &beta0);
    let mut loglik1 = loglik0;
    work.a.copy_from_slice(&work.u);
    let mut flag = cholesky2(&mut work.imat, p, control.toler_chol);
    chsolve2(&work.imat, p, &mut work.a);
    let sctest: f64 = (0..p).map(|i| work.u[i] * work.a[i]).fold(0.0, |s, v| s + v);

    if maxiter == 0 || !loglik0.is_finite() {
        return NewtonEnd { beta: beta0, loglik: [loglik0, loglik1], sctest, iter, flag, maxiter };
    }

    for i in 0..p {
        work.newbeta[i] = work.beta[i] + work.a[i];
    }
    let mut halving = 0usize;
    iter = 1;
    while iter <= maxiter {
        let newbeta = std::mem::take(&mut work.newbeta);
        let newlk = iterate(sorted, work, ties, &newbeta);
        work.newbeta = newbeta;
        flag = cholesky2(&mut work.imat, p, control.toler_chol);
        let notfinite = work.u.iter().any(|v| !v.is_finite())
            || work.imat.iter().any(|v| !v.is_finite())
            || !newlk.is_finite();
        if !notfinite && (1.0 - loglik1 / newlk).abs() <= control.eps {
            loglik1 = newlk;
            if halving > 0 {
                flag = -2;
            }
            let beta = work.newbeta.clone();
            return NewtonEnd { beta, loglik: [loglik0, loglik1], sctest, iter, flag, maxiter };
        }
        if notfinite || newlk < loglik1 {
            halving += 1;
            let h = halving as f64;
            for i in 0..p {
                work.newbeta[i] = (work.newbeta[i] + h * work.beta[i]) / (h + 1.0);
            }
        } else {
            halving = 0;
            loglik1 = newlk;
            chsolve2(&work.imat, p, &mut work.u);
            for i in 0..p {
                work.beta[i] = work.newbeta[i];
                work.newbeta[i] += work.u[i];
            }
        }
        iter += 1;
    }
    // out of iterations: recompute the last good imat and u (as survival does, imat is
    // inverted without a fresh factorization)
    let beta = std::mem::take(&mut work.beta);
    if maxiter > 1 {
        loglik1 = iterate(sorted, work, ties, &beta);
    }
    work.beta = beta.clone();
    NewtonEnd { beta, loglik: [loglik0, loglik1], sctest, iter, flag: 1000, maxiter }
}

/// Subtracts the weighted mean of each centred column and scales it to mean absolute value 1.
fn center_and_scale(sorted: &SortedSurv, work: &mut Workspace) {
    let p = work.p;
    let total_weight = sorted.weights.iter().fold(0.0, |s, w| s + w);
    for i in 0..p {
        let (mean, scale) = if work.doscale[i] {
            center_and_scale_column(&sorted.weights, total_weight, &mut work.covar, p, i)
        } else {
            (0.0, 1.0)
        };
        work.means[i] = mean;
        work.scale[i] = scale;
    }
}

/// Centres and scales the column at `offset` of `data` (subject-major with `stride` values
/// per subject); returns its weighted mean and the scale factor.
pub(crate) fn center_and_scale_column(weights: &[f64], total_weight: f64, data: &mut [f64], stride: usize, offset: usize) -> (f64, f64) {
    let n = weights.len();
    let mut temp = 0.0;
    for person in 0..n {
        temp += weights[person] * data[person * stride + offset];
    }
    temp /= total_weight;
    for person in 0..n {
        data[person * stride + offset] -= temp;
    }
    let mut abs_sum = 0.0;
    for person in 0..n {
        abs_sum += weights[person] * data[person * stride + offset].abs();
    }
    let scale = if abs_sum > 0.0 { total_weight / abs_sum } else { 1.0 };
    for person in 0..n {
        data[person * stride + offset] *= scale;
    }
    (temp, scale)
}

/// Whether coxph centres a column: not when all its values are in {-1, 0, 1} (`nocenter`).
pub(crate) fn needs_centring(values: &[f64], nocenter: bool) -> bool {
    !(nocenter && values.iter().all(|&v| is_nocenter_value(v)))
}

/// A value of coxph's `nocenter` set: -1, 0 or 1.
pub(crate) fn is_nocenter_value(v: f64) -> bool {
    v == 0.0 || v == 1.0 || v == -1.0
}

/// Back to the original scale: returns the coefficients, rescales u and the inverse in `imat`.
fn rescale(work: &mut Workspace, beta_scaled: &[f64]) -> Vec<f64> {
    let p = work.p;
    let mut coef = vec![0.0; p];
    for i in 0..p {
        let si = work.scale[i];
        coef[i] = beta_scaled[i] * si;
        work.u[i] /= si;
        work.imat[i * p + i] *= si * si;
        // chinv2 leaves the inverse in the lower triangle (row-major)
        for j in 0..i {
            work.imat[i * p + j] *= si * work.scale[j];
            work.imat[j * p + i] = work.imat[i * p + j];
        }
    }
    coef
}

/// `coxfit6_iter`: log partial likelihood at `beta`, leaving the score in `work.u` and the
/// information matrix (both triangles) in `work.imat`.
///
/// The sums are survival's, element by element and in the same order; only the storage differs
/// (the information is accumulated row-wise in the lower triangle, so the inner loops run over
/// contiguous memory and vectorize). On x86-64 CPUs with AVX2 the same code is compiled with
/// 4-lane vectors: IEEE operations are lane-wise exact, so the results do not change.
pub(crate) fn iterate(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    if work.p == 1 {
        return iterate_one(sorted, work, ties, beta[0]);
    }
    if work.fast_sums {
        return iterate_fast(sorted, work, ties, beta);
    }
    #[cfg(target_arch = "x86_64")]
    if std::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU supports AVX2 (checked just above).
        return unsafe { iterate_avx2(sorted, work, ties, beta) };
    }
    iterate_many(sorted, work, ties, beta)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn iterate_avx2(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    iterate_many(sorted, work, ties, beta)
}

#[inline(always)]
fn iterate_many(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    let p = work.p;
    let n = sorted.len();
    let Workspace { covar, a, a2, u, cmat, cmat2, imat, .. } = work;
    u.fill(0.0);
    a2.fill(0.0);
    imat.fill(0.0);
    cmat2.fill(0.0);
    let mut loglik = 0.0;
    let mut denom = 0.0;
    let mut person = n;
    while person > 0 {
        if sorted.last_in_stratum[person - 1] {
            denom = 0.0;
            a.fill(0.0);
            cmat.fill(0.0);
        }
        let dtime = sorted.time[person - 1];
        let mut ndead = 0usize;
        let mut deadwt = 0.0;
        let mut denom2 = 0.0;
        // a lone death at this time is added straight from its row: its a2/cmat2 would be
        // 0 + v, exactly v, so buffering it (and zeroing the buffers) is skipped
        let mut lone_death = (0usize, 0.0);
        while person > 0 && sorted.time[person - 1] == dtime {
            let k = person - 1;
            let xk = &covar[k * p..(k + 1) * p];
            let zbeta = beta.iter().zip(xk).fold(0.0, |s, (b, x)| s + b * x);
            let w = sorted.weights[k];
            // exp(0) is exactly 1: the first step from init = 0 skips the calls
            let risk = if zbeta == 0.0 { w } else { zbeta.exp() * w };
            if !sorted.status[k] {
                denom += risk;
                accumulate(p, xk, risk, a, cmat);
            } else {
                ndead += 1;
                deadwt += w;
                denom2 += risk;
                loglik += w * zbeta;
                for i in 0..p {
                    u[i] += w * xk[i];
                }
                if ndead == 1 {
                    lone_death = (k, risk);
                } else {
                    if ndead == 2 {
                        let (first, first_risk) = lone_death;
                        accumulate(p, &covar[first * p..(first + 1) * p], first_risk, a2, cmat2);
                    }
                    accumulate(p, xk, risk, a2, cmat2);
                }
            }
            person -= 1;
            if person > 0 && sorted.last_in_stratum[person - 1] {
                break;
            }
        }
        if ndead == 0 {
            continue;
        }
        if ndead == 1 {
            let (k, risk) = lone_death;
            denom += denom2;
            loglik -= deadwt * denom.ln();
            add_lone_death(p, &covar[k * p..(k + 1) * p], risk, a, cmat, imat, u, deadwt, denom);
            continue;
        }
        if ties == Ties::Breslow {
            denom += denom2;
            loglik -= deadwt * denom.ln();
            add_death_terms(p, a, a2, 1.0, cmat, cmat2, imat, u, deadwt, denom, false);
        } else {
            let nd = ndead as f64;
            let wtave = deadwt / nd;
            for _ in 0..ndead {
                denom += denom2 / nd;
                loglik -= wtave * denom.ln();
                add_death_terms(p, a, a2, nd, cmat, cmat2, imat, u, wtave, denom, true);
            }
        }
        a2.fill(0.0);
        for i in 0..p {
            cmat2[i * p..=i * p + i].fill(0.0);
        }
    }
    // the lower triangle holds survival's imat[j][i] (j <= i); mirror it (cholesky2 reads it)
    mirror_lower_triangle(imat, p);
    loglik
}

/// Copies the lower triangle of the row-major p × p matrix `m` onto its upper triangle.
pub(crate) fn mirror_lower_triangle(m: &mut [f64], p: usize) {
    for i in 0..p {
        for j in 0..i {
            m[j * p + i] = m[i * p + j];
        }
    }
}

/// Adds `risk`-weighted x (to `sum`) and x x' (lower triangle of `sum_sq`) of one subject.
/// Rows where x is 0 would add exact zeros (indicator columns make them common) and are
/// skipped, unless the risk is not finite (0 × inf must still give NaN).
#[inline(always)]
fn accumulate(p: usize, xk: &[f64], risk: f64, sum: &mut [f64], sum_sq: &mut [f64]) {
    let skip_zeros = risk.is_finite();
    for i in 0..p {
        if skip_zeros && xk[i] == 0.0 {
            continue;
        }
        let rx = risk * xk[i];
        sum[i] += rx;
        for (c, &xj) in sum_sq[i * p..=i * p + i].iter_mut().zip(&xk[..=i]) {
            *c += rx * xj;
        }
    }
}

/// The death-time term for a single death (Breslow and Efron agree), from its row.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn add_lone_death(
    p: usize,
    xk: &[f64],
    risk: f64,
    a: &mut [f64],
    cmat: &mut [f64],
    imat: &mut [f64],
    u: &mut [f64],
    weight: f64,
    denom: f64,
) {
    accumulate(p, xk, risk, a, cmat);
    add_information(p, a, cmat, imat, u, weight, denom);
}

/// One death-time term of the score and information (Breslow, or one Efron fraction when
/// `divide`: the tied deaths' sums enter divided by `nd`).
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn add_death_terms(
    p: usize,
    a: &mut [f64],
    a2: &[f64],
    nd: f64,
    cmat: &mut [f64],
    cmat2: &[f64],
    imat: &mut [f64],
    u: &mut [f64],
    weight: f64,
    denom: f64,
    divide: bool,
) {
    for i in 0..p {
        a[i] += if divide { a2[i] / nd } else { a2[i] };
        let row = i * p..=i * p + i;
        // zipped slices (no bounds checks) so the loop vectorizes; the branch is hoisted
        if divide {
            for (c, &c2) in cmat[row.clone()].iter_mut().zip(&cmat2[row]) {
                *c += c2 / nd;
            }
        } else {
            for (c, &c2) in cmat[row.clone()].iter_mut().zip(&cmat2[row]) {
                *c += c2;
            }
        }
    }
    add_information(p, a, cmat, imat, u, weight, denom);
}

/// Adds weight × (the risk-set mean of x, and covariance of x) to -score and information.
/// survival divides each entry by the risk-set sum.
#[inline(always)]
fn add_information(p: usize, a: &[f64], cmat: &[f64], imat: &mut [f64], u: &mut [f64], weight: f64, denom: f64) {
    for i in 0..p {
        let temp2 = a[i] / denom;
        u[i] -= weight * temp2;
        let row = i * p..=i * p + i;
        for ((im, &c), &aj) in imat[row.clone()].iter_mut().zip(&cmat[row]).zip(&a[..=i]) {
            *im += weight * (c - temp2 * aj) / denom;
        }
    }
}

/// `iterate` for a single covariate with survival's operations in survival's order (libm's
/// exp and log), for the ill-conditioned fits the fast univariate kernel hands back.
fn iterate_one(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: f64) -> f64 {
    let n = sorted.len();
    let covar = &work.covar;
    let (mut u, mut a2, mut imat, mut cmat2) = (0.0, 0.0, 0.0, 0.0);
    let (mut a, mut cmat) = (0.0, 0.0);
    let mut loglik = 0.0;
    let mut denom = 0.0;
    let mut person = n;
    while person > 0 {
        if sorted.last_in_stratum[person - 1] {
            denom = 0.0;
            a = 0.0;
            cmat = 0.0;
        }
        let dtime = sorted.time[person - 1];
        let mut ndead = 0usize;
        let mut deadwt = 0.0;
        let mut denom2 = 0.0;
        while person > 0 && sorted.time[person - 1] == dtime {
            let k = person - 1;
            let x = covar[k];
            let zbeta = 0.0 + beta * x;
            let w = sorted.weights[k];
            // exp(0) is exactly 1: the first step of every screening fit skips the calls
            let risk = if zbeta == 0.0 { w } else { zbeta.exp() * w };
            let rx = risk * x;
            if !sorted.status[k] {
                denom += risk;
                a += rx;
                cmat += rx * x;
            } else {
                ndead += 1;
                deadwt += w;
                denom2 += risk;
                loglik += w * zbeta;
                u += w * x;
                a2 += rx;
                cmat2 += rx * x;
            }
            person -= 1;
            if person > 0 && sorted.last_in_stratum[person - 1] {
                break;
            }
        }
        if ndead == 0 {
            continue;
        }
        if ties == Ties::Breslow || ndead == 1 {
            denom += denom2;
            loglik -= deadwt * denom.ln();
            a += a2;
            let temp2 = a / denom;
            u -= deadwt * temp2;
            cmat += cmat2;
            imat += deadwt * (cmat - temp2 * a) / denom;
        } else {
            let nd = ndead as f64;
            let wtave = deadwt / nd;
            for _ in 0..ndead {
                denom += denom2 / nd;
                loglik -= wtave * denom.ln();
                a += a2 / nd;
                let temp2 = a / denom;
                u -= wtave * temp2;
                cmat += cmat2 / nd;
                imat += wtave * (cmat - temp2 * a) / denom;
            }
        }
        a2 = 0.0;
        cmat2 = 0.0;
    }
    work.u[0] = u;
    work.imat[0] = imat;
    loglik
}

/// `coxph.fit()`'s and `coxph()`'s post-processing of the raw fit.
pub(crate) fn finish(surv: &SurvData, x: &Design, raw: &RawFit, control: CoxControl, init: Option<&[f64]>) -> CoxFit {
    let p = x.p;
    let n = surv.len();
    let centre: f64 = raw.coef.iter().zip(&raw.means).map(|(c, m)| c * m).fold(0.0, |s, v| s + v);
    let linear_predictors: Vec<f64> = (0..n)
        .map(|row| {
            let mut s = 0.0;
            for j in 0..p {
                s += x.get(row, j) * raw.coef[j];
            }
            s - centre
        })
        .collect();
    let max_lp = linear_predictors.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut fit = finish_raw(raw, p, n, surv.n_events(), max_lp, control, init);
    fit.linear_predictors = linear_predictors;
    fit
}

/// The post-processing without the linear predictors (only their maximum is needed, for the
/// non-convergence check).
pub(crate) fn finish_raw(
    raw: &RawFit,
    p: usize,
    n: usize,
    nevent: usize,
    max_lp: f64,
    control: CoxControl,
    init: Option<&[f64]>,
) -> CoxFit {
    let var = raw.imat.clone();
    let aliased: Vec<bool> = if raw.flag < p as i32 { (0..p).map(|i| var[i * p + i] == 0.0).collect() } else { vec![false; p] };
    // infs <- abs(u %*% var)
    let infs: Vec<f64> = (0..p).map(|j| (0..p).map(|i| raw.u[i] * var[i * p + j]).fold(0.0, |s, v| s + v).abs()).collect();
    let converged = raw.flag != 1000;
    let mut infinite = vec![false; p];
    let mut any_infinite = false;
    if raw.maxiter > 1 {
        if !converged {
            any_infinite = max_lp > 500.0 || infs.iter().any(|v| !v.is_finite());
        } else {
            for j in 0..p {
                infinite[j] = !raw.u[j].is_finite()
                    || (infs[j] > control.eps && infs[j] > control.toler_inf * raw.coef[j].abs());
            }
            any_infinite = infinite.iter().any(|&f| f);
        }
    }
    let mut coef = raw.coef.clone();
    if raw.maxiter > 0 {
        for j in 0..p {
            if aliased[j] {
                coef[j] = f64::NAN;
            }
        }
    }
    // the Wald test of coef - init (NA coefficients dropped)
    let from_init: Vec<f64> = match init {
        Some(init) => coef.iter().zip(init).map(|(c, i)| c - i).collect(),
        None => coef.clone(),
    };
    let wald = wald_test(&var, &from_init, control.toler_chol);
    CoxFit {
        coef,
        var,
        loglik: raw.loglik,
        score: raw.sctest,
        wald,
        iter: raw.iter,
        flag: raw.flag,
        converged,
        infinite,
        any_infinite,
        aliased,
        means: raw.means.clone(),
        u: raw.u.clone(),
        linear_predictors: Vec::new(),
        n,
        nevent,
        concordance: None,
    }
}
