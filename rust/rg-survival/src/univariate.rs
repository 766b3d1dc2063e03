//! Cox fits with a single covariate, several at once: `coxfit6`'s Newton–Raphson for p = 1,
//! run in lanes. A pass over the sorted subjects evaluates every lane's column at that lane's
//! own coefficient (struct-of-arrays, `x[person * L + lane]`), so one loop over the risk sets
//! (planned once per outcome, `risk_sets.rs`) and one vector `exp` per subject serve L genes.
//! Each lane runs its own iteration (Newton steps, step halving, convergence; the start at 0
//! is taken for a group of columns beforehand) and, when its gene is done, takes the next one,
//! so lanes never wait for each other.
//!
//! The arithmetic is survival's but for rounding-level changes that make it vectorize: `exp`
//! and `ln` ported to plain arithmetic, the log-likelihood's logarithms taken over products of
//! eight risk-set sums, one division per death-time term instead of two. A test holds the
//! results to 1e-12 of survival's arithmetic; fits whose last digits matter (see
//! [`ColumnFit::is_fragile`]) are redone with survival's arithmetic exactly.
//!
//! Every lane performs exactly the operations of a one-lane run, in the same order, so a
//! gene's result does not depend on its lane, its neighbours or the thread: `coxfit6` fits
//! p = 1 models with this code too ([`fit_one_column`]), and screening rows equal `cox_fit()`.

use crate::cox::{coxfit6_exact_column, is_nocenter_value, CoxControl, RawFit, SortedSurv, Ties};
use crate::fastmath::{exp_into, ln_into};
use crate::linalg::{chinv2, cholesky2, chsolve2};
use crate::risk_sets::{sweep, RiskSetPlan, Subjects, TermSums};
#[cfg(target_arch = "x86_64")]
use crate::simd::{has_avx2_fma, Avx4};
use crate::simd::Vector;

/// Genes per pass (four f64 in an AVX2 register).
pub(crate) const LANES: usize = 4;

/// Log partial likelihood, score and information of each lane at its coefficient.
#[derive(Debug, Clone, Copy)]
pub(crate) struct LaneSums<const L: usize> {
    pub loglik: [f64; L],
    pub u: [f64; L],
    pub imat: [f64; L],
}

/// Scratch arrays of a pass, sized for n subjects and L lanes.
#[derive(Debug, Clone)]
pub(crate) struct PassBuffers {
    zbeta: Vec<f64>,
    risk: Vec<f64>,
    /// At each death-time term (Efron: each fraction), L values per term: the risk-set sums
    /// of risk, risk x and risk x^2.
    denoms: Vec<f64>,
    sums: Vec<f64>,
    squares: Vec<f64>,
    /// The logarithms (or products) of the sums of risk, then their inverses.
    scratch: Vec<f64>,
}

impl PassBuffers {
    pub(crate) fn new(n: usize, lanes: usize) -> Self {
        PassBuffers {
            zbeta: vec![0.0; n * lanes],
            risk: vec![0.0; n * lanes],
            denoms: vec![0.0; n * lanes],
            sums: vec![0.0; n * lanes],
            squares: vec![0.0; n * lanes],
            // subtract_sum_of_logs needs two values per eight terms (and n can be 1)
            scratch: vec![0.0; n.max(2) * lanes],
        }
    }
}

/// `coxfit6_iter` for p = 1 in every lane; `x` holds the centred, scaled columns.
///
/// The pass is split so that only additions remain in the sequential sweep over the risk sets
/// (its loop-carried chains): the exponentials are taken in one vectorized loop before it, and
/// the divisions and logarithms of each death-time term in vectorized loops after it, from the
/// risk-set sums it records.
#[inline(always)]
fn pass_with<V: Vector, const L: usize>(plan: &RiskSetPlan, x: &[f64], beta: &[f64; L], buf: &mut PassBuffers) -> LaneSums<L> {
    debug_assert_eq!(V::WIDTH, L);
    let PassBuffers { zbeta, risk, denoms, sums, squares, .. } = buf;
    for (z, xk) in zbeta.chunks_exact_mut(L).zip(x.chunks_exact(L)) {
        for l in 0..L {
            z[l] = 0.0 + beta[l] * xk[l];
        }
    }
    if beta.iter().all(|&b| b == 0.0) {
        // exp(0) is exactly 1, which is what the sweep would give
        risk.fill(1.0);
    } else {
        exp_into(zbeta, risk);
    }
    let subjects = Subjects { x: x.as_chunks::<L>().0, zbeta: zbeta.as_chunks::<L>().0, risk: risk.as_chunks::<L>().0 };
    let mut terms = TermSums { denoms: denoms.as_chunks_mut::<L>().0, sums: sums.as_chunks_mut::<L>().0, squares: squares.as_chunks_mut::<L>().0 };
    let (loglik, u) = sweep::<V, L, false>(plan, &subjects, &mut terms);
    let mut out = LaneSums { loglik: [0.0; L], u: [0.0; L], imat: [0.0; L] };
    loglik.store(&mut out.loglik);
    u.store(&mut out.u);
    add_death_terms(&mut out, plan, buf);
    out
}

