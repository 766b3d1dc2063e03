//! The backward sweep over the risk sets of the one-covariate kernel (`univariate.rs`).
//!
//! What the sweep does at a subject depends only on the outcome (its time, stratum, status and
//! weight), never on the covariate, so it is planned once per outcome and replayed on every
//! pass: the subjects in sweep order, grouped into runs in which each subject simply adds to
//! the risk-set sums (censored, or the only death at its time), and the times with tied deaths,
//! whose sums are pooled before they enter. The plan also fixes the death-time terms and their
//! weights.
//!
//! `coxfit6` walks the subjects from the last time back, adding each censored subject to the
//! sums at once and the deaths of a time after the time's censored subjects. The plan visits a
//! time's censored subjects first, then its deaths, which performs the same additions in the
//! same order; adding a lone death directly equals adding its pooled sums (0 + v is v).

use crate::cox::{SortedSurv, Ties};
use crate::simd::Vector;
use std::ops::Range;

#[derive(Debug, Clone, Copy)]
struct Step {
    /// Sorted position of the subject.
    person: usize,
    weight: f64,
    dead: bool,
}

#[derive(Debug, Clone)]
enum Segment {
    /// A stratum starts: the sums restart from zero.
    NewStratum,
    /// Subjects each added in turn; each death closes a death-time term.
    Singles(Range<usize>),
    /// A time with two or more deaths: its censored subjects, then its deaths pooled.
    TiedDeaths { censored: Range<usize>, deaths: Range<usize> },
}

#[derive(Debug, Clone)]
pub(crate) struct RiskSetPlan {
    steps: Vec<Step>,
    segments: Vec<Segment>,
    pub ties: Ties,
    /// The weight of each death-time term (Efron: of each fraction of a tied time).
    pub term_weights: Vec<f64>,
    unit_weights: bool,
}

impl RiskSetPlan {
    pub(crate) fn new(sorted: &SortedSurv, ties: Ties) -> Self {
        let mut plan = RiskSetPlan { steps: Vec::with_capacity(sorted.len()), segments: Vec::new(), ties, term_weights: Vec::new(), unit_weights: false };
        let mut person = sorted.len();
        let mut group = Vec::new();
        while person > 0 {
            if sorted.last_in_stratum[person - 1] {
                plan.segments.push(Segment::NewStratum);
            }
            let time = sorted.time[person - 1];
            group.clear();
            while person > 0 && sorted.time[person - 1] == time {
                group.push(person - 1);
                person -= 1;
                if person > 0 && sorted.last_in_stratum[person - 1] {
                    break;
                }
            }
            plan.add_time(sorted, &group);
        }
        plan.unit_weights = plan.term_weights.iter().all(|&w| w == 1.0);
        plan
    }

    pub(crate) fn n_terms(&self) -> usize {
        self.term_weights.len()
    }

    /// Every term has weight 1 (no case weights, or Efron's ties without them).
    pub(crate) fn unit_term_weights(&self) -> bool {
        self.unit_weights
    }

    /// Adds the subjects of one time (in `coxfit6`'s order).
    fn add_time(&mut self, sorted: &SortedSurv, group: &[usize]) {
        let step = |k: usize| Step { person: k, weight: sorted.weights[k], dead: sorted.status[k] };
        let censored_start = self.steps.len();
        self.steps.extend(group.iter().filter(|&&k| !sorted.status[k]).map(|&k| step(k)));
        let deaths_start = self.steps.len();
        self.steps.extend(group.iter().filter(|&&k| sorted.status[k]).map(|&k| step(k)));
        let deaths = deaths_start..self.steps.len();
        let deadwt = self.steps[deaths.clone()].iter().fold(0.0, |sum, s| sum + s.weight);
        if deaths.len() < 2 {
            self.term_weights.extend(self.steps[deaths].iter().map(|_| deadwt));
            match self.segments.last_mut() {
                Some(Segment::Singles(run)) => run.end = self.steps.len(),
                _ => self.segments.push(Segment::Singles(censored_start..self.steps.len())),
            }
            return;
        }
        let nd = deaths.len();
        match self.ties {
            Ties::Efron => self.term_weights.extend(std::iter::repeat_n(deadwt / nd as f64, nd)),
            Ties::Breslow => self.term_weights.push(deadwt),
        }
        self.segments.push(Segment::TiedDeaths { censored: censored_start..deaths_start, deaths });
    }
}

/// The risk-set sums at every death-time term, `L` lanes per term.
pub(crate) struct TermSums<'a, const L: usize> {
    pub denoms: &'a mut [[f64; L]],
    pub sums: &'a mut [[f64; L]],
    pub squares: &'a mut [[f64; L]],
}

/// Running sums of risk, risk x and risk x^2 over the current risk set.
#[derive(Clone, Copy)]
struct RiskSet<V> {
    denom: V,
    a: V,
    cmat: V,
}

impl<V: Vector> RiskSet<V> {
    #[inline(always)]
    fn empty() -> Self {
        RiskSet { denom: V::zero(), a: V::zero(), cmat: V::zero() }
    }

    // With `AT_ZERO` (every coefficient 0) the risk-set sums of risk are the same for every
    // column and known beforehand; they are neither summed nor recorded.

    #[inline(always)]
    fn add<const AT_ZERO: bool>(&mut self, risk: V, x: V) {
        let rx = risk.mul(x);
        if !AT_ZERO {
            self.denom = self.denom.add(risk);
        }
        self.a = self.a.add(rx);
        self.cmat = self.cmat.add(rx.mul(x));
    }

