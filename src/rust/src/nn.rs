//! Neural networks: `fit_network()`, `fit_autoencoder()`, `predict()`, persistence.
//!
//! The R object keeps the model as safetensors bytes (`weights`) plus an external pointer to the
//! live `rg_nn::Network` (`ptr`). After `readRDS()` the pointer is dead; every function here takes
//! both and rebuilds the network from the bytes when the pointer is unusable.

use crate::conditions::{error_robj, to_robj};
use crate::monitor::RMonitor;
use extendr_api::prelude::*;
use rg_core::{Interrupted, Monitor};
use rg_nn::{
    autoencoder_architecture, fit, freeze_first, transfer_layers, Activation, Architecture, Dataset, Device,
    EarlyStopping, FitOptions, LayerSpec, Loss, Network, NnError, OptimizerConfig, OptimizerKind, Standardizer,
    StopMode, Task,
};
use std::time::{Duration, Instant};

// ---- reading the validated option lists built by R -------------------------------------------

fn field(list: &Robj, name: &str) -> Robj {
    list.dollar(name).unwrap_or_else(|_| r!(NULL))
}

fn number(list: &Robj, name: &str) -> Result<f64, NnError> {
    let v = field(list, name);
    v.as_real()
        .or_else(|| v.as_integer().map(|i| i as f64))
        .ok_or_else(|| NnError::invalid(name, "is missing or not a number"))
}

fn optional_number(list: &Robj, name: &str) -> Option<f64> {
    let v = field(list, name);
    v.as_real().or_else(|| v.as_integer().map(|i| i as f64))
}

fn flag(list: &Robj, name: &str) -> Result<bool, NnError> {
    field(list, name).as_bool().ok_or_else(|| NnError::invalid(name, "is missing or not TRUE/FALSE"))
}

fn text(list: &Robj, name: &str) -> Result<String, NnError> {
    field(list, name).as_str().map(str::to_string).ok_or_else(|| NnError::invalid(name, "is missing or not a string"))
}

fn sizes(list: &Robj, name: &str) -> Vec<usize> {
    crate::convert::doubles(&field(list, name)).into_iter().map(|v| v.max(0.0) as usize).collect()
}

fn strings(x: &Robj) -> Vec<String> {
    x.as_str_vector().map(|v| v.into_iter().map(str::to_string).collect()).unwrap_or_default()
}

fn floats(x: &Robj) -> Vec<f32> {
    crate::convert::doubles(x).into_iter().map(|v| v as f32).collect()
}

// ---- architecture and options ----------------------------------------------------------------

fn architecture(spec: &Robj, n_inputs: usize) -> Result<Architecture, NnError> {
    let hidden = sizes(spec, "hidden");
    let activation = Activation::parse(&text(spec, "activation")?)?;
    let batch_norm = flag(spec, "batch_norm")?;
    let head = Activation::parse(&text(spec, "head")?)?;
    let output_bn = flag(spec, "output_batch_norm")?;
    let mut arch = if text(spec, "kind")? == "autoencoder" {
        autoencoder_architecture(n_inputs, &hidden, activation, batch_norm, head, output_bn)
    } else {
        let dropout = number(spec, "dropout")? as f32;
        let mut layers: Vec<LayerSpec> =
            hidden.iter().map(|&units| LayerSpec { units, activation, batch_norm, dropout }).collect();
        layers.push(LayerSpec { units: number(spec, "n_outputs")? as usize, activation: head, batch_norm: output_bn, dropout: 0.0 });
        Architecture { n_inputs, input_dropout: number(spec, "input_dropout")? as f32, layers, nonneg_output: false }
    };
    arch.nonneg_output = flag(spec, "nonneg")?;
    Ok(arch)
}

