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
        return statrs::function::gamma::gamma_ur(0.5, x / 2.0);
    }
    match ChiSquared::new(df) {
        Ok(d) => d.sf(x),
        Err(_) => f64::NAN,
    }
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
        assert!(close(chisq_upper(10.5, 3.0), 0.014760897143990665, 1e-12));
        // qnorm(0.975)
        assert!(close(normal_quantile(0.975), 1.959963984540054, 1e-14));
    }
}
