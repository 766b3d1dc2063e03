//! The one definition of a network: architecture + parameters (+ standardization), with
//! inference on the CPU. Kernels are stored `[in, out]` (row-major `n_in × n_out`), the layout
//! `x · W` consumes, so no transposed copies are ever made.

use crate::error::{NnError, Result};
use crate::kernels;
use crate::spec::{Activation, Architecture, BN_EPSILON};
use rg_core::RngStream;
use rayon::prelude::*;

/// Batch-norm parameters of one layer (Keras initial values: γ = 1, β = 0, moving mean 0 and
/// moving variance 1).
#[derive(Debug, Clone, PartialEq)]
pub struct BatchNorm {
    pub gamma: Vec<f32>,
    pub beta: Vec<f32>,
    pub moving_mean: Vec<f32>,
    pub moving_var: Vec<f32>,
}

impl BatchNorm {
    pub fn new(units: usize) -> Self {
        BatchNorm {
            gamma: vec![1.0; units],
            beta: vec![0.0; units],
            moving_mean: vec![0.0; units],
            moving_var: vec![1.0; units],
        }
    }
}

/// Parameters of one dense layer.
#[derive(Debug, Clone, PartialEq)]
pub struct DenseLayer {
    /// `n_in × n_out`, row-major: `weight[i * n_out + j]` connects input i to unit j.
    pub weight: Vec<f32>,
    pub bias: Vec<f32>,
    pub batch_norm: Option<BatchNorm>,
}

/// Per-feature standardization learned on the training samples: z = (x − mean) / sd, with the
/// population SD (ddof 0) and a zero SD replaced by 1 (sklearn's `StandardScaler`).
#[derive(Debug, Clone, PartialEq)]
pub struct Standardizer {
    pub mean: Vec<f64>,
    pub sd: Vec<f64>,
}

impl Standardizer {
    /// Learns mean and SD from `x`, `n_samples × n_features` row-major (an R genes × samples
    /// matrix as it is in memory).
    pub fn fit(x: &[f64], n_samples: usize, n_features: usize) -> Result<Self> {
        check_matrix(x, n_samples, n_features, "x")?;
        if n_samples == 0 {
            return Err(NnError::invalid("x", "has no samples"));
        }
        let mut mean = vec![0.0; n_features];
        for row in x.chunks_exact(n_features) {
            mean.iter_mut().zip(row).for_each(|(m, v)| *m += v);
        }
        mean.iter_mut().for_each(|m| *m /= n_samples as f64);
        let mut var = vec![0.0; n_features];
        for row in x.chunks_exact(n_features) {
            for j in 0..n_features {
                var[j] += (row[j] - mean[j]).powi(2);
            }
        }
        let sd = var
            .into_iter()
            .map(|v| {
                let sd = (v / n_samples as f64).sqrt();
                if sd > 0.0 && sd.is_finite() { sd } else { 1.0 }
            })
            .collect();
        Ok(Standardizer { mean, sd })
    }

    /// The identity (mean 0, SD 1) for `n` features.
    pub fn identity(n: usize) -> Self {
        Standardizer { mean: vec![0.0; n], sd: vec![1.0; n] }
    }

    pub fn n_features(&self) -> usize {
        self.mean.len()
    }

    /// Standardizes `x` (`n_samples × n_features`, row-major) into `f32`.
    pub fn apply(&self, x: &[f64], n_samples: usize) -> Result<Vec<f32>> {
        let p = self.n_features();
        check_matrix(x, n_samples, p, "x")?;
        let mut out = vec![0.0f32; x.len()];
        out.par_chunks_mut(p.max(1)).zip(x.par_chunks(p.max(1))).for_each(|(o, row)| {
            for j in 0..p {
                o[j] = ((row[j] - self.mean[j]) / self.sd[j]) as f32;
            }
        });
        Ok(out)
    }
}

pub(crate) fn check_matrix<T>(x: &[T], rows: usize, cols: usize, arg: &str) -> Result<()> {
    if x.len() != rows * cols {
        return Err(NnError::invalid(
            arg,
            format!("has {} values, expected {} samples x {} features", x.len(), rows, cols),
        ));
    }
    Ok(())
}