    #[inline(always)]
    fn add_fraction<const AT_ZERO: bool>(&mut self, pooled: &RiskSet<V>, nd: V) {
        if !AT_ZERO {
            self.denom = self.denom.add(pooled.denom.div(nd));
        }
        self.a = self.a.add(pooled.a.div(nd));
        self.cmat = self.cmat.add(pooled.cmat.div(nd));
    }

    #[inline(always)]
    fn add_all<const AT_ZERO: bool>(&mut self, pooled: &RiskSet<V>) {
        if !AT_ZERO {
            self.denom = self.denom.add(pooled.denom);
        }
        self.a = self.a.add(pooled.a);
        self.cmat = self.cmat.add(pooled.cmat);
    }

    #[inline(always)]
    fn record<const L: usize, const AT_ZERO: bool>(&self, term: usize, out: &mut TermSums<L>) {
        if !AT_ZERO {
            self.denom.store(&mut out.denoms[term]);
        }
        self.a.store(&mut out.sums[term]);
        self.cmat.store(&mut out.squares[term]);
    }
}

/// Each subject's values in the `L` lanes (sorted order); at coefficient 0 only `x` is read.
pub(crate) struct Subjects<'a, const L: usize> {
    pub x: &'a [[f64; L]],
    pub zbeta: &'a [[f64; L]],
    pub risk: &'a [[f64; L]],
}

impl<const L: usize> Subjects<'_, L> {
    /// A subject's covariate, linear predictor and weighted risk in every lane.
    #[inline(always)]
    fn get<V: Vector, const AT_ZERO: bool>(&self, step: &Step) -> (V, V, V) {
        let k = step.person;
        if AT_ZERO {
            // the risk is exp(0) = 1 (times the weight), the linear predictor 0
            return (V::load(&self.x[k]), V::zero(), V::splat(step.weight));
        }
        (V::load(&self.x[k]), V::load(&self.zbeta[k]), V::load(&self.risk[k]).mul(V::splat(step.weight)))
    }
}

/// The deaths' part of the log-likelihood and of the score.
#[derive(Clone, Copy)]
struct DeathSums<V> {
    loglik: V,
    u: V,
}

impl<V: Vector> DeathSums<V> {
    /// Adds the subject when `dead` (and exact zeros otherwise). At coefficient 0 the
    /// log-likelihood gains zeros only.
    #[inline(always)]
    fn add<const AT_ZERO: bool>(&mut self, step: &Step, x: V, zbeta: V, dead: bool) {
        let w = V::splat(step.weight);
        if !AT_ZERO {
            self.loglik = self.loglik.add(w.mul(zbeta).keep_if(dead));
        }
        self.u = self.u.add(w.mul(x).keep_if(dead));
    }
}

/// The sweep of one pass (`V` holds the `L` lanes). Records the sums at each term in `out`;
/// returns the deaths' part of the log-likelihood and of the score. `AT_ZERO`: every lane's
/// coefficient is 0 (the log-likelihood part is 0 then, and the sums of risk are not taken).
#[inline(always)]
pub(crate) fn sweep<V: Vector, const L: usize, const AT_ZERO: bool>(plan: &RiskSetPlan, subjects: &Subjects<L>, out: &mut TermSums<L>) -> (V, V) {
    // slices of one length, so that each access needs one bounds check, not three
    let n = subjects.x.len();
    let subjects = &match AT_ZERO {
        true => Subjects { x: subjects.x, zbeta: &[], risk: &[] },
        false => Subjects { x: subjects.x, zbeta: &subjects.zbeta[..n], risk: &subjects.risk[..n] },
    };
    let slots = out.sums.len();
    let out = &mut match AT_ZERO {
        true => TermSums { denoms: &mut [], sums: &mut out.sums[..], squares: &mut out.squares[..slots] },
        false => TermSums { denoms: &mut out.denoms[..slots], sums: &mut out.sums[..], squares: &mut out.squares[..slots] },
    };
    let mut deaths = DeathSums { loglik: V::zero(), u: V::zero() };
    let mut sums = RiskSet::<V>::empty();
    let mut term = 0usize;
    for segment in &plan.segments {
        match segment {
            Segment::NewStratum => sums = RiskSet::empty(),
            Segment::Singles(run) => {
                for step in &plan.steps[run.clone()] {
                    let (xk, zk, rk) = subjects.get::<V, AT_ZERO>(step);
                    sums.add::<AT_ZERO>(rk, xk);
                    deaths.add::<AT_ZERO>(step, xk, zk, step.dead);
                    // written for every subject, kept (by moving on) only after a death
                    sums.record::<L, AT_ZERO>(term, out);
                    term += step.dead as usize;
                }
            }
            Segment::TiedDeaths { censored, deaths: tied } => {
                for step in &plan.steps[censored.clone()] {
                    let (xk, _, rk) = subjects.get::<V, AT_ZERO>(step);
                    sums.add::<AT_ZERO>(rk, xk);
                }
                let mut pooled = RiskSet::<V>::empty();
                for step in &plan.steps[tied.clone()] {
                    let (xk, zk, rk) = subjects.get::<V, AT_ZERO>(step);
                    pooled.add::<AT_ZERO>(rk, xk);
                    deaths.add::<AT_ZERO>(step, xk, zk, true);
                }
                if plan.ties == Ties::Efron {
                    let nd = V::splat(tied.len() as f64);
                    for _ in tied.clone() {
                        sums.add_fraction::<AT_ZERO>(&pooled, nd);
                        sums.record::<L, AT_ZERO>(term, out);
                        term += 1;
                    }
                } else {
                    sums.add_all::<AT_ZERO>(&pooled);
                    sums.record::<L, AT_ZERO>(term, out);
                    term += 1;
                }
            }
        }
    }
    debug_assert_eq!(term, plan.n_terms());
    (deaths.loglik, deaths.u)
}