fn optimizer(control: &Robj) -> Result<OptimizerConfig, NnError> {
    let mut c = OptimizerConfig::keras_default(&text(control, "optimizer")?)?;
    let get = |name: &str| optional_number(control, name).map(|v| v as f32);
    if let Some(lr) = get("learning_rate") {
        c.learning_rate = lr;
    }
    c.decay = get("decay").unwrap_or(0.0);
    c.epsilon = get("epsilon").unwrap_or(1e-7);
    match &mut c.kind {
        OptimizerKind::Sgd { momentum, nesterov } => {
            *momentum = get("momentum").unwrap_or(0.0);
            *nesterov = field(control, "nesterov").as_bool().unwrap_or(false);
        }
        OptimizerKind::Adadelta { rho } | OptimizerKind::Rmsprop { rho } => {
            if let Some(r) = get("rho") {
                *rho = r;
            }
        }
        OptimizerKind::Adam { beta_1, beta_2 } => {
            *beta_1 = get("beta_1").unwrap_or(*beta_1);
            *beta_2 = get("beta_2").unwrap_or(*beta_2);
        }
        OptimizerKind::Nadam { beta_1, beta_2, schedule_decay } => {
            *beta_1 = get("beta_1").unwrap_or(*beta_1);
            *beta_2 = get("beta_2").unwrap_or(*beta_2);
            *schedule_decay = get("schedule_decay").unwrap_or(*schedule_decay);
        }
    }
    Ok(c)
}

fn task(control: &Robj) -> Result<Task, NnError> {
    Ok(match text(control, "task")?.as_str() {
        "binary" => Task::Binary,
        "multiclass" => Task::Multiclass,
        "multilabel" => Task::Multilabel,
        _ => Task::Regression { pooled_r2: field(control, "pooled_r2").as_bool().unwrap_or(false) },
    })
}

fn fit_options(control: &Robj, n_layers: usize) -> Result<FitOptions, NnError> {
    let task = task(control)?;
    let mut o = FitOptions::new(task, Loss::parse(&text(control, "loss")?)?);
    o.epochs = number(control, "epochs")? as usize;
    o.batch_size = number(control, "batch_size")? as usize;
    o.optimizer = optimizer(control)?;
    o.seed = number(control, "seed")? as u64;
    o.shuffle = flag(control, "shuffle")?;
    o.train_metrics = flag(control, "train_metrics")?;
    o.n_threads = number(control, "n_threads")? as usize;
    o.device = Device::parse(&text(control, "device")?)?;
    let freeze = optional_number(control, "freeze_layers").unwrap_or(0.0) as usize;
    if freeze > 0 {
        o.frozen = freeze_first(n_layers, freeze);
    }
    if let Some(monitor) = field(control, "monitor").as_str() {
        o.early_stopping = Some(EarlyStopping {
            monitor: monitor.to_string(),
            patience: number(control, "patience")? as usize,
            min_delta: number(control, "min_delta")?,
            mode: if text(control, "mode")? == "min" { StopMode::Min } else { StopMode::Max },
            restore_best: flag(control, "restore_best")?,
        });
    }
    Ok(o)
}

// ---- progress -------------------------------------------------------------------------------

/// One line per epoch (at most one a second, the first always), Ctrl-C polling between batches.
struct EpochPrinter {
    poll: RMonitor,
    verbose: bool,
    last: Option<Instant>,
}

impl Monitor for EpochPrinter {
    fn step(&mut self, done: usize, total: usize) -> Result<(), Interrupted> {
        self.poll.step(done, total)
    }

    fn message(&mut self, text: &str) {
        if self.verbose && self.last.map_or(true, |t| t.elapsed() >= Duration::from_secs(1)) {
            reprintln!("{}", text);
            self.last = Some(Instant::now());
        }
    }
}

// ---- fitting --------------------------------------------------------------------------------

