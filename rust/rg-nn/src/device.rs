//! The candle path: the same network (one [`Network`] definition, the same explicit
//! forward/backward and optimizer formulas) on candle tensors, so it runs on CUDA
//! (`Device::Cuda`, cargo feature `cuda`) and — for testing it against the CPU engine — on
//! candle's CPU backend. Dropout masks are drawn on the host from the same seeded stream and the
//! loss gradient is computed on the host (it is `batch × outputs`), so both paths follow the
//! same random draws and loss semantics. GPU results are not bit-reproducible (cuBLAS).

use crate::error::{NnError, Result};
use crate::loss;
use crate::network::{DenseLayer, Network, Outputs};
use crate::optim::{OptimizerConfig, OptimizerKind, Schedule, StepScalars};
use crate::spec::{Activation, Architecture, Loss, BN_EPSILON, BN_MOMENTUM, SELU_ALPHA, SELU_SCALE};
use crate::train::{DropoutSampler, Engine, TrainSetup};
use candle_core::{DType, Device as CandleDevice, Tensor, D};

/// Where training runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Device {
    /// The explicit `gemm` engine (default, fastest on CPU).
    Cpu,
    /// The candle path on candle's CPU backend (reference for the CUDA path; slower).
    CandleCpu,
    /// The candle path on CUDA device `ordinal` (needs the `cuda` feature).
    Cuda(usize),
}

impl Device {
    /// `"cpu"`, `"candle-cpu"`, `"cuda"` or `"cuda:N"`.
    pub fn parse(name: &str) -> Result<Self> {
        match name {
            "cpu" => Ok(Device::Cpu),
            "candle-cpu" => Ok(Device::CandleCpu),
            "cuda" => Ok(Device::Cuda(0)),
            other => match other.strip_prefix("cuda:").and_then(|n| n.parse().ok()) {
                Some(ordinal) => Ok(Device::Cuda(ordinal)),
                None => Err(NnError::invalid("device", format!("is \"{other}\"; use \"cpu\" or \"cuda\" (\"cuda:N\" for GPU N)"))),
            },
        }
    }

    /// Whether this build can use CUDA at all (compiled with the `cuda` feature).
    pub fn cuda_compiled() -> bool {
        cfg!(feature = "cuda")
    }

    fn candle(self) -> Result<CandleDevice> {
        match self {
            Device::Cpu | Device::CandleCpu => Ok(CandleDevice::Cpu),
            Device::Cuda(ordinal) => cuda_device(ordinal),
        }
    }
}

#[cfg(feature = "cuda")]
fn cuda_device(ordinal: usize) -> Result<CandleDevice> {
    CandleDevice::new_cuda(ordinal).map_err(|e| NnError::Device(format!("is \"cuda:{ordinal}\" but no usable CUDA device was found: {e}")))
}

#[cfg(not(feature = "cuda"))]
fn cuda_device(_ordinal: usize) -> Result<CandleDevice> {
    Err(NnError::Device(
        "is \"cuda\" but this build of radiogenomics has no CUDA support; reinstall it with the environment \
         variable RADIOGENOMICS_FEATURES=cuda (needs the CUDA toolkit; see tools/check-cuda-build.sh)"
            .to_string(),
    ))
}

struct LayerTensors {
    weight: Tensor,
    bias: Tensor,
    bn: Option<BnTensors>,
    weight_state: Vec<Tensor>,
    bias_state: Vec<Tensor>,
}

struct BnTensors {
    gamma: Tensor,
    beta: Tensor,
    moving_mean: Tensor,
    moving_var: Tensor,
    biased_mean: Tensor,
    biased_var: Tensor,
    updates: i32,
    gamma_state: Vec<Tensor>,
    beta_state: Vec<Tensor>,
}

/// What the forward pass keeps for the backward pass.
struct Saved {
    input: Tensor,
    xhat: Option<Tensor>,
    inv_std: Option<Tensor>,
    act: Tensor,
    mask: Option<Tensor>,
}

pub struct CandleTrainer {
    template: Network,
    arch: Architecture,
    device: CandleDevice,
    loss: Loss,
    optimizer: OptimizerConfig,
    schedule: Schedule,
    frozen: Vec<bool>,
    layers: Vec<LayerTensors>,
}

