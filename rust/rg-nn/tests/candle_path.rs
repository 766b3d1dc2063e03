//! The candle path (used for CUDA) against the CPU engine, run on candle's CPU backend: same
//! network definition, same dropout draws, same formulas → the same weights up to rounding.

mod common;

use rg_core::monitor::Silent;
use rg_nn::{fit, Activation, Architecture, Dataset, Device, FitOptions, LayerSpec, Loss, Network, OptimizerConfig, Task};

fn compare(arch: Architecture, loss: Loss, task: Task, optimizer: &str, frozen: Vec<bool>) {
    let (n, p, k) = (30, arch.n_inputs, arch.n_outputs());
    let x = common::normal_matrix(n, p, 1);
    let y: Vec<f32> = match loss {
        Loss::CategoricalCrossentropy => (0..n).flat_map(|i| (0..k).map(move |c| (c == i % k) as u8 as f32)).collect(),
        Loss::BinaryCrossentropy => common::normal_matrix(n, k, 2).iter().map(|v| (*v > 0.0) as u8 as f32).collect(),
        _ => common::normal_matrix(n, k, 2),
    };
    let w: Vec<f32> = (0..n).map(|i| 0.5 + (i % 3) as f32 * 0.5).collect();
    let net = Network::new(arch, 11).unwrap();
    let mut o = FitOptions::new(task, loss);
    o.epochs = 3;
    o.batch_size = 8;
    o.optimizer = OptimizerConfig::keras_default(optimizer).unwrap();
    o.frozen = frozen;
    let data = Dataset { x: &x, y: &y, n, weights: Some(&w) };
    let mut cpu = net.clone();
    let h_cpu = fit(&mut cpu, &data, Some(&data), &o, &mut Silent).unwrap();
    let mut candle = net.clone();
    o.device = Device::CandleCpu;
    let h_candle = fit(&mut candle, &data, Some(&data), &o, &mut Silent).unwrap();
    for (l, (a, b)) in cpu.layers().iter().zip(candle.layers()).enumerate() {
        let scale = a.weight.iter().fold(0.0f32, |m, v| m.max(v.abs()));
        let d = common::max_abs_diff(&a.weight, &b.weight);
        assert!(d <= 2e-4 * scale.max(1.0), "{optimizer} layer {l} weights differ by {d}");
        match (&a.batch_norm, &b.batch_norm) {
            (Some(x), Some(y)) => {
                // batch norm cancels the dense bias, so its gradient is rounding noise that adaptive
                // optimizers amplify differently per path: biases (and the moving means that
                // track them) are compared through the predictions below
                assert!(common::max_abs_diff(&x.gamma, &y.gamma) <= 2e-4);
                assert!(common::max_abs_diff(&x.beta, &y.beta) <= 2e-4);
                assert!(common::max_abs_diff(&x.moving_var, &y.moving_var) <= 2e-4);
            }
            _ => assert!(common::max_abs_diff(&a.bias, &b.bias) <= 2e-4, "{optimizer} layer {l} bias"),
        }
    }
    let probe = common::normal_matrix(7, p, 5);
    let (pa, pb) = (cpu.forward(&probe, 7).unwrap(), candle.forward(&probe, 7).unwrap());
    assert!(common::max_abs_diff(&pa.prob, &pb.prob) <= 1e-3, "{optimizer} predictions differ");
    let (lc, lk) = (h_cpu.column("loss").unwrap(), h_candle.column("loss").unwrap());
    for (a, b) in lc.iter().zip(lk) {
        assert!((a - b).abs() < 1e-4 * (1.0 + a.abs()), "losses {lc:?} vs {lk:?}");
    }
    let vc = h_cpu.column("val_loss").unwrap();
    let vk = h_candle.column("val_loss").unwrap();
    assert!((vc[2] - vk[2]).abs() < 1e-4 * (1.0 + vc[2].abs()));
}

fn layer(units: usize, activation: Activation, batch_norm: bool, dropout: f32) -> LayerSpec {
    LayerSpec { units, activation, batch_norm, dropout }
}

#[test]
fn binary_with_batch_norm_and_dropout_every_optimizer() {
    for opt in ["adadelta", "adam", "nadam", "rmsprop", "sgd"] {
        let arch = Architecture::feed_forward(12, &[9, 6], Activation::Tanh, true, 0.25, 1, Activation::Sigmoid);
        compare(arch, Loss::BinaryCrossentropy, Task::Binary, opt, Vec::new());
    }
}

#[test]
fn softmax_and_regression_heads_and_other_activations() {
    let arch = Architecture {
        n_inputs: 7,
        input_dropout: 0.0,
        layers: vec![layer(8, Activation::Relu, false, 0.1), layer(5, Activation::Elu, true, 0.0), layer(3, Activation::Softmax, false, 0.0)],
        nonneg_output: false,
    };
    compare(arch, Loss::CategoricalCrossentropy, Task::Multiclass, "adam", Vec::new());
    let arch = Architecture {
        n_inputs: 7,
        input_dropout: 0.0,
        layers: vec![layer(8, Activation::Selu, false, 0.0), layer(5, Activation::Sigmoid, true, 0.0), layer(2, Activation::Linear, false, 0.0)],
        nonneg_output: true,
    };
    compare(arch.clone(), Loss::Mse, Task::Regression { pooled_r2: false }, "rmsprop", Vec::new());
    compare(arch, Loss::Mae, Task::Regression { pooled_r2: true }, "adadelta", vec![true, false, false]);
}

#[test]
fn cuda_without_the_feature_is_a_clear_error() {
    if Device::cuda_compiled() {
        return;
    }
    let arch = Architecture::feed_forward(4, &[3], Activation::Tanh, false, 0.0, 1, Activation::Sigmoid);
    let mut net = Network::new(arch, 1).unwrap();
    let x = vec![0.0f32; 8];
    let y = vec![0.0f32, 1.0];
    let mut o = FitOptions::new(Task::Binary, Loss::BinaryCrossentropy);
    o.device = Device::parse("cuda").unwrap();
    let err = fit(&mut net, &Dataset { x: &x, y: &y, n: 2, weights: None }, None, &o, &mut Silent).unwrap_err();
    let msg = err.to_string();
    assert!(msg.starts_with("`device`") && msg.contains("RADIOGENOMICS_FEATURES=cuda"), "{msg}");
    assert!(Device::parse("gpu").is_err());
    assert_eq!(Device::parse("cuda:1").unwrap(), Device::Cuda(1));
}
