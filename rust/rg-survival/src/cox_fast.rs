//! `coxfit6_iter` with reordered arithmetic (`Workspace::fast_sums`), for the candidate fits of
//! stepwise selection, whose log-likelihoods only rank models. The log-likelihood and score are
//! summed as survival sums them; the information matrix is regrouped.
//!
//! survival adds, for each death-time term t (risk-set sum D_t, weight w_t, risk-set sums a_t of
//! r x and C_t of r x x'),
//!
//! ```text
//! imat += (w_t / D_t) (C_t - a_t a_t' / D_t).
//! ```
//!
//! C_t is a sum over the subjects k of the risk set of r_k x_k x_k', so regrouped by subject
//!
//! ```text
//! imat = sum_k r_k c_k x_k x_k'  -  sum_t (w_t / D_t^2) a_t a_t',
//! ```
//!
//! where c_k sums w_t / D_t over the terms whose risk set holds k (an Efron tied death enters
//! the terms of its own time with the fraction each term gives it). Both parts together are one
//! weighted Gram matrix of the stacked rows [x_k; a_t], computed in register blocks instead of
//! streaming the p × p triangle through memory once per subject and once per death.

use crate::cox::{mirror_lower_triangle, refill, SortedSurv, Ties, Workspace};
#[cfg(target_arch = "x86_64")]
use crate::simd::has_avx2_fma;

/// Variables per register block of the Gram kernel (rows of the information matrix).
const BLOCK_I: usize = 4;
/// Variables per register block (columns).
const BLOCK_J: usize = 3;
/// Stacked rows summed per step: one 4-lane vector.
const LANES: usize = 4;

/// Scratch arrays of the regrouped sums, sized on first use.
#[derive(Debug, Clone, Default)]
pub(crate) struct FastSums {
    /// Stacked rows [x_k (sorted subjects); a_t (death-time terms)], variable-major:
    /// `rows[i * stride + row]`; padding rows and variables stay 0.
    rows: Vec<f64>,
    /// `rows` times `weights`, same layout.
    weighted: Vec<f64>,
    /// Weight of each stacked row: r_k c_k for subjects, -w_t / D_t^2 for terms.
    weights: Vec<f64>,
    stride: usize,
    /// Number of death-time terms stored after the n subject rows.
    terms: usize,
    /// Per subject: its risk r_k.
    risk: Vec<f64>,
    /// Per subject: the sum of w_t / D_t over the terms at its own time.
    time_share: Vec<f64>,
    /// Per subject: its share of the terms at its own time (a tied Efron death: fractions).
    own_share: Vec<f64>,
}

impl FastSums {
    /// Makes room for `n` subjects, at most `n` terms and `p` variables.
    fn reserve(&mut self, n: usize, p: usize) {
        let stride = (2 * n).div_ceil(LANES) * LANES;
        let variables = p + BLOCK_I.max(BLOCK_J);
        if self.stride != stride || self.rows.len() != stride * variables {
            self.stride = stride;
            refill(&mut self.rows, stride * variables, 0.0);
            refill(&mut self.weighted, stride * variables, 0.0);
            refill(&mut self.weights, stride, 0.0);
            refill(&mut self.risk, n, 0.0);
            refill(&mut self.time_share, n, 0.0);
            refill(&mut self.own_share, n, 0.0);
        }
        self.terms = 0;
    }

    /// Stores the risk-set sums of a death-time term with weight w / D and returns w / D.
    fn push_term(&mut self, n: usize, a: &[f64], weight: f64, denom: f64) -> f64 {
        let share = weight / denom;
        let row = n + self.terms;
        for (i, &ai) in a.iter().enumerate() {
            self.rows[i * self.stride + row] = ai;
        }
        self.weights[row] = -share / denom;
        self.terms += 1;
        share
    }
}

