# Benchmark: gene masking and saliency on the paper-sized network (12,042 genes -> 4000/2000/1000
# tanh -> 1 sigmoid, batch norm), 175 simulated samples, ours vs naive dense masking in PyTorch
# CPU with the same weights, in the same run. Prints seconds and ratios. Not part of the tests.
#
# Usage: Rscript bench/masking.R        (from the project root; R_LIBS pointing at the package)
# Environment: THREADS (2), N_RANDOM_SETS (2000), TORCH_SETS (all: PyTorch masks every set; a
# number times that many and extrapolates per set, since a dense pass costs the same for every
# set), ROUNDS (1: alternate ours and PyTorch in this many slices, for a busy shared machine),
# SINGLE_GENES (all 12,042; a number times that many genes and extrapolates).
# PyTorch is installed from PyPI into $BENCH_VENV (default ~/.cache/radiogenomics/bench-venv)
# when missing (shared with bench/nn-train.sh and bench/gsea.R).
suppressPackageStartupMessages(library(radiogenomics))
env_int <- function(name, default) {
  v <- Sys.getenv(name, "")
  if (!nzchar(v) || v == "all") default else as.integer(v)
}
threads <- env_int("THREADS", 2L)
n_random_sets <- env_int("N_RANDOM_SETS", 2000L)
options(radiogenomics.threads = threads)
venv <- Sys.getenv("BENCH_VENV", path.expand("~/.cache/radiogenomics/bench-venv"))
python <- file.path(venv, "bin", "python")
if (system2(python, c("-c", shQuote("import torch, numpy")), stdout = FALSE, stderr = FALSE) != 0L) {
  message("installing PyTorch into ", venv, " (from PyPI) ...")
  dir.create(dirname(venv), recursive = TRUE, showWarnings = FALSE)
  system2("python3", c("-m", "venv", venv))
  system2(python, c("-m", "pip", "install", "--quiet", "--progress-bar", "off", "torch", "numpy"))
}
work <- tempfile("masking-bench-")
dir.create(work)
timings <- function(expr) {
  t <- system.time(expr)
  c(wall = t[["elapsed"]], cpu = t[["user.self"]] + t[["sys.self"]])
}
seconds <- function(expr) timings(expr)[["wall"]]

# ---- data, network, gene sets ------------------------------------------------------------------
n_samples <- 175L
n_genes <- 12042L
cohort <- simulate_cohort(n_samples = n_samples, n_genes = n_genes, traits = "binary", seed = 1)
x <- cohort$expression
y <- cohort$traits$binary
# one full-batch update: weights are essentially Glorot-random, which is all timing needs
fit <- fit_network(x, y, hidden = c(4000, 2000, 1000), activation = "tanh",
                   control = nn_control(epochs = 1, batch_size = n_samples, early_stopping = FALSE,
                                        sample_weights = "none", n_threads = threads, seed = 1, verbose = FALSE))

hallmark_gmt <- file.path("..", "shared", "data", "h.all.v6.2.symbols.gmt")
hallmark_sizes <- if (file.exists(hallmark_gmt)) {
  lengths(strsplit(readLines(hallmark_gmt), "\t")) - 2L
} else {
  round(stats::runif(50, 32, 200))
}
set.seed(2)
sizes <- c(hallmark_sizes, sample(15:500, n_random_sets, replace = TRUE))
sets <- lapply(sizes, function(k) sample(rownames(x), k))
names(sets) <- c(sprintf("hallmark_like_%02d", seq_along(hallmark_sizes)), sprintf("random_%04d", seq_len(n_random_sets)))
cat(sprintf("paper network (12,042 -> 4000/2000/1000 -> 1), %d samples, %d threads; %d sets (50 hallmark-sized + %d random, 15-500 genes, mean size %.0f)\n",
            n_samples, threads, length(sets), n_random_sets, mean(sizes)))

