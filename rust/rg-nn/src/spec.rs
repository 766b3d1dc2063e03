//! What a network is: the architecture, independent of its parameters and of the device.
//!
//! A network is `input → [input dropout] → layer 1 → … → layer L`, where every layer is
//! dense → optional batch norm (Keras semantics) → activation → optional dropout (inverted). The
//! last layer is the output layer; its activation is the output head (sigmoid for binary and
//! multi-label, softmax for multi-class, linear — or any elementwise activation — for regression
//! and autoencoders). Its "link" is the value entering the head (after batch norm, if any).

use crate::error::{NnError, Result};
use serde::{Deserialize, Serialize};

/// Keras' batch-norm defaults (METHOD.md §2).
pub const BN_MOMENTUM: f32 = 0.99;
pub const BN_EPSILON: f32 = 1e-3;
/// Cross-entropies clip probabilities to [EPS, 1 − EPS] (Keras' `K.epsilon()`).
pub const PROB_EPSILON: f32 = 1e-7;

/// SELU constants (Klambauer et al. 2017, as in Keras).
pub const SELU_ALPHA: f32 = 1.673_263_2;
pub const SELU_SCALE: f32 = 1.050_701;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Linear,
    Sigmoid,
    Tanh,
    Relu,
    /// ELU with α = 1.
    Elu,
    Selu,
    /// Row-wise softmax; only valid on the output layer.
    Softmax,
}

impl Activation {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "linear" => Activation::Linear,
            "sigmoid" => Activation::Sigmoid,
            "tanh" => Activation::Tanh,
            "relu" => Activation::Relu,
            "elu" => Activation::Elu,
            "selu" => Activation::Selu,
            "softmax" => Activation::Softmax,
            other => {
                return Err(NnError::invalid(
                    "activation",
                    format!("is \"{other}\"; choose one of tanh, sigmoid, relu, elu, selu, linear"),
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Activation::Linear => "linear",
            Activation::Sigmoid => "sigmoid",
            Activation::Tanh => "tanh",
            Activation::Relu => "relu",
            Activation::Elu => "elu",
            Activation::Selu => "selu",
            Activation::Softmax => "softmax",
        }
    }
}

/// One dense layer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LayerSpec {
    pub units: usize,
    pub activation: Activation,
    pub batch_norm: bool,
    /// Dropout rate after the activation, in [0, 1).
    pub dropout: f32,
}

/// The whole network.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Architecture {
    pub n_inputs: usize,
    /// Dropout rate on the (standardized) input, in [0, 1).
    pub input_dropout: f32,
    /// Hidden layers, then the output layer (last).
    pub layers: Vec<LayerSpec>,
    /// Keras' `NonNeg` constraint on the output layer's kernel and bias (regression on
    /// non-negative targets, METHOD.md §2).
    pub nonneg_output: bool,
}

impl Architecture {
    /// The usual classifier/regressor: `hidden` layers sharing one activation, batch-norm and
    /// dropout setting, then an output layer of `n_outputs` units with `head` (no dropout, no BN).
    pub fn feed_forward(
        n_inputs: usize,
        hidden: &[usize],
        activation: Activation,
        batch_norm: bool,
        dropout: f32,
        n_outputs: usize,
        head: Activation,
    ) -> Self {
        let mut layers: Vec<LayerSpec> = hidden
            .iter()
            .map(|&units| LayerSpec { units, activation, batch_norm, dropout })
            .collect();
        layers.push(LayerSpec { units: n_outputs, activation: head, batch_norm: false, dropout: 0.0 });
        Architecture { n_inputs, input_dropout: dropout, layers, nonneg_output: false }
    }

    /// Number of layers including the output layer.
    pub fn n_layers(&self) -> usize {
        self.layers.len()
    }

    pub fn n_outputs(&self) -> usize {
        self.layers.last().map_or(0, |l| l.units)
    }

    pub fn output(&self) -> &LayerSpec {
        &self.layers[self.layers.len() - 1]
    }

    /// Fan-in of layer `l`.
    pub fn fan_in(&self, l: usize) -> usize {
        if l == 0 {
            self.n_inputs
        } else {
            self.layers[l - 1].units
        }
    }

    /// Total number of trainable values (kernels, biases, batch-norm scales and shifts).
    pub fn n_parameters(&self) -> usize {
        (0..self.n_layers())
            .map(|l| {
                let u = self.layers[l].units;
                self.fan_in(l) * u + u + if self.layers[l].batch_norm { 2 * u } else { 0 }
            })
            .sum()
    }

    pub fn validate(&self) -> Result<()> {
        if self.n_inputs == 0 {
            return Err(NnError::invalid("x", "has no genes (features)"));
        }
        if self.layers.is_empty() {
            return Err(NnError::invalid("hidden", "gives a network without an output layer"));
        }
        check_rate(self.input_dropout, "dropout")?;
        let last = self.layers.len() - 1;
        for (l, layer) in self.layers.iter().enumerate() {
            if layer.units == 0 {
                let what = if l == last { "n_outputs" } else { "hidden" };
                return Err(NnError::invalid(what, format!("has a layer of size 0 (layer {})", l + 1)));
            }
            check_rate(layer.dropout, "dropout")?;
            if layer.activation == Activation::Softmax && l != last {
                return Err(NnError::invalid("activation", "softmax is only available for the output layer"));
            }
        }
        Ok(())
    }
}

fn check_rate(rate: f32, arg: &str) -> Result<()> {
    if !(0.0..1.0).contains(&rate) {
        return Err(NnError::invalid(arg, format!("must be in [0, 1), not {rate}")));
    }
    Ok(())
}

/// Training loss.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Loss {
    /// Mean over outputs of the binary cross-entropy (sigmoid head; binary and multi-label).
    BinaryCrossentropy,
    /// Σ over classes of −y log p (softmax head).
    CategoricalCrossentropy,
    /// Mean over outputs of (y − ŷ)².
    Mse,
    /// Mean over outputs of |y − ŷ|.
    Mae,
}

impl Loss {
    pub fn parse(name: &str) -> Result<Self> {
        Ok(match name {
            "binary_crossentropy" => Loss::BinaryCrossentropy,
            "categorical_crossentropy" => Loss::CategoricalCrossentropy,
            "mse" => Loss::Mse,
            "mae" => Loss::Mae,
            other => {
                return Err(NnError::invalid(
                    "loss",
                    format!("is \"{other}\"; choose binary_crossentropy, categorical_crossentropy, mse or mae"),
                ))
            }
        })
    }

    pub fn name(self) -> &'static str {
        match self {
            Loss::BinaryCrossentropy => "binary_crossentropy",
            Loss::CategoricalCrossentropy => "categorical_crossentropy",
            Loss::Mse => "mse",
            Loss::Mae => "mae",
        }
    }

    /// Checks that the loss fits the output head.
    pub fn check_head(self, head: Activation) -> Result<()> {
        let ok = match self {
            Loss::BinaryCrossentropy => head == Activation::Sigmoid,
            Loss::CategoricalCrossentropy => head == Activation::Softmax,
            Loss::Mse | Loss::Mae => head != Activation::Softmax,
        };
        if ok {
            Ok(())
        } else {
            Err(NnError::invalid(
                "loss",
                format!("{} does not fit a {} output layer", self.name(), head.name()),
            ))
        }
    }
}
