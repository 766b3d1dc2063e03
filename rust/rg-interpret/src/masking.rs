//! Exact gene masking: the network's prediction when every input outside a gene set is set to 0
//! (the training mean in standardized space).
//!
//! A masked input is zero except on the set S, so the first layer's dense output is
//! `b + x[S] · W[S, :]`: it is computed from the set's rows of W only (cost ∝ |S|), for all
//! samples at once, and for a single gene it is the rank-1 update `b + x_g · W[g, :]`. The
//! remaining layers are dense and identical for every masked input, so they run over blocks of
//! many (mask, sample) rows in large matrix products ([`crate::forward::BatchedTail`]).
//! Nothing is approximated: the result equals `forward()` on the explicitly masked matrix up to
//! f32 summation order.

use crate::error::{InterpretError, Result};
use crate::forward::{check_standardized_inputs, BatchedTail};
use crate::scores::{score, Scores, Truth};
use crate::threads::{in_pool, thread_pool};
use rayon::prelude::*;
use rg_core::{Monitor, RngStream};
use rg_nn::{kernels, Network};
use std::collections::HashSet;
use std::ops::Range;

/// How masking is run.
#[derive(Debug, Clone, PartialEq)]
pub struct MaskingOptions {
    /// (mask, sample) rows per batched pass through layers 2..L: larger blocks amortize the
    /// packing of the weights in each matrix product; memory is ≈ 2 · rows · widest layer · 4 B.
    pub block_rows: usize,
    /// Worker threads; 0 uses the current rayon pool.
    pub n_threads: usize,
}

impl Default for MaskingOptions {
    fn default() -> Self {
        MaskingOptions { block_rows: 2048, n_threads: 0 }
    }
}

/// Which inputs each masked copy of the samples keeps.
#[derive(Debug, Clone, Copy)]
pub enum Masks<'a> {
    /// Mask m keeps the inputs `sets[m]` (indices into the network's inputs).
    Sets(&'a [Vec<usize>]),
    /// Mask m keeps only input `features[m]`.
    SingleFeatures(&'a [usize]),
}

impl Masks<'_> {
    fn len(&self) -> usize {
        match self {
            Masks::Sets(s) => s.len(),
            Masks::SingleFeatures(f) => f.len(),
        }
    }
}

/// Outputs of every masked input: `n_masks × n_samples × n_outputs`, row-major (mask-major).
#[derive(Debug, Clone, PartialEq)]
pub struct MaskedOutputs {
    pub n_masks: usize,
    pub n_samples: usize,
    pub n_outputs: usize,
    /// The output layer's value before its head (logits for classifiers).
    pub link: Vec<f32>,
    /// After the head (probabilities for classifiers).
    pub prob: Vec<f32>,
}

/// Empirical p-values against random gene sets.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RandomSets {
    /// Random sets drawn per distinct set size.
    pub n_random: usize,
    pub seed: u64,
}

/// The masking result of one gene set.
#[derive(Debug, Clone, PartialEq)]
pub struct SetMasking {
    /// Genes of the set present in the model (after removing duplicates).
    pub size: usize,
    /// Scores (NaN for an empty set); layout of [`Scores`].
    pub scores: Scores,
    /// (1 + #random sets scoring ≥ the set) / (1 + n_random), per score column, for AUC and AP;
    /// `None` unless random sets were asked for.
    pub p_auc: Option<Vec<f64>>,
    pub p_ap: Option<Vec<f64>>,
}

/// Predictions for every mask (for tests and for callers who score themselves).
pub fn masked_outputs(
    net: &Network,
    z: &[f32],
    n: usize,
    masks: Masks<'_>,
    options: &MaskingOptions,
    monitor: &mut dyn Monitor,
) -> Result<MaskedOutputs> {
    check_standardized_inputs(net, z, n)?;
    let k = net.n_outputs();
    let n_masks = masks.len();
    let mut out = MaskedOutputs {
        n_masks,
        n_samples: n,
        n_outputs: k,
        link: vec![0.0; n_masks * n * k],
        prob: vec![0.0; n_masks * n * k],
    };
    let layer1 = FirstLayer::new(net, z, n, masks)?;
    evaluate(net, n, &layer1, options, monitor, 0, n_masks, |range, link, prob| {
        let span = range.start * n * k..range.end * n * k;
        out.link[span.clone()].copy_from_slice(link);
        out.prob[span].copy_from_slice(prob);
        Ok(())
    })?;
    Ok(out)
}

