//! Harrell's concordance as `coxph()` reports it: survival's `concordancefit(y, lp, strata,
//! weights, reverse = TRUE, timefix = FALSE)`, i.e. the balanced-tree algorithm of
//! `concordance3.c` with the infinitesimal-jackknife standard error.

use crate::data::SurvData;

/// Pair counts (already reversed as for a Cox model: a higher risk score predicts a shorter
/// time), the concordance and its standard error.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Concordance {
    pub concordant: f64,
    pub discordant: f64,
    pub tied_x: f64,
    pub tied_y: f64,
    pub tied_xy: f64,
    pub concordance: f64,
    pub std: f64,
}

struct Counts {
    count: [f64; 6],
    /// n × 5 influence, row-major
    influence: Vec<f64>,
}

/// Concordance of `risk` (the linear predictor) with the outcome, within strata.
pub fn concordance(surv: &SurvData, risk: &[f64]) -> Concordance {
    let n = surv.len();
    let mut strata: Vec<usize> = surv.strata.clone();
    strata.sort_unstable();
    strata.dedup();
    let mut total = [0.0; 6];
    let mut influence = vec![0.0; n * 5];
    for &s in &strata {
        let rows: Vec<usize> = (0..n).filter(|&i| surv.strata[i] == s).collect();
        let counts = count_stratum(surv, risk, &rows);
        for k in 0..6 {
            total[k] += counts.count[k];
        }
        for (local, &row) in rows.iter().enumerate() {
            influence[row * 5..row * 5 + 5].copy_from_slice(&counts.influence[local * 5..local * 5 + 5]);
        }
    }
    let npair = total[0] + total[1] + total[2];
    let somer = (total[0] - total[1]) / npair;
    let var_somer: f64 = (0..n)
        .map(|i| {
            let im = &influence[i * 5..i * 5 + 5];
            let d = surv.weights[i] * ((im[0] - im[1]) / npair - (somer / npair) * (im[0] + im[1] + im[2]));
            d * d
        })
        .sum();
    Concordance {
        concordant: total[1],
        discordant: total[0],
        tied_x: total[2],
        tied_y: total[3],
        tied_xy: total[4],
        concordance: 1.0 - (somer + 1.0) / 2.0,
        std: (var_somer / 4.0).sqrt(),
    }
}

/// `docount()` of concordancefit for one stratum (rows of `surv`), timewt = "n".
fn count_stratum(surv: &SurvData, risk: &[f64], rows: &[usize]) -> Counts {
    let n = rows.len();
    let time: Vec<f64> = rows.iter().map(|&i| surv.time[i]).collect();
    let status: Vec<bool> = rows.iter().map(|&i| surv.status[i]).collect();
    let wt: Vec<f64> = rows.iter().map(|&i| surv.weights[i]).collect();
    let x: Vec<f64> = rows.iter().map(|&i| risk[i]).collect();
    if !status.iter().any(|&s| s) {
        return Counts { count: [0.0; 6], influence: vec![0.0; n * 5] };
    }
    // order(-time, status, risk)
    let mut sort2: Vec<usize> = (0..n).collect();
    sort2.sort_by(|&a, &b| {
        time[b].total_cmp(&time[a]).then(status[a].cmp(&status[b])).then(x[a].total_cmp(&x[b]))
    });
    // match(risk, sort(unique(risk))) then btree positions
    let mut unique = x.clone();
    unique.sort_by(f64::total_cmp);
    unique.dedup();
    let tree = btree(unique.len());
    let bindex: Vec<usize> = x
        .iter()
        .map(|v| tree[unique.binary_search_by(|u| u.total_cmp(v)).unwrap_or(0)])
        .collect();
    concordance3(&time, &status, &bindex, &wt, &sort2)
}

/// survival's `btree(n)`: the position in a balanced binary tree of the k-th smallest value.
fn btree(n: usize) -> Vec<usize> {
    fn tfun(n: usize, id: usize, power: usize, out: &mut Vec<usize>) {
        match n {
            0 => {}
            1 => out.push(id),
            2 => out.extend([2 * id + 1, id]),
            3 => out.extend([2 * id + 1, id, 2 * id + 2]),
            _ => {
                let nleft = if n == power * 2 { power } else { (power - 1).min(n - power / 2) };
                tfun(nleft, 2 * id + 1, power / 2, out);
                out.push(id);
                tfun(n - (nleft + 1), 2 * id + 2, power / 2, out);
            }
        }
    }
    let power = if n <= 1 { 0 } else { 1usize << (usize::BITS - 1 - (n - 1).leading_zeros()) };
    let mut out = Vec::with_capacity(n);
    tfun(n, 0, power, &mut out);
    out
}

fn walkup(nwt: &[f64], twt: &[f64], index: usize, ntree: usize) -> [f64; 3] {
    let mut sums = [0.0, 0.0, nwt[index]];
    let j = 2 * index + 2;
    if j < ntree {
        sums[0] += twt[j];
    }
    if j <= ntree {
        sums[1] += twt[j - 1];
    }
    let mut index = index;
    while index > 0 {
        let parent = (index - 1) / 2;
        if index % 2 == 1 {
            sums[0] += twt[parent] - twt[index];
        } else {
            sums[1] += twt[parent] - twt[index];
        }
        index = parent;
    }
    sums
}

fn addin(nwt: &mut [f64], twt: &mut [f64], index: usize, wt: f64) {
    nwt[index] += wt;
    let mut index = index;
    while index > 0 {
        twt[index] += wt;
        index = (index - 1) / 2;
    }
    twt[0] += wt;
}