/// Each death-time term's share of the log-likelihood, score and information.
#[inline(always)]
fn add_death_terms<const L: usize>(out: &mut LaneSums<L>, plan: &RiskSetPlan, buf: &mut PassBuffers) {
    let PassBuffers { denoms, sums, squares, scratch, .. } = buf;
    let used = ..plan.n_terms() * L;
    if plan.unit_term_weights() {
        subtract_sum_of_logs(&mut out.loglik, &denoms[used], scratch);
    } else {
        ln_into(&denoms[used], &mut scratch[used]);
        for (t, &weight) in plan.term_weights.iter().enumerate() {
            for l in 0..L {
                out.loglik[l] -= weight * scratch[t * L + l];
            }
        }
    }
    // survival divides twice by the risk-set sum; one division and two products (an ulp
    // apart) because the divisions bound this loop
    let inverses = &mut scratch[used];
    for (inverse, denom) in inverses.iter_mut().zip(&denoms[used]) {
        *inverse = 1.0 / denom;
    }
    add_score_terms(out, plan, sums, squares, inverses);
}

/// Each death-time term's share of the score and information, from its risk-set sums of
/// risk x and risk x^2 and 1 / its sum of risk (`inverses`), `L` lanes per term.
#[inline(always)]
fn add_score_terms<const L: usize>(out: &mut LaneSums<L>, plan: &RiskSetPlan, sums: &[f64], squares: &[f64], inverses: &[f64]) {
    for (t, &weight) in plan.term_weights.iter().enumerate() {
        let at = t * L..(t + 1) * L;
        let (a, cmat, inverse) = (&sums[at.clone()], &squares[at.clone()], &inverses[at]);
        for l in 0..L {
            let inverse = inverse[l];
            let temp2 = a[l] * inverse;
            out.u[l] -= weight * temp2;
            out.imat[l] += weight * (cmat[l] - temp2 * a[l]) * inverse;
        }
    }
}

/// What a pass at coefficient 0 has in common for all columns: each term's 1 / (sum of risk)
/// and the log-likelihood, taken once from a one-lane pass of a column of zeros (so with the
/// same operations as in any lane).
#[derive(Debug, Clone)]
struct AtZero {
    /// `LANES` copies per term.
    inverses: Vec<f64>,
    loglik: f64,
}

impl AtZero {
    fn new(plan: &RiskSetPlan, n: usize) -> Self {
        let mut buf = PassBuffers::new(n, 1);
        let sums = pass::<1>(plan, &vec![0.0; n], &[0.0], &mut buf);
        let inverses = buf.denoms[..plan.n_terms()].iter().flat_map(|d| [1.0 / d; LANES]).collect();
        AtZero { inverses, loglik: sums.loglik[0] }
    }
}

/// The pass at coefficient 0 in every lane: no exponentials, and of the terms only their
/// sums of risk x and risk x^2 (see [`AtZero`]).
#[inline(always)]
fn start_pass_with<V: Vector, const L: usize>(plan: &RiskSetPlan, zero: &AtZero, x: &[f64], buf: &mut PassBuffers) -> LaneSums<L> {
    let PassBuffers { sums, squares, .. } = buf;
    let subjects = Subjects { x: x.as_chunks::<L>().0, zbeta: &[], risk: &[] };
    let mut terms = TermSums { denoms: &mut [], sums: sums.as_chunks_mut::<L>().0, squares: squares.as_chunks_mut::<L>().0 };
    let (_, u) = sweep::<V, L, true>(plan, &subjects, &mut terms);
    let mut out = LaneSums { loglik: [zero.loglik; L], u: [0.0; L], imat: [0.0; L] };
    u.store(&mut out.u);
    add_score_terms(&mut out, plan, sums, squares, &zero.inverses);
    out
}

/// Terms per product in [`subtract_sum_of_logs`].
const LOG_CHUNK: usize = 8;

