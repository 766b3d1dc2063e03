//! Conversions shared by the capability modules.

use extendr_api::prelude::*;

/// An R logical/integer/double vector as booleans (the R wrapper has already checked for NA).
pub fn logicals(x: &Robj) -> Vec<bool> {
    if let Some(v) = x.as_logical_slice() {
        v.iter().map(|b| b.is_true()).collect()
    } else if let Some(v) = x.as_integer_slice() {
        v.iter().map(|&i| i != 0).collect()
    } else if let Some(v) = x.as_real_slice() {
        v.iter().map(|&d| d != 0.0).collect()
    } else {
        Vec::new()
    }
}

/// A numeric R vector or matrix as f64 values, column-major.
pub fn doubles(x: &Robj) -> Vec<f64> {
    if let Some(v) = x.as_real_slice() {
        v.to_vec()
    } else if let Some(v) = x.as_integer_slice() {
        v.iter().map(|&i| i as f64).collect()
    } else {
        Vec::new()
    }
}
