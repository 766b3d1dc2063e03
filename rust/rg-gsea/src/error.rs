//! Errors of the GSEA engine. Messages name the user-facing argument.

use rg_core::{ErrorInfo, ErrorKind, Interrupted};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum GseaError {
    /// An argument is unusable; `arg` is its R name (`stats`, `gene_sets`, `nperm`...).
    #[error("`{arg}` {problem}")]
    InvalidArgument { arg: String, problem: String },
    /// A GMT line could not be parsed.
    #[error("line {line} of the GMT file {problem}")]
    MalformedGmt { line: usize, problem: String },
    #[error("interrupted by the user")]
    Interrupted,
    /// The thread pool could not be created.
    #[error("could not start {0} worker threads")]
    Threads(usize),
}

impl GseaError {
    pub fn invalid(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        GseaError::InvalidArgument { arg: arg.into(), problem: problem.into() }
    }
}

impl From<Interrupted> for GseaError {
    fn from(_: Interrupted) -> Self {
        GseaError::Interrupted
    }
}

impl ErrorInfo for GseaError {
    fn kind(&self) -> ErrorKind {
        match self {
            GseaError::InvalidArgument { .. } | GseaError::MalformedGmt { .. } => ErrorKind::InvalidArgument,
            GseaError::Interrupted => ErrorKind::Interrupted,
            GseaError::Threads(_) => ErrorKind::Numerical,
        }
    }

    fn argument(&self) -> Option<&str> {
        match self {
            GseaError::InvalidArgument { arg, .. } => Some(arg),
            GseaError::MalformedGmt { .. } => Some("path"),
            _ => None,
        }
    }
}
