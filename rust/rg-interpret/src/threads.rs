//! Running parallel blocks in a pool of a chosen size while the monitor stays on the caller's
//! thread (the R glue may only touch R from there).

use crate::error::{InterpretError, Result};

/// A pool of `n_threads` workers; `None` (use the current pool) when `n_threads` is 0.
pub(crate) fn thread_pool(n_threads: usize) -> Result<Option<rayon::ThreadPool>> {
    if n_threads == 0 {
        return Ok(None);
    }
    rayon::ThreadPoolBuilder::new()
        .num_threads(n_threads)
        .build()
        .map(Some)
        .map_err(|e| InterpretError::invalid("n_threads", format!("could not start {n_threads} threads: {e}")))
}

pub(crate) fn in_pool<R: Send>(pool: Option<&rayon::ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}
