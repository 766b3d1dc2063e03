//! Trait preparation: the exact 1-D two-means cut behind `prepare_traits(method = "kmeans")`.

use crate::conditions::to_robj;
use crate::convert::doubles;
use extendr_api::prelude::*;
use rg_core::kmeans::two_means_1d;

/// Exact two-cluster k-means of one feature's (non-missing) values.
/// Returns list(cut, low_mean, high_mean, n_low, n_high, within_ss, total_ss).
#[extendr]
fn rg_two_means_1d(values: Robj) -> Robj {
    to_robj(two_means_1d(&doubles(&values)).map(|fit| {
        list!(
            cut = fit.cut,
            low_mean = fit.low_mean,
            high_mean = fit.high_mean,
            n_low = fit.n_low as f64,
            n_high = fit.n_high as f64,
            within_ss = fit.within_ss,
            total_ss = fit.total_ss
        )
    }))
}

extendr_module! {
    mod traits;
    fn rg_two_means_1d;
}
