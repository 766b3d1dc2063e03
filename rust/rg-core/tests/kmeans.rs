//! Exact 1-D two-means against exhaustive searches computed directly.

use rg_core::kmeans::two_means_1d;
use rg_core::RngStream;

fn within_ss(groups: [&[f64]; 2]) -> f64 {
    groups
        .iter()
        .map(|g| {
            let m = g.iter().sum::<f64>() / g.len() as f64;
            g.iter().map(|v| (v - m).powi(2)).sum::<f64>()
        })
        .sum()
}

/// Minimum within-cluster SS over every partition into two non-empty sets (2^n − 2 of them).
fn all_partitions_optimum(x: &[f64]) -> f64 {
    let n = x.len();
    let mut best = f64::INFINITY;
    for mask in 1..(1u32 << n) - 1 {
        let (a, b): (Vec<f64>, Vec<f64>) = {
            let a = (0..n)
                .filter(|i| mask >> i & 1 == 1)
                .map(|i| x[i])
                .collect();
            let b = (0..n)
                .filter(|i| mask >> i & 1 == 0)
                .map(|i| x[i])
                .collect();
            (a, b)
        };
        best = best.min(within_ss([&a, &b]));
    }
    best
}

#[test]
fn equals_the_optimum_over_all_partitions() {
    let mut rng = RngStream::new(11, 0);
    for trial in 0..200 {
        let n = 2 + trial % 11;
        // rounding creates ties
        let x: Vec<f64> = (0..n)
            .map(|_| (rng.normal() * 4.0).round() / 2.0 + (trial % 3) as f64 * 100.0)
            .collect();
        if x.iter().all(|&v| v == x[0]) {
            continue;
        }
        let fit = two_means_1d(&x).unwrap();
        let optimum = all_partitions_optimum(&x);
        assert!(
            (fit.within_ss - optimum).abs() <= 1e-9 * (1.0 + optimum),
            "{x:?}: {} vs {optimum}",
            fit.within_ss
        );
        // the cut reproduces the optimal partition
        let high: Vec<f64> = x.iter().copied().filter(|&v| v > fit.cut).collect();
        let low: Vec<f64> = x.iter().copied().filter(|&v| v <= fit.cut).collect();
        assert_eq!((low.len(), high.len()), (fit.n_low, fit.n_high));
        assert!((within_ss([&low, &high]) - optimum).abs() <= 1e-9 * (1.0 + optimum));
    }
}

#[test]
fn equals_a_direct_scan_of_split_points_on_larger_skewed_data() {
    let mut rng = RngStream::new(5, 1);
    for _ in 0..20 {
        let n = 500;
        let mut x: Vec<f64> = (0..n).map(|_| (rng.normal() * 0.8).exp() * 1e4).collect();
        let fit = two_means_1d(&x).unwrap();
        x.sort_by(f64::total_cmp);
        let direct = (1..n)
            .filter(|&k| x[k - 1] < x[k])
            .map(|k| within_ss([&x[..k], &x[k..]]))
            .fold(f64::INFINITY, f64::min);
        assert!((fit.within_ss - direct).abs() <= 1e-9 * direct);
        assert!(fit.low_mean < fit.cut && fit.cut < fit.high_mean);
        let expected_total: f64 = {
            let m = x.iter().sum::<f64>() / n as f64;
            x.iter().map(|v| (v - m).powi(2)).sum()
        };
        assert!((fit.total_ss - expected_total).abs() <= 1e-9 * expected_total);
    }
}

#[test]
fn order_of_input_does_not_matter() {
    let x = [5.0, -1.0, 3.5, 9.0, 0.0, 8.5, 4.0];
    let mut y = x;
    y.reverse();
    assert_eq!(two_means_1d(&x).unwrap(), two_means_1d(&y).unwrap());
}
