#![allow(dead_code)]
//! Small synthetic data for the tests.

use rg_core::RngStream;

/// n × p standard normal matrix (row-major, f32).
pub fn normal_matrix(n: usize, p: usize, seed: u64) -> Vec<f32> {
    let mut rng = RngStream::new(seed, 0);
    (0..n * p).map(|_| rng.normal() as f32).collect()
}

/// XOR-like task: y = 1 iff x0 · x1 > 0 (no linear signal), plus noise features.
pub fn xor_data(n: usize, p: usize, seed: u64) -> (Vec<f32>, Vec<f32>) {
    let x = normal_matrix(n, p, seed);
    let y = (0..n).map(|i| ((x[i * p] * x[i * p + 1]) > 0.0) as u8 as f32).collect();
    (x, y)
}

/// Rank-`r` data (n × p) plus small noise, standardized per column.
pub fn low_rank(n: usize, p: usize, r: usize, noise: f32, seed: u64) -> Vec<f32> {
    let scores = normal_matrix(n, r, seed);
    let loadings = normal_matrix(r, p, seed + 1);
    let eps = normal_matrix(n, p, seed + 2);
    let mut x = vec![0.0f32; n * p];
    for i in 0..n {
        for j in 0..p {
            let mut v = 0.0;
            for k in 0..r {
                v += scores[i * r + k] * loadings[k * p + j];
            }
            x[i * p + j] = v + noise * eps[i * p + j];
        }
    }
    for j in 0..p {
        let mean = (0..n).map(|i| x[i * p + j]).sum::<f32>() / n as f32;
        let sd = ((0..n).map(|i| (x[i * p + j] - mean).powi(2)).sum::<f32>() / n as f32).sqrt();
        for i in 0..n {
            x[i * p + j] = (x[i * p + j] - mean) / sd;
        }
    }
    x
}

pub fn max_abs_diff(a: &[f32], b: &[f32]) -> f32 {
    assert_eq!(a.len(), b.len());
    a.iter().zip(b).map(|(x, y)| (x - y).abs()).fold(0.0, f32::max)
}
