//! Training on small tasks: a nonlinear (XOR-like) problem, determinism, early stopping,
//! cancellation, argument errors.

mod common;

use rg_core::metrics::roc_auc;
use rg_core::monitor::{CancelAt, Silent};
use rg_nn::{fit, Activation, Architecture, Dataset, EarlyStopping, FitOptions, Loss, Network, NnError, OptimizerConfig, StopMode, Task};

fn xor_setup(seed: u64) -> (Network, Vec<f32>, Vec<f32>, Vec<f32>, Vec<f32>) {
    let p = 10;
    let (x, y) = common::xor_data(400, p, 1);
    let (xv, yv) = common::xor_data(200, p, 2);
    let arch = Architecture::feed_forward(p, &[32, 16], Activation::Tanh, true, 0.0, 1, Activation::Sigmoid);
    (Network::new(arch, seed).unwrap(), x, y, xv, yv)
}

fn options() -> FitOptions {
    let mut o = FitOptions::new(Task::Binary, Loss::BinaryCrossentropy);
    o.epochs = 60;
    o.batch_size = 20;
    o.optimizer = OptimizerConfig::keras_default("adam").unwrap();
    o.optimizer.learning_rate = 0.01;
    o
}

#[test]
fn learns_an_interaction_no_linear_model_can() {
    let (mut net, x, y, xv, yv) = xor_setup(3);
    let train = Dataset { x: &x, y: &y, n: 400, weights: None };
    let val = Dataset { x: &xv, y: &yv, n: 200, weights: None };
    let history = fit(&mut net, &train, Some(&val), &options(), &mut Silent).unwrap();
    let out = net.forward(&xv, 200).unwrap();
    let truth: Vec<bool> = yv.iter().map(|&v| v > 0.5).collect();
    let score: Vec<f64> = out.prob.iter().map(|&v| v as f64).collect();
    let auc = roc_auc(&truth, &score).unwrap();
    assert!(auc > 0.9, "validation AUC {auc}");
    // the history's last validation AUC is the same computation
    let recorded = *history.column("val_auc").unwrap().last().unwrap();
    assert!((recorded - auc).abs() < 1e-9);
    assert_eq!(history.epochs_run, 60);
    // a linear score (x0 + x1) is useless here: the task really is nonlinear
    let linear: Vec<f64> = (0..200).map(|i| (xv[i * 10] + xv[i * 10 + 1]) as f64).collect();
    assert!((roc_auc(&truth, &linear).unwrap() - 0.5).abs() < 0.1);
}

#[test]
fn same_seed_same_weights_and_thread_count_does_not_matter() {
    let run = |threads: usize| {
        let (mut net, x, y, _, _) = xor_setup(5);
        let mut o = options();
        o.epochs = 3;
        o.n_threads = threads;
        let train = Dataset { x: &x, y: &y, n: 400, weights: None };
        fit(&mut net, &train, None, &o, &mut Silent).unwrap();
        net
    };
    let a = run(2);
    let b = run(2);
    assert_eq!(a, b, "same seed and threads must give bit-identical weights");
    let c = run(1);
    assert_eq!(a, c, "1 and 2 threads gave different weights");
}

#[test]
fn bigger_layers_are_bit_identical_across_thread_counts() {
    // shapes large enough for gemm to split the work across threads
    let (n, p) = (64, 700);
    let x = common::normal_matrix(n, p, 9);
    let y: Vec<f32> = (0..n).map(|i| (x[i * p] > 0.0) as u8 as f32).collect();
    let run = |threads: usize| {
        let arch = Architecture::feed_forward(p, &[300, 200], Activation::Tanh, true, 0.2, 1, Activation::Sigmoid);
        let mut net = Network::new(arch, 1).unwrap();
        let mut o = options();
        o.epochs = 2;
        o.batch_size = 32;
        o.n_threads = threads;
        o.optimizer = OptimizerConfig::keras_default("adadelta").unwrap();
        fit(&mut net, &Dataset { x: &x, y: &y, n, weights: None }, None, &o, &mut Silent).unwrap();
        net
    };
    assert_eq!(run(1), run(2));
}

#[test]
fn early_stopping_restores_the_best_epoch() {
    let (mut net, x, y, xv, yv) = xor_setup(4);
    let mut o = options();
    o.epochs = 200;
    o.early_stopping = Some(EarlyStopping { monitor: "val_loss".into(), patience: 5, min_delta: 0.0, mode: StopMode::Min, restore_best: true });
    let train = Dataset { x: &x, y: &y, n: 400, weights: None };
    let val = Dataset { x: &xv, y: &yv, n: 200, weights: None };
    let h = fit(&mut net, &train, Some(&val), &o, &mut Silent).unwrap();
    assert!(h.stopped_early, "ran {} epochs", h.epochs_run);
    let best = h.best_epoch.unwrap();
    let losses = h.column("val_loss").unwrap();
    assert_eq!(h.epochs_run, best + 1 + 5);
    let min = losses.iter().copied().fold(f64::INFINITY, f64::min);
    assert_eq!(losses[best], min);
    // the network holds the best epoch's weights: its validation loss is the recorded one
    let out = net.forward(&xv, 200).unwrap();
    let now = rg_nn::train::mean_loss(Loss::BinaryCrossentropy, &out, &yv);
    assert!((now - losses[best]).abs() < 1e-9);
}

