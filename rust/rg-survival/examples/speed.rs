//! Timing of screening and stepwise on the shapes of bench/survival.R (simulated here):
//! `cargo run --release -p rg-survival --example speed [screen|step]` (SPEED_VERBOSE=1: each run's
//! elapsed/CPU seconds).

use rg_core::monitor::Silent;
use rg_survival::screen::{cox_screen, FeatureLayout, Features, ScreenOptions};
use rg_survival::stepwise::{stepwise, StepOptions, Term};
use rg_survival::{Design, SurvData};

#[repr(C)]
struct Rusage {
    utime: [i64; 2],
    stime: [i64; 2],
    rest: [i64; 14],
}

extern "C" {
    fn getrusage(who: i32, usage: *mut Rusage) -> i32;
}

/// CPU time of the process, all threads (the machine is shared, so elapsed time is noisy).
fn cpu_seconds() -> f64 {
    let mut usage = Rusage { utime: [0; 2], stime: [0; 2], rest: [0; 14] };
    // SAFETY: RUSAGE_SELF (0) with a buffer of the Linux x86-64 layout.
    unsafe { getrusage(0, &mut usage) };
    let t = |tv: [i64; 2]| tv[0] as f64 + tv[1] as f64 * 1e-6;
    t(usage.utime) + t(usage.stime)
}

struct Rng(u64);

impl Rng {
    fn uniform(&mut self) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        ((self.0 >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        (-2.0 * self.uniform().ln()).sqrt() * (std::f64::consts::TAU * self.uniform()).cos()
    }
}

fn screen(rng: &mut Rng) {
    let (n, genes) = (115, 12000);
    let time: Vec<f64> = (0..n).map(|_| (-900.0 * rng.uniform().ln()).round()).collect();
    let status: Vec<f64> = (0..n).map(|_| if rng.uniform() < 0.65 { 1.0 } else { 0.0 }).collect();
    let x: Vec<f64> = (0..n * genes).map(|_| rng.normal()).collect();
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let features = Features::new(&x, genes, n, FeatureLayout::SampleMajor).unwrap();
    let options = ScreenOptions::default();
    let mut best = f64::INFINITY;
    let mut checksum = 0.0;
    let mut iterations = 0;
    for _ in 0..25 {
        let start = cpu_seconds();
        let wall = std::time::Instant::now();
        let rows = cox_screen(&surv, &features, None, &options, &mut Silent).unwrap();
        best = best.min(cpu_seconds() - start);
        if std::env::var("SPEED_VERBOSE").is_ok() { eprint!("{:.4}/{:.4} ", wall.elapsed().as_secs_f64(), cpu_seconds() - start); }
        checksum = rows.iter().map(|r| r.coef + r.se + r.p_lr + r.p_score).sum::<f64>();
        iterations = rows.iter().map(|r| r.iter).sum::<usize>();
    }
    println!("screen: {genes} genes x {n}: {:.4} s, {:.2} us/gene, {:.2} Newton iterations/gene (checksum {checksum:.15e})", best, best * 1e6 / genes as f64, iterations as f64 / genes as f64);
}

fn step(rng: &mut Rng) {
    let (n, traits) = (127, 60);
    let p = traits + 2;
    let x: Vec<f64> = (0..n * p)
        .map(|k| {
            let prob = match k / n {
                0 => 0.5,
                1 => 0.6,
                _ => 0.35,
            };
            if rng.uniform() < prob { 1.0 } else { 0.0 }
        })
        .collect();
    let risk: Vec<f64> = (0..n).map(|i| 0.5 * x[i] + 0.8 * x[4 * n + i] - 0.7 * x[18 * n + i] + 0.6 * x[43 * n + i]).collect();
    let time: Vec<f64> = risk.iter().map(|r| (-rng.uniform().ln() / (0.002 * r.exp())).round()).collect();
    let status: Vec<f64> = (0..n).map(|_| if rng.uniform() < 0.75 { 1.0 } else { 0.0 }).collect();
    let surv = SurvData::new(&time, &status, None, None).unwrap();
    let design = Design::new(&x, n, p).unwrap();
    let terms: Vec<Term> = (0..p).map(|j| Term { label: format!("v{j}"), variables: vec![j], columns: vec![j] }).collect();
    let all: Vec<usize> = (0..p).collect();
    let options = StepOptions::default();
    let mut best = f64::INFINITY;
    for _ in 0..3 {
        let start = cpu_seconds();
        let res = stepwise(&surv, &design, &terms, &[0, 1], &all, &options, &mut Silent).unwrap();
        best = best.min(cpu_seconds() - start);
        let aics: Vec<String> = res.path.iter().map(|r| format!("{}{:.12}", r.change, r.aic)).collect();
        eprintln!("{} fits; path {}", res.n_fits, aics.join(" "));
    }
    println!("stepwise: {:.4} s", best);
}

fn main() {
    let what = std::env::args().nth(1).unwrap_or_default();
    let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
    if what != "step" {
        screen(&mut rng);
    }
    if what != "screen" {
        step(&mut rng);
    }
}