/// A network's outputs for a batch of samples, row-major `n_samples × n_outputs`.
#[derive(Debug, Clone, PartialEq)]
pub struct Outputs {
    pub n_samples: usize,
    pub n_outputs: usize,
    /// The output layer's value before its head (after batch norm, if any): the logit for
    /// sigmoid/softmax heads.
    pub link: Vec<f32>,
    /// After the head: probabilities for classifiers, predictions for regression.
    pub prob: Vec<f32>,
}

/// Which output a saliency gradient differentiates.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradientOf {
    Link,
    Prob,
}

impl GradientOf {
    /// The gradient of output `output` (`self`: its link or its probability) with respect to
    /// the output layer's link, for one sample whose output activations are `prob`; written to
    /// `grad` (the sample's row, zeros on entry).
    pub fn seed(self, head: Activation, output: usize, prob: &[f32], grad: &mut [f32]) {
        match (self, head) {
            (GradientOf::Link, _) => grad[output] = 1.0,
            (GradientOf::Prob, Activation::Softmax) => {
                for (j, g) in grad.iter_mut().enumerate() {
                    *g = prob[output] * ((j == output) as u8 as f32 - prob[j]);
                }
            }
            (GradientOf::Prob, act) => grad[output] = kernels::derivative_from_output(act, prob[output]),
        }
    }
}

/// How gradients pass back through hidden activations for saliency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackpropModifier {
    /// The true gradient.
    None,
    /// Guided backpropagation at every hidden activation: only positive gradients pass
    /// (∂in = act′(u) · max(∂out, 0)); for ReLU this is Springenberg et al.'s rule.
    Guided,
    /// keras-vis' `guided` modifier: only ReLU layers are modified, others pass the true gradient
    /// (so a tanh network gets plain gradients, as in the reference code, METHOD.md §9).
    GuidedReluOnly,
}

/// Inference runs in chunks of at most this many samples, bounding memory.
const INFERENCE_CHUNK: usize = 256;

/// A network: architecture, parameters and (optionally) the standardization of its inputs.
#[derive(Debug, Clone, PartialEq)]
pub struct Network {
    arch: Architecture,
    layers: Vec<DenseLayer>,
    standardizer: Option<Standardizer>,
    input_names: Vec<String>,
}

impl Network {
    /// A fresh network: Glorot-uniform kernels U(±√(6/(fan_in + fan_out))), zero biases, Keras'
    /// initial batch-norm values. The draws come from `RngStream::new(seed, ·)` in fixed chunks,
    /// so they do not depend on the thread count.
    pub fn new(arch: Architecture, seed: u64) -> Result<Self> {
        arch.validate()?;
        let layers = (0..arch.n_layers())
            .map(|l| {
                let (n_in, spec) = (arch.fan_in(l), &arch.layers[l]);
                DenseLayer {
                    weight: glorot_uniform(n_in, spec.units, seed, l as u64),
                    bias: vec![0.0; spec.units],
                    batch_norm: spec.batch_norm.then(|| BatchNorm::new(spec.units)),
                }
            })
            .collect();
        Ok(Network { arch, layers, standardizer: None, input_names: Vec::new() })
    }

    /// Builds a network from parts (deserialization, tests); checks every shape.
    pub fn from_parts(
        arch: Architecture,
        layers: Vec<DenseLayer>,
        standardizer: Option<Standardizer>,
        input_names: Vec<String>,
    ) -> Result<Self> {
        arch.validate()?;
        let net = Network { arch, layers, standardizer, input_names };
        net.check_shapes()?;
        Ok(net)
    }