/// `total[l] -= sum over t of ln(values[t * L + l])`, as the logarithms of products of
/// `LOG_CHUNK` values: one logarithm per chunk instead of one per term (the logarithms are most
/// of the cost of a pass). survival subtracts the terms' logarithms one by one; this differs
/// from that by rounding only (each product is within a few ulps). A chunk whose product is
/// not a normal number is summed term by term. `scratch` holds at least `values.len()` values.
#[inline(always)]
fn subtract_sum_of_logs<const L: usize>(total: &mut [f64; L], values: &[f64], scratch: &mut [f64]) {
    let chunks = (values.len() / L).div_ceil(LOG_CHUNK);
    let (products, logs) = scratch.split_at_mut(chunks * L);
    let products = &mut products[..chunks * L];
    let logs = &mut logs[..chunks * L];
    for (product, chunk) in products.chunks_exact_mut(L).zip(values.chunks(LOG_CHUNK * L)) {
        product.fill(1.0);
        for term in chunk.chunks_exact(L) {
            for l in 0..L {
                product[l] *= term[l];
            }
        }
    }
    ln_into(products, logs);
    for ((product, log), chunk) in products.chunks_exact(L).zip(logs.chunks_exact(L)).zip(values.chunks(LOG_CHUNK * L)) {
        for l in 0..L {
            if product[l].is_normal() {
                total[l] -= log[l];
            } else {
                for term in chunk.chunks_exact(L) {
                    total[l] -= term[l].ln();
                }
            }
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_avx2(plan: &RiskSetPlan, x: &[f64], beta: &[f64; 4], buf: &mut PassBuffers) -> LaneSums<4> {
    pass_with::<Avx4, 4>(plan, x, beta, buf)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn pass_one_fma(plan: &RiskSetPlan, x: &[f64], beta: &[f64; 1], buf: &mut PassBuffers) -> LaneSums<1> {
    pass_with::<[f64; 1], 1>(plan, x, beta, buf)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn start_pass_avx2(plan: &RiskSetPlan, zero: &AtZero, x: &[f64], buf: &mut PassBuffers) -> LaneSums<LANES> {
    start_pass_with::<Avx4, LANES>(plan, zero, x, buf)
}

/// [`start_pass_with`] for a group of `LANES` columns (in AVX2 registers when the CPU has them).
fn start_pass(plan: &RiskSetPlan, zero: &AtZero, x: &[f64], buf: &mut PassBuffers) -> LaneSums<LANES> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
        return unsafe { start_pass_avx2(plan, zero, x, buf) };
    }
    start_pass_with::<[f64; LANES], LANES>(plan, zero, x, buf)
}

/// One pass over the risk sets for all lanes (four lanes in AVX2 registers when the CPU has
/// them, with hardware fused multiply-adds: IEEE operations are lane-wise exact, so the
/// results are the same either way, only slower without).
pub(crate) fn pass<const L: usize>(plan: &RiskSetPlan, x: &[f64], beta: &[f64; L], buf: &mut PassBuffers) -> LaneSums<L> {
    #[cfg(target_arch = "x86_64")]
    if (L == 4 || L == 1) && has_avx2_fma() {
        let pick = |v: &[f64]| -> [f64; L] { std::array::from_fn(|l| v[l]) };
        if let Ok(beta4) = <&[f64; 4]>::try_from(beta.as_slice()) {
            // SAFETY: the CPU supports AVX2 and FMA (checked just above).
            let sums = unsafe { pass_avx2(plan, x, beta4, buf) };
            return LaneSums { loglik: pick(&sums.loglik), u: pick(&sums.u), imat: pick(&sums.imat) };
        }
        if let Ok(beta1) = <&[f64; 1]>::try_from(beta.as_slice()) {
            // SAFETY: as above.
            let sums = unsafe { pass_one_fma(plan, x, beta1, buf) };
            return LaneSums { loglik: pick(&sums.loglik), u: pick(&sums.u), imat: pick(&sums.imat) };
        }
    }
    pass_with::<[f64; L], L>(plan, x, beta, buf)
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// The pass at the initial coefficient (loglik0, score test).
    Start,
    /// A pass at a Newton (or halved) step.
    Newton,
    /// Out of iterations: the pass that recomputes the score and information at the last
    /// accepted coefficient.
    Final,
}

/// The fit of one column as `coxfit6` leaves it (original scale).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ColumnFit {
    pub coef: f64,
    pub mean: f64,
    pub scale: f64,
    pub u: f64,
    /// The variance (the inverted information).
    pub var: f64,
    pub loglik: [f64; 2],
    pub sctest: f64,
    pub iter: usize,
    pub flag: i32,
    pub maxiter: usize,
}

impl ColumnFit {
    pub(crate) fn into_raw(self) -> RawFit {
        RawFit {
            coef: vec![self.coef],
            means: vec![self.mean],
            u: vec![self.u],
            imat: vec![self.var],
            loglik: self.loglik,
            sctest: self.sctest,
            iter: self.iter,
            flag: self.flag,
            maxiter: self.maxiter,
        }
    }
}

/// The part of `finish_raw` a screening row needs, for one column.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct ColumnSummary {
    /// NaN when aliased.
    pub coef: f64,
    pub aliased: bool,
    pub converged: bool,
    /// The coefficient may be infinite (either of coxph's warnings).
    pub infinite: bool,
}

impl ColumnFit {
    /// A fit whose last digits are amplified (no convergence, step halving, a coefficient
    /// that may be infinite: the score and information are differences of nearly equal
    /// sums), so that an ulp of difference in exp or in the order of the sums shows in its
    /// standard error. Such a fit is redone with survival's arithmetic.
    pub(crate) fn is_fragile(&self, control: &CoxControl) -> bool {
        self.flag == 1000 || self.flag == -2 || self.summarize(f64::NEG_INFINITY, control).infinite
    }

    fn from_raw(raw: &RawFit, scale: f64) -> Self {
        ColumnFit {
            coef: raw.coef[0],
            mean: raw.means[0],
            scale,
            u: raw.u[0],
            var: raw.imat[0],
            loglik: raw.loglik,
            sctest: raw.sctest,
            iter: raw.iter,
            flag: raw.flag,
            maxiter: raw.maxiter,
        }
    }

    /// `finish_raw` for p = 1 without its allocations (a test checks they agree).
    pub(crate) fn summarize(&self, max_lp: f64, control: &CoxControl) -> ColumnSummary {
        let aliased = self.flag < 1 && self.var == 0.0;
        let infs = (0.0 + self.u * self.var).abs();
        let converged = self.flag != 1000;
        let infinite = self.maxiter > 1
            && if converged {
                !self.u.is_finite() || (infs > control.eps && infs > control.toler_inf * self.coef.abs())
            } else {
                max_lp > 500.0 || !infs.is_finite()
            };
        let coef = if self.maxiter > 0 && aliased { f64::NAN } else { self.coef };
        ColumnSummary { coef, aliased, converged, infinite }
    }
}

/// `coxfit6`'s state for one column; `u` and `imat` mirror its workspace arrays.
#[derive(Debug, Clone, Copy)]
struct Newton {
    phase: Phase,
    mean: f64,
    scale: f64,
    beta: f64,
    newbeta: f64,
    u: f64,
    imat: f64,
    loglik0: f64,
    loglik1: f64,
    sctest: f64,
    iter: usize,
    halving: usize,
    flag: i32,
}

impl Newton {
    fn new(init: f64, mean: f64, scale: f64) -> Self {
        let beta = init / scale;
        Newton {
            phase: Phase::Start,
            mean,
            scale,
            beta,
            newbeta: beta,
            u: 0.0,
            imat: 0.0,
            loglik0: 0.0,
            loglik1: 0.0,
            sctest: 0.0,
            iter: 0,
            halving: 0,
            flag: 0,
        }
    }

    /// The scaled coefficient the next pass must evaluate.
    fn point(&self) -> f64 {
        match self.phase {
            Phase::Newton => self.newbeta,
            Phase::Start | Phase::Final => self.beta,
        }
    }

    /// Takes the pass at `point()`; returns the fit when this column is done.
    fn advance(&mut self, loglik: f64, u: f64, imat: f64, control: &CoxControl) -> Option<ColumnFit> {
        self.u = u;
        self.imat = imat;
        match self.phase {
            Phase::Start => self.after_start(loglik, control),
            Phase::Newton => self.after_step(loglik, control),
            Phase::Final => {
                self.loglik1 = loglik;
                Some(self.done(self.beta, 1000, control))
            }
        }
    }

    fn after_start(&mut self, loglik: f64, control: &CoxControl) -> Option<ColumnFit> {
        self.loglik0 = loglik;
        self.loglik1 = loglik;
        self.flag = self.factorize(control);
        let mut step = [self.u];
        chsolve2(&[self.imat], 1, &mut step);
        self.sctest = 0.0 + self.u * step[0];
        if control.iter_max == 0 || !loglik.is_finite() {
            return Some(self.done(self.beta, self.flag, control));
        }
        self.newbeta = self.beta + step[0];
        self.iter = 1;
        self.phase = Phase::Newton;
        None
    }

    fn after_step(&mut self, newlk: f64, control: &CoxControl) -> Option<ColumnFit> {
        self.flag = self.factorize(control);
        let notfinite = !self.u.is_finite() || !self.imat.is_finite() || !newlk.is_finite();
        if !notfinite && (1.0 - self.loglik1 / newlk).abs() <= control.eps {
            self.loglik1 = newlk;
            let flag = if self.halving > 0 { -2 } else { self.flag };
            return Some(self.done(self.newbeta, flag, control));
        }
        if notfinite || newlk < self.loglik1 {
            self.halving += 1;
            let h = self.halving as f64;
            self.newbeta = (self.newbeta + h * self.beta) / (h + 1.0);
        } else {
            self.halving = 0;
            self.loglik1 = newlk;
            let mut step = [self.u];
            chsolve2(&[self.imat], 1, &mut step);
            self.u = step[0];
            self.beta = self.newbeta;
            self.newbeta += step[0];
        }
        self.iter += 1;
        if self.iter <= control.iter_max {
            return None;
        }
        if control.iter_max > 1 {
            self.phase = Phase::Final;
            return None;
        }
        Some(self.done(self.beta, 1000, control))
    }

    fn factorize(&mut self, control: &CoxControl) -> i32 {
        let mut m = [self.imat];
        let rank = cholesky2(&mut m, 1, control.toler_chol);
        self.imat = m[0];
        rank
    }

    /// Inverts the information and returns to the original scale.
    fn done(&self, beta_scaled: f64, flag: i32, control: &CoxControl) -> ColumnFit {
        let mut inverse = [self.imat];
        chinv2(&mut inverse, 1);
        let s = self.scale;
        ColumnFit {
            coef: beta_scaled * s,
            mean: self.mean,
            scale: s,
            u: self.u / s,
            var: inverse[0] * (s * s),
            loglik: [self.loglik0, self.loglik1],
            sctest: self.sctest,
            iter: self.iter,
            flag,
            maxiter: control.iter_max,
        }
    }
}

/// `coxfit6` for one column already centred and scaled in `x` (sorted order).
pub(crate) fn fit_one_column(
    sorted: &SortedSurv,
    x: &[f64],
    init: f64,
    mean: f64,
    scale: f64,
    ties: Ties,
    control: &CoxControl,
) -> ColumnFit {
    let mut state = Newton::new(init, mean, scale);
    let plan = RiskSetPlan::new(sorted, ties);
    let mut buf = PassBuffers::new(sorted.len(), 1);
    loop {
        let sums = pass::<1>(&plan, x, &[state.point()], &mut buf);
        if let Some(fit) = state.advance(sums.loglik[0], sums.u[0], sums.imat[0], control) {
            return fit;
        }
    }
}

/// Centres and scales columns held in the lanes' layout (groups of `LANES` columns, each group
/// subject-major: `block[(group * n + k) * LANES + lane]`), `LANES` columns at a time, as
/// `coxfit6` does one by one: the weighted mean subtracted, then scaled to mean absolute value
/// 1, the same operations in the same order (a test checks the bits agree); a column whose
/// values are all -1, 0 or 1 is left as it is (`nocenter`). Returns each column's mean and
/// scale.
pub(crate) fn standardize_lane_block(weights: &[f64], block: &mut [f64]) -> Vec<(f64, f64)> {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
        return unsafe { standardize_lane_block_avx2(weights, block) };
    }
    standardize_lane_block_with::<[f64; LANES]>(weights, block)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
fn standardize_lane_block_avx2(weights: &[f64], block: &mut [f64]) -> Vec<(f64, f64)> {
    standardize_lane_block_with::<Avx4>(weights, block)
}

#[inline(always)]
fn standardize_lane_block_with<V: Vector>(weights: &[f64], block: &mut [f64]) -> Vec<(f64, f64)> {
    let n = weights.len();
    let total_weight = weights.iter().fold(0.0, |s, w| s + w);
    let mut out = Vec::with_capacity(block.len() / n.max(1));
    for group in block.chunks_exact_mut(n * LANES) {
        let centre: [bool; LANES] = std::array::from_fn(|lane| group.iter().skip(lane).step_by(LANES).any(|&v| !is_nocenter_value(v)));
        let mut sum = V::zero();
        for (k, &w) in weights.iter().enumerate() {
            sum = sum.add(V::splat(w).mul(V::load(&group[k * LANES..])));
        }
        let mut mean = [0.0; LANES];
        sum.store(&mut mean);
        for lane in 0..LANES {
            mean[lane] = if centre[lane] { mean[lane] / total_weight } else { 0.0 };
        }
        let shift = V::load(&mean);
        let mut abs_sum = V::zero();
        for (k, &w) in weights.iter().enumerate() {
            let centred = V::load(&group[k * LANES..]).sub(shift);
            centred.store(&mut group[k * LANES..]);
            abs_sum = abs_sum.add(V::splat(w).mul(centred.abs()));
        }
        let mut scale = [0.0; LANES];
        abs_sum.store(&mut scale);
        for lane in 0..LANES {
            scale[lane] = if centre[lane] && scale[lane] > 0.0 { total_weight / scale[lane] } else { 1.0 };
        }
        let factor = V::load(&scale);
        for k in 0..n {
            V::load(&group[k * LANES..]).mul(factor).store(&mut group[k * LANES..]);
        }
        out.extend(mean.into_iter().zip(scale));
    }
    out
}

/// Fits the columns of a lane block from `init = 0`, `LANES` at a time. `emit(job, fit,
/// max_lp)` receives each result, `max_lp` being the largest linear predictor (computed only
/// when the fit did not converge, the one case that needs it).
pub(crate) struct Lanes<'a> {
    sorted: &'a SortedSurv,
    plan: &'a RiskSetPlan,
    control: CoxControl,
    x: Vec<f64>,
    buf: PassBuffers,
}

