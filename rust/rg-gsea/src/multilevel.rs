//! Adaptive multilevel splitting for small GSEA p-values (Korotkevich et al. 2021), a port of
//! fgsea's `EsRuler` (src/fgseaMultilevelSupplement.cpp, esCalculation.cpp).
//!
//! A population of `sample_size` random sets of one size is pushed, level by level, towards
//! higher positive enrichment scores: at each level the lower half (by positive ES) is recorded
//! and replaced by copies of the upper half, which are then perturbed by a Markov chain that keeps
//! every set above the current median score. Each level halves the tail probability, so a p-value
//! of 1e-10 needs ~33 levels instead of 1e10 permutations. Negative scores use the reversed ranking.

use rg_core::RngStream;

use crate::special::{digamma, trigamma};

/// fgsea stops a ruler after this many levels only through `eps`; with `eps = 0` this cap (far
/// beyond the smallest double, 2^-1074) guarantees termination.
const MAX_LEVELS: usize = 1100;

/// E[log X] for X ~ Beta(a, b + 1 - a) as fgsea writes it: ψ(a) − ψ(b + 1).
fn beta_mean_log(a: usize, b: usize) -> f64 {
    digamma(a as f64) - digamma(b as f64 + 1.0)
}

/// fgsea's `multilevelError`: expected standard deviation of log2(p) after the levels needed for
/// `pval` with `sample_size` sets per level.
pub fn multilevel_error(pval: f64, sample_size: usize) -> f64 {
    let levels = (-pval.log2() + 1.0).floor();
    let half = sample_size.div_ceil(2) as f64;
    (levels * (trigamma(half) - trigamma(sample_size as f64 + 1.0))).sqrt() / std::f64::consts::LN_2
}

/// Signed ES of a sorted position set (fgsea's `calcES`).
fn calc_es(ranks: &[f64], positions: &[u32]) -> f64 {
    let ns: f64 = positions.iter().map(|&p| ranks[p as usize]).sum();
    let q1 = 1.0 / (ranks.len() - positions.len()) as f64;
    let q2 = 1.0 / ns;
    let (mut res, mut cur, mut last) = (0.0f64, 0.0f64, -1i64);
    for &p in positions {
        cur -= q1 * (p as i64 - last - 1) as f64;
        if cur.abs() > res.abs() {
            res = cur;
        }
        cur += q2 * ranks[p as usize];
        if cur.abs() > res.abs() {
            res = cur;
        }
        last = p as i64;
    }
    res
}

/// Positive ES of a sorted position set (fgsea's `calcPositiveES`).
fn calc_positive_es(ranks: &[f64], positions: &[u32]) -> f64 {
    let ns: f64 = positions.iter().map(|&p| ranks[p as usize]).sum();
    let q1 = 1.0 / (ranks.len() - positions.len()) as f64;
    let q2 = 1.0 / ns;
    let (mut res, mut cur, mut last) = (0.0f64, 0.0f64, -1i64);
    for &p in positions {
        cur += q2 * ranks[p as usize] - q1 * (p as i64 - last - 1) as f64;
        res = res.max(cur);
        last = p as i64;
    }
    res
}

/// One random set split into position ranges ("chunks") with each chunk's sum of ranks.
#[derive(Clone)]
struct SampleChunks {
    sums: Vec<f64>,
    chunks: Vec<Vec<u32>>,
}

/// fgsea's `EsRuler` for one ranking (`ranks` = weights, ranking order) and one set size.
pub struct EsRuler<'a> {
    ranks: &'a [f64],
    sample_size: usize,
    pathway_size: usize,
    current: Vec<Vec<u32>>,
    enrichment_scores: Vec<f64>,
    prob_corrector: Vec<usize>,
    chunk_last: Vec<u32>,
}

impl<'a> EsRuler<'a> {
    pub fn new(ranks: &'a [f64], sample_size: usize, pathway_size: usize) -> Self {
        EsRuler {
            ranks,
            sample_size,
            pathway_size,
            current: vec![Vec::new(); sample_size],
            enrichment_scores: Vec::new(),
            prob_corrector: Vec::new(),
            chunk_last: Vec::new(),
        }
    }

