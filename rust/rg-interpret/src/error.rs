//! Errors of the interpretation methods; every message names the argument it is about.

use rg_core::{CoreError, ErrorInfo, ErrorKind, Interrupted};
use rg_nn::NnError;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InterpretError {
    /// The caller passed something unusable.
    #[error("`{arg}` {problem}")]
    InvalidArgument { arg: String, problem: String },
    /// An error of the network engine (shapes, corrupt weights).
    #[error(transparent)]
    Network(#[from] NnError),
    /// An error of a core routine (metrics).
    #[error(transparent)]
    Core(#[from] CoreError),
    #[error("interrupted by the user")]
    Interrupted,
}

impl InterpretError {
    pub fn invalid(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        InterpretError::InvalidArgument { arg: arg.into(), problem: problem.into() }
    }
}

impl From<Interrupted> for InterpretError {
    fn from(_: Interrupted) -> Self {
        InterpretError::Interrupted
    }
}

impl ErrorInfo for InterpretError {
    fn kind(&self) -> ErrorKind {
        match self {
            InterpretError::InvalidArgument { .. } => ErrorKind::InvalidArgument,
            InterpretError::Network(e) => e.kind(),
            InterpretError::Core(e) => e.kind(),
            InterpretError::Interrupted => ErrorKind::Interrupted,
        }
    }

    fn argument(&self) -> Option<&str> {
        match self {
            InterpretError::InvalidArgument { arg, .. } => Some(arg),
            InterpretError::Network(e) => e.argument(),
            InterpretError::Core(e) => e.argument(),
            InterpretError::Interrupted => None,
        }
    }
}

pub type Result<T> = std::result::Result<T, InterpretError>;