    fn check_shapes(&self) -> Result<()> {
        let bad = |what: String| Err(NnError::corrupt("weights", what));
        if self.layers.len() != self.arch.n_layers() {
            return bad(format!("{} layers stored, architecture has {}", self.layers.len(), self.arch.n_layers()));
        }
        for (l, layer) in self.layers.iter().enumerate() {
            let (n_in, n_out) = (self.arch.fan_in(l), self.arch.layers[l].units);
            if layer.weight.len() != n_in * n_out || layer.bias.len() != n_out {
                return bad(format!("layer {} has the wrong shape", l + 1));
            }
            match (&layer.batch_norm, self.arch.layers[l].batch_norm) {
                (Some(bn), true) => {
                    if [&bn.gamma, &bn.beta, &bn.moving_mean, &bn.moving_var].iter().any(|v| v.len() != n_out) {
                        return bad(format!("layer {} batch norm has the wrong shape", l + 1));
                    }
                }
                (None, false) => {}
                _ => return bad(format!("layer {} batch norm does not match the architecture", l + 1)),
            }
        }
        if let Some(s) = &self.standardizer {
            if s.mean.len() != self.arch.n_inputs || s.sd.len() != self.arch.n_inputs {
                return bad("standardization has the wrong length".into());
            }
        }
        if !self.input_names.is_empty() && self.input_names.len() != self.arch.n_inputs {
            return bad("input names have the wrong length".into());
        }
        Ok(())
    }

    pub fn architecture(&self) -> &Architecture {
        &self.arch
    }

    pub fn n_inputs(&self) -> usize {
        self.arch.n_inputs
    }

    pub fn n_outputs(&self) -> usize {
        self.arch.n_outputs()
    }

    /// Layer parameters, first hidden layer first, output layer last.
    pub fn layers(&self) -> &[DenseLayer] {
        &self.layers
    }

    pub fn layer(&self, l: usize) -> &DenseLayer {
        &self.layers[l]
    }

    /// Mutable parameters (transfer, tests). Shapes must not change.
    pub fn layers_mut(&mut self) -> &mut [DenseLayer] {
        &mut self.layers
    }

    pub fn standardizer(&self) -> Option<&Standardizer> {
        self.standardizer.as_ref()
    }

    pub fn set_standardizer(&mut self, standardizer: Standardizer) -> Result<()> {
        if standardizer.n_features() != self.arch.n_inputs {
            return Err(NnError::invalid(
                "standardizer",
                format!("has {} features, the network has {} inputs", standardizer.n_features(), self.arch.n_inputs),
            ));
        }
        self.standardizer = Some(standardizer);
        Ok(())
    }

    /// Feature (gene) names of the inputs, in input order; empty when unnamed.
    pub fn input_names(&self) -> &[String] {
        &self.input_names
    }

    pub fn set_input_names(&mut self, names: Vec<String>) -> Result<()> {
        if !names.is_empty() && names.len() != self.arch.n_inputs {
            return Err(NnError::invalid(
                "input_names",
                format!("has {} names, the network has {} inputs", names.len(), self.arch.n_inputs),
            ));
        }
        self.input_names = names;
        Ok(())
    }

    /// Standardizes raw inputs (`n × n_inputs`, row-major f64) with the stored standardization
    /// (identity when there is none).
    pub fn standardize(&self, x: &[f64], n: usize) -> Result<Vec<f32>> {
        match &self.standardizer {
            Some(s) => s.apply(x, n),
            None => {
                check_matrix(x, n, self.n_inputs(), "x")?;
                Ok(x.iter().map(|&v| v as f32).collect())
            }
        }
    }

    /// Inference on raw inputs: standardize, then [`Network::forward`].
    pub fn predict(&self, x: &[f64], n: usize) -> Result<Outputs> {
        let z = self.standardize(x, n)?;
        self.forward(&z, n)
    }

    /// Inference (dropout off, batch norm with moving statistics) on standardized inputs
    /// `x` (`n × n_inputs`, row-major).
    pub fn forward(&self, x: &[f32], n: usize) -> Result<Outputs> {
        check_matrix(x, n, self.n_inputs(), "x")?;
        let p = self.n_inputs();
        let first = &self.layers[0];
        self.forward_chunks(n, |rows, start, z1| {
            kernels::dense_forward(z1, &x[start * p..(start + rows) * p], &first.weight, &first.bias, rows, p);
        })
    }

