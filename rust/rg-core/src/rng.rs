//! Seeded random streams.
//!
//! Every random quantity is drawn from a stream identified by `(seed, stream)`; parallel work units
//! (folds, permutation blocks, bootstraps) each take their own stream, so results are the same for
//! any thread count. The generator is xoshiro256++ seeded through SplitMix64.

#[derive(Debug, Clone)]
pub struct RngStream {
    s: [u64; 4],
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

impl RngStream {
    /// Stream number `stream` of the generator seeded by `seed`.
    pub fn new(seed: u64, stream: u64) -> Self {
        let mut sm = seed ^ splitmix64(&mut stream.wrapping_mul(0xD1B5_4A32_D192_ED03).clone());
        let s = [splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm), splitmix64(&mut sm)];
        RngStream { s }
    }

    pub fn next_u64(&mut self) -> u64 {
        let s = &mut self.s;
        let result = (s[0].wrapping_add(s[3])).rotate_left(23).wrapping_add(s[0]);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform on [0, 1) with 53 random bits.
    pub fn uniform(&mut self) -> f64 {
        (self.next_u64() >> 11) as f64 * (1.0 / (1u64 << 53) as f64)
    }

    /// Uniform integer in `0..n` (n > 0), without modulo bias (Lemire's method).
    pub fn below(&mut self, n: usize) -> usize {
        debug_assert!(n > 0);
        let n = n as u64;
        loop {
            let m = (self.next_u64() as u128) * (n as u128);
            let low = m as u64;
            if low >= n || low >= n.wrapping_neg() % n {
                return (m >> 64) as usize;
            }
        }
    }

    /// Standard normal (Marsaglia's polar method).
    pub fn normal(&mut self) -> f64 {
        loop {
            let u = 2.0 * self.uniform() - 1.0;
            let v = 2.0 * self.uniform() - 1.0;
            let s = u * u + v * v;
            if s > 0.0 && s < 1.0 {
                return u * (-2.0 * s.ln() / s).sqrt();
            }
        }
    }

    /// Fisher–Yates shuffle in place.
    pub fn shuffle<T>(&mut self, items: &mut [T]) {
        for i in (1..items.len()).rev() {
            let j = self.below(i + 1);
            items.swap(i, j);
        }
    }

    /// `k` distinct indices from `0..n`, in random order (partial Fisher–Yates over `scratch`,
    /// which must hold `0..n` in any order and is left permuted).
    pub fn sample_distinct<'a>(&mut self, scratch: &'a mut [usize], k: usize) -> &'a [usize] {
        let n = scratch.len();
        let k = k.min(n);
        for i in 0..k {
            let j = i + self.below(n - i);
            scratch.swap(i, j);
        }
        &scratch[..k]
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn streams_are_reproducible_and_distinct() {
        let a: Vec<u64> = (0..5).map({ let mut r = RngStream::new(7, 0); move |_| r.next_u64() }).collect();
        let b: Vec<u64> = (0..5).map({ let mut r = RngStream::new(7, 0); move |_| r.next_u64() }).collect();
        let c: Vec<u64> = (0..5).map({ let mut r = RngStream::new(7, 1); move |_| r.next_u64() }).collect();
        assert_eq!(a, b);
        assert_ne!(a, c);
    }

    #[test]
    fn uniform_and_normal_moments() {
        let mut r = RngStream::new(1, 2);
        let n = 200_000;
        let u: f64 = (0..n).map(|_| r.uniform()).sum::<f64>() / n as f64;
        assert!((u - 0.5).abs() < 0.005);
        let z: Vec<f64> = (0..n).map(|_| r.normal()).collect();
        let mean = z.iter().sum::<f64>() / n as f64;
        let var = z.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n as f64;
        assert!(mean.abs() < 0.01 && (var - 1.0).abs() < 0.02);
    }

    #[test]
    fn below_is_in_range_and_covers() {
        let mut r = RngStream::new(3, 0);
        let mut seen = [0usize; 7];
        for _ in 0..7000 {
            seen[r.below(7)] += 1;
        }
        assert!(seen.iter().all(|&c| c > 850 && c < 1150), "{seen:?}");
    }

    #[test]
    fn sample_distinct_has_no_repeats() {
        let mut r = RngStream::new(5, 0);
        let mut scratch: Vec<usize> = (0..50).collect();
        let mut s = r.sample_distinct(&mut scratch, 20).to_vec();
        s.sort();
        s.dedup();
        assert_eq!(s.len(), 20);
    }
}
