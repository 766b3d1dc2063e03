//! The CPU training engine: an explicit forward and backward pass for the dense stack on the
//! `gemm` kernel, with every buffer allocated once and reused across steps (PERFORMANCE.md:
//! a fresh 200 MB allocation per op, optimizer temporaries and generic autograd cost 3–20× on
//! the paper network). Parameters are updated in place inside the [`Network`]; gradients,
//! optimizer state and activations live here. The input gradient of the first layer is never
//! computed (saliency uses [`Network::input_gradient`]); frozen kernels get no gradient and no
//! optimizer state. A kernel's gradient is never stored whole: it is computed in blocks of rows
//! and each block is applied by the optimizer while it is in cache (as large as the kernel, the
//! stored gradient would cost its memory and two passes over it per step).

use crate::error::Result;
use crate::kernels;
use crate::loss;
use crate::network::{Network, Outputs};
use crate::optim::{apply_update, state_pieces, update_chunk, OptimizerConfig, Schedule, SlotState, StepScalars};
use rayon::prelude::*;

/// Kernel rows per fused gradient-and-update block.
const FUSED_ROWS: usize = 32;

/// What the backward pass does with kernel gradients.
#[derive(Clone, Copy)]
enum KernelGradients {
    /// Store them whole in `LayerGrads::weight` (gradient checks).
    Store,
    /// Apply the optimizer step block by block, never storing them.
    Apply(StepScalars),
}
use crate::spec::{Activation, Loss, BN_EPSILON, BN_MOMENTUM};
use crate::train::{DropoutSampler, Engine, TrainSetup};

/// Buffers of one layer, sized for the largest batch.
struct LayerBuffers {
    /// Dense output → batch-normed → activation output, in place.
    act: Vec<f32>,
    /// Normalized values x̂ (batch norm only).
    xhat: Vec<f32>,
    inv_std: Vec<f32>,
    batch_mean: Vec<f32>,
    batch_var: Vec<f32>,
    /// Scaled keep mask (0 or 1/(1−p)) and the dropped-out output (dropout only).
    mask: Vec<f32>,
    dropped: Vec<f32>,
    /// dL/d(this layer's output), transformed in place down to dL/d(dense output).
    grad: Vec<f32>,
}

/// Gradients and optimizer state of one layer's parameters.
struct LayerGrads {
    weight: Vec<f32>,
    bias: Vec<f32>,
    gamma: Vec<f32>,
    beta: Vec<f32>,
    weight_state: SlotState,
    bias_state: SlotState,
    gamma_state: SlotState,
    beta_state: SlotState,
    /// Zero-debiased moving averages (TF's `assign_moving_average(zero_debias=True)`, which
    /// Keras 2.2.4 uses): biased accumulators and the number of updates.
    biased_mean: Vec<f32>,
    biased_var: Vec<f32>,
    bn_updates: i32,
}

pub struct CpuTrainer<'n> {
    net: &'n mut Network,
    loss: Loss,
    optimizer: OptimizerConfig,
    schedule: Schedule,
    frozen: Vec<bool>,
    max_rows: usize,
    input_mask: Vec<f32>,
    input_dropped: Vec<f32>,
    buffers: Vec<LayerBuffers>,
    grads: Vec<LayerGrads>,
    scales: Vec<f32>,
}

