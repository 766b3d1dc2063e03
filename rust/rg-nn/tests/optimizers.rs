//! One (and two) optimizer steps vs the Keras 2.2.4 update formulas computed by hand in f64.

use rg_nn::optim::{apply_update, OptimizerConfig, OptimizerKind, Schedule, SlotState};

const P0: [f64; 4] = [0.5, -1.0, 2.0, 0.0];
const G1: [f64; 4] = [0.1, -0.3, 2.5, 0.0];
const G2: [f64; 4] = [-0.2, 0.4, 1.5, 1e-3];

fn run(config: OptimizerConfig, grads: &[[f64; 4]]) -> Vec<f32> {
    let mut p: Vec<f32> = P0.iter().map(|&v| v as f32).collect();
    let mut state = SlotState::new(&config, p.len());
    let mut schedule = Schedule::new(config);
    for g in grads {
        let g: Vec<f32> = g.iter().map(|&v| v as f32).collect();
        let step = schedule.next_step();
        apply_update(&config, &step, &mut p, &g, &mut state);
    }
    p
}

fn close(ours: &[f32], expected: &[f64]) {
    for (a, b) in ours.iter().zip(expected) {
        assert!(((*a as f64) - b).abs() <= 1e-5 * (1.0 + b.abs()), "ours {ours:?} expected {expected:?}");
    }
}

fn default(name: &str) -> OptimizerConfig {
    OptimizerConfig::keras_default(name).unwrap()
}

#[test]
fn sgd_plain_momentum_nesterov_and_decay() {
    let lr = 0.01;
    close(&run(default("sgd"), &[G1]), &P0.iter().zip(G1).map(|(p, g)| p - lr * g).collect::<Vec<_>>());
    // decay: second step uses lr / (1 + decay · 1)
    let mut c = default("sgd");
    c.decay = 0.5;
    let expected: Vec<f64> = (0..4).map(|i| P0[i] - lr * G1[i] - lr / 1.5 * G2[i]).collect();
    close(&run(c, &[G1, G2]), &expected);
    for nesterov in [false, true] {
        let mu = 0.9;
        let c = OptimizerConfig { kind: OptimizerKind::Sgd { momentum: mu as f32, nesterov }, ..default("sgd") };
        let expected: Vec<f64> = (0..4)
            .map(|i| {
                let (mut p, mut v) = (P0[i], 0.0);
                for g in [G1[i], G2[i]] {
                    v = mu * v - lr * g;
                    p += if nesterov { mu * v - lr * g } else { v };
                }
                p
            })
            .collect();
        close(&run(c, &[G1, G2]), &expected);
    }
}

#[test]
fn adadelta() {
    let (rho, eps, lr) = (0.95f64, 1e-7f64, 1.0f64);
    let expected: Vec<f64> = (0..4)
        .map(|i| {
            let (mut p, mut a, mut d) = (P0[i], 0.0f64, 0.0f64);
            for g in [G1[i], G2[i]] {
                a = rho * a + (1.0 - rho) * g * g;
                let update = g * (d + eps).sqrt() / (a + eps).sqrt();
                p -= lr * update;
                d = rho * d + (1.0 - rho) * update * update;
            }
            p
        })
        .collect();
    close(&run(default("adadelta"), &[G1, G2]), &expected);
}

#[test]
fn adam_with_bias_correction() {
    let (b1, b2, eps, lr) = (0.9f64, 0.999f64, 1e-7, 0.001);
    let expected: Vec<f64> = (0..4)
        .map(|i| {
            let (mut p, mut m, mut v) = (P0[i], 0.0, 0.0);
            for (t, g) in [G1[i], G2[i]].into_iter().enumerate() {
                let t = (t + 1) as f64;
                let lr_t = lr * (1.0 - b2.powf(t)).sqrt() / (1.0 - b1.powf(t));
                m = b1 * m + (1.0 - b1) * g;
                v = b2 * v + (1.0 - b2) * g * g;
                p -= lr_t * m / (v.sqrt() + eps);
            }
            p
        })
        .collect();
    close(&run(default("adam"), &[G1, G2]), &expected);
}

#[test]
fn nadam_with_momentum_schedule() {
    let (b1, b2, eps, lr, sd) = (0.9f64, 0.999f64, 1e-7, 0.002, 0.004);
    let expected: Vec<f64> = (0..4)
        .map(|i| {
            let (mut p, mut m, mut v, mut m_schedule) = (P0[i], 0.0, 0.0, 1.0);
            for (t, g) in [G1[i], G2[i]].into_iter().enumerate() {
                let t = (t + 1) as f64;
                let mu_t = b1 * (1.0 - 0.5 * 0.96f64.powf(t * sd));
                let mu_t1 = b1 * (1.0 - 0.5 * 0.96f64.powf((t + 1.0) * sd));
                let m_schedule_new = m_schedule * mu_t;
                let m_schedule_next = m_schedule * mu_t * mu_t1;
                m_schedule = m_schedule_new;
                let g_prime = g / (1.0 - m_schedule_new);
                m = b1 * m + (1.0 - b1) * g;
                let m_prime = m / (1.0 - m_schedule_next);
                v = b2 * v + (1.0 - b2) * g * g;
                let v_prime = v / (1.0 - b2.powf(t));
                let m_bar = (1.0 - mu_t) * g_prime + mu_t1 * m_prime;
                p -= lr * m_bar / (v_prime.sqrt() + eps);
            }
            p
        })
        .collect();
    close(&run(default("nadam"), &[G1, G2]), &expected);
}

#[test]
fn rmsprop() {
    let (rho, eps, lr) = (0.9f64, 1e-7f64, 0.001f64);
    let expected: Vec<f64> = (0..4)
        .map(|i| {
            let (mut p, mut a) = (P0[i], 0.0f64);
            for g in [G1[i], G2[i]] {
                a = rho * a + (1.0 - rho) * g * g;
                p -= lr * g / (a.sqrt() + eps);
            }
            p
        })
        .collect();
    close(&run(default("rmsprop"), &[G1, G2]), &expected);
}

#[test]
fn large_tensors_update_like_small_ones() {
    // chunked parallel update = elementwise formula, whatever the split
    let config = default("adadelta");
    let n = 100_003;
    let grad: Vec<f32> = (0..n).map(|i| ((i % 17) as f32 - 8.0) * 0.01).collect();
    let mut p = vec![0.25f32; n];
    let mut state = SlotState::new(&config, n);
    let step = Schedule::new(config).next_step();
    apply_update(&config, &step, &mut p, &grad, &mut state);
    for i in [0usize, 16, 50_000, n - 1] {
        let mut q = [0.25f32];
        let mut s = SlotState::new(&config, 1);
        apply_update(&config, &step, &mut q, &grad[i..i + 1], &mut s);
        assert_eq!(p[i], q[0]);
    }
}

#[test]
fn bad_settings_name_the_argument() {
    assert!(OptimizerConfig::keras_default("adagrad2").unwrap_err().to_string().contains("`optimizer`"));
    let mut c = default("adam");
    c.learning_rate = -1.0;
    assert!(c.validate().unwrap_err().to_string().contains("`learning_rate`"));
}