    /// Records the lower half of the population's positive scores and replaces it with copies of
    /// the upper half (fgsea's `duplicateSamples`).
    fn duplicate_samples(&mut self) {
        let size = self.sample_size;
        let mut stats: Vec<(f64, usize)> = Vec::with_capacity(size);
        let mut positive = vec![false; size];
        let mut total_positive = 0usize;
        for (id, sample) in self.current.iter().enumerate() {
            if calc_es(self.ranks, sample) > 0.0 {
                total_positive += 1;
                positive[id] = true;
            }
            stats.push((calc_positive_es(self.ranks, sample), id));
        }
        stats.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(es, id) in stats.iter().take(size.div_ceil(2)) {
            self.enrichment_scores.push(es);
            if positive[id] {
                total_positive -= 1;
            }
            self.prob_corrector.push(total_positive);
        }
        let mut next = Vec::with_capacity(size);
        let mut id = 0;
        while 2 * id + 2 < size {
            let source = &self.current[stats[size - 1 - id].1];
            next.push(source.clone());
            next.push(source.clone());
            id += 1;
        }
        next.push(self.current[stats[size >> 1].1].clone());
        self.current = next;
    }

    /// Adds levels until the recorded scores reach `es` (or `eps` says the p-value is small
    /// enough not to matter).
    pub fn extend(&mut self, es: f64, rng: &mut RngStream, eps: f64) {
        let n = self.ranks.len();
        let k = self.pathway_size;
        let size = self.sample_size;
        let mut scratch: Vec<usize> = (0..n).collect();
        for sample in self.current.iter_mut() {
            *sample = rng.sample_distinct(&mut scratch, k).iter().map(|&p| p as u32).collect();
            sample.sort_unstable();
        }
        let chunks_number = ((k as f64).sqrt() as usize).max(1);
        self.chunk_last = vec![0; chunks_number];
        self.chunk_last[chunks_number - 1] = n as u32;
        let mut column = vec![0u32; size];
        let mut samples = vec![SampleChunks { sums: vec![0.0; chunks_number], chunks: vec![Vec::new(); chunks_number] }; size];
        let half = size.div_ceil(2);

        self.duplicate_samples();
        while self.last_score() <= es - 1e-10 && self.enrichment_scores.len() / half <= MAX_LEVELS {
            let mut pos = 0;
            for i in 0..chunks_number - 1 {
                pos += (k + i) / chunks_number;
                for (j, sample) in self.current.iter().enumerate() {
                    column[j] = sample[pos];
                }
                let (_, median, _) = column.select_nth_unstable(size / 2);
                self.chunk_last[i] = *median;
            }
            for (sample, chunked) in self.current.iter().zip(samples.iter_mut()) {
                chunked.sums.iter_mut().for_each(|s| *s = 0.0);
                chunked.chunks.iter_mut().for_each(Vec::clear);
                let mut c = 0;
                for &p in sample {
                    while self.chunk_last[c] <= p {
                        c += 1;
                    }
                    chunked.chunks[c].push(p);
                    chunked.sums[c] += self.ranks[p as usize];
                }
            }
            let bound = self.last_score();
            let mut moves = 0;
            while moves < size * k {
                for chunked in samples.iter_mut() {
                    moves += perturbate(self.ranks, k, chunked, &self.chunk_last, bound, rng);
                }
            }
            for (sample, chunked) in self.current.iter_mut().zip(&samples) {
                sample.clear();
                for chunk in &chunked.chunks {
                    sample.extend_from_slice(chunk);
                }
            }
            self.duplicate_samples();
            if eps != 0.0 {
                let levels = self.enrichment_scores.len() / half;
                if levels as f64 > -(0.5 * eps).log2() {
                    break;
                }
            }
        }
    }

    fn last_score(&self) -> f64 {
        self.enrichment_scores.last().copied().unwrap_or(f64::NEG_INFINITY)
    }