impl<'n> CpuTrainer<'n> {
    pub fn new(net: &'n mut Network, setup: &TrainSetup) -> Result<Self> {
        let arch = net.architecture().clone();
        let rows = setup.max_batch;
        let frozen = setup.frozen.clone();
        let with = |cond: bool, len: usize| if cond { vec![0.0f32; len] } else { Vec::new() };
        let buffers = arch
            .layers
            .iter()
            .map(|spec| {
                let (u, bn, drop) = (spec.units, spec.batch_norm, spec.dropout > 0.0);
                LayerBuffers {
                    act: vec![0.0; rows * u],
                    xhat: with(bn, rows * u),
                    inv_std: with(bn, u),
                    batch_mean: with(bn, u),
                    batch_var: with(bn, u),
                    mask: with(drop, rows * u),
                    dropped: with(drop, rows * u),
                    grad: vec![0.0; rows * u],
                }
            })
            .collect();
        let opt = &setup.optimizer;
        let grads = (0..arch.n_layers())
            .map(|l| {
                let (u, bn, trainable) = (arch.layers[l].units, arch.layers[l].batch_norm, !frozen[l]);
                let n_w = arch.fan_in(l) * u;
                let state = |cond: bool, len: usize| if cond { SlotState::new(opt, len) } else { SlotState::default() };
                LayerGrads {
                    weight: Vec::new(),
                    bias: with(trainable, u),
                    gamma: with(bn, u),
                    beta: with(bn, u),
                    weight_state: state(trainable, n_w),
                    bias_state: state(trainable, u),
                    gamma_state: state(bn, u),
                    beta_state: state(bn, u),
                    biased_mean: with(bn, u),
                    biased_var: with(bn, u),
                    bn_updates: 0,
                }
            })
            .collect();
        let input_drop = arch.input_dropout > 0.0;
        Ok(CpuTrainer {
            loss: setup.loss,
            optimizer: setup.optimizer,
            schedule: Schedule::new(setup.optimizer),
            frozen,
            max_rows: rows,
            input_mask: with(input_drop, rows * arch.n_inputs),
            input_dropped: with(input_drop, rows * arch.n_inputs),
            buffers,
            grads,
            scales: Vec::with_capacity(rows),
            net,
        })
    }

    fn forward_train(&mut self, x: &[f32], rows: usize, dropout: &mut DropoutSampler) {
        let arch = self.net.architecture().clone();
        let p = arch.n_inputs;
        if arch.input_dropout > 0.0 {
            dropout.fill(&mut self.input_mask[..rows * p], arch.input_dropout);
            for ((o, &v), &m) in self.input_dropped.iter_mut().zip(&x[..rows * p]).zip(&self.input_mask) {
                *o = v * m;
            }
        }
        let n_layers = arch.n_layers();
        for l in 0..n_layers {
            let spec = &arch.layers[l];
            let (before, rest) = self.buffers.split_at_mut(l);
            let buf = &mut rest[0];
            let input: &[f32] = if l == 0 {
                if arch.input_dropout > 0.0 { &self.input_dropped } else { x }
            } else {
                layer_output(&before[l - 1], arch.layers[l - 1].dropout)
            };
            let n_in = arch.fan_in(l);
            let layer = &mut self.net.layers_mut()[l];
            kernels::dense_forward(&mut buf.act, &input[..rows * n_in], &layer.weight, &layer.bias, rows, n_in);
            if let Some(bn) = layer.batch_norm.as_mut() {
                kernels::batch_norm_train(
                    &mut buf.act, &mut buf.xhat, rows, &bn.gamma, &bn.beta, BN_EPSILON,
                    &mut buf.batch_mean, &mut buf.batch_var, &mut buf.inv_std,
                );
                update_moving_statistics(&mut self.grads[l], bn, &buf.batch_mean, &buf.batch_var, rows);
            }
            kernels::activate(spec.activation, &mut buf.act[..rows * spec.units], spec.units);
            if spec.dropout > 0.0 && l + 1 < n_layers {
                let len = rows * spec.units;
                dropout.fill(&mut buf.mask[..len], spec.dropout);
                for ((o, &a), &m) in buf.dropped[..len].iter_mut().zip(&buf.act[..len]).zip(&buf.mask[..len]) {
                    *o = a * m;
                }
            }
        }
    }

