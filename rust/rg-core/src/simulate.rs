//! Simulated expression with gene modules: the expression half of `simulate_cohort()`.
//!
//! Genes `0..n_modules * module_size` belong to modules (contiguous blocks); the rest are
//! independent. Each module m has a latent activity z_m ~ N(0, 1) per sample, and a member gene g
//! with loading l_g ∈ [0.5, 0.9] is
//!     x_g = μ_g + σ_g (l_g z_m + √(1 − l_g²) ε),  ε ~ N(0, 1),
//! so members correlate at about l_g l_h. Gene means μ_g ~ U(4, 12) and SDs σ_g ~ U(0.3, 2)
//! mimic log-scale microarray/RNA-seq data. Each sample draws from its own random stream, so the
//! result is the same for any thread count.

use crate::error::CoreError;
use crate::monitor::{in_blocks, Monitor};
use crate::rng::RngStream;
use rayon::prelude::*;

#[derive(Debug, Clone)]
pub struct ModuleDesign {
    pub n_genes: usize,
    pub n_samples: usize,
    pub n_modules: usize,
    pub module_size: usize,
    pub seed: u64,
}

#[derive(Debug, Clone)]
pub struct SimulatedExpression {
    /// genes × samples, column-major (sample after sample).
    pub expression: Vec<f64>,
    /// samples × modules, column-major (module after module): the latent activities.
    pub activity: Vec<f64>,
}

/// Stream 0 draws gene parameters; stream 1 + j draws sample j.
const GENE_STREAM: u64 = 0;

impl ModuleDesign {
    fn validate(&self) -> Result<(), CoreError> {
        if self.n_genes == 0 {
            return Err(CoreError::invalid("n_genes", "must be at least 1"));
        }
        if self.n_samples == 0 {
            return Err(CoreError::invalid("n_samples", "must be at least 1"));
        }
        if self.n_modules * self.module_size > self.n_genes {
            return Err(CoreError::invalid(
                "n_genes",
                format!(
                    "({}) is too small for {} modules of {} genes",
                    self.n_genes, self.n_modules, self.module_size
                ),
            ));
        }
        Ok(())
    }

    /// The module a gene belongs to, if any.
    pub fn module_of(&self, gene: usize) -> Option<usize> {
        if self.module_size == 0 {
            return None;
        }
        let m = gene / self.module_size;
        (m < self.n_modules).then_some(m)
    }
}

struct GeneParameters {
    mean: Vec<f64>,
    sd: Vec<f64>,
    loading: Vec<f64>,
}

fn gene_parameters(design: &ModuleDesign) -> GeneParameters {
    let mut rng = RngStream::new(design.seed, GENE_STREAM);
    let n = design.n_genes;
    let mut p = GeneParameters { mean: Vec::with_capacity(n), sd: Vec::with_capacity(n), loading: Vec::with_capacity(n) };
    for g in 0..n {
        p.mean.push(4.0 + 8.0 * rng.uniform());
        p.sd.push(0.3 + 1.7 * rng.uniform());
        let l = 0.5 + 0.4 * rng.uniform();
        p.loading.push(if design.module_of(g).is_some() { l } else { 0.0 });
    }
    p
}

fn simulate_sample(design: &ModuleDesign, genes: &GeneParameters, j: usize, column: &mut [f64], activity: &mut [f64]) {
    let mut rng = RngStream::new(design.seed, 1 + j as u64);
    for a in activity.iter_mut() {
        *a = rng.normal();
    }
    for (g, x) in column.iter_mut().enumerate() {
        let l = genes.loading[g];
        let signal = design.module_of(g).map_or(0.0, |m| l * activity[m]);
        let z = signal + (1.0 - l * l).sqrt() * rng.normal();
        *x = genes.mean[g] + genes.sd[g] * z;
    }
}

