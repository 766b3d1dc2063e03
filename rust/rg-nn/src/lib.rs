//! Neural networks for radiogenomics.
//!
//! - [`spec`]: the architecture (dense → [batch norm] → activation → [dropout] per layer;
//!   sigmoid / softmax / linear output heads) and the losses;
//! - [`network::Network`]: the one definition of a network — architecture, parameters (kernels
//!   stored `[in, out]`), standardization and input names — with CPU inference
//!   ([`Network::forward`]), inference from precomputed first-layer pre-activations (exact sparse
//!   gene masking, [`Network::first_layer_sparse`]) and input gradients for saliency
//!   ([`Network::input_gradient`], optionally guided);
//! - [`train::fit`]: minibatch training with sample weights, validation, early stopping with
//!   best-weight restore, history, progress and cancellation; on the explicit CPU engine
//!   ([`cpu`], `gemm` kernel, reused buffers, fused in-place optimizers) or the candle path
//!   ([`device`], CUDA with the `cuda` feature);
//! - [`optim`]: SGD (momentum, Nesterov, decay), Adadelta, Adam, Nadam, RMSprop with Keras 2.2.4
//!   defaults;
//! - [`autoencoder`]: mirrored autoencoders and encoder transfer;
//! - [`persist`]: safetensors bytes with JSON metadata.
//!
//! # Determinism
//! The same seed and thread count give bit-identical weights on the CPU engine: initial weights,
//! shuffling and dropout masks come from seeded `RngStream`s; elementwise kernels (optimizers,
//! activations) do the same arithmetic however the work is split; batch-norm statistics and loss
//! sums are sequential; `gemm` splits matrix products over output tiles, never over the summed
//! dimension; kernel gradients are computed in fixed blocks of rows, each summed over the batch
//! in order. So the thread count does not change the arithmetic either (the tests
//! `same_seed_same_weights_and_thread_count_does_not_matter` and
//! `bigger_layers_are_bit_identical_across_thread_counts` check it). What can change the last
//! bits is the CPU: `gemm` and the kernel-gradient blocks use fused multiply-adds when the CPU
//! has AVX2 + FMA (and `gemm` picks AVX-512 kernels where available). The CUDA path is not
//! bit-reproducible (cuBLAS reductions).

pub mod autoencoder;
pub mod cpu;
pub mod device;
pub mod error;
pub mod kernels;
pub mod loss;
pub mod network;
pub mod optim;
pub mod persist;
pub mod spec;
pub mod train;

pub use autoencoder::{autoencoder_architecture, freeze_first, transfer_layers};
pub use device::Device;
pub use error::{NnError, Result};
pub use network::{BackpropModifier, BatchNorm, DenseLayer, GradientOf, Network, Outputs, Standardizer};
pub use optim::{OptimizerConfig, OptimizerKind};
pub use spec::{Activation, Architecture, LayerSpec, Loss};
pub use train::{balanced_weights, fit, Dataset, EarlyStopping, FitOptions, History, StopMode, Task};