    fn backward(&mut self, x: &[f32], rows: usize, kernels_mode: KernelGradients) {
        let arch = self.net.architecture().clone();
        let n_layers = arch.n_layers();
        for l in (0..n_layers).rev() {
            let spec = &arch.layers[l];
            let u = spec.units;
            let (before, rest) = self.buffers.split_at_mut(l);
            let buf = &mut rest[0];
            let grad = &mut buf.grad[..rows * u];
            if l + 1 < n_layers {
                if spec.dropout > 0.0 {
                    grad.iter_mut().zip(&buf.mask).for_each(|(g, m)| *g *= m);
                }
                kernels::activation_backward(spec.activation, grad, &buf.act[..rows * u]);
            }
            let layer = &self.net.layers()[l];
            let g = &mut self.grads[l];
            if let Some(bn) = &layer.batch_norm {
                kernels::batch_norm_train_backward(grad, &buf.xhat, rows, &bn.gamma, &buf.inv_std, &mut g.gamma, &mut g.beta);
            }
            let n_in = arch.fan_in(l);
            // the layer's input, and (below layer 0) where the gradient flowing down goes
            let (input, below): (&[f32], Option<&mut [f32]>) = match before.last_mut() {
                None => (if arch.input_dropout > 0.0 { &self.input_dropped } else { x }, None),
                Some(prev) => {
                    let input = if arch.layers[l - 1].dropout > 0.0 { &prev.dropped } else { &prev.act };
                    (input, Some(&mut prev.grad[..rows * n_in]))
                }
            };
            // computed with the kernel before this step's update
            if let Some(below) = below {
                kernels::matmul_nt(below, grad, &layer.weight, rows, u, n_in);
            }
            if self.frozen[l] {
                continue;
            }
            kernels::column_sums(&mut g.bias, grad, rows);
            match kernels_mode {
                KernelGradients::Store => {
                    g.weight.resize(n_in * u, 0.0);
                    kernels::matmul_tn(&mut g.weight, &input[..rows * n_in], grad, n_in, rows, u, false);
                }
                KernelGradients::Apply(step) => {
                    let weight = &mut self.net.layers_mut()[l].weight;
                    fused_kernel_update(&self.optimizer, &step, weight, &mut g.weight_state, input, grad, rows, n_in, u);
                }
            }
        }
    }

    /// Updates biases and batch-norm parameters (kernels were updated during the backward pass)
    /// and applies the non-negativity constraint.
    fn update_rest(&mut self, step: StepScalars) {
        let last = self.grads.len() - 1;
        let nonneg = self.net.architecture().nonneg_output;
        let opt = self.optimizer;
        for (l, (layer, g)) in self.net.layers_mut().iter_mut().zip(self.grads.iter_mut()).enumerate() {
            if !self.frozen[l] {
                apply_update(&opt, &step, &mut layer.bias, &g.bias, &mut g.bias_state);
                if nonneg && l == last {
                    layer.weight.iter_mut().chain(layer.bias.iter_mut()).for_each(|w| *w = w.max(0.0));
                }
            }
            if let Some(bn) = layer.batch_norm.as_mut() {
                apply_update(&opt, &step, &mut bn.gamma, &g.gamma, &mut g.gamma_state);
                apply_update(&opt, &step, &mut bn.beta, &g.beta, &mut g.beta_state);
            }
        }
    }
}

/// Gradients of one layer's parameters (empty vectors for frozen kernels or missing batch norm).
#[derive(Debug, Clone, PartialEq)]
pub struct ParamGradients {
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
}

impl CpuTrainer<'_> {
    /// Forward (training mode) and backward on a batch without updating anything but the
    /// batch-norm moving statistics: the batch loss and every parameter gradient. For gradient
    /// checks and diagnostics.
    pub fn loss_and_gradients(
        &mut self, x: &[f32], y: &[f32], weights: Option<&[f32]>, rows: usize, dropout: &mut DropoutSampler,
    ) -> Result<(f64, Vec<ParamGradients>)> {
        let value = self.forward_loss_backward(x, y, weights, rows, dropout, KernelGradients::Store)?;
        let grads = self
            .grads
            .iter()
            .map(|g| ParamGradients { weight: g.weight.clone(), bias: g.bias.clone(), gamma: g.gamma.clone(), beta: g.beta.clone() })
            .collect();
        Ok((value, grads))
    }

    /// The network being trained.
    pub fn network(&self) -> &Network {
        self.net
    }

    pub fn network_mut(&mut self) -> &mut Network {
        self.net
    }

    fn forward_loss_backward(
        &mut self, x: &[f32], y: &[f32], weights: Option<&[f32]>, rows: usize, dropout: &mut DropoutSampler,
        kernels_mode: KernelGradients,
    ) -> Result<f64> {
        if rows == 0 || rows > self.max_rows {
            return Err(crate::error::NnError::invalid("batch_size", format!("batch of {rows} rows, buffers hold {}", self.max_rows)));
        }
        self.forward_train(x, rows, dropout);
        let last = self.buffers.len() - 1;
        let k = self.net.n_outputs();
        let head: Activation = self.net.architecture().output().activation;
        loss::batch_scales(weights, rows, &mut self.scales);
        let buf = &mut self.buffers[last];
        let value = loss::batch_loss_and_gradient(self.loss, head, &buf.act[..rows * k], &y[..rows * k], &self.scales, k, &mut buf.grad);
        self.backward(x, rows, kernels_mode);
        Ok(value)
    }
}

