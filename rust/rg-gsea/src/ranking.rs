//! A ranking (genes sorted by decreasing statistic, weighted |stat|^gsea_param) and gene sets
//! matched to it.

use crate::error::GseaError;
use std::collections::HashMap;

/// A named gene set as the caller gives it (gene names, possibly absent from the ranking).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GeneSet {
    pub name: String,
    pub genes: Vec<String>,
}

impl GeneSet {
    pub fn new(name: impl Into<String>, genes: impl IntoIterator<Item = impl Into<String>>) -> Self {
        GeneSet { name: name.into(), genes: genes.into_iter().map(Into::into).collect() }
    }
}

/// One ranking of the universe: genes sorted by decreasing statistic. Ties keep the input order
/// (a stable sort, as R's `sort(stats, decreasing = TRUE)` does).
#[derive(Debug, Clone)]
pub struct Ranking {
    /// `order[position]` = gene index (into the universe).
    pub order: Vec<u32>,
    /// `position[gene]` = 0-based position of the gene in the ranking.
    pub position: Vec<u32>,
    /// `weights[position]` = |stat|^gsea_param of the gene at that position.
    pub weights: Vec<f64>,
    /// fgsea's tie count: duplicated values among the non-zero statistics.
    pub ties: usize,
}

impl Ranking {
    /// `stats` must be finite (checked by [`check_stats`]).
    pub fn new(stats: &[f64], gsea_param: f64) -> Ranking {
        let mut order: Vec<u32> = (0..stats.len() as u32).collect();
        order.sort_by(|&a, &b| {
            stats[b as usize].partial_cmp(&stats[a as usize]).unwrap_or(std::cmp::Ordering::Equal)
        });
        let mut position = vec![0u32; stats.len()];
        for (pos, &gene) in order.iter().enumerate() {
            position[gene as usize] = pos as u32;
        }
        let sorted: Vec<f64> = order.iter().map(|&g| stats[g as usize]).collect();
        let ties = sorted.windows(2).filter(|w| w[1] == w[0] && w[1] != 0.0).count();
        let weights = sorted.iter().map(|s| weight(*s, gsea_param)).collect();
        Ranking { order, position, weights, ties }
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    /// Positions of `genes` (universe indices) in this ranking, ascending.
    pub fn positions_of(&self, genes: &[u32]) -> Vec<u32> {
        let mut positions: Vec<u32> = genes.iter().map(|&g| self.position[g as usize]).collect();
        positions.sort_unstable();
        positions
    }
}

/// |stat|^gsea_param, as fgsea (so 0^0 = 1).
fn weight(stat: f64, gsea_param: f64) -> f64 {
    if gsea_param == 1.0 {
        stat.abs()
    } else {
        stat.abs().powf(gsea_param)
    }
}

/// Checks a ranking's gene names and values; `arg` names the R argument in messages.
pub fn check_stats(arg: &str, genes: &[String], stats: &[f64]) -> Result<(), GseaError> {
    if genes.len() != stats.len() {
        return Err(GseaError::invalid(
            arg,
            format!("has {} values but {} gene names", stats.len(), genes.len()),
        ));
    }
    if stats.len() < 2 {
        return Err(GseaError::invalid(arg, "must rank at least 2 genes"));
    }
    let bad = stats.iter().filter(|s| !s.is_finite()).count();
    if bad > 0 {
        return Err(GseaError::invalid(arg, format!("has {} NA or non-finite values", bad)));
    }
    Ok(())
}

/// Gene name → universe index; duplicated or empty names are errors.
pub fn index_genes<'a>(arg: &str, genes: &'a [String]) -> Result<HashMap<&'a str, u32>, GseaError> {
    let mut index = HashMap::with_capacity(genes.len());
    let mut duplicated = Vec::new();
    for (i, gene) in genes.iter().enumerate() {
        if gene.is_empty() {
            return Err(GseaError::invalid(arg, format!("has an empty gene name at position {}", i + 1)));
        }
        if index.insert(gene.as_str(), i as u32).is_some() {
            duplicated.push(gene.as_str());
        }
    }
    if !duplicated.is_empty() {
        duplicated.sort_unstable();
        duplicated.dedup();
        let shown: Vec<&str> = duplicated.iter().take(5).copied().collect();
        return Err(GseaError::invalid(
            arg,
            format!(
                "has {} duplicated gene name{}: {}{}",
                duplicated.len(),
                if duplicated.len() == 1 { "" } else { "s" },
                shown.join(", "),
                if duplicated.len() > 5 { ", ..." } else { "" }
            ),
        ));
    }
    Ok(index)
}

