//! Pre-ranked GSEA for one ranking or many (per-sample), with fgsea's statistics.

use rayon::prelude::*;
use rg_core::adjust::benjamini_hochberg;
use rg_core::{ExpressionView, Monitor};

use crate::error::GseaError;
use crate::multilevel::{multilevel_error, multilevel_pvalues};
use crate::null::{tally_null, NullCounts, NullPlan, NullTargets};
use crate::ranking::{check_stats, index_genes, GeneSet, MatchedSets, Ranking};
use crate::score::{enrichment, running_sum, Enrichment};
use crate::special::{qbeta, trigamma};

/// First RNG stream of the multilevel rulers (the permutation blocks use streams 0, 1, ...).
const MULTILEVEL_STREAMS: u64 = 1 << 48;
/// fgsea leaves p-values NA when fewer null scores than this have the observed score's sign.
const MIN_MODE_FRACTION: u64 = 10;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// fgsea's `fgseaSimple`: `nperm` permutations.
    Simple,
    /// fgsea's `fgseaMultilevel`: `nperm_simple` permutations, then multilevel splitting for the
    /// sets whose p-value they cannot resolve.
    Multilevel,
}

#[derive(Debug, Clone)]
pub struct GseaOptions {
    pub nperm: usize,
    pub min_size: usize,
    pub max_size: usize,
    pub gsea_param: f64,
    pub method: Method,
    /// Lower bound of multilevel p-values (0 = none).
    pub eps: f64,
    /// Random sets per multilevel level (fgsea's `sampleSize`, made odd).
    pub sample_size: usize,
    /// Permutations of the preliminary simple step of the multilevel method (`nPermSimple`).
    pub nperm_simple: usize,
    pub seed: u64,
    pub n_threads: usize,
}

impl Default for GseaOptions {
    fn default() -> Self {
        GseaOptions {
            nperm: 10_000,
            min_size: 15,
            max_size: 500,
            gsea_param: 1.0,
            method: Method::Simple,
            eps: 1e-50,
            sample_size: 101,
            nperm_simple: 1000,
            seed: 1,
            n_threads: 1,
        }
    }
}

impl GseaOptions {
    fn check(&self) -> Result<(), GseaError> {
        if self.nperm == 0 {
            return Err(GseaError::invalid("nperm", "must be at least 1"));
        }
        if self.nperm_simple == 0 {
            return Err(GseaError::invalid("nperm_simple", "must be at least 1"));
        }
        if self.max_size < self.min_size {
            return Err(GseaError::invalid(
                "max_size",
                format!("({}) is smaller than `min_size` ({})", self.max_size, self.min_size),
            ));
        }
        if !self.gsea_param.is_finite() || self.gsea_param < 0.0 {
            return Err(GseaError::invalid("gsea_param", "must be a finite number >= 0"));
        }
        if !(0.0..=1.0).contains(&self.eps) {
            return Err(GseaError::invalid("eps", "must be between 0 and 1"));
        }
        if self.sample_size < 3 {
            return Err(GseaError::invalid("sample_size", "must be at least 3"));
        }
        if self.n_threads == 0 {
            return Err(GseaError::invalid("n_threads", "must be at least 1"));
        }
        Ok(())
    }

    fn null_permutations(&self) -> usize {
        match self.method {
            Method::Simple => self.nperm,
            Method::Multilevel => self.nperm_simple,
        }
    }
}

/// One tested set: fgsea's columns (`pathway` is the set's index in the caller's list).
#[derive(Debug, Clone, PartialEq)]
pub struct GseaRow {
    pub set: usize,
    pub pval: f64,
    pub padj: f64,
    pub log2err: f64,
    pub es: f64,
    pub nes: f64,
    pub size: usize,
    /// Universe gene indices, in fgsea's leading-edge order.
    pub leading_edge: Vec<u32>,
}

/// What fgsea would warn about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct GseaNotes {
    /// Duplicated non-zero statistics.
    pub ties: usize,
    /// Sets without enough same-sign null scores: pval, padj, NES, log2err are NA.
    pub unbalanced: usize,
    /// Multilevel sets whose p-value is likely overestimated (log2err NA).
    pub overestimated: usize,
    /// Sets whose p-value was bounded by `eps`.
    pub at_eps: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct GseaResult {
    /// Simple: in the caller's set order; multilevel: sorted by set name (as fgsea orders them).
    pub rows: Vec<GseaRow>,
    pub notes: GseaNotes,
}

/// GSEA of one ranking. `genes` name the values of `stats` (the universe).
pub fn gsea_preranked(
    genes: &[String],
    stats: &[f64],
    sets: &[GeneSet],
    options: &GseaOptions,
    monitor: &mut dyn Monitor,
) -> Result<GseaResult, GseaError> {
    check_stats("stats", genes, stats)?;
    let mut results = run("stats", genes, &[stats], sets, options, monitor)?;
    Ok(results.remove(0))
}

