//! Stepwise selection of Cox model terms by AIC: the search of R's `step()` on a `coxph` fit
//! with `scope = list(lower = keep, upper = formula)`, reproduced decision by decision:
//!
//! - each round tries every droppable term (`drop1`) and, for direction "both"/"forward",
//!   every addable term (`add1`), refitting from zero as `update()` does;
//! - droppable / addable terms respect marginality exactly as `factor.scope()` decides;
//! - a drop that loses no degrees of freedom (an all-NA term) is taken at once;
//! - otherwise the candidate with the smallest AIC wins, ties going to "no change", then to the
//!   earlier candidate (R's stable `order()`); the search stops when no change improves AIC;
//! - AIC = −2 log L + k × (number of non-NA coefficients) (`extractAIC.coxph`).
//!
//! Terms are sets of design columns; a sub-model's design is the full design's columns of its
//! terms, which equals `model.matrix()` of the sub-formula for hierarchical formulas.

use crate::cox::{coxfit6, coxfit6_summary, extract_aic, finish_raw, validate, CoxControl, Design, FitSummary, SortedSurv, Ties, Workspace};
use crate::data::SurvData;
use crate::error::SurvivalError;
use rg_core::threads::{map_items, workers};
use std::cell::RefCell;
use rg_core::Monitor;

#[derive(Debug, Clone, PartialEq)]
pub struct Term {
    pub label: String,
    /// The variables the term involves (ids into any common numbering), e.g. `a:b` -> {a, b}.
    pub variables: Vec<usize>,
    /// Its columns in the full design.
    pub columns: Vec<usize>,
}

impl Term {
    fn degree(&self) -> usize {
        self.variables.len()
    }