    /// P(ES ≥ `es`) for a random set of this size, and whether the conditional probability of a
    /// positive score was at least ½ (fgsea's `isCpGeHalf`; otherwise the p-value is likely
    /// overestimated and log2err is not reported).
    pub fn p_value(&self, es: f64) -> (f64, bool) {
        if self.enrichment_scores.is_empty() {
            return (1.0, true);
        }
        let size = self.sample_size;
        let half = size.div_ceil(2);
        let index = if es >= self.last_score() {
            self.enrichment_scores.len() - 1
        } else {
            self.enrichment_scores.partition_point(|&e| e < es)
        };
        let levels = index / half;
        let remainder = size - index % half;
        let adj_log = beta_mean_log(half, size);
        let adj_log_pval = levels as f64 * adj_log + beta_mean_log(remainder + 1, size);
        let correction = beta_mean_log(self.prob_corrector[index] + 1, remainder);
        let pval = (adj_log_pval + correction).exp().clamp(0.0, 1.0);
        (pval, correction.exp() >= 0.5)
    }
}

/// One Markov-chain sweep on a set: up to k/10 proposed swaps of a member for a random gene,
/// accepted when the set's positive running sum still exceeds `bound` somewhere (fgsea's
/// `perturbate`). Returns the number of accepted moves.
fn perturbate(
    ranks: &[f64],
    k: usize,
    sample: &mut SampleChunks,
    chunk_last: &[u32],
    bound: f64,
    rng: &mut RngStream,
) -> usize {
    let n = ranks.len();
    // fgsea re-adds all k ranks here; the chunk sums (rebuilt at every level) give the same
    // total in O(sqrt k), which matters because this runs for every sweep of every set
    let mut ns: f64 = sample.sums.iter().sum();
    let q1 = 1.0 / (n - k) as f64;
    let iters = ((k as f64 * 0.1) as usize).max(1);
    let mut moves = 0;
    let mut candidate: Option<(u32, i64, f64)> = None; // (value, x, y) of a point above the bound

    for _ in 0..iters {
        let (old_chunk, old_in_chunk) = locate(&sample.chunks, rng.below(k));
        let old_val = sample.chunks[old_chunk][old_in_chunk];
        let new_val = rng.below(n) as u32;
        // chunks hold ~sqrt(k) sorted values: a branch-free count beats a binary search
        let new_chunk = count_below(chunk_last, new_val + 1);
        let new_in_chunk = count_below(&sample.chunks[new_chunk], new_val);
        if sample.chunks[new_chunk].get(new_in_chunk) == Some(&new_val) {
            if new_val == old_val {
                moves += 1;
            }
            continue;
        }
        let shift = (old_chunk == new_chunk && old_in_chunk < new_in_chunk) as usize;
        sample.chunks[old_chunk].remove(old_in_chunk);
        sample.chunks[new_chunk].insert(new_in_chunk - shift, new_val);
        let (w_old, w_new) = (ranks[old_val as usize], ranks[new_val as usize]);
        ns = ns - w_old + w_new;
        sample.sums[old_chunk] -= w_old;
        sample.sums[new_chunk] += w_new;
        candidate = shift_candidate(candidate, old_val, new_val, w_old, w_new);

        let q2 = 1.0 / ns;
        if let Some((_, x, y)) = candidate {
            if -q1 * x as f64 + q2 * y > bound {
                moves += 1;
                continue;
            }
        }
        match find_point_above(ranks, sample, chunk_last, q1, q2, bound) {
            Some(point) => {
                candidate = Some(point);
                moves += 1;
            }
            None => {
                ns = ns - w_new + w_old;
                sample.sums[old_chunk] += w_old;
                sample.sums[new_chunk] -= w_new;
                sample.chunks[new_chunk].remove(new_in_chunk - shift);
                sample.chunks[old_chunk].insert(old_in_chunk, old_val);
                candidate = shift_candidate(candidate, new_val, old_val, w_new, w_old);
            }
        }
    }
    moves
}

/// Number of values below `bound` in a sorted slice (its lower bound).
#[inline]
fn count_below(sorted: &[u32], bound: u32) -> usize {
    sorted.iter().map(|&v| (v < bound) as usize).sum()
}

/// Chunk and index within it of the `index`-th member.
fn locate(chunks: &[Vec<u32>], mut index: usize) -> (usize, usize) {
    let mut c = 0;
    while chunks[c].len() <= index {
        index -= chunks[c].len();
        c += 1;
    }
    (c, index)
}