/// `iterate` with the regrouped information sums: log partial likelihood at `beta`, the score in
/// `work.u` and the information (both triangles) in `work.imat`.
pub(crate) fn iterate_fast(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    #[cfg(target_arch = "x86_64")]
    if has_avx2_fma() {
        // SAFETY: the CPU supports AVX2 and FMA (checked just above).
        return unsafe { iterate_fast_fma(sorted, work, ties, beta) };
    }
    iterate_fast_with::<false>(sorted, work, ties, beta)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn iterate_fast_fma(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    iterate_fast_with::<true>(sorted, work, ties, beta)
}

/// `FMA`: the Gram kernel uses fused multiply-adds (nothing else does: the log-likelihood and
/// score keep survival's separate roundings).
#[inline(always)]
fn iterate_fast_with<const FMA: bool>(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    let (n, p) = (sorted.len(), work.p);
    work.fast.reserve(n, p);
    let loglik = risk_set_pass(sorted, work, ties, beta);
    let fast = &mut work.fast;
    set_subject_weights(sorted, fast);
    load_subject_rows(&work.covar, p, fast, n);
    weigh_rows(fast, p, n);
    weighted_gram_lower::<FMA>(fast, p, n, &mut work.imat);
    mirror_lower_triangle(&mut work.imat, p);
    loglik
}

/// survival's backward pass over the subjects for the log-likelihood, score and risk-set sums;
/// stores each subject's risk and shares of its own time's terms, and each term's sums.
#[inline(always)]
fn risk_set_pass(sorted: &SortedSurv, work: &mut Workspace, ties: Ties, beta: &[f64]) -> f64 {
    let (n, p) = (sorted.len(), work.p);
    let Workspace { covar, a, a2, u, fast, .. } = work;
    u.fill(0.0);
    let mut loglik = 0.0;
    let mut denom = 0.0;
    let mut person = n;
    while person > 0 {
        if sorted.last_in_stratum[person - 1] {
            denom = 0.0;
            a.fill(0.0);
        }
        let group_end = person;
        let dtime = sorted.time[person - 1];
        let mut ndead = 0usize;
        let mut deadwt = 0.0;
        let mut denom2 = 0.0;
        a2.fill(0.0);
        while person > 0 && sorted.time[person - 1] == dtime {
            let k = person - 1;
            let xk = &covar[k * p..(k + 1) * p];
            let zbeta = linear_predictor(beta, xk);
            let w = sorted.weights[k];
            let risk = if zbeta == 0.0 { w } else { zbeta.exp() * w };
            fast.risk[k] = risk;
            if !sorted.status[k] {
                denom += risk;
                add_scaled(a, risk, xk);
            } else {
                ndead += 1;
                deadwt += w;
                denom2 += risk;
                loglik += w * zbeta;
                add_scaled(u, w, xk);
                add_scaled(a2, risk, xk);
            }
            person -= 1;
            if person > 0 && sorted.last_in_stratum[person - 1] {
                break;
            }
        }
        let (time_share, death_share) = if ndead == 0 {
            (0.0, 0.0)
        } else if ties == Ties::Breslow || ndead == 1 {
            denom += denom2;
            loglik -= deadwt * denom.ln();
            add_scaled(a, 1.0, a2);
            let share = fast.push_term(n, a, deadwt, denom);
            add_scaled(u, -share, a);
            (share, share)
        } else {
            let nd = ndead as f64;
            let wtave = deadwt / nd;
            let (mut all, mut deaths) = (0.0, 0.0);
            for j in 0..ndead {
                denom += denom2 / nd;
                loglik -= wtave * denom.ln();
                for (ai, &a2i) in a.iter_mut().zip(a2.iter()) {
                    *ai += a2i / nd;
                }
                let share = fast.push_term(n, a, wtave, denom);
                add_scaled(u, -share, a);
                all += share;
                deaths += share * (j + 1) as f64 / nd;
            }
            (all, deaths)
        };
        for k in person..group_end {
            fast.time_share[k] = time_share;
            fast.own_share[k] = if sorted.status[k] { death_share } else { time_share };
        }
    }
    loglik
}

/// r_k c_k: c_k sums the shares of the terms at k's time and at all earlier times of its
/// stratum. Summed forward in time, so the small shares of the large early risk sets are not
/// taken as differences of the large later totals.
#[inline(always)]
fn set_subject_weights(sorted: &SortedSurv, fast: &mut FastSums) {
    let mut earlier = 0.0;
    for k in 0..sorted.len() {
        if k == 0 || sorted.last_in_stratum[k - 1] {
            earlier = 0.0;
        } else if sorted.time[k] != sorted.time[k - 1] {
            earlier += fast.time_share[k - 1];
        }
        fast.weights[k] = fast.risk[k] * (earlier + fast.own_share[k]);
    }
}

/// Copies the subject-major covariates into the variable-major stacked rows, and clears the
/// padding after the terms (a stale non-finite value there would turn 0 × value into NaN).
#[inline(always)]
fn load_subject_rows(covar: &[f64], p: usize, fast: &mut FastSums, n: usize) {
    let used = n + fast.terms;
    let padded = used.div_ceil(LANES) * LANES;
    fast.weights[used..padded].fill(0.0);
    for i in 0..p {
        let column = &mut fast.rows[i * fast.stride..(i + 1) * fast.stride];
        for (k, value) in column[..n].iter_mut().enumerate() {
            *value = covar[k * p + i];
        }
        column[used..padded].fill(0.0);
    }
}

#[inline(always)]
fn weigh_rows(fast: &mut FastSums, p: usize, n: usize) {
    let used = n + fast.terms;
    for i in 0..p {
        let range = i * fast.stride..i * fast.stride + used;
        for ((wv, &v), &w) in fast.weighted[range.clone()].iter_mut().zip(&fast.rows[range]).zip(&fast.weights) {
            *wv = w * v;
        }
    }
}

/// Writes the lower triangle (row-major) of sum over stacked rows of weight × row row'.
#[inline(always)]
fn weighted_gram_lower<const FMA: bool>(fast: &FastSums, p: usize, n: usize, imat: &mut [f64]) {
    let length = (n + fast.terms).div_ceil(LANES) * LANES;
    for i0 in (0..p).step_by(BLOCK_I) {
        let last_row = (i0 + BLOCK_I).min(p) - 1;
        for j0 in (0..=last_row).step_by(BLOCK_J) {
            let block = gram_block::<FMA>(fast, i0, j0, length);
            for (a, sums) in block.iter().enumerate() {
                let i = i0 + a;
                for (b, &sum) in sums.iter().enumerate() {
                    let j = j0 + b;
                    if i < p && j <= i {
                        imat[i * p + j] = sum;
                    }
                }
            }
        }
    }
}

/// Sums over the first `length` stacked rows of variables i0.. (weighted) × j0.., in
/// BLOCK_I × BLOCK_J accumulators of LANES partial sums each.
#[inline(always)]
fn gram_block<const FMA: bool>(fast: &FastSums, i0: usize, j0: usize, length: usize) -> [[f64; BLOCK_J]; BLOCK_I] {
    let stride = fast.stride;
    let left: [&[f64]; BLOCK_I] = std::array::from_fn(|a| &fast.weighted[(i0 + a) * stride..][..length]);
    let right: [&[f64]; BLOCK_J] = std::array::from_fn(|b| &fast.rows[(j0 + b) * stride..][..length]);
    #[cfg(target_arch = "x86_64")]
    if FMA {
        // SAFETY: FMA is only set on CPUs with AVX2 and FMA (`iterate_fast`).
        return unsafe { gram_block_fma(left, right, length) };
    }
    gram_block_portable(left, right, length)
}

#[inline(always)]
fn gram_block_portable(left: [&[f64]; BLOCK_I], right: [&[f64]; BLOCK_J], length: usize) -> [[f64; BLOCK_J]; BLOCK_I] {
    let mut acc = [[[0.0; LANES]; BLOCK_J]; BLOCK_I];
    for start in (0..length).step_by(LANES) {
        for a in 0..BLOCK_I {
            for b in 0..BLOCK_J {
                for l in 0..LANES {
                    acc[a][b][l] += left[a][start + l] * right[b][start + l];
                }
            }
        }
    }
    acc.map(|row| row.map(|lanes| (lanes[0] + lanes[2]) + (lanes[1] + lanes[3])))
}

/// The block with explicit 4-lane FMAs: 12 accumulators and the 3 right-hand vectors fill
/// the 16 registers (auto-vectorized, the block spilled to the stack).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn gram_block_fma(left: [&[f64]; BLOCK_I], right: [&[f64]; BLOCK_J], length: usize) -> [[f64; BLOCK_J]; BLOCK_I] {
    use std::arch::x86_64::{__m256d, _mm256_fmadd_pd, _mm256_loadu_pd, _mm256_setzero_pd, _mm256_storeu_pd};
    debug_assert!(length.is_multiple_of(LANES) && left.iter().chain(&right).all(|v| v.len() == length));
    let mut acc = [[_mm256_setzero_pd(); BLOCK_J]; BLOCK_I];
    let mut y = [_mm256_setzero_pd(); BLOCK_J];
    for start in (0..length).step_by(LANES) {
        // SAFETY (loads): every slice holds `length` values, a multiple of LANES.
        for b in 0..BLOCK_J {
            y[b] = _mm256_loadu_pd(right[b].as_ptr().add(start));
        }
        for a in 0..BLOCK_I {
            let x: __m256d = _mm256_loadu_pd(left[a].as_ptr().add(start));
            for b in 0..BLOCK_J {
                acc[a][b] = _mm256_fmadd_pd(x, y[b], acc[a][b]);
            }
        }
    }
    let mut sums = [[0.0; BLOCK_J]; BLOCK_I];
    let mut lanes = [0.0; LANES];
    for a in 0..BLOCK_I {
        for b in 0..BLOCK_J {
            _mm256_storeu_pd(lanes.as_mut_ptr(), acc[a][b]);
            sums[a][b] = (lanes[0] + lanes[2]) + (lanes[1] + lanes[3]);
        }
    }
    sums
}

