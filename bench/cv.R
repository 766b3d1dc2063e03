# Benchmark: 10-fold cross-validation of one grid point of the paper-sized network
# (12,042 genes -> 4000/2000/1000 tanh -> 1 sigmoid, Adadelta, batch 10) on 175 simulated samples,
# serial (2 Rust threads) vs BiocParallel MulticoreParam(2) (two workers, 1 Rust thread each).
# A few epochs per fold; the time per epoch is extrapolated. Not part of the test suite.
#
#   R_LIBS=.rlib Rscript bench/cv.R [epochs]
suppressPackageStartupMessages(library(radiogenomics))
epochs <- as.integer(commandArgs(trailingOnly = TRUE)[1])
if (is.na(epochs)) epochs <- 2L
cohort <- simulate_cohort(n_samples = 175, n_genes = 12042, traits = "binary", seed = 1)
args <- list(x = cohort$expression, y = cohort$traits$binary, folds = 10, hidden = c(4000, 2000, 1000),
             early_stopping = "none", control = nn_control(epochs = epochs, verbose = FALSE),
             seed = 1, verbose = FALSE)

time_cv <- function(extra) {
  gc()
  t <- system.time(cv <- do.call(cross_validate, c(args, extra)))[["elapsed"]]
  list(seconds = t, cv = cv)
}
serial <- time_cv(list())
multicore <- time_cv(list(BPPARAM = BiocParallel::MulticoreParam(2)))
fits <- 10 * epochs
cat(sprintf("10-fold CV, paper network, 175 samples, %d epochs per fold (%d fold-epochs)\n", epochs, fits))
cat(sprintf("  serial (2 threads):        %7.1f s  (%.2f s per fold-epoch)\n", serial$seconds, serial$seconds / fits))
cat(sprintf("  MulticoreParam(2) (1 thr): %7.1f s  (%.2f s per fold-epoch)\n", multicore$seconds, multicore$seconds / fits))
cat(sprintf("  ratio multicore / serial:  %7.2f\n", multicore$seconds / serial$seconds))
cat(sprintf("  extrapolated 10-fold CV of 500 epochs: serial %.1f h, multicore %.1f h\n",
            serial$seconds / fits * 5000 / 3600, multicore$seconds / fits * 5000 / 3600))
cat(sprintf("  identical fold results: %s\n", isTRUE(all.equal(serial$cv$results, multicore$cv$results))))
