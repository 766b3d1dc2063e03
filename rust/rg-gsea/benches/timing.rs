//! Wall-clock timing of the engine on the workloads (run: `cargo bench -p rg-gsea`).
//! W1: 12,042 genes × 50 hallmark-sized sets, nperm 10,000; W2: 2,000 random sets of 15-500
//! genes; W3: 200 rankings × the 50 sets. Random normal statistics, three sets per ranking shifted up.
//! The R-level comparison with gseapy is bench/gsea.R.

use rg_core::{ExpressionView, RngStream, Silent};
use rg_gsea::{gsea_per_sample, gsea_preranked, GeneSet, GseaOptions, Method};
use std::time::Instant;

/// CPU seconds used by this process so far (all threads; Linux), or NaN elsewhere.
fn cpu_seconds() -> f64 {
    let stat = std::fs::read_to_string("/proc/self/stat").unwrap_or_default();
    let fields: Vec<&str> = stat.rsplit(')').next().unwrap_or("").split_whitespace().collect();
    let ticks = |i: usize| fields.get(i).and_then(|f| f.parse::<f64>().ok()).unwrap_or(f64::NAN);
    (ticks(11) + ticks(12)) / 100.0
}

fn timed(f: impl FnOnce()) -> (f64, f64) {
    let (t, c) = (Instant::now(), cpu_seconds());
    f();
    (t.elapsed().as_secs_f64(), cpu_seconds() - c)
}

fn main() {
    let n = 12_042;
    let genes: Vec<String> = (0..n).map(|i| format!("g{i}")).collect();
    let mut rng = RngStream::new(1, 0);
    let sets: Vec<GeneSet> = (0..50)
        .map(|i| {
            let k = 30 + (i * 37) % 171; // 30..200, like the hallmarks
            let mut scratch: Vec<usize> = (0..n).collect();
            let picked = rng.sample_distinct(&mut scratch, k).to_vec();
            GeneSet::new(format!("set{i}"), picked.iter().map(|&g| format!("g{g}")))
        })
        .collect();
    let random_sets: Vec<GeneSet> = (0..2000)
        .map(|i| {
            let k = 15 + rng.below(486);
            let mut scratch: Vec<usize> = (0..n).collect();
            let picked = rng.sample_distinct(&mut scratch, k).to_vec();
            GeneSet::new(format!("random{i}"), picked.iter().map(|&g| format!("g{g}")))
        })
        .collect();
    let samples: usize = std::env::var("W3_SAMPLES").ok().and_then(|s| s.parse().ok()).unwrap_or(200);
    // noise plus, per ranking, three of the 50 sets shifted up by U(0, 0.8) (as in bench/gsea.R)
    let mut data: Vec<f64> = (0..n * samples).map(|_| rng.normal()).collect();
    let index: std::collections::HashMap<&str, usize> = genes.iter().enumerate().map(|(i, g)| (g.as_str(), i)).collect();
    for j in 0..samples {
        for _ in 0..3 {
            let shift = 0.8 * rng.uniform();
            for g in &sets[rng.below(sets.len())].genes {
                data[j * n + index[g.as_str()]] += shift;
            }
        }
    }
    // GSEA_BENCH=simple1 (or multilevel2, ...) runs one configuration
    let only = std::env::var("GSEA_BENCH").unwrap_or_default();
    for threads in [1, 2] {
        for method in [Method::Simple, Method::Multilevel] {
            if !only.is_empty() && only != format!("{method:?}{threads}").to_lowercase() {
                continue;
            }
            let opts = GseaOptions { method, n_threads: threads, nperm: 10_000, ..GseaOptions::default() };
            let w1 = timed(|| {
                gsea_preranked(&genes, &data[..n], &sets, &opts, &mut Silent).unwrap();
            });
            let w2 = timed(|| {
                gsea_preranked(&genes, &data[..n], &random_sets, &opts, &mut Silent).unwrap();
            });
            let view = ExpressionView::new(&data, n, samples).unwrap();
            let w3 = timed(|| {
                gsea_per_sample(&genes, view, &sets, &opts, &mut Silent).unwrap();
            });
            println!(
                "{threads} thread(s) {method:?}: W1 {:.3} s ({:.2} CPU s), W2 {:.3} s ({:.2} CPU s), W3 ({samples} rankings) {:.3} s ({:.2} CPU s)",
                w1.0, w1.1, w2.0, w2.1, w3.0, w3.1
            );
        }
    }
}
