//! Small cases with hand-computed answers, identities between the estimators, and the
//! behaviour of screening and stepwise selection.

use rg_core::monitor::CancelAt;
use rg_core::Silent;
use rg_survival::km::{kaplan_meier, ConfType};
use rg_survival::logrank::logrank;
use rg_survival::screen::{cox_screen, FeatureLayout, Features, ScreenOptions};
use rg_survival::stepwise::{stepwise, Direction, StepOptions, Term};
use rg_survival::{cox_fit, CoxOptions, Design, SurvData, SurvivalError, Ties};

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1e-300)
}

fn fit(time: &[f64], status: &[f64], x: &[f64], p: usize, ties: Ties) -> rg_survival::CoxFit {
    let surv = SurvData::new(time, status, None, None).unwrap();
    let design = Design::new(x, time.len(), p).unwrap();
    cox_fit(&surv, &design, &CoxOptions { ties, ..Default::default() }).unwrap()
}

#[test]
fn null_log_likelihood_is_minus_sum_log_risk_set_sizes() {
    let time = [1.0, 2.0, 3.0, 4.0, 5.0];
    let status = [1.0; 5];
    let f = fit(&time, &status, &[0.3, -1.0, 2.0, 0.5, 1.5], 1, Ties::Efron);
    let expected = -(5.0f64.ln() + 4.0f64.ln() + 3.0f64.ln() + 2.0f64.ln());
    assert!(close(f.loglik[0], expected, 1e-14), "{} vs {}", f.loglik[0], expected);
}

#[test]
fn breslow_and_efron_handle_a_tie_as_derived() {
    // two deaths tied at t = 1 among 4 at risk, then deaths at 2 and 3; beta = 0 loglik:
    // Breslow: -2 log 4 - log 2; Efron: -(log 3 + log 4) - log 2
    let time = [1.0, 1.0, 2.0, 3.0];
    let status = [1.0; 4];
    let x = [1.0, 0.0, 0.5, 2.0];
    let b = fit(&time, &status, &x, 1, Ties::Breslow);
    let e = fit(&time, &status, &x, 1, Ties::Efron);
    assert!(close(b.loglik[0], -2.0 * 4.0f64.ln() - 2.0f64.ln(), 1e-14));
    assert!(close(e.loglik[0], -(3.0f64.ln() + 4.0f64.ln()) - 2.0f64.ln(), 1e-14));
    assert!(b.coef[0] != e.coef[0]);
}

#[test]
fn three_subject_model_has_the_closed_form_solution() {
    // L(b) = e^b / (2 e^b + 1) * 1 / (1 + e^b): maximised at e^b = 1/sqrt(2)
    let f = fit(&[1.0, 2.0, 3.0], &[1.0, 1.0, 1.0], &[1.0, 0.0, 1.0], 1, Ties::Breslow);
    let y = 0.5f64.sqrt();
    assert!(close(f.coef[0], y.ln(), 1e-9), "{}", f.coef[0]);
    let information = 2.0 * y / (2.0 * y + 1.0).powi(2) + y / (1.0 + y).powi(2);
    assert!(close(f.var[0], 1.0 / information, 1e-8));
    assert!(f.converged);
    assert!(!f.infinite[0]);
}

#[test]
fn score_test_of_a_binary_covariate_is_the_log_rank_test() {
    let time: Vec<f64> = (1..=30).map(|i| ((i * 37) % 101) as f64 + 0.5).collect();
    let status: Vec<f64> = (0..30).map(|i| if i % 4 == 3 { 0.0 } else { 1.0 }).collect();
    let group: Vec<usize> = (0..30).map(|i| (i * 7 % 5 < 2) as usize).collect();
    let x: Vec<f64> = group.iter().map(|&g| g as f64).collect();
    let f = fit(&time, &status, &x, 1, Ties::Breslow);
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let lr = logrank(&surv, &group, 2, 0.0).unwrap();
    assert!(close(f.score, lr.chisq, 1e-12), "{} vs {}", f.score, lr.chisq);
}

#[test]
fn monotone_likelihood_is_flagged_infinite() {
    // every x = 1 subject dies before every x = 0 subject
    let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let status = [1.0; 6];
    let f = fit(&time, &status, &[1.0, 1.0, 1.0, 0.0, 0.0, 0.0], 1, Ties::Efron);
    assert!(f.infinite[0] && f.any_infinite);
    assert!(f.coef[0] > 5.0);
}

#[test]
fn a_duplicated_column_is_aliased() {
    let time = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    let status = [1.0, 0.0, 1.0, 1.0, 0.0, 1.0];
    let x = [0.1, 0.7, 0.3, 0.9, 0.2, 0.5, 0.2, 1.4, 0.6, 1.8, 0.4, 1.0];
    let f = fit(&time, &status, &x, 2, Ties::Efron);
    assert!(!f.aliased[0] && f.aliased[1]);
    assert!(f.coef[1].is_nan() && f.coef[0].is_finite());
    assert_eq!(f.df(), 1);
}

#[test]
fn input_errors_are_typed() {
    let surv = SurvData::new(&[1.0, 2.0, 3.0], &[1.0, 0.0, 0.0], None, None).unwrap();
    let design = Design::new(&[1.0, 2.0, 3.0], 3, 1).unwrap();
    assert_eq!(cox_fit(&surv, &design, &CoxOptions::default()).unwrap_err(), SurvivalError::TooFewEvents { events: 1 });
    assert!(matches!(Design::new(&[1.0, 2.0], 3, 1), Err(SurvivalError::LengthMismatch { .. })));
    let e = SurvData::new(&[1.0, -1.0], &[1.0, 1.0], None, None).unwrap_err();
    assert!(e.to_string().contains("rows 2"));
}

