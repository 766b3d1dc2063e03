//! Prediction metrics, the one implementation used by training monitors, cross-validation,
//! masking and evaluation.
//!
//! - [`roc_auc`]: exact ROC AUC (Mann–Whitney probability, ties counted ½) = sklearn's
//!   `roc_auc_score` = pROC's `auc`.
//! - [`average_precision`]: sklearn's `average_precision_score`, Σ (Rₖ − Rₖ₋₁) Pₖ over distinct
//!   thresholds, no interpolation.
//! - [`pr_auc_trapezoid`]: the reference code's "AP" (METHOD.md §12): trapezoid over the PR curve
//!   up to full recall, with the point (recall 0, precision 1) appended.
//! - multi-class: one-vs-rest per class, micro (flattened one-hot) and macro (mean over classes).
//! - regression: R² (per output, and the Keras batch-pooled version), MAE, MAPE.

use crate::error::CoreError;

/// Checks lengths and values, counts positives.
fn check_binary(truth: &[bool], score: &[f64]) -> Result<usize, CoreError> {
    if truth.len() != score.len() {
        return Err(CoreError::invalid(
            "score",
            format!("has length {} but `truth` has length {}", score.len(), truth.len()),
        ));
    }
    if let Some(i) = score.iter().position(|s| !s.is_finite()) {
        return Err(CoreError::invalid("score", format!("is not finite at position {}", i + 1)));
    }
    let positives = truth.iter().filter(|&&t| t).count();
    if positives == 0 || positives == truth.len() {
        return Err(CoreError::invalid(
            "truth",
            "must contain both classes (positives and negatives)".to_string(),
        ));
    }
    Ok(positives)
}

/// Indices sorted by decreasing score (stable, so equal scores keep input order).
fn order_decreasing(score: &[f64]) -> Vec<usize> {
    let mut idx: Vec<usize> = (0..score.len()).collect();
    idx.sort_by(|&a, &b| score[b].total_cmp(&score[a]));
    idx
}

/// Cumulative (true positives, false positives) at each distinct threshold, highest first.
fn threshold_counts(truth: &[bool], score: &[f64]) -> Vec<(f64, f64)> {
    let order = order_decreasing(score);
    let mut out = Vec::new();
    let (mut tp, mut fp) = (0.0, 0.0);
    for (k, &i) in order.iter().enumerate() {
        if truth[i] {
            tp += 1.0;
        } else {
            fp += 1.0;
        }
        let last_of_tie = k + 1 == order.len() || score[order[k + 1]] != score[i];
        if last_of_tie {
            out.push((tp, fp));
        }
    }
    out
}

/// Exact ROC AUC; ties between a positive and a negative count ½.
pub fn roc_auc(truth: &[bool], score: &[f64]) -> Result<f64, CoreError> {
    let n_pos = check_binary(truth, score)? as f64;
    let n_neg = truth.len() as f64 - n_pos;
    // Mann–Whitney: sum of positive mid-ranks (ascending).
    let mut order: Vec<usize> = (0..score.len()).collect();
    order.sort_by(|&a, &b| score[a].total_cmp(&score[b]));
    let mut rank_sum = 0.0;
    let mut k = 0;
    while k < order.len() {
        let mut end = k + 1;
        while end < order.len() && score[order[end]] == score[order[k]] {
            end += 1;
        }
        let mid_rank = (k + 1 + end) as f64 / 2.0;
        rank_sum += order[k..end].iter().filter(|&&i| truth[i]).count() as f64 * mid_rank;
        k = end;
    }
    Ok((rank_sum - n_pos * (n_pos + 1.0) / 2.0) / (n_pos * n_neg))
}

/// sklearn's `average_precision_score`.
pub fn average_precision(truth: &[bool], score: &[f64]) -> Result<f64, CoreError> {
    let n_pos = check_binary(truth, score)? as f64;
    let mut ap = 0.0;
    let mut previous_recall = 0.0;
    for (tp, fp) in threshold_counts(truth, score) {
        let recall = tp / n_pos;
        ap += (recall - previous_recall) * tp / (tp + fp);
        previous_recall = recall;
    }
    Ok(ap)
}

/// The reference code's trapezoidal PR-AUC (`auc(recall, precision)`), METHOD.md §12.
pub fn pr_auc_trapezoid(truth: &[bool], score: &[f64]) -> Result<f64, CoreError> {
    let n_pos = check_binary(truth, score)? as f64;
    let mut area = 0.0;
    let (mut previous_recall, mut previous_precision) = (0.0, 1.0);
    for (tp, fp) in threshold_counts(truth, score) {
        let recall = tp / n_pos;
        let precision = tp / (tp + fp);
        area += (recall - previous_recall) * (precision + previous_precision) / 2.0;
        (previous_recall, previous_precision) = (recall, precision);
        if tp == n_pos {
            break;
        }
    }
    Ok(area)
}

/// Which binary metric to compute.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryMetric {
    RocAuc,
    AveragePrecision,
    PrAucTrapezoid,
}

