//! Autoencoder pre-training, encoder transfer and frozen layers.

mod common;

use rg_core::monitor::Silent;
use rg_nn::{
    autoencoder_architecture, fit, freeze_first, transfer_layers, Activation, Architecture, Dataset, FitOptions, Loss,
    Network, OptimizerConfig, Standardizer, Task,
};

#[test]
fn reconstructs_low_rank_data() {
    let (n, p) = (300, 40);
    // validation: held-out rows of the same rank-3 model
    let all = common::low_rank(n + 100, p, 3, 0.1, 5);
    let (train, val) = all.split_at(n * p);
    let arch = autoencoder_architecture(p, &[32, 8], Activation::Tanh, false, Activation::Linear, false);
    assert_eq!(arch.layers.iter().map(|l| l.units).collect::<Vec<_>>(), vec![32, 8, 32, p]);
    let mut net = Network::new(arch, 1).unwrap();
    let mut o = FitOptions::new(Task::Regression { pooled_r2: false }, Loss::Mse);
    o.epochs = 150;
    o.batch_size = 20;
    o.optimizer = OptimizerConfig::keras_default("adam").unwrap();
    o.optimizer.learning_rate = 0.005;
    let h = fit(&mut net, &Dataset { x: train, y: train, n, weights: None }, Some(&Dataset { x: val, y: val, n: 100, weights: None }), &o, &mut Silent).unwrap();
    let r2 = *h.column("val_r2").unwrap().last().unwrap();
    assert!(r2 > 0.9, "validation mean per-gene R² {r2}");
}

#[test]
fn transfer_copies_exactly_the_encoder_and_frozen_layers_stay_put() {
    let (n, p) = (60, 20);
    let x = common::low_rank(n, p, 2, 0.2, 3);
    let mut ae = Network::new(autoencoder_architecture(p, &[12, 6, 4], Activation::Tanh, true, Activation::Linear, false), 1).unwrap();
    ae.set_standardizer(Standardizer { mean: vec![1.0; p], sd: vec![2.0; p] }).unwrap();
    ae.set_input_names((0..p).map(|g| format!("G{g}")).collect()).unwrap();
    let mut o = FitOptions::new(Task::Regression { pooled_r2: false }, Loss::Mae);
    o.epochs = 3;
    fit(&mut ae, &Dataset { x: &x, y: &x, n, weights: None }, None, &o, &mut Silent).unwrap();

    let arch = Architecture::feed_forward(p, &[12, 6, 4], Activation::Tanh, true, 0.0, 1, Activation::Sigmoid);
    let fresh = Network::new(arch, 9).unwrap();
    let mut net = fresh.clone();
    transfer_layers(&mut net, &ae, 2).unwrap();
    for l in 0..2 {
        assert_eq!(net.layer(l).weight, ae.layer(l).weight);
        assert_eq!(net.layer(l).bias, ae.layer(l).bias);
        // batch norm is not transferred
        assert_eq!(net.layer(l).batch_norm, fresh.layer(l).batch_norm);
    }
    assert_eq!(net.layer(2), fresh.layer(2));
    assert_eq!(net.layer(3), fresh.layer(3));
    assert_eq!(net.standardizer(), ae.standardizer());
    assert_eq!(net.input_names(), ae.input_names());

    // train with the first layer frozen: its kernel and bias are bit-identical afterwards
    let y: Vec<f32> = (0..n).map(|i| (x[i * p] > 0.0) as u8 as f32).collect();
    let mut o = FitOptions::new(Task::Binary, Loss::BinaryCrossentropy);
    o.epochs = 5;
    o.frozen = freeze_first(4, 1);
    let before = net.clone();
    fit(&mut net, &Dataset { x: &x, y: &y, n, weights: None }, None, &o, &mut Silent).unwrap();
    assert_eq!(net.layer(0).weight, before.layer(0).weight);
    assert_eq!(net.layer(0).bias, before.layer(0).bias);
    assert_ne!(net.layer(0).batch_norm, before.layer(0).batch_norm, "batch norm stays trainable");
    assert_ne!(net.layer(1).weight, before.layer(1).weight);

    // mismatches are argument errors
    let other = Network::new(Architecture::feed_forward(p, &[10, 6], Activation::Tanh, true, 0.0, 1, Activation::Sigmoid), 1).unwrap();
    assert!(transfer_layers(&mut other.clone(), &ae, 1).unwrap_err().to_string().contains("`hidden`"));
    assert!(transfer_layers(&mut net.clone(), &ae, 4).unwrap_err().to_string().contains("`transfer_layers`"));
}