/// Trains a network (`spec$kind = "network"`) or an autoencoder (`"autoencoder"`).
///
/// `x`: genes × samples matrix (raw values); `y`: samples × outputs matrix (ignored for
/// autoencoders); `validation`: NULL or list(x, y); `weights`: NULL or per-sample weights;
/// `pretrained`: NULL or the weights (raw) of an autoencoder whose first `transfer_layers`
/// layers and standardization are used. Returns list(weights, ptr, history, best_epoch,
/// epochs_run, stopped_early, restored_best, mean, sd).
#[extendr]
fn rg_nn_fit(x: Robj, genes: Robj, y: Robj, validation: Robj, weights: Robj, pretrained: Robj, spec: Robj, control: Robj, verbose: bool) -> Robj {
    rg_core::guard_rayon_after_fork();
    match fit_network(&x, &genes, &y, &validation, &weights, &pretrained, &spec, &control, verbose) {
        Ok(value) => value,
        Err(e) => error_robj(&e),
    }
}

#[allow(clippy::too_many_arguments)]
fn fit_network(
    x: &Robj, genes: &Robj, y: &Robj, validation: &Robj, weights: &Robj, pretrained: &Robj, spec: &Robj, control: &Robj, verbose: bool,
) -> Result<Robj, NnError> {
    let genes = strings(genes);
    let p = genes.len();
    let raw = crate::convert::doubles(x);
    let n = if p == 0 { 0 } else { raw.len() / p };
    let autoencoder = text(spec, "kind")? == "autoencoder";
    let arch = architecture(spec, p)?;
    let n_layers = arch.n_layers();
    let mut net = Network::new(arch, number(control, "seed")? as u64)?;
    net.set_input_names(genes)?;
    if pretrained.is_null() {
        net.set_standardizer(Standardizer::fit(&raw, n, p)?)?;
    } else {
        let source = Network::from_bytes(pretrained.as_raw_slice().unwrap_or(&[]))?;
        let k = number(spec, "transfer_layers")? as usize;
        transfer_layers(&mut net, &source, k)?;
        if net.standardizer().is_none() {
            net.set_standardizer(Standardizer::identity(p))?;
        }
    }
    let xs = net.standardize(&raw, n)?;
    let ys = if autoencoder { xs.clone() } else { floats(y) };
    let sample_weights = if weights.is_null() { None } else { Some(floats(weights)) };
    let validation_data = if validation.is_null() {
        None
    } else {
        let raw_v = crate::convert::doubles(&field(validation, "x"));
        let n_v = raw_v.len() / p.max(1);
        let xv = net.standardize(&raw_v, n_v)?;
        let yv = if autoencoder { xv.clone() } else { floats(&field(validation, "y")) };
        Some((xv, yv, n_v))
    };
    let options = fit_options(control, n_layers)?;
    let train = Dataset { x: &xs, y: &ys, n, weights: sample_weights.as_deref() };
    let val = validation_data.as_ref().map(|(x, y, n)| Dataset { x, y, n: *n, weights: None });
    let label = if autoencoder { "training autoencoder" } else { "training network" };
    let mut monitor = EpochPrinter { poll: RMonitor::new(label, false), verbose, last: None };
    let history = fit(&mut net, &train, val.as_ref(), &options, &mut monitor)?;

    let mut columns: Vec<Robj> = history.values.iter().map(|v| Robj::from(v.clone())).collect();
    columns.push(Robj::from(history.seconds.clone()));
    let mut names = history.columns.clone();
    names.push("seconds".to_string());
    let history_list = List::from_names_and_values(&names, columns)
        .map_err(|e| NnError::Numerical(format!("could not build the history: {e}")))?;
    let bytes = net.to_bytes()?;
    let (mean, sd) = net.standardizer().map(|s| (s.mean.clone(), s.sd.clone())).unwrap_or_default();
    Ok(list!(
        weights = Raw::from_bytes(&bytes),
        ptr = ExternalPtr::new(net),
        history = history_list,
        best_epoch = history.best_epoch.map_or(f64::NAN, |e| (e + 1) as f64),
        epochs_run = history.epochs_run as f64,
        stopped_early = history.stopped_early,
        restored_best = history.restored_best,
        mean = mean,
        sd = sd
    )
    .into())
}

// ---- the live model -------------------------------------------------------------------------

