mod common;

use common::{inputs, reference_forward, tiny_network};
use rg_core::monitor::Silent;
use rg_interpret::{saliency, SaliencyMethod, SaliencyOptions};
use rg_nn::{Activation, BackpropModifier, GradientOf, Network};

fn f64_output(net: &Network, x: &[f64], output: usize, of: GradientOf) -> f64 {
    let (link, prob) = reference_forward(net, x);
    match of {
        GradientOf::Link => link[output],
        GradientOf::Prob => prob[output],
    }
}

/// Central finite differences of the f64 reference network.
fn finite_difference(net: &Network, x: &[f32], output: usize, of: GradientOf) -> Vec<f64> {
    let h = 1e-5;
    let x: Vec<f64> = x.iter().map(|&v| v as f64).collect();
    (0..x.len())
        .map(|j| {
            let (mut up, mut down) = (x.clone(), x.clone());
            up[j] += h;
            down[j] -= h;
            (f64_output(net, &up, output, of) - f64_output(net, &down, output, of)) / (2.0 * h)
        })
        .collect()
}

fn check_gradient(net: &Network, n: usize, outputs: &[usize], of: GradientOf) {
    let p = net.n_inputs();
    let z = inputs(n, p, 21);
    let options = SaliencyOptions { of, block_rows: 3, n_threads: 2, ..SaliencyOptions::default() };
    let maps = saliency(net, &z, n, outputs, &options, &mut Silent).unwrap();
    for (&output, map) in outputs.iter().zip(&maps) {
        for i in 0..n {
            let fd = finite_difference(net, &z[i * p..(i + 1) * p], output, of);
            let scale = fd.iter().map(|v| v.abs()).fold(0.0, f64::max);
            for j in 0..p {
                let err = (map[i * p + j] as f64 - fd[j]).abs() / scale;
                assert!(err < 1e-3, "output {output} sample {i} gene {j}: {} vs {} ({of:?})", map[i * p + j], fd[j]);
            }
        }
    }
}

#[test]
fn gradients_equal_central_finite_differences() {
    let net = tiny_network(11, &[9, 5], Activation::Tanh, true, 1, Activation::Sigmoid, 1);
    check_gradient(&net, 5, &[0], GradientOf::Link);
    check_gradient(&net, 5, &[0], GradientOf::Prob);
    let net = tiny_network(10, &[7], Activation::Sigmoid, false, 3, Activation::Softmax, 2);
    check_gradient(&net, 4, &[0, 1, 2], GradientOf::Link);
    check_gradient(&net, 4, &[2, 0], GradientOf::Prob);
}

#[test]
fn guided_equals_gradient_without_relu_and_blocks_negative_flow_with_relu() {
    let (n, p) = (6, 12);
    let z = inputs(n, p, 22);
    let tanh = tiny_network(p, &[8, 6], Activation::Tanh, true, 1, Activation::Sigmoid, 3);
    let plain = SaliencyOptions::default();
    let guided = SaliencyOptions { method: SaliencyMethod::Guided, ..SaliencyOptions::default() };
    let a = saliency(&tanh, &z, n, &[0], &plain, &mut Silent).unwrap();
    let b = saliency(&tanh, &z, n, &[0], &guided, &mut Silent).unwrap();
    assert_eq!(a, b);

    // one hidden ReLU layer: guided = Σ_j W1[g, j] · [h_j > 0] · max(W2[j], 0)
    let relu = tiny_network(p, &[8], Activation::Relu, false, 1, Activation::Sigmoid, 4);
    let g = saliency(&relu, &z, n, &[0], &guided, &mut Silent).unwrap();
    let (w1, b1, w2) = (&relu.layer(0).weight, &relu.layer(0).bias, &relu.layer(1).weight);
    for i in 0..n {
        for gene in 0..p {
            let mut expected = 0.0f64;
            for j in 0..8 {
                let pre: f64 = b1[j] as f64 + (0..p).map(|q| z[i * p + q] as f64 * w1[q * 8 + j] as f64).sum::<f64>();
                if pre > 0.0 {
                    expected += w1[gene * 8 + j] as f64 * (w2[j] as f64).max(0.0);
                }
            }
            assert!((g[0][i * p + gene] as f64 - expected).abs() < 1e-5, "{} vs {expected}", g[0][i * p + gene]);
        }
    }
}