/// GSEA of every column of a genes × samples matrix, sharing the sampled null sets between
/// samples. Each sample's result equals `gsea_preranked` on that column with the same options.
pub fn gsea_per_sample(
    genes: &[String],
    scores: ExpressionView,
    sets: &[GeneSet],
    options: &GseaOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<GseaResult>, GseaError> {
    if scores.n_genes() != genes.len() {
        return Err(GseaError::invalid(
            "scores",
            format!("has {} rows but {} gene names", scores.n_genes(), genes.len()),
        ));
    }
    if scores.n_samples() == 0 {
        return Err(GseaError::invalid("scores", "has no columns"));
    }
    let bad = scores.as_slice().iter().filter(|s| !s.is_finite()).count();
    if bad > 0 {
        return Err(GseaError::invalid("scores", format!("has {} NA or non-finite values", bad)));
    }
    let columns: Vec<&[f64]> = (0..scores.n_samples()).map(|j| scores.sample(j)).collect();
    check_stats("scores", genes, columns[0])?;
    run("scores", genes, &columns, sets, options, monitor)
}

/// The running sum of one set in one ranking, for plotting (fgsea's `plotEnrichment`).
#[derive(Debug, Clone, PartialEq)]
pub struct EnrichmentCurve {
    /// 1-based ranks of the set's genes, ascending.
    pub positions: Vec<usize>,
    pub tops: Vec<f64>,
    pub bottoms: Vec<f64>,
    pub n_genes: usize,
}

pub fn enrichment_curve(
    genes: &[String],
    stats: &[f64],
    set_genes: &[String],
    gsea_param: f64,
) -> Result<EnrichmentCurve, GseaError> {
    check_stats("stats", genes, stats)?;
    let index = index_genes("stats", genes)?;
    let ranking = Ranking::new(stats, gsea_param);
    let set = GeneSet { name: String::new(), genes: set_genes.to_vec() };
    let matched = MatchedSets::new(&index, genes.len(), &[set], 1, genes.len());
    let members = matched.members.first().ok_or_else(|| {
        GseaError::invalid("gene_set", "has no gene in `names(stats)` (or contains every gene)")
    })?;
    let positions = ranking.positions_of(members);
    let curve = running_sum(&ranking.weights, &positions);
    Ok(EnrichmentCurve {
        positions: positions.iter().map(|&p| p as usize + 1).collect(),
        tops: curve.tops,
        bottoms: curve.bottoms,
        n_genes: genes.len(),
    })
}

/// Sets grouped by size: the distinct sizes (ascending), each set's size index, and the sets of
/// each size.
struct SizeGroups {
    sizes: Vec<usize>,
    of_set: Vec<usize>,
    sets: Vec<Vec<usize>>,
}

impl SizeGroups {
    fn new(matched: &MatchedSets) -> Self {
        let mut sizes: Vec<usize> = (0..matched.len()).map(|i| matched.size(i)).collect();
        sizes.sort_unstable();
        sizes.dedup();
        let of_set: Vec<usize> =
            (0..matched.len()).map(|i| sizes.partition_point(|&k| k < matched.size(i))).collect();
        let mut sets = vec![Vec::new(); sizes.len()];
        for (i, &s) in of_set.iter().enumerate() {
            sets[s].push(i);
        }
        SizeGroups { sizes, of_set, sets }
    }
}

fn run(
    arg: &str,
    genes: &[String],
    columns: &[&[f64]],
    sets: &[GeneSet],
    options: &GseaOptions,
    monitor: &mut dyn Monitor,
) -> Result<Vec<GseaResult>, GseaError> {
    options.check()?;
    let index = index_genes(arg, genes)?;
    let n = genes.len();
    let matched = MatchedSets::new(&index, n, sets, options.min_size, options.max_size);
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(options.n_threads)
        .build()
        .map_err(|_| GseaError::Threads(options.n_threads))?;
    let rankings: Vec<Ranking> =
        pool.install(|| columns.par_iter().map(|c| Ranking::new(c, options.gsea_param)).collect());
    let observed: Vec<Vec<Enrichment>> = pool.install(|| {
        rankings
            .par_iter()
            .map(|r| matched.members.iter().map(|m| enrichment(&r.weights, &r.positions_of(m))).collect())
            .collect()
    });
    let groups = SizeGroups::new(&matched);
    let es: Vec<Vec<f64>> = observed.iter().map(|o| o.iter().map(|e| e.es).collect()).collect();
    let plan = NullPlan::new(n, groups.sizes.clone(), options.null_permutations());
    let targets = NullTargets {
        weights: rankings.iter().map(|r| r.weights.as_slice()).collect(),
        observed: es.iter().map(|e| e.as_slice()).collect(),
        sets_by_size: &groups.sets,
    };
    let counts = tally_null(&plan, &targets, options.seed, 0, &pool, monitor)?;

    let mut tables: Vec<Table> = counts
        .iter()
        .zip(&es)
        .map(|(c, e)| Table::from_null(e, c, &groups, &matched, plan.nperm))
        .collect();
    if options.method == Method::Multilevel {
        refine_multilevel(&mut tables, &rankings, &matched, options, &pool, monitor)?;
    }
    let mut results = Vec::with_capacity(columns.len());
    for ((table, ranking), observed) in tables.into_iter().zip(&rankings).zip(observed) {
        results.push(table.into_result(ranking, observed, &matched, sets, options.method));
    }
    Ok(results)
}

/// Per-set statistics of one ranking while they are being computed.
struct Table {
    es: Vec<f64>,
    pval: Vec<f64>,
    nes: Vec<f64>,
    log2err: Vec<f64>,
    /// Null scores at least as extreme as the observed one, on its side (fgsea's nMoreExtreme).
    more_extreme: Vec<u64>,
    /// Null scores with the observed score's sign (fgsea's modeFraction).
    mode_fraction: Vec<u64>,
    nperm: usize,
    notes: GseaNotes,
    /// Whether the eps bound and its note apply (fgsea applies them once multilevel ran).
    bounded: bool,
}

impl Table {
    /// fgsea's simple statistics (fgseaSimpleImpl).
    #[allow(clippy::needless_range_loop)] // parallel per-set arrays
    fn from_null(es: &[f64], counts: &NullCounts, groups: &SizeGroups, matched: &MatchedSets, nperm: usize) -> Table {
        let m = matched.len();
        let mut table = Table {
            es: es.to_vec(),
            pval: vec![f64::NAN; m],
            nes: vec![f64::NAN; m],
            log2err: vec![f64::NAN; m],
            more_extreme: vec![0; m],
            mode_fraction: vec![0; m],
            nperm,
            notes: GseaNotes::default(),
            bounded: false,
        };
        for i in 0..m {
            let s = groups.of_set[i];
            let (le_zero, ge_zero) = (counts.le_zero[s], counts.ge_zero[s]);
            let le_mean = counts.le_zero_sum[s] / le_zero as f64;
            let ge_mean = counts.ge_zero_sum[s] / ge_zero as f64;
            let e = es[i];
            let mean = if e > 0.0 { ge_mean } else { le_mean.abs() };
            if mean.is_finite() && mean != 0.0 {
                table.nes[i] = e / mean;
                let below = (1 + counts.le_es[i]) as f64 / (1 + le_zero) as f64;
                let above = (1 + counts.ge_es[i]) as f64 / (1 + ge_zero) as f64;
                table.pval[i] = below.min(above);
            }
            table.more_extreme[i] = if e > 0.0 { counts.ge_es[i] } else { counts.le_es[i] };
            table.mode_fraction[i] = if e >= 0.0 { ge_zero } else { le_zero };
            if !table.pval[i].is_nan() {
                table.log2err[i] = simple_log2err(table.more_extreme[i], nperm);
            }
        }
        table
    }

    fn into_result(
        mut self,
        ranking: &Ranking,
        observed: Vec<Enrichment>,
        matched: &MatchedSets,
        sets: &[GeneSet],
        method: Method,
    ) -> GseaResult {
        self.notes.ties = ranking.ties;
        let padj = benjamini_hochberg(&self.pval);
        let mut rows: Vec<GseaRow> = observed
            .into_iter()
            .enumerate()
            .map(|(i, e)| GseaRow {
                set: matched.source[i],
                pval: self.pval[i],
                padj: padj[i],
                log2err: self.log2err[i],
                es: self.es[i],
                nes: self.nes[i],
                size: matched.size(i),
                leading_edge: e.leading_edge.iter().map(|&p| ranking.order[p as usize]).collect(),
            })
            .collect();
        if method == Method::Multilevel {
            rows.sort_by(|a, b| sets[a.set].name.as_bytes().cmp(sets[b.set].name.as_bytes()));
        }
        GseaResult { rows, notes: self.notes }
    }
}

/// fgsea's log2err of a permutation p-value: 1/ln 2 · sqrt(ψ₁(nMoreExtreme + 1) − ψ₁(nperm + 1)).
fn simple_log2err(more_extreme: u64, nperm: usize) -> f64 {
    (trigamma(more_extreme as f64 + 1.0) - trigamma(nperm as f64 + 1.0)).sqrt() / std::f64::consts::LN_2
}

/// Half-width of the 95% interval of log2 of a permutation p-value (fgsea's simpleError).
fn simple_error(more_extreme: u64, nperm: usize) -> f64 {
    let (k, n) = (more_extreme as f64, nperm as f64);
    let left = qbeta(0.025, k, n - k + 1.0).log2();
    let right = qbeta(0.975, k + 1.0, n - k).log2();
    let crude = ((k + 1.0) / (n + 1.0)).log2();
    0.5 * (crude - left).max(right - crude)
}

/// A multilevel job: one ranking, one set size, the sets needing it.
struct MultilevelTask {
    ranking: usize,
    size: usize,
    sets: Vec<usize>,
    eps: f64,
}

/// fgseaMultilevel after its simple step: NA for unbalanced sets, simple p-values where they are
/// precise enough, multilevel splitting for the rest.
#[allow(clippy::needless_range_loop)] // parallel per-set arrays
fn refine_multilevel(
    tables: &mut [Table],
    rankings: &[Ranking],
    matched: &MatchedSets,
    options: &GseaOptions,
    pool: &rayon::ThreadPool,
    monitor: &mut dyn Monitor,
) -> Result<(), GseaError> {
    let sample_size = options.sample_size | 1;
    let mut tasks = Vec::new();
    let mut denominators: Vec<Vec<f64>> = Vec::with_capacity(tables.len());
    for (r, table) in tables.iter_mut().enumerate() {
        let nperm = table.nperm;
        let mut pending: Vec<usize> = Vec::new();
        let mut denominator = vec![f64::NAN; table.es.len()];
        for i in 0..table.es.len() {
            if table.mode_fraction[i] < MIN_MODE_FRACTION {
                table.pval[i] = f64::NAN;
                table.nes[i] = f64::NAN;
                table.log2err[i] = f64::NAN;
                table.notes.unbalanced += 1;
                continue;
            }
            if table.pval[i].is_nan() {
                continue;
            }
            let k = table.more_extreme[i];
            let crude = (k + 1) as f64 / (nperm + 1) as f64;
            if multilevel_error(crude, sample_size) < simple_error(k, nperm) {
                pending.push(i);
                denominator[i] = (table.mode_fraction[i] + 1) as f64 / (nperm + 1) as f64;
            }
        }
        if !pending.is_empty() {
            table.bounded = true;
        }
        pending.sort_by_key(|&i| (matched.size(i), i));
        for chunk in pending.chunk_by(|&a, &b| matched.size(a) == matched.size(b)) {
            let min_denominator = chunk.iter().map(|&i| denominator[i]).fold(f64::INFINITY, f64::min);
            tasks.push(MultilevelTask {
                ranking: r,
                size: matched.size(chunk[0]),
                sets: chunk.to_vec(),
                eps: options.eps * min_denominator,
            });
        }
        denominators.push(denominator);
    }

    let step = (2 * options.n_threads).max(1);
    let mut done = 0;
    while done < tasks.len() {
        let batch = &tasks[done..(done + step).min(tasks.len())];
        let answers: Vec<Vec<(f64, bool)>> = pool.install(|| {
            batch
                .par_iter()
                .map(|task| {
                    let es: Vec<f64> = task.sets.iter().map(|&i| tables[task.ranking].es[i]).collect();
                    let stream = MULTILEVEL_STREAMS + 2 * task.size as u64;
                    let weights = &rankings[task.ranking].weights;
                    multilevel_pvalues(weights, task.size, &es, sample_size, options.seed, stream, task.eps)
                })
                .collect()
        });
        for (task, answer) in batch.iter().zip(answers) {
            let table = &mut tables[task.ranking];
            for (&i, (p, cp_ge_half)) in task.sets.iter().zip(answer) {
                let pval = (p / denominators[task.ranking][i]).min(1.0);
                table.pval[i] = pval;
                table.log2err[i] = if cp_ge_half { multilevel_error(pval, sample_size) } else { f64::NAN };
                if !cp_ge_half {
                    table.notes.overestimated += 1;
                }
            }
        }
        done += batch.len();
        monitor.step(done, tasks.len())?;
    }

    for table in tables.iter_mut().filter(|t| t.bounded) {
        for i in 0..table.es.len() {
            if table.pval[i] < options.eps {
                table.pval[i] = options.eps;
                table.log2err[i] = f64::NAN;
            }
            if table.pval[i] == options.eps && table.log2err[i].is_nan() {
                table.notes.at_eps += 1;
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simple_error_matches_r() {
        // R: k <- 3; n <- 1000; 0.5 * max(log2((k+1)/(n+1)) - log2(qbeta(0.025, k, n-k+1)),
        //                                log2(qbeta(0.975, k+1, n-k)) - log2((k+1)/(n+1)))
        let expected = 1.34515691036;
        assert!((simple_error(3, 1000) - expected).abs() < 1e-6, "{}", simple_error(3, 1000));
        assert!(simple_error(0, 1000).is_infinite());
    }
}