/// A column of a lane block: lane `lane` of `group` (one row of lanes per subject).
struct Column<'b> {
    group: &'b [[f64; LANES]],
    lane: usize,
}

/// A column's pass at coefficient 0 (its Newton start).
type StartPass = LaneSums<1>;

impl<'a> Lanes<'a> {
    pub(crate) fn new(sorted: &'a SortedSurv, plan: &'a RiskSetPlan, control: CoxControl) -> Self {
        let n = sorted.len();
        Lanes { sorted, plan, control, x: vec![0.0; n * LANES], buf: PassBuffers::new(n, LANES) }
    }

    /// Fits the columns `jobs` of `block` (the lanes' layout, see [`standardize_lane_block`];
    /// standardized here, in place).
    pub(crate) fn fit_block(&mut self, block: &mut [f64], jobs: &[usize], emit: impl FnMut(usize, ColumnFit, f64)) {
        let n = self.sorted.len();
        let standardized = standardize_lane_block(&self.sorted.weights, block);
        let starts = self.start_passes(block);
        let groups = block.as_chunks::<LANES>().0;
        let column = |job: usize| Column { group: &groups[(job / LANES) * n..][..n], lane: job % LANES };
        self.run(jobs, |job| (column(job), standardized[job], starts[job]), emit);
    }