#[test]
fn integrated_gradients_are_complete() {
    let (n, p) = (5, 14);
    // smooth networks converge fast (50 steps, the default); a ReLU network's path gradient is
    // piecewise constant, so its Riemann sum needs more steps
    for (net, outputs, of, steps) in [
        (tiny_network(p, &[10, 6], Activation::Tanh, true, 1, Activation::Sigmoid, 5), vec![0], GradientOf::Link, 50),
        (tiny_network(p, &[10, 6], Activation::Tanh, true, 1, Activation::Sigmoid, 5), vec![0], GradientOf::Prob, 50),
        (tiny_network(p, &[9], Activation::Tanh, false, 3, Activation::Softmax, 6), vec![1, 2], GradientOf::Prob, 50),
        (tiny_network(p, &[9], Activation::Relu, false, 3, Activation::Softmax, 6), vec![1, 2], GradientOf::Link, 2000),
    ] {
        let z = inputs(n, p, 23);
        let options = SaliencyOptions { method: SaliencyMethod::Integrated { steps }, of, block_rows: 64, ..SaliencyOptions::default() };
        let maps = saliency(&net, &z, n, &outputs, &options, &mut Silent).unwrap();
        let zero = vec![0.0f64; p];
        for (&output, map) in outputs.iter().zip(&maps) {
            for i in 0..n {
                let x: Vec<f64> = z[i * p..(i + 1) * p].iter().map(|&v| v as f64).collect();
                let diff = f64_output(&net, &x, output, of) - f64_output(&net, &zero, output, of);
                let total: f64 = map[i * p..(i + 1) * p].iter().map(|&v| v as f64).sum();
                assert!((total - diff).abs() <= 0.01 * diff.abs().max(0.05), "output {output} {of:?} sample {i}: sum {total} vs f(x) - f(0) = {diff}");
            }
        }
    }
}

/// The definition: x ⊙ mean over midpoints of full input gradients at αx.
fn integrated_by_definition(net: &Network, z: &[f32], n: usize, output: usize, of: GradientOf, steps: usize) -> Vec<f32> {
    let p = net.n_inputs();
    let mut out = vec![0.0f32; n * p];
    for k in 0..steps {
        let alpha = (k as f32 + 0.5) / steps as f32;
        let point: Vec<f32> = z.iter().map(|v| alpha * v).collect();
        let g = net.input_gradient(&point, n, output, of, BackpropModifier::None).unwrap();
        out.iter_mut().zip(&g).for_each(|(o, gi)| *o += gi / steps as f32);
    }
    out.iter_mut().zip(z).for_each(|(o, x)| *o *= x);
    out
}

#[test]
fn factored_integrated_gradients_equal_the_definition() {
    let (n, p, steps) = (7, 13, 9);
    for (net, output, of) in [
        (tiny_network(p, &[10, 6], Activation::Tanh, true, 1, Activation::Sigmoid, 9), 0, GradientOf::Prob),
        (tiny_network(p, &[8], Activation::Relu, true, 3, Activation::Softmax, 10), 2, GradientOf::Link),
        (tiny_network(p, &[8, 5], Activation::Elu, false, 3, Activation::Softmax, 11), 1, GradientOf::Prob),
    ] {
        let z = inputs(n, p, 26);
        // block_rows 20 = 2 samples per block: several blocks and a ragged last one
        let options = SaliencyOptions { method: SaliencyMethod::Integrated { steps }, of, block_rows: 20, ..SaliencyOptions::default() };
        let got = saliency(&net, &z, n, &[output], &options, &mut Silent).unwrap();
        let expected = integrated_by_definition(&net, &z, n, output, of, steps);
        let scale = expected.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        for (a, b) in got[0].iter().zip(&expected) {
            assert!((a - b).abs() <= 1e-5 * scale, "{a} vs {b}");
        }
    }
}

#[test]
fn absolute_minmax_reproduces_the_reference_normalization() {
    let (n, p) = (4, 9);
    let net = tiny_network(p, &[6], Activation::Tanh, false, 1, Activation::Sigmoid, 7);
    let z = inputs(n, p, 24);
    let raw = saliency(&net, &z, n, &[0], &SaliencyOptions::default(), &mut Silent).unwrap();
    let opts = SaliencyOptions { absolute: true, minmax: true, ..SaliencyOptions::default() };
    let norm = saliency(&net, &z, n, &[0], &opts, &mut Silent).unwrap();
    for i in 0..n {
        let abs: Vec<f32> = raw[0][i * p..(i + 1) * p].iter().map(|v| v.abs()).collect();
        let (min, max) = abs.iter().fold((f32::INFINITY, f32::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
        for j in 0..p {
            let expected = (abs[j] - min) / (max - min + 1e-7);
            assert!((norm[0][i * p + j] - expected).abs() < 1e-6);
        }
    }
}

#[test]
fn bad_class_and_steps_are_named_errors() {
    let net = tiny_network(5, &[3], Activation::Tanh, false, 1, Activation::Sigmoid, 8);
    let z = inputs(2, 5, 25);
    let err = saliency(&net, &z, 2, &[1], &SaliencyOptions::default(), &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`class`"), "{err}");
    let opts = SaliencyOptions { method: SaliencyMethod::Integrated { steps: 0 }, ..SaliencyOptions::default() };
    let err = saliency(&net, &z, 2, &[0], &opts, &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`steps`"), "{err}");
}