fn cox_variance_term(w: f64, s: [f64; 3]) -> f64 {
    w * (s[0] * (w + 2.0 * (s[1] + s[2])) + s[1] * (w + 2.0 * (s[0] + s[2])) + (s[0] - s[1]) * (s[0] - s[1]))
}

/// Port of `concordance3()` (right-censored data, time weights all 1, no residuals).
fn concordance3(time: &[f64], status: &[bool], x: &[usize], wt: &[f64], sort2: &[usize]) -> Counts {
    let n = time.len();
    let ntree = x.iter().map(|&v| v + 1).max().unwrap_or(0);
    let (mut nwt, mut twt) = (vec![0.0; ntree], vec![0.0; ntree]);
    let (mut dnwt, mut dtwt) = (vec![0.0; ntree], vec![0.0; ntree]);
    let mut count = [0.0; 6];
    let mut imat = vec![0.0; n * 5];
    let adjtimewt = 1.0;
    let mut z2 = 0.0;
    let mut i = 0;
    while i < n {
        let ii = sort2[i];
        if !status[ii] {
            let s = walkup(&dnwt, &dtwt, x[ii], ntree);
            imat[ii * 5] -= s[1];
            imat[ii * 5 + 1] -= s[0];
            imat[ii * 5 + 2] -= s[2];
            let s = walkup(&nwt, &twt, x[ii], ntree);
            z2 += cox_variance_term(wt[ii], s);
            addin(&mut nwt, &mut twt, x[ii], wt[ii]);
            i += 1;
            continue;
        }
        let mut ndeath = 0;
        let mut dwt = 0.0;
        let mut dwt2 = 0.0;
        let mut xsave = x[ii];
        let mut j2 = i;
        let mut j = i;
        while j < n && time[sort2[j]] == time[ii] {
            let jj = sort2[j];
            ndeath += 1;
            count[3] += wt[jj] * dwt * adjtimewt;
            dwt += wt[jj];
            if x[jj] != xsave {
                if wt[sort2[j2]] < dwt2 {
                    while j2 < j {
                        let kk = sort2[j2];
                        imat[kk * 5 + 4] += (dwt2 - wt[kk]) * adjtimewt;
                        imat[kk * 5 + 3] -= (dwt2 - wt[kk]) * adjtimewt;
                        j2 += 1;
                    }
                } else {
                    j2 = j;
                }
                dwt2 = 0.0;
                xsave = x[jj];
            }
            count[4] += wt[jj] * dwt2 * adjtimewt;
            dwt2 += wt[jj];
            let s = walkup(&nwt, &twt, x[jj], ntree);
            for k in 0..3 {
                count[k] += wt[jj] * s[k] * adjtimewt;
                imat[jj * 5 + k] += s[k] * adjtimewt;
            }
            addin(&mut dnwt, &mut dtwt, x[jj], adjtimewt * wt[jj]);
            j += 1;
        }
        if wt[sort2[j2]] < dwt2 {
            while j2 < j {
                let kk = sort2[j2];
                imat[kk * 5 + 4] += (dwt2 - wt[kk]) * adjtimewt;
                imat[kk * 5 + 3] -= (dwt2 - wt[kk]) * adjtimewt;
                j2 += 1;
            }
        }
        for &jj in &sort2[i..i + ndeath] {
            let s = walkup(&dnwt, &dtwt, x[jj], ntree);
            imat[jj * 5] -= s[1];
            imat[jj * 5 + 1] -= s[0];
            imat[jj * 5 + 2] -= s[2];
            imat[jj * 5 + 3] += (dwt - wt[jj]) * adjtimewt;
            let s = walkup(&nwt, &twt, x[jj], ntree);
            z2 += cox_variance_term(wt[jj], s);
            addin(&mut nwt, &mut twt, x[jj], wt[jj]);
        }
        count[5] += dwt * adjtimewt * z2 / twt[0];
        i += ndeath;
    }
    for &ii in sort2 {
        let s = walkup(&dnwt, &dtwt, x[ii], ntree);
        imat[ii * 5] += s[1];
        imat[ii * 5 + 1] += s[0];
        imat[ii * 5 + 2] += s[2];
    }
    count[3] -= count[4];
    Counts { count, influence: imat }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn btree_matches_survival() {
        // survival:::btree(5) = 3 1 4 0 2 ; btree(8) = 7 3 1 4 0 5 2 6
        assert_eq!(btree(5), vec![3, 1, 4, 0, 2]);
        assert_eq!(btree(8), vec![7, 3, 1, 4, 0, 5, 2, 6]);
        assert_eq!(btree(1), vec![0]);
        assert_eq!(btree(2), vec![1, 0]);
    }

    #[test]
    fn perfect_and_reversed_orderings() {
        // shorter time <-> higher risk: perfectly concordant for a Cox model
        let surv = SurvData::new(&[1.0, 2.0, 3.0, 4.0], &[1.0, 1.0, 1.0, 0.0], None, None).unwrap();
        let c = concordance(&surv, &[4.0, 3.0, 2.0, 1.0]);
        assert_eq!((c.concordant, c.discordant), (6.0, 0.0));
        assert_eq!(c.concordance, 1.0);
        let c = concordance(&surv, &[1.0, 2.0, 3.0, 4.0]);
        assert_eq!((c.concordant, c.discordant), (0.0, 6.0));
        let c = concordance(&surv, &[1.0, 1.0, 1.0, 1.0]);
        assert_eq!(c.tied_x, 6.0);
        assert_eq!(c.concordance, 0.5);
    }
}
