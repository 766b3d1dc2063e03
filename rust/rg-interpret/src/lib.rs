//! Interpretation of trained networks: which genes drive a prediction.
//!
//! - [`masking`]: exact gene masking. Each gene set (or single gene) is kept alone, every other
//!   standardized input set to 0 (the training mean), and the masked predictions are scored
//!   against the truth ([`scores`]: ROC AUC, average precision, trapezoidal PR-AUC per output and
//!   micro-averaged, through `rg_core::metrics`). The first layer is computed from the set's
//!   rows of the weight matrix only, the rest in large batched matrix products over all
//!   (set, sample) rows; optional empirical p-values against random sets of the same size.
//! - [`saliency`]: gradients, guided backpropagation and integrated gradients of one output
//!   with respect to the standardized inputs, in batched backward passes.
//!
//! Inputs are standardized `n_samples × n_inputs` row-major `f32` matrices
//! ([`rg_nn::Network::standardize`]), i.e. an R genes × samples matrix as it lies in memory.

mod activation;
pub mod error;
mod forward;
mod integrated;
pub mod masking;
pub mod saliency;
pub mod scores;
mod threads;

pub use error::{InterpretError, Result};
pub use masking::{
    gene_set_masking, masked_outputs, single_gene_masking, MaskedOutputs, Masks, MaskingOptions, RandomSets,
    SetMasking,
};
pub use saliency::{saliency, SaliencyMethod, SaliencyOptions};
pub use scores::{score, Scores, Truth};
