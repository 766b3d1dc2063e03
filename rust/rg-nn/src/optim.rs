//! Optimizers with Keras 2.2.4 defaults and update rules (METHOD.md §3), each applied as one
//! fused, in-place pass over a parameter tensor: param, gradient and state are read once and
//! written once, in parallel chunks (elementwise, so the result does not depend on the thread
//! count). ε = 1e-7 (`K.epsilon()`); `decay` scales the learning rate by 1 / (1 + decay · t₀)
//! with t₀ the number of previous updates, as Keras does.

use crate::error::{NnError, Result};
use rayon::prelude::*;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(tag = "name", rename_all = "lowercase")]
pub enum OptimizerKind {
    /// v ← μv − lr·g; p ← p + v (Nesterov: p ← p + μv − lr·g).
    Sgd { momentum: f32, nesterov: bool },
    /// a ← ρa + (1−ρ)g²; Δ = g√(d+ε)/√(a+ε); p ← p − lr·Δ; d ← ρd + (1−ρ)Δ².
    Adadelta { rho: f32 },
    /// Adam without AMSGrad.
    Adam { beta_1: f32, beta_2: f32 },
    /// Nesterov Adam with Keras' momentum schedule μₜ = β₁(1 − ½·0.96^(t·schedule_decay)).
    Nadam { beta_1: f32, beta_2: f32, schedule_decay: f32 },
    /// a ← ρa + (1−ρ)g²; p ← p − lr·g/(√a + ε).
    Rmsprop { rho: f32 },
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct OptimizerConfig {
    pub kind: OptimizerKind,
    pub learning_rate: f32,
    pub decay: f32,
    pub epsilon: f32,
}

impl OptimizerConfig {
    /// Keras 2.2.4 defaults for an optimizer named `sgd`, `adadelta`, `adam`, `nadam` or `rmsprop`.
    pub fn keras_default(name: &str) -> Result<Self> {
        let (kind, learning_rate) = match name {
            "sgd" => (OptimizerKind::Sgd { momentum: 0.0, nesterov: false }, 0.01),
            "adadelta" => (OptimizerKind::Adadelta { rho: 0.95 }, 1.0),
            "adam" => (OptimizerKind::Adam { beta_1: 0.9, beta_2: 0.999 }, 0.001),
            "nadam" => (OptimizerKind::Nadam { beta_1: 0.9, beta_2: 0.999, schedule_decay: 0.004 }, 0.002),
            "rmsprop" => (OptimizerKind::Rmsprop { rho: 0.9 }, 0.001),
            other => {
                return Err(NnError::invalid(
                    "optimizer",
                    format!("is \"{other}\"; choose one of adadelta, adam, nadam, rmsprop, sgd"),
                ))
            }
        };
        Ok(OptimizerConfig { kind, learning_rate, decay: 0.0, epsilon: 1e-7 })
    }

    pub fn name(&self) -> &'static str {
        match self.kind {
            OptimizerKind::Sgd { .. } => "sgd",
            OptimizerKind::Adadelta { .. } => "adadelta",
            OptimizerKind::Adam { .. } => "adam",
            OptimizerKind::Nadam { .. } => "nadam",
            OptimizerKind::Rmsprop { .. } => "rmsprop",
        }
    }

    pub fn validate(&self) -> Result<()> {
        let positive = |v: f32, arg: &str| {
            if v.is_finite() && v > 0.0 { Ok(()) } else { Err(NnError::invalid(arg, format!("must be positive, not {v}"))) }
        };
        let unit = |v: f32, arg: &str| {
            if (0.0..1.0).contains(&v) { Ok(()) } else { Err(NnError::invalid(arg, format!("must be in [0, 1), not {v}"))) }
        };
        positive(self.learning_rate, "learning_rate")?;
        positive(self.epsilon, "epsilon")?;
        if !(self.decay >= 0.0 && self.decay.is_finite()) {
            return Err(NnError::invalid("decay", format!("must be >= 0, not {}", self.decay)));
        }
        match self.kind {
            OptimizerKind::Sgd { momentum, .. } => unit(momentum, "momentum"),
            OptimizerKind::Adadelta { rho } | OptimizerKind::Rmsprop { rho } => unit(rho, "rho"),
            OptimizerKind::Adam { beta_1, beta_2 } => unit(beta_1, "beta_1").and(unit(beta_2, "beta_2")),
            OptimizerKind::Nadam { beta_1, beta_2, schedule_decay } => {
                unit(beta_1, "beta_1").and(unit(beta_2, "beta_2")).and(positive(schedule_decay, "schedule_decay"))
            }
        }
    }

