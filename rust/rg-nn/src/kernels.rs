//! The dense-network arithmetic shared by training and inference on the CPU: matrix products on
//! the `gemm` crate (candle's own CPU kernel), activations, batch norm. Matrices are row-major
//! `f32` slices; `B` is the number of samples in a batch.

use crate::spec::{Activation, SELU_ALPHA, SELU_SCALE};
use gemm::Parallelism;

fn parallelism() -> Parallelism {
    // 0 = rayon's current pool: the caller decides the thread count with `ThreadPool::install`.
    Parallelism::Rayon(0)
}

/// dst (m × n) = [dst +] a (m × k) · b (k × n).
pub fn matmul(dst: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, accumulate: bool) {
    gemm_strided("matmul", dst, a, (1, k as isize), b, (1, n as isize), m, k, n, accumulate);
}

/// dst (m × n) = [dst +] aᵀ · b, with a stored k × m and b stored k × n (weight gradients).
pub fn matmul_tn(dst: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize, accumulate: bool) {
    // element (i, p) of aᵀ is a[p * m + i]
    gemm_strided("matmul_tn", dst, a, (m as isize, 1), b, (1, n as isize), m, k, n, accumulate);
}

/// dst (m × n) = a (m × k) · bᵀ, with b stored n × k (gradients flowing to a layer's input).
pub fn matmul_nt(dst: &mut [f32], a: &[f32], b: &[f32], m: usize, k: usize, n: usize) {
    // element (p, j) of bᵀ is b[j * k + p]
    gemm_strided("matmul_nt", dst, a, (1, k as isize), b, (k as isize, 1), m, k, n, false);
}

/// dst (m × n, row-major) = [dst +] A · B, where A (m × k) and B (k × n) are read through
/// (column stride, row stride) pairs, so a transposed operand is the same buffer with its
/// strides swapped. Each operand holds exactly m·k, k·n values however it is strided.
#[allow(clippy::too_many_arguments)]
fn gemm_strided(
    name: &str,
    dst: &mut [f32],
    a: &[f32],
    (a_col, a_row): (isize, isize),
    b: &[f32],
    (b_col, b_row): (isize, isize),
    m: usize,
    k: usize,
    n: usize,
    accumulate: bool,
) {
    assert!(dst.len() >= m * n && a.len() >= m * k && b.len() >= k * n, "{name}: buffer too small");
    if m == 0 || n == 0 {
        return;
    }
    // SAFETY: the assertion above keeps every index the strides reach inside the slices.
    unsafe {
        gemm::gemm(
            m, n, k,
            dst.as_mut_ptr(), 1, n as isize, accumulate,
            a.as_ptr(), a_col, a_row,
            b.as_ptr(), b_col, b_row,
            1.0, 1.0, false, false, false,
            parallelism(),
        );
    }
}

/// Fills each of the `rows` rows of `dst` with `bias`.
pub fn fill_rows(dst: &mut [f32], bias: &[f32], rows: usize) {
    let n = bias.len();
    for row in dst[..rows * n].chunks_exact_mut(n) {
        row.copy_from_slice(bias);
    }
}

/// Column sums of a rows × n matrix into `out` (overwritten).
pub fn column_sums(out: &mut [f32], x: &[f32], rows: usize) {
    let n = out.len();
    out.iter_mut().for_each(|o| *o = 0.0);
    for row in x[..rows * n].chunks_exact(n) {
        for (o, v) in out.iter_mut().zip(row) {
            *o += v;
        }
    }
}

/// The dense layer `x · W + b` for `rows` samples: dst (rows × n_out).
pub fn dense_forward(dst: &mut [f32], x: &[f32], weight: &[f32], bias: &[f32], rows: usize, n_in: usize) {
    let n_out = bias.len();
    fill_rows(dst, bias, rows);
    matmul(dst, x, weight, rows, n_in, n_out, true);
}

