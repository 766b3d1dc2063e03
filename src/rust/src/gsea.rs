//! GSEA: `gsea_preranked()`, `gsea_per_sample()`, `plot_enrichment()`, `read_gmt()`, `write_gmt()`.
//!
//! The R side (R/gsea.R, R/gene-sets.R) has validated the arguments: `genes` are unique non-empty
//! names, gene sets are a named list of character vectors without NA.

use crate::conditions::to_robj;
use crate::convert::doubles;
use crate::monitor::RMonitor;
use extendr_api::prelude::*;
use rg_core::ExpressionView;
use rg_gsea::{GeneSet, GmtSet, GseaError, GseaOptions, GseaResult, Method};
use std::path::Path;

fn strings(x: &Robj) -> Vec<String> {
    x.as_string_vector().unwrap_or_default()
}

fn gene_sets(names: &Robj, sets: &Robj) -> Vec<GeneSet> {
    let names = strings(names);
    let lists: Vec<Robj> = sets.as_list().map(|l| l.values().collect()).unwrap_or_default();
    names.into_iter().zip(lists).map(|(name, genes)| GeneSet { name, genes: strings(&genes) }).collect()
}

fn count(x: f64) -> usize {
    if x.is_finite() && x >= 0.0 {
        x.min(usize::MAX as f64) as usize
    } else {
        0
    }
}

/// Results of every ranking as the columns of one long table: `sample` and `set` are 1-based
/// indices, `leadingEdge` a list of character vectors; `notes` one value per ranking.
fn long_table(results: &[GseaResult], genes: &[String]) -> Robj {
    let rows = || results.iter().enumerate().flat_map(|(j, r)| r.rows.iter().map(move |row| (j, row)));
    let sample: Vec<i32> = rows().map(|(j, _)| j as i32 + 1).collect();
    let set: Vec<i32> = rows().map(|(_, r)| r.set as i32 + 1).collect();
    let column = |f: fn(&rg_gsea::GseaRow) -> f64| -> Vec<f64> { rows().map(|(_, r)| f(r)).collect() };
    let leading_edge: Vec<Robj> = rows()
        .map(|(_, r)| {
            let names: Vec<&str> = r.leading_edge.iter().map(|&g| genes[g as usize].as_str()).collect();
            Robj::from(names)
        })
        .collect();
    let note = |f: fn(&GseaResult) -> usize| -> Vec<i32> { results.iter().map(|r| f(r) as i32).collect() };
    list!(
        sample = sample,
        set = set,
        pval = column(|r| r.pval),
        padj = column(|r| r.padj),
        log2err = column(|r| r.log2err),
        ES = column(|r| r.es),
        NES = column(|r| r.nes),
        size = rows().map(|(_, r)| r.size as i32).collect::<Vec<i32>>(),
        leadingEdge = List::from_values(leading_edge),
        ties = note(|r| r.notes.ties),
        unbalanced = note(|r| r.notes.unbalanced),
        overestimated = note(|r| r.notes.overestimated),
        at_eps = note(|r| r.notes.at_eps)
    )
    .into()
}

/// Pre-ranked GSEA of every column of `scores` (genes × `n_samples`, column-major; one column for
/// `gsea_preranked()`), named by `genes`. `set_names` / `sets`: the gene sets. Returns the long
/// table described at `long_table`.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_gsea(
    genes: Robj,
    scores: Robj,
    n_samples: f64,
    set_names: Robj,
    sets: Robj,
    nperm: f64,
    min_size: f64,
    max_size: f64,
    gsea_param: f64,
    method: &str,
    eps: f64,
    sample_size: f64,
    nperm_simple: f64,
    seed: f64,
    n_threads: f64,
    verbose: bool,
) -> Robj {
    rg_core::guard_rayon_after_fork();
    let genes = strings(&genes);
    let values = doubles(&scores);
    let sets = gene_sets(&set_names, &sets);
    let options = GseaOptions {
        nperm: count(nperm),
        min_size: count(min_size),
        max_size: count(max_size),
        gsea_param,
        method: if method == "multilevel" { Method::Multilevel } else { Method::Simple },
        eps,
        sample_size: count(sample_size),
        nperm_simple: count(nperm_simple),
        seed: count(seed) as u64,
        n_threads: count(n_threads).max(1),
    };
    let mut monitor = RMonitor::new("GSEA", verbose);
    let result = if count(n_samples) == 1 {
        rg_gsea::gsea_preranked(&genes, &values, &sets, &options, &mut monitor).map(|r| vec![r])
    } else {
        ExpressionView::new(&values, genes.len(), count(n_samples))
            .map_err(|e| GseaError::invalid("scores", e.to_string()))
            .and_then(|view| rg_gsea::gsea_per_sample(&genes, view, &sets, &options, &mut monitor))
    };
    to_robj(result.map(|results| long_table(&results, &genes)))
}

/// Running sum of one set for `plot_enrichment()`: list(positions (1-based ranks), tops,
/// bottoms, n_genes).
#[extendr]
fn rg_gsea_curve(genes: Robj, stats: Robj, set_genes: Robj, gsea_param: f64) -> Robj {
    let result = rg_gsea::enrichment_curve(&strings(&genes), &doubles(&stats), &strings(&set_genes), gsea_param);
    to_robj(result.map(|c| {
        list!(
            positions = c.positions.iter().map(|&p| p as f64).collect::<Vec<f64>>(),
            tops = c.tops,
            bottoms = c.bottoms,
            n_genes = c.n_genes as f64
        )
    }))
}

/// A GMT file as list(name, description, genes = list of character vectors).
#[extendr]
fn rg_read_gmt(path: &str) -> Robj {
    to_robj(rg_gsea::read_gmt(Path::new(path)).map(|sets| {
        let genes: Vec<Robj> = sets.iter().map(|s| Robj::from(s.genes.clone())).collect();
        list!(
            name = sets.iter().map(|s| s.name.clone()).collect::<Vec<String>>(),
            description = sets.iter().map(|s| s.description.clone()).collect::<Vec<String>>(),
            genes = List::from_values(genes)
        )
    }))
}

/// Writes sets (`names`, `descriptions`, `genes` = list of character vectors) as a GMT file.
#[extendr]
fn rg_write_gmt(names: Robj, descriptions: Robj, genes: Robj, path: &str) -> Robj {
    let lists: Vec<Robj> = genes.as_list().map(|l| l.values().collect()).unwrap_or_default();
    let sets: Vec<GmtSet> = strings(&names)
        .into_iter()
        .zip(strings(&descriptions))
        .zip(lists)
        .map(|((name, description), genes)| GmtSet { name, description, genes: strings(&genes) })
        .collect();
    to_robj(rg_gsea::write_gmt(&sets, Path::new(path)).map(|_| Robj::from(())))
}

extendr_module! {
    mod gsea;
    fn rg_gsea;
    fn rg_gsea_curve;
    fn rg_read_gmt;
    fn rg_write_gmt;
}
