//! Pools of a chosen size (the monitor stays on the caller's thread: the R glue may only touch R
//! from there).

use crate::error::{InterpretError, Result};
pub(crate) use rg_core::threads::in_pool;

/// A pool of `n_threads` workers; `None` (use the current pool) when `n_threads` is 0.
pub(crate) fn thread_pool(n_threads: usize) -> Result<Option<rayon::ThreadPool>> {
    rg_core::threads::thread_pool(n_threads)
        .map_err(|e| InterpretError::invalid("n_threads", format!("could not start {n_threads} threads: {e}")))
}