/// Applies `act` in place to a rows × n matrix.
pub fn activate(act: Activation, x: &mut [f32], n: usize) {
    match act {
        Activation::Linear => {}
        Activation::Sigmoid => x.iter_mut().for_each(|v| *v = sigmoid(*v)),
        Activation::Tanh => x.iter_mut().for_each(|v| *v = v.tanh()),
        Activation::Relu => x.iter_mut().for_each(|v| *v = v.max(0.0)),
        Activation::Elu => x.iter_mut().for_each(|v| *v = if *v > 0.0 { *v } else { v.exp_m1() }),
        Activation::Selu => x.iter_mut().for_each(|v| {
            *v = SELU_SCALE * if *v > 0.0 { *v } else { SELU_ALPHA * v.exp_m1() }
        }),
        Activation::Softmax => x.chunks_exact_mut(n).for_each(softmax_row),
    }
}

pub fn sigmoid(v: f32) -> f32 {
    if v >= 0.0 {
        1.0 / (1.0 + (-v).exp())
    } else {
        let e = v.exp();
        e / (1.0 + e)
    }
}

fn softmax_row(row: &mut [f32]) {
    let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for v in row.iter_mut() {
        *v = (*v - max).exp();
        sum += *v;
    }
    row.iter_mut().for_each(|v| *v /= sum);
}

/// d act / d u expressed through the activation's output `a` (every elementwise activation here
/// allows it, so the pre-activation need not be kept). Not for softmax.
#[inline]
pub fn derivative_from_output(act: Activation, a: f32) -> f32 {
    match act {
        Activation::Linear | Activation::Softmax => 1.0,
        Activation::Sigmoid => a * (1.0 - a),
        Activation::Tanh => 1.0 - a * a,
        Activation::Relu => (a > 0.0) as u8 as f32,
        Activation::Elu => if a > 0.0 { 1.0 } else { a + 1.0 },
        Activation::Selu => if a > 0.0 { SELU_SCALE } else { a + SELU_SCALE * SELU_ALPHA },
    }
}

/// grad ← grad ∘ act'(a), elementwise (hidden layers).
pub fn activation_backward(act: Activation, grad: &mut [f32], a: &[f32]) {
    if act == Activation::Linear {
        return;
    }
    for (g, &v) in grad.iter_mut().zip(a) {
        *g *= derivative_from_output(act, v);
    }
}

/// Batch norm in training mode over the `rows` rows of x (rows × n), in place:
/// x ← γ (x − μ) / √(σ² + ε) + β with the batch mean and (biased) variance. Writes the
/// normalized values to `xhat`, 1/√(σ² + ε) to `inv_std`, and returns the batch mean and variance
/// in `mean` / `var` (for the moving averages).
#[allow(clippy::too_many_arguments)]
pub fn batch_norm_train(
    x: &mut [f32], xhat: &mut [f32], rows: usize, gamma: &[f32], beta: &[f32], eps: f32,
    mean: &mut [f32], var: &mut [f32], inv_std: &mut [f32],
) {
    let n = gamma.len();
    column_sums(mean, x, rows);
    let inv_rows = 1.0 / rows as f32;
    mean.iter_mut().for_each(|m| *m *= inv_rows);
    var.iter_mut().for_each(|v| *v = 0.0);
    for row in x[..rows * n].chunks_exact(n) {
        for j in 0..n {
            let d = row[j] - mean[j];
            var[j] += d * d;
        }
    }
    for j in 0..n {
        var[j] *= inv_rows;
        inv_std[j] = 1.0 / (var[j] + eps).sqrt();
    }
    for (row, hat) in x[..rows * n].chunks_exact_mut(n).zip(xhat.chunks_exact_mut(n)) {
        for j in 0..n {
            hat[j] = (row[j] - mean[j]) * inv_std[j];
            row[j] = gamma[j] * hat[j] + beta[j];
        }
    }
}

/// Backward of [`batch_norm_train`], in place: `grad` holds dL/d(output) and becomes dL/dx.
/// Writes dL/dγ and dL/dβ (overwritten).
pub fn batch_norm_train_backward(
    grad: &mut [f32], xhat: &[f32], rows: usize, gamma: &[f32], inv_std: &[f32],
    d_gamma: &mut [f32], d_beta: &mut [f32],
) {
    let n = gamma.len();
    column_sums(d_beta, grad, rows);
    d_gamma.iter_mut().for_each(|g| *g = 0.0);
    for (row, hat) in grad[..rows * n].chunks_exact(n).zip(xhat.chunks_exact(n)) {
        for j in 0..n {
            d_gamma[j] += row[j] * hat[j];
        }
    }
    let inv_rows = 1.0 / rows as f32;
    for (row, hat) in grad[..rows * n].chunks_exact_mut(n).zip(xhat.chunks_exact(n)) {
        for j in 0..n {
            row[j] = gamma[j] * inv_std[j] * (row[j] - inv_rows * (d_beta[j] + hat[j] * d_gamma[j]));
        }
    }
}