    /// Number of state tensors per parameter tensor.
    pub fn n_slots(&self) -> usize {
        match self.kind {
            OptimizerKind::Sgd { momentum, .. } => (momentum > 0.0) as usize,
            OptimizerKind::Rmsprop { .. } => 1,
            OptimizerKind::Adadelta { .. } | OptimizerKind::Adam { .. } | OptimizerKind::Nadam { .. } => 2,
        }
    }
}

/// The scalars of one update step (the same for every tensor of the step).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct StepScalars {
    /// Learning rate after decay (Adam: with its bias correction folded in).
    pub lr: f32,
    /// Nadam: 1 / (1 − m_schedule_new), 1 / (1 − m_schedule_next), 1 / (1 − β₂ᵗ), μₜ, μₜ₊₁.
    pub nadam: [f32; 5],
}

/// Step counter and Nadam's running momentum product.
#[derive(Debug, Clone, PartialEq)]
pub struct Schedule {
    config: OptimizerConfig,
    /// Updates done so far (Keras' `iterations`).
    pub iterations: u64,
    m_schedule: f64,
}

impl Schedule {
    pub fn new(config: OptimizerConfig) -> Self {
        Schedule { config, iterations: 0, m_schedule: 1.0 }
    }

    /// Advances one step and returns its scalars.
    pub fn next_step(&mut self) -> StepScalars {
        let c = &self.config;
        let t0 = self.iterations as f64;
        let t = t0 + 1.0;
        let mut lr = c.learning_rate as f64 / (1.0 + c.decay as f64 * t0);
        let mut nadam = [0.0f32; 5];
        match c.kind {
            OptimizerKind::Adam { beta_1, beta_2 } => {
                lr *= (1.0 - (beta_2 as f64).powf(t)).sqrt() / (1.0 - (beta_1 as f64).powf(t));
            }
            OptimizerKind::Nadam { beta_1, beta_2, schedule_decay } => {
                let (b1, sd) = (beta_1 as f64, schedule_decay as f64);
                let mu_t = b1 * (1.0 - 0.5 * 0.96f64.powf(t * sd));
                let mu_next = b1 * (1.0 - 0.5 * 0.96f64.powf((t + 1.0) * sd));
                let m_new = self.m_schedule * mu_t;
                let m_next = m_new * mu_next;
                self.m_schedule = m_new;
                nadam = [
                    (1.0 / (1.0 - m_new)) as f32,
                    (1.0 / (1.0 - m_next)) as f32,
                    (1.0 / (1.0 - (beta_2 as f64).powf(t))) as f32,
                    mu_t as f32,
                    mu_next as f32,
                ];
            }
            _ => {}
        }
        self.iterations += 1;
        StepScalars { lr: lr as f32, nadam }
    }
}

/// Optimizer state of one parameter tensor.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct SlotState {
    pub slots: Vec<Vec<f32>>,
}

impl SlotState {
    pub fn new(config: &OptimizerConfig, len: usize) -> Self {
        SlotState { slots: (0..config.n_slots()).map(|_| vec![0.0; len]).collect() }
    }
}

const CHUNK: usize = 1 << 15;

/// Applies one update to `param` with gradient `grad`, in place, in one fused pass split into
/// chunks updated in parallel.
pub fn apply_update(config: &OptimizerConfig, s: &StepScalars, param: &mut [f32], grad: &[f32], state: &mut SlotState) {
    let n_pieces = param.len().div_ceil(CHUNK);
    let mut pieces = state_pieces(&mut state.slots, CHUNK, n_pieces);
    param
        .par_chunks_mut(CHUNK)
        .zip(grad.par_chunks(CHUNK))
        .zip(pieces.par_iter_mut())
        .for_each(|((p, g), slots)| update_chunk(config, s, p, g, slots));
}

