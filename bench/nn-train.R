# Our engine on the paper network (run by bench/nn-train.sh; prints key=value lines).
# Usage: Rscript bench/nn-train.R <epochs> <n_threads> <what: network|autoencoder>
args <- commandArgs(trailingOnly = TRUE)
epochs <- as.integer(args[[1L]])
threads <- as.integer(args[[2L]])
what <- args[[3L]]
suppressPackageStartupMessages(library(radiogenomics))

cohort <- simulate_cohort(n_samples = 175, n_genes = 12042, traits = "binary", seed = 1)
x <- cohort$expression
control <- nn_control(epochs = epochs, batch_size = if (what == "network") 10 else 50, optimizer = "adadelta",
                      sample_weights = "none", early_stopping = FALSE, train_metrics = FALSE,
                      n_threads = threads, seed = 1, verbose = FALSE)
peak_rss_gb <- function() {
  status <- readLines("/proc/self/status")
  kb <- as.numeric(sub("[^0-9]*([0-9]+).*", "\\1", grep("^VmHWM", status, value = TRUE)))
  kb / 1024^2
}
report <- function(key, value) cat(sprintf("%s=%.4f\n", key, value))

if (what == "network") {
  fit <- fit_network(x, cohort$traits$binary, hidden = c(4000, 2000, 1000), activation = "tanh", control = control)
  seconds <- fit$history$seconds
  forward <- min(vapply(1:3, function(i) system.time(predict(fit, x))[["elapsed"]], numeric(1)))
  report("epoch_first", seconds[[1L]])
  report("epoch", mean(seconds[-1L]))
  report("forward", forward)
} else {
  ae <- fit_autoencoder(x, hidden = c(4000, 2000, 1000), activation = "tanh", control = control)
  seconds <- ae$history$seconds
  report("epoch_first", seconds[[1L]])
  report("epoch", mean(seconds[-1L]))
}
report("peak_rss_gb", peak_rss_gb())
