# Benchmark: 10-fold cross-validation of one grid point of the paper-sized network
# (12,042 genes -> 4000/2000/1000 tanh -> 1 sigmoid, Adadelta, batch 10) on 175 simulated samples,
# serial (2 Rust threads) vs BiocParallel MulticoreParam(2) (two forked workers, 1 Rust thread each).
# Each backend runs the CV twice, with `epochs` and 2 x `epochs` epochs per fold, so that the
# per-fold fixed cost (initialisation, standardisation, validation scoring) and the cost per epoch
# can be told apart; a 500-epoch CV is extrapolated from them. Not part of the test suite.
#
#   R_LIBS=.rlib Rscript bench/cv.R [epochs]      (default 2; about 10 minutes on 2 cores)
suppressPackageStartupMessages(library(radiogenomics))
epochs <- as.integer(commandArgs(trailingOnly = TRUE)[1])
if (is.na(epochs)) epochs <- 2L
folds <- 10L
cohort <- simulate_cohort(n_samples = 175, n_genes = 12042, traits = "binary", seed = 1)

time_cv <- function(n_epochs, BPPARAM = NULL) {
  gc()
  args <- list(x = cohort$expression, y = cohort$traits$binary, folds = folds, hidden = c(4000, 2000, 1000),
               early_stopping = "none", control = nn_control(epochs = n_epochs, verbose = FALSE),
               seed = 1, verbose = FALSE, BPPARAM = BPPARAM)
  seconds <- system.time(cv <- do.call(cross_validate, args))[["elapsed"]]
  list(seconds = seconds, cv = cv)
}

# Fixed cost per fold and cost per fold-epoch from the two run lengths.
split_cost <- function(short, long) {
  per_epoch <- (long$seconds - short$seconds) / (folds * epochs)
  c(per_epoch = per_epoch, fixed = short$seconds / folds - per_epoch * epochs)
}

backends <- list(`serial (2 threads)` = NULL, `MulticoreParam(2), 1 thread each` = BiocParallel::MulticoreParam(2))
runs <- lapply(backends, function(b) list(short = time_cv(epochs, b), long = time_cv(2L * epochs, b)))
costs <- lapply(runs, function(r) split_cost(r$short, r$long))

cat(sprintf("10-fold CV, paper network (58M parameters), 175 samples, %d and %d epochs per fold\n",
            epochs, 2L * epochs))
for (name in names(runs)) {
  r <- runs[[name]]
  k <- costs[[name]]
  cat(sprintf("  %-34s %6.1f s / %6.1f s; per fold-epoch %.2f s, fixed per fold %.1f s; 500 epochs: %.1f h\n",
              name, r$short$seconds, r$long$seconds, k[["per_epoch"]], k[["fixed"]],
              folds * (k[["fixed"]] + 500 * k[["per_epoch"]]) / 3600))
}
cat(sprintf("  ratio MulticoreParam / serial (wall time, %d-epoch runs): %.2f\n", 2L * epochs,
            runs[[2]]$long$seconds / runs[[1]]$long$seconds))
cat(sprintf("  identical fold results: %s\n",
            isTRUE(all.equal(runs[[1]]$long$cv$results, runs[[2]]$long$cv$results))))
cat(sprintf("  load average during the run: %s\n", paste(readLines("/proc/loadavg", warn = FALSE), collapse = "")))
