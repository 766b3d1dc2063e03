// Ctrl-C polling for the Rust glue. R_CheckUserInterrupt() long-jumps when an interrupt is
// pending, which must never happen over Rust frames; inside R_ToplevelExec the jump is caught
// here and reported as a return value instead.
#include <Rinternals.h>
#include <R_ext/Utils.h>

static void check_interrupt(void *unused) {
    (void) unused;
    R_CheckUserInterrupt();
}

int rg_interrupt_pending(void) {
    return R_ToplevelExec(check_interrupt, NULL) == FALSE;
}