/// Updates the remembered point after `removed` left the set and `added` joined it.
fn shift_candidate(
    candidate: Option<(u32, i64, f64)>,
    removed: u32,
    added: u32,
    w_removed: f64,
    w_added: f64,
) -> Option<(u32, i64, f64)> {
    let (value, mut x, mut y) = candidate?;
    if removed == value {
        return None;
    }
    if removed < value {
        x += 1;
        y -= w_removed;
    }
    if added < value {
        x -= 1;
        y += w_added;
    }
    Some((value, x, y))
}

/// First member at which the running sum exceeds `bound`, skipping whole chunks that cannot.
fn find_point_above(
    ranks: &[f64],
    sample: &SampleChunks,
    chunk_last: &[u32],
    q1: f64,
    q2: f64,
    bound: f64,
) -> Option<(u32, i64, f64)> {
    let (mut cur_x, mut cur_y, mut last) = (0i64, 0.0f64, -1i64);
    for (i, chunk) in sample.chunks.iter().enumerate() {
        let end = chunk_last[i] as i64;
        if q2 * (cur_y + sample.sums[i]) - q1 * (cur_x as f64) < bound {
            cur_y += sample.sums[i];
            cur_x += end - last - 1 - chunk.len() as i64;
            last = end - 1;
        } else {
            for &p in chunk {
                cur_y += ranks[p as usize];
                cur_x += p as i64 - last - 1;
                if q2 * cur_y - q1 * cur_x as f64 > bound {
                    return Some((p, cur_x, cur_y));
                }
                last = p as i64;
            }
            cur_x += end - 1 - last;
            last = end - 1;
        }
    }
    None
}

/// Multilevel p-values of the scores `es` (one set size, one ranking), as fgsea's
/// `fgseaMultilevelCpp`: one ruler for the positive scores, one (on the reversed ranking) for the
/// negative ones. Returns (p-value, isCpGeHalf) per score.
pub fn multilevel_pvalues(
    weights: &[f64],
    size: usize,
    es: &[f64],
    sample_size: usize,
    seed: u64,
    stream: u64,
    eps: f64,
) -> Vec<(f64, bool)> {
    let reversed: Vec<f64> = weights.iter().rev().copied().collect();
    let mut positive = EsRuler::new(weights, sample_size, size);
    let mut negative = EsRuler::new(&reversed, sample_size, size);
    let max_es = es.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let min_es = es.iter().copied().fold(f64::INFINITY, f64::min);
    if max_es >= 0.0 {
        positive.extend(max_es.abs(), &mut RngStream::new(seed, stream), eps);
    }
    if min_es < 0.0 {
        negative.extend(min_es.abs(), &mut RngStream::new(seed, stream + 1), eps);
    }
    es.iter()
        .map(|&e| if e >= 0.0 { positive.p_value(e.abs()) } else { negative.p_value(e.abs()) })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn es_helpers_agree_with_the_reference_score() {
        let ranks: Vec<f64> = (0..30).map(|i| 30.0 - i as f64).collect();
        let set = [1u32, 4, 9, 20, 28];
        let reference = crate::score::enrichment_score(&ranks, &set);
        assert!((calc_es(&ranks, &set) - reference).abs() < 1e-14);
        assert!(calc_positive_es(&ranks, &set) >= reference.max(0.0) - 1e-14);
    }

    #[test]
    fn multilevel_error_matches_fgsea() {
        // R: fgsea::multilevelError(1e-10, 101) = sqrt(floor(-log2(1e-10) + 1) *
        //    (trigamma(51) - trigamma(102))) / log(2)
        let expected = ((34.0f64) * (trigamma(51.0) - trigamma(102.0))).sqrt() / std::f64::consts::LN_2;
        assert!((multilevel_error(1e-10, 101) - expected).abs() < 1e-15);
    }

    #[test]
    fn perturbation_keeps_sets_valid() {
        let ranks: Vec<f64> = (0..200).map(|i| 1.0 + (200 - i) as f64 / 50.0).collect();
        let mut ruler = EsRuler::new(&ranks, 21, 16);
        ruler.extend(0.6, &mut RngStream::new(9, 0), 0.0);
        for sample in &ruler.current {
            assert_eq!(sample.len(), 16);
            assert!(sample.windows(2).all(|w| w[0] < w[1]));
        }
        assert!(ruler.enrichment_scores.windows(2).all(|w| w[0] <= w[1] + 1e-12));
    }
}
