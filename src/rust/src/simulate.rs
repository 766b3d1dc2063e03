//! Simulation: the expression half of `simulate_cohort()` (modules and latent activities).

use crate::conditions::to_robj;
use crate::monitor::RMonitor;
use extendr_api::prelude::*;
use rg_core::simulate::{simulate_modules, ModuleDesign};

/// Returns list(expression = genes × samples matrix, activity = samples × modules matrix).
#[extendr]
fn rg_simulate_modules(n_genes: f64, n_samples: f64, n_modules: f64, module_size: f64, seed: f64, verbose: bool) -> Robj {
    rg_core::guard_rayon_after_fork();
    let design = ModuleDesign {
        n_genes: n_genes as usize,
        n_samples: n_samples as usize,
        n_modules: n_modules as usize,
        module_size: module_size as usize,
        seed: seed as u64,
    };
    let mut monitor = RMonitor::new("simulating samples", verbose);
    to_robj(simulate_modules(&design, &mut monitor).map(|sim| {
        let expression = RMatrix::new_matrix(design.n_genes, design.n_samples, |g, j| sim.expression[j * design.n_genes + g]);
        let activity = RMatrix::new_matrix(design.n_samples, design.n_modules, |j, m| sim.activity[m * design.n_samples + j]);
        list!(expression = expression, activity = activity)
    }))
}

extendr_module! {
    mod simulate;
    fn rg_simulate_modules;
}
