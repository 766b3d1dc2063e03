//! The R side of `rg_core::Monitor`: a throttled progress line on stderr and Ctrl-C polling.
//!
//! extendr has no interrupt API. `rg_interrupt_pending()` (src/interrupt.c) runs
//! `R_CheckUserInterrupt` inside `R_ToplevelExec`, so a pending interrupt is consumed there
//! instead of long-jumping over Rust frames; the job then returns `Interrupted` and unwinds
//! normally. Only the main thread calls into R: the core calls `step` between parallel blocks.

use extendr_api::prelude::*;
use rg_core::{Interrupted, Monitor};
use std::time::{Duration, Instant};

extern "C" {
    fn rg_interrupt_pending() -> std::os::raw::c_int;
}

const PRINT_EVERY: Duration = Duration::from_millis(500);

pub struct RMonitor {
    label: String,
    verbose: bool,
    last_print: Option<Instant>,
    printed: bool,
}

impl RMonitor {
    pub fn new(label: &str, verbose: bool) -> Self {
        RMonitor { label: label.to_string(), verbose, last_print: None, printed: false }
    }

    fn due(&self) -> bool {
        self.last_print.map_or(true, |t| t.elapsed() >= PRINT_EVERY)
    }
}

impl Monitor for RMonitor {
    fn step(&mut self, done: usize, total: usize) -> Result<(), Interrupted> {
        if self.verbose && (self.due() || done == total) {
            let percent = if total == 0 { 100.0 } else { 100.0 * done as f64 / total as f64 };
            reprint!("\r{}: {}/{} ({:.0}%)", self.label, done, total, percent);
            if done == total {
                reprint!("\n");
            }
            self.last_print = Some(Instant::now());
            self.printed = done != total;
        }
        if unsafe { rg_interrupt_pending() } != 0 {
            if self.printed {
                reprint!("\n");
            }
            return Err(Interrupted);
        }
        Ok(())
    }

    fn message(&mut self, text: &str) {
        if self.verbose && self.due() {
            reprintln!("{}", text);
            self.last_print = Some(Instant::now());
        }
    }
}
