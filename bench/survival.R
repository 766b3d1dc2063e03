# Benchmark of the survival engine against survival 3.5-3, measured in the same run.
#   Rscript bench/survival.R            (uses the installed radiogenomics; R_LIBS=.rlib via make)
# Workloads (simulated; no real cohort of this shape ships with the project):
#   1. univariate Cox screening of 12,000 genes x 115 patients:
#      cox_screen() on 1 and 2 threads vs (a) the loop users write (coxph(formula, data) +
#      summary() per gene), (b) lapply of a minimal coxph(), (c) direct survival::coxph.fit().
#      (a) and (b) are timed on a random subset of genes and extrapolated linearly to all genes
#      (printed as such); (c) runs on all genes. Every timing is the best of several runs (the
#      minimum: this machine has transient slowdowns of 30% that a single run may catch).
#   2. backward stepwise selection, 127 patients, age + sex forced, 60 binary traits:
#      cox_stepwise() vs step(coxph(...)), with the path checked identical.
suppressPackageStartupMessages({
  library(survival)
  library(radiogenomics)
})

# Best of `reps` runs: elapsed seconds, and CPU seconds (user + system, all threads) of that run.
# A run evaluates `expr` `calls` times and reports the time per call (system.time() counts
# milliseconds, too coarse for a call of ~20 ms).
timed <- function(expr, reps = 1L, calls = 1L) {
  expr <- substitute(expr)
  env <- parent.frame()
  best <- c(elapsed = Inf, cpu = Inf)
  for (i in seq_len(reps)) {
    gc(FALSE)
    t <- system.time(for (call in seq_len(calls)) value <- eval(expr, env)) / calls
    if (t[["elapsed"]] < best[["elapsed"]]) best <- c(elapsed = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
  }
  list(seconds = best[["elapsed"]], cpu = best[["cpu"]], value = value)
}

line <- function(label, seconds, cpu = NA, note = "") {
  cat(sprintf("  %-58s %9.4f s elapsed %9.4f s CPU %s\n", label, seconds, cpu, note))
}

cat(sprintf("survival %s, R %s, %d cores\n\n", packageVersion("survival"), getRversion(), parallel::detectCores()))

# ---- 1. screening -------------------------------------------------------------------------
set.seed(2020)
n <- 115L
G <- 12000L
x <- matrix(rnorm(G * n), G, n, dimnames = list(sprintf("gene%05d", seq_len(G)), sprintf("p%03d", seq_len(n))))
time <- round(rexp(n, 1 / 900))
status <- rbinom(n, 1, 0.65)
signal <- 1:50
x[signal, ] <- x[signal, ] + outer(rep(0.6, length(signal)), scale(-log(time + 1))[, 1])
d <- data.frame(time = time, status = status)

cat(sprintf("1. Univariate Cox screening: %d genes x %d patients (%d events)\n", G, n, sum(status)))
ours1 <- timed(cox_screen(time, status, x, n_threads = 1L), reps = 7L, calls = 10L)
ours2 <- timed(cox_screen(time, status, x, n_threads = 2L), reps = 7L, calls = 10L)

subset_a <- sample(G, 300L)
loop_a <- timed({
  out <- vector("list", length(subset_a))
  for (i in seq_along(subset_a)) {
    d$gene <- x[subset_a[i], ]
    fit <- coxph(Surv(time, status) ~ gene, data = d)
    s <- summary(fit)
    out[[i]] <- c(s$coefficients[1, c(1, 2, 3, 5)], s$conf.int[1, 3:4])
  }
  do.call(rbind, out)
}, reps = 3L)
t_a <- loop_a$seconds * G / length(subset_a)

subset_b <- sample(G, 1000L)
lapply_b <- timed(lapply(subset_b, function(g) coef(coxph(Surv(time, status) ~ x[g, ]))), reps = 2L)
t_b <- lapply_b$seconds * G / length(subset_b)

y <- Surv(time, status)
ctrl <- coxph.control()
direct_c <- timed(vapply(seq_len(G), function(g) {
  survival::coxph.fit(matrix(x[g, ], ncol = 1L), y, strata = NULL, offset = NULL, init = NULL,
                      control = ctrl, weights = NULL, method = "efron", rownames = NULL,
                      resid = FALSE)$coefficients
}, numeric(1)), reps = 3L)
t_c <- direct_c$seconds

scale_a <- G / length(subset_a)
scale_b <- G / length(subset_b)
line("cox_screen(), 1 thread", ours1$seconds, ours1$cpu)
line("cox_screen(), 2 threads", ours2$seconds, ours2$cpu)
line(sprintf("(a) loop: coxph(formula, data) + summary() [%d genes, x%.0f]", length(subset_a), scale_a), t_a,
     loop_a$cpu * scale_a, "(extrapolated)")
line(sprintf("(b) lapply of minimal coxph() [%d genes, x%.0f]", length(subset_b), scale_b), t_b,
     lapply_b$cpu * scale_b, "(extrapolated)")
line("(c) survival::coxph.fit() per gene, all genes", t_c, direct_c$cpu)
cat(sprintf("  ratios, 1 thread : (a) %6.0fx   (b) %6.0fx   (c) %5.1fx   [CPU time: (a) %.0fx (b) %.0fx (c) %.1fx]\n",
            t_a / ours1$seconds, t_b / ours1$seconds, t_c / ours1$seconds,
            loop_a$cpu * scale_a / ours1$cpu, lapply_b$cpu * scale_b / ours1$cpu, direct_c$cpu / ours1$cpu))
cat(sprintf("  ratios, 2 threads: (a) %6.0fx   (b) %6.0fx   (c) %5.1fx\n", t_a / ours2$seconds, t_b / ours2$seconds, t_c / ours2$seconds))
res <- ours1$value
rel <- function(a, b) max(abs(a - b) / pmax(abs(b), 1e-300), na.rm = TRUE)
cat(sprintf("  agreement: coef vs coxph.fit (all genes) max rel diff %.1e; vs loop (a) coef %.1e, se %.1e, p %.1e\n\n",
            rel(res$coef, direct_c$value), rel(res$coef[subset_a], loop_a$value[, 1]),
            rel(res$se[subset_a], loop_a$value[, 3]), rel(res$p[subset_a], loop_a$value[, 4])))

# ---- 2. stepwise ----------------------------------------------------------------------------
set.seed(127)
m <- 127L
traits <- matrix(rbinom(m * 60L, 1, 0.35), m, 60L, dimnames = list(NULL, sprintf("trait%02d", 1:60)))
patients <- data.frame(age = rbinom(m, 1, 0.5), sex = rbinom(m, 1, 0.6), traits)
risk <- 0.5 * patients$age + 0.8 * traits[, 3] - 0.7 * traits[, 17] + 0.6 * traits[, 42]
patients$time <- round(rexp(m, 0.002 * exp(risk)))
patients$status <- rbinom(m, 1, 0.75)
f <- stats::reformulate(c("age", "sex", colnames(traits)), response = quote(Surv(time, status)))

cat(sprintf("2. Backward stepwise selection: %d patients, age + sex forced, 60 binary traits (%d events)\n", m, sum(patients$status)))
step_ours1 <- timed(cox_stepwise(f, data = patients, keep = ~ age + sex, n_threads = 1L), reps = 3L)
step_ours2 <- timed(cox_stepwise(f, data = patients, keep = ~ age + sex, n_threads = 2L), reps = 3L)
step_ref <- timed(step(coxph(f, data = patients), scope = list(lower = ~ age + sex), direction = "backward", trace = 0))
same_path <- identical(trimws(step_ours1$value$steps$change), trimws(as.character(step_ref$value$anova$Step))) &&
  isTRUE(all.equal(step_ours1$value$steps$aic, step_ref$value$anova$AIC, tolerance = 1e-9))
line(sprintf("cox_stepwise(), 1 thread (%d fits)", step_ours1$value$n_fits), step_ours1$seconds, step_ours1$cpu)
line("cox_stepwise(), 2 threads", step_ours2$seconds, step_ours2$cpu)
line("step(coxph(...), direction = \"backward\")", step_ref$seconds, step_ref$cpu)
cat(sprintf("  ratios: %.1fx (1 thread), %.1fx (2 threads) [CPU time, 1 thread: %.1fx]; %d steps; identical path and AIC: %s\n",
            step_ref$seconds / step_ours1$seconds, step_ref$seconds / step_ours2$seconds,
            step_ref$cpu / step_ours1$cpu, nrow(step_ours1$value$steps) - 1L, same_path))
