//! Core of radiogenomics: the pieces every capability shares.
//!
//! - [`error`]: the error kinds every crate maps its typed errors onto, so the R glue can raise
//!   classed conditions;
//! - [`monitor`]: progress reporting and cancellation (Ctrl-C) for long jobs;
//! - [`rng`]: seeded, independent random streams (results never depend on the thread count);
//! - [`expression`]: a borrowed genes × samples matrix (R's column-major layout);
//! - [`metrics`]: ROC AUC, average precision, trapezoidal PR-AUC, multi-class averages, R², MAE, MAPE;
//! - [`adjust`]: Benjamini–Hochberg and Bonferroni p-value adjustment;
//! - [`kmeans`]: exact two-cluster k-means in one dimension (binarizing continuous traits);
//! - [`threads`]: rayon pools of a chosen size, kept usable in forked R workers.

pub mod adjust;
pub mod error;
pub mod expression;
pub mod kmeans;
pub mod folds;
pub mod metrics;
pub mod monitor;
pub mod rng;
pub mod simulate;
pub mod threads;

pub use error::{CoreError, ErrorInfo, ErrorKind};
pub use expression::ExpressionView;
pub use threads::guard_rayon_after_fork;
pub use monitor::{Interrupted, Monitor, Silent};
pub use rng::RngStream;