    /// The pass at 0 of every column, a group of `LANES` at a time: there every risk is 1, so
    /// no exponential is taken (in the lanes' passes a column starts among others that are at
    /// other coefficients). Each lane's sums are what the column's own pass gives.
    fn start_passes(&mut self, block: &[f64]) -> Vec<StartPass> {
        let n = self.sorted.len();
        let zero = AtZero::new(self.plan, n);
        let mut starts = Vec::with_capacity(block.len() / n.max(1));
        for group in block.chunks_exact(n.max(1) * LANES) {
            let sums = start_pass(self.plan, &zero, group, &mut self.buf);
            starts.extend((0..LANES).map(|l| LaneSums { loglik: [sums.loglik[l]], u: [sums.u[l]], imat: [sums.imat[l]] }));
        }
        starts
    }

    /// `column(job)` gives the job's standardized values, its mean and scale and its start pass.
    fn run<'b>(
        &mut self,
        jobs: &[usize],
        mut column: impl FnMut(usize) -> (Column<'b>, (f64, f64), StartPass),
        mut emit: impl FnMut(usize, ColumnFit, f64),
    ) {
        let mut queue = jobs.iter().copied();
        let mut lanes: [Option<(usize, Newton)>; LANES] = [None; LANES];
        for lane in 0..LANES {
            lanes[lane] = self.next_job(lane, &mut queue, &mut column, &mut emit);
        }
        while lanes.iter().any(Option::is_some) {
            let beta: [f64; LANES] = std::array::from_fn(|l| lanes[l].map_or(0.0, |(_, state)| state.point()));
            let sums = pass::<LANES>(self.plan, &self.x, &beta, &mut self.buf);
            for lane in 0..LANES {
                let Some((job, state)) = lanes[lane].as_mut() else { continue };
                if let Some(fit) = state.advance(sums.loglik[lane], sums.u[lane], sums.imat[lane], &self.control) {
                    let job = *job;
                    self.finish(lane, job, fit, &mut emit);
                    lanes[lane] = self.next_job(lane, &mut queue, &mut column, &mut emit);
                }
            }
        }
    }

