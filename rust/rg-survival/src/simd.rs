//! A few lanes of f64 as one value, for kernels written once and compiled twice: over plain
//! arrays (any CPU, any lane count) and over AVX2 registers. Each operation is the IEEE
//! operation lane by lane (no fused multiply-add), so both give the same bits.

/// Lane-wise arithmetic on `WIDTH` doubles.
pub(crate) trait Vector: Copy {
    const WIDTH: usize;
    fn zero() -> Self;
    fn splat(value: f64) -> Self;
    /// The first `WIDTH` values of `from`.
    fn load(from: &[f64]) -> Self;
    /// Into the first `WIDTH` values of `to`.
    fn store(self, to: &mut [f64]);
    fn add(self, other: Self) -> Self;
    fn sub(self, other: Self) -> Self;
    fn mul(self, other: Self) -> Self;
    fn div(self, other: Self) -> Self;
    fn abs(self) -> Self;
    /// `self` when `keep`, else +0 (adding it then changes nothing).
    fn keep_if(self, keep: bool) -> Self;
}

impl<const L: usize> Vector for [f64; L] {
    const WIDTH: usize = L;

    #[inline(always)]
    fn zero() -> Self {
        [0.0; L]
    }

    #[inline(always)]
    fn splat(value: f64) -> Self {
        [value; L]
    }

    #[inline(always)]
    fn load(from: &[f64]) -> Self {
        std::array::from_fn(|l| from[l])
    }

    #[inline(always)]
    fn store(self, to: &mut [f64]) {
        to[..L].copy_from_slice(&self);
    }

    #[inline(always)]
    fn add(self, other: Self) -> Self {
        std::array::from_fn(|l| self[l] + other[l])
    }

    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        std::array::from_fn(|l| self[l] - other[l])
    }

    #[inline(always)]
    fn mul(self, other: Self) -> Self {
        std::array::from_fn(|l| self[l] * other[l])
    }

    #[inline(always)]
    fn div(self, other: Self) -> Self {
        std::array::from_fn(|l| self[l] / other[l])
    }

    #[inline(always)]
    fn abs(self) -> Self {
        std::array::from_fn(|l| self[l].abs())
    }

    #[inline(always)]
    fn keep_if(self, keep: bool) -> Self {
        if keep {
            self
        } else {
            [0.0; L]
        }
    }
}

/// Whether the CPU runs the [`Avx4`] code (AVX2 and FMA).
#[cfg(target_arch = "x86_64")]
pub(crate) fn has_avx2_fma() -> bool {
    std::is_x86_feature_detected!("avx2") && std::is_x86_feature_detected!("fma")
}

/// Four doubles in an AVX register. Only to be used inside functions compiled with AVX2 and FMA
/// enabled (`#[target_feature(enable = "avx2,fma")]`), which the inlined methods then join.
#[cfg(target_arch = "x86_64")]
#[derive(Clone, Copy)]
pub(crate) struct Avx4(std::arch::x86_64::__m256d);

#[cfg(target_arch = "x86_64")]
mod avx {
    use super::{Avx4, Vector};
    use std::arch::x86_64::*;

    // SAFETY (every method): `Avx4` values exist only in code compiled for AVX2 and FMA,
    // entered after the CPU was checked for both; loads and stores go through slices of >= 4 values.
    impl Vector for Avx4 {
        const WIDTH: usize = 4;

        #[inline(always)]
        fn zero() -> Self {
            Avx4(unsafe { _mm256_setzero_pd() })
        }

        #[inline(always)]
        fn splat(value: f64) -> Self {
            Avx4(unsafe { _mm256_set1_pd(value) })
        }

        #[inline(always)]
        fn load(from: &[f64]) -> Self {
            let from = &from[..4];
            Avx4(unsafe { _mm256_loadu_pd(from.as_ptr()) })
        }

        #[inline(always)]
        fn store(self, to: &mut [f64]) {
            let to = &mut to[..4];
            unsafe { _mm256_storeu_pd(to.as_mut_ptr(), self.0) }
        }

        #[inline(always)]
        fn add(self, other: Self) -> Self {
            Avx4(unsafe { _mm256_add_pd(self.0, other.0) })
        }

        #[inline(always)]
        fn sub(self, other: Self) -> Self {
            Avx4(unsafe { _mm256_sub_pd(self.0, other.0) })
        }

        #[inline(always)]
        fn mul(self, other: Self) -> Self {
            Avx4(unsafe { _mm256_mul_pd(self.0, other.0) })
        }

        #[inline(always)]
        fn div(self, other: Self) -> Self {
            Avx4(unsafe { _mm256_div_pd(self.0, other.0) })
        }

        #[inline(always)]
        fn abs(self) -> Self {
            // clears the sign bits, as f64::abs does
            let magnitude = unsafe { _mm256_castsi256_pd(_mm256_set1_epi64x(i64::MAX)) };
            Avx4(unsafe { _mm256_and_pd(self.0, magnitude) })
        }

        #[inline(always)]
        fn keep_if(self, keep: bool) -> Self {
            // an all-ones or all-zeros mask: no branch on the data-dependent death flag
            let mask = unsafe { _mm256_castsi256_pd(_mm256_set1_epi64x(-(keep as i64))) };
            Avx4(unsafe { _mm256_and_pd(self.0, mask) })
        }
    }
}
