//! Interpretation: `gene_masking()`, `single_gene_masking()`, `gene_saliency()`.
//!
//! The R side aligns `x` to the model's genes (genes × samples, i.e. a row-major samples × genes
//! buffer), maps gene sets to 1-based model-gene indices and builds the 0/1 truth matrix; this
//! module only converts and calls `rg_interpret`.

use crate::conditions::to_robj;
use crate::convert::{doubles, logicals};
use crate::monitor::RMonitor;
use extendr_api::prelude::*;
use rg_interpret::{
    InterpretError, Masks, MaskingOptions, RandomSets, SaliencyMethod, SaliencyOptions, Scores, SetMasking, Truth,
};
use crate::nn::Live;
use rg_nn::{GradientOf, Network};

/// `x` (genes × samples in model gene order, raw values) standardized with the model's
/// training mean and SD: (z, n_samples).
fn standardized(net: &Network, x: &Robj) -> Result<(Vec<f32>, usize), InterpretError> {
    let raw = doubles(x);
    let n = raw.len() / net.n_inputs().max(1);
    Ok((net.standardize(&raw, n)?, n))
}

/// R's column-major samples × outputs logical matrix as row-major truth.
fn truth(y: &Robj, n: usize, k: usize) -> Result<Truth, InterpretError> {
    let column_major = logicals(y);
    if column_major.len() != n * k {
        return Err(InterpretError::invalid("y", format!("has {} values, expected {n} samples x {k} outputs", column_major.len())));
    }
    let row_major = (0..n).flat_map(|i| (0..k).map(move |c| (i, c))).map(|(i, c)| column_major[c * n + i]).collect();
    Truth::new(row_major, n, k)
}

/// 1-based R indices as 0-based.
fn indices(x: &Robj) -> Vec<usize> {
    doubles(x).into_iter().map(|v| (v as usize).saturating_sub(1)).collect()
}

fn score_matrix(rows: &[&Scores], pick: impl Fn(&Scores) -> &Vec<f64>) -> RMatrix<f64> {
    let cols = rows.first().map_or(0, |s| pick(s).len());
    RMatrix::new_matrix(rows.len(), cols, |i, j| pick(rows[i])[j])
}

fn p_matrix(rows: &[SetMasking], pick: impl Fn(&SetMasking) -> &Option<Vec<f64>>) -> Robj {
    let cols = rows.first().and_then(|r| pick(r).as_ref()).map_or(0, Vec::len);
    if cols == 0 {
        return ().into();
    }
    RMatrix::new_matrix(rows.len(), cols, |i, j| pick(&rows[i]).as_ref().map_or(f64::NAN, |v| v[j])).into()
}

/// Scores of every gene set: list(size, auc, ap, pr_auc, p_auc, p_ap), score matrices sets ×
/// (outputs [+ micro]); `p_*` are NULL without random sets.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_gene_masking(
    ptr: Robj, weights: Robj, x: Robj, y: Robj, sets: List, n_random: i32, seed: f64, n_threads: i32, verbose: bool,
) -> Robj {
    rg_core::guard_rayon_after_fork();
    let result = Live::get(&ptr, &weights).map_err(InterpretError::from).and_then(|live| {
        let net = live.net();
        let (z, n) = standardized(net, &x)?;
        let truth = truth(&y, n, net.n_outputs())?;
        let sets: Vec<Vec<usize>> = sets.values().map(|s| indices(&s)).collect();
        let random = (n_random > 0).then_some(RandomSets { n_random: n_random as usize, seed: seed as u64 });
        let options = MaskingOptions { n_threads: n_threads.max(0) as usize, ..MaskingOptions::default() };
        let mut monitor = RMonitor::new("gene masking", verbose);
        rg_interpret::gene_set_masking(net, &z, n, &sets, &truth, random, &options, &mut monitor)
    });
    to_robj(result.map(|rows| {
        let scores: Vec<&Scores> = rows.iter().map(|r| &r.scores).collect();
        list!(
            size = rows.iter().map(|r| r.size as f64).collect::<Vec<f64>>(),
            auc = score_matrix(&scores, |s| &s.auc),
            ap = score_matrix(&scores, |s| &s.ap),
            pr_auc = score_matrix(&scores, |s| &s.pr_auc),
            p_auc = p_matrix(&rows, |r| &r.p_auc),
            p_ap = p_matrix(&rows, |r| &r.p_ap)
        )
    }))
}

