//! A forked child of a process that used rayon's global pool can still run parallel iterators
//! once the entry-point guard has run. A child that hangs is killed by an alarm, and the parent
//! sees it die of a signal instead of exiting cleanly.

use rayon::prelude::*;

fn parallel_sum() -> u64 {
    (0..100_000u64).into_par_iter().map(|i| i % 7).sum()
}

#[test]
fn parallel_iterators_work_in_a_forked_child() {
    rg_core::guard_rayon_after_fork();
    let expected = parallel_sum(); // starts the global pool's threads in this process
    // SAFETY: the child only runs rayon work on its own thread, then leaves with _exit.
    let pid = unsafe { libc::fork() };
    assert!(pid >= 0, "fork failed");
    if pid == 0 {
        unsafe { libc::alarm(20) };
        rg_core::guard_rayon_after_fork();
        let ok = parallel_sum() == expected && rayon::current_num_threads() == 1;
        unsafe { libc::_exit(if ok { 0 } else { 1 }) };
    }
    let mut status = 0;
    // SAFETY: waits for the child started above.
    unsafe { libc::waitpid(pid, &mut status, 0) };
    assert!(libc::WIFEXITED(status), "the child did not finish (status {status}): it hung or crashed");
    assert_eq!(libc::WEXITSTATUS(status), 0, "the child computed a wrong sum");
}