#[test]
fn keras_min_delta_semantics() {
    // with a huge min_delta nothing after the first epoch counts as an improvement
    let (mut net, x, y, _, _) = xor_setup(4);
    let mut o = options();
    o.epochs = 50;
    o.early_stopping = Some(EarlyStopping { monitor: "auc".into(), patience: 3, min_delta: 10.0, mode: StopMode::Max, restore_best: false });
    let h = fit(&mut net, &Dataset { x: &x, y: &y, n: 400, weights: None }, None, &o, &mut Silent).unwrap();
    // epoch 1 improves on −∞ only if auc − 10 > −∞: yes; then 3 epochs without improvement
    assert_eq!(h.epochs_run, 4);
    assert!(!h.restored_best);
}

#[test]
fn cancellation_stops_with_interrupted() {
    let (mut net, x, y, _, _) = xor_setup(4);
    let mut o = options();
    o.poll_every = 1;
    let mut monitor = CancelAt::new(7);
    let r = fit(&mut net, &Dataset { x: &x, y: &y, n: 400, weights: None }, None, &o, &mut monitor);
    assert_eq!(r.unwrap_err(), NnError::Interrupted);
    assert_eq!(monitor.steps.last().unwrap().0, 7);
}

#[test]
fn zero_weights_remove_samples() {
    // all-zero weights: the weights never move
    let (mut net, x, y, _, _) = xor_setup(4);
    let before = net.clone();
    let w = vec![0.0f32; 400];
    let mut o = options();
    o.epochs = 2;
    o.optimizer = OptimizerConfig::keras_default("sgd").unwrap();
    fit(&mut net, &Dataset { x: &x, y: &y, n: 400, weights: Some(&w) }, None, &o, &mut Silent).unwrap();
    for (a, b) in net.layers().iter().zip(before.layers()) {
        assert_eq!(a.weight, b.weight);
    }
    assert_eq!(rg_nn::balanced_weights(&[0, 0, 0, 1], 2), vec![2.0 / 3.0, 2.0 / 3.0, 2.0 / 3.0, 2.0]);
}

#[test]
fn bad_inputs_are_argument_errors() {
    let (net, x, y, _, _) = xor_setup(4);
    let train = Dataset { x: &x, y: &y[..399], n: 400, weights: None };
    let err = fit(&mut net.clone(), &train, None, &options(), &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`y`"), "{err}");
    let mut o = options();
    o.early_stopping = Some(EarlyStopping { monitor: "val_auc".into(), patience: 1, min_delta: 0.0, mode: StopMode::Max, restore_best: true });
    let train = Dataset { x: &x, y: &y, n: 400, weights: None };
    let err = fit(&mut net.clone(), &train, None, &o, &mut Silent).unwrap_err();
    assert!(err.to_string().contains("`monitor`"), "{err}");
    let mut o = options();
    o.loss = Loss::CategoricalCrossentropy;
    assert!(fit(&mut net.clone(), &train, None, &o, &mut Silent).unwrap_err().to_string().contains("`loss`"));
    let bad = Architecture::feed_forward(10, &[0, 3], Activation::Tanh, false, 0.0, 1, Activation::Sigmoid);
    assert!(Network::new(bad, 1).unwrap_err().to_string().contains("`hidden`"));
    let bad = Architecture::feed_forward(10, &[4], Activation::Tanh, false, 1.0, 1, Activation::Sigmoid);
    assert!(Network::new(bad, 1).unwrap_err().to_string().contains("`dropout`"));
}

#[test]
fn regression_with_nonnegative_output() {
    let (n, p) = (200, 5);
    let x = common::normal_matrix(n, p, 3);
    let y: Vec<f32> = (0..n).map(|i| 1.0 + x[i * p].tanh() + 0.5 * x[i * p + 1].powi(2)).collect();
    let mut arch = Architecture::feed_forward(p, &[16], Activation::Tanh, false, 0.0, 1, Activation::Linear);
    arch.nonneg_output = true;
    let mut net = Network::new(arch, 2).unwrap();
    let mut o = FitOptions::new(Task::Regression { pooled_r2: false }, Loss::Mse);
    o.epochs = 80;
    o.optimizer = OptimizerConfig::keras_default("adam").unwrap();
    o.optimizer.learning_rate = 0.01;
    let h = fit(&mut net, &Dataset { x: &x, y: &y, n, weights: None }, None, &o, &mut Silent).unwrap();
    let r2 = *h.column("r2").unwrap().last().unwrap();
    assert!(r2 > 0.8, "training R² {r2}");
    let out = net.layers().last().unwrap();
    assert!(out.weight.iter().chain(&out.bias).all(|&w| w >= 0.0));
}

#[test]
fn multiclass_softmax() {
    let (n, p) = (300, 6);
    let x = common::normal_matrix(n, p, 8);
    let class = |i: usize| if x[i * p] > 0.5 { 0 } else if x[i * p + 1] > 0.0 { 1 } else { 2 };
    let y: Vec<f32> = (0..n).flat_map(|i| (0..3).map(move |c| (c == class(i)) as u8 as f32)).collect();
    let arch = Architecture::feed_forward(p, &[16], Activation::Sigmoid, true, 0.1, 3, Activation::Softmax);
    let mut net = Network::new(arch, 2).unwrap();
    let mut o = FitOptions::new(Task::Multiclass, Loss::CategoricalCrossentropy);
    o.epochs = 40;
    o.optimizer = OptimizerConfig::keras_default("nadam").unwrap();
    let h = fit(&mut net, &Dataset { x: &x, y: &y, n, weights: None }, None, &o, &mut Silent).unwrap();
    assert!(*h.column("acc").unwrap().last().unwrap() > 0.85);
    assert!(*h.column("auc").unwrap().last().unwrap() > 0.95);
    let out = net.forward(&x, n).unwrap();
    for row in out.prob.chunks(3) {
        assert!((row.iter().sum::<f32>() - 1.0).abs() < 1e-5);
    }
}
