//! Losses (Keras 2.2.4 semantics) and their gradient with respect to the output layer's link.
//!
//! Per sample i with k outputs:
//! - binary cross-entropy: mean over outputs of −[y log p̃ + (1 − y) log(1 − p̃)];
//! - categorical cross-entropy: −Σ y log p̃;
//! - MSE: mean of (y − p)²; MAE: mean of |y − p|;
//!
//! where p̃ = clip(p, 1e-7, 1 − 1e-7). As in Keras, the clip passes no gradient where it is
//! active. A batch's loss is Σ wᵢ ℓᵢ / #{wᵢ ≠ 0} (Keras' weighted mean; = the plain mean with unit
//! weights).

use crate::kernels::derivative_from_output;
use crate::spec::{Activation, Loss, PROB_EPSILON};

fn clip(p: f32) -> (f32, bool) {
    if p < PROB_EPSILON {
        (PROB_EPSILON, true)
    } else if p > 1.0 - PROB_EPSILON {
        (1.0 - PROB_EPSILON, true)
    } else {
        (p, false)
    }
}

/// Loss of one sample (unweighted) from its outputs `prob` and targets `y`.
pub fn sample_loss(loss: Loss, prob: &[f32], y: &[f32]) -> f64 {
    let k = prob.len() as f64;
    match loss {
        Loss::BinaryCrossentropy => {
            prob.iter()
                .zip(y)
                .map(|(&p, &t)| {
                    let p = clip(p).0 as f64;
                    let t = t as f64;
                    -(t * p.ln() + (1.0 - t) * (1.0 - p).ln())
                })
                .sum::<f64>()
                / k
        }
        Loss::CategoricalCrossentropy => {
            let total: f64 = prob.iter().map(|&p| p as f64).sum();
            prob.iter().zip(y).map(|(&p, &t)| -(t as f64) * clip((p as f64 / total) as f32).0.ln() as f64).sum()
        }
        Loss::Mse => prob.iter().zip(y).map(|(&p, &t)| ((p - t) as f64).powi(2)).sum::<f64>() / k,
        Loss::Mae => prob.iter().zip(y).map(|(&p, &t)| ((p - t) as f64).abs()).sum::<f64>() / k,
    }
}

/// Writes dℓ/du (u = the output layer's link) for one sample, times `scale`, into `grad`.
pub fn sample_gradient(loss: Loss, head: Activation, prob: &[f32], y: &[f32], scale: f32, grad: &mut [f32]) {
    let k = prob.len();
    let per_output = scale / k as f32;
    match loss {
        Loss::BinaryCrossentropy => {
            // through the sigmoid: (p − y) where unclipped
            for j in 0..k {
                grad[j] = if clip(prob[j]).1 { 0.0 } else { per_output * (prob[j] - y[j]) };
            }
        }
        Loss::CategoricalCrossentropy => {
            // g_j = dℓ/dp_j = −y_j / p_j (0 where clipped); du_j = p_j (g_j − Σ p_m g_m)
            let mut dot = 0.0f32;
            for j in 0..k {
                let g = if clip(prob[j]).1 { 0.0 } else { -y[j] / prob[j] };
                grad[j] = g;
                dot += prob[j] * g;
            }
            for j in 0..k {
                grad[j] = scale * prob[j] * (grad[j] - dot);
            }
        }
        Loss::Mse | Loss::Mae => {
            for j in 0..k {
                let d = prob[j] - y[j];
                let dl_dp = if loss == Loss::Mse { 2.0 * d } else { sign(d) };
                grad[j] = per_output * dl_dp * derivative_from_output(head, prob[j]);
            }
        }
    }
}

fn sign(d: f32) -> f32 {
    if d > 0.0 {
        1.0
    } else if d < 0.0 {
        -1.0
    } else {
        0.0
    }
}

/// The per-sample factors wᵢ / #{wᵢ ≠ 0} of a batch; `None` weights mean all 1. Returns the
/// factors (all zero when every weight is zero: the batch then does not move the weights).
pub fn batch_scales(weights: Option<&[f32]>, rows: usize, out: &mut Vec<f32>) {
    out.clear();
    match weights {
        None => out.extend(std::iter::repeat_n(1.0 / rows as f32, rows)),
        Some(w) => {
            let nonzero = w[..rows].iter().filter(|&&v| v != 0.0).count();
            let denom = if nonzero == 0 { f32::INFINITY } else { nonzero as f32 };
            out.extend(w[..rows].iter().map(|&v| v / denom));
        }
    }
}

/// Batch loss Σ scaleᵢ ℓᵢ and the gradient dL/du for every sample (rows × k).
pub fn batch_loss_and_gradient(
    loss: Loss, head: Activation, prob: &[f32], y: &[f32], scales: &[f32], k: usize, grad: &mut [f32],
) -> f64 {
    let mut total = 0.0;
    for (i, &s) in scales.iter().enumerate() {
        let (p, t) = (&prob[i * k..(i + 1) * k], &y[i * k..(i + 1) * k]);
        if s != 0.0 {
            total += s as f64 * sample_loss(loss, p, t);
        }
        sample_gradient(loss, head, p, t, s, &mut grad[i * k..(i + 1) * k]);
    }
    total
}
