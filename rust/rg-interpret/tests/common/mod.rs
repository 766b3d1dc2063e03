//! Tiny networks with random parameters, and an independent f64 reference forward pass.
#![allow(dead_code)]

use rg_core::RngStream;
use rg_nn::{Activation, Architecture, BatchNorm, Network};

/// A network with random weights, biases and batch-norm statistics (so that no parameter is at
/// an identity value that could hide a mistake).
pub fn tiny_network(p: usize, hidden: &[usize], activation: Activation, batch_norm: bool, k: usize, head: Activation, seed: u64) -> Network {
    let arch = Architecture::feed_forward(p, hidden, activation, batch_norm, 0.0, k, head);
    let mut net = Network::new(arch, seed).expect("valid architecture");
    let mut rng = RngStream::new(seed, 99);
    for layer in net.layers_mut() {
        layer.weight.iter_mut().for_each(|w| *w *= 1.5);
        layer.bias.iter_mut().for_each(|b| *b = (rng.normal() * 0.3) as f32);
        if let Some(bn) = &mut layer.batch_norm {
            let u = bn.gamma.len();
            *bn = BatchNorm {
                gamma: (0..u).map(|_| (0.5 + rng.uniform()) as f32).collect(),
                beta: (0..u).map(|_| (rng.normal() * 0.2) as f32).collect(),
                moving_mean: (0..u).map(|_| (rng.normal() * 0.2) as f32).collect(),
                moving_var: (0..u).map(|_| (0.5 + rng.uniform()) as f32).collect(),
            };
        }
    }
    net
}

/// n × p standard-normal standardized inputs.
pub fn inputs(n: usize, p: usize, seed: u64) -> Vec<f32> {
    let mut rng = RngStream::new(seed, 7);
    (0..n * p).map(|_| rng.normal() as f32).collect()
}

fn act64(act: Activation, v: &mut [f64]) {
    match act {
        Activation::Linear => {}
        Activation::Tanh => v.iter_mut().for_each(|x| *x = x.tanh()),
        Activation::Sigmoid => v.iter_mut().for_each(|x| *x = 1.0 / (1.0 + (-*x).exp())),
        Activation::Relu => v.iter_mut().for_each(|x| *x = x.max(0.0)),
        Activation::Softmax => {
            let m = v.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let s: f64 = v.iter().map(|x| (x - m).exp()).sum();
            v.iter_mut().for_each(|x| *x = (*x - m).exp() / s);
        }
        other => panic!("reference forward does not cover {other:?}"),
    }
}

/// (link, head output) of one sample, in f64, written from the definition.
pub fn reference_forward(net: &Network, x: &[f64]) -> (Vec<f64>, Vec<f64>) {
    let arch = net.architecture();
    let mut h: Vec<f64> = x.to_vec();
    let mut link = Vec::new();
    for (l, spec) in arch.layers.iter().enumerate() {
        let layer = net.layer(l);
        let u = spec.units;
        let mut v: Vec<f64> = layer.bias.iter().map(|&b| b as f64).collect();
        for (i, &hi) in h.iter().enumerate() {
            for j in 0..u {
                v[j] += hi * layer.weight[i * u + j] as f64;
            }
        }
        if let Some(bn) = &layer.batch_norm {
            for j in 0..u {
                v[j] = (v[j] - bn.moving_mean[j] as f64) * bn.gamma[j] as f64
                    / (bn.moving_var[j] as f64 + rg_nn::spec::BN_EPSILON as f64).sqrt()
                    + bn.beta[j] as f64;
            }
        }
        if l + 1 == arch.n_layers() {
            link = v.clone();
        }
        act64(spec.activation, &mut v);
        h = v;
    }
    (link, h)
}
