//! Distribution functions for test p-values.

use statrs::distribution::{ChiSquared, ContinuousCDF, Normal};

/// Upper tail of the chi-square distribution (`pchisq(x, df, lower.tail = FALSE)`).
pub fn chisq_upper(x: f64, df: f64) -> f64 {
    if x.is_nan() || df.is_nan() || df <= 0.0 {
        return f64::NAN;
    }
    if x <= 0.0 {
        return 1.0;
    }
    if x.is_infinite() {
        return 0.0;
    }
    if df == 1.0 {
        // the square of a standard normal: a two-sided normal tail, much cheaper than the
        // incomplete gamma function (screening takes three per feature)
        return erfc((x / 2.0).sqrt());
    }
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
}

extern "C" {
    // C99 libm, which std already links; accurate to an ulp (statrs' erfc is good to ~1e-10)
    #[link_name = "erfc"]
    fn libm_erfc(x: f64) -> f64;
}

fn erfc(x: f64) -> f64 {
    // SAFETY: erfc is a pure function of a double, defined for every input.
    unsafe { libm_erfc(x) }
}

/// `qnorm(p)`.
pub fn normal_quantile(p: f64) -> f64 {
    match Normal::new(0.0, 1.0) {
        Ok(d) => d.inverse_cdf(p),
        Err(_) => f64::NAN,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        ((a - b) / b).abs() < tol
    }

    #[test]
    fn match_r() {
        // pchisq(c(3.84, 30, 10.5), c(1, 1, 3), lower.tail = FALSE)
        assert!(close(chisq_upper(3.84, 1.0), 0.05004352124870519, 1e-13));
        assert!(close(chisq_upper(30.0, 1.0), 4.320463057827488e-08, 1e-12));
        // pchisq(c(1e-8, 0.3, 80, 600), 1, lower.tail = FALSE)
        assert!(close(chisq_upper(1e-8, 1.0), 0.9999202115440528, 1e-14));
        assert!(close(chisq_upper(0.3, 1.0), 0.5838824207703652, 1e-14));
        assert!(close(chisq_upper(80.0, 1.0), 3.744097384202899e-19, 1e-12));
        assert!(close(chisq_upper(600.0, 1.0), 1.674167984691788e-132, 1e-11));
        assert!(close(chisq_upper(10.5, 3.0), 0.014760897143990665, 1e-12));
        // qnorm(0.975)
        assert!(close(normal_quantile(0.975), 1.959963984540054, 1e-14));
    }
}
