//! Training: minibatches reshuffled every epoch from the seed, sample weights, per-epoch
//! metrics in inference mode, early stopping with best-weight restore, progress and
//! cancellation through a [`Monitor`].
//!
//! Determinism: weights, shuffling and dropout masks come from `RngStream`s derived from the
//! seed, and every parallel kernel either splits work without changing the arithmetic (matrix
//! products split over output tiles, optimizers over elements) or runs sequentially, so the
//! same seed gives bit-identical weights; see the crate documentation for the thread count.

use crate::cpu::CpuTrainer;
use crate::device::{CandleTrainer, Device};
use crate::error::{NnError, Result};
use crate::loss::sample_loss;
use crate::network::{check_matrix, DenseLayer, Network, Outputs};
use crate::optim::OptimizerConfig;
use crate::spec::{Activation, Loss};
use rg_core::metrics::{self, BinaryMetric};
use rg_core::threads::in_pool;
use rg_core::{Monitor, RngStream};

/// What the outputs mean, which decides the metrics recorded per epoch.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Task {
    /// One sigmoid output: `auc`, `ap`.
    Binary,
    /// Softmax over classes, one-hot targets: micro-averaged `auc`, `ap`, and `acc`.
    Multiclass,
    /// Several sigmoid outputs: micro-averaged `auc`, `ap`.
    Multilabel,
    /// Real-valued outputs: `r2` (mean over outputs of sklearn's R², or Keras' batch-pooled R²
    /// over all outputs when `pooled_r2`) and `mae`.
    Regression { pooled_r2: bool },
}

