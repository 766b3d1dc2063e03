mod common;

use common::{inputs, tiny_network};
use rg_core::metrics::{self, BinaryMetric};
use rg_core::monitor::{CancelAt, Silent};
use rg_interpret::{
    gene_set_masking, masked_outputs, single_gene_masking, InterpretError, Masks, MaskingOptions, RandomSets, Truth,
};
use rg_nn::{Activation, Network};

/// `forward()` on explicitly masked copies of the samples: the naive definition.
fn naive_masked(net: &Network, z: &[f32], n: usize, set: &[usize]) -> (Vec<f32>, Vec<f32>) {
    let p = net.n_inputs();
    let mut masked = vec![0.0f32; n * p];
    for i in 0..n {
        for &g in set {
            masked[i * p + g] = z[i * p + g];
        }
    }
    let out = net.forward(&masked, n).unwrap();
    (out.link, out.prob)
}

fn assert_close(a: &[f32], b: &[f32], tol: f32, what: &str) {
    assert_eq!(a.len(), b.len(), "{what}: lengths differ");
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!((x - y).abs() <= tol * (1.0 + y.abs()), "{what}[{i}]: {x} vs {y}");
    }
}

fn some_sets(p: usize) -> Vec<Vec<usize>> {
    vec![
        vec![0, 5, 7],
        (0..p).step_by(3).collect(),
        vec![p - 1],
        (0..p).collect(),
        vec![],
        vec![2, 3, 11, 13, 17, 19, 23],
    ]
}

#[test]
fn sparse_set_masking_equals_naive_dense_masking() {
    let (n, p) = (13, 29);
    for (net, small_blocks) in [
        (tiny_network(p, &[16, 8], Activation::Tanh, false, 1, Activation::Sigmoid, 1), false),
        (tiny_network(p, &[16, 8], Activation::Relu, true, 3, Activation::Softmax, 2), true),
        (tiny_network(p, &[12], Activation::Tanh, true, 2, Activation::Sigmoid, 3), true),
    ] {
        let z = inputs(n, p, 4);
        let sets = some_sets(p);
        // block_rows below n forces one set per block; 40 packs three sets per block
        let options = MaskingOptions { block_rows: if small_blocks { 5 } else { 40 }, n_threads: 2 };
        let out = masked_outputs(&net, &z, n, Masks::Sets(&sets), &options, &mut Silent).unwrap();
        let k = net.n_outputs();
        for (m, set) in sets.iter().enumerate() {
            let (link, prob) = naive_masked(&net, &z, n, set);
            let span = m * n * k..(m + 1) * n * k;
            assert_close(&out.link[span.clone()], &link, 1e-5, "link");
            assert_close(&out.prob[span], &prob, 1e-5, "prob");
        }
    }
}

#[test]
fn single_gene_masking_equals_naive_dense_masking() {
    let (n, p) = (9, 21);
    let net = tiny_network(p, &[10, 6], Activation::Tanh, true, 4, Activation::Softmax, 5);
    let z = inputs(n, p, 6);
    let genes: Vec<usize> = (0..p).collect();
    let options = MaskingOptions { block_rows: 30, n_threads: 2 };
    let out = masked_outputs(&net, &z, n, Masks::SingleFeatures(&genes), &options, &mut Silent).unwrap();
    let k = net.n_outputs();
    for g in 0..p {
        let (link, prob) = naive_masked(&net, &z, n, &[g]);
        assert_close(&out.link[g * n * k..(g + 1) * n * k], &link, 1e-5, "link");
        assert_close(&out.prob[g * n * k..(g + 1) * n * k], &prob, 1e-5, "prob");
    }
}

fn labels(n: usize, k: usize) -> Vec<usize> {
    (0..n).map(|i| (i * 7 + i / 3) % k).collect()
}

#[test]
fn multiclass_scores_are_one_vs_rest_and_micro_of_the_core_metrics() {
    let (n, p, k) = (24, 29, 3);
    let net = tiny_network(p, &[8], Activation::Tanh, false, k, Activation::Softmax, 8);
    let z = inputs(n, p, 9);
    let y = labels(n, k);
    let truth = Truth::from_labels(&y, k).unwrap();
    let sets = some_sets(p);
    let options = MaskingOptions::default();
    let result = gene_set_masking(&net, &z, n, &sets, &truth, None, &options, &mut Silent).unwrap();
    let out = masked_outputs(&net, &z, n, Masks::Sets(&sets), &options, &mut Silent).unwrap();
    for (m, r) in result.iter().enumerate() {
        assert_eq!(r.size, sets[m].len());
        if sets[m].is_empty() {
            assert!(r.scores.auc.iter().chain(&r.scores.ap).chain(&r.scores.pr_auc).all(|v| v.is_nan()));
            continue;
        }
        let prob: Vec<f64> = out.prob[m * n * k..(m + 1) * n * k].iter().map(|&v| v as f64).collect();
        for (metric, got) in [
            (BinaryMetric::RocAuc, &r.scores.auc),
            (BinaryMetric::AveragePrecision, &r.scores.ap),
            (BinaryMetric::PrAucTrapezoid, &r.scores.pr_auc),
        ] {
            let expected = metrics::multiclass(metric, &y, &prob, k).unwrap();
            assert_eq!(got.len(), k + 1);
            for c in 0..k {
                let t: Vec<bool> = y.iter().map(|&l| l == c).collect();
                let s: Vec<f64> = (0..n).map(|i| prob[i * k + c]).collect();
                assert_eq!(got[c], metric.compute(&t, &s).unwrap());
                assert_eq!(got[c], expected.per_class[c]);
            }
            assert_eq!(got[k], expected.micro);
        }
    }
}

