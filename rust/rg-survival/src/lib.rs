//! Survival analysis for radiogenomics, numerically equal to R's `survival` 3.5-3:
//!
//! - [`km`]: Kaplan–Meier curves with Greenwood errors and the Nelson–Aalen hazard (`survfit`);
//! - [`logrank`]: the G-rho family of tests (`survdiff`);
//! - [`cox`]: Cox proportional hazards with Efron/Breslow ties, strata and case weights, a port
//!   of `coxfit6` and `coxph()`'s post-processing;
//! - [`concordance`]: the concordance `coxph()` reports;
//! - [`screen`]: one Cox model per feature, in parallel, optionally adjusted for covariates;
//! - [`stepwise`]: `step()`'s AIC search with forced terms.

// The numerical routines are ports of survival's C code and index arrays the way it does.
#![allow(clippy::needless_range_loop)]

pub mod concordance;
pub mod cox;
mod cox_fast;
pub mod data;
pub mod error;
mod fastmath;
pub mod km;
pub mod linalg;
pub mod logrank;
pub mod screen;
pub mod stats;
pub mod stepwise;
mod risk_sets;
mod simd;
mod univariate;

pub use cox::{cox_fit, CoxControl, CoxFit, CoxOptions, Design, Ties};
pub use data::SurvData;
pub use error::SurvivalError;