# ---- set masking: ours vs PyTorch naive dense masking, in alternating rounds ----------------------
# The machine is shared: ROUNDS alternates slices of our run with slices of PyTorch's so both see
# the same average load (the PyTorch process start-up is outside its timed loop).
writeBin(fit$weights, file.path(work, "weights.safetensors"))
writeBin(as.double(x[fit$genes, ]), file.path(work, "x.f64"))
writeLines(vapply(sets, function(s) paste(match(s, fit$genes) - 1L, collapse = " "), ""), file.path(work, "sets.txt"))
writeLines(as.character(as.integer(y == fit$positive)), file.path(work, "y.txt"))
rounds <- env_int("ROUNDS", 1L)
torch_sets <- min(env_int("TORCH_SETS", length(sets)), length(sets))
slices <- function(k) split(seq_len(k), ceiling(seq_len(k) * rounds / k))
ours_slices <- slices(length(sets))
torch_slices <- slices(torch_sets)
ours <- c(wall = 0, cpu = 0)
torch <- c(wall = 0, cpu = 0)
masking <- NULL
torch_auc <- numeric(0)
for (r in seq_len(rounds)) {
  t <- timings(part <- gene_masking(fit, x, y, sets[ours_slices[[r]]], max_size = 500, verbose = FALSE))
  ours <- ours + t
  masking <- rbind(masking, part)
  first <- torch_slices[[r]][[1L]] - 1L
  out <- system2(python, c("bench/masking.py", work, threads, n_samples, first, length(torch_slices[[r]])), stdout = TRUE)
  v <- as.list(stats::setNames(as.numeric(sub(".*=", "", out)), sub("=.*", "", out)))
  torch <- torch + c(wall = v$seconds, cpu = v$cpu)
  torch_saliency <- v$saliency
  torch_auc <- c(torch_auc, scan(file.path(work, sprintf("auc_%d.txt", first)), quiet = TRUE))
}
per_set <- function(t, k) 1e3 * t / k
cat(sprintf("gene_masking():             %8.1f s  (%.1f ms per set; CPU %.1f s)\n", ours[["wall"]],
            per_set(ours[["wall"]], length(sets)), ours[["cpu"]]))
scale <- length(sets) / torch_sets
cat(sprintf("PyTorch naive masking:      %8.1f s  (%.1f ms per set, %d sets timed%s; CPU %.1f s)\n", torch[["wall"]] * scale,
            per_set(torch[["wall"]], torch_sets), torch_sets,
            if (torch_sets < length(sets)) ", extrapolated to all sets" else "", torch[["cpu"]] * scale))
cat(sprintf("ratio PyTorch / ours:       %8.2f x wall, %.2f x CPU   (FLOP ceiling at equal rate: %.2f x; %d alternating rounds)\n",
            torch[["wall"]] * scale / ours[["wall"]], torch[["cpu"]] * scale / ours[["cpu"]],
            58.2e6 / (10.0e6 + mean(sizes) * 4000), rounds))
cat(sprintf("same AUCs: max |ours - PyTorch| over the %d timed sets = %.2g\n", length(torch_auc),
            max(abs(masking$auc[seq_len(torch_sets)] - torch_auc))))

# ---- single genes and saliency ------------------------------------------------------------------
single_n <- env_int("SINGLE_GENES", n_genes)
single_t <- timings(single <- single_gene_masking(fit, x, y, genes = fit$genes[seq_len(single_n)], verbose = FALSE))
single_s <- single_t[["wall"]]
cat(sprintf("single_gene_masking():      %8.1f s  for %d genes x %d samples%s; %.0f GFLOP/s through layers 2-4 (CPU %.1f s)\n",
            single_s * n_genes / single_n, n_genes, n_samples,
            if (single_n < n_genes) sprintf(" (extrapolated from %d genes)", single_n) else "",
            2 * 10.0e6 * n_samples * single_n / single_s / 1e9, single_t[["cpu"]] * n_genes / single_n))
for (method in c("gradient", "integrated")) {
  s <- seconds(gene_saliency(fit, x, method = method, verbose = FALSE))
  cat(sprintf("gene_saliency(%-10s):  %8.2f s  for %d samples%s\n", sprintf("\"%s\"", method), s, n_samples,
              if (method == "integrated") " (50 steps)" else ""))
}
cat(sprintf("PyTorch input gradient:     %8.2f s  for %d samples (one batched autograd pass)\n", torch_saliency, n_samples))
unlink(work, recursive = TRUE)
