//! Scores of masked predictions against the truth, through `rg_core::metrics` (the package's one
//! implementation of ROC AUC, average precision and trapezoidal PR-AUC).

use crate::error::{InterpretError, Result};
use rg_core::metrics::{self, BinaryMetric};

/// The 0/1 truth of every sample for every network output (`n_samples × n_outputs`, row-major):
/// one column for a binary classifier (the positive class), one-hot rows for a multi-class
/// classifier, any 0/1 pattern for a multi-label one.
#[derive(Debug, Clone, PartialEq)]
pub struct Truth {
    values: Vec<bool>,
    n_samples: usize,
    n_outputs: usize,
}

impl Truth {
    pub fn new(values: Vec<bool>, n_samples: usize, n_outputs: usize) -> Result<Self> {
        if n_outputs == 0 || values.len() != n_samples * n_outputs {
            return Err(InterpretError::invalid(
                "y",
                format!("has {} values, expected {} samples x {} outputs", values.len(), n_samples, n_outputs),
            ));
        }
        let positives = values.iter().filter(|&&v| v).count();
        if positives == 0 || positives == values.len() {
            return Err(InterpretError::invalid("y", "must contain both positive and negative samples"));
        }
        Ok(Truth { values, n_samples, n_outputs })
    }

    /// Truth from class labels in `0..n_classes` (multi-class, one-hot).
    pub fn from_labels(labels: &[usize], n_classes: usize) -> Result<Self> {
        if let Some(i) = labels.iter().position(|&l| l >= n_classes) {
            return Err(InterpretError::invalid("y", format!("has a class outside 1..{n_classes} at position {}", i + 1)));
        }
        let values = labels.iter().flat_map(|&l| (0..n_classes).map(move |c| l == c)).collect();
        Truth::new(values, labels.len(), n_classes)
    }

    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    pub fn n_outputs(&self) -> usize {
        self.n_outputs
    }

    /// Number of score columns: one per output, plus the micro average when there are several.
    pub fn n_columns(&self) -> usize {
        if self.n_outputs > 1 { self.n_outputs + 1 } else { 1 }
    }
}

/// Scores of one prediction matrix: one value per output (one-vs-rest), followed by the micro
/// average (flattened one-hot truth vs flattened scores) when there are several outputs. NaN for
/// an output whose truth has a single class, and for a gene set with no gene in the model.
#[derive(Debug, Clone, PartialEq)]
pub struct Scores {
    /// ROC AUC.
    pub auc: Vec<f64>,
    /// Average precision (sklearn's `average_precision_score`).
    pub ap: Vec<f64>,
    /// Trapezoidal PR-AUC (the reference code's "AP").
    pub pr_auc: Vec<f64>,
}

impl Scores {
    pub fn missing(n_columns: usize) -> Self {
        Scores { auc: vec![f64::NAN; n_columns], ap: vec![f64::NAN; n_columns], pr_auc: vec![f64::NAN; n_columns] }
    }
}

/// Scores `prob` (`n_samples × n_outputs`, row-major) against `truth`.
pub fn score(truth: &Truth, prob: &[f32]) -> Result<Scores> {
    if prob.len() != truth.values.len() {
        return Err(InterpretError::invalid(
            "prob",
            format!("has {} values, expected {}", prob.len(), truth.values.len()),
        ));
    }
    let prob: Vec<f64> = prob.iter().map(|&p| p as f64).collect();
    let one = |metric: BinaryMetric| -> Result<Vec<f64>> {
        if truth.n_outputs == 1 {
            return Ok(vec![metric.compute(&truth.values, &prob)?]);
        }
        let m = metrics::multilabel(metric, &truth.values, &prob, truth.n_outputs)?;
        let mut columns = m.per_class;
        columns.push(m.micro);
        Ok(columns)
    };
    Ok(Scores {
        auc: one(BinaryMetric::RocAuc)?,
        ap: one(BinaryMetric::AveragePrecision)?,
        pr_auc: one(BinaryMetric::PrAucTrapezoid)?,
    })
}
