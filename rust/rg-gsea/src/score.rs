//! The enrichment score of one set, exactly as fgsea's `calcGseaStat` (Subramanian et al. 2005).
//!
//! `weights` are a ranking's |stat|^gsea_param in ranking order; `positions` the set's 0-based
//! positions in that ranking, strictly increasing. With N genes, k in the set and
//! NR = Σ weights over the set, the running sum after the i-th set gene is
//! `top_i = cumsum_i / NR - (genes not in the set before it) / (N - k)` and just before it
//! `bottom_i = top_i - w_i / NR`. ES is the larger in magnitude of max(top) and min(bottom)
//! (0 when they are equal). A set whose weights are all zero counts every gene equally.

/// Running-sum extremes at each set gene.
#[derive(Debug, Clone, PartialEq)]
pub struct RunningSum {
    pub tops: Vec<f64>,
    pub bottoms: Vec<f64>,
}

/// An enrichment score with its leading edge.
#[derive(Debug, Clone, PartialEq)]
pub struct Enrichment {
    pub es: f64,
    /// Leading-edge positions, in fgsea's order: for ES > 0 the set genes up to the peak (top
    /// first), for ES < 0 those from the trough to the bottom (bottom first); empty for ES = 0.
    pub leading_edge: Vec<u32>,
}

/// The running sum at every set gene (fgsea's `tops` / `bottoms`).
pub fn running_sum(weights: &[f64], positions: &[u32]) -> RunningSum {
    let n = weights.len();
    let k = positions.len();
    let nr: f64 = positions.iter().map(|&p| weights[p as usize]).sum();
    let miss = (n - k) as f64;
    let mut tops = Vec::with_capacity(k);
    let mut bottoms = Vec::with_capacity(k);
    let mut cumulative = 0.0;
    for (j, &p) in positions.iter().enumerate() {
        let misses_before = (p as usize - j) as f64;
        let (cum, step) = if nr == 0.0 {
            ((j + 1) as f64 / k as f64, 1.0 / k as f64)
        } else {
            let w = weights[p as usize];
            cumulative += w;
            (cumulative / nr, w / nr)
        };
        let top = cum - misses_before / miss;
        tops.push(top);
        bottoms.push(top - step);
    }
    RunningSum { tops, bottoms }
}

/// The enrichment score alone.
pub fn enrichment_score(weights: &[f64], positions: &[u32]) -> f64 {
    enrichment(weights, positions).es
}

/// Enrichment score and leading edge.
pub fn enrichment(weights: &[f64], positions: &[u32]) -> Enrichment {
    if positions.is_empty() {
        return Enrichment { es: 0.0, leading_edge: Vec::new() };
    }
    let curve = running_sum(weights, positions);
    // first maximum / first minimum, as R's which.max / which.min
    let (mut peak, mut trough) = (0, 0);
    for j in 1..positions.len() {
        if curve.tops[j] > curve.tops[peak] {
            peak = j;
        }
        if curve.bottoms[j] < curve.bottoms[trough] {
            trough = j;
        }
    }
    let max_p = curve.tops[peak];
    let min_p = curve.bottoms[trough];
    if max_p > -min_p {
        Enrichment { es: max_p, leading_edge: positions[..=peak].to_vec() }
    } else if max_p < -min_p {
        Enrichment { es: min_p, leading_edge: positions[trough..].iter().rev().copied().collect() }
    } else {
        Enrichment { es: 0.0, leading_edge: Vec::new() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hand_computed_example() {
        // N = 5, set at positions {0, 3}, weights 4 and 1 (NR = 5), N - k = 3.
        // tops: 4/5 - 0 = 0.8, 1 - 2/3 = 1/3; bottoms: 0, 1/3 - 1/5.
        let w = [4.0, 3.0, 2.0, 1.0, 0.5];
        let curve = running_sum(&w, &[0, 3]);
        assert!((curve.tops[0] - 0.8).abs() < 1e-15);
        assert!((curve.tops[1] - 1.0 / 3.0).abs() < 1e-15);
        assert!((curve.bottoms[1] - (1.0 / 3.0 - 0.2)).abs() < 1e-15);
        let e = enrichment(&w, &[0, 3]);
        assert!((e.es - 0.8).abs() < 1e-15);
        assert_eq!(e.leading_edge, vec![0]);
    }

    #[test]
    fn negative_enrichment_leading_edge_runs_from_the_bottom() {
        let w = [1.0; 10];
        let e = enrichment(&w, &[6, 8, 9]);
        // N - k = 7; bottoms: 0 - 6/7, 1/3 - 7/7, 2/3 - 7/7; tops end at 0 -> ES = -6/7
        assert!((e.es + 6.0 / 7.0).abs() < 1e-15);
        assert_eq!(e.leading_edge, vec![9, 8, 6]);
    }

    #[test]
    fn zero_weights_count_genes_equally_and_symmetric_sets_score_zero() {
        let w = [0.0; 6];
        let e = enrichment(&w, &[0, 5]);
        // tops 1/2 - 0, 1 - 4/4; bottoms 0, 1/2 - 1 -> max 0.5, min -0.5 -> ES = 0
        assert_eq!(e.es, 0.0);
        assert!(e.leading_edge.is_empty());
    }
}