impl BinaryMetric {
    pub fn compute(self, truth: &[bool], score: &[f64]) -> Result<f64, CoreError> {
        match self {
            BinaryMetric::RocAuc => roc_auc(truth, score),
            BinaryMetric::AveragePrecision => average_precision(truth, score),
            BinaryMetric::PrAucTrapezoid => pr_auc_trapezoid(truth, score),
        }
    }
}

/// Scores of a multi-class (or multi-label) prediction.
#[derive(Debug, Clone, PartialEq)]
pub struct MulticlassScores {
    /// One-vs-rest value per class; NaN for a class absent from (or filling) `truth`.
    pub per_class: Vec<f64>,
    /// Flattened one-hot truth vs flattened scores.
    pub micro: f64,
    /// Mean of the defined per-class values.
    pub macro_average: f64,
}

/// One-vs-rest, micro and macro scores. `labels[i]` is sample i's class in `0..n_classes`;
/// `scores` is samples × classes, row-major (sample i's scores at `i*n_classes..`).
pub fn multiclass(
    metric: BinaryMetric,
    labels: &[usize],
    scores: &[f64],
    n_classes: usize,
) -> Result<MulticlassScores, CoreError> {
    let truth_matrix: Vec<bool> =
        labels.iter().flat_map(|&l| (0..n_classes).map(move |c| l == c)).collect();
    if let Some(i) = labels.iter().position(|&l| l >= n_classes) {
        return Err(CoreError::invalid("truth", format!("has a class outside 1..{n_classes} at position {}", i + 1)));
    }
    multilabel(metric, &truth_matrix, scores, n_classes)
}

/// As [`multiclass`], for a samples × outputs 0/1 truth matrix (row-major).
pub fn multilabel(
    metric: BinaryMetric,
    truth: &[bool],
    scores: &[f64],
    n_outputs: usize,
) -> Result<MulticlassScores, CoreError> {
    if n_outputs == 0 || truth.len() != scores.len() || truth.len() % n_outputs != 0 {
        return Err(CoreError::invalid(
            "score",
            format!("has {} values, expected {} (samples x {} outputs)", scores.len(), truth.len(), n_outputs),
        ));
    }
    let n = truth.len() / n_outputs;
    let per_class: Vec<f64> = (0..n_outputs)
        .map(|c| {
            let t: Vec<bool> = (0..n).map(|i| truth[i * n_outputs + c]).collect();
            let s: Vec<f64> = (0..n).map(|i| scores[i * n_outputs + c]).collect();
            metric.compute(&t, &s).unwrap_or(f64::NAN)
        })
        .collect();
    let micro = metric.compute(truth, scores)?;
    let defined: Vec<f64> = per_class.iter().copied().filter(|v| !v.is_nan()).collect();
    let macro_average =
        if defined.is_empty() { f64::NAN } else { defined.iter().sum::<f64>() / defined.len() as f64 };
    Ok(MulticlassScores { per_class, micro, macro_average })
}

fn check_regression(truth: &[f64], pred: &[f64]) -> Result<(), CoreError> {
    if truth.len() != pred.len() || truth.is_empty() {
        return Err(CoreError::invalid(
            "prediction",
            format!("has length {} but `truth` has length {}", pred.len(), truth.len()),
        ));
    }
    Ok(())
}

/// sklearn's `r2_score` for one output: 1 − SS_res/SS_tot; if SS_tot = 0, 1 when SS_res = 0 else 0.
pub fn r_squared(truth: &[f64], pred: &[f64]) -> Result<f64, CoreError> {
    check_regression(truth, pred)?;
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let ss_res: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p).powi(2)).sum();
    let ss_tot: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    Ok(if ss_tot == 0.0 {
        if ss_res == 0.0 { 1.0 } else { 0.0 }
    } else {
        1.0 - ss_res / ss_tot
    })
}

/// Keras' batch-pooled R² (METHOD.md §4): all elements pooled, 1e-7 added to SS_tot.
pub fn r_squared_pooled(truth: &[f64], pred: &[f64]) -> Result<f64, CoreError> {
    check_regression(truth, pred)?;
    let mean = truth.iter().sum::<f64>() / truth.len() as f64;
    let ss_res: f64 = truth.iter().zip(pred).map(|(t, p)| (t - p).powi(2)).sum();
    let ss_tot: f64 = truth.iter().map(|t| (t - mean).powi(2)).sum();
    Ok(1.0 - ss_res / (ss_tot + 1e-7))
}

/// Mean absolute error.
pub fn mae(truth: &[f64], pred: &[f64]) -> Result<f64, CoreError> {
    check_regression(truth, pred)?;
    Ok(truth.iter().zip(pred).map(|(t, p)| (t - p).abs()).sum::<f64>() / truth.len() as f64)
}

/// Mean absolute percentage error, 100·mean(|y − ŷ| / |y|) (infinite when some y is 0).
pub fn mape(truth: &[f64], pred: &[f64]) -> Result<f64, CoreError> {
    check_regression(truth, pred)?;
    Ok(100.0 * truth.iter().zip(pred).map(|(t, p)| ((t - p) / t).abs()).sum::<f64>() / truth.len() as f64)
}
