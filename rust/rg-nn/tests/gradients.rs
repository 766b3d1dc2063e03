//! Analytic gradients of every layer / loss / activation combination vs central finite
//! differences, in training mode (batch statistics, fixed dropout masks).

mod common;

use rg_nn::cpu::CpuTrainer;
use rg_nn::train::{DropoutSampler, TrainSetup};
use rg_nn::{Activation, Architecture, LayerSpec, Loss, Network, OptimizerConfig};

struct Case {
    hidden: Activation,
    head: Activation,
    loss: Loss,
    batch_norm: bool,
    dropout: f32,
    output_bn: bool,
}

fn targets(case: &Case, n: usize, k: usize) -> Vec<f32> {
    let r = common::normal_matrix(n, k, 99);
    match case.loss {
        Loss::BinaryCrossentropy => r.iter().map(|v| (*v > 0.0) as u8 as f32).collect(),
        Loss::CategoricalCrossentropy => (0..n).flat_map(|i| (0..k).map(move |c| (c == i % k) as u8 as f32)).collect(),
        Loss::Mse | Loss::Mae => r,
    }
}

/// Checks every parameter gradient of a small network against central differences of the loss.
fn check(case: Case) {
    let (n, p, k) = (6, 5, 3);
    let arch = Architecture {
        n_inputs: p,
        input_dropout: case.dropout,
        layers: vec![
            LayerSpec { units: 4, activation: case.hidden, batch_norm: case.batch_norm, dropout: case.dropout },
            LayerSpec { units: 3, activation: case.hidden, batch_norm: case.batch_norm, dropout: case.dropout },
            LayerSpec { units: k, activation: case.head, batch_norm: case.output_bn, dropout: 0.0 },
        ],
        nonneg_output: false,
    };
    let mut net = Network::new(arch, 7).unwrap();
    // non-trivial batch-norm parameters and biases
    for (l, layer) in net.layers_mut().iter_mut().enumerate() {
        for (j, b) in layer.bias.iter_mut().enumerate() {
            *b = 0.1 * (j as f32 - 1.0) + 0.05 * l as f32;
        }
        if let Some(bn) = layer.batch_norm.as_mut() {
            bn.gamma.iter_mut().enumerate().for_each(|(j, g)| *g = 0.8 + 0.1 * j as f32);
            bn.beta.iter_mut().enumerate().for_each(|(j, b)| *b = 0.05 * j as f32 - 0.1);
        }
    }
    let x = common::normal_matrix(n, p, 3);
    let y = targets(&case, n, k);
    let weights: Vec<f32> = (0..n).map(|i| [1.0, 0.5, 2.0][i % 3]).collect();
    let setup = TrainSetup {
        loss: case.loss,
        optimizer: OptimizerConfig::keras_default("sgd").unwrap(),
        frozen: vec![false; 3],
        max_batch: n,
    };
    let n_layers = 3;
    let mut trainer = CpuTrainer::new(&mut net, &setup).unwrap();
    let eval = |t: &mut CpuTrainer| t.loss_and_gradients(&x, &y, Some(&weights), n, &mut DropoutSampler::new(5, 1)).unwrap();
    let (_, grads) = eval(&mut trainer);

    // small enough that no ReLU/ELU pre-activation crosses its kink in these shapes
    let h = 1e-3f32;
    let mut checked = 0;
    for l in 0..n_layers {
        for which in 0..4 {
            let analytic = match which {
                0 => &grads[l].weight,
                1 => &grads[l].bias,
                2 => &grads[l].gamma,
                _ => &grads[l].beta,
            };
            for i in 0..analytic.len() {
                let perturbed = |delta: f32, t: &mut CpuTrainer| {
                    let layer = &mut t.network_mut().layers_mut()[l];
                    let v = match which {
                        0 => &mut layer.weight[i],
                        1 => &mut layer.bias[i],
                        2 => &mut layer.batch_norm.as_mut().unwrap().gamma[i],
                        _ => &mut layer.batch_norm.as_mut().unwrap().beta[i],
                    };
                    *v += delta;
                };
                perturbed(h, &mut trainer);
                let up = eval(&mut trainer).0;
                perturbed(-2.0 * h, &mut trainer);
                let down = eval(&mut trainer).0;
                perturbed(h, &mut trainer);
                let numeric = ((up - down) / (2.0 * h as f64)) as f32;
                let a = analytic[i];
                let tol = 2e-3 + 3e-2 * a.abs().max(numeric.abs());
                // MAE / ReLU kinks: a step across the kink is not differentiable; allow rare misses
                let kinky = matches!(case.loss, Loss::Mae) || matches!(case.hidden, Activation::Relu | Activation::Elu | Activation::Selu);
                if (a - numeric).abs() > tol && !kinky {
                    panic!("layer {l} tensor {which} index {i}: analytic {a} vs numeric {numeric} ({:?} {:?} {:?} bn {})", case.hidden, case.head, case.loss, case.batch_norm);
                }
                if (a - numeric).abs() <= tol {
                    checked += 1;
                }
            }
        }
    }
    let total: usize = grads.iter().map(|g| g.weight.len() + g.bias.len() + g.gamma.len() + g.beta.len()).sum();
    assert!(checked as f64 >= 0.9 * total as f64, "only {checked} of {total} gradients matched ({:?} {:?} {:?})", case.hidden, case.head, case.loss);
}

