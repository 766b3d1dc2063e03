//! A borrowed genes × samples matrix.
//!
//! R stores a genes × samples matrix column-major, so each sample's profile is one contiguous
//! slice: the same bytes are a row-major samples × genes matrix, which is what networks consume.

use crate::error::CoreError;

#[derive(Debug, Clone, Copy)]
pub struct ExpressionView<'a> {
    data: &'a [f64],
    n_genes: usize,
    n_samples: usize,
}

impl<'a> ExpressionView<'a> {
    /// Wraps `data` (length `n_genes * n_samples`, sample after sample).
    pub fn new(data: &'a [f64], n_genes: usize, n_samples: usize) -> Result<Self, CoreError> {
        if data.len() != n_genes * n_samples {
            return Err(CoreError::invalid(
                "x",
                format!("has {} values, expected {} genes x {} samples", data.len(), n_genes, n_samples),
            ));
        }
        Ok(ExpressionView { data, n_genes, n_samples })
    }

    pub fn n_genes(&self) -> usize {
        self.n_genes
    }

    pub fn n_samples(&self) -> usize {
        self.n_samples
    }

    /// Sample `j`'s expression profile (all genes).
    pub fn sample(&self, j: usize) -> &'a [f64] {
        &self.data[j * self.n_genes..(j + 1) * self.n_genes]
    }

    pub fn get(&self, gene: usize, sample: usize) -> f64 {
        self.data[sample * self.n_genes + gene]
    }

    pub fn as_slice(&self) -> &'a [f64] {
        self.data
    }
}