/// Computes the kernel gradient `inputᵀ · grad` in blocks of rows and applies the optimizer to
/// each block at once. Blocks run in parallel; each block's arithmetic is the same whatever the
/// thread count.
#[allow(clippy::too_many_arguments)]
fn fused_kernel_update(
    opt: &OptimizerConfig, step: &StepScalars, weight: &mut [f32], state: &mut SlotState,
    input: &[f32], grad: &[f32], rows: usize, n_in: usize, units: usize,
) {
    let block = FUSED_ROWS * units;
    let n_blocks = n_in.div_ceil(FUSED_ROWS);
    let mut pieces = state_pieces(&mut state.slots, block, n_blocks);
    weight
        .par_chunks_mut(block)
        .zip(pieces.par_iter_mut())
        .enumerate()
        .for_each_init(
            || vec![0.0f32; block],
            |scratch, (b, (w, slots))| {
                let m = w.len() / units;
                let g = &mut scratch[..m * units];
                kernels::kernel_gradient_rows(g, &input[..rows * n_in], n_in, b * FUSED_ROWS, grad, m, rows, units);
                update_chunk(opt, step, w, g, slots);
            },
        );
}

fn layer_output(buf: &LayerBuffers, dropout: f32) -> &[f32] {
    if dropout > 0.0 { &buf.dropped } else { &buf.act }
}

/// Keras 2.2.4: the variance fed to the moving average is the batch variance × n / (n − 1 − ε),
/// and the average is TF's zero-debiased one: biased ← m·biased + (1−m)·value,
/// moving = biased / (1 − mᵗ).
fn update_moving_statistics(
    g: &mut LayerGrads, bn: &mut crate::network::BatchNorm, mean: &[f32], var: &[f32], rows: usize,
) {
    let m = BN_MOMENTUM;
    let n = rows as f32;
    let correction = n / (n - (1.0 + BN_EPSILON));
    g.bn_updates += 1;
    let debias = 1.0 / (1.0 - m.powi(g.bn_updates));
    for j in 0..mean.len() {
        g.biased_mean[j] = m * g.biased_mean[j] + (1.0 - m) * mean[j];
        g.biased_var[j] = m * g.biased_var[j] + (1.0 - m) * var[j] * correction;
        bn.moving_mean[j] = g.biased_mean[j] * debias;
        bn.moving_var[j] = g.biased_var[j] * debias;
    }
}

impl Engine for CpuTrainer<'_> {
    fn train_batch(&mut self, x: &[f32], y: &[f32], weights: Option<&[f32]>, rows: usize, dropout: &mut DropoutSampler) -> Result<f64> {
        let step = self.schedule.next_step();
        let value = self.forward_loss_backward(x, y, weights, rows, dropout, KernelGradients::Apply(step))?;
        self.update_rest(step);
        Ok(value)
    }

    fn predict(&mut self, x: &[f32], rows: usize) -> Result<Outputs> {
        self.net.forward(x, rows)
    }

    fn export(&self) -> Result<Network> {
        Ok(self.net.clone())
    }

    fn snapshot(&self) -> Result<Vec<crate::network::DenseLayer>> {
        Ok(self.net.layers().to_vec())
    }

    fn restore(&mut self, layers: Vec<crate::network::DenseLayer>) -> Result<()> {
        self.net.layers_mut().clone_from_slice(&layers);
        Ok(())
    }
}