/// Scores every gene set (indices into the network's inputs; duplicates are ignored, an empty
/// set gets NaN scores) against `truth`, optionally with empirical p-values from random sets of
/// the same size.
#[allow(clippy::too_many_arguments)]
pub fn gene_set_masking(
    net: &Network,
    z: &[f32],
    n: usize,
    sets: &[Vec<usize>],
    truth: &Truth,
    random: Option<RandomSets>,
    options: &MaskingOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<SetMasking>> {
    check_standardized_inputs(net, z, n)?;
    check_truth(net, truth, n)?;
    let sets: Vec<Vec<usize>> = sets.iter().map(|s| distinct(s)).collect();
    let present: Vec<usize> = (0..sets.len()).filter(|&s| !sets[s].is_empty()).collect();
    let evaluated: Vec<Vec<usize>> = present.iter().map(|&s| sets[s].clone()).collect();

    let sizes: Vec<usize> = {
        let mut v: Vec<usize> = evaluated.iter().map(Vec::len).collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    let n_random = random.map_or(0, |r| r.n_random);
    if n_random > 0 && sizes.last().is_some_and(|&s| s > net.n_inputs()) {
        return Err(InterpretError::invalid("gene_sets", "has a set larger than the model's gene list"));
    }
    let total = evaluated.len() + sizes.len() * n_random;

    let observed_layer1 = FirstLayer::new(net, z, n, Masks::Sets(&evaluated))?;
    let mut observed = Vec::with_capacity(evaluated.len());
    evaluate(net, n, &observed_layer1, options, monitor, 0, total, |_, _, prob| {
        observed.extend(score_block(truth, prob, n)?);
        Ok(())
    })?;

    let random_scores = match random {
        Some(r) if r.n_random > 0 => {
            let layer1 = FirstLayer::random(net, z, n, &sizes, r)?;
            let mut scores = Vec::with_capacity(sizes.len() * r.n_random);
            evaluate(net, n, &layer1, options, monitor, evaluated.len(), total, |_, _, prob| {
                scores.extend(score_block(truth, prob, n)?);
                Ok(())
            })?;
            Some(scores)
        }
        _ => None,
    };

    let n_columns = truth.n_columns();
    let mut results: Vec<SetMasking> = sets
        .iter()
        .map(|s| SetMasking { size: s.len(), scores: Scores::missing(n_columns), p_auc: None, p_ap: None })
        .collect();
    for (scores, &s) in observed.into_iter().zip(&present) {
        if let Some(random_scores) = &random_scores {
            let group = sizes.binary_search(&sets[s].len()).unwrap_or(0);
            let draws = &random_scores[group * n_random..(group + 1) * n_random];
            results[s].p_auc = Some(empirical_p(&scores.auc, draws.iter().map(|d| &d.auc)));
            results[s].p_ap = Some(empirical_p(&scores.ap, draws.iter().map(|d| &d.ap)));
        }
        results[s].scores = scores;
    }
    if random.is_some_and(|r| r.n_random > 0) {
        for r in results.iter_mut().filter(|r| r.p_auc.is_none()) {
            r.p_auc = Some(vec![f64::NAN; n_columns]);
            r.p_ap = Some(vec![f64::NAN; n_columns]);
        }
    }
    Ok(results)
}

/// Scores every single input `features[m]` kept alone (all others at the training mean).
pub fn single_gene_masking(
    net: &Network,
    z: &[f32],
    n: usize,
    features: &[usize],
    truth: &Truth,
    options: &MaskingOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<Scores>> {
    check_standardized_inputs(net, z, n)?;
    check_truth(net, truth, n)?;
    let layer1 = FirstLayer::new(net, z, n, Masks::SingleFeatures(features))?;
    let mut scores = Vec::with_capacity(features.len());
    evaluate(net, n, &layer1, options, monitor, 0, features.len(), |_, _, prob| {
        scores.extend(score_block(truth, prob, n)?);
        Ok(())
    })?;
    Ok(scores)
}

/// (1 + #draws ≥ observed) / (1 + #draws) per column; NaN where the observed score is NaN.
fn empirical_p<'a>(observed: &[f64], draws: impl Iterator<Item = &'a Vec<f64>> + Clone) -> Vec<f64> {
    let n_draws = draws.clone().count() as f64;
    (0..observed.len())
        .map(|c| {
            if observed[c].is_nan() {
                return f64::NAN;
            }
            let at_least = draws.clone().filter(|d| d[c] >= observed[c]).count() as f64;
            (1.0 + at_least) / (1.0 + n_draws)
        })
        .collect()
}

fn score_block(truth: &Truth, prob: &[f32], n: usize) -> Result<Vec<Scores>> {
    let per_mask = n * truth.n_outputs();
    prob.par_chunks(per_mask).map(|p| score(truth, p)).collect()
}

fn check_truth(net: &Network, truth: &Truth, n: usize) -> Result<()> {
    if truth.n_samples() != n || truth.n_outputs() != net.n_outputs() {
        return Err(InterpretError::invalid(
            "y",
            format!(
                "describes {} samples x {} outputs, but `x` has {} samples and the model {} outputs",
                truth.n_samples(), truth.n_outputs(), n, net.n_outputs()
            ),
        ));
    }
    Ok(())
}

fn distinct(set: &[usize]) -> Vec<usize> {
    let mut s = set.to_vec();
    s.sort_unstable();
    s.dedup();
    s
}

/// A uniformly random set of `size` distinct indices in `0..n_inputs` (Floyd's algorithm), from
/// its own stream so it depends only on (seed, size, draw).
fn random_set(seed: u64, size: usize, draw: usize, n_inputs: usize) -> Vec<usize> {
    let mut rng = RngStream::new(seed, ((size as u64) << 32) | draw as u64);
    let mut chosen = HashSet::with_capacity(size);
    let mut set = Vec::with_capacity(size);
    for j in n_inputs - size..n_inputs {
        let t = rng.below(j + 1);
        let pick = if chosen.contains(&t) { j } else { t };
        chosen.insert(pick);
        set.push(pick);
    }
    set.sort_unstable();
    set
}

/// Computes the first layer's dense output of masked inputs.
struct FirstLayer<'a> {
    net: &'a Network,
    z: &'a [f32],
    n: usize,
    kind: FirstLayerKind<'a>,
}

enum FirstLayerKind<'a> {
    Sets(&'a [Vec<usize>]),
    Single(&'a [usize]),
    /// Mask m is draw `m % n_random` of size `sizes[m / n_random]`.
    Random { sizes: &'a [usize], random: RandomSets },
}

impl<'a> FirstLayer<'a> {
    fn new(net: &'a Network, z: &'a [f32], n: usize, masks: Masks<'a>) -> Result<Self> {
        let p = net.n_inputs();
        let out_of_range = |f: usize| InterpretError::invalid("gene_sets", format!("has input index {} beyond the model's {p} genes", f + 1));
        let kind = match masks {
            Masks::Sets(sets) => {
                if let Some(&f) = sets.iter().flatten().find(|&&f| f >= p) {
                    return Err(out_of_range(f));
                }
                if sets.iter().any(|s| distinct(s).len() != s.len()) {
                    return Err(InterpretError::invalid("gene_sets", "has a set with a repeated gene"));
                }
                FirstLayerKind::Sets(sets)
            }
            Masks::SingleFeatures(features) => {
                if let Some(&f) = features.iter().find(|&&f| f >= p) {
                    return Err(out_of_range(f));
                }
                FirstLayerKind::Single(features)
            }
        };
        Ok(FirstLayer { net, z, n, kind })
    }

    fn random(net: &'a Network, z: &'a [f32], n: usize, sizes: &'a [usize], random: RandomSets) -> Result<Self> {
        Ok(FirstLayer { net, z, n, kind: FirstLayerKind::Random { sizes, random } })
    }

    fn len(&self) -> usize {
        match &self.kind {
            FirstLayerKind::Sets(s) => s.len(),
            FirstLayerKind::Single(f) => f.len(),
            FirstLayerKind::Random { sizes, random } => sizes.len() * random.n_random,
        }
    }

    /// Writes `masks.len() × n` rows of `b + x[S] · W[S, :]` into `dst`.
    fn compute(&self, masks: Range<usize>, dst: &mut [f32], scratch: &mut Scratch) {
        let u1 = self.net.architecture().layers[0].units;
        let rows_per_mask = self.n * u1;
        match &self.kind {
            FirstLayerKind::Sets(sets) => {
                for (m, out) in masks.zip(dst.chunks_exact_mut(rows_per_mask)) {
                    self.sparse_product(&sets[m], out, scratch);
                }
            }
            FirstLayerKind::Random { sizes, random } => {
                for (m, out) in masks.zip(dst.chunks_exact_mut(rows_per_mask)) {
                    let set = random_set(random.seed, sizes[m / random.n_random], m % random.n_random, self.net.n_inputs());
                    self.sparse_product(&set, out, scratch);
                }
            }
            FirstLayerKind::Single(features) => {
                let features = &features[masks];
                dst.par_chunks_mut(rows_per_mask).zip(features.par_iter()).for_each(|(out, &g)| self.rank_one(g, out));
            }
        }
    }

    /// `b + x[:, S] · W[S, :]` for all samples, with the set's rows of W gathered once.
    fn sparse_product(&self, set: &[usize], out: &mut [f32], scratch: &mut Scratch) {
        let first = self.net.layer(0);
        let (p, u1, s) = (self.net.n_inputs(), first.bias.len(), set.len());
        if s == 0 {
            kernels::fill_rows(out, &first.bias, self.n);
            return;
        }
        scratch.weights.resize(s * u1, 0.0);
        scratch.values.resize(self.n * s, 0.0);
        scratch.weights.par_chunks_mut(u1.max(1)).zip(set.par_iter()).for_each(|(row, &g)| {
            row.copy_from_slice(&first.weight[g * u1..(g + 1) * u1]);
        });
        for (i, values) in scratch.values.chunks_exact_mut(s.max(1)).enumerate().take(self.n) {
            let sample = &self.z[i * p..(i + 1) * p];
            values.iter_mut().zip(set).for_each(|(v, &g)| *v = sample[g]);
        }
        kernels::dense_forward(out, &scratch.values, &scratch.weights, &first.bias, self.n, s);
    }

    /// `b + x_g · W[g, :]` for all samples.
    fn rank_one(&self, g: usize, out: &mut [f32]) {
        let first = self.net.layer(0);
        let (p, u1) = (self.net.n_inputs(), first.bias.len());
        let w = &first.weight[g * u1..(g + 1) * u1];
        for (i, row) in out.chunks_exact_mut(u1).enumerate() {
            let v = self.z[i * p + g];
            row.iter_mut().zip(w.iter().zip(&first.bias)).for_each(|(o, (&wj, &bj))| *o = bj + v * wj);
        }
    }
}

#[derive(Default)]
struct Scratch {
    weights: Vec<f32>,
    values: Vec<f32>,
}

/// Runs every mask of `layer1` through the network in blocks of whole masks and hands each
/// block's outputs (`masks × n × k`, mask-major) to `on_block`. The monitor counts masks,
/// offset by `done_before` of `total` (several mask lists can share one progress bar).
#[allow(clippy::too_many_arguments)]
fn evaluate(
    net: &Network,
    n: usize,
    layer1: &FirstLayer<'_>,
    options: &MaskingOptions,
    monitor: &mut dyn Monitor,
    done_before: usize,
    total: usize,
    mut on_block: impl FnMut(Range<usize>, &[f32], &[f32]) -> Result<()>,
) -> Result<()> {
    let n_masks = layer1.len();
    let masks_per_block = (options.block_rows / n).max(1).min(n_masks.max(1));
    let k = net.n_outputs();
    let pool = thread_pool(options.n_threads)?;
    let mut tail = BatchedTail::new(net, masks_per_block * n);
    let mut scratch = Scratch::default();
    let mut link = vec![0.0f32; tail.capacity() * k];
    let mut prob = vec![0.0f32; tail.capacity() * k];
    let mut start = 0;
    while start < n_masks {
        let end = (start + masks_per_block).min(n_masks);
        let rows = (end - start) * n;
        in_pool(pool.as_ref(), || {
            layer1.compute(start..end, tail.first_layer(rows), &mut scratch);
            tail.run(rows, &mut link, &mut prob);
        });
        on_block(start..end, &link[..rows * k], &prob[..rows * k])?;
        monitor.step(done_before + end, total)?;
        start = end;
    }
    Ok(())
}
