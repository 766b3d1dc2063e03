//! Batched inference from the first layer's dense output: layers 2..L over many rows at once.
//!
//! Masked inputs differ only in layer 1 (computed sparsely by the caller); everything above it is
//! the same dense network for every (mask, sample) row. Running those layers over thousands of
//! rows per matrix product keeps the `gemm` kernel near its peak rate (the packed weights are
//! reused across all rows), and the elementwise work (batch norm, activations) is split over the
//! threads so it does not serialize behind the products.

use crate::activation::tanh_in_place;
use crate::error::{InterpretError, Result};
use rayon::prelude::*;
use rg_nn::kernels;
use rg_nn::spec::BN_EPSILON;
use rg_nn::{Activation, Network};

/// Reusable buffers for evaluating up to `capacity` rows at a time.
pub(crate) struct BatchedTail<'a> {
    net: &'a Network,
    capacity: usize,
    cur: Vec<f32>,
    next: Vec<f32>,
}

impl<'a> BatchedTail<'a> {
    pub fn new(net: &'a Network, capacity: usize) -> Self {
        let widest = net.architecture().layers.iter().map(|l| l.units).max().unwrap_or(0);
        let capacity = capacity.max(1);
        BatchedTail { net, capacity, cur: vec![0.0; capacity * widest], next: vec![0.0; capacity * widest] }
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }

    /// Where the caller writes the first layer's dense output (`rows × units₁`, before batch
    /// norm and activation).
    pub fn first_layer(&mut self, rows: usize) -> &mut [f32] {
        let u1 = self.net.architecture().layers[0].units;
        &mut self.cur[..rows * u1]
    }

    /// Runs the network from the first layer's dense output for `rows` rows (`rows ≤ capacity`)
    /// and writes the output layer's link and head values (`rows × n_outputs`).
    pub fn run(&mut self, rows: usize, link: &mut [f32], prob: &mut [f32]) {
        let arch = self.net.architecture();
        let n_layers = arch.n_layers();
        for l in 0..n_layers {
            let spec = &arch.layers[l];
            let units = spec.units;
            if l > 0 {
                let layer = self.net.layer(l);
                let fan_in = arch.fan_in(l);
                kernels::dense_forward(&mut self.next, &self.cur[..rows * fan_in], &layer.weight, &layer.bias, rows, fan_in);
                std::mem::swap(&mut self.cur, &mut self.next);
            }
            let values = &mut self.cur[..rows * units];
            if let Some(bn) = &self.net.layer(l).batch_norm {
                for_row_chunks(values, units, |chunk, r| {
                    kernels::batch_norm_infer(chunk, r, &bn.gamma, &bn.beta, &bn.moving_mean, &bn.moving_var, BN_EPSILON)
                });
            }
            if l + 1 == n_layers {
                link[..rows * units].copy_from_slice(values);
            }
            let activation = spec.activation;
            for_row_chunks(values, units, |chunk, _| match activation {
                Activation::Tanh => tanh_in_place(chunk),
                other => kernels::activate(other, chunk, units),
            });
            if l + 1 == n_layers {
                prob[..rows * units].copy_from_slice(values);
            }
        }
    }
}

/// Applies `f(chunk, rows_in_chunk)` to whole-row chunks of a `rows × units` matrix in parallel.
pub(crate) fn for_row_chunks(values: &mut [f32], units: usize, f: impl Fn(&mut [f32], usize) + Sync) {
    const MIN_VALUES_PER_TASK: usize = 1 << 14;
    if units == 0 || values.is_empty() {
        return;
    }
    let rows_per_task = (MIN_VALUES_PER_TASK / units).max(1);
    values.par_chunks_mut(rows_per_task * units).for_each(|chunk| {
        let rows = chunk.len() / units;
        f(chunk, rows)
    });
}

/// `z` is n samples × the network's inputs, standardized, all finite.
pub(crate) fn check_standardized_inputs(net: &Network, z: &[f32], n: usize) -> Result<()> {
    if n == 0 {
        return Err(InterpretError::invalid("x", "has no samples"));
    }
    if z.len() != n * net.n_inputs() {
        return Err(InterpretError::invalid(
            "x",
            format!("has {} values, expected {} samples x {} genes", z.len(), n, net.n_inputs()),
        ));
    }
    if let Some(i) = z.iter().position(|v| !v.is_finite()) {
        return Err(InterpretError::invalid(
            "x",
            format!("has a non-finite standardized value (sample {}, gene {})", i / net.n_inputs() + 1, i % net.n_inputs() + 1),
        ));
    }
    Ok(())
}
