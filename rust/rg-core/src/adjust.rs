//! Multiple-testing adjustment, as R's `p.adjust`. NaN p-values stay NaN and do not count in `n`.

/// Benjamini–Hochberg (`p.adjust(p, "BH")`).
pub fn benjamini_hochberg(p: &[f64]) -> Vec<f64> {
    let mut order: Vec<usize> = (0..p.len()).filter(|&i| !p[i].is_nan()).collect();
    let n = order.len();
    let mut out = vec![f64::NAN; p.len()];
    // decreasing p; ties keep a stable order, which does not change the adjusted values
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut running = f64::INFINITY;
    for (rank_from_top, &i) in order.iter().enumerate() {
        let rank = n - rank_from_top; // 1-based rank in increasing order
        running = running.min(p[i] * n as f64 / rank as f64);
        out[i] = running.min(1.0);
    }
    out
}

/// Bonferroni (`p.adjust(p, "bonferroni")`).
pub fn bonferroni(p: &[f64]) -> Vec<f64> {
    let n = p.iter().filter(|x| !x.is_nan()).count() as f64;
    p.iter().map(|&x| if x.is_nan() { x } else { (x * n).min(1.0) }).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bh_matches_r() {
        // p.adjust(c(0.01, 0.04, 0.03, 0.2, NA, 0.04), "BH")
        let p = [0.01, 0.04, 0.03, 0.2, f64::NAN, 0.04];
        let expected = [0.05, 0.05, 0.05, 0.2, f64::NAN, 0.05];
        let got = benjamini_hochberg(&p);
        for (g, e) in got.iter().zip(expected) {
            assert!((g.is_nan() && e.is_nan()) || (g - e).abs() < 1e-15, "{got:?}");
        }
    }

    #[test]
    fn bonferroni_caps_at_one() {
        assert_eq!(bonferroni(&[0.1, 0.5, 0.01]), vec![0.30000000000000004, 1.0, 0.03]);
    }
}
