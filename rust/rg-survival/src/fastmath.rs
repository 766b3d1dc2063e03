//! `exp` and `ln` written with plain arithmetic and bit operations (fdlibm's algorithms, as in
//! musl), so that a loop over an array of lanes compiles to SIMD code. libm's functions are
//! opaque calls, one value at a time; these let the univariate Cox kernel evaluate 4 genes per
//! instruction.
//!
//! Accuracy is fdlibm's (< 1 ulp). The results of a lane never depend on its neighbours. `exp`'s
//! polynomial is evaluated with fused multiply-adds (the kernel's vector code is compiled for
//! FMA: fewer operations in its busiest loop); a fused multiply-add is one exactly rounded
//! operation, whether the CPU or libm's `fma` computes it, so scalar and vector code still give
//! the same bits. Arguments the fast path does not cover (overflow, underflow, subnormal, zero,
//! negative, non-finite) are sent to libm, value by value.

// fdlibm's constants, digit for digit as published; range tests written so that NaN fails them
#![allow(clippy::excessive_precision, clippy::approx_constant, clippy::neg_cmp_op_on_partial_ord, clippy::manual_range_contains)]

const SHIFT: f64 = 6_755_399_441_055_744.0; // 1.5 * 2^52: adding it rounds to an integer
const LN2_HI: f64 = 6.931_471_803_691_238_164_90e-01;
const LN2_LO: f64 = 1.908_214_929_270_587_700_02e-10;
const INV_LN2: f64 = 1.442_695_040_888_963_387_00e+00;

/// Largest |x| for which the fast `exp` neither overflows nor leaves the normal range.
const EXP_FAST_LIMIT: f64 = 708.0;

/// exp(x) for |x| <= 708 (NaN otherwise; see [`exp_lanes`]).
#[inline(always)]
fn exp_fast(x: f64) -> f64 {
    const P1: f64 = 1.666_666_666_666_660_190_37e-01;
    const P2: f64 = -2.777_777_777_701_559_338_42e-03;
    const P3: f64 = 6.613_756_321_437_934_361_17e-05;
    const P4: f64 = -1.653_390_220_546_525_153_90e-06;
    const P5: f64 = 4.138_136_797_057_238_460_39e-08;
    let shifted = INV_LN2 * x + SHIFT;
    let k = shifted - SHIFT;
    let hi = x - k * LN2_HI;
    let lo = k * LN2_LO;
    let r = hi - lo;
    let rr = r * r;
    let c = (-rr).mul_add(rr.mul_add(rr.mul_add(rr.mul_add(rr.mul_add(P5, P4), P3), P2), P1), r);
    let y = 1.0 + (r * c / (2.0 - c) - lo + hi);
    // 2^k, by adding k to the exponent field (k is in the low bits of `shifted`)
    let k_bits = shifted.to_bits().wrapping_sub(SHIFT.to_bits());
    f64::from_bits(y.to_bits().wrapping_add(k_bits << 52))
}

/// ln(x) for normal positive finite x (garbage otherwise; see [`ln_lanes`]).
#[inline(always)]
fn ln_fast(x: f64) -> f64 {
    const LG1: f64 = 6.666_666_666_666_735_130e-01;
    const LG2: f64 = 3.999_999_999_940_941_908e-01;
    const LG3: f64 = 2.857_142_874_366_239_149e-01;
    const LG4: f64 = 2.222_219_843_214_978_396e-01;
    const LG5: f64 = 1.818_357_216_161_805_012e-01;
    const LG6: f64 = 1.531_383_769_920_937_332e-01;
    const LG7: f64 = 1.479_819_860_511_658_591e-01;
    const TWO52: f64 = 4_503_599_627_370_496.0;
    // reduce x to 2^k (1 + f) with 1 + f in [sqrt(2)/2, sqrt(2)]
    let bits = x.to_bits().wrapping_add((0x3ff0_0000u64 - 0x3fe6_a09e) << 32);
    let biased_exponent = bits >> 52;
    let k = f64::from_bits(0x4330_0000_0000_0000 | biased_exponent) - TWO52 - 1023.0;
    let m = f64::from_bits((bits & 0x000f_ffff_ffff_ffff) + (0x3fe6_a09eu64 << 32));
    let f = m - 1.0;
    let hfsq = 0.5 * f * f;
    let s = f / (2.0 + f);
    let z = s * s;
    let w = z * z;
    let t1 = w * (LG2 + w * (LG4 + w * LG6));
    let t2 = z * (LG1 + w * (LG3 + w * (LG5 + w * LG7)));
    let r = t2 + t1;
    s * (hfsq + r) + k * LN2_LO - hfsq + f + k * LN2_HI
}

