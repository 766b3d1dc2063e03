//! Metrics against hand-computed cases and sklearn's documented examples.

use rg_core::metrics::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() < 1e-12
}

#[test]
fn auc_of_sklearn_docs_example() {
    // roc_auc_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.75
    let t = [false, false, true, true];
    assert!(close(roc_auc(&t, &[0.1, 0.4, 0.35, 0.8]).unwrap(), 0.75));
}

#[test]
fn auc_counts_ties_half() {
    // one positive tied with one of two negatives: pairs (p,n1) tie ½, (p,n2) win 1 → 0.75
    let t = [true, false, false];
    assert!(close(roc_auc(&t, &[0.5, 0.5, 0.1]).unwrap(), 0.75));
    // all tied → 0.5
    assert!(close(roc_auc(&[true, false, true, false], &[1.0; 4]).unwrap(), 0.5));
}

#[test]
fn average_precision_of_sklearn_docs_example() {
    // average_precision_score([0, 0, 1, 1], [0.1, 0.4, 0.35, 0.8]) == 0.8333...
    let t = [false, false, true, true];
    assert!(close(average_precision(&t, &[0.1, 0.4, 0.35, 0.8]).unwrap(), 5.0 / 6.0));
}

#[test]
fn average_precision_with_ties_uses_one_threshold() {
    // scores [0.9, 0.5, 0.5, 0.1], truth [1, 1, 0, 1]: thresholds 0.9 (P=1, R=1/3),
    // 0.5 (P=2/3, R=2/3), 0.1 (P=3/4, R=1) → 1/3·1 + 1/3·2/3 + 1/3·3/4
    let t = [true, true, false, true];
    let expected = (1.0 + 2.0 / 3.0 + 0.75) / 3.0;
    assert!(close(average_precision(&t, &[0.9, 0.5, 0.5, 0.1]).unwrap(), expected));
}

#[test]
fn trapezoid_pr_auc_by_hand() {
    // truth [0, 0, 1, 1], scores [0.1, 0.4, 0.35, 0.8]:
    // thresholds 0.8 (R .5, P 1), 0.4 (R .5, P .5), 0.35 (R 1, P 2/3) – stop at full recall.
    // points from (0,1): (.5,1) area .5; (.5,.5) area 0; (1, 2/3) area .5·(.5+2/3)/2
    let t = [false, false, true, true];
    let expected = 0.5 + 0.5 * (0.5 + 2.0 / 3.0) / 2.0;
    assert!(close(pr_auc_trapezoid(&t, &[0.1, 0.4, 0.35, 0.8]).unwrap(), expected));
}

#[test]
fn perfect_and_reversed_scores() {
    let t = [true, true, false, false];
    let s = [4.0, 3.0, 2.0, 1.0];
    assert!(close(roc_auc(&t, &s).unwrap(), 1.0));
    assert!(close(average_precision(&t, &s).unwrap(), 1.0));
    assert!(close(pr_auc_trapezoid(&t, &s).unwrap(), 1.0));
    let r = [1.0, 2.0, 3.0, 4.0];
    assert!(close(roc_auc(&t, &r).unwrap(), 0.0));
}

#[test]
fn bad_inputs_are_errors_naming_the_argument() {
    let e = roc_auc(&[true, false], &[0.1]).unwrap_err();
    assert!(e.to_string().contains("`score`"), "{e}");
    let e = roc_auc(&[true, true], &[0.1, 0.2]).unwrap_err();
    assert!(e.to_string().contains("`truth`"), "{e}");
    let e = average_precision(&[true, false], &[f64::NAN, 0.2]).unwrap_err();
    assert!(e.to_string().contains("not finite"), "{e}");
}

#[test]
fn multiclass_micro_is_flattened_binary() {
    let labels = [0, 1, 2, 1, 0, 2];
    let scores = [
        0.7, 0.2, 0.1, //
        0.3, 0.4, 0.3, //
        0.2, 0.2, 0.6, //
        0.5, 0.3, 0.2, //
        0.6, 0.1, 0.3, //
        0.1, 0.5, 0.4,
    ];
    let m = multiclass(BinaryMetric::RocAuc, &labels, &scores, 3).unwrap();
    let flat_truth: Vec<bool> = labels.iter().flat_map(|&l| (0..3).map(move |c| c == l)).collect();
    assert!(close(m.micro, roc_auc(&flat_truth, &scores).unwrap()));
    let class0: Vec<f64> = (0..6).map(|i| scores[i * 3]).collect();
    let t0: Vec<bool> = labels.iter().map(|&l| l == 0).collect();
    assert!(close(m.per_class[0], roc_auc(&t0, &class0).unwrap()));
    assert!(close(m.macro_average, m.per_class.iter().sum::<f64>() / 3.0));
}

#[test]
fn regression_metrics() {
    let y = [3.0, -0.5, 2.0, 7.0];
    let p = [2.5, 0.0, 2.0, 8.0];
    // sklearn docs: r2_score = 0.9486081370449679, mean_absolute_error = 0.5
    assert!((r_squared(&y, &p).unwrap() - 0.9486081370449679).abs() < 1e-12);
    assert!(close(mae(&y, &p).unwrap(), 0.5));
    let expected_mape = 100.0 * (0.5 / 3.0 + 0.5 / 0.5 + 0.0 + 1.0 / 7.0) / 4.0;
    assert!(close(mape(&y, &p).unwrap(), expected_mape));
    assert!(close(r_squared(&[1.0, 1.0], &[1.0, 1.0]).unwrap(), 1.0));
    assert!(close(r_squared(&[1.0, 1.0], &[1.0, 2.0]).unwrap(), 0.0));
}
