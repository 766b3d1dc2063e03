//! Kaplan–Meier curves as `survfit()` computes them (survival's `survfitkm.c`, type 1):
//! one row per distinct time (events or censorings), weighted counts, the product-limit
//! estimate with Greenwood's variance on the −log S scale, the Nelson–Aalen cumulative hazard
//! and its standard error, and `survfit_confint()`'s intervals.

use crate::data::SurvData;
use crate::error::SurvivalError;
use crate::stats::normal_quantile;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConfType {
    Log,
    LogLog,
    Plain,
    Logit,
    Arcsin,
    None,
}

impl ConfType {
    pub fn parse(name: &str) -> Result<Self, SurvivalError> {
        Ok(match name {
            "log" => ConfType::Log,
            "log-log" => ConfType::LogLog,
            "plain" => ConfType::Plain,
            "logit" => ConfType::Logit,
            "arcsin" => ConfType::Arcsin,
            "none" => ConfType::None,
            _ => {
                return Err(SurvivalError::invalid(
                    "conf.type",
                    format!("must be one of \"log\", \"log-log\", \"plain\", \"logit\", \"arcsin\", \"none\", not \"{name}\""),
                ))
            }
        })
    }
}

/// One survival curve (the rows of one stratum of a `survfit` object).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct KmCurve {
    pub time: Vec<f64>,
    pub n_risk: Vec<f64>,
    pub n_event: Vec<f64>,
    pub n_censor: Vec<f64>,
    pub surv: Vec<f64>,
    /// Standard error of −log S (Greenwood).
    pub std_err: Vec<f64>,
    pub cumhaz: Vec<f64>,
    pub std_chaz: Vec<f64>,
    /// Empty when `ConfType::None`.
    pub lower: Vec<f64>,
    pub upper: Vec<f64>,
}

/// One curve per group `0..n_groups` (the stratum codes of `surv`); an empty group gives an
/// empty curve.
pub fn kaplan_meier(surv: &SurvData, n_groups: usize, conf_type: ConfType, conf_int: f64) -> Result<Vec<KmCurve>, SurvivalError> {
    if !(conf_int > 0.0 && conf_int < 1.0) {
        return Err(SurvivalError::invalid("conf.int", format!("must be between 0 and 1, not {conf_int}")));
    }
    if let Some(&g) = surv.strata.iter().find(|&&g| g >= n_groups) {
        return Err(SurvivalError::invalid("group", format!("has code {g} but only {n_groups} groups")));
    }
    let z = normal_quantile(1.0 - (1.0 - conf_int) / 2.0);
    Ok((0..n_groups)
        .map(|g| {
            let rows: Vec<usize> = (0..surv.len()).filter(|&i| surv.strata[i] == g).collect();
            let mut curve = curve_for(surv, &rows);
            if conf_type != ConfType::None {
                let (lower, upper) = confidence_limits(&curve.surv, &curve.std_err, conf_type, z);
                curve.lower = lower;
                curve.upper = upper;
            }
            curve
        })
        .collect())
}

fn curve_for(surv: &SurvData, rows: &[usize]) -> KmCurve {
    let mut sorted: Vec<usize> = rows.to_vec();
    sorted.sort_by(|&a, &b| surv.time[a].total_cmp(&surv.time[b]));
    // weighted at-risk totals are accumulated from the end, as survfitkm does
    let mut at_risk_from_end = vec![0.0; sorted.len()];
    let mut running = 0.0;
    for (k, &i) in sorted.iter().enumerate().rev() {
        running += surv.weights[i];
        at_risk_from_end[k] = running;
    }
    let mut curve = KmCurve::default();
    let (mut km, mut nelson, mut v1, mut v2) = (1.0, 0.0, 0.0, 0.0);
    let mut start = 0;
    while start < sorted.len() {
        let t = surv.time[sorted[start]];
        let mut end = start;
        let (mut d0, mut d1, mut censored) = (0usize, 0.0, 0.0);
        while end < sorted.len() && surv.time[sorted[end]] == t {
            let i = sorted[end];
            if surv.status[i] {
                d0 += 1;
                d1 += surv.weights[i];
            } else {
                censored += surv.weights[i];
            }
            end += 1;
        }
        let nrisk = at_risk_from_end[start];
        if d0 > 0 && d1 > 0.0 {
            nelson += d1 / nrisk;
            v2 += d1 / (nrisk * nrisk);
            km *= (nrisk - d1) / nrisk;
            v1 += d1 / (nrisk * (nrisk - d1)); // Greenwood
        }
        curve.time.push(t);
        curve.n_risk.push(nrisk);
        curve.n_event.push(d1);
        curve.n_censor.push(censored);
        curve.surv.push(km);
        curve.std_err.push(v1.sqrt());
        curve.cumhaz.push(nelson);
        curve.std_chaz.push(v2.sqrt());
        start = end;
    }
    curve
}

/// R's `pmax(x, lo)` / `pmin(x, hi)`: NaN stays NaN.
fn r_max(x: f64, lo: f64) -> f64 {
    if x.is_nan() { x } else { x.max(lo) }
}
fn r_min(x: f64, hi: f64) -> f64 {
    if x.is_nan() { x } else { x.min(hi) }
}