impl Task {
    pub fn metric_names(self) -> &'static [&'static str] {
        match self {
            Task::Binary | Task::Multilabel => &["auc", "ap"],
            Task::Multiclass => &["auc", "ap", "acc"],
            Task::Regression { .. } => &["r2", "mae"],
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopMode {
    Min,
    Max,
}

/// Keras' `EarlyStopping`: an epoch improves iff value − min_delta > best (max mode) or
/// value + min_delta < best (min mode); training stops after `patience` epochs without
/// improvement. With `restore_best`, the weights of the last improving epoch are restored when
/// training ends (whether it stopped early or ran out of epochs).
#[derive(Debug, Clone, PartialEq)]
pub struct EarlyStopping {
    /// A history column, e.g. `val_auc`, `val_loss`, `auc`, `r2`.
    pub monitor: String,
    pub patience: usize,
    pub min_delta: f64,
    pub mode: StopMode,
    pub restore_best: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct FitOptions {
    pub epochs: usize,
    pub batch_size: usize,
    pub loss: Loss,
    pub optimizer: OptimizerConfig,
    pub seed: u64,
    /// Reshuffle the training samples every epoch.
    pub shuffle: bool,
    /// Layers whose kernel and bias are not updated (batch norm stays trainable, as in Keras);
    /// empty = none frozen.
    pub frozen: Vec<bool>,
    pub early_stopping: Option<EarlyStopping>,
    pub task: Task,
    /// Also compute the task metrics on the training samples each epoch (an extra inference pass).
    pub train_metrics: bool,
    /// Worker threads; 0 = rayon's current pool.
    pub n_threads: usize,
    pub device: Device,
    /// Poll the monitor (Ctrl-C) every this many batches, as well as after every epoch.
    pub poll_every: usize,
}

impl FitOptions {
    /// Defaults for `task` with Keras' Adadelta, batch 10, 500 epochs, no early stopping.
    pub fn new(task: Task, loss: Loss) -> Self {
        FitOptions {
            epochs: 500,
            batch_size: 10,
            loss,
            optimizer: OptimizerConfig::keras_default("adadelta").unwrap_or(OptimizerConfig {
                kind: crate::optim::OptimizerKind::Adadelta { rho: 0.95 },
                learning_rate: 1.0,
                decay: 0.0,
                epsilon: 1e-7,
            }),
            seed: 425,
            shuffle: true,
            frozen: Vec::new(),
            early_stopping: None,
            task,
            train_metrics: true,
            n_threads: 0,
            device: Device::Cpu,
            poll_every: 10,
        }
    }
}

/// Training or validation samples: standardized inputs `x` (n × n_inputs), targets `y`
/// (n × n_outputs; one-hot for multi-class), optional sample weights (training only).
#[derive(Debug, Clone, Copy)]
pub struct Dataset<'a> {
    pub x: &'a [f32],
    pub y: &'a [f32],
    pub n: usize,
    pub weights: Option<&'a [f32]>,
}

/// Per-epoch values, one column per quantity (`loss`, metrics, `val_*`).
#[derive(Debug, Clone, PartialEq, Default)]
pub struct History {
    pub columns: Vec<String>,
    /// `values[c][e]`: column c at epoch e (0-based).
    pub values: Vec<Vec<f64>>,
    /// 0-based epoch whose weights the network holds at the end (the best epoch when restored).
    pub best_epoch: Option<usize>,
    /// Epochs run.
    pub epochs_run: usize,
    /// Early stopping ended training before `epochs`.
    pub stopped_early: bool,
    /// The weights of `best_epoch` were restored.
    pub restored_best: bool,
    /// Wall-clock seconds of each epoch's training batches (metrics excluded).
    pub seconds: Vec<f64>,
}

impl History {
    pub fn column(&self, name: &str) -> Option<&[f64]> {
        self.columns.iter().position(|c| c == name).map(|i| self.values[i].as_slice())
    }
}

/// What an engine needs to know to allocate its buffers.
#[derive(Debug, Clone)]
pub struct TrainSetup {
    pub loss: Loss,
    pub optimizer: OptimizerConfig,
    pub frozen: Vec<bool>,
    pub max_batch: usize,
}

/// One training engine (CPU `gemm` path or candle device path).
pub trait Engine: Send {
    /// Forward, backward and one optimizer step on a batch (`rows` samples); returns the batch's
    /// weighted loss.
    fn train_batch(&mut self, x: &[f32], y: &[f32], weights: Option<&[f32]>, rows: usize, dropout: &mut DropoutSampler) -> Result<f64>;
    /// Inference-mode outputs.
    fn predict(&mut self, x: &[f32], rows: usize) -> Result<Outputs>;
    /// The network with the engine's current parameters.
    fn export(&self) -> Result<Network>;
    /// A copy of the current parameters (for restoring the best epoch).
    fn snapshot(&self) -> Result<Vec<DenseLayer>>;
    fn restore(&mut self, layers: Vec<DenseLayer>) -> Result<()>;
}

/// Inverted-dropout keep masks (0 or 1/(1−p)) from one seeded stream, drawn in a fixed order.
pub struct DropoutSampler {
    rng: RngStream,
}

impl DropoutSampler {
    pub fn new(seed: u64, stream: u64) -> Self {
        DropoutSampler { rng: RngStream::new(seed, stream) }
    }

    pub fn fill(&mut self, mask: &mut [f32], rate: f32) {
        let scale = 1.0 / (1.0 - rate);
        for m in mask.iter_mut() {
            let u = (self.rng.next_u64() >> 40) as f32 * (1.0 / 16_777_216.0);
            *m = if u >= rate { scale } else { 0.0 };
        }
    }
}

/// Stream numbers: weights use streams `layer << 32 | chunk` (layer < 2²⁰); these are above.
const SHUFFLE_STREAM: u64 = 1 << 60;
const DROPOUT_STREAM: u64 = (1 << 60) + 1;

fn validate(net: &Network, train: &Dataset, validation: Option<&Dataset>, options: &FitOptions) -> Result<()> {
    let (p, k) = (net.n_inputs(), net.n_outputs());
    if train.n == 0 {
        return Err(NnError::invalid("x", "has no training samples"));
    }
    check_matrix(train.x, train.n, p, "x")?;
    check_matrix(train.y, train.n, k, "y")?;
    if let Some(w) = train.weights {
        if w.len() != train.n {
            return Err(NnError::invalid("sample_weights", format!("has length {}, expected {} (one per sample)", w.len(), train.n)));
        }
        if w.iter().any(|v| !v.is_finite() || *v < 0.0) {
            return Err(NnError::invalid("sample_weights", "must be finite and non-negative"));
        }
    }
    if let Some(v) = validation {
        check_matrix(v.x, v.n, p, "validation_data")?;
        check_matrix(v.y, v.n, k, "validation_data")?;
    }
    if train.y.iter().any(|v| !v.is_finite()) {
        return Err(NnError::invalid("y", "has missing or infinite values"));
    }
    if options.epochs == 0 {
        return Err(NnError::invalid("epochs", "must be at least 1"));
    }
    if options.batch_size == 0 {
        return Err(NnError::invalid("batch_size", "must be at least 1"));
    }
    if !options.frozen.is_empty() && options.frozen.len() != net.architecture().n_layers() {
        return Err(NnError::invalid("freeze_layers", "does not match the number of layers"));
    }
    options.optimizer.validate()?;
    options.loss.check_head(net.architecture().output().activation)?;
    if let Some(es) = &options.early_stopping {
        let columns = history_columns(options.task, options.train_metrics || !es.monitor.starts_with("val_"), validation.is_some());
        if !columns.contains(&es.monitor) {
            return Err(NnError::invalid(
                "monitor",
                format!("is \"{}\", which this fit does not record; available: {}", es.monitor, columns.join(", ")),
            ));
        }
        if !es.min_delta.is_finite() || es.min_delta < 0.0 {
            return Err(NnError::invalid("min_delta", "must be a non-negative number"));
        }
    }
    Ok(())
}

fn history_columns(task: Task, train_metrics: bool, validation: bool) -> Vec<String> {
    let mut cols = vec!["loss".to_string()];
    if train_metrics {
        cols.extend(task.metric_names().iter().map(|m| m.to_string()));
    }
    if validation {
        cols.push("val_loss".to_string());
        cols.extend(task.metric_names().iter().map(|m| format!("val_{m}")));
    }
    cols
}

/// Trains `net` in place. On `Err(Interrupted)` the network holds the weights reached so far.
pub fn fit(
    net: &mut Network,
    train: &Dataset,
    validation: Option<&Dataset>,
    options: &FitOptions,
    monitor: &mut dyn Monitor,
) -> Result<History> {
    validate(net, train, validation, options)?;
    let n_layers = net.architecture().n_layers();
    let setup = TrainSetup {
        loss: options.loss,
        optimizer: options.optimizer,
        frozen: if options.frozen.is_empty() { vec![false; n_layers] } else { options.frozen.clone() },
        max_batch: options.batch_size.min(train.n),
    };
    let pool = thread_pool(options.n_threads)?;
    match options.device {
        Device::Cpu => {
            let mut engine = CpuTrainer::new(net, &setup)?;
            run(&mut engine, train, validation, options, monitor, pool.as_ref())
        }
        device => {
            let mut engine = CandleTrainer::new(net, &setup, device)?;
            let result = run(&mut engine, train, validation, options, monitor, pool.as_ref());
            *net = engine.export()?;
            result
        }
    }
}

fn thread_pool(n: usize) -> Result<Option<rayon::ThreadPool>> {
    rg_core::threads::thread_pool(n).map_err(|e| NnError::invalid("n_threads", format!("could not start {n} threads: {e}")))
}

/// Rows `idx` of a row-major matrix with `width` columns, into `out`.
fn gather(out: &mut [f32], src: &[f32], idx: &[usize], width: usize) {
    for (dst, &i) in out.chunks_exact_mut(width.max(1)).zip(idx) {
        dst.copy_from_slice(&src[i * width..(i + 1) * width]);
    }
}

struct Stopper {
    rule: EarlyStopping,
    column: usize,
    best: f64,
    wait: usize,
    best_epoch: Option<usize>,
    best_layers: Option<Vec<DenseLayer>>,
}

impl Stopper {
    fn improved(&self, value: f64) -> bool {
        if value.is_nan() {
            return false;
        }
        match self.rule.mode {
            StopMode::Max => value - self.rule.min_delta > self.best,
            StopMode::Min => value + self.rule.min_delta < self.best,
        }
    }
}

fn run<E: Engine>(
    engine: &mut E,
    train: &Dataset,
    validation: Option<&Dataset>,
    options: &FitOptions,
    monitor: &mut dyn Monitor,
    pool: Option<&rayon::ThreadPool>,
) -> Result<History> {
    let p = train.x.len() / train.n;
    let k = train.y.len() / train.n;
    let needs_train_metrics = options.train_metrics
        || options.early_stopping.as_ref().is_some_and(|es| !es.monitor.starts_with("val_") && es.monitor != "loss");
    let columns = history_columns(options.task, needs_train_metrics, validation.is_some());
    let mut history = History { values: vec![Vec::new(); columns.len()], columns, ..History::default() };
    let mut stopper = options.early_stopping.as_ref().map(|rule| Stopper {
        column: history.columns.iter().position(|c| *c == rule.monitor).unwrap_or(0),
        best: match rule.mode {
            StopMode::Max => f64::NEG_INFINITY,
            StopMode::Min => f64::INFINITY,
        },
        rule: rule.clone(),
        wait: 0,
        best_epoch: None,
        best_layers: None,
    });

    let batch = options.batch_size.min(train.n);
    let batches_per_epoch = train.n.div_ceil(batch);
    let total_batches = batches_per_epoch * options.epochs;
    let mut order: Vec<usize> = (0..train.n).collect();
    let mut shuffle = RngStream::new(options.seed, SHUFFLE_STREAM);
    let mut dropout = DropoutSampler::new(options.seed, DROPOUT_STREAM);
    let (mut xb, mut yb, mut wb) = (vec![0.0f32; batch * p], vec![0.0f32; batch * k], vec![0.0f32; batch]);
    let mut done = 0usize;

    for epoch in 0..options.epochs {
        if options.shuffle {
            shuffle.shuffle(&mut order);
        }
        let mut loss_sum = 0.0;
        let started = std::time::Instant::now();
        for idx in order.chunks(batch) {
            let rows = idx.len();
            gather(&mut xb, train.x, idx, p);
            gather(&mut yb, train.y, idx, k);
            let weights = train.weights.map(|w| {
                for (dst, &i) in wb.iter_mut().zip(idx) {
                    *dst = w[i];
                }
                &wb[..rows]
            });
            let (xs, ys, drop) = (&xb[..rows * p], &yb[..rows * k], &mut dropout);
            let batch_loss = in_pool(pool, || engine.train_batch(xs, ys, weights, rows, drop))?;
            loss_sum += batch_loss * rows as f64;
            done += 1;
            if done.is_multiple_of(options.poll_every.max(1)) {
                monitor.step(done, total_batches)?;
            }
        }
        history.seconds.push(started.elapsed().as_secs_f64());
        let epoch_loss = loss_sum / train.n as f64;
        if !epoch_loss.is_finite() {
            return Err(NnError::Numerical(format!(
                "training diverged: the loss is {epoch_loss} at epoch {}; try a smaller learning rate or standardized inputs",
                epoch + 1
            )));
        }
        let mut row = vec![epoch_loss];
        if needs_train_metrics {
            let out = in_pool(pool, || engine.predict(train.x, train.n))?;
            row.extend(task_metrics(options.task, &out, train.y));
        }
        if let Some(v) = validation {
            let out = in_pool(pool, || engine.predict(v.x, v.n))?;
            row.push(mean_loss(options.loss, &out, v.y));
            row.extend(task_metrics(options.task, &out, v.y));
        }
        for (c, value) in row.iter().enumerate() {
            history.values[c].push(*value);
        }
        history.epochs_run = epoch + 1;

        let mut stop = false;
        if let Some(s) = stopper.as_mut() {
            let value = row[s.column];
            if s.improved(value) {
                s.best = value;
                s.wait = 0;
                s.best_epoch = Some(epoch);
                if s.rule.restore_best {
                    s.best_layers = Some(engine.snapshot()?);
                }
            } else {
                s.wait += 1;
                stop = s.wait >= s.rule.patience;
            }
        }
        monitor.message(&epoch_line(epoch, options.epochs, &history.columns, &row));
        monitor.step(done, total_batches)?;
        if stop {
            history.stopped_early = epoch + 1 < options.epochs;
            break;
        }
    }

    history.best_epoch = Some(history.epochs_run - 1);
    if let Some(s) = stopper {
        if let (true, Some(layers), Some(best)) = (s.rule.restore_best, s.best_layers, s.best_epoch) {
            engine.restore(layers)?;
            history.best_epoch = Some(best);
            history.restored_best = true;
        }
    }
    Ok(history)
}

fn epoch_line(epoch: usize, epochs: usize, columns: &[String], row: &[f64]) -> String {
    let values: Vec<String> = columns.iter().zip(row).map(|(c, v)| format!("{c} {v:.4}")).collect();
    format!("epoch {}/{} - {}", epoch + 1, epochs, values.join(" - "))
}

/// Unweighted mean loss (Keras' validation loss).
pub fn mean_loss(loss: Loss, out: &Outputs, y: &[f32]) -> f64 {
    let k = out.n_outputs;
    let total: f64 = (0..out.n_samples)
        .map(|i| sample_loss(loss, &out.prob[i * k..(i + 1) * k], &y[i * k..(i + 1) * k]))
        .sum();
    total / out.n_samples.max(1) as f64
}

/// The task's metrics of outputs against targets; NaN where undefined (e.g. one class only).
pub fn task_metrics(task: Task, out: &Outputs, y: &[f32]) -> Vec<f64> {
    let k = out.n_outputs;
    let prob: Vec<f64> = out.prob.iter().map(|&v| v as f64).collect();
    let truth: Vec<bool> = y.iter().map(|&v| v > 0.5).collect();
    let micro = |metric: BinaryMetric| {
        if k == 1 {
            metric.compute(&truth, &prob).unwrap_or(f64::NAN)
        } else {
            metrics::multilabel(metric, &truth, &prob, k).map(|m| m.micro).unwrap_or(f64::NAN)
        }
    };
    match task {
        Task::Binary | Task::Multilabel => vec![micro(BinaryMetric::RocAuc), micro(BinaryMetric::AveragePrecision)],
        Task::Multiclass => {
            let correct = (0..out.n_samples).filter(|&i| argmax(&out.prob[i * k..(i + 1) * k]) == argmax(&y[i * k..(i + 1) * k])).count();
            vec![
                micro(BinaryMetric::RocAuc),
                micro(BinaryMetric::AveragePrecision),
                correct as f64 / out.n_samples.max(1) as f64,
            ]
        }
        Task::Regression { pooled_r2 } => {
            let truth: Vec<f64> = y.iter().map(|&v| v as f64).collect();
            let r2 = if pooled_r2 {
                metrics::r_squared_pooled(&truth, &prob).unwrap_or(f64::NAN)
            } else {
                mean_r_squared(&truth, &prob, k)
            };
            vec![r2, metrics::mae(&truth, &prob).unwrap_or(f64::NAN)]
        }
    }
}

/// Mean over outputs of sklearn's per-output R² (the autoencoder's "mean per-gene R²").
pub fn mean_r_squared(truth: &[f64], pred: &[f64], k: usize) -> f64 {
    let n = truth.len() / k.max(1);
    if n == 0 {
        return f64::NAN;
    }
    let mut sum = 0.0;
    for c in 0..k {
        let t: Vec<f64> = (0..n).map(|i| truth[i * k + c]).collect();
        let p: Vec<f64> = (0..n).map(|i| pred[i * k + c]).collect();
        sum += metrics::r_squared(&t, &p).unwrap_or(f64::NAN);
    }
    sum / k as f64
}

fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}

/// Sample weights w_i = n / (k · n_class(i)) (sklearn's `compute_sample_weight("balanced")`)
/// for class labels in `0..n_classes`.
pub fn balanced_weights(labels: &[usize], n_classes: usize) -> Vec<f32> {
    let mut counts = vec![0usize; n_classes];
    for &l in labels {
        if l < n_classes {
            counts[l] += 1;
        }
    }
    let present = counts.iter().filter(|&&c| c > 0).count().max(1);
    labels
        .iter()
        .map(|&l| if l < n_classes && counts[l] > 0 { labels.len() as f32 / (present as f32 * counts[l] as f32) } else { 0.0 })
        .collect()
}

/// The head a task uses on its output layer.
pub fn head_for(task: Task) -> Activation {
    match task {
        Task::Binary | Task::Multilabel => Activation::Sigmoid,
        Task::Multiclass => Activation::Softmax,
        Task::Regression { .. } => Activation::Linear,
    }
}