/// Scores of every single gene `genes` (1-based model-gene indices): list(auc, ap, pr_auc).
#[extendr]
fn rg_single_gene_masking(ptr: Robj, weights: Robj, x: Robj, y: Robj, genes: Robj, n_threads: i32, verbose: bool) -> Robj {
    rg_core::guard_rayon_after_fork();
    let result = Live::get(&ptr, &weights).map_err(InterpretError::from).and_then(|live| {
        let net = live.net();
        let (z, n) = standardized(net, &x)?;
        let truth = truth(&y, n, net.n_outputs())?;
        let genes = indices(&genes);
        let options = MaskingOptions { n_threads: n_threads.max(0) as usize, ..MaskingOptions::default() };
        let mut monitor = RMonitor::new("single-gene masking", verbose);
        rg_interpret::single_gene_masking(net, &z, n, &genes, &truth, &options, &mut monitor)
    });
    to_robj(result.map(|rows| {
        let scores: Vec<&Scores> = rows.iter().collect();
        list!(
            auc = score_matrix(&scores, |s| &s.auc),
            ap = score_matrix(&scores, |s| &s.ap),
            pr_auc = score_matrix(&scores, |s| &s.pr_auc)
        )
    }))
}

/// Saliency maps for `outputs` (1-based): a list of numeric vectors, each genes × samples
/// column-major.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_gene_saliency(
    ptr: Robj, weights: Robj, x: Robj, outputs: Robj, method: &str, steps: i32, of: &str, absolute: bool,
    minmax: bool, n_threads: i32, verbose: bool,
) -> Robj {
    rg_core::guard_rayon_after_fork();
    let result = Live::get(&ptr, &weights).map_err(InterpretError::from).and_then(|live| {
        let net = live.net();
        let (z, n) = standardized(net, &x)?;
        let method = match method {
            "guided" => SaliencyMethod::Guided,
            "integrated" => SaliencyMethod::Integrated { steps: steps.max(0) as usize },
            _ => SaliencyMethod::Gradient,
        };
        let options = SaliencyOptions {
            method,
            of: if of == "prob" { GradientOf::Prob } else { GradientOf::Link },
            absolute,
            minmax,
            n_threads: n_threads.max(0) as usize,
            ..SaliencyOptions::default()
        };
        let mut monitor = RMonitor::new("gene saliency", verbose);
        rg_interpret::saliency(net, &z, n, &indices(&outputs), &options, &mut monitor)
    });
    to_robj(result.map(|maps| {
        List::from_values(maps.into_iter().map(|m| m.into_iter().map(f64::from).collect::<Vec<f64>>()))
    }))
}

/// Masked predictions (tests, diagnostics): masks are gene sets (`single = FALSE`, a list of
/// 1-based index vectors) or single genes (`single = TRUE`, one index vector). Returns
/// list(link, prob), each a vector of outputs × samples × masks (R's column-major order).
#[extendr]
fn rg_masked_predictions(ptr: Robj, weights: Robj, x: Robj, masks: Robj, single: bool) -> Robj {
    rg_core::guard_rayon_after_fork();
    let result = Live::get(&ptr, &weights).map_err(InterpretError::from).and_then(|live| {
        let net = live.net();
        let (z, n) = standardized(net, &x)?;
        let options = MaskingOptions::default();
        let mut monitor = rg_core::Silent;
        if single {
            let genes = indices(&masks);
            rg_interpret::masked_outputs(net, &z, n, Masks::SingleFeatures(&genes), &options, &mut monitor)
        } else {
            let sets: Vec<Vec<usize>> = masks.as_list().map(|l| l.values().map(|s| indices(&s)).collect()).unwrap_or_default();
            rg_interpret::masked_outputs(net, &z, n, Masks::Sets(&sets), &options, &mut monitor)
        }
    });
    to_robj(result.map(|out| {
        let widen = |v: Vec<f32>| v.into_iter().map(f64::from).collect::<Vec<f64>>();
        list!(link = widen(out.link), prob = widen(out.prob))
    }))
}

extendr_module! {
    mod interpret;
    fn rg_masked_predictions;
    fn rg_gene_masking;
    fn rg_single_gene_masking;
    fn rg_gene_saliency;
}