#[test]
fn single_gene_scores_match_set_scores_of_size_one() {
    let (n, p) = (20, 12);
    let net = tiny_network(p, &[8, 4], Activation::Tanh, true, 1, Activation::Sigmoid, 10);
    let z = inputs(n, p, 11);
    let truth = Truth::new((0..n).map(|i| i % 3 == 0).collect(), n, 1).unwrap();
    let genes: Vec<usize> = (0..p).rev().collect();
    let options = MaskingOptions { block_rows: 50, n_threads: 1 };
    let single = single_gene_masking(&net, &z, n, &genes, &truth, &options, &mut Silent).unwrap();
    let sets: Vec<Vec<usize>> = genes.iter().map(|&g| vec![g]).collect();
    let as_sets = gene_set_masking(&net, &z, n, &sets, &truth, None, &options, &mut Silent).unwrap();
    for (a, b) in single.iter().zip(&as_sets) {
        assert_eq!(a.auc.len(), 1);
        assert!((a.auc[0] - b.scores.auc[0]).abs() < 1e-9 && (a.ap[0] - b.scores.ap[0]).abs() < 1e-9);
    }
}

#[test]
fn random_set_p_values_are_reproducible_and_reward_a_predictive_set() {
    let (n, p) = (40, 30);
    // a network that only looks at genes 0..3: those genes decide the prediction
    let mut net = tiny_network(p, &[6], Activation::Tanh, false, 1, Activation::Sigmoid, 12);
    let u = 6;
    for g in 3..p {
        net.layers_mut()[0].weight[g * u..(g + 1) * u].iter_mut().for_each(|w| *w = 0.0);
    }
    let z = inputs(n, p, 13);
    let full = net.forward(&z, n).unwrap();
    let median = {
        let mut v = full.prob.clone();
        v.sort_by(f32::total_cmp);
        v[n / 2]
    };
    let truth = Truth::new(full.prob.iter().map(|&v| v > median).collect(), n, 1).unwrap();
    let sets = vec![vec![0, 1, 2], vec![10, 11, 12], vec![0, 1, 2, 20, 21]];
    let random = Some(RandomSets { n_random: 99, seed: 3 });
    let options = MaskingOptions { block_rows: 100, n_threads: 2 };
    let a = gene_set_masking(&net, &z, n, &sets, &truth, random, &options, &mut Silent).unwrap();
    let b = gene_set_masking(&net, &z, n, &sets, &truth, random, &MaskingOptions { block_rows: 7, n_threads: 1 }, &mut Silent).unwrap();
    for (x, y) in a.iter().zip(&b) {
        assert_eq!(x.p_auc, y.p_auc);
        assert_eq!(x.p_ap, y.p_ap);
    }
    assert_eq!(a[0].scores.auc[0], 1.0);
    assert_eq!(a[0].p_auc.as_ref().unwrap()[0], 1.0 / 100.0);
    assert_eq!(a[1].scores.auc[0], 0.5); // no gene with a weight: constant prediction
    assert!(a[1].p_auc.as_ref().unwrap()[0] > 0.5);
    assert!(a[2].p_auc.as_ref().unwrap()[0] <= 0.05);
    for r in &a {
        let pv = r.p_auc.as_ref().unwrap()[0];
        assert!(pv > 0.0 && pv <= 1.0);
    }
}

#[test]
fn masking_stops_when_the_monitor_cancels_and_reports_progress() {
    let (n, p) = (10, 20);
    let net = tiny_network(p, &[8], Activation::Tanh, false, 1, Activation::Sigmoid, 14);
    let z = inputs(n, p, 15);
    let truth = Truth::new((0..n).map(|i| i % 2 == 0).collect(), n, 1).unwrap();
    let genes: Vec<usize> = (0..p).collect();
    let options = MaskingOptions { block_rows: 30, n_threads: 1 };
    let mut monitor = CancelAt::new(6);
    let r = single_gene_masking(&net, &z, n, &genes, &truth, &options, &mut monitor);
    assert_eq!(r, Err(InterpretError::Interrupted));
    assert_eq!(monitor.steps, vec![(3, 20), (6, 20)]);
}

#[test]
fn bad_inputs_are_named_errors() {
    let (n, p) = (6, 8);
    let net = tiny_network(p, &[4], Activation::Tanh, false, 1, Activation::Sigmoid, 16);
    let z = inputs(n, p, 17);
    let truth = Truth::new(vec![true, false, true, false, true, false], n, 1).unwrap();
    let o = MaskingOptions::default();
    let err = gene_set_masking(&net, &z, n, &[vec![8]], &truth, None, &o, &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`gene_sets`"), "{err}");
    let err = gene_set_masking(&net, &z[1..], n, &[vec![1]], &truth, None, &o, &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`x`"), "{err}");
    assert!(Truth::new(vec![true; n], n, 1).unwrap_err().to_string().starts_with("`y`"));
    let wrong_k = Truth::from_labels(&[0, 1, 2, 0, 1, 2], 3).unwrap();
    let err = gene_set_masking(&net, &z, n, &[vec![1]], &wrong_k, None, &o, &mut Silent).unwrap_err();
    assert!(err.to_string().starts_with("`y`"), "{err}");
}