    /// Inference starting from the first layer's dense output `z1 = b + x · W` (`n × units₁`),
    /// e.g. computed sparsely by [`Network::first_layer_sparse`] for gene masking.
    pub fn forward_from_first_preactivation(&self, z1: &[f32], n: usize) -> Result<Outputs> {
        let u = self.arch.layers[0].units;
        check_matrix(z1, n, u, "z1")?;
        self.forward_chunks(n, |rows, start, dst| dst[..rows * u].copy_from_slice(&z1[start * u..(start + rows) * u]))
    }

    /// The first layer's dense output when only `features` are non-zero:
    /// `b + x[S] · W[S, :]` for `values` (`n × |S|`, row-major, standardized). Cost ∝ |S|.
    pub fn first_layer_sparse(&self, features: &[usize], values: &[f32], n: usize) -> Result<Vec<f32>> {
        check_matrix(values, n, features.len(), "values")?;
        if let Some(&bad) = features.iter().find(|&&f| f >= self.n_inputs()) {
            return Err(NnError::invalid("features", format!("has index {bad} beyond {} inputs", self.n_inputs())));
        }
        let first = &self.layers[0];
        let u = first.bias.len();
        let mut rows_of_w = Vec::with_capacity(features.len() * u);
        for &f in features {
            rows_of_w.extend_from_slice(&first.weight[f * u..(f + 1) * u]);
        }
        let mut z = vec![0.0f32; n * u];
        kernels::dense_forward(&mut z, values, &rows_of_w, &first.bias, n, features.len());
        Ok(z)
    }

    /// Runs the network in chunks; `first(rows, start, z1)` writes the first layer's dense output.
    fn forward_chunks(&self, n: usize, mut first: impl FnMut(usize, usize, &mut [f32])) -> Result<Outputs> {
        let k = self.n_outputs();
        let mut out = Outputs { n_samples: n, n_outputs: k, link: vec![0.0; n * k], prob: vec![0.0; n * k] };
        let widest = self.arch.layers.iter().map(|l| l.units).max().unwrap_or(0);
        let chunk = INFERENCE_CHUNK.min(n.max(1));
        let mut cur = vec![0.0f32; chunk * widest];
        let mut next = vec![0.0f32; chunk * widest];
        let mut start = 0;
        while start < n {
            let rows = chunk.min(n - start);
            first(rows, start, &mut cur);
            for l in 0..self.arch.n_layers() {
                let units = self.arch.layers[l].units;
                if l > 0 {
                    let w = &self.layers[l];
                    kernels::dense_forward(&mut next, &cur[..rows * self.arch.fan_in(l)], &w.weight, &w.bias, rows, self.arch.fan_in(l));
                    std::mem::swap(&mut cur, &mut next);
                }
                let values = &mut cur[..rows * units];
                self.normalize_inference(l, values, rows);
                if l + 1 == self.arch.n_layers() {
                    out.link[start * k..(start + rows) * k].copy_from_slice(values);
                }
                kernels::activate(self.arch.layers[l].activation, values, units);
                if l + 1 == self.arch.n_layers() {
                    out.prob[start * k..(start + rows) * k].copy_from_slice(values);
                }
            }
            start += rows;
        }
        Ok(out)
    }

    fn normalize_inference(&self, l: usize, values: &mut [f32], rows: usize) {
        if let Some(bn) = &self.layers[l].batch_norm {
            kernels::batch_norm_infer(values, rows, &bn.gamma, &bn.beta, &bn.moving_mean, &bn.moving_var, BN_EPSILON);
        }
    }

    /// Per-unit factor of layer `l`'s batch norm in inference mode, γ / √(σ² + ε): the factor a
    /// gradient picks up passing back through it (`None` without batch norm).
    pub fn batch_norm_scale(&self, l: usize) -> Option<Vec<f32>> {
        self.layers[l]
            .batch_norm
            .as_ref()
            .map(|bn| bn.gamma.iter().zip(&bn.moving_var).map(|(g, v)| g / (v + BN_EPSILON).sqrt()).collect())
    }