    fn shared(&self, other: &Term) -> usize {
        self.variables.iter().filter(|v| other.variables.contains(v)).count()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Backward,
    Forward,
    Both,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepOptions {
    pub ties: Ties,
    pub control: CoxControl,
    pub k: f64,
    pub direction: Direction,
    pub max_steps: usize,
    pub n_threads: usize,
}

impl Default for StepOptions {
    fn default() -> Self {
        StepOptions { ties: Ties::Efron, control: CoxControl::default(), k: 2.0, direction: Direction::Backward, max_steps: 1000, n_threads: 1 }
    }
}

/// One accepted model on the path (the first is the starting model).
#[derive(Debug, Clone, PartialEq)]
pub struct StepRecord {
    /// "" for the start, "- term" or "+ term" (step()'s labels).
    pub change: String,
    pub loglik: f64,
    /// Number of non-NA coefficients.
    pub edf: usize,
    pub aic: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct StepResult {
    pub path: Vec<StepRecord>,
    /// Term indices of the final model, in model order.
    pub final_terms: Vec<usize>,
    /// Number of Cox models fitted.
    pub n_fits: usize,
}

/// Runs the search. `terms` is the upper scope (the full formula's terms, in `terms()` order);
/// `lower` and `start` are indices into it.
pub fn stepwise(
    surv: &SurvData,
    x: &Design,
    terms: &[Term],
    lower: &[usize],
    start: &[usize],
    options: &StepOptions,
    monitor: &mut dyn Monitor,
) -> Result<StepResult, SurvivalError> {
    validate(surv, x)?;
    check_terms(terms, lower, start, x.p)?;
    let pool = workers(options.n_threads).map_err(|e| SurvivalError::invalid("n_threads", e.to_string()))?;
    let search = Search { sorted: SortedSurv::new(surv), surv, x, terms, options };

    let mut model: Vec<usize> = order_by_degree(terms, start.to_vec());
    let first = search.fit(&model, None);
    if first.record.aic.is_nan() {
        return Err(SurvivalError::invalid("formula", "AIC is not defined for the starting model, so the search cannot proceed"));
    }
    let mut path = vec![StepRecord { change: String::new(), ..first.record.clone() }];
    let mut current = first;
    let mut n_fits = 1;
    let total_rounds = terms.len().max(1);
    for round in 0..options.max_steps {
        let drops = if options.direction != Direction::Forward { drop_scope(terms, &model, lower) } else { Vec::new() };
        let adds = if options.direction != Direction::Backward { add_scope(terms, &model) } else { Vec::new() };
        let drop_models: Vec<Vec<usize>> = drops.iter().map(|&t| model.iter().copied().filter(|&m| m != t).collect()).collect();
        let parent = Some((model.as_slice(), &current));
        let drop_fits = map_items(pool.as_ref(), &drop_models, |m| search.fit(m, parent));
        n_fits += drop_fits.len();

        // a drop that loses no degrees of freedom is taken without comparing AIC (the last one)
        let zero_df = (0..drops.len()).rev().find(|&i| drop_fits[i].record.edf == current.record.edf);
        let (change, next_model, _candidate) = if let Some(i) = zero_df {
            (format!("- {}", terms[drops[i]].label), drop_models[i].clone(), drop_fits[i].clone())
        } else {
            let add_models: Vec<Vec<usize>> = adds
                .iter()
                .map(|&t| {
                    let mut m = model.clone();
                    m.push(t);
                    order_by_degree(terms, m)
                })
                .collect();
            let add_fits = map_items(pool.as_ref(), &add_models, |m| search.fit(m, parent));
            n_fits += add_fits.len();
            // candidates in step()'s row order: <none>, drops, adds (zero-df adds removed)
            let mut rows: Vec<(String, Vec<usize>, Fitted)> = vec![(String::new(), model.clone(), current.clone())];
            for (i, fit) in drop_fits.into_iter().enumerate() {
                rows.push((format!("- {}", terms[drops[i]].label), drop_models[i].clone(), fit));
            }
            for (i, fit) in add_fits.into_iter().enumerate() {
                if fit.record.edf != current.record.edf {
                    rows.push((format!("+ {}", terms[adds[i]].label), add_models[i].clone(), fit));
                }
            }
            let best = best_row(&rows);
            if best == 0 {
                break;
            }
            rows.swap_remove(best)
        };
        monitor.step((round + 1).min(total_rounds), total_rounds)?;
        let previous_aic = current.record.aic;
        // the accepted model is refitted from 0, so the path reports exactly the fits step()
        // reports (the warm-started candidate agrees to rounding)
        current = search.fit(&next_model, None);
        model = next_model;
        if current.record.aic >= previous_aic + 1e-7 {
            // step() keeps the new fit but does not record it
            break;
        }
        path.push(StepRecord { change, ..current.record.clone() });
    }
    Ok(StepResult { path, final_terms: model, n_fits })
}

/// Index of the smallest AIC, first on ties, NaN last (R's `order()`).
fn best_row(rows: &[(String, Vec<usize>, Fitted)]) -> usize {
    let mut best = 0;
    for (i, row) in rows.iter().enumerate().skip(1) {
        let (a, b) = (row.2.record.aic, rows[best].2.record.aic);
        if !a.is_nan() && (b.is_nan() || a < b) {
            best = i;
        }
    }
    best
}

struct Search<'a> {
    sorted: SortedSurv,
    surv: &'a SurvData,
    x: &'a Design<'a>,
    terms: &'a [Term],
    options: &'a StepOptions,
}

thread_local! {
    /// Each thread's workspace, reset for every candidate fit.
    static WORKSPACE: RefCell<Workspace> = RefCell::new(Workspace::new(0, 0));
}

/// A fitted candidate: its AIC record and its coefficients (its terms' design columns in
/// model order; NaN where aliased).
#[derive(Debug, Clone)]
struct Fitted {
    record: StepRecord,
    coef: Vec<f64>,
    /// Converged without step halving or an infinite coefficient: a safe starting point.
    clean: bool,
}

impl Search<'_> {
    fn columns(&self, model: &[usize]) -> Vec<usize> {
        model.iter().flat_map(|&t| self.terms[t].columns.iter().copied()).collect()
    }

    /// extractAIC of the model made of `model`'s terms.
    ///
    /// A candidate differs from its parent (the current model) by one term, so it starts from
    /// the parent's coefficients (0 for an added term) and needs fewer Newton steps. The
    /// maximum, hence the log-likelihood and the AIC, is the one a fit from 0 reaches (to
    /// rounding); where that is not assured (a parent or a fit that did not converge cleanly,
    /// e.g. a coefficient drifting to infinity, where the stopping point is what matters),
    /// the candidate is fitted from 0 as `update()` would.
    fn fit(&self, model: &[usize], parent: Option<(&[usize], &Fitted)>) -> Fitted {
        let columns = self.columns(model);
        let p = columns.len();
        if p == 0 {
            let mut work = Workspace::new(self.sorted.len(), 0);
            let loglik = crate::cox::iterate(&self.sorted, &mut work, self.options.ties, &[]);
            let record = StepRecord { change: String::new(), loglik, edf: 0, aic: -2.0 * loglik };
            return Fitted { record, coef: Vec::new(), clean: true };
        }
        WORKSPACE.with_borrow_mut(|work| {
            work.reset(self.sorted.len(), p);
            self.fit_in(&columns, work, parent)
        })
    }

    /// `fit` of a model with `columns`, in `work`.
    fn fit_in(&self, columns: &[usize], work: &mut Workspace, parent: Option<(&[usize], &Fitted)>) -> Fitted {
        let p = columns.len();
        let warm = parent.filter(|(_, fitted)| fitted.clean).map(|(terms, fitted)| self.start_from(columns, &self.columns(terms), &fitted.coef));
        if let Some(init) = warm {
            let fitted = self.fit_from(columns, work, &init, false);
            if fitted.clean {
                return fitted;
            }
        }
        self.fit_from(columns, work, &vec![0.0; p], true)
    }

    /// The parent's coefficient of each column (0 for new or aliased columns).
    fn start_from(&self, columns: &[usize], parent_columns: &[usize], parent_coef: &[f64]) -> Vec<f64> {
        columns
            .iter()
            .map(|c| match parent_columns.iter().position(|pc| pc == c) {
                Some(i) if parent_coef[i].is_finite() => parent_coef[i],
                _ => 0.0,
            })
            .collect()
    }

    fn fit_from(&self, columns: &[usize], work: &mut Workspace, init: &[f64], exact: bool) -> Fitted {
        let p = columns.len();
        for (i, &c) in columns.iter().enumerate() {
            let values = self.sorted.order.iter().map(|&row| self.x.get(row, c));
            work.set_sorted_column(i, values, true);
        }
        // only the accepted models' log-likelihoods are reported, and those are refitted
        // exactly (see `stepwise`): candidates may use the faster sums and skip the variance
        work.fast_sums = !exact;
        let (ties, control) = (self.options.ties, &self.options.control);
        let fit = if exact {
            let raw = coxfit6(&self.sorted, work, init, ties, control);
            FitSummary::of(&finish_raw(&raw, p, self.surv.len(), self.surv.n_events(), f64::NEG_INFINITY, *control, None))
        } else {
            coxfit6_summary(&self.sorted, work, init, ties, control, self.surv.n_events())
        };
        let record = StepRecord { change: String::new(), loglik: fit.loglik, edf: fit.df, aic: extract_aic(fit.loglik, fit.df, self.options.k) };
        Fitted { record, coef: fit.coef, clean: fit.clean }
    }
}

/// `terms()` orders terms by degree, keeping the order of appearance within a degree.
fn order_by_degree(terms: &[Term], mut model: Vec<usize>) -> Vec<usize> {
    model.sort_by_key(|&t| terms[t].degree());
    model
}

/// `factor.scope(...)$drop`: model terms outside `lower` that no other such term contains.
fn drop_scope(terms: &[Term], model: &[usize], lower: &[usize]) -> Vec<usize> {
    let free: Vec<usize> = model.iter().copied().filter(|t| !lower.contains(t)).collect();
    if free.len() <= 1 {
        return free;
    }
    free.iter()
        .copied()
        .filter(|&i| {
            let own = terms[i].degree();
            let max_shared = free.iter().filter(|&&j| j != i).map(|&j| terms[i].shared(&terms[j])).max().unwrap_or(0);
            max_shared != own
        })
        .collect()
}

/// `factor.scope(...)$add`: upper-scope terms not in the model none of whose margins is
/// itself still waiting to be added.
fn add_scope(terms: &[Term], model: &[usize]) -> Vec<usize> {
    let candidates: Vec<usize> = (0..terms.len()).filter(|t| !model.contains(t)).collect();
    if candidates.len() <= 1 {
        return candidates;
    }
    let mut keep = vec![true; candidates.len()];
    for (a, &i) in candidates.iter().enumerate() {
        for (b, &j) in candidates.iter().enumerate() {
            if a != b && terms[i].shared(&terms[j]) >= terms[i].degree() {
                keep[b] = false;
            }
        }
    }
    candidates.into_iter().zip(keep).filter(|(_, k)| *k).map(|(t, _)| t).collect()
}

fn check_terms(terms: &[Term], lower: &[usize], start: &[usize], p: usize) -> Result<(), SurvivalError> {
    if terms.iter().any(|t| t.columns.iter().any(|&c| c >= p)) {
        return Err(SurvivalError::invalid("formula", "a term refers to a column outside the design"));
    }
    if lower.iter().chain(start).any(|&t| t >= terms.len()) {
        return Err(SurvivalError::invalid("keep", "refers to a term outside the formula"));
    }
    if let Some(&t) = lower.iter().find(|t| !start.contains(t)) {
        return Err(SurvivalError::invalid("keep", format!("term `{}` is not in the starting model", terms[t].label)));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn term(label: &str, variables: &[usize]) -> Term {
        Term { label: label.into(), variables: variables.to_vec(), columns: Vec::new() }
    }

    #[test]
    fn marginality_of_scopes() {
        // a, b, c, a:b
        let terms = vec![term("a", &[0]), term("b", &[1]), term("c", &[2]), term("a:b", &[0, 1])];
        assert_eq!(drop_scope(&terms, &[0, 1, 2, 3], &[]), vec![2, 3]);
        assert_eq!(drop_scope(&terms, &[0, 1, 2, 3], &[2]), vec![3]);
        assert_eq!(drop_scope(&terms, &[0, 1, 2], &[]), vec![0, 1, 2]);
        // a:b can only be added once a and b are in
        assert_eq!(add_scope(&terms, &[2]), vec![0, 1]);
        assert_eq!(add_scope(&terms, &[0, 2]), vec![1]);
        assert_eq!(add_scope(&terms, &[0, 1, 2]), vec![3]);
    }
}
