//! The permutation null of fgsea's `simple` method, shared by every ranking of a run.
//!
//! fgsea's cumulative trick: one random gene set of the largest tested size K is drawn per
//! permutation; its first k draws are a uniform random set of size k, so the one draw gives a
//! null enrichment score for every tested size. A random set is a set of *positions* in a ranking,
//! so its distribution does not depend on the ranking's values: the same sampled sets serve every
//! ranking of a per-sample run, each ranking only evaluating scores on them.
//!
//! Permutations are cut into blocks of a fixed size; block `b` draws from
//! `RngStream::new(seed, stream_base + b)`, and per-block tallies are added in block order, so the
//! result is the same for any number of threads. For speed, up to [`LANES`] rankings are evaluated
//! together on stored sorted sets (the sampled positions are read once for all of them); a single
//! ranking instead sorts and scores the sets on the fly, [`CHAINS`] permutations interleaved. Both
//! paths perform the same arithmetic in the same order, so a per-sample run gives every sample
//! exactly the result of a run on that sample alone.

use rayon::prelude::*;
use rg_core::{Monitor, RngStream};

use crate::error::GseaError;

/// Rankings evaluated together on one sampled set.
pub const LANES: usize = 8;

/// Scores closer than this count as equal. Equal scores in exact arithmetic (frequent with ties or
/// `gsea_param = 0`) differ by rounding when computed from differently ordered sums; fgsea compares
/// them exactly and so breaks such ties at random.
pub const SCORE_TOLERANCE: f64 = 1e-10;

/// Budget of stored sorted positions per block (u32 values), which sets the block length.
const BLOCK_BUDGET: usize = 1 << 18;
/// Blocks drawn and evaluated between two monitor steps.
const BLOCKS_PER_STEP: usize = 8;

/// The shape of the null: universe size, the distinct tested sizes, the number of permutations
/// and how they are cut into blocks.
#[derive(Debug, Clone)]
pub struct NullPlan {
    pub n: usize,
    /// Distinct tested sizes, ascending.
    pub sizes: Vec<usize>,
    /// Start of each size's sorted prefix in one permutation's record.
    offsets: Vec<usize>,
    /// Σ sizes: length of one permutation's record of sorted prefixes.
    record: usize,
    pub nperm: usize,
    pub block_perms: usize,
}

impl NullPlan {
    /// `sizes` must be distinct, ascending, each in 1..n.
    pub fn new(n: usize, sizes: Vec<usize>, nperm: usize) -> NullPlan {
        let mut offsets = Vec::with_capacity(sizes.len());
        let mut record = 0;
        for &k in &sizes {
            offsets.push(record);
            record += k;
        }
        let block_perms = (BLOCK_BUDGET / record.max(1)).clamp(1, 1000);
        NullPlan { n, sizes, offsets, record, nperm, block_perms }
    }

    pub fn max_size(&self) -> usize {
        self.sizes.last().copied().unwrap_or(0)
    }

    pub fn n_blocks(&self) -> usize {
        self.nperm.div_ceil(self.block_perms)
    }

    fn perms_in_block(&self, block: usize) -> usize {
        self.block_perms.min(self.nperm - block * self.block_perms)
    }
}

/// The sampled sets of one block.
struct NullBlock {
    perms: usize,
    /// `perms × K` positions in draw order.
    drawn: Vec<u32>,
    /// `perms × record`: for each permutation, the sorted first-k draws for every tested k.
    sorted: Vec<u32>,
}

fn sample_block(plan: &NullPlan, seed: u64, stream_base: u64, block: usize) -> NullBlock {
    let perms = plan.perms_in_block(block);
    sample_perms(plan, perms, &mut RngStream::new(seed, stream_base + block as u64))
}

