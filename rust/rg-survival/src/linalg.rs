//! survival's small dense linear algebra, ported operation by operation so that results agree
//! to the last bits: `cholesky2` (generalized FDF' Cholesky with a singularity tolerance),
//! `chsolve2`, `chinv2`, and the Wald test of `coxph.wtest()`.
//!
//! Matrices are n × n, stored as `m[i * n + j]` for survival's ragged `matrix[i][j]`.

// Storage: survival's ragged `matrix[i][j]` is kept at `m[j * n + i]` (transposed), so that
// the innermost loops of all three routines run over contiguous memory. Each element sees the
// same operations in the same order as in survival's C code.

/// Factorizes `m` in place (F and D in the upper triangle and diagonal of the row-major array,
/// i.e. survival's lower triangle). Returns the rank, negated when the matrix is not
/// non-negative definite. Columns with a pivot below `toler` × (largest diagonal) are deemed
/// redundant and get a zero diagonal.
#[inline]
pub fn cholesky2(m: &mut [f64], n: usize, toler: f64) -> i32 {
    let mut nonneg = 1;
    let mut eps = 0.0;
    for i in 0..n {
        if m[i * n + i] > eps {
            eps = m[i * n + i];
        }
        for j in (i + 1)..n {
            m[i * n + j] = m[j * n + i];
        }
    }
    if eps == 0.0 {
        return 0;
    }
    eps *= toler;
    let mut rank = 0;
    for i in 0..n {
        let pivot = m[i * n + i];
        if !pivot.is_finite() || pivot < eps {
            m[i * n + i] = 0.0;
            if pivot < -8.0 * eps {
                nonneg = -1;
            }
        } else {
            rank += 1;
            for j in (i + 1)..n {
                let temp = m[i * n + j] / pivot;
                m[i * n + j] = temp;
                m[j * n + j] -= temp * temp * pivot;
                let (head, tail) = m.split_at_mut(j * n);
                let source = &head[i * n + j + 1..i * n + n];
                for (target, &v) in tail[j + 1..n].iter_mut().zip(source) {
                    *target -= temp * v;
                }
            }
        }
    }
    rank * nonneg
}

/// Solves A b = y given the `cholesky2` factor of A; `y` is overwritten with b.
#[inline]
pub fn chsolve2(m: &[f64], n: usize, y: &mut [f64]) {
    for i in 0..n {
        let mut temp = y[i];
        for j in 0..i {
            temp -= y[j] * m[j * n + i];
        }
        y[i] = temp;
    }
    for i in (0..n).rev() {
        if m[i * n + i] == 0.0 {
            y[i] = 0.0;
        } else {
            let mut temp = y[i] / m[i * n + i];
            for j in (i + 1)..n {
                temp -= y[j] * m[i * n + j];
            }
            y[i] = temp;
        }
    }
}

/// Inverts from the `cholesky2` factor: the lower triangle and diagonal (row-major) receive
/// (FDF')^-1; singular rows/columns become 0.
#[inline]
pub fn chinv2(m: &mut [f64], n: usize) {
    for i in 0..n {
        if m[i * n + i] > 0.0 {
            m[i * n + i] = 1.0 / m[i * n + i];
            for j in (i + 1)..n {
                m[i * n + j] = -m[i * n + j];
                let mji = m[i * n + j];
                for k in 0..i {
                    m[k * n + j] += mji * m[k * n + i];
                }
            }
        }
    }
    for i in 0..n {
        if m[i * n + i] == 0.0 {
            for j in 0..i {
                m[i * n + j] = 0.0;
            }
            for j in i..n {
                m[j * n + i] = 0.0;
            }
        } else {
            for j in (i + 1)..n {
                let temp = m[i * n + j] * m[j * n + j];
                m[j * n + i] = temp;
                for k in i..j {
                    m[k * n + i] += temp * m[k * n + j];
                }
            }
        }
    }
}

/// `coxph.wtest(var, b, toler.chol)$test`: b' var^- b with survival's generalized Cholesky.
/// `var` is p × p (symmetric); NaN entries of `b` and their rows/columns are dropped first.
pub fn wald_test(var: &[f64], b: &[f64], toler_chol: f64) -> f64 {
    let keep: Vec<usize> = (0..b.len()).filter(|&i| !b[i].is_nan()).collect();
    let p = keep.len();
    if p == 0 {
        return f64::NAN;
    }
    let bb: Vec<f64> = keep.iter().map(|&i| b[i]).collect();
    let full = b.len();
    if p == 1 {
        return bb[0] * bb[0] / var[keep[0] * full + keep[0]];
    }
    let mut m = vec![0.0; p * p];
    for (a, &i) in keep.iter().enumerate() {
        for (c, &j) in keep.iter().enumerate() {
            m[a * p + c] = var[i * full + j];
        }
    }
    cholesky2(&mut m, p, toler_chol);
    let mut solve = bb.clone();
    chsolve2(&m, p, &mut solve);
    bb.iter().zip(&solve).map(|(x, y)| x * y).sum()
}

/// Solves A x = b by LU with partial pivoting (R's `solve()` via LAPACK dgesv). `a` is
/// row-major n × n. Returns None when A is singular.
pub fn lu_solve(a: &[f64], b: &[f64], n: usize) -> Option<Vec<f64>> {
    let mut m = a.to_vec();
    let mut x = b.to_vec();
    for col in 0..n {
        let pivot_row = (col..n).max_by(|&r, &s| m[r * n + col].abs().total_cmp(&m[s * n + col].abs()))?;
        if m[pivot_row * n + col] == 0.0 {
            return None;
        }
        if pivot_row != col {
            for k in 0..n {
                m.swap(col * n + k, pivot_row * n + k);
            }
            x.swap(col, pivot_row);
        }
        for r in (col + 1)..n {
            let factor = m[r * n + col] / m[col * n + col];
            for k in col..n {
                m[r * n + k] -= factor * m[col * n + k];
            }
            x[r] -= factor * x[col];
        }
    }
    for col in (0..n).rev() {
        let mut s = x[col];
        for k in (col + 1)..n {
            s -= m[col * n + k] * x[k];
        }
        x[col] = s / m[col * n + col];
    }
    Some(x)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cholesky_inverse_of_spd() {
        let a = [4.0, 2.0, 2.0, 3.0];
        let mut m = a;
        assert_eq!(cholesky2(&mut m, 2, 1e-12), 2);
        let mut y = [2.0, 1.0];
        chsolve2(&m, 2, &mut y);
        // A^-1 = [3 -2; -2 4] / 8
        assert!((y[0] - 0.5).abs() < 1e-15 && y[1].abs() < 1e-15);
        chinv2(&mut m, 2);
        assert!((m[0] - 3.0 / 8.0).abs() < 1e-15);
        assert!((m[2] + 2.0 / 8.0).abs() < 1e-15);
        assert!((m[3] - 4.0 / 8.0).abs() < 1e-15);
    }

    #[test]
    fn cholesky_flags_an_aliased_column() {
        // second column = 2 × first
        let mut m = [1.0, 2.0, 2.0, 4.0];
        assert_eq!(cholesky2(&mut m, 2, 1e-9), 1);
        chinv2(&mut m, 2);
        assert_eq!(m[3], 0.0);
        assert_eq!(m[2], 0.0);
    }

    #[test]
    fn lu_solves() {
        let x = lu_solve(&[0.0, 1.0, 2.0, 1.0], &[1.0, 3.0], 2).unwrap();
        assert!((x[0] - 1.0).abs() < 1e-15 && (x[1] - 1.0).abs() < 1e-15);
    }
}