fn upload(v: &[f32], shape: &[usize], device: &CandleDevice) -> Result<Tensor> {
    Ok(Tensor::from_slice(v, shape, device)?)
}

fn download(t: &Tensor) -> Result<Vec<f32>> {
    Ok(t.flatten_all()?.to_vec1::<f32>()?)
}

impl CandleTrainer {
    pub fn new(net: &Network, setup: &TrainSetup, device: Device) -> Result<Self> {
        let device = device.candle()?;
        let arch = net.architecture().clone();
        let zeros = |n: usize, len: usize| -> Result<Vec<Tensor>> {
            (0..n).map(|_| Ok(Tensor::zeros(len, DType::F32, &device)?)).collect()
        };
        let slots = setup.optimizer.n_slots();
        let mut layers = Vec::with_capacity(arch.n_layers());
        for (l, layer) in net.layers().iter().enumerate() {
            let (n_in, u) = (arch.fan_in(l), arch.layers[l].units);
            let trainable = !setup.frozen[l];
            let bn = match &layer.batch_norm {
                Some(bn) => Some(BnTensors {
                    gamma: upload(&bn.gamma, &[u], &device)?,
                    beta: upload(&bn.beta, &[u], &device)?,
                    moving_mean: upload(&bn.moving_mean, &[u], &device)?,
                    moving_var: upload(&bn.moving_var, &[u], &device)?,
                    biased_mean: Tensor::zeros(u, DType::F32, &device)?,
                    biased_var: Tensor::zeros(u, DType::F32, &device)?,
                    updates: 0,
                    gamma_state: zeros(slots, u)?,
                    beta_state: zeros(slots, u)?,
                }),
                None => None,
            };
            layers.push(LayerTensors {
                weight: upload(&layer.weight, &[n_in, u], &device)?,
                bias: upload(&layer.bias, &[u], &device)?,
                bn,
                weight_state: if trainable { zeros(slots, n_in * u)? } else { Vec::new() },
                bias_state: if trainable { zeros(slots, u)? } else { Vec::new() },
            });
        }
        Ok(CandleTrainer {
            template: net.clone(),
            arch,
            device,
            loss: setup.loss,
            optimizer: setup.optimizer,
            schedule: Schedule::new(setup.optimizer),
            frozen: setup.frozen.clone(),
            layers,
        })
    }

    fn forward(&mut self, x: &Tensor, rows: usize, dropout: Option<&mut DropoutSampler>) -> Result<(Vec<Saved>, Tensor, Tensor)> {
        let training = dropout.is_some();
        let mut dropout = dropout;
        let mut h = x.clone();
        if training && self.arch.input_dropout > 0.0 {
            if let Some(d) = dropout.as_deref_mut() {
                let mask = self.mask(d, rows, self.arch.n_inputs, self.arch.input_dropout)?;
                h = h.mul(&mask)?;
            }
        }
        let n_layers = self.arch.n_layers();
        let mut saved = Vec::with_capacity(n_layers);
        let mut link = h.clone();
        for l in 0..n_layers {
            let spec = self.arch.layers[l].clone();
            let layer = &self.layers[l];
            let z = h.matmul(&layer.weight)?.broadcast_add(&layer.bias)?;
            let (u, xhat, inv_std) = match &layer.bn {
                Some(bn) if training => {
                    let mean = z.mean_keepdim(0)?;
                    let centered = z.broadcast_sub(&mean)?;
                    let var = centered.sqr()?.mean_keepdim(0)?;
                    let inv_std = (var.clone() + BN_EPSILON as f64)?.sqrt()?.recip()?;
                    let xhat = centered.broadcast_mul(&inv_std)?;
                    let u = xhat.broadcast_mul(&bn.gamma)?.broadcast_add(&bn.beta)?;
                    self.update_moving(l, &mean.squeeze(0)?, &var.squeeze(0)?, rows)?;
                    (u, Some(xhat), Some(inv_std))
                }
                Some(bn) => {
                    let scale = bn.gamma.broadcast_div(&(bn.moving_var.clone() + BN_EPSILON as f64)?.sqrt()?)?;
                    let u = z.broadcast_sub(&bn.moving_mean)?.broadcast_mul(&scale)?.broadcast_add(&bn.beta)?;
                    (u, None, None)
                }
                None => (z, None, None),
            };
            if l + 1 == n_layers {
                link = u.clone();
            }
            let act = activate(spec.activation, &u)?;
            let mut out = act.clone();
            let mut mask = None;
            if training && spec.dropout > 0.0 && l + 1 < n_layers {
                if let Some(d) = dropout.as_deref_mut() {
                    let m = self.mask(d, rows, spec.units, spec.dropout)?;
                    out = out.mul(&m)?;
                    mask = Some(m);
                }
            }
            saved.push(Saved { input: h, xhat, inv_std, act, mask });
            h = out;
        }
        Ok((saved, link, h))
    }