/// `out[i] = exp(x[i])` (the loop vectorizes).
#[inline(always)]
pub(crate) fn exp_into(x: &[f64], out: &mut [f64]) {
    let mut outside = false;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = exp_fast(v);
        outside |= !(v.abs() <= EXP_FAST_LIMIT);
    }
    if outside {
        for (o, &v) in out.iter_mut().zip(x) {
            if !(v.abs() <= EXP_FAST_LIMIT) {
                *o = v.exp();
            }
        }
    }
}

/// `out[i] = ln(x[i])` (the loop vectorizes).
#[inline(always)]
pub(crate) fn ln_into(x: &[f64], out: &mut [f64]) {
    let mut outside = false;
    for (o, &v) in out.iter_mut().zip(x) {
        *o = ln_fast(v);
        outside |= !(v >= f64::MIN_POSITIVE && v <= f64::MAX);
    }
    if outside {
        for (o, &v) in out.iter_mut().zip(x) {
            if !(v >= f64::MIN_POSITIVE && v <= f64::MAX) {
                *o = v.ln();
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn exp_lanes<const L: usize>(x: &[f64; L]) -> [f64; L] {
        let mut out = [0.0; L];
        exp_into(x, &mut out);
        out
    }

    fn ln_lanes<const L: usize>(x: &[f64; L]) -> [f64; L] {
        let mut out = [0.0; L];
        ln_into(x, &mut out);
        out
    }

    fn ulps(a: f64, b: f64) -> u64 {
        (a.to_bits() as i64 - b.to_bits() as i64).unsigned_abs()
    }

    #[test]
    fn exp_is_within_one_ulp_of_libm() {
        let mut x = -750.0;
        while x < 750.0 {
            let [fast] = exp_lanes(&[x]);
            assert!(ulps(fast, x.exp()) <= 1, "exp({x}) = {fast} vs {}", x.exp());
            x += 0.0137;
        }
        for x in [0.0, -0.0, 1e-300, -1e-18, 708.0, -708.0, 709.7, -745.0, f64::INFINITY, f64::NEG_INFINITY] {
            let [fast] = exp_lanes(&[x]);
            assert!(ulps(fast, x.exp()) <= 1, "exp({x}) = {fast} vs {}", x.exp());
        }
        assert_eq!(exp_lanes(&[0.0]), [1.0]);
        assert!(exp_lanes(&[f64::NAN])[0].is_nan());
    }

    #[test]
    fn ln_is_within_one_ulp_of_libm() {
        let mut x = 1e-300;
        while x < 1e300 {
            let [fast] = ln_lanes(&[x]);
            assert!(ulps(fast, x.ln()) <= 1, "ln({x}) = {fast} vs {}", x.ln());
            x *= 1.0173;
        }
        for x in [1.0, 0.5, 2.0, 1.0 - 1e-16, 1.0 + 2e-16, 5e-324, f64::MAX, 0.0, f64::INFINITY] {
            let [fast] = ln_lanes(&[x]);
            assert!(ulps(fast, x.ln()) <= 1, "ln({x}) = {fast} vs {}", x.ln());
        }
        assert_eq!(ln_lanes(&[1.0]), [0.0]);
        assert!(ln_lanes(&[-1.0])[0].is_nan());
        assert!(ln_lanes(&[f64::NAN])[0].is_nan());
    }

    #[test]
    fn lanes_are_independent() {
        let x = [0.3, -2.0, 800.0, 1e-3];
        let all = exp_lanes(&x);
        for l in 0..4 {
            assert_eq!(all[l].to_bits(), exp_lanes(&[x[l]])[0].to_bits());
        }
        let all = ln_lanes(&[0.3, 0.0, 7.0, 1e10]);
        assert_eq!(all[2].to_bits(), ln_lanes(&[7.0])[0].to_bits());
    }
}