#[test]
fn every_hidden_activation_with_each_head_and_loss() {
    let heads = [
        (Activation::Sigmoid, Loss::BinaryCrossentropy),
        (Activation::Softmax, Loss::CategoricalCrossentropy),
        (Activation::Linear, Loss::Mse),
        (Activation::Linear, Loss::Mae),
        (Activation::Tanh, Loss::Mse),
    ];
    for hidden in [Activation::Tanh, Activation::Sigmoid, Activation::Relu, Activation::Elu, Activation::Selu, Activation::Linear] {
        for (head, loss) in heads {
            check(Case { hidden, head, loss, batch_norm: false, dropout: 0.0, output_bn: false });
        }
    }
}

#[test]
fn batch_norm_layers_including_the_output() {
    for hidden in [Activation::Tanh, Activation::Sigmoid, Activation::Selu] {
        check(Case { hidden, head: Activation::Sigmoid, loss: Loss::BinaryCrossentropy, batch_norm: true, dropout: 0.0, output_bn: false });
        check(Case { hidden, head: Activation::Tanh, loss: Loss::Mse, batch_norm: true, dropout: 0.0, output_bn: true });
        check(Case { hidden, head: Activation::Softmax, loss: Loss::CategoricalCrossentropy, batch_norm: true, dropout: 0.0, output_bn: true });
    }
}

#[test]
fn dropout_on_input_and_hidden_layers() {
    for hidden in [Activation::Tanh, Activation::Sigmoid] {
        check(Case { hidden, head: Activation::Sigmoid, loss: Loss::BinaryCrossentropy, batch_norm: false, dropout: 0.3, output_bn: false });
        check(Case { hidden, head: Activation::Softmax, loss: Loss::CategoricalCrossentropy, batch_norm: true, dropout: 0.3, output_bn: false });
    }
}

#[test]
fn clipped_cross_entropy_passes_no_gradient() {
    use rg_nn::loss::sample_gradient;
    let mut g = [0.0f32; 1];
    sample_gradient(Loss::BinaryCrossentropy, Activation::Sigmoid, &[1.0 - 1e-9], &[0.0], 1.0, &mut g);
    assert_eq!(g[0], 0.0);
    sample_gradient(Loss::BinaryCrossentropy, Activation::Sigmoid, &[0.3], &[1.0], 1.0, &mut g);
    assert!((g[0] - (0.3 - 1.0)).abs() < 1e-7);
    // softmax + CE, nothing clipped: p − y
    let mut g3 = [0.0f32; 3];
    sample_gradient(Loss::CategoricalCrossentropy, Activation::Softmax, &[0.2, 0.5, 0.3], &[0.0, 1.0, 0.0], 1.0, &mut g3);
    for (a, b) in g3.iter().zip([0.2, -0.5, 0.3]) {
        assert!((a - b).abs() < 1e-6, "{g3:?}");
    }
}

#[test]
fn fused_kernel_update_equals_the_stored_gradient_step() {
    // one Adadelta step through the fused path vs the stored gradients and the formula
    use rg_nn::optim::{apply_update, Schedule, SlotState};
    use rg_nn::train::Engine;
    let (n, p) = (7, 70);
    let arch = Architecture::feed_forward(p, &[37, 5], Activation::Tanh, true, 0.0, 1, Activation::Sigmoid);
    let net = Network::new(arch, 3).unwrap();
    let x = common::normal_matrix(n, p, 1);
    let y: Vec<f32> = (0..n).map(|i| (i % 2) as f32).collect();
    let optimizer = OptimizerConfig::keras_default("adadelta").unwrap();
    let setup = TrainSetup { loss: Loss::BinaryCrossentropy, optimizer, frozen: vec![false; 3], max_batch: n };
    let mut stored_net = net.clone();
    let grads = CpuTrainer::new(&mut stored_net, &setup).unwrap().loss_and_gradients(&x, &y, None, n, &mut DropoutSampler::new(1, 1)).unwrap().1;
    let mut fused_net = net.clone();
    CpuTrainer::new(&mut fused_net, &setup).unwrap().train_batch(&x, &y, None, n, &mut DropoutSampler::new(1, 1)).unwrap();
    let step = Schedule::new(optimizer).next_step();
    for l in 0..3 {
        let mut expected = net.layer(l).weight.clone();
        let mut state = SlotState::new(&optimizer, expected.len());
        apply_update(&optimizer, &step, &mut expected, &grads[l].weight, &mut state);
        let d = common::max_abs_diff(&expected, &fused_net.layer(l).weight);
        assert!(d < 1e-6, "layer {l}: fused and stored updates differ by {d}");
    }
}