#[test]
fn kaplan_meier_per_group() {
    let surv = SurvData::new(&[1.0, 2.0, 3.0, 1.0, 4.0], &[1.0, 1.0, 0.0, 0.0, 1.0], None, Some(&[0, 0, 0, 1, 1])).unwrap();
    let curves = kaplan_meier(&surv, 2, ConfType::Plain, 0.95).unwrap();
    assert_eq!(curves[0].surv, vec![2.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0]);
    assert_eq!(curves[1].surv, vec![1.0, 0.0]);
    assert_eq!(curves[1].n_risk, vec![2.0, 1.0]);
}

fn screening_data() -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let n = 40;
    let time: Vec<f64> = (0..n).map(|i| ((i * 53) % 97) as f64 + 1.0).collect();
    let status: Vec<f64> = (0..n).map(|i| if i % 3 == 0 { 0.0 } else { 1.0 }).collect();
    // 5 features, feature-major; feature 4 has a missing value
    let mut x: Vec<f64> = (0..5 * n).map(|k| (((k * 31) % 17) as f64 - 8.0) / 4.0).collect();
    x[4 * n + 7] = f64::NAN;
    (time, status, x)
}

#[test]
fn screening_equals_one_fit_per_feature_in_both_layouts() {
    let (time, status, x) = screening_data();
    let n = time.len();
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let by_feature = Features::new(&x, 5, n, FeatureLayout::FeatureMajor).unwrap();
    let rows = cox_screen(&surv, &by_feature, None, &ScreenOptions::default(), &mut Silent).unwrap();
    let transposed: Vec<f64> = (0..n).flat_map(|s| (0..5).map(move |f| (s, f))).map(|(s, f)| x[f * n + s]).collect();
    let by_sample = Features::new(&transposed, 5, n, FeatureLayout::SampleMajor).unwrap();
    let options = ScreenOptions { n_threads: 2, ..Default::default() };
    assert_eq!(rows, cox_screen(&surv, &by_sample, None, &options, &mut Silent).unwrap());
    for f in 0..4 {
        let single = fit(&time, &status, &x[f * n..(f + 1) * n], 1, Ties::Efron);
        assert_eq!(rows[f].coef, single.coef[0]);
        assert_eq!(rows[f].se, single.var[0].sqrt());
        assert_eq!(rows[f].iter, single.iter);
    }
    // the feature with a missing value is fitted on its 39 complete samples
    let keep: Vec<usize> = (0..n).filter(|&s| s != 7).collect();
    let t: Vec<f64> = keep.iter().map(|&s| time[s]).collect();
    let st: Vec<f64> = keep.iter().map(|&s| status[s]).collect();
    let v: Vec<f64> = keep.iter().map(|&s| x[4 * n + s]).collect();
    assert_eq!(rows[4].n, 39);
    assert_eq!(rows[4].coef, fit(&t, &st, &v, 1, Ties::Efron).coef[0]);
}

#[test]
fn screening_can_be_interrupted() {
    let (time, status, x) = screening_data();
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let features = Features::new(&x, 5, time.len(), FeatureLayout::FeatureMajor).unwrap();
    let err = cox_screen(&surv, &features, None, &ScreenOptions::default(), &mut CancelAt::new(1)).unwrap_err();
    assert_eq!(err, SurvivalError::Interrupted);
}

#[test]
fn backward_selection_drops_noise_and_keeps_forced_terms() {
    let n = 60;
    let signal: Vec<f64> = (0..n).map(|i| (i % 2) as f64).collect();
    let time: Vec<f64> = (0..n).map(|i| (((i * 29) % 61) as f64 + 1.0) / (1.0 + 3.0 * signal[i])).collect();
    let status: Vec<f64> = (0..n).map(|i| if i % 5 == 0 { 0.0 } else { 1.0 }).collect();
    let noise1: Vec<f64> = (0..n).map(|i| ((i * 7) % 11) as f64).collect();
    let noise2: Vec<f64> = (0..n).map(|i| ((i * 13) % 5) as f64).collect();
    let forced: Vec<f64> = (0..n).map(|i| ((i * 3) % 4) as f64).collect();
    let x: Vec<f64> = [forced, signal, noise1, noise2].concat();
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let design = Design::new(&x, n, 4).unwrap();
    let terms: Vec<Term> = ["forced", "signal", "noise1", "noise2"]
        .iter()
        .enumerate()
        .map(|(j, l)| Term { label: l.to_string(), variables: vec![j], columns: vec![j] })
        .collect();
    let options = StepOptions { direction: Direction::Backward, ..Default::default() };
    let res = stepwise(&surv, &design, &terms, &[0], &[0, 1, 2, 3], &options, &mut Silent).unwrap();
    assert!(res.final_terms.contains(&0) && res.final_terms.contains(&1));
    for pair in res.path.windows(2) {
        assert!(pair[1].aic < pair[0].aic);
        assert!(pair[1].change.starts_with("- noise"));
    }
    // each accepted model's AIC is its own fit's
    let last = res.path.last().unwrap();
    let columns: Vec<usize> = res.final_terms.clone();
    let sub: Vec<f64> = columns.iter().flat_map(|&c| x[c * n..(c + 1) * n].iter().copied()).collect();
    let refit = cox_fit(&surv, &Design::new(&sub, n, columns.len()).unwrap(), &CoxOptions::default()).unwrap();
    assert_eq!(last.aic, refit.aic(2.0));
}
