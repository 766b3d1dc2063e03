//! Cross-validation folds and bootstrap resamples.
//!
//! - [`stratified_folds`]: every sample in exactly one validation fold; within each class the
//!   members are shuffled and dealt round-robin, continuing from where the previous class stopped,
//!   so each fold holds each class's share to within one sample and fold sizes differ by at most one.
//! - [`kfold`]: the same without classes (regression).
//! - [`bootstrap`]: METHOD.md §6 method 1 — a training resample (with replacement) and a
//!   validation resample that is redrawn until it contains every class.
//!
//! Each repeat and each bootstrap draws from its own random stream, so results do not depend on
//! the order in which work units run.

use crate::error::CoreError;
use crate::rng::RngStream;

/// Random streams 0..2^20 are folds of repeat r (stream = r); bootstraps use 2^20 + b.
const BOOTSTRAP_STREAMS: u64 = 1 << 20;

fn check_k(k: usize, n: usize) -> Result<(), CoreError> {
    if k < 2 {
        return Err(CoreError::invalid("folds", format!("must be at least 2, not {k}")));
    }
    if k > n {
        return Err(CoreError::invalid("folds", format!("({k}) is more than the number of samples ({n})")));
    }
    Ok(())
}

/// Fold (0-based) of every sample; `labels[i]` is sample i's class.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64, repeat: u64) -> Result<Vec<usize>, CoreError> {
    check_k(k, labels.len())?;
    let n_classes = labels.iter().copied().max().map_or(0, |m| m + 1);
    let mut rng = RngStream::new(seed, repeat);
    let mut fold = vec![0; labels.len()];
    let mut next_fold = 0;
    for class in 0..n_classes {
        let mut members: Vec<usize> = (0..labels.len()).filter(|&i| labels[i] == class).collect();
        rng.shuffle(&mut members);
        for i in members {
            fold[i] = next_fold;
            next_fold = (next_fold + 1) % k;
        }
    }
    Ok(fold)
}

/// Unstratified folds (regression targets).
pub fn kfold(n: usize, k: usize, seed: u64, repeat: u64) -> Result<Vec<usize>, CoreError> {
    stratified_folds(&vec![0; n], k, seed, repeat)
}

/// One bootstrap of a train/validation split.
#[derive(Debug, Clone, PartialEq)]
pub struct Bootstrap {
    pub train: Vec<usize>,
    pub validation: Vec<usize>,
    /// How many validation draws were needed to see every class.
    pub validation_draws: usize,
}

/// Resamples `train` and `validation` (sample indices) with replacement, redrawing the validation
/// sample (up to `max_draws` times) until it holds every class present in `labels`.
pub fn bootstrap(
    train: &[usize],
    validation: &[usize],
    labels: &[usize],
    seed: u64,
    iteration: u64,
    max_draws: usize,
) -> Result<Bootstrap, CoreError> {
    if train.is_empty() || validation.is_empty() {
        return Err(CoreError::invalid("folds", "give every split at least one training and one validation sample"));
    }
    let n_classes = distinct(labels);
    let mut rng = RngStream::new(seed, BOOTSTRAP_STREAMS + iteration);
    let resample = |rng: &mut RngStream, from: &[usize]| -> Vec<usize> {
        (0..from.len()).map(|_| from[rng.below(from.len())]).collect()
    };
    let train_sample = resample(&mut rng, train);
    for draw in 1..=max_draws.max(1) {
        let v = resample(&mut rng, validation);
        let classes: Vec<usize> = v.iter().map(|&i| labels[i]).collect();
        if distinct(&classes) == n_classes {
            return Ok(Bootstrap { train: train_sample, validation: v, validation_draws: draw });
        }
    }
    Err(CoreError::invalid(
        "n_boot",
        format!("a validation resample missed a class in {max_draws} draws; the validation fold is too small"),
    ))
}

fn distinct(labels: &[usize]) -> usize {
    let mut seen: Vec<usize> = labels.to_vec();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Vec<usize> {
        // 23 of class 0, 11 of class 1, 6 of class 2, interleaved
        (0..40).map(|i| if i % 7 == 0 { 2 } else if i % 3 == 0 { 1 } else { 0 }).collect()
    }

    #[test]
    fn every_sample_in_one_fold_with_balanced_classes() {
        let y = labels();
        let k = 5;
        let f = stratified_folds(&y, k, 42, 0).unwrap();
        for class in 0..3 {
            let total = y.iter().filter(|&&c| c == class).count() as f64;
            for fold in 0..k {
                let n = (0..y.len()).filter(|&i| y[i] == class && f[i] == fold).count() as f64;
                assert!((n - total / k as f64).abs() < 1.0 + 1e-12, "class {class} fold {fold}: {n}");
            }
        }
        let sizes: Vec<usize> = (0..k).map(|fold| f.iter().filter(|&&x| x == fold).count()).collect();
        assert!(sizes.iter().max().unwrap() - sizes.iter().min().unwrap() <= 1, "{sizes:?}");
    }

    #[test]
    fn same_seed_same_folds_other_repeat_differs() {
        let y = labels();
        assert_eq!(stratified_folds(&y, 4, 1, 0).unwrap(), stratified_folds(&y, 4, 1, 0).unwrap());
        assert_ne!(stratified_folds(&y, 4, 1, 0).unwrap(), stratified_folds(&y, 4, 1, 1).unwrap());
    }

    #[test]
    fn too_many_folds_is_an_error() {
        assert!(kfold(3, 4, 0, 0).unwrap_err().to_string().contains("`folds`"));
        assert!(kfold(3, 1, 0, 0).is_err());
    }

    #[test]
    fn bootstrap_validation_sees_every_class() {
        let y = labels();
        let f = stratified_folds(&y, 5, 3, 0).unwrap();
        let train: Vec<usize> = (0..40).filter(|&i| f[i] != 0).collect();
        let validation: Vec<usize> = (0..40).filter(|&i| f[i] == 0).collect();
        for b in 0..50 {
            let boot = bootstrap(&train, &validation, &y, 9, b, 1000).unwrap();
            assert_eq!(boot.train.len(), train.len());
            assert!(boot.train.iter().all(|i| train.contains(i)));
            let mut classes: Vec<usize> = boot.validation.iter().map(|&i| y[i]).collect();
            classes.sort();
            classes.dedup();
            assert_eq!(classes, vec![0, 1, 2]);
        }
    }
}