    /// Loads the next job that needs passes into `lane` (a job its start settles, e.g. with
    /// `iter.max = 0`, is emitted at once).
    fn next_job<'b>(
        &mut self,
        lane: usize,
        queue: &mut impl Iterator<Item = usize>,
        column: &mut impl FnMut(usize) -> (Column<'b>, (f64, f64), StartPass),
        emit: &mut impl FnMut(usize, ColumnFit, f64),
    ) -> Option<(usize, Newton)> {
        for job in queue {
            let (values, (mean, scale), start) = column(job);
            for (target, source) in self.x.as_chunks_mut::<LANES>().0.iter_mut().zip(values.group) {
                target[lane] = source[values.lane];
            }
            let mut state = Newton::new(0.0, mean, scale);
            match state.advance(start.loglik[0], start.u[0], start.imat[0], &self.control) {
                None => return Some((job, state)),
                Some(fit) => self.finish(lane, job, fit, emit),
            }
        }
        None
    }

    /// Emits a lane's fit (redone with survival's arithmetic when fragile).
    fn finish(&self, lane: usize, job: usize, fit: ColumnFit, emit: &mut impl FnMut(usize, ColumnFit, f64)) {
        let fit = if fit.is_fragile(&self.control) { self.exact_fit(lane, &fit) } else { fit };
        let max_lp = if fit.flag == 1000 { self.max_linear_predictor(lane, &fit) } else { f64::NEG_INFINITY };
        emit(job, fit, max_lp);
    }

    /// The lane's column refitted with survival's arithmetic (see [`ColumnFit::is_fragile`]).
    fn exact_fit(&self, lane: usize, fast: &ColumnFit) -> ColumnFit {
        let column: Vec<f64> = self.x.iter().skip(lane).step_by(LANES).copied().collect();
        let raw = coxfit6_exact_column(self.sorted, &column, fast.mean, fast.scale, self.plan.ties, &self.control);
        ColumnFit::from_raw(&raw, fast.scale)
    }