    fn mask(&self, sampler: &mut DropoutSampler, rows: usize, cols: usize, rate: f32) -> Result<Tensor> {
        let mut m = vec![0.0f32; rows * cols];
        sampler.fill(&mut m, rate);
        upload(&m, &[rows, cols], &self.device)
    }

    fn update_moving(&mut self, l: usize, mean: &Tensor, var: &Tensor, rows: usize) -> Result<()> {
        let m = BN_MOMENTUM as f64;
        let n = rows as f64;
        let correction = n / (n - (1.0 + BN_EPSILON as f64));
        if let Some(bn) = self.layers[l].bn.as_mut() {
            bn.updates += 1;
            let debias = 1.0 / (1.0 - (BN_MOMENTUM).powi(bn.updates) as f64);
            bn.biased_mean = ((bn.biased_mean.clone() * m)? + (mean * (1.0 - m))?)?;
            bn.biased_var = ((bn.biased_var.clone() * m)? + (var * ((1.0 - m) * correction))?)?;
            bn.moving_mean = (bn.biased_mean.clone() * debias)?;
            bn.moving_var = (bn.biased_var.clone() * debias)?;
        }
        Ok(())
    }

    fn backward_and_update(&mut self, saved: Vec<Saved>, top_grad: Tensor, rows: usize) -> Result<()> {
        let step = self.schedule.next_step();
        let n_layers = self.arch.n_layers();
        let mut grad = top_grad;
        for l in (0..n_layers).rev() {
            let spec = self.arch.layers[l].clone();
            let s = &saved[l];
            if l + 1 < n_layers {
                if let Some(mask) = &s.mask {
                    grad = grad.mul(mask)?;
                }
                grad = grad.mul(&activation_derivative(spec.activation, &s.act)?)?;
            }
            let layer = &mut self.layers[l];
            if let (Some(bn), Some(xhat), Some(inv_std)) = (layer.bn.as_mut(), &s.xhat, &s.inv_std) {
                let d_beta = grad.sum(0)?;
                let d_gamma = grad.mul(xhat)?.sum(0)?;
                let correction = xhat.broadcast_mul(&d_gamma)?.broadcast_add(&d_beta)?;
                let scale = bn.gamma.broadcast_mul(&inv_std.squeeze(0)?)?;
                grad = (grad - (correction / rows as f64)?)?.broadcast_mul(&scale)?;
                bn.gamma = update(&self.optimizer, &step, &bn.gamma, &d_gamma, &mut bn.gamma_state)?;
                bn.beta = update(&self.optimizer, &step, &bn.beta, &d_beta, &mut bn.beta_state)?;
            }
            let below = if l > 0 { Some(grad.matmul(&layer.weight.t()?)?) } else { None };
            if !self.frozen[l] {
                let d_weight = s.input.t()?.matmul(&grad)?;
                let d_bias = grad.sum(0)?;
                let mut w = update(&self.optimizer, &step, &layer.weight, &d_weight, &mut layer.weight_state)?;
                let mut b = update(&self.optimizer, &step, &layer.bias, &d_bias, &mut layer.bias_state)?;
                if self.arch.nonneg_output && l + 1 == n_layers {
                    w = w.relu()?;
                    b = b.relu()?;
                }
                layer.weight = w;
                layer.bias = b;
            }
            if let Some(b) = below {
                grad = b;
            }
        }
        Ok(())
    }
}

