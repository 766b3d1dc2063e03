//! Serialization of a [`Network`] to one safetensors buffer: tensors `layers.{l}.weight`
//! (`[in, out]`, F32), `layers.{l}.bias`, `layers.{l}.bn.{gamma,beta,moving_mean,moving_var}`,
//! `standardizer.{mean,sd}` (F64); the header's metadata has one entry, `radiogenomics`, a JSON
//! object with `format`, `architecture` and `input_names` (one entry, so the bytes are the same
//! for the same network: safetensors writes its metadata map in hash order). Readable by any
//! safetensors reader (Python, candle).

use crate::error::{NnError, Result};
use crate::network::{BatchNorm, DenseLayer, Network, Standardizer};
use crate::spec::Architecture;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use std::collections::HashMap;

const FORMAT: &str = "radiogenomics-network-1";
const META_KEY: &str = "radiogenomics";

#[derive(serde::Serialize, serde::Deserialize)]
struct Header {
    format: String,
    architecture: Architecture,
    input_names: Vec<String>,
}

fn f32_bytes(v: &[f32]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

fn f64_bytes(v: &[f64]) -> Vec<u8> {
    v.iter().flat_map(|x| x.to_le_bytes()).collect()
}

impl Network {
    /// The network as safetensors bytes (weights + JSON metadata).
    pub fn to_bytes(&self) -> Result<Vec<u8>> {
        let arch = self.architecture();
        let mut owned: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = Vec::new();
        for (l, layer) in self.layers().iter().enumerate() {
            let (n_in, u) = (arch.fan_in(l), arch.layers[l].units);
            owned.push((format!("layers.{l}.weight"), Dtype::F32, vec![n_in, u], f32_bytes(&layer.weight)));
            owned.push((format!("layers.{l}.bias"), Dtype::F32, vec![u], f32_bytes(&layer.bias)));
            if let Some(bn) = &layer.batch_norm {
                for (name, values) in [("gamma", &bn.gamma), ("beta", &bn.beta), ("moving_mean", &bn.moving_mean), ("moving_var", &bn.moving_var)] {
                    owned.push((format!("layers.{l}.bn.{name}"), Dtype::F32, vec![u], f32_bytes(values)));
                }
            }
        }
        if let Some(s) = self.standardizer() {
            owned.push(("standardizer.mean".into(), Dtype::F64, vec![s.mean.len()], f64_bytes(&s.mean)));
            owned.push(("standardizer.sd".into(), Dtype::F64, vec![s.sd.len()], f64_bytes(&s.sd)));
        }
        let views = owned
            .iter()
            .map(|(name, dtype, shape, bytes)| Ok((name.clone(), TensorView::new(*dtype, shape.clone(), bytes).map_err(st_error)?)))
            .collect::<Result<Vec<_>>>()?;
        let header = Header { format: FORMAT.to_string(), architecture: arch.clone(), input_names: self.input_names().to_vec() };
        let mut meta = HashMap::new();
        meta.insert(META_KEY.to_string(), serde_json::to_string(&header).map_err(json_error)?);
        safetensors::serialize(views, Some(meta)).map_err(st_error)
    }

    /// Reads bytes written by [`Network::to_bytes`].
    pub fn from_bytes(bytes: &[u8]) -> Result<Self> {
        let (_, header) = SafeTensors::read_metadata(bytes).map_err(st_error)?;
        let meta = header.metadata().clone().unwrap_or_default();
        let text = meta.get(META_KEY).ok_or_else(|| NnError::corrupt("weights", "it was not written by radiogenomics"))?;
        let Header { format, architecture: arch, input_names: names } = serde_json::from_str(text).map_err(json_error)?;
        if format != FORMAT {
            return Err(NnError::corrupt("weights", format!("unknown format \"{format}\"")));
        }
        let tensors = SafeTensors::deserialize(bytes).map_err(st_error)?;
        let f32s = |name: &str| -> Result<Vec<f32>> { read(&tensors, name, Dtype::F32, 4).map(|b| b.chunks_exact(4).map(|c| f32::from_le_bytes([c[0], c[1], c[2], c[3]])).collect()) };
        let f64s = |name: &str| -> Result<Vec<f64>> {
            read(&tensors, name, Dtype::F64, 8).map(|b| b.chunks_exact(8).map(|c| f64::from_le_bytes([c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7]])).collect())
        };
        let mut layers = Vec::with_capacity(arch.n_layers());
        for (l, spec) in arch.layers.iter().enumerate() {
            let batch_norm = if spec.batch_norm {
                Some(BatchNorm {
                    gamma: f32s(&format!("layers.{l}.bn.gamma"))?,
                    beta: f32s(&format!("layers.{l}.bn.beta"))?,
                    moving_mean: f32s(&format!("layers.{l}.bn.moving_mean"))?,
                    moving_var: f32s(&format!("layers.{l}.bn.moving_var"))?,
                })
            } else {
                None
            };
            layers.push(DenseLayer { weight: f32s(&format!("layers.{l}.weight"))?, bias: f32s(&format!("layers.{l}.bias"))?, batch_norm });
        }
        let standardizer = if tensors.names().contains(&"standardizer.mean") {
            Some(Standardizer { mean: f64s("standardizer.mean")?, sd: f64s("standardizer.sd")? })
        } else {
            None
        };
        Network::from_parts(arch, layers, standardizer, names)
    }
}

fn read<'a>(t: &'a SafeTensors<'a>, name: &str, dtype: Dtype, _size: usize) -> Result<&'a [u8]> {
    let view = t.tensor(name).map_err(|_| NnError::corrupt("weights", format!("tensor `{name}` is missing")))?;
    if view.dtype() != dtype {
        return Err(NnError::corrupt("weights", format!("tensor `{name}` has type {:?}, expected {:?}", view.dtype(), dtype)));
    }
    Ok(view.data())
}

fn st_error(e: safetensors::SafeTensorError) -> NnError {
    NnError::corrupt("weights", e.to_string())
}

fn json_error(e: serde_json::Error) -> NnError {
    NnError::corrupt("weights", format!("bad metadata: {e}"))
}
