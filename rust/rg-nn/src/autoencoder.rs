//! Autoencoder pre-training and encoder transfer (METHOD.md §4).

use crate::error::{NnError, Result};
use crate::network::Network;
use crate::spec::{Activation, Architecture, LayerSpec};

/// A mirrored autoencoder: encoder `hidden` (e.g. 4000/2000/1000), decoder the reverse without
/// the bottleneck (2000/4000), then an output layer of `n_inputs` units. Every hidden layer is
/// dense → [BN] → `activation`; the output layer uses `output_activation` and `output_batch_norm`
/// (the reference code uses BN + tanh there; linear without BN reconstructs standardized values,
/// which tanh cannot reach beyond ±1). No dropout.
pub fn autoencoder_architecture(
    n_inputs: usize,
    hidden: &[usize],
    activation: Activation,
    batch_norm: bool,
    output_activation: Activation,
    output_batch_norm: bool,
) -> Architecture {
    let decoder = hidden.iter().rev().skip(1).copied();
    let mut layers: Vec<LayerSpec> = hidden
        .iter()
        .copied()
        .chain(decoder)
        .map(|units| LayerSpec { units, activation, batch_norm, dropout: 0.0 })
        .collect();
    layers.push(LayerSpec { units: n_inputs, activation: output_activation, batch_norm: output_batch_norm, dropout: 0.0 });
    Architecture { n_inputs, input_dropout: 0.0, layers, nonneg_output: false }
}

/// Copies the kernels and biases of the first `n_layers` layers of `source` (an autoencoder's
/// encoder) into `target`, plus its standardization and input names. Batch-norm parameters are
/// not transferred (the reference code leaves them fresh).
pub fn transfer_layers(target: &mut Network, source: &Network, n_layers: usize) -> Result<()> {
    let (ta, sa) = (target.architecture().clone(), source.architecture());
    if ta.n_inputs != sa.n_inputs {
        return Err(NnError::invalid(
            "pretrained",
            format!("was trained on {} genes but the network has {} inputs", sa.n_inputs, ta.n_inputs),
        ));
    }
    let available = sa.n_layers().saturating_sub(1).min(ta.n_layers().saturating_sub(1));
    if n_layers > available {
        return Err(NnError::invalid(
            "transfer_layers",
            format!("is {n_layers} but only {available} hidden layers can be transferred"),
        ));
    }
    for l in 0..n_layers {
        if ta.fan_in(l) != sa.fan_in(l) || ta.layers[l].units != sa.layers[l].units {
            return Err(NnError::invalid(
                "hidden",
                format!(
                    "layer {} has {} units but the pretrained layer has {}; transferred layers must have the same sizes",
                    l + 1,
                    ta.layers[l].units,
                    sa.layers[l].units
                ),
            ));
        }
        let src = source.layer(l);
        let dst = &mut target.layers_mut()[l];
        dst.weight.copy_from_slice(&src.weight);
        dst.bias.copy_from_slice(&src.bias);
    }
    if let Some(s) = source.standardizer() {
        target.set_standardizer(s.clone())?;
    }
    target.set_input_names(source.input_names().to_vec())?;
    Ok(())
}

/// `frozen` flags for a network of `n_layers` layers with the first `j` frozen.
pub fn freeze_first(n_layers: usize, j: usize) -> Vec<bool> {
    (0..n_layers).map(|l| l < j).collect()
}