fn activate(act: Activation, u: &Tensor) -> Result<Tensor> {
    Ok(match act {
        Activation::Linear => u.clone(),
        Activation::Sigmoid => (u.neg()?.exp()? + 1.0)?.recip()?,
        Activation::Tanh => u.tanh()?,
        Activation::Relu => u.relu()?,
        Activation::Elu => u.elu(1.0)?,
        Activation::Selu => (u.elu(SELU_ALPHA as f64)? * SELU_SCALE as f64)?,
        Activation::Softmax => {
            let max = u.max_keepdim(D::Minus1)?;
            let e = u.broadcast_sub(&max)?.exp()?;
            e.broadcast_div(&e.sum_keepdim(D::Minus1)?)?
        }
    })
}

/// act′ as a function of the activation's output (see `kernels::derivative_from_output`).
fn activation_derivative(act: Activation, a: &Tensor) -> Result<Tensor> {
    let positive = || -> Result<Tensor> { Ok(a.gt(0.0)?.to_dtype(DType::F32)?) };
    Ok(match act {
        Activation::Linear | Activation::Softmax => a.ones_like()?,
        Activation::Sigmoid => a.mul(&(a.neg()? + 1.0)?)?,
        Activation::Tanh => (a.sqr()?.neg()? + 1.0)?,
        Activation::Relu => positive()?,
        Activation::Elu => {
            let p = positive()?;
            (p.clone() + (p.neg()? + 1.0)?.mul(&(a + 1.0)?)?)?
        }
        Activation::Selu => {
            let p = positive()?;
            let neg = (a + (SELU_SCALE * SELU_ALPHA) as f64)?;
            ((p.clone() * SELU_SCALE as f64)? + (p.neg()? + 1.0)?.mul(&neg)?)?
        }
    })
}

/// One optimizer step with tensor ops (same formulas as `optim::apply_update`).
fn update(config: &OptimizerConfig, s: &StepScalars, p: &Tensor, g: &Tensor, state: &mut [Tensor]) -> Result<Tensor> {
    let g = g.reshape(p.shape())?;
    let eps = config.epsilon as f64;
    let lr = s.lr as f64;
    let shape = p.shape().clone();
    let flat = |t: &Tensor| t.reshape(shape.clone());
    Ok(match (config.kind, state) {
        (OptimizerKind::Sgd { .. }, []) => (p - (g * lr)?)?,
        (OptimizerKind::Sgd { momentum, nesterov }, [v]) => {
            let m = momentum as f64;
            let vel = ((flat(v)? * m)? - (&g * lr)?)?;
            *v = vel.flatten_all()?;
            if nesterov { ((p + (&vel * m)?)? - (g * lr)?)? } else { (p + vel)? }
        }
        (OptimizerKind::Adadelta { rho }, [a, d]) => {
            let r = rho as f64;
            let a_new = ((flat(a)? * r)? + (g.sqr()? * (1.0 - r))?)?;
            let upd = g.mul(&(flat(d)? + eps)?.sqrt()?)?.div(&(a_new.clone() + eps)?.sqrt()?)?;
            let d_new = ((flat(d)? * r)? + (upd.sqr()? * (1.0 - r))?)?;
            *a = a_new.flatten_all()?;
            *d = d_new.flatten_all()?;
            (p - (upd * lr)?)?
        }
        (OptimizerKind::Adam { beta_1, beta_2 }, [m, v]) => {
            let (b1, b2) = (beta_1 as f64, beta_2 as f64);
            let m_new = ((flat(m)? * b1)? + (&g * (1.0 - b1))?)?;
            let v_new = ((flat(v)? * b2)? + (g.sqr()? * (1.0 - b2))?)?;
            let step = m_new.div(&(v_new.sqrt()? + eps)?)?;
            *m = m_new.flatten_all()?;
            *v = v_new.flatten_all()?;
            (p - (step * lr)?)?
        }
        (OptimizerKind::Nadam { beta_1, beta_2, .. }, [m, v]) => {
            let (b1, b2) = (beta_1 as f64, beta_2 as f64);
            let [g_scale, m_scale, v_scale, mu_t, mu_next] = s.nadam.map(|x| x as f64);
            let m_new = ((flat(m)? * b1)? + (&g * (1.0 - b1))?)?;
            let v_new = ((flat(v)? * b2)? + (g.sqr()? * (1.0 - b2))?)?;
            let m_bar = ((&g * (g_scale * (1.0 - mu_t)))? + (&m_new * (mu_next * m_scale))?)?;
            let step = m_bar.div(&((&v_new * v_scale)?.sqrt()? + eps)?)?;
            *m = m_new.flatten_all()?;
            *v = v_new.flatten_all()?;
            (p - (step * lr)?)?
        }
        (OptimizerKind::Rmsprop { rho }, [a]) => {
            let r = rho as f64;
            let a_new = ((flat(a)? * r)? + (g.sqr()? * (1.0 - r))?)?;
            let step = g.div(&(a_new.sqrt()? + eps)?)?;
            *a = a_new.flatten_all()?;
            (p - (step * lr)?)?
        }
        _ => return Err(NnError::Numerical("optimizer state does not match its configuration".into())),
    })
}

