//! Rayon pools: one of a chosen size per job, and fork safety.
//!
//! A forked process (R's `parallel::mcparallel`, BiocParallel's
//! `MulticoreParam`) inherits the parent's memory, including rayon's global pool, but none of its
//! threads: a parallel iterator that reaches that pool in the child waits forever for workers that
//! do not exist. [`guard_rayon_after_fork`], called at the top of every entry point, detects the
//! child and makes its calling thread a one-thread rayon pool of its own, so work that names no
//! pool runs serially there; pools built explicitly (`n_threads`) start their own threads as usual.

use rayon::{ThreadPool, ThreadPoolBuildError};
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::OnceLock;

/// A pool of `n_threads` workers, or `None` (run in the caller's current pool) when it is 0.
pub fn thread_pool(n_threads: usize) -> Result<Option<ThreadPool>, ThreadPoolBuildError> {
    if n_threads == 0 {
        return Ok(None);
    }
    rayon::ThreadPoolBuilder::new().num_threads(n_threads).build().map(Some)
}

/// Workers for `n_threads` > 1, `None` for one thread: that work is best done on the calling
/// thread (a one-worker pool's thread, woken for each task, was measured up to 40% slower as
/// the scheduler moved it between cores). Use with [`map_items`].
pub fn workers(n_threads: usize) -> Result<Option<ThreadPool>, ThreadPoolBuildError> {
    match n_threads {
        0 | 1 => Ok(None),
        n => thread_pool(n),
    }
}

/// `f` of each item, in order: by `pool`'s workers, or one after another on the calling
/// thread when `None`.
pub fn map_items<T: Sync, R: Send>(pool: Option<&ThreadPool>, items: &[T], f: impl Fn(&T) -> R + Sync + Send) -> Vec<R> {
    use rayon::prelude::*;
    match pool {
        Some(pool) => pool.install(|| items.par_iter().map(f).collect()),
        None => items.iter().map(f).collect(),
    }
}

/// Runs `f` in `pool` (its parallel iterators use that pool's workers), or here when `None`.
pub fn in_pool<R: Send>(pool: Option<&ThreadPool>, f: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(p) => p.install(f),
        None => f(),
    }
}

/// The process that made the first call: the only one whose global pool may have threads.
static FIRST_CALLER: OnceLock<u32> = OnceLock::new();
/// The process whose calling thread was last made a pool of its own (0: none).
static ADOPTED_IN: AtomicU32 = AtomicU32::new(0);

/// Call before any parallel work; cheap after the first call in a process.
pub fn guard_rayon_after_fork() {
    let pid = std::process::id();
    let first = *FIRST_CALLER.get_or_init(|| pid);
    if pid == first || ADOPTED_IN.load(Ordering::Relaxed) == pid {
        return;
    }
    // A fork of a fork: the thread already is the only worker of the parent's one-thread pool,
    // which needs no other thread, so the error this build then returns is harmless.
    if let Ok(pool) = rayon::ThreadPoolBuilder::new().num_threads(1).use_current_thread().build() {
        // The thread stays registered with this pool for the process's life; rayon never frees
        // such a registry, and dropping the handle would only ask the (absent) workers to stop.
        std::mem::forget(pool);
    }
    ADOPTED_IN.store(pid, Ordering::Relaxed);
}
