//! The G-rho family of k-sample tests (`survdiff()`; rho = 0 is the log-rank test), a port of
//! survival's `survdiff2.c` and the chi-square of `survdiff()`.

use crate::data::{check_length, SurvData};
use crate::error::SurvivalError;
use crate::linalg::lu_solve;
use crate::stats::chisq_upper;

#[derive(Debug, Clone, PartialEq)]
pub struct LogRank {
    pub n_groups: usize,
    pub n_strata: usize,
    /// Observed (weighted by S(t-)^rho) events, group-major per stratum: `observed[s * k + g]`.
    pub observed: Vec<f64>,
    pub expected: Vec<f64>,
    /// k × k variance matrix (row-major).
    pub var: Vec<f64>,
    pub chisq: f64,
    pub df: usize,
    pub p_value: f64,
}

/// `group` holds codes `0..n_groups`; the strata of `surv` (codes 0..) define separate
/// comparisons whose statistics are summed.
pub fn logrank(surv: &SurvData, group: &[usize], n_groups: usize, rho: f64) -> Result<LogRank, SurvivalError> {
    check_length("group", group.len(), surv.len())?;
    if n_groups < 2 {
        return Err(SurvivalError::invalid("formula", "needs at least 2 groups to compare"));
    }
    if group.iter().any(|&g| g >= n_groups) {
        return Err(SurvivalError::invalid("group", format!("codes must be below {n_groups}")));
    }
    if !rho.is_finite() {
        return Err(SurvivalError::invalid("rho", "must be a finite number"));
    }
    let n = surv.len();
    let mut strata_codes: Vec<usize> = surv.strata.clone();
    strata_codes.sort_unstable();
    strata_codes.dedup();
    let stratum_index = |s: usize| strata_codes.binary_search(&s).unwrap_or(0);
    // order(strat, time, -status)
    let mut ord: Vec<usize> = (0..n).collect();
    ord.sort_by(|&a, &b| {
        stratum_index(surv.strata[a])
            .cmp(&stratum_index(surv.strata[b]))
            .then(surv.time[a].total_cmp(&surv.time[b]))
            .then(surv.status[b].cmp(&surv.status[a]))
    });
    let time: Vec<f64> = ord.iter().map(|&i| surv.time[i]).collect();
    let status: Vec<f64> = ord.iter().map(|&i| if surv.status[i] { 1.0 } else { 0.0 }).collect();
    let grp: Vec<usize> = ord.iter().map(|&i| group[i]).collect();
    let last: Vec<bool> = (0..n).map(|k| k + 1 == n || surv.strata[ord[k]] != surv.strata[ord[k + 1]]).collect();
    let n_strata = strata_codes.len();
    let (observed, expected, var) = survdiff2(&time, &status, &grp, &last, n_groups, n_strata, rho);

    let otmp: Vec<f64> = (0..n_groups).map(|g| (0..n_strata).map(|s| observed[s * n_groups + g]).sum()).collect();
    let etmp: Vec<f64> = (0..n_groups).map(|g| (0..n_strata).map(|s| expected[s * n_groups + g]).sum()).collect();
    let used: Vec<usize> = (0..n_groups).filter(|&g| etmp[g] > 0.0).collect();
    let chisq = if used.len() < 2 {
        0.0
    } else {
        let keep = &used[1..];
        let m = keep.len();
        let diff: Vec<f64> = keep.iter().map(|&g| otmp[g] - etmp[g]).collect();
        let vv: Vec<f64> = keep.iter().flat_map(|&r| keep.iter().map(move |&c| (r, c))).map(|(r, c)| var[r * n_groups + c]).collect();
        match lu_solve(&vv, &diff, m) {
            Some(sol) => sol.iter().zip(&diff).map(|(a, b)| a * b).sum(),
            None => return Err(SurvivalError::invalid("formula", "the variance matrix of the test is singular")),
        }
    };
    let df = used.len().saturating_sub(1);
    Ok(LogRank {
        n_groups,
        n_strata,
        observed,
        expected,
        var,
        chisq,
        df,
        p_value: if df == 0 { f64::NAN } else { chisq_upper(chisq, df as f64) },
    })
}