/// Gene sets reduced to the universe and filtered by size, as fgsea's `preparePathways`: members
/// are the distinct universe genes of the set (first-occurrence order); a set is kept when
/// `min_size <= size <= max_size` (min at least 1, max at most n - 1).
#[derive(Debug, Clone)]
pub struct MatchedSets {
    /// Index of each kept set in the caller's list.
    pub source: Vec<usize>,
    /// Universe gene indices of each kept set.
    pub members: Vec<Vec<u32>>,
}

impl MatchedSets {
    pub fn new(
        index: &HashMap<&str, u32>,
        n_genes: usize,
        sets: &[GeneSet],
        min_size: usize,
        max_size: usize,
    ) -> MatchedSets {
        let min_size = min_size.max(1);
        let max_size = max_size.min(n_genes.saturating_sub(1));
        let mut source = Vec::new();
        let mut members = Vec::new();
        let mut seen = vec![false; n_genes];
        for (i, set) in sets.iter().enumerate() {
            let mut genes = Vec::new();
            for name in &set.genes {
                if let Some(&g) = index.get(name.as_str()) {
                    if !seen[g as usize] {
                        seen[g as usize] = true;
                        genes.push(g);
                    }
                }
            }
            for &g in &genes {
                seen[g as usize] = false;
            }
            if genes.len() >= min_size && genes.len() <= max_size {
                source.push(i);
                members.push(genes);
            }
        }
        MatchedSets { source, members }
    }

    pub fn len(&self) -> usize {
        self.members.len()
    }

    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    pub fn size(&self, set: usize) -> usize {
        self.members[set].len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranking_is_stable_and_counts_nonzero_ties() {
        let stats = [1.0, 3.0, 1.0, 0.0, 0.0, -2.0];
        let r = Ranking::new(&stats, 1.0);
        assert_eq!(r.order, vec![1, 0, 2, 3, 4, 5]);
        assert_eq!(r.position, vec![1, 0, 2, 3, 4, 5]);
        assert_eq!(r.weights, vec![3.0, 1.0, 1.0, 0.0, 0.0, 2.0]);
        assert_eq!(r.ties, 1);
        let r0 = Ranking::new(&stats, 0.0);
        assert!(r0.weights.iter().all(|&w| w == 1.0));
    }

    #[test]
    fn sets_are_intersected_deduplicated_and_filtered() {
        let genes: Vec<String> = ["a", "b", "c", "d"].iter().map(|s| s.to_string()).collect();
        let index = index_genes("stats", &genes).unwrap();
        let sets = vec![
            GeneSet::new("s1", ["a", "x", "a", "c"]),
            GeneSet::new("s2", ["x"]),
            GeneSet::new("s3", ["a", "b", "c", "d"]),
        ];
        let m = MatchedSets::new(&index, 4, &sets, 1, 500);
        assert_eq!(m.source, vec![0]); // s3 has all n genes: max size is n - 1
        assert_eq!(m.members, vec![vec![0, 2]]);
    }

    #[test]
    fn bad_names_and_values_are_reported() {
        let genes: Vec<String> = ["a", "b", "a"].iter().map(|s| s.to_string()).collect();
        let err = index_genes("stats", &genes).unwrap_err();
        assert_eq!(err.to_string(), "`stats` has 1 duplicated gene name: a");
        let genes: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        let err = check_stats("stats", &genes, &[1.0, f64::NAN, f64::INFINITY]).unwrap_err();
        assert_eq!(err.to_string(), "`stats` has 2 NA or non-finite values");
    }
}
