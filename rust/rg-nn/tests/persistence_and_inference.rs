//! Serialization round trips; inference helpers used by masking and saliency.

mod common;

use rg_nn::{Activation, Architecture, BackpropModifier, GradientOf, LayerSpec, Network, Standardizer};

fn trained_like(seed: u64) -> Network {
    let arch = Architecture {
        n_inputs: 9,
        input_dropout: 0.1,
        layers: vec![
            LayerSpec { units: 7, activation: Activation::Tanh, batch_norm: true, dropout: 0.2 },
            LayerSpec { units: 5, activation: Activation::Relu, batch_norm: false, dropout: 0.0 },
            LayerSpec { units: 3, activation: Activation::Softmax, batch_norm: true, dropout: 0.0 },
        ],
        nonneg_output: false,
    };
    let mut net = Network::new(arch, seed).unwrap();
    for layer in net.layers_mut() {
        layer.bias.iter_mut().enumerate().for_each(|(j, b)| *b = 0.1 * j as f32 - 0.2);
        if let Some(bn) = layer.batch_norm.as_mut() {
            bn.moving_mean.iter_mut().enumerate().for_each(|(j, m)| *m = 0.05 * j as f32);
            bn.moving_var.iter_mut().enumerate().for_each(|(j, v)| *v = 0.5 + 0.1 * j as f32);
            bn.gamma.iter_mut().enumerate().for_each(|(j, g)| *g = 1.0 + 0.05 * j as f32);
        }
    }
    net.set_standardizer(Standardizer { mean: (0..9).map(|g| g as f64).collect(), sd: vec![1.5; 9] }).unwrap();
    net.set_input_names((0..9).map(|g| format!("GENE{g}")).collect()).unwrap();
    net
}

#[test]
fn bytes_round_trip_is_exact() {
    let net = trained_like(3);
    let bytes = net.to_bytes().unwrap();
    let back = Network::from_bytes(&bytes).unwrap();
    assert_eq!(net, back);
    assert_eq!(bytes, back.to_bytes().unwrap(), "the same network must give the same bytes");
    let x: Vec<f64> = common::normal_matrix(5, 9, 1).iter().map(|&v| v as f64).collect();
    assert_eq!(net.predict(&x, 5).unwrap(), back.predict(&x, 5).unwrap());
    // corrupt input is an error naming `weights`, never a panic
    assert!(Network::from_bytes(&bytes[..100]).unwrap_err().to_string().starts_with("`weights`"));
    assert!(Network::from_bytes(b"not a network").is_err());
}

#[test]
fn sparse_first_layer_equals_masked_forward() {
    let net = trained_like(4);
    let n = 4;
    let x = common::normal_matrix(n, 9, 2);
    let set = [1usize, 4, 8];
    let masked: Vec<f32> = (0..n * 9).map(|i| if set.contains(&(i % 9)) { x[i] } else { 0.0 }).collect();
    let values: Vec<f32> = (0..n).flat_map(|i| set.iter().map(move |&g| (i, g))).map(|(i, g)| x[i * 9 + g]).collect();
    let z1 = net.first_layer_sparse(&set, &values, n).unwrap();
    let a = net.forward_from_first_preactivation(&z1, n).unwrap();
    let b = net.forward(&masked, n).unwrap();
    assert!(common::max_abs_diff(&a.prob, &b.prob) < 1e-6);
    assert!(common::max_abs_diff(&a.link, &b.link) < 1e-5);
}

#[test]
fn input_gradient_matches_finite_differences() {
    let net = trained_like(5);
    let n = 3;
    let x = common::normal_matrix(n, 9, 3);
    for of in [GradientOf::Link, GradientOf::Prob] {
        for output in 0..3 {
            let g = net.input_gradient(&x, n, output, of, BackpropModifier::None).unwrap();
            let h = 1e-3f32;
            for i in 0..n {
                for j in 0..9 {
                    let mut up = x.clone();
                    up[i * 9 + j] += h;
                    let mut down = x.clone();
                    down[i * 9 + j] -= h;
                    let pick = |o: rg_nn::Outputs| if of == GradientOf::Link { o.link[i * 3 + output] } else { o.prob[i * 3 + output] };
                    let fd = (pick(net.forward(&up, n).unwrap()) - pick(net.forward(&down, n).unwrap())) / (2.0 * h);
                    let a = g[i * 9 + j];
                    assert!((a - fd).abs() < 2e-3 + 2e-2 * a.abs(), "{of:?} out {output} sample {i} gene {j}: {a} vs {fd}");
                }
            }
        }
    }
    // guided: only ReLU layers are touched by the keras-vis variant; the full variant differs
    let plain = net.input_gradient(&x, n, 0, GradientOf::Link, BackpropModifier::None).unwrap();
    let relu_only = net.input_gradient(&x, n, 0, GradientOf::Link, BackpropModifier::GuidedReluOnly).unwrap();
    let guided = net.input_gradient(&x, n, 0, GradientOf::Link, BackpropModifier::Guided).unwrap();
    assert_eq!(relu_only.len(), plain.len());
    assert_ne!(guided, plain);
    assert!(net.input_gradient(&x, n, 3, GradientOf::Link, BackpropModifier::None).is_err());
}

#[test]
fn standardizer_uses_population_sd_and_replaces_zero_sd() {
    // 3 samples × 2 features, row-major; feature 2 is constant
    let x = [1.0, 5.0, 2.0, 5.0, 6.0, 5.0];
    let s = Standardizer::fit(&x, 3, 2).unwrap();
    assert_eq!(s.mean, vec![3.0, 5.0]);
    let pop_sd = ((4.0 + 1.0 + 9.0) / 3.0f64).sqrt();
    assert!((s.sd[0] - pop_sd).abs() < 1e-12);
    assert_eq!(s.sd[1], 1.0);
    let z = s.apply(&x, 3).unwrap();
    assert!((z[0] as f64 - (1.0 - 3.0) / pop_sd).abs() < 1e-6);
    assert_eq!(z[1], 0.0);
}
