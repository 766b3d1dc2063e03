//! Cross-validation folds and bootstrap resamples (1-based indices on the R side).

use crate::conditions::to_robj;
use crate::convert::doubles;
use extendr_api::prelude::*;
use rg_core::folds;

fn zero_based(x: &Robj) -> Vec<usize> {
    doubles(x).into_iter().map(|v| (v as usize).saturating_sub(1)).collect()
}

fn one_based(x: Vec<usize>) -> Vec<i32> {
    x.into_iter().map(|v| v as i32 + 1).collect()
}

/// Fold id (1..k) of every sample; `labels` are class codes 1..K (all 1 for unstratified).
#[extendr]
fn rg_stratified_folds(labels: Robj, k: f64, seed: f64, repetition: f64) -> Robj {
    to_robj(folds::stratified_folds(&zero_based(&labels), k as usize, seed as u64, repetition as u64).map(one_based))
}

/// One bootstrap of a split: list(train, validation) of 1-based sample indices.
#[extendr]
fn rg_bootstrap(train: Robj, validation: Robj, labels: Robj, seed: f64, iteration: f64) -> Robj {
    let result = folds::bootstrap(&zero_based(&train), &zero_based(&validation), &zero_based(&labels), seed as u64, iteration as u64, 1000);
    to_robj(result.map(|b| list!(train = one_based(b.train), validation = one_based(b.validation))))
}

extendr_module! {
    mod folds;
    fn rg_stratified_folds;
    fn rg_bootstrap;
}
