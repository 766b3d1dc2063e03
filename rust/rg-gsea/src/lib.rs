//! Pre-ranked gene set enrichment analysis (GSEA) with fgsea's statistics.
//!
//! - [`score`]: the enrichment score and leading edge (fgsea's `calcGseaStat`);
//! - [`null`]: the `simple` permutation null with fgsea's cumulative trick, sampled once and shared
//!   by every ranking of a per-sample run;
//! - [`multilevel`]: adaptive multilevel splitting for small p-values (fgseaMultilevel);
//! - [`engine`]: [`gsea_preranked`] and [`gsea_per_sample`] (p-values, NES, BH, log2err);
//! - [`gmt`]: GMT files.
//!
//! Randomness comes from `RngStream`s indexed by permutation block and set size, so results do
//! not depend on the number of threads.

pub mod engine;
pub mod error;
pub mod gmt;
pub mod multilevel;
pub mod null;
pub mod ranking;
pub mod score;
pub mod special;

pub use engine::{
    enrichment_curve, gsea_per_sample, gsea_preranked, EnrichmentCurve, GseaNotes, GseaOptions, GseaResult,
    GseaRow, Method,
};
pub use error::GseaError;
pub use gmt::{format_gmt, parse_gmt, read_gmt, write_gmt, GmtSet};
pub use ranking::GeneSet;
