//! Survival: Kaplan–Meier, log-rank, Cox fit, Cox screening and stepwise selection.
//! The R side (R/survival-*.R) has already validated and coded the inputs: `status` is 0/1,
//! groups and strata are 0-based integer codes, `NULL` means "absent".

use crate::conditions::to_robj;
use crate::convert::doubles;
use crate::monitor::RMonitor;
use extendr_api::prelude::*;
use rg_survival::cox::{cox_fit, CoxControl, CoxOptions, Design, Ties};
use rg_survival::km::{kaplan_meier, ConfType};
use rg_survival::logrank::logrank;
use rg_survival::screen::{cox_screen, FeatureLayout, Features, ScreenOptions};
use rg_survival::stepwise::{stepwise, Direction, StepOptions, Term};
use rg_survival::{SurvData, SurvivalError};

fn optional_doubles(x: &Robj) -> Option<Vec<f64>> {
    if x.is_null() {
        None
    } else {
        Some(doubles(x))
    }
}

/// 0-based integer codes (R integer or double vector).
fn codes(x: &Robj) -> Vec<usize> {
    doubles(x).iter().map(|&v| if v.is_finite() && v >= 0.0 { v as usize } else { usize::MAX }).collect()
}

fn optional_codes(x: &Robj) -> Option<Vec<usize>> {
    if x.is_null() {
        None
    } else {
        Some(codes(x))
    }
}

fn surv_data(time: &Robj, status: &Robj, weights: &Robj, strata: &Robj) -> Result<SurvData, SurvivalError> {
    let weights = optional_doubles(weights);
    let strata = optional_codes(strata);
    SurvData::new(&doubles(time), &doubles(status), weights.as_deref(), strata.as_deref())
}

fn ties(name: &str) -> Ties {
    if name == "breslow" {
        Ties::Breslow
    } else {
        Ties::Efron
    }
}

fn control(eps: f64, toler_chol: f64, iter_max: f64, toler_inf: f64) -> CoxControl {
    CoxControl { eps, toler_chol, iter_max: iter_max.max(0.0) as usize, toler_inf }
}

fn threads(n: f64) -> usize {
    if n.is_finite() && n >= 1.0 {
        n as usize
    } else {
        1
    }
}

/// Kaplan–Meier curves for groups `0..n_groups` (codes in `group`), concatenated, with
/// `rows` = number of rows of each curve.
#[extendr]
fn rg_km_fit(time: Robj, status: Robj, weights: Robj, group: Robj, n_groups: f64, conf_type: &str, conf_int: f64) -> Robj {
    let result = surv_data(&time, &status, &weights, &group).and_then(|surv| {
        let conf = ConfType::parse(conf_type)?;
        kaplan_meier(&surv, n_groups as usize, conf, conf_int)
    });
    to_robj(result.map(|curves| {
        let cat = |f: &dyn Fn(&rg_survival::km::KmCurve) -> &Vec<f64>| -> Vec<f64> { curves.iter().flat_map(|c| f(c).iter().copied()).collect() };
        list!(
            time = cat(&|c| &c.time),
            n_risk = cat(&|c| &c.n_risk),
            n_event = cat(&|c| &c.n_event),
            n_censor = cat(&|c| &c.n_censor),
            surv = cat(&|c| &c.surv),
            std_err = cat(&|c| &c.std_err),
            cumhaz = cat(&|c| &c.cumhaz),
            std_chaz = cat(&|c| &c.std_chaz),
            lower = cat(&|c| &c.lower),
            upper = cat(&|c| &c.upper),
            rows = curves.iter().map(|c| c.time.len() as i32).collect::<Vec<i32>>()
        )
    }))
}