/// The optimizer state cut into pieces of `size` values: `pieces[i][slot]`.
pub fn state_pieces(slots: &mut [Vec<f32>], size: usize, n_pieces: usize) -> Vec<Vec<&mut [f32]>> {
    let mut pieces: Vec<Vec<&mut [f32]>> = (0..n_pieces).map(|_| Vec::with_capacity(slots.len())).collect();
    for slot in slots.iter_mut() {
        for (piece, chunk) in pieces.iter_mut().zip(slot.chunks_mut(size)) {
            piece.push(chunk);
        }
    }
    pieces
}

/// One update of a contiguous piece of a tensor, sequentially; `slots` are the matching pieces
/// of its optimizer state (read once, written once). Compiled twice — baseline and AVX2 — and
/// picked at run time; both do the same IEEE operations, so the results are identical.
pub fn update_chunk(config: &OptimizerConfig, s: &StepScalars, p: &mut [f32], g: &[f32], slots: &mut [&mut [f32]]) {
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") {
        // SAFETY: the CPU has the feature the function is compiled for.
        unsafe { update_chunk_avx2(config, s, p, g, slots) };
        return;
    }
    update_body(config, s, p, g, slots);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
unsafe fn update_chunk_avx2(config: &OptimizerConfig, s: &StepScalars, p: &mut [f32], g: &[f32], slots: &mut [&mut [f32]]) {
    update_body(config, s, p, g, slots);
}

// Zipped iterators (no indexing) so that the loops vectorize.
#[inline(always)]
fn update_body(config: &OptimizerConfig, s: &StepScalars, p: &mut [f32], g: &[f32], slots: &mut [&mut [f32]]) {
    let eps = config.epsilon;
    let lr = s.lr;
    match (config.kind, slots) {
        (OptimizerKind::Sgd { .. }, []) => {
            for (p, &g) in p.iter_mut().zip(g) {
                *p -= lr * g;
            }
        }
        (OptimizerKind::Sgd { momentum, nesterov }, [v]) => {
            for ((p, &g), v) in p.iter_mut().zip(g).zip(v.iter_mut()) {
                let vel = momentum * *v - lr * g;
                *v = vel;
                *p += if nesterov { momentum * vel - lr * g } else { vel };
            }
        }
        (OptimizerKind::Adadelta { rho }, [a, d]) => {
            for (((p, &g), a), d) in p.iter_mut().zip(g).zip(a.iter_mut()).zip(d.iter_mut()) {
                let a_new = rho * *a + (1.0 - rho) * g * g;
                let update = g * (*d + eps).sqrt() / (a_new + eps).sqrt();
                *p -= lr * update;
                *a = a_new;
                *d = rho * *d + (1.0 - rho) * update * update;
            }
        }
        (OptimizerKind::Adam { beta_1, beta_2 }, [m, v]) => {
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                let m_new = beta_1 * *m + (1.0 - beta_1) * g;
                let v_new = beta_2 * *v + (1.0 - beta_2) * g * g;
                *p -= lr * m_new / (v_new.sqrt() + eps);
                *m = m_new;
                *v = v_new;
            }
        }
        (OptimizerKind::Nadam { beta_1, beta_2, .. }, [m, v]) => {
            let [g_scale, m_scale, v_scale, mu_t, mu_next] = s.nadam;
            for (((p, &g), m), v) in p.iter_mut().zip(g).zip(m.iter_mut()).zip(v.iter_mut()) {
                let g_prime = g * g_scale;
                let m_new = beta_1 * *m + (1.0 - beta_1) * g;
                let v_new = beta_2 * *v + (1.0 - beta_2) * g * g;
                let m_bar = (1.0 - mu_t) * g_prime + mu_next * (m_new * m_scale);
                *p -= lr * m_bar / ((v_new * v_scale).sqrt() + eps);
                *m = m_new;
                *v = v_new;
            }
        }
        (OptimizerKind::Rmsprop { rho }, [a]) => {
            for ((p, &g), a) in p.iter_mut().zip(g).zip(a.iter_mut()) {
                let a_new = rho * *a + (1.0 - rho) * g * g;
                *p -= lr * g / (a_new.sqrt() + eps);
                *a = a_new;
            }
        }
        _ => unreachable!("optimizer state does not match its configuration"),
    }
}