fn sample_perms(plan: &NullPlan, perms: usize, rng: &mut RngStream) -> NullBlock {
    let k_max = plan.max_size();
    let mut scratch: Vec<usize> = (0..plan.n).collect();
    let mut drawn = Vec::with_capacity(perms * k_max);
    let mut sorted = vec![0u32; perms * plan.record];
    let mut fresh = Vec::with_capacity(k_max);
    for perm in 0..perms {
        let start = drawn.len();
        drawn.extend(rng.sample_distinct(&mut scratch, k_max).iter().map(|&p| p as u32));
        let draws = &drawn[start..];
        let record = &mut sorted[perm * plan.record..(perm + 1) * plan.record];
        let mut previous = 0;
        for (s, &k) in plan.sizes.iter().enumerate() {
            fresh.clear();
            fresh.extend_from_slice(&draws[previous..k]);
            fresh.sort_unstable();
            let offset = plan.offsets[s];
            let (done, rest) = record.split_at_mut(offset);
            let before = if s == 0 { &[][..] } else { &done[plan.offsets[s - 1]..] };
            merge_sorted(before, &fresh, &mut rest[..k]);
            previous = k;
        }
    }
    NullBlock { perms, drawn, sorted }
}

/// Merges two ascending slices into `out` (of their combined length).
fn merge_sorted(a: &[u32], b: &[u32], out: &mut [u32]) {
    let (mut i, mut j) = (0, 0);
    for slot in out.iter_mut() {
        if j >= b.len() || (i < a.len() && a[i] < b[j]) {
            *slot = a[i];
            i += 1;
        } else {
            *slot = b[j];
            j += 1;
        }
    }
}

/// Null tallies of one ranking, fgsea's `leEs, geEs` (per set) and `leZero, geZero, leZeroSum,
/// geZeroSum` (per size: they do not depend on the set).
#[derive(Debug, Clone, PartialEq)]
pub struct NullCounts {
    pub le_es: Vec<u64>,
    pub ge_es: Vec<u64>,
    pub le_zero: Vec<u64>,
    pub ge_zero: Vec<u64>,
    pub le_zero_sum: Vec<f64>,
    pub ge_zero_sum: Vec<f64>,
}

impl NullCounts {
    pub fn new(n_sets: usize, n_sizes: usize) -> Self {
        NullCounts {
            le_es: vec![0; n_sets],
            ge_es: vec![0; n_sets],
            le_zero: vec![0; n_sizes],
            ge_zero: vec![0; n_sizes],
            le_zero_sum: vec![0.0; n_sizes],
            ge_zero_sum: vec![0.0; n_sizes],
        }
    }

    fn add(&mut self, other: &NullCounts) {
        let add_u = |a: &mut Vec<u64>, b: &Vec<u64>| a.iter_mut().zip(b).for_each(|(x, y)| *x += y);
        add_u(&mut self.le_es, &other.le_es);
        add_u(&mut self.ge_es, &other.ge_es);
        add_u(&mut self.le_zero, &other.le_zero);
        add_u(&mut self.ge_zero, &other.ge_zero);
        self.le_zero_sum.iter_mut().zip(&other.le_zero_sum).for_each(|(x, y)| *x += y);
        self.ge_zero_sum.iter_mut().zip(&other.ge_zero_sum).for_each(|(x, y)| *x += y);
    }
}

/// What the null is compared with: the rankings and their observed scores.
pub struct NullTargets<'a> {
    /// Each ranking's weights in ranking order.
    pub weights: Vec<&'a [f64]>,
    /// Each ranking's observed ES per tested set.
    pub observed: Vec<&'a [f64]>,
    /// Tested sets of each distinct size (indices into `observed[r]`), aligned with `plan.sizes`.
    pub sets_by_size: &'a [Vec<usize>],
}

/// Up to `L` rankings interleaved so that one sampled position reads all their weights at once.
struct LaneGroup<const L: usize> {
    weights: Vec<[f64; L]>,
    observed: Vec<[f64; L]>,
    used: usize,
}

impl<const L: usize> LaneGroup<L> {
    /// Rankings `first..first + L` (lanes past the end repeat the first ranking and are ignored).
    fn new(targets: &NullTargets, first: usize) -> Self {
        let total = targets.weights.len();
        let used = L.min(total - first);
        let lane = |l: usize| if l < used { first + l } else { first };
        let n = targets.weights[first].len();
        let m = targets.observed[first].len();
        let weights = (0..n).map(|p| std::array::from_fn(|l| targets.weights[lane(l)][p])).collect();
        let observed = (0..m).map(|i| std::array::from_fn(|l| targets.observed[lane(l)][i])).collect();
        LaneGroup { weights, observed, used }
    }
}

