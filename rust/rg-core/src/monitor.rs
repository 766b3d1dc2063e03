//! Progress and cancellation for long jobs.
//!
//! The core calls [`Monitor::step`] on the thread that started the job, between blocks of work
//! (parallel work runs inside a block). The R glue implements it by printing a throttled progress
//! line and polling R for a user interrupt; tests use [`Silent`] or a cancelling monitor.

/// The user asked to stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Interrupted;

impl std::fmt::Display for Interrupted {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("interrupted by the user")
    }
}

impl std::error::Error for Interrupted {}

pub trait Monitor {
    /// `done` of `total` units of work are finished. Returns `Err(Interrupted)` when the job
    /// should stop; the job then returns its own `Interrupted` error without a partial result.
    fn step(&mut self, done: usize, total: usize) -> Result<(), Interrupted>;

    /// A free-form status line (e.g. an epoch's loss); ignored by default.
    fn message(&mut self, _text: &str) {}
}

/// Reports nothing and never cancels.
#[derive(Debug, Default, Clone, Copy)]
pub struct Silent;

impl Monitor for Silent {
    fn step(&mut self, _done: usize, _total: usize) -> Result<(), Interrupted> {
        Ok(())
    }
}

/// Cancels once `done` reaches a threshold; records every step. For tests of cancellation.
#[derive(Debug, Default, Clone)]
pub struct CancelAt {
    pub at: usize,
    pub steps: Vec<(usize, usize)>,
}

impl CancelAt {
    pub fn new(at: usize) -> Self {
        CancelAt { at, steps: Vec::new() }
    }
}

impl Monitor for CancelAt {
    fn step(&mut self, done: usize, total: usize) -> Result<(), Interrupted> {
        self.steps.push((done, total));
        if done >= self.at {
            Err(Interrupted)
        } else {
            Ok(())
        }
    }
}

/// Runs `work(start..end)` over `0..total` in blocks of `block` units, calling the monitor after
/// each block. `work` may itself be parallel.
pub fn in_blocks<E>(
    total: usize,
    block: usize,
    monitor: &mut dyn Monitor,
    mut work: impl FnMut(std::ops::Range<usize>) -> Result<(), E>,
) -> Result<(), E>
where
    E: From<Interrupted>,
{
    let block = block.max(1);
    let mut start = 0;
    while start < total {
        let end = (start + block).min(total);
        work(start..end)?;
        monitor.step(end, total)?;
        start = end;
    }
    Ok(())
}
