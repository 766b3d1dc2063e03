//! Timing of masking and saliency on the paper-sized network with random weights:
//! `cargo run --release -p rg-interpret --example masking_timing -- [n_sets] [n_single_genes]`.

use rg_core::monitor::Silent;
use rg_core::RngStream;
use rg_interpret::*;
use rg_nn::{Activation, Architecture, Network};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let n_sets = args.first().copied().unwrap_or(200);
    let n_single = args.get(1).copied().unwrap_or(500);
    let (n, p) = (175, 12_042);
    let arch = Architecture::feed_forward(p, &[4000, 2000, 1000], Activation::Tanh, false, 0.0, 1, Activation::Sigmoid);
    let net = Network::new(arch, 1).unwrap();
    let mut rng = RngStream::new(2, 0);
    let z: Vec<f32> = (0..n * p).map(|_| rng.normal() as f32).collect();
    let truth = Truth::new((0..n).map(|i| i % 3 == 0).collect(), n, 1).unwrap();
    let mut scratch: Vec<usize> = (0..p).collect();
    let sets: Vec<Vec<usize>> = (0..n_sets)
        .map(|_| {
            let size = 15 + rng.below(486);
            rng.sample_distinct(&mut scratch, size).to_vec()
        })
        .collect();
    let mean_size = sets.iter().map(Vec::len).sum::<usize>() as f64 / n_sets as f64;

    let t = Instant::now();
    let out = net.forward(&z, n).unwrap();
    let dense = t.elapsed().as_secs_f64();
    println!("dense forward of {n} samples: {dense:.3} s ({:.1} GFLOP/s); {}", 2.0 * 58.2e6 * n as f64 / dense / 1e9, out.prob[0]);

    for block_rows in [1024, 2048, 4096] {
        let options = MaskingOptions { block_rows, n_threads: 0 };
        let t = Instant::now();
        let r = gene_set_masking(&net, &z, n, &sets, &truth, None, &options, &mut Silent).unwrap();
        let s = t.elapsed().as_secs_f64();
        let flop = 2.0 * n as f64 * n_sets as f64 * (mean_size * 4000.0 + 4000.0 * 2000.0 + 2000.0 * 1000.0 + 1000.0);
        println!(
            "set masking, {n_sets} sets (mean size {mean_size:.0}), block_rows {block_rows}: {s:.2} s = {:.1} ms/set ({:.1} GFLOP/s); naive-dense equivalent {:.2} s; {}",
            1e3 * s / n_sets as f64, flop / s / 1e9, dense * n_sets as f64, r[0].scores.auc[0]
        );
    }

    let genes: Vec<usize> = (0..n_single).collect();
    let t = Instant::now();
    let r = single_gene_masking(&net, &z, n, &genes, &truth, &MaskingOptions::default(), &mut Silent).unwrap();
    let s = t.elapsed().as_secs_f64();
    println!("single genes: {n_single} in {s:.2} s -> all {p} genes ≈ {:.0} s; {}", s * p as f64 / n_single as f64, r[0].auc[0]);

    for (name, method) in [("gradient", SaliencyMethod::Gradient), ("integrated(50)", SaliencyMethod::Integrated { steps: 50 })] {
        let options = SaliencyOptions { method, ..SaliencyOptions::default() };
        let t = Instant::now();
        let m = saliency(&net, &z, n, &[0], &options, &mut Silent).unwrap();
        println!("saliency {name}, {n} samples: {:.2} s; {}", t.elapsed().as_secs_f64(), m[0][0]);
    }
}