/// `survfit_confint(p, se, logse = TRUE, conf.type, conf.int, selow = se)`.
pub fn confidence_limits(p: &[f64], se: &[f64], conf_type: ConfType, z: f64) -> (Vec<f64>, Vec<f64>) {
    let mut lower = Vec::with_capacity(p.len());
    let mut upper = Vec::with_capacity(p.len());
    for (&p, &se) in p.iter().zip(se) {
        // survival's scale = selow / se with selow == se: 1, or NaN when se is infinite
        let scale = if se == 0.0 || se.is_finite() { 1.0 } else { f64::NAN };
        let (lo, hi) = match conf_type {
            ConfType::Plain => {
                let se2 = se * p * z;
                (r_max(p - se2 * scale, 0.0), r_min(p + se2, 1.0))
            }
            ConfType::Log => {
                let xx = if p == 0.0 { f64::NAN } else { p };
                let se2 = z * se;
                ((xx.ln() - se2 * scale).exp(), r_min((xx.ln() + se2).exp(), 1.0))
            }
            ConfType::LogLog => {
                let xx = if p == 0.0 || p == 1.0 { f64::NAN } else { p };
                let se2 = z * se / xx.ln();
                let ll = (-xx.ln()).ln();
                ((-(ll - se2 * scale).exp()).exp(), (-(ll + se2).exp()).exp())
            }
            ConfType::Logit => {
                let xx = if p == 0.0 { f64::NAN } else { p };
                let se2 = z * se * (1.0 + xx / (1.0 - xx));
                let logit = (p / (1.0 - p)).ln();
                (1.0 - 1.0 / (1.0 + (logit - se2 * scale).exp()), 1.0 - 1.0 / (1.0 + (logit + se2).exp()))
            }
            ConfType::Arcsin => {
                let xx = if p == 0.0 { f64::NAN } else { p };
                let se2 = 0.5 * z * se * (xx / (1.0 - xx)).sqrt();
                let a = xx.sqrt().asin();
                let lo = r_max(a - se2 * scale, 0.0).sin();
                let hi = r_min(a + se2, std::f64::consts::FRAC_PI_2).sin();
                (lo * lo, hi * hi)
            }
            ConfType::None => (f64::NAN, f64::NAN),
        };
        lower.push(lo);
        upper.push(hi);
    }
    (lower, upper)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: &[f64], b: &[f64]) {
        assert_eq!(a.len(), b.len(), "{a:?} vs {b:?}");
        for (x, y) in a.iter().zip(b) {
            assert!((x.is_nan() && y.is_nan()) || (x - y).abs() < 1e-7 * y.abs().max(1.0), "{a:?} vs {b:?}");
        }
    }

    #[test]
    fn hand_computed_curve() {
        // survfit(Surv(c(1,2,3,3,4), c(1,0,1,1,0)) ~ 1)
        let surv = SurvData::new(&[1.0, 2.0, 3.0, 3.0, 4.0], &[1.0, 0.0, 1.0, 1.0, 0.0], None, None).unwrap();
        let c = &kaplan_meier(&surv, 1, ConfType::Log, 0.95).unwrap()[0];
        close(&c.time, &[1.0, 2.0, 3.0, 4.0]);
        close(&c.n_risk, &[5.0, 4.0, 3.0, 1.0]);
        close(&c.n_event, &[1.0, 0.0, 2.0, 0.0]);
        close(&c.n_censor, &[0.0, 1.0, 0.0, 1.0]);
        // S = 4/5, 4/5, 4/5 * 1/3
        close(&c.surv, &[0.8, 0.8, 0.8 / 3.0, 0.8 / 3.0]);
        // Greenwood: 1/(5*4) then + 2/(3*1)
        close(&c.std_err, &[0.05f64.sqrt(), 0.05f64.sqrt(), (0.05f64 + 2.0 / 3.0).sqrt(), (0.05f64 + 2.0 / 3.0).sqrt()]);
        // Nelson–Aalen: 1/5 then + 2/3
        close(&c.cumhaz, &[0.2, 0.2, 0.2 + 2.0 / 3.0, 0.2 + 2.0 / 3.0]);
        close(&c.lower, &[0.51612576, 0.51612576, 0.05074277, 0.05074277]);
        close(&c.upper, &[1.0, 1.0, 1.0, 1.0]);
        let c = &kaplan_meier(&surv, 1, ConfType::LogLog, 0.95).unwrap()[0];
        close(&c.lower, &[0.203809263, 0.203809263, 0.009677001, 0.009677001]);
    }

    #[test]
    fn curve_reaching_zero() {
        let surv = SurvData::new(&[1.0, 2.0, 3.0, 3.0], &[1.0, 0.0, 1.0, 1.0], None, None).unwrap();
        let c = &kaplan_meier(&surv, 1, ConfType::Log, 0.95).unwrap()[0];
        close(&c.surv, &[0.75, 0.75, 0.0]);
        assert!(c.std_err[2].is_infinite());
        assert!(c.lower[2].is_nan() && c.upper[2].is_nan());
        close(&c.std_chaz, &[0.25, 0.25, 0.75]);
    }
}
