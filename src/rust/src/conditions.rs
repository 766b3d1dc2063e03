//! Core errors become R conditions; Rust panics never print to the console.
//!
//! Exported functions return either their value or an `rg_rust_error` list
//! (`message`, `kind`, `argument`); the R wrapper `rust_result()` re-raises it as a classed
//! condition (`radiogenomics_<kind>`, `radiogenomics_error`) with the user's call. Returning the
//! error as a value (instead of extendr's panic-on-`Err`) keeps panic text off stderr.

use extendr_api::prelude::*;
use rg_core::ErrorInfo;

/// The R value for a core result.
pub fn to_robj<T: Into<Robj>, E: ErrorInfo>(result: Result<T, E>) -> Robj {
    match result {
        Ok(value) => value.into(),
        Err(error) => error_robj(&error),
    }
}

pub fn error_robj<E: ErrorInfo + ?Sized>(error: &E) -> Robj {
    let argument: Robj = match error.argument() {
        Some(arg) => arg.into(),
        None => ().into(),
    };
    let mut value = list!(
        message = error.to_string(),
        kind = error.kind().class_suffix(),
        argument = argument
    );
    // setting a class on a fresh list cannot fail
    let _ = value.set_class(&["rg_rust_error"]);
    value.into()
}

/// Installed from `.onLoad`: a panic (a bug, never user data) still becomes an R error through
/// extendr, but its message is kept for that error instead of being printed to stderr.
#[extendr]
fn rg_install_quiet_panic_hook() {
    std::panic::set_hook(Box::new(|_| {}));
}

extendr_module! {
    mod conditions;
    fn rg_install_quiet_panic_hook;
}