/// Port of `survdiff2()`: data sorted by (stratum, time, -status); `last[k]` marks the last row
/// of a stratum.
fn survdiff2(
    time: &[f64],
    status: &[f64],
    group: &[usize],
    last: &[bool],
    ngroup: usize,
    nstrat: usize,
    rho: f64,
) -> (Vec<f64>, Vec<f64>, Vec<f64>) {
    let ntot = time.len();
    let mut obs = vec![0.0; nstrat * ngroup];
    let mut exp = vec![0.0; nstrat * ngroup];
    let mut var = vec![0.0; ngroup * ngroup];
    let mut risk = vec![0.0; ngroup];
    let mut kaplan = vec![0.0; ntot];
    let mut istart = 0;
    let mut koff = 0;
    while istart < ntot {
        risk.fill(0.0);
        let mut i = istart;
        while i < ntot && !last[i] {
            i += 1;
        }
        let n = i + 1;
        if rho != 0.0 {
            let mut km = 1.0;
            let mut i = istart;
            while i < n {
                kaplan[i] = km;
                let nrisk = (n - i) as f64;
                let mut deaths = status[i];
                let mut j = i + 1;
                while j < n && time[j] == time[i] {
                    kaplan[j] = km;
                    deaths += status[j];
                    j += 1;
                }
                km = km * (nrisk - deaths) / nrisk;
                i = j;
            }
        }
        let mut i = n as isize - 1;
        while i >= istart as isize {
            let iu = i as usize;
            let mut wt = if rho == 0.0 { 1.0 } else { kaplan[iu].powf(rho) };
            let mut deaths = 0.0;
            let mut j = i;
            while j >= istart as isize && time[j as usize] == time[iu] {
                let ju = j as usize;
                let k = group[ju];
                deaths += status[ju];
                risk[k] += 1.0;
                obs[k + koff] += status[ju] * wt;
                j -= 1;
            }
            i = j + 1;
            let nrisk = (n as isize - i) as f64;
            if deaths > 0.0 {
                for k in 0..ngroup {
                    exp[k + koff] += wt * deaths * risk[k] / nrisk;
                }
                if nrisk != 1.0 {
                    let mut kk = 0;
                    wt *= wt;
                    for j in 0..ngroup {
                        let tmp = wt * deaths * risk[j] * (nrisk - deaths) / (nrisk * (nrisk - 1.0));
                        var[kk + j] += tmp;
                        for k in 0..ngroup {
                            var[kk] -= tmp * risk[k] / nrisk;
                            kk += 1;
                        }
                    }
                }
            }
            i -= 1;
        }
        istart = n;
        koff += ngroup;
    }
    (obs, exp, var)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_groups_by_hand() {
        // group A: times 1, 3 (events); group B: times 2 (event), 4 (censored)
        let surv = SurvData::new(&[1.0, 3.0, 2.0, 4.0], &[1.0, 1.0, 1.0, 0.0], None, None).unwrap();
        let lr = logrank(&surv, &[0, 0, 1, 1], 2, 0.0).unwrap();
        // t=1: 4 at risk (2A), E_A = 1/2, V = 1/4; t=2: 3 at risk (1A), E_A = 1/3, V = 2/9;
        // t=3: 2 at risk (1A), E_A = 1/2, V = 1/4
        let e_a = 0.5 + 1.0 / 3.0 + 0.5;
        let v = 0.25 + 2.0 / 9.0 + 0.25;
        assert!((lr.expected[0] - e_a).abs() < 1e-15);
        assert!((lr.observed[0] - 2.0).abs() < 1e-15);
        assert!((lr.var[0] - v).abs() < 1e-15);
        let chisq = (2.0 - e_a) * (2.0 - e_a) / v;
        assert!((lr.chisq - chisq).abs() < 1e-12);
        assert_eq!(lr.df, 1);
    }
}