/// Simulates the expression matrix, reporting progress per block of samples.
pub fn simulate_modules(design: &ModuleDesign, monitor: &mut dyn Monitor) -> Result<SimulatedExpression, CoreError> {
    design.validate()?;
    let genes = gene_parameters(design);
    let (n_g, n_s, n_m) = (design.n_genes, design.n_samples, design.n_modules);
    let mut expression = vec![0.0; n_g * n_s];
    // samples × modules row-major while simulating (one contiguous row per sample)
    let mut activity_rows = vec![0.0; n_s * n_m];
    let block = (2_000_000 / n_g).max(1);
    in_blocks(n_s, block, monitor, |samples| {
        let columns = expression[samples.start * n_g..samples.end * n_g].par_chunks_mut(n_g);
        let rows = activity_rows[samples.start * n_m..samples.end * n_m].par_chunks_mut(n_m.max(1));
        columns.zip(rows).enumerate().for_each(|(k, (column, row))| {
            let row = if n_m == 0 { &mut row[..0] } else { row };
            simulate_sample(design, &genes, samples.start + k, column, row);
        });
        Ok::<(), CoreError>(())
    })?;
    let activity = (0..n_m).flat_map(|m| (0..n_s).map(move |j| (j, m))).map(|(j, m)| activity_rows[j * n_m + m]).collect();
    Ok(SimulatedExpression { expression, activity })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::monitor::{CancelAt, Silent};

    fn design() -> ModuleDesign {
        ModuleDesign { n_genes: 300, n_samples: 400, n_modules: 4, module_size: 50, seed: 11 }
    }

    fn correlation(a: &[f64], b: &[f64]) -> f64 {
        let n = a.len() as f64;
        let (ma, mb) = (a.iter().sum::<f64>() / n, b.iter().sum::<f64>() / n);
        let cov: f64 = a.iter().zip(b).map(|(x, y)| (x - ma) * (y - mb)).sum();
        let va: f64 = a.iter().map(|x| (x - ma).powi(2)).sum();
        let vb: f64 = b.iter().map(|y| (y - mb).powi(2)).sum();
        cov / (va * vb).sqrt()
    }

    fn gene(sim: &SimulatedExpression, d: &ModuleDesign, g: usize) -> Vec<f64> {
        (0..d.n_samples).map(|j| sim.expression[j * d.n_genes + g]).collect()
    }

    #[test]
    fn module_members_correlate_and_others_do_not() {
        let d = design();
        let sim = simulate_modules(&d, &mut Silent).unwrap();
        assert!(correlation(&gene(&sim, &d, 0), &gene(&sim, &d, 1)) > 0.15);
        assert!(correlation(&gene(&sim, &d, 0), &gene(&sim, &d, 60)).abs() < 0.2);
        assert!(correlation(&gene(&sim, &d, 250), &gene(&sim, &d, 260)).abs() < 0.2);
        let activity0: Vec<f64> = sim.activity[..d.n_samples].to_vec();
        assert!(correlation(&gene(&sim, &d, 3), &activity0) > 0.4);
    }

    #[test]
    fn same_seed_same_data_any_thread_count() {
        let d = design();
        let a = simulate_modules(&d, &mut Silent).unwrap();
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let b = pool.install(|| simulate_modules(&d, &mut Silent).unwrap());
        assert_eq!(a.expression, b.expression);
        assert_eq!(a.activity, b.activity);
    }

    #[test]
    fn cancellation_returns_interrupted() {
        let d = ModuleDesign { n_genes: 100_000, n_samples: 100, ..design() };
        let r = simulate_modules(&d, &mut CancelAt::new(1));
        assert_eq!(r.unwrap_err(), CoreError::Interrupted);
    }

    #[test]
    fn too_many_modules_is_an_argument_error() {
        let d = ModuleDesign { n_modules: 10, ..design() };
        assert!(simulate_modules(&d, &mut Silent).unwrap_err().to_string().contains("`n_genes`"));
    }
}
