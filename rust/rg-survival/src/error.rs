//! Typed errors of the survival engine. Messages name the argument and the offending rows
//! (1-based, as an R user counts them).

use rg_core::monitor::Interrupted;
use rg_core::{ErrorInfo, ErrorKind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SurvivalError {
    #[error("`{arg}` has {count} negative value(s) (rows {rows}); survival times must be >= 0")]
    NegativeTime { arg: String, count: usize, rows: String },
    #[error("`{arg}` has {count} missing or non-finite value(s) (rows {rows})")]
    NonFinite { arg: String, count: usize, rows: String },
    #[error("`{arg}` must be coded 0 = censored / 1 = event; {count} value(s) are not (rows {rows})")]
    InvalidStatus { arg: String, count: usize, rows: String },
    #[error("`{arg}` must be positive and finite; {count} value(s) are not (rows {rows})")]
    InvalidWeights { arg: String, count: usize, rows: String },
    #[error("`{arg}` has length {got}, expected {expected}")]
    LengthMismatch { arg: String, got: usize, expected: usize },
    #[error("a Cox model needs at least 2 events; the data have {events}")]
    TooFewEvents { events: usize },
    #[error("`{arg}` {problem}")]
    Invalid { arg: String, problem: String },
    #[error("interrupted by the user")]
    Interrupted,
}

impl SurvivalError {
    pub fn invalid(arg: impl Into<String>, problem: impl Into<String>) -> Self {
        SurvivalError::Invalid { arg: arg.into(), problem: problem.into() }
    }
}

impl From<Interrupted> for SurvivalError {
    fn from(_: Interrupted) -> Self {
        SurvivalError::Interrupted
    }
}

impl ErrorInfo for SurvivalError {
    fn kind(&self) -> ErrorKind {
        match self {
            SurvivalError::Interrupted => ErrorKind::Interrupted,
            _ => ErrorKind::InvalidArgument,
        }
    }

    fn argument(&self) -> Option<&str> {
        match self {
            SurvivalError::NegativeTime { arg, .. }
            | SurvivalError::NonFinite { arg, .. }
            | SurvivalError::InvalidStatus { arg, .. }
            | SurvivalError::InvalidWeights { arg, .. }
            | SurvivalError::LengthMismatch { arg, .. }
            | SurvivalError::Invalid { arg, .. } => Some(arg),
            SurvivalError::TooFewEvents { .. } => Some("status"),
            SurvivalError::Interrupted => None,
        }
    }
}

/// "3, 7, 12" — at most the first 10 offending rows (1-based), with "..." after.
pub(crate) fn row_list(rows: &[usize]) -> String {
    let mut text: Vec<String> = rows.iter().take(10).map(|r| (r + 1).to_string()).collect();
    if rows.len() > 10 {
        text.push("...".to_string());
    }
    text.join(", ")
}