/// `sum += scale × x`.
#[inline(always)]
fn add_scaled(sum: &mut [f64], scale: f64, x: &[f64]) {
    for (s, &v) in sum.iter_mut().zip(x) {
        *s += scale * v;
    }
}

/// x'beta in four interleaved partial sums: one running sum would be a chain of p dependent
/// additions per subject, the critical path of a fit with many covariates.
#[inline(always)]
pub(crate) fn linear_predictor(beta: &[f64], xk: &[f64]) -> f64 {
    let mut partial = [0.0; 4];
    let (beta_head, beta_tail) = beta.split_at(beta.len() - beta.len() % 4);
    for (b, x) in beta_head.chunks_exact(4).zip(xk.chunks_exact(4)) {
        for l in 0..4 {
            partial[l] += b[l] * x[l];
        }
    }
    let mut total = (partial[0] + partial[2]) + (partial[1] + partial[3]);
    for (b, x) in beta_tail.iter().zip(&xk[beta_head.len()..]) {
        total += b * x;
    }
    total
}

#[cfg(test)]
mod tests {
    use crate::cox::{iterate, Design, SortedSurv, Ties, Workspace};
    use crate::data::SurvData;

    /// A small design with tied times (several deaths at a time, deaths tied with censorings),
    /// case weights, optionally two strata, binary and continuous columns (p = 5: partial
    /// kernel blocks).
    fn example(stratified: bool) -> (SurvData, Vec<f64>, usize, usize) {
        let n = 40;
        let p = 5;
        let mut state = 12345u64;
        let mut next = move || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let time: Vec<f64> = (0..n).map(|_| (next() * 8.0).floor() + 1.0).collect();
        let status: Vec<f64> = (0..n).map(|_| if next() < 0.7 { 1.0 } else { 0.0 }).collect();
        let weights: Vec<f64> = (0..n).map(|_| 0.5 + next()).collect();
        let strata: Vec<usize> = (0..n).map(|i| if stratified { i % 2 } else { 0 }).collect();
        let x: Vec<f64> = (0..n * p).map(|k| if k / n < 2 { (next() < 0.4) as u8 as f64 } else { next() * 2.0 - 1.0 }).collect();
        let surv = SurvData::new(&time, &status, Some(&weights), Some(&strata)).unwrap();
        (surv, x, n, p)
    }