/// Batch norm in inference mode (moving statistics), in place.
pub fn batch_norm_infer(x: &mut [f32], rows: usize, gamma: &[f32], beta: &[f32], mean: &[f32], var: &[f32], eps: f32) {
    let n = gamma.len();
    let scale: Vec<f32> = gamma.iter().zip(var).map(|(g, v)| g / (v + eps).sqrt()).collect();
    for row in x[..rows * n].chunks_exact_mut(n) {
        for j in 0..n {
            row[j] = (row[j] - mean[j]) * scale[j] + beta[j];
        }
    }
}

/// dst (m × n) = x[:, start..start+m]ᵀ · g for x stored k × width and g stored k × n, sequential:
/// one block of rows of a kernel gradient, computed inside an already parallel loop. Every
/// element is a sum over p = 0..k in that order (g stays in cache); with AVX2 + FMA the
/// multiply-adds are fused (so the last bits depend on the CPU).
#[allow(clippy::too_many_arguments)]
pub fn kernel_gradient_rows(dst: &mut [f32], x: &[f32], width: usize, start: usize, g: &[f32], m: usize, k: usize, n: usize) {
    assert!(start + m <= width && x.len() >= k * width && g.len() >= k * n && dst.len() >= m * n, "kernel_gradient_rows: bad shapes");
    #[cfg(target_arch = "x86_64")]
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has the features the function is compiled for.
        unsafe { kernel_gradient_rows_fma(dst, x, width, start, g, m, k, n) };
        return;
    }
    gradient_rows(dst, x, width, start, g, m, k, n, |acc, a, b| acc + a * b);
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
#[allow(clippy::too_many_arguments)]
unsafe fn kernel_gradient_rows_fma(dst: &mut [f32], x: &[f32], width: usize, start: usize, g: &[f32], m: usize, k: usize, n: usize) {
    gradient_rows(dst, x, width, start, g, m, k, n, |acc, a, b| a.mul_add(b, acc));
}

#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn gradient_rows(
    dst: &mut [f32], x: &[f32], width: usize, start: usize, g: &[f32], m: usize, k: usize, n: usize,
    madd: impl Fn(f32, f32, f32) -> f32 + Copy,
) {
    const ROWS: usize = 4;
    let whole = m - m % ROWS;
    for i in (0..whole).step_by(ROWS) {
        row_block::<ROWS>(&mut dst[i * n..(i + ROWS) * n], x, width, start + i, g, k, n, madd);
    }
    for i in whole..m {
        row_block::<1>(&mut dst[i * n..(i + 1) * n], x, width, start + i, g, k, n, madd);
    }
}

/// R rows × 16 columns accumulate over all k samples in registers (independent chains hide
/// the multiply-add latency), then are stored once.
#[inline(always)]
#[allow(clippy::too_many_arguments)]
fn row_block<const R: usize>(
    dst: &mut [f32], x: &[f32], width: usize, first: usize, g: &[f32], k: usize, n: usize,
    madd: impl Fn(f32, f32, f32) -> f32 + Copy,
) {
    const LANES: usize = 16;
    let whole = n - n % LANES;
    for j in (0..whole).step_by(LANES) {
        let mut acc = [[0.0f32; LANES]; R];
        for p in 0..k {
            let gs = &g[p * n + j..p * n + j + LANES];
            for (r, acc_r) in acc.iter_mut().enumerate() {
                let a = x[p * width + first + r];
                for t in 0..LANES {
                    acc_r[t] = madd(acc_r[t], a, gs[t]);
                }
            }
        }
        for (r, acc_r) in acc.iter().enumerate() {
            dst[r * n + j..r * n + j + LANES].copy_from_slice(acc_r);
        }
    }
    for j in whole..n {
        for r in 0..R {
            let mut acc = 0.0f32;
            for p in 0..k {
                acc = madd(acc, x[p * width + first + r], g[p * n + j]);
            }
            dst[r * n + j] = acc;
        }
    }
}
