//! The special functions fgsea's error estimates use: digamma, trigamma and the beta quantile
//! (R's `qbeta`).

/// ψ(x) for x > 0 (recurrence up to x ≥ 10, then the asymptotic series; |error| < 1e-14).
pub fn digamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result -= 1.0 / x;
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    let series = f * (1.0 / 12.0 - f * (1.0 / 120.0 - f * (1.0 / 252.0 - f * (1.0 / 240.0 - f * (1.0 / 132.0 - f * 691.0 / 32760.0)))));
    result + x.ln() - 0.5 / x - series
}

/// ψ₁(x) for x > 0 (recurrence up to x ≥ 10, then the asymptotic series).
pub fn trigamma(mut x: f64) -> f64 {
    let mut result = 0.0;
    while x < 10.0 {
        result += 1.0 / (x * x);
        x += 1.0;
    }
    let f = 1.0 / (x * x);
    // 1/x + 1/(2x²) + Σ B₂ₖ / x^(2k+1)
    let tail = (1.0 / 6.0 - f * (1.0 / 30.0 - f * (1.0 / 42.0 - f * (1.0 / 30.0 - f * (5.0 / 66.0 - f * 691.0 / 2730.0))))) / x;
    result + 1.0 / x + 0.5 * f + f * tail
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7).
pub fn ln_gamma(x: f64) -> f64 {
    const COEF: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = COEF[0];
    for (i, c) in COEF.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    let t = x + 7.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// Continued fraction of the incomplete beta function (modified Lentz).
fn beta_continued_fraction(a: f64, b: f64, x: f64) -> f64 {
    const TINY: f64 = 1e-300;
    let (qab, qap, qam) = (a + b, a + 1.0, a - 1.0);
    let mut c = 1.0;
    let mut d = 1.0 - qab * x / qap;
    if d.abs() < TINY {
        d = TINY;
    }
    d = 1.0 / d;
    let mut h = d;
    for m in 1..100_000 {
        let m = m as f64;
        let m2 = 2.0 * m;
        let aa = m * (b - m) * x / ((qam + m2) * (a + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        h *= d * c;
        let aa = -(a + m) * (qab + m) * x / ((a + m2) * (qap + m2));
        d = 1.0 + aa * d;
        d = if d.abs() < TINY { TINY } else { d };
        c = 1.0 + aa / c;
        c = if c.abs() < TINY { TINY } else { c };
        d = 1.0 / d;
        let delta = d * c;
        h *= delta;
        if (delta - 1.0).abs() < 1e-16 {
            break;
        }
    }
    h
}

/// The regularized incomplete beta function I_x(a, b) = `pbeta(x, a, b)`, for a, b > 0.
pub fn pbeta(x: f64, a: f64, b: f64) -> f64 {
    if x <= 0.0 {
        return 0.0;
    }
    if x >= 1.0 {
        return 1.0;
    }
    let log_front = a * x.ln() + b * (1.0 - x).ln() - (ln_gamma(a) + ln_gamma(b) - ln_gamma(a + b));
    if x < (a + 1.0) / (a + b + 2.0) {
        log_front.exp() * beta_continued_fraction(a, b, x) / a
    } else {
        1.0 - log_front.exp() * beta_continued_fraction(b, a, 1.0 - x) / b
    }
}

/// The beta quantile `qbeta(p, a, b)` for a, b ≥ 0 (a zero shape is a point mass, as in R).
pub fn qbeta(p: f64, a: f64, b: f64) -> f64 {
    if a == 0.0 && b == 0.0 {
        return if p < 0.5 { 0.0 } else if p > 0.5 { 1.0 } else { 0.5 };
    }
    if a == 0.0 {
        return 0.0;
    }
    if b == 0.0 {
        return 1.0;
    }
    // 80 halvings: absolute precision 2^-80, ample for the quantiles of counts this crate needs
    let (mut lo, mut hi) = (0.0_f64, 1.0_f64);
    for _ in 0..80 {
        let mid = 0.5 * (lo + hi);
        if mid <= lo || mid >= hi {
            break;
        }
        if pbeta(mid, a, b) < p {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    0.5 * (lo + hi)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs()
    }

    #[test]
    fn digamma_and_trigamma_match_r() {
        // R: digamma(c(1, 0.5, 51, 102)); trigamma(c(1, 0.5, 51, 102, 1001))
        assert!(close(digamma(1.0), -0.5772156649015329, 1e-14));
        assert!(close(digamma(0.5), -1.9635100260214235, 1e-14));
        assert!(close(digamma(51.0), 3.921989673427892, 1e-14));
        assert!(close(digamma(102.0), 4.620062842837097, 1e-14));
        assert!(close(trigamma(1.0), 1.6449340668482264, 1e-14));
        assert!(close(trigamma(0.5), 4.934802200544679, 1e-14));
        assert!(close(trigamma(51.0), 0.019801333226697124, 1e-13));
        assert!(close(trigamma(102.0), 0.009852137058392883, 1e-13));
        assert!(close(trigamma(1001.0), 0.0009995001666666336, 1e-13));
    }

    #[test]
    fn qbeta_matches_r() {
        // R: qbeta(0.025, 3, 998); qbeta(0.975, 4, 997); qbeta(0.025, 500, 501)
        assert!(close(qbeta(0.025, 3.0, 998.0), 0.0006190999316495717, 1e-9));
        assert!(close(qbeta(0.975, 4.0, 997.0), 0.00874202323847828, 1e-9));
        assert!(close(qbeta(0.025, 500.0, 501.0), 0.46854917297179194, 1e-9));
        assert_eq!(qbeta(0.025, 0.0, 1001.0), 0.0);
        assert_eq!(qbeta(0.975, 1001.0, 0.0), 1.0);
        // a quantile inverts the distribution function
        let q = qbeta(0.3, 2.5, 7.0);
        assert!((pbeta(q, 2.5, 7.0) - 0.3).abs() < 1e-12);
    }
}