/// Null scores of one sampled set (its sorted positions) for all lanes. `nr` is each lane's sum of
/// weights over the set. Same arithmetic as [`crate::score`] up to rounding: the running sum is
/// kept scaled by NR.
#[inline(always)]
fn lane_scores<const L: usize>(weights: &[[f64; L]], positions: &[u32], nr: &[f64; L], n: usize) -> [f64; L] {
    let miss = (n - positions.len()) as f64;
    let mut slope = [0.0f64; L];
    for l in 0..L {
        slope[l] = nr[l] / miss;
    }
    let (top, bottom) = running_extremes(weights, positions, &slope);
    let mut es = [0.0f64; L];
    for l in 0..L {
        es[l] = score_from_extremes(top[l], bottom[l], nr[l], || unit_weight_score(positions, n));
    }
    es
}

/// Maximum and minimum of the NR-scaled running sum (kept as a plain loop over lane arrays so the
/// compiler turns each lane update into one vector instruction).
#[inline(always)]
fn running_extremes<const L: usize>(weights: &[[f64; L]], positions: &[u32], slope: &[f64; L]) -> ([f64; L], [f64; L]) {
    let mut run = [0.0f64; L];
    let mut top = [0.0f64; L];
    let mut bottom = [0.0f64; L];
    for (j, &p) in positions.iter().enumerate() {
        // positions and j are < 2^31 (u32 universe, j < k < n): a signed convert is one instruction
        let misses_before = (p as i64 - j as i64) as f64;
        let w = &weights[p as usize];
        for l in 0..L {
            let shift = misses_before * slope[l];
            let b = run[l] - shift;
            bottom[l] = if b < bottom[l] { b } else { bottom[l] };
            run[l] += w[l];
            let t = run[l] - shift;
            top[l] = if t > top[l] { t } else { top[l] };
        }
    }
    (top, bottom)
}

/// The enrichment score from the extremes of the NR-scaled running sum: the larger deviation,
/// unscaled (0 on a tie); a set whose weights are all zero (NR = 0) is scored by `unit_weight`.
#[inline(always)]
fn score_from_extremes(top: f64, bottom: f64, nr: f64, unit_weight: impl FnOnce() -> f64) -> f64 {
    if nr == 0.0 {
        unit_weight()
    } else if top > -bottom {
        top / nr
    } else if top < -bottom {
        bottom / nr
    } else {
        0.0
    }
}

/// Score of a set whose weights are all zero: every set gene counts 1/k.
fn unit_weight_score(positions: &[u32], n: usize) -> f64 {
    let ones = vec![1.0; n];
    crate::score::enrichment_score(&ones, positions)
}