    fn run(sorted: &SortedSurv, x: &Design, ties: Ties, beta: &[f64], fast: bool) -> (f64, Vec<f64>, Vec<f64>) {
        let mut work = Workspace::new(sorted.len(), x.p);
        work.load(sorted, x, true);
        work.fast_sums = fast;
        let loglik = iterate(sorted, &mut work, ties, beta);
        (loglik, work.u.clone(), work.imat.clone())
    }

    fn assert_close(fast: f64, exact: f64, scale: f64, what: &str) {
        assert!((fast - exact).abs() <= 1e-12 * scale, "{what}: fast {fast:e} vs exact {exact:e}");
    }

    #[test]
    fn fast_sums_agree_with_survivals_arithmetic() {
        for stratified in [true, false] {
            let (surv, values, n, p) = example(stratified);
            let x = Design::new(&values, n, p).unwrap();
            let sorted = SortedSurv::new(&surv);
            for ties in [Ties::Efron, Ties::Breslow] {
                for beta in [vec![0.0; p], vec![0.4, -0.7, 0.3, 1.1, -0.5]] {
                    let (loglik, u, imat) = run(&sorted, &x, ties, &beta, false);
                    let (fast_loglik, fast_u, fast_imat) = run(&sorted, &x, ties, &beta, true);
                    assert_close(fast_loglik, loglik, loglik.abs(), "loglik");
                    let u_scale = u.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
                    for (f, e) in fast_u.iter().zip(&u) {
                        assert_close(*f, *e, u_scale, "score");
                    }
                    let i_scale = imat.iter().fold(1.0_f64, |m, v| m.max(v.abs()));
                    for (f, e) in fast_imat.iter().zip(&imat) {
                        assert_close(*f, *e, i_scale, "information");
                    }
                }
            }
        }
    }
}