/// The live network behind an `rg_network`: its external pointer, or, after deserialization
/// (`readRDS()` leaves the pointer dead), rebuilt from the stored `weights`.
pub(crate) enum Live {
    Pointer(ExternalPtr<Network>),
    Rebuilt(Network),
}

impl Live {
    pub(crate) fn get(ptr: &Robj, weights: &Robj) -> Result<Self, NnError> {
        if let Ok(p) = ExternalPtr::<Network>::try_from(ptr) {
            if p.try_addr().is_ok() {
                return Ok(Live::Pointer(p));
            }
        }
        let bytes = weights.as_raw_slice().ok_or_else(|| NnError::corrupt("model", "its `weights` are missing"))?;
        Ok(Live::Rebuilt(Network::from_bytes(bytes)?))
    }

    pub(crate) fn net(&self) -> &Network {
        match self {
            Live::Pointer(p) => p.as_ref(),
            Live::Rebuilt(n) => n,
        }
    }
}

/// A live pointer rebuilt from `weights` (raw safetensors bytes).
#[extendr]
fn rg_nn_restore(weights: Robj) -> Robj {
    let bytes = weights.as_raw_slice().unwrap_or(&[]);
    to_robj(Network::from_bytes(bytes).map(ExternalPtr::new))
}

/// Whether `ptr` points to a live network.
#[extendr]
fn rg_nn_ptr_alive(ptr: Robj) -> bool {
    ExternalPtr::<Network>::try_from(&ptr).is_ok_and(|p| p.try_addr().is_ok())
}

/// Predictions for `x` (genes × samples, already in the model's gene order):
/// list(link, prob), each samples × outputs.
#[extendr]
fn rg_nn_predict(ptr: Robj, weights: Robj, x: Robj) -> Robj {
    rg_core::guard_rayon_after_fork();
    let result = Live::get(&ptr, &weights).and_then(|live| {
        let net = live.net();
        let raw = crate::convert::doubles(&x);
        let n = raw.len() / net.n_inputs().max(1);
        net.predict(&raw, n)
    });
    to_robj(result.map(|out| {
        let (n, k) = (out.n_samples, out.n_outputs);
        let link = RMatrix::new_matrix(n, k, |i, j| out.link[i * k + j] as f64);
        let prob = RMatrix::new_matrix(n, k, |i, j| out.prob[i * k + j] as f64);
        list!(link = link, prob = prob)
    }))
}

/// Layer parameters of the live model: a list per layer of weight (in × out matrix), bias and
/// batch-norm vectors.
#[extendr]
fn rg_nn_parameters(ptr: Robj, weights: Robj) -> Robj {
    to_robj(Live::get(&ptr, &weights).map(|live| {
        let net = live.net();
        let arch = net.architecture();
        let layers: Vec<Robj> = net
            .layers()
            .iter()
            .enumerate()
            .map(|(l, layer)| {
                let (n_in, u) = (arch.fan_in(l), arch.layers[l].units);
                let w = RMatrix::new_matrix(n_in, u, |i, j| layer.weight[i * u + j] as f64);
                let as_f64 = |v: &[f32]| v.iter().map(|&x| x as f64).collect::<Vec<f64>>();
                let bn: Robj = match &layer.batch_norm {
                    Some(bn) => list!(
                        gamma = as_f64(&bn.gamma),
                        beta = as_f64(&bn.beta),
                        moving_mean = as_f64(&bn.moving_mean),
                        moving_var = as_f64(&bn.moving_var)
                    )
                    .into(),
                    None => r!(NULL),
                };
                list!(weight = w, bias = as_f64(&layer.bias), batch_norm = bn).into()
            })
            .collect();
        List::from_values(layers)
    }))
}

/// TRUE when the package was built with the `cuda` feature.
#[extendr]
fn rg_nn_cuda_compiled() -> bool {
    Device::cuda_compiled()
}

extendr_module! {
    mod nn;
    fn rg_nn_fit;
    fn rg_nn_restore;
    fn rg_nn_ptr_alive;
    fn rg_nn_predict;
    fn rg_nn_parameters;
    fn rg_nn_cuda_compiled;
}