/// survdiff: observed/expected are group-major per stratum (a groups × strata matrix in R).
#[extendr]
fn rg_logrank(time: Robj, status: Robj, group: Robj, n_groups: f64, strata: Robj, rho: f64) -> Robj {
    let result = surv_data(&time, &status, &().into(), &strata).and_then(|surv| logrank(&surv, &codes(&group), n_groups as usize, rho));
    to_robj(result.map(|lr| {
        list!(
            observed = lr.observed,
            expected = lr.expected,
            var = lr.var,
            chisq = lr.chisq,
            df = lr.df as f64,
            p_value = lr.p_value,
            n_strata = lr.n_strata as f64
        )
    }))
}

/// One Cox model. `x` is the n × p design (column-major), `init` NULL or p values.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_cox_fit(
    time: Robj,
    status: Robj,
    weights: Robj,
    strata: Robj,
    x: Robj,
    n_col: f64,
    ties_name: &str,
    eps: f64,
    toler_chol: f64,
    iter_max: f64,
    toler_inf: f64,
    init: Robj,
) -> Robj {
    let values = doubles(&x);
    let result = surv_data(&time, &status, &weights, &strata).and_then(|surv| {
        let design = Design::new(&values, surv.len(), n_col as usize)?;
        let options = CoxOptions {
            ties: ties(ties_name),
            control: control(eps, toler_chol, iter_max, toler_inf),
            init: optional_doubles(&init),
            ..CoxOptions::default()
        };
        cox_fit(&surv, &design, &options)
    });
    to_robj(result.map(|fit| {
        let concordance: Vec<f64> = fit
            .concordance
            .map(|c| vec![c.concordant, c.discordant, c.tied_x, c.tied_y, c.tied_xy, c.concordance, c.std])
            .unwrap_or_default();
        list!(
            coef = fit.coef.clone(),
            var = fit.var.clone(),
            loglik = fit.loglik.to_vec(),
            score = fit.score,
            wald = fit.wald,
            iter = fit.iter as i32,
            flag = fit.flag,
            converged = fit.converged,
            infinite = fit.infinite.clone(),
            any_infinite = fit.any_infinite,
            aliased = fit.aliased.clone(),
            means = fit.means.clone(),
            u = fit.u.clone(),
            linear_predictors = fit.linear_predictors.clone(),
            n = fit.n as f64,
            nevent = fit.nevent as f64,
            concordance = concordance
        )
    }))
}

/// One Cox model per feature. `features_in_rows`: `x` is features × samples (an R genes ×
/// samples matrix); otherwise samples × features. `covariates`: NULL or an n × q matrix.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_cox_screen(
    time: Robj,
    status: Robj,
    weights: Robj,
    strata: Robj,
    x: Robj,
    n_features: f64,
    features_in_rows: bool,
    covariates: Robj,
    n_covariates: f64,
    ties_name: &str,
    eps: f64,
    toler_chol: f64,
    iter_max: f64,
    toler_inf: f64,
    conf_level: f64,
    n_threads: f64,
    verbose: bool,
) -> Robj {
    rg_core::guard_rayon_after_fork();
    // a double matrix is read in place (an integer one is converted)
    let converted: Vec<f64>;
    let values: &[f64] = match x.as_real_slice() {
        Some(v) => v,
        None => {
            converted = doubles(&x);
            &converted
        }
    };
    let cov_values = optional_doubles(&covariates).unwrap_or_default();
    let mut monitor = RMonitor::new("Cox screening", verbose);
    let result = surv_data(&time, &status, &weights, &strata).and_then(|surv| {
        let n = surv.len();
        // an R features × samples matrix stores each sample's features contiguously
        let layout = if features_in_rows { FeatureLayout::SampleMajor } else { FeatureLayout::FeatureMajor };
        let features = Features::new(values, n_features as usize, n, layout)?;
        let cov = if n_covariates >= 1.0 { Some(Design::new(&cov_values, n, n_covariates as usize)?) } else { None };
        let options = ScreenOptions {
            ties: ties(ties_name),
            control: control(eps, toler_chol, iter_max, toler_inf),
            conf_level,
            n_threads: threads(n_threads),
        };
        cox_screen(&surv, &features, cov.as_ref(), &options, &mut monitor)
    });
    to_robj(result.map(|rows| {
        // R's NA for what could not be estimated (NaN here)
        let col = |f: &dyn Fn(&rg_survival::screen::ScreenRow) -> f64| -> Vec<f64> {
            rows.iter().map(|r| f(r)).map(|v| if v.is_nan() { <f64 as CanBeNA>::na() } else { v }).collect()
        };
        list!(
            coef = col(&|r| r.coef),
            hr = col(&|r| r.hr),
            lower = col(&|r| r.lower),
            upper = col(&|r| r.upper),
            se = col(&|r| r.se),
            z = col(&|r| r.z),
            p = col(&|r| r.p),
            p_lr = col(&|r| r.p_lr),
            p_score = col(&|r| r.p_score),
            padj = col(&|r| r.padj),
            n = rows.iter().map(|r| r.n as i32).collect::<Vec<i32>>(),
            nevent = rows.iter().map(|r| r.nevent as i32).collect::<Vec<i32>>(),
            converged = rows.iter().map(|r| r.converged).collect::<Vec<bool>>(),
            infinite = rows.iter().map(|r| r.infinite).collect::<Vec<bool>>(),
            iter = rows.iter().map(|r| r.iter as i32).collect::<Vec<i32>>()
        )
    }))
}