    /// Saliency: ∂ output[`output`] / ∂ x for each sample (inference mode), w.r.t. the
    /// *standardized* input (divide by the standardization SD for raw units). Returns
    /// `n × n_inputs`, row-major.
    pub fn input_gradient(
        &self,
        x: &[f32],
        n: usize,
        output: usize,
        of: GradientOf,
        modifier: BackpropModifier,
    ) -> Result<Vec<f32>> {
        check_matrix(x, n, self.n_inputs(), "x")?;
        if output >= self.n_outputs() {
            return Err(NnError::invalid("output", format!("is {} but the network has {} outputs", output + 1, self.n_outputs())));
        }
        let p = self.n_inputs();
        let mut grad = vec![0.0f32; n * p];
        let mut start = 0;
        while start < n {
            let rows = INFERENCE_CHUNK.min(n - start);
            self.input_gradient_chunk(&x[start * p..(start + rows) * p], rows, output, of, modifier, &mut grad[start * p..(start + rows) * p]);
            start += rows;
        }
        Ok(grad)
    }

    fn input_gradient_chunk(
        &self, x: &[f32], rows: usize, output: usize, of: GradientOf, modifier: BackpropModifier, dx: &mut [f32],
    ) {
        let n_layers = self.arch.n_layers();
        // forward, keeping every layer's activation output
        let mut acts: Vec<Vec<f32>> = Vec::with_capacity(n_layers);
        for l in 0..n_layers {
            let spec = &self.arch.layers[l];
            let input: &[f32] = if l == 0 { x } else { &acts[l - 1] };
            let mut v = vec![0.0f32; rows * spec.units];
            kernels::dense_forward(&mut v, input, &self.layers[l].weight, &self.layers[l].bias, rows, self.arch.fan_in(l));
            self.normalize_inference(l, &mut v, rows);
            kernels::activate(spec.activation, &mut v, spec.units);
            acts.push(v);
        }
        // seed: d output / d link of the output layer
        let last = n_layers - 1;
        let k = self.n_outputs();
        let head = self.arch.layers[last].activation;
        let prob = &acts[last];
        let mut grad = vec![0.0f32; rows * k];
        for (g, p) in grad.chunks_exact_mut(k).zip(prob.chunks_exact(k)) {
            of.seed(head, output, p, g);
        }
        for l in (0..n_layers).rev() {
            let units = self.arch.layers[l].units;
            if let Some(scale) = self.batch_norm_scale(l) {
                for row in grad.chunks_exact_mut(units) {
                    row.iter_mut().zip(&scale).for_each(|(g, s)| *g *= s);
                }
            }
            let n_in = self.arch.fan_in(l);
            let mut below = vec![0.0f32; rows * n_in];
            kernels::matmul_nt(&mut below, &grad, &self.layers[l].weight, rows, units, n_in);
            if l == 0 {
                dx.copy_from_slice(&below);
            } else {
                let act = self.arch.layers[l - 1].activation;
                let guided = match modifier {
                    BackpropModifier::None => false,
                    BackpropModifier::Guided => true,
                    BackpropModifier::GuidedReluOnly => act == Activation::Relu,
                };
                if guided {
                    below.iter_mut().for_each(|g| *g = g.max(0.0));
                }
                kernels::activation_backward(act, &mut below, &acts[l - 1]);
                grad = below;
            }
        }
    }
}

/// Glorot-uniform kernel of one layer, drawn in chunks of 2²⁰ values from streams
/// `(seed, layer · 2³² + chunk)`.
fn glorot_uniform(n_in: usize, n_out: usize, seed: u64, layer: u64) -> Vec<f32> {
    const CHUNK: usize = 1 << 20;
    let limit = (6.0 / (n_in + n_out) as f64).sqrt();
    let mut w = vec![0.0f32; n_in * n_out];
    w.par_chunks_mut(CHUNK).enumerate().for_each(|(c, chunk)| {
        let mut rng = RngStream::new(seed, (layer << 32) + c as u64);
        chunk.iter_mut().for_each(|v| *v = ((2.0 * rng.uniform() - 1.0) * limit) as f32);
    });
    w
}