/// [`evaluate_block`] compiled for AVX2 when the CPU has it (same IEEE operations, so the same
/// results; no FMA contraction).
fn evaluate_block_fast<const L: usize>(
    plan: &NullPlan,
    sets_by_size: &[Vec<usize>],
    group: &LaneGroup<L>,
    block: &NullBlock,
) -> Vec<NullCounts> {
    #[cfg(target_arch = "x86_64")]
    {
        if std::arch::is_x86_feature_detected!("avx2") {
            // SAFETY: the CPU supports AVX2, checked just above.
            return unsafe { evaluate_block_avx2(plan, sets_by_size, group, block) };
        }
    }
    evaluate_block(plan, sets_by_size, group, block)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn evaluate_block_avx2<const L: usize>(
    plan: &NullPlan,
    sets_by_size: &[Vec<usize>],
    group: &LaneGroup<L>,
    block: &NullBlock,
) -> Vec<NullCounts> {
    evaluate_block(plan, sets_by_size, group, block)
}

/// Evaluates one block for one lane group; returns the group's tallies (one per used lane).
#[inline(always)]
fn evaluate_block<const L: usize>(
    plan: &NullPlan,
    sets_by_size: &[Vec<usize>],
    group: &LaneGroup<L>,
    block: &NullBlock,
) -> Vec<NullCounts> {
    let n_sets = group.observed.len();
    let n_sizes = plan.sizes.len();
    let k_max = plan.max_size();
    let mut le_es = vec![[0u64; L]; n_sets];
    let mut ge_es = vec![[0u64; L]; n_sets];
    let mut le_zero = vec![[0u64; L]; n_sizes];
    let mut ge_zero = vec![[0u64; L]; n_sizes];
    let mut le_sum = vec![[0.0f64; L]; n_sizes];
    let mut ge_sum = vec![[0.0f64; L]; n_sizes];
    let mut nr = vec![[0.0f64; L]; n_sizes];
    for perm in 0..block.perms {
        // Σ weights of the first k draws, for every tested k, in one pass over the draws
        let draws = &block.drawn[perm * k_max..(perm + 1) * k_max];
        let mut acc = [0.0f64; L];
        let mut s = 0;
        for (t, &p) in draws.iter().enumerate() {
            let w = &group.weights[p as usize];
            for l in 0..L {
                acc[l] += w[l];
            }
            if t + 1 == plan.sizes[s] {
                nr[s] = acc;
                s += 1;
            }
        }
        let record = &block.sorted[perm * plan.record..(perm + 1) * plan.record];
        for (s, &k) in plan.sizes.iter().enumerate() {
            let positions = &record[plan.offsets[s]..plan.offsets[s] + k];
            let mut es = lane_scores(&group.weights, positions, &nr[s], plan.n);
            for e in es.iter_mut() {
                if e.abs() < SCORE_TOLERANCE {
                    *e = 0.0;
                }
            }
            for l in 0..L {
                le_zero[s][l] += (es[l] <= 0.0) as u64;
                ge_zero[s][l] += (es[l] >= 0.0) as u64;
                le_sum[s][l] += es[l].min(0.0);
                ge_sum[s][l] += es[l].max(0.0);
            }
            for &set in &sets_by_size[s] {
                let observed = &group.observed[set];
                for l in 0..L {
                    le_es[set][l] += (es[l] <= observed[l] + SCORE_TOLERANCE) as u64;
                    ge_es[set][l] += (es[l] >= observed[l] - SCORE_TOLERANCE) as u64;
                }
            }
        }
    }
    (0..group.used)
        .map(|l| NullCounts {
            le_es: le_es.iter().map(|c| c[l]).collect(),
            ge_es: ge_es.iter().map(|c| c[l]).collect(),
            le_zero: le_zero.iter().map(|c| c[l]).collect(),
            ge_zero: ge_zero.iter().map(|c| c[l]).collect(),
            le_zero_sum: le_sum.iter().map(|c| c[l]).collect(),
            ge_zero_sum: ge_sum.iter().map(|c| c[l]).collect(),
        })
        .collect()
}

/// Tallies the null of `plan` for every ranking of `targets` (one [`NullCounts`] per ranking).
/// Runs on `pool`; calls the monitor on the calling thread after each group of blocks.
pub fn tally_null(
    plan: &NullPlan,
    targets: &NullTargets,
    seed: u64,
    stream_base: u64,
    pool: &rayon::ThreadPool,
    monitor: &mut dyn Monitor,
) -> Result<Vec<NullCounts>, GseaError> {
    if targets.weights.len() == 1 {
        tally_single(plan, targets, seed, stream_base, pool, monitor)
    } else {
        tally_lanes::<LANES>(plan, targets, seed, stream_base, pool, monitor)
    }
}

fn tally_lanes<const L: usize>(
    plan: &NullPlan,
    targets: &NullTargets,
    seed: u64,
    stream_base: u64,
    pool: &rayon::ThreadPool,
    monitor: &mut dyn Monitor,
) -> Result<Vec<NullCounts>, GseaError> {
    let n_rankings = targets.weights.len();
    let n_sets = targets.observed.first().map_or(0, |o| o.len());
    let mut totals = vec![NullCounts::new(n_sets, plan.sizes.len()); n_rankings];
    if plan.sizes.is_empty() || n_rankings == 0 {
        return Ok(totals);
    }
    let groups: Vec<LaneGroup<L>> =
        pool.install(|| (0..n_rankings).step_by(L).collect::<Vec<_>>().into_par_iter().map(|f| LaneGroup::new(targets, f)).collect());
    let n_blocks = plan.n_blocks();
    let mut start = 0;
    while start < n_blocks {
        let end = (start + BLOCKS_PER_STEP).min(n_blocks);
        let blocks: Vec<NullBlock> = pool.install(|| {
            (start..end).into_par_iter().map(|b| sample_block(plan, seed, stream_base, b)).collect()
        });
        let tasks: Vec<(usize, usize)> =
            (0..groups.len()).flat_map(|g| (0..blocks.len()).map(move |b| (g, b))).collect();
        let partials: Vec<Vec<NullCounts>> = pool.install(|| {
            tasks
                .par_iter()
                .map(|&(g, b)| evaluate_block_fast(plan, targets.sets_by_size, &groups[g], &blocks[b]))
                .collect()
        });
        // tasks are group-major with blocks in order: adding in this order is thread-independent
        for (&(g, _), lanes) in tasks.iter().zip(&partials) {
            for (l, counts) in lanes.iter().enumerate() {
                totals[g * L + l].add(counts);
            }
        }
        monitor.step(end, n_blocks)?;
        start = end;
    }
    Ok(totals)
}

/// Permutations evaluated together on a single ranking: independent running sums interleaved
/// so that the processor overlaps them.
pub const CHAINS: usize = 4;

/// The one-ranking case: each block's random sets are drawn, sorted and scored on the fly (no
/// stored prefixes), [`CHAINS`] permutations at a time. Draws, arithmetic and summation order are
/// those of the many-ranking path, so the tallies are identical.
fn tally_single(
    plan: &NullPlan,
    targets: &NullTargets,
    seed: u64,
    stream_base: u64,
    pool: &rayon::ThreadPool,
    monitor: &mut dyn Monitor,
) -> Result<Vec<NullCounts>, GseaError> {
    let (weights, observed) = (targets.weights[0], targets.observed[0]);
    let mut total = NullCounts::new(observed.len(), plan.sizes.len());
    if plan.sizes.is_empty() {
        return Ok(vec![total]);
    }
    let n_blocks = plan.n_blocks();
    let mut start = 0;
    while start < n_blocks {
        let end = (start + BLOCKS_PER_STEP).min(n_blocks);
        let partials: Vec<NullCounts> = pool.install(|| {
            (start..end)
                .into_par_iter()
                .map(|b| {
                    let mut rng = RngStream::new(seed, stream_base + b as u64);
                    evaluate_single(plan, targets.sets_by_size, weights, observed, plan.perms_in_block(b), &mut rng)
                })
                .collect()
        });
        for counts in &partials {
            total.add(counts);
        }
        monitor.step(end, n_blocks)?;
        start = end;
    }
    Ok(vec![total])
}

/// Per-chain state of the streaming evaluation: the draws, and the sorted first-k draws.
struct Chain {
    drawn: Vec<u32>,
    sorted: Vec<u32>,
    merged: Vec<u32>,
    nr: Vec<f64>,
}

fn evaluate_single(
    plan: &NullPlan,
    sets_by_size: &[Vec<usize>],
    weights: &[f64],
    observed: &[f64],
    perms: usize,
    rng: &mut RngStream,
) -> NullCounts {
    let k_max = plan.max_size();
    let mut counts = NullCounts::new(observed.len(), plan.sizes.len());
    let mut scratch: Vec<usize> = (0..plan.n).collect();
    let mut chains: Vec<Chain> = (0..CHAINS)
        .map(|_| Chain { drawn: Vec::new(), sorted: Vec::new(), merged: Vec::new(), nr: vec![0.0; plan.sizes.len()] })
        .collect();
    let mut fresh = Vec::with_capacity(k_max);
    let mut done = 0;
    while done < perms {
        let width = CHAINS.min(perms - done);
        for chain in chains.iter_mut().take(width) {
            chain.drawn.clear();
            chain.drawn.extend(rng.sample_distinct(&mut scratch, k_max).iter().map(|&p| p as u32));
            chain.sorted.clear();
            let mut acc = 0.0;
            let mut s = 0;
            for (t, &p) in chain.drawn.iter().enumerate() {
                acc += weights[p as usize];
                if t + 1 == plan.sizes[s] {
                    chain.nr[s] = acc;
                    s += 1;
                }
            }
        }
        let mut previous = 0;
        for (s, &k) in plan.sizes.iter().enumerate() {
            for chain in chains.iter_mut().take(width) {
                fresh.clear();
                fresh.extend_from_slice(&chain.drawn[previous..k]);
                fresh.sort_unstable();
                chain.merged.resize(k, 0);
                merge_sorted(&chain.sorted, &fresh, &mut chain.merged);
                std::mem::swap(&mut chain.sorted, &mut chain.merged);
            }
            let mut es = [0.0f64; CHAINS];
            if width == CHAINS {
                let positions: [&[u32]; CHAINS] = std::array::from_fn(|c| chains[c].sorted.as_slice());
                let nr: [f64; CHAINS] = std::array::from_fn(|c| chains[c].nr[s]);
                es = chain_scores(weights, positions, &nr, plan.n);
            } else {
                for c in 0..width {
                    es[c] = chain_scores(weights, [chains[c].sorted.as_slice()], &[chains[c].nr[s]], plan.n)[0];
                }
            }
            for &e in es.iter().take(width) {
                let e = if e.abs() < SCORE_TOLERANCE { 0.0 } else { e };
                counts.le_zero[s] += (e <= 0.0) as u64;
                counts.ge_zero[s] += (e >= 0.0) as u64;
                counts.le_zero_sum[s] += e.min(0.0);
                counts.ge_zero_sum[s] += e.max(0.0);
                for &set in &sets_by_size[s] {
                    counts.le_es[set] += (e <= observed[set] + SCORE_TOLERANCE) as u64;
                    counts.ge_es[set] += (e >= observed[set] - SCORE_TOLERANCE) as u64;
                }
            }
            previous = k;
        }
        done += width;
    }
    counts
}

/// Null scores of `C` random sets (equal sizes) on one ranking, their running sums interleaved;
/// per chain the arithmetic of [`lane_scores`].
#[inline(always)]
#[allow(clippy::needless_range_loop)] // j indexes every chain's positions
fn chain_scores<const C: usize>(weights: &[f64], positions: [&[u32]; C], nr: &[f64; C], n: usize) -> [f64; C] {
    let k = positions[0].len();
    let miss = (n - k) as f64;
    let slope: [f64; C] = std::array::from_fn(|c| nr[c] / miss);
    let mut run = [0.0f64; C];
    let mut top = [0.0f64; C];
    let mut bottom = [0.0f64; C];
    for j in 0..k {
        for c in 0..C {
            let p = positions[c][j];
            let shift = (p as i64 - j as i64) as f64 * slope[c];
            let b = run[c] - shift;
            bottom[c] = if b < bottom[c] { b } else { bottom[c] };
            run[c] += weights[p as usize];
            let t = run[c] - shift;
            top[c] = if t > top[c] { t } else { top[c] };
        }
    }
    std::array::from_fn(|c| score_from_extremes(top[c], bottom[c], nr[c], || unit_weight_score(positions[c], n)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_prefixes_are_the_sorted_first_draws() {
        let plan = NullPlan::new(50, vec![3, 7, 20], 5);
        let block = sample_perms(&plan, 5, &mut RngStream::new(1, 0));
        for perm in 0..5 {
            let draws = &block.drawn[perm * 20..(perm + 1) * 20];
            let mut distinct = draws.to_vec();
            distinct.sort_unstable();
            distinct.dedup();
            assert_eq!(distinct.len(), 20);
            for (s, &k) in plan.sizes.iter().enumerate() {
                let mut expected = draws[..k].to_vec();
                expected.sort_unstable();
                let start = perm * plan.record + plan.offsets[s];
                assert_eq!(&block.sorted[start..start + k], &expected[..]);
            }
        }
    }

    #[test]
    fn lane_scores_match_the_direct_score() {
        let n = 40;
        let mut rng = RngStream::new(3, 0);
        let rankings: Vec<Vec<f64>> = (0..3)
            .map(|_| {
                let mut w: Vec<f64> = (0..n).map(|_| rng.normal().abs()).collect();
                w.sort_by(|a, b| b.total_cmp(a));
                w
            })
            .collect();
        let targets_w: Vec<&[f64]> = rankings.iter().map(|r| r.as_slice()).collect();
        let obs = vec![0.0; 1];
        let targets =
            NullTargets { weights: targets_w, observed: vec![&obs, &obs, &obs], sets_by_size: &[] };
        let group = LaneGroup::<4>::new(&targets, 0);
        let positions = [2u32, 5, 11, 30, 39];
        let nr: [f64; 4] = std::array::from_fn(|l| {
            positions.iter().map(|&p| rankings[if l < 3 { l } else { 0 }][p as usize]).sum()
        });
        let es = lane_scores(&group.weights, &positions, &nr, n);
        for l in 0..3 {
            let direct = crate::score::enrichment_score(&rankings[l], &positions);
            assert!((es[l] - direct).abs() < 1e-14, "{} vs {}", es[l], direct);
        }
    }
}
