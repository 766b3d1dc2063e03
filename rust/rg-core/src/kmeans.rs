//! Exact two-cluster k-means in one dimension, used to binarize continuous imaging features.
//!
//! In 1-D the optimal 2-means partition splits the sorted values into a lower and an upper run,
//! so scanning every split point between distinct values finds the global optimum (minimum
//! within-cluster sum of squares) deterministically — no random restarts. Minimising the
//! within-cluster sum of squares equals maximising the between-cluster sum of squares
//! `n_L n_R / n · (mean_L − mean_R)²`, which is computed from prefix sums of centred values
//! without subtracting large squares.
//!
//! The stored boundary is the midpoint of the two cluster means (nearest-centroid assignment, as
//! `kmeans` prediction does); at the global optimum no value lies on it, so `x > cut` reproduces
//! the training partition and binarizes new cohorts by the same rule.

use crate::error::CoreError;

/// The optimal two-cluster partition of a set of values.
#[derive(Debug, Clone, PartialEq)]
pub struct TwoMeans {
    /// Boundary: values `> cut` are in the high cluster.
    pub cut: f64,
    pub low_mean: f64,
    pub high_mean: f64,
    pub n_low: usize,
    pub n_high: usize,
    /// Total within-cluster sum of squares at the optimum.
    pub within_ss: f64,
    /// Total sum of squares around the overall mean.
    pub total_ss: f64,
}

/// The exact optimum of 2-means on `values`. Among equally good splits the lowest is taken.
pub fn two_means_1d(values: &[f64]) -> Result<TwoMeans, CoreError> {
    if let Some(i) = values.iter().position(|v| !v.is_finite()) {
        return Err(CoreError::invalid(
            "values",
            format!("is not finite at position {}", i + 1),
        ));
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let n = sorted.len();
    if n < 2 || sorted[0] == sorted[n - 1] {
        return Err(CoreError::invalid(
            "values",
            "has fewer than two distinct values",
        ));
    }
    let n_left = best_split(&sorted);
    let (low, high) = sorted.split_at(n_left);
    let low_mean = mean(low);
    let high_mean = mean(high);
    let cut = low_mean + (high_mean - low_mean) / 2.0;
    let n_high = values.iter().filter(|&&v| v > cut).count();
    Ok(TwoMeans {
        cut,
        low_mean,
        high_mean,
        n_low: n - n_high,
        n_high,
        within_ss: sum_of_squares(low, low_mean) + sum_of_squares(high, high_mean),
        total_ss: sum_of_squares(&sorted, mean(&sorted)),
    })
}

/// Number of values in the lower cluster of the best split of sorted, non-constant values.
fn best_split(sorted: &[f64]) -> usize {
    let n = sorted.len();
    let centre = mean(sorted);
    let total: f64 = sorted.iter().map(|v| v - centre).sum();
    let mut prefix = 0.0;
    let (mut best, mut best_between) = (0, f64::NEG_INFINITY);
    for k in 1..n {
        prefix += sorted[k - 1] - centre;
        if sorted[k - 1] == sorted[k] {
            continue; // never split equal values
        }
        let (n_l, n_r) = (k as f64, (n - k) as f64);
        let gap = prefix / n_l - (total - prefix) / n_r;
        let between = n_l * n_r / n as f64 * gap * gap;
        if between > best_between {
            (best, best_between) = (k, between);
        }
    }
    best
}

fn mean(x: &[f64]) -> f64 {
    x.iter().sum::<f64>() / x.len() as f64
}

fn sum_of_squares(x: &[f64], centre: f64) -> f64 {
    x.iter().map(|v| (v - centre) * (v - centre)).sum()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_split() {
        // {1,2,3} vs {10,11,12}: means 2 and 11, cut 6.5, within SS 2 + 2
        let fit = two_means_1d(&[10.0, 1.0, 12.0, 3.0, 2.0, 11.0]).unwrap();
        assert_eq!((fit.n_low, fit.n_high), (3, 3));
        assert!((fit.cut - 6.5).abs() < 1e-12);
        assert!((fit.within_ss - 4.0).abs() < 1e-12);
    }

    #[test]
    fn constant_and_non_finite_values_are_errors() {
        assert!(two_means_1d(&[2.0, 2.0, 2.0]).is_err());
        assert!(two_means_1d(&[1.0]).is_err());
        assert!(two_means_1d(&[]).is_err());
        assert!(two_means_1d(&[1.0, f64::NAN, 3.0]).is_err());
    }
}
