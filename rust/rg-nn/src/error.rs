//! Errors of the network engine; every message names the argument it is about.

use rg_core::{CoreError, ErrorInfo, ErrorKind, Interrupted};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum NnError {
    /// The caller passed something unusable.
    #[error("`{arg}` {problem}")]
    InvalidArgument { arg: String, problem: String },
    /// Stored model bytes could not be read.
    #[error("`{arg}` is not a valid saved network: {problem}")]
    Corrupt { arg: String, problem: String },
    /// The requested device is not available in this build or on this machine.
    #[error("`device` {0}")]
    Device(String),
    /// Training produced non-finite values.
    #[error("{0}")]
    Numerical(String),
    #[error("interrupted by the user")]
    Interrupted,
}

impl NnError {
    pub fn invalid(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        NnError::InvalidArgument { arg: arg.into(), problem: problem.into() }
    }

    pub fn corrupt(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        NnError::Corrupt { arg: arg.into(), problem: problem.into() }
    }
}

impl From<Interrupted> for NnError {
    fn from(_: Interrupted) -> Self {
        NnError::Interrupted
    }
}

impl From<CoreError> for NnError {
    fn from(e: CoreError) -> Self {
        match e {
            CoreError::InvalidArgument { arg, problem } => NnError::InvalidArgument { arg, problem },
            CoreError::Numerical(m) => NnError::Numerical(m),
            CoreError::Interrupted => NnError::Interrupted,
        }
    }
}

impl From<candle_core::Error> for NnError {
    fn from(e: candle_core::Error) -> Self {
        NnError::Device(format!("computation failed: {e}"))
    }
}

impl ErrorInfo for NnError {
    fn kind(&self) -> ErrorKind {
        match self {
            NnError::InvalidArgument { .. } | NnError::Corrupt { .. } | NnError::Device(_) => {
                ErrorKind::InvalidArgument
            }
            NnError::Numerical(_) => ErrorKind::Numerical,
            NnError::Interrupted => ErrorKind::Interrupted,
        }
    }

    fn argument(&self) -> Option<&str> {
        match self {
            NnError::InvalidArgument { arg, .. } | NnError::Corrupt { arg, .. } => Some(arg),
            NnError::Device(_) => Some("device"),
            _ => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, NnError>;
