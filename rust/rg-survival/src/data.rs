//! A validated right-censored outcome: times, 0/1 status, optional case weights and strata.
//!
//! Times are passed through survival's `aeqSurv()` ("timefix"): times closer than
//! `sqrt(.Machine$double.eps)` (absolutely, or relative to the mean absolute time) are made equal,
//! exactly as `coxph()`, `survfit()` and `survdiff()` do before fitting.

use crate::error::{row_list, SurvivalError};

/// The tolerance of `aeqSurv()`: `sqrt(.Machine$double.eps)`.
pub const TIMEFIX_TOLERANCE: f64 = 1.490_116_119_384_765_6e-8;

#[derive(Debug, Clone, PartialEq)]
pub struct SurvData {
    /// Follow-up times (after the time fix).
    pub time: Vec<f64>,
    /// The times as given (a subset is time-fixed again, as survival would on that subset).
    pub input_time: Vec<f64>,
    /// `true` for an event, `false` for a censored time.
    pub status: Vec<bool>,
    /// Case weights (all 1 when absent).
    pub weights: Vec<f64>,
    /// Whether any weight differs from 1.
    pub weighted: bool,
    /// Stratum codes (0-based, e.g. a factor's integer codes minus 1); all 0 when absent.
    pub strata: Vec<usize>,
}

impl SurvData {
    /// Validates and copies the outcome. `status` must be 0/1 (the R side maps 1/2 and logical
    /// codings); `weights` must be positive and finite.
    pub fn new(
        time: &[f64],
        status: &[f64],
        weights: Option<&[f64]>,
        strata: Option<&[usize]>,
    ) -> Result<Self, SurvivalError> {
        let n = time.len();
        check_length("status", status.len(), n)?;
        let bad_time: Vec<usize> = (0..n).filter(|&i| !time[i].is_finite()).collect();
        if !bad_time.is_empty() {
            return Err(SurvivalError::NonFinite { arg: "time".into(), count: bad_time.len(), rows: row_list(&bad_time) });
        }
        let negative: Vec<usize> = (0..n).filter(|&i| time[i] < 0.0).collect();
        if !negative.is_empty() {
            return Err(SurvivalError::NegativeTime { arg: "time".into(), count: negative.len(), rows: row_list(&negative) });
        }
        let bad_status: Vec<usize> = (0..n).filter(|&i| status[i] != 0.0 && status[i] != 1.0).collect();
        if !bad_status.is_empty() {
            return Err(SurvivalError::InvalidStatus { arg: "status".into(), count: bad_status.len(), rows: row_list(&bad_status) });
        }
        let weights = match weights {
            Some(w) => {
                check_length("weights", w.len(), n)?;
                let bad: Vec<usize> = (0..n).filter(|&i| !(w[i].is_finite() && w[i] > 0.0)).collect();
                if !bad.is_empty() {
                    return Err(SurvivalError::InvalidWeights { arg: "weights".into(), count: bad.len(), rows: row_list(&bad) });
                }
                w.to_vec()
            }
            None => vec![1.0; n],
        };
        let strata = match strata {
            Some(s) => {
                check_length("strata", s.len(), n)?;
                s.to_vec()
            }
            None => vec![0; n],
        };
        Ok(SurvData {
            time: aeq_times(time),
            input_time: time.to_vec(),
            status: status.iter().map(|&s| s == 1.0).collect(),
            weighted: weights.iter().any(|&w| w != 1.0),
            weights,
            strata,
        })
    }

    pub fn len(&self) -> usize {
        self.time.len()
    }

    pub fn is_empty(&self) -> bool {
        self.time.is_empty()
    }

    /// Number of events (unweighted, as `coxph()$nevent`).
    pub fn n_events(&self) -> usize {
        self.status.iter().filter(|&&s| s).count()
    }

    pub fn has_strata(&self) -> bool {
        self.strata.iter().any(|&s| s != self.strata[0])
    }

    /// The rows selected by `keep`, in order, time-fixed afresh.
    pub fn subset(&self, keep: &[usize]) -> SurvData {
        let input_time: Vec<f64> = keep.iter().map(|&i| self.input_time[i]).collect();
        SurvData {
            time: aeq_times(&input_time),
            input_time,
            status: keep.iter().map(|&i| self.status[i]).collect(),
            weights: keep.iter().map(|&i| self.weights[i]).collect(),
            weighted: self.weighted,
            strata: keep.iter().map(|&i| self.strata[i]).collect(),
        }
    }

    /// Row indices sorted by (stratum, time), stably: R's `order(strata, time)`.
    pub fn order_by_stratum_time(&self) -> Vec<usize> {
        let mut order: Vec<usize> = (0..self.len()).collect();
        order.sort_by(|&a, &b| self.strata[a].cmp(&self.strata[b]).then(self.time[a].total_cmp(&self.time[b])));
        order
    }
}

pub(crate) fn check_length(arg: &str, got: usize, expected: usize) -> Result<(), SurvivalError> {
    if got != expected {
        return Err(SurvivalError::LengthMismatch { arg: arg.into(), got, expected });
    }
    Ok(())
}

/// survival's `aeqSurv()` for right-censored times: near-equal times are replaced by the
/// smallest member of their run of near-ties.
pub fn aeq_times(time: &[f64]) -> Vec<f64> {
    let mut unique: Vec<f64> = time.iter().copied().filter(|t| t.is_finite()).collect();
    unique.sort_by(f64::total_cmp);
    unique.dedup();
    if unique.len() < 2 {
        return time.to_vec();
    }
    let mean_abs = unique.iter().map(|t| t.abs()).sum::<f64>() / unique.len() as f64;
    // cut[k] is the value that unique[k] is mapped to
    let mut cut = unique.clone();
    let mut any_tied = false;
    for k in 1..unique.len() {
        let gap = unique[k] - unique[k - 1];
        if gap <= TIMEFIX_TOLERANCE || gap / mean_abs <= TIMEFIX_TOLERANCE {
            cut[k] = cut[k - 1];
            any_tied = true;
        }
    }
    if !any_tied {
        return time.to_vec();
    }
    time.iter()
        .map(|t| match unique.binary_search_by(|u| u.total_cmp(t)) {
            Ok(k) => cut[k],
            Err(_) => *t,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn timefix_merges_near_ties_only() {
        let t = [1.0, 1.0 + 1e-12, 2.0, 3.0];
        assert_eq!(aeq_times(&t), vec![1.0, 1.0, 2.0, 3.0]);
        let t = [1.0, 1.001, 2.0];
        assert_eq!(aeq_times(&t), t.to_vec());
    }

    #[test]
    fn validation_names_rows() {
        let e = SurvData::new(&[1.0, -2.0, 3.0], &[1.0, 0.0, 1.0], None, None).unwrap_err();
        assert_eq!(e.to_string(), "`time` has 1 negative value(s) (rows 2); survival times must be >= 0");
        let e = SurvData::new(&[1.0, 2.0, 3.0], &[1.0, 2.0, 1.0], None, None).unwrap_err();
        assert!(matches!(e, SurvivalError::InvalidStatus { count: 1, .. }));
        let e = SurvData::new(&[1.0, f64::NAN], &[1.0, 0.0], None, None).unwrap_err();
        assert!(matches!(e, SurvivalError::NonFinite { .. }));
        let e = SurvData::new(&[1.0, 2.0], &[1.0, 0.0], Some(&[1.0, 0.0]), None).unwrap_err();
        assert!(matches!(e, SurvivalError::InvalidWeights { .. }));
    }
}
