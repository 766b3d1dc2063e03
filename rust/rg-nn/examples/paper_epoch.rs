//! Times the CPU engine on the paper network (12,042 → 4000/2000/1000 tanh → 1 sigmoid, batch
//! norm, Adadelta, batch 10, 175 samples) and its 175-sample forward pass.
//! `cargo run --release -p rg-nn --example paper_epoch [epochs (0 = forward only)] [threads]`.

use rg_core::monitor::Silent;
use rg_core::RngStream;
use rg_nn::{fit, Activation, Architecture, Dataset, FitOptions, Loss, Network, Task};
use std::time::Instant;

fn main() {
    let args: Vec<usize> = std::env::args().skip(1).filter_map(|a| a.parse().ok()).collect();
    let epochs = args.first().copied().unwrap_or(2);
    let threads = args.get(1).copied().unwrap_or(2);
    let (n, p) = (175, 12_042);
    let mut rng = RngStream::new(1, 0);
    let x: Vec<f32> = (0..n * p).map(|_| rng.normal() as f32).collect();
    let y: Vec<f32> = (0..n).map(|i| (x[i * p] > 0.0) as u8 as f32).collect();
    let arch = Architecture::feed_forward(p, &[4000, 2000, 1000], Activation::Tanh, true, 0.0, 1, Activation::Sigmoid);
    let t = Instant::now();
    let mut net = Network::new(arch, 1).expect("network");
    println!("init {:.3} s", t.elapsed().as_secs_f64());
    let mut o = FitOptions::new(Task::Binary, Loss::BinaryCrossentropy);
    o.epochs = epochs;
    o.train_metrics = false;
    o.n_threads = threads;
    if epochs > 0 {
        let h = fit(&mut net, &Dataset { x: &x, y: &y, n, weights: None }, None, &o, &mut Silent).expect("fit");
        println!("epoch seconds {:?}", h.seconds);
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().expect("pool");
    for _ in 0..3 {
        let t = Instant::now();
        pool.install(|| net.forward(&x, n).expect("forward"));
        println!("forward {:.3} s", t.elapsed().as_secs_f64());
    }
}