/// step(): `term_columns` / `term_variables` are lists (one integer vector per term, 0-based),
/// `lower` and `start` 0-based term indices.
#[extendr]
#[allow(clippy::too_many_arguments)]
fn rg_cox_stepwise(
    time: Robj,
    status: Robj,
    weights: Robj,
    strata: Robj,
    x: Robj,
    n_col: f64,
    term_labels: Vec<String>,
    term_columns: List,
    term_variables: List,
    lower: Robj,
    start: Robj,
    direction: &str,
    k: f64,
    ties_name: &str,
    eps: f64,
    toler_chol: f64,
    iter_max: f64,
    toler_inf: f64,
    n_threads: f64,
    verbose: bool,
) -> Robj {
    rg_core::guard_rayon_after_fork();
    let values = doubles(&x);
    let columns: Vec<Vec<usize>> = term_columns.values().map(|v| codes(&v)).collect();
    let variables: Vec<Vec<usize>> = term_variables.values().map(|v| codes(&v)).collect();
    let terms: Vec<Term> = term_labels
        .iter()
        .zip(columns)
        .zip(variables)
        .map(|((label, columns), variables)| Term { label: label.clone(), variables, columns })
        .collect();
    let mut monitor = RMonitor::new("stepwise rounds", verbose);
    let result = surv_data(&time, &status, &weights, &strata).and_then(|surv| {
        let design = Design::new(&values, surv.len(), n_col as usize)?;
        let options = StepOptions {
            ties: ties(ties_name),
            control: control(eps, toler_chol, iter_max, toler_inf),
            k,
            direction: match direction {
                "both" => Direction::Both,
                "forward" => Direction::Forward,
                _ => Direction::Backward,
            },
            max_steps: 1000,
            n_threads: threads(n_threads),
        };
        stepwise(&surv, &design, &terms, &codes(&lower), &codes(&start), &options, &mut monitor)
    });
    to_robj(result.map(|res| {
        list!(
            change = res.path.iter().map(|s| s.change.clone()).collect::<Vec<String>>(),
            loglik = res.path.iter().map(|s| s.loglik).collect::<Vec<f64>>(),
            edf = res.path.iter().map(|s| s.edf as f64).collect::<Vec<f64>>(),
            aic = res.path.iter().map(|s| s.aic).collect::<Vec<f64>>(),
            final_terms = res.final_terms.iter().map(|&t| t as i32).collect::<Vec<i32>>(),
            n_fits = res.n_fits as f64
        )
    }))
}

extendr_module! {
    mod survival;
    fn rg_km_fit;
    fn rg_logrank;
    fn rg_cox_fit;
    fn rg_cox_screen;
    fn rg_cox_stepwise;
}
