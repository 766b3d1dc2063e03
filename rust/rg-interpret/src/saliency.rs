//! Gene saliency: how each sample's chosen output responds to each standardized input.
//!
//! - gradient: ∂f/∂x at the sample;
//! - guided: keras-vis' guided backpropagation, where only positive gradients pass back through
//!   ReLU activations; other activations pass the true gradient, so a tanh network gets plain
//!   gradients, exactly as in the reference code (METHOD.md §9);
//! - integrated gradients from the all-zero baseline (the training mean):
//!   IGⱼ = xⱼ · (1/m) Σₖ ∂f(αₖ x)/∂xⱼ with midpoints αₖ = (k − ½)/m, k = 1..m, whose sum over
//!   genes approximates f(x) − f(0) (completeness) with an O(1/m²) error.
//!
//! f is the output layer's link (pre-activation logit; the default) or its head value. The
//! gradients of a whole block of samples (and, for integrated gradients, of all their path
//! points) come from one batched backward pass; integrated gradients run the first layer, the
//! widest, only twice per sample whatever the number of steps ([`crate::integrated`]).

use crate::error::{InterpretError, Result};
use crate::forward::check_standardized_inputs;
use crate::integrated;
use crate::threads::{in_pool, thread_pool};
use rayon::prelude::*;
use rg_core::Monitor;
use rg_nn::{BackpropModifier, GradientOf, Network};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SaliencyMethod {
    Gradient,
    Guided,
    /// Integrated gradients with `steps` midpoint Riemann steps.
    Integrated { steps: usize },
}

#[derive(Debug, Clone, PartialEq)]
pub struct SaliencyOptions {
    pub method: SaliencyMethod,
    /// Differentiate the link (logit) or the head's output (probability).
    pub of: GradientOf,
    /// Take |saliency| (the reference code's `grad_modifier = "absolute"`).
    pub absolute: bool,
    /// Rescale each sample's saliencies to [0, 1]: (s − min) / (max − min + 1e-7), as keras-vis.
    pub minmax: bool,
    /// Input rows (samples, or samples × steps for integrated gradients) per backward pass.
    pub block_rows: usize,
    /// Worker threads; 0 uses the current rayon pool.
    pub n_threads: usize,
}

impl Default for SaliencyOptions {
    fn default() -> Self {
        SaliencyOptions {
            method: SaliencyMethod::Gradient,
            of: GradientOf::Link,
            absolute: false,
            minmax: false,
            block_rows: 1024,
            n_threads: 0,
        }
    }
}

/// keras-vis adds this to the range in its min-max normalization.
const MINMAX_EPSILON: f32 = 1e-7;

/// Saliency of every sample in `z` (standardized, `n × n_inputs`, row-major) for each of
/// `outputs`: one `n × n_inputs` row-major matrix per output (an R genes × samples matrix).
pub fn saliency(
    net: &Network,
    z: &[f32],
    n: usize,
    outputs: &[usize],
    options: &SaliencyOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<Vec<f32>>> {
    check(net, z, n, outputs, options)?;
    let pool = thread_pool(options.n_threads)?;
    match options.method {
        SaliencyMethod::Integrated { steps } => integrated_gradients(net, z, n, outputs, steps, options, pool.as_ref(), monitor),
        _ => gradients(net, z, n, outputs, options, pool.as_ref(), monitor),
    }
}

/// Plain or guided gradients, `block_rows` samples per backward pass.
fn gradients(
    net: &Network,
    z: &[f32],
    n: usize,
    outputs: &[usize],
    options: &SaliencyOptions,
    pool: Option<&rayon::ThreadPool>,
    monitor: &mut dyn Monitor,
) -> Result<Vec<Vec<f32>>> {
    let p = net.n_inputs();
    let modifier = if options.method == SaliencyMethod::Guided { BackpropModifier::GuidedReluOnly } else { BackpropModifier::None };
    let block = options.block_rows.max(1);
    let total = outputs.len() * n;
    let mut result = Vec::with_capacity(outputs.len());
    for (o, &output) in outputs.iter().enumerate() {
        let mut map = vec![0.0f32; n * p];
        let mut start = 0;
        while start < n {
            let end = (start + block).min(n);
            let dst = &mut map[start * p..end * p];
            in_pool(pool, || -> Result<()> {
                dst.copy_from_slice(&net.input_gradient(&z[start * p..end * p], end - start, output, options.of, modifier)?);
                dst.par_chunks_mut(p).for_each(|row| post_process(row, options));
                Ok(())
            })?;
            monitor.step(o * n + end, total)?;
            start = end;
        }
        result.push(map);
    }
    Ok(result)
}

/// Integrated gradients ([`crate::integrated`]): the first layer's products and the final
/// product with W₁ᵀ once per sample, layers 2..L at every path point, `block_rows` path points
/// per pass.
#[allow(clippy::too_many_arguments)]
fn integrated_gradients(
    net: &Network,
    z: &[f32],
    n: usize,
    outputs: &[usize],
    steps: usize,
    options: &SaliencyOptions,
    pool: Option<&rayon::ThreadPool>,
    monitor: &mut dyn Monitor,
) -> Result<Vec<Vec<f32>>> {
    let (p, u1) = (net.n_inputs(), net.architecture().layers[0].units);
    let samples_per_block = (options.block_rows / steps).max(1);
    let a1 = in_pool(pool, || integrated::first_layer_products(net, z, n));
    let total = outputs.len() * n;
    let mut result = Vec::with_capacity(outputs.len());
    for (o, &output) in outputs.iter().enumerate() {
        let mut g1 = vec![0.0f32; n * u1];
        let mut start = 0;
        while start < n {
            let end = (start + samples_per_block).min(n);
            let (a, dst) = (&a1[start * u1..end * u1], &mut g1[start * u1..end * u1]);
            in_pool(pool, || integrated::mean_first_layer_gradient(net, a, end - start, steps, output, options.of, dst));
            monitor.step(o * n + end, total)?;
            start = end;
        }
        let map = in_pool(pool, || {
            let mut map = integrated::attributions(net, z, &g1, n);
            map.par_chunks_mut(p).for_each(|row| post_process(row, options));
            map
        });
        result.push(map);
    }
    Ok(result)
}

fn check(net: &Network, z: &[f32], n: usize, outputs: &[usize], options: &SaliencyOptions) -> Result<()> {
    check_standardized_inputs(net, z, n)?;
    if let Some(&bad) = outputs.iter().find(|&&o| o >= net.n_outputs()) {
        return Err(InterpretError::invalid(
            "class",
            format!("selects output {} but the model has {}", bad + 1, net.n_outputs()),
        ));
    }
    if let SaliencyMethod::Integrated { steps: 0 } = options.method {
        return Err(InterpretError::invalid("steps", "must be at least 1"));
    }
    Ok(())
}

fn post_process(row: &mut [f32], options: &SaliencyOptions) {
    if options.absolute {
        row.iter_mut().for_each(|v| *v = v.abs());
    }
    if options.minmax {
        let min = row.iter().copied().fold(f32::INFINITY, f32::min);
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        let range = max - min + MINMAX_EPSILON;
        row.iter_mut().for_each(|v| *v = (*v - min) / range);
    }
}
