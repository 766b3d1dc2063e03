//! Error kinds shared by every crate.
//!
//! Each crate keeps its own `thiserror` enum (messages name the argument and the problem) and
//! implements [`ErrorInfo`], which is all the R glue needs to raise a classed R condition
//! (`radiogenomics_<kind>` + `radiogenomics_error`).

use crate::monitor::Interrupted;

/// What went wrong, coarsely: decides the R condition class.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorKind {
    /// The caller passed something unusable (wrong size, NA, empty set...).
    InvalidArgument,
    /// The user pressed Ctrl-C (or the monitor asked to stop).
    Interrupted,
    /// A numerical procedure could not produce a result (singular matrix, no convergence...).
    Numerical,
}

impl ErrorKind {
    /// The suffix of the R condition class, `radiogenomics_<suffix>`.
    pub fn class_suffix(self) -> &'static str {
        match self {
            ErrorKind::InvalidArgument => "invalid_argument",
            ErrorKind::Interrupted => "interrupt",
            ErrorKind::Numerical => "numerical",
        }
    }
}

/// Implemented by every crate's error type.
pub trait ErrorInfo: std::error::Error {
    fn kind(&self) -> ErrorKind;
    /// The user-facing argument the error is about, when there is one.
    fn argument(&self) -> Option<&str> {
        None
    }
}

/// Errors raised by `rg-core` itself.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum CoreError {
    #[error("`{arg}` {problem}")]
    InvalidArgument { arg: String, problem: String },
    #[error("{0}")]
    Numerical(String),
    #[error("interrupted by the user")]
    Interrupted,
}

impl CoreError {
    /// Shorthand for an invalid-argument error.
    pub fn invalid(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        CoreError::InvalidArgument { arg: arg.into(), problem: problem.into() }
    }
}

impl From<Interrupted> for CoreError {
    fn from(_: Interrupted) -> Self {
        CoreError::Interrupted
    }
}

impl ErrorInfo for CoreError {
    fn kind(&self) -> ErrorKind {
        match self {
            CoreError::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            CoreError::Numerical(_) => ErrorKind::Numerical,
            CoreError::Interrupted => ErrorKind::Interrupted,
        }
    }
    fn argument(&self) -> Option<&str> {
        match self {
            CoreError::InvalidArgument { arg, .. } => Some(arg),
            _ => None,
        }
    }
}