    fn max_linear_predictor(&self, lane: usize, fit: &ColumnFit) -> f64 {
        let n = self.sorted.len();
        (0..n).map(|k| self.x[k * LANES + lane] / fit.scale * fit.coef).fold(f64::NEG_INFINITY, f64::max)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::cox::{center_and_scale_column, finish_raw, needs_centring};
    use crate::data::SurvData;

    /// coxfit6's centring and scaling of one column (`nocenter` applied).
    fn standardize_column(sorted: &SortedSurv, x: &mut [f64]) -> (f64, f64) {
        if !needs_centring(x, true) {
            return (0.0, 1.0);
        }
        let total = sorted.weights.iter().fold(0.0, |s, w| s + w);
        center_and_scale_column(&sorted.weights, total, x, 1, 0)
    }

    #[test]
    fn lane_block_standardization_equals_column_by_column() {
        let n = 30;
        let time: Vec<f64> = (0..n).map(|i| ((i * 11) % 17) as f64 + 1.0).collect();
        let status: Vec<f64> = (0..n).map(|i| (i % 4 != 0) as u8 as f64).collect();
        let weights: Vec<f64> = (0..n).map(|i| 0.5 + (i % 3) as f64).collect();
        let surv = SurvData::new(&time, &status, Some(&weights), None).unwrap();
        let sorted = SortedSurv::new(&surv);
        let columns = columns(n);
        let mut block = lane_block(&sorted, &columns);
        let standardized = standardize_lane_block(&sorted.weights, &mut block);
        for (j, column) in columns.iter().enumerate() {
            let mut x: Vec<f64> = sorted.order.iter().map(|&row| column[row]).collect();
            let (mean, scale) = standardize_column(&sorted, &mut x);
            assert_eq!((mean.to_bits(), scale.to_bits()), (standardized[j].0.to_bits(), standardized[j].1.to_bits()), "column {j}");
            for k in 0..n {
                assert_eq!(x[k].to_bits(), block[((j / LANES) * n + k) * LANES + j % LANES].to_bits(), "column {j}, subject {k}");
            }
        }
    }

    fn columns(n: usize) -> Vec<Vec<f64>> {
        let noise: Vec<f64> = (0..n).map(|i| (((i * 37) % 23) as f64 - 11.0) / 5.0).collect();
        let binary: Vec<f64> = (0..n).map(|i| ((i * 7) % 3 == 0) as u8 as f64).collect();
        let separating: Vec<f64> = (0..n).map(|i| (i < n / 3) as u8 as f64).collect();
        let constant = vec![2.5; n];
        let trend: Vec<f64> = (0..n).map(|i| i as f64 / n as f64 + noise[i] / 10.0).collect();
        vec![noise, binary, separating, constant, trend]
    }

    /// The columns in the lanes' layout (sorted order).
    fn lane_block(sorted: &SortedSurv, columns: &[Vec<f64>]) -> Vec<f64> {
        let n = sorted.len();
        let mut block = vec![0.0; columns.len().div_ceil(LANES) * n * LANES];
        for (j, column) in columns.iter().enumerate() {
            for (k, &row) in sorted.order.iter().enumerate() {
                block[((j / LANES) * n + k) * LANES + j % LANES] = column[row];
            }
        }
        block
    }

    /// Every column through the lanes, with its max linear predictor.
    fn lane_fits(sorted: &SortedSurv, columns: &[Vec<f64>], ties: Ties, control: CoxControl) -> Vec<(ColumnFit, f64)> {
        let jobs: Vec<usize> = (0..columns.len()).collect();
        let mut out = vec![None; columns.len()];
        let plan = RiskSetPlan::new(sorted, ties);
        let mut block = lane_block(sorted, columns);
        Lanes::new(sorted, &plan, control).fit_block(&mut block, &jobs, |j, fit, max_lp| out[j] = Some((fit, max_lp)));
        out.into_iter().map(|f| f.expect("fitted")).collect()
    }

    /// The AVX2/FMA pass and the portable one (software `fma` where the CPU has none) give the
    /// same bits.
    #[test]
    fn vector_and_portable_passes_agree() {
        let n = 40;
        let time: Vec<f64> = (0..n).map(|i| ((i * 7) % 9) as f64 + 1.0).collect();
        let status: Vec<f64> = (0..n).map(|i| ((i * 5) % 7 > 1) as u8 as f64).collect();
        let surv = SurvData::new(&time, &status, None, None).unwrap();
        let sorted = SortedSurv::new(&surv);
        let mut block = lane_block(&sorted, &columns(n)[..4]);
        standardize_lane_block(&sorted.weights, &mut block);
        for ties in [Ties::Efron, Ties::Breslow] {
            let plan = RiskSetPlan::new(&sorted, ties);
            let beta = [0.3, -1.7, 0.0, 2.5];
            let fast = pass::<4>(&plan, &block, &beta, &mut PassBuffers::new(n, 4));
            let portable = pass_with::<[f64; 4], 4>(&plan, &block, &beta, &mut PassBuffers::new(n, 4));
            let bits = |s: &LaneSums<4>| [s.loglik, s.u, s.imat].map(|v| v.map(f64::to_bits));
            assert_eq!(bits(&fast), bits(&portable), "{ties:?}");
        }
    }

    /// The planned sweep against `coxfit6`'s arithmetic (`coxfit6_exact_column`), on times
    /// with tied deaths and tied censorings, strata and case weights.
    #[test]
    fn fast_kernel_agrees_with_survival_arithmetic() {
        let n = 40;
        let time: Vec<f64> = (0..n).map(|i| ((i * 7) % 9) as f64 + 1.0).collect();
        let status: Vec<f64> = (0..n).map(|i| ((i * 5) % 7 > 1) as u8 as f64).collect();
        let weights: Vec<f64> = (0..n).map(|i| 1.0 + (i % 3) as f64 / 2.0).collect();
        let strata: Vec<usize> = (0..n).map(|i| i % 2).collect();
        for (weights, strata) in [(None, None), (Some(&weights[..]), Some(&strata[..]))] {
            let surv = SurvData::new(&time, &status, weights, strata).unwrap();
            let sorted = SortedSurv::new(&surv);
            for ties in [Ties::Efron, Ties::Breslow] {
                let control = CoxControl::default();
                for (j, column) in columns(n).iter().enumerate() {
                    let mut x: Vec<f64> = sorted.order.iter().map(|&row| column[row]).collect();
                    let (mean, scale) = standardize_column(&sorted, &mut x);
                    let fast = fit_one_column(&sorted, &x, 0.0, mean, scale, ties, &control);
                    let exact = ColumnFit::from_raw(&coxfit6_exact_column(&sorted, &x, mean, scale, ties, &control), scale);
                    let close = |a: f64, b: f64| (a - b).abs() <= 1e-12 * b.abs().max(1e-300) || a == b;
                    assert_eq!(fast.iter, exact.iter, "column {j}, {ties:?}");
                    assert!(close(fast.coef, exact.coef) && close(fast.var, exact.var), "column {j}, {ties:?}: {fast:?} vs {exact:?}");
                    assert!(close(fast.loglik[0], exact.loglik[0]) && close(fast.loglik[1], exact.loglik[1]), "column {j}, {ties:?}");
                    assert!(close(fast.sctest, exact.sctest), "column {j}, {ties:?}");
                }
            }
        }
    }

    #[test]
    fn lanes_equal_one_column_fits_and_summaries_equal_finish_raw() {
        let n = 30;
        let time: Vec<f64> = (0..n).map(|i| ((i * 11) % 17) as f64 + 1.0).collect();
        let status: Vec<f64> = (0..n).map(|i| if i % 4 == 0 { 0.0 } else { 1.0 }).collect();
        let surv = SurvData::new(&time, &status, None, None).unwrap();
        let sorted = SortedSurv::new(&surv);
        let columns = columns(n);
        for ties in [Ties::Efron, Ties::Breslow] {
            for iter_max in [0, 1, 2, 20] {
                let control = CoxControl { iter_max, ..CoxControl::default() };
                for (j, (fit, max_lp)) in lane_fits(&sorted, &columns, ties, control).into_iter().enumerate() {
                    let mut x: Vec<f64> = sorted.order.iter().map(|&row| columns[j][row]).collect();
                    let (mean, scale) = standardize_column(&sorted, &mut x);
                    let fast = fit_one_column(&sorted, &x, 0.0, mean, scale, ties, &control);
                    let single = if fast.is_fragile(&control) {
                        ColumnFit::from_raw(&coxfit6_exact_column(&sorted, &x, mean, scale, ties, &control), scale)
                    } else {
                        fast
                    };
                    assert_eq!(fit.coef.to_bits(), single.coef.to_bits(), "column {j}");
                    assert_eq!(fit.var.to_bits(), single.var.to_bits(), "column {j}");
                    assert_eq!(fit.loglik, single.loglik);
                    assert_eq!(fit.iter, single.iter);
                    let full = finish_raw(&fit.into_raw(), 1, n, surv.n_events(), max_lp, control, None);
                    let summary = fit.summarize(max_lp, &control);
                    assert_eq!(summary.coef.to_bits(), full.coef[0].to_bits(), "column {j}");
                    assert_eq!(summary.aliased, full.aliased[0]);
                    assert_eq!(summary.converged, full.converged);
                    assert_eq!(summary.infinite, full.infinite[0] || full.any_infinite, "column {j}, iter_max {iter_max}");
                }
            }
        }
    }
}