impl Engine for CandleTrainer {
    fn train_batch(&mut self, x: &[f32], y: &[f32], weights: Option<&[f32]>, rows: usize, dropout: &mut DropoutSampler) -> Result<f64> {
        let k = self.arch.n_outputs();
        let xt = upload(&x[..rows * self.arch.n_inputs], &[rows, self.arch.n_inputs], &self.device)?;
        let (saved, _link, prob) = self.forward(&xt, rows, Some(dropout))?;
        let prob = download(&prob)?;
        let mut scales = Vec::with_capacity(rows);
        loss::batch_scales(weights, rows, &mut scales);
        let mut grad = vec![0.0f32; rows * k];
        let head = self.arch.output().activation;
        let value = loss::batch_loss_and_gradient(self.loss, head, &prob, &y[..rows * k], &scales, k, &mut grad);
        let grad = upload(&grad, &[rows, k], &self.device)?;
        self.backward_and_update(saved, grad, rows)?;
        Ok(value)
    }

    fn predict(&mut self, x: &[f32], rows: usize) -> Result<Outputs> {
        let xt = upload(x, &[rows, self.arch.n_inputs], &self.device)?;
        let (_, link, prob) = self.forward(&xt, rows, None)?;
        Ok(Outputs { n_samples: rows, n_outputs: self.arch.n_outputs(), link: download(&link)?, prob: download(&prob)? })
    }

    fn export(&self) -> Result<Network> {
        let mut net = self.template.clone();
        let layers = self.snapshot()?;
        net.layers_mut().clone_from_slice(&layers);
        Ok(net)
    }

    fn snapshot(&self) -> Result<Vec<DenseLayer>> {
        let mut out = Vec::with_capacity(self.layers.len());
        for (l, t) in self.layers.iter().enumerate() {
            let mut layer = self.template.layer(l).clone();
            layer.weight = download(&t.weight)?;
            layer.bias = download(&t.bias)?;
            if let (Some(dst), Some(src)) = (layer.batch_norm.as_mut(), &t.bn) {
                dst.gamma = download(&src.gamma)?;
                dst.beta = download(&src.beta)?;
                dst.moving_mean = download(&src.moving_mean)?;
                dst.moving_var = download(&src.moving_var)?;
            }
            out.push(layer);
        }
        Ok(out)
    }

    fn restore(&mut self, layers: Vec<DenseLayer>) -> Result<()> {
        for (l, (t, layer)) in self.layers.iter_mut().zip(&layers).enumerate() {
            let (n_in, u) = (self.arch.fan_in(l), self.arch.layers[l].units);
            t.weight = upload(&layer.weight, &[n_in, u], &self.device)?;
            t.bias = upload(&layer.bias, &[u], &self.device)?;
            if let (Some(dst), Some(src)) = (t.bn.as_mut(), &layer.batch_norm) {
                dst.gamma = upload(&src.gamma, &[u], &self.device)?;
                dst.beta = upload(&src.beta, &[u], &self.device)?;
                dst.moving_mean = upload(&src.moving_mean, &[u], &self.device)?;
                dst.moving_var = upload(&src.moving_var, &[u], &self.device)?;
            }
        }
        Ok(())
    }
}
