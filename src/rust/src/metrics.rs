//! Metrics: `roc_auc()`, `average_precision()`, `pr_auc()` and their multi-class forms.

use crate::conditions::to_robj;
use crate::convert::{doubles, logicals};
use extendr_api::prelude::*;
use rg_core::metrics::{self, BinaryMetric};

fn metric_named(name: &str) -> BinaryMetric {
    match name {
        "ap" => BinaryMetric::AveragePrecision,
        "pr_auc" => BinaryMetric::PrAucTrapezoid,
        _ => BinaryMetric::RocAuc,
    }
}

/// R's column-major samples × outputs matrix as row-major (sample after sample).
fn to_row_major<T: Copy>(column_major: &[T], n_outputs: usize) -> Vec<T> {
    let n = column_major.len() / n_outputs;
    (0..n).flat_map(|i| (0..n_outputs).map(move |c| column_major[c * n + i])).collect()
}

/// Binary metric of `score` against logical `truth`.
#[extendr]
fn rg_binary_metric(metric: &str, truth: Robj, score: Robj) -> Robj {
    to_robj(metric_named(metric).compute(&logicals(&truth), &doubles(&score)))
}

/// Multi-label form: `truth` and `score` are samples × outputs matrices (column-major in R).
/// Returns list(per_class, micro, macro).
#[extendr]
fn rg_multilabel_metric(metric: &str, truth: Robj, score: Robj, n_outputs: i32) -> Robj {
    let k = n_outputs.max(1) as usize;
    let truth = to_row_major(&logicals(&truth), k);
    let score = to_row_major(&doubles(&score), k);
    to_robj(metrics::multilabel(metric_named(metric), &truth, &score, k).map(|m| {
        list!(per_class = m.per_class, micro = m.micro, macro_average = m.macro_average)
    }))
}

/// Regression metric of one output: "r2" (sklearn), "r2_pooled" (Keras), "mae", "mape".
#[extendr]
fn rg_regression_metric(metric: &str, truth: Robj, prediction: Robj) -> Robj {
    let (truth, prediction) = (doubles(&truth), doubles(&prediction));
    let f = match metric {
        "r2_pooled" => metrics::r_squared_pooled,
        "mae" => metrics::mae,
        "mape" => metrics::mape,
        _ => metrics::r_squared,
    };
    to_robj(f(&truth, &prediction))
}

extendr_module! {
    mod metrics;
    fn rg_binary_metric;
    fn rg_multilabel_metric;
    fn rg_regression_metric;
}
