# Benchmark: radiogenomics' GSEA engine vs gseapy.prerank (PyPI), measured in the same run.
#
#   R_LIBS=<library with radiogenomics> Rscript bench/gsea.R
#
# Workloads (12,042 genes, min_size 15, max_size 500, 2 threads for both tools):
#   W1  one ranking x the 50 MSigDB hallmarks (../shared/data; random sets of the same sizes if
#       absent), nperm 10,000
#   W2  one ranking x 2,000 random sets of 15-500 genes
#   W3  200 rankings (per-sample) x the 50 hallmarks, nperm 10,000
# Modes: ours `simple` vs gseapy `permutation` (nperm 10,000); ours `multilevel` vs gseapy
# `multilevel` (both with 1,000 permutations in the preliminary simple step, fgsea's default).
# Prints seconds and ratios (gseapy / ours) and checks that ES agree to 1e-6.
#
# gseapy's permutation mode is slow; these environment variables control it:
#   GSEA_BENCH_W2_PERMUTATION=1   also time gseapy permutation mode on W2 (~50 min; skipped by default)
#   GSEA_BENCH_W3_SAMPLES=n       rankings timed for gseapy permutation mode on W3 (default 10,
#                                 extrapolated linearly to 200 and labelled so; 200 = full, ~1.7 h)
#   GSEA_BENCH_WORKLOADS=W1,W3    which workloads to run (default W1,W2,W3)
# gseapy is installed into $BENCH_VENV (default ~/.cache/radiogenomics/bench-venv) from PyPI on first use.

suppressPackageStartupMessages(library(radiogenomics))
options(width = 200)

env_number <- function(name, default) {
  value <- Sys.getenv(name)
  if (nzchar(value)) as.numeric(value) else default
}
bench_dir <- normalizePath(dirname(sub("^--file=", "", grep("^--file=", commandArgs(FALSE), value = TRUE)[1])))
workloads <- strsplit(Sys.getenv("GSEA_BENCH_WORKLOADS", "W1,W2,W3"), ",")[[1]]
w2_permutation <- identical(Sys.getenv("GSEA_BENCH_W2_PERMUTATION"), "1")
w3_gseapy_samples <- env_number("GSEA_BENCH_W3_SAMPLES", 10)
threads <- 2L
nperm <- 10000L
nperm_simple <- 1000L
n_genes <- 12042L
n_rankings <- 200L

# ---- gseapy in a venv -----------------------------------------------------------------------
venv <- Sys.getenv("BENCH_VENV", path.expand("~/.cache/radiogenomics/bench-venv"))
python <- file.path(venv, "bin", "python")
if (!file.exists(python) || system2(python, c("-c", shQuote("import gseapy")), stdout = FALSE, stderr = FALSE) != 0) {
  message("installing gseapy into ", venv, " ...")
  dir.create(dirname(venv), recursive = TRUE, showWarnings = FALSE)
  stopifnot(system2("python3", c("-m", "venv", venv)) == 0)
  stopifnot(system2(python, c("-m", "pip", "install", "-q", "gseapy")) == 0)
}
gseapy_version <- system2(python, c("-c", shQuote("import gseapy; print(gseapy.__version__)")), stdout = TRUE)

# ---- data -----------------------------------------------------------------------------------
set.seed(2024)
hallmark_path <- file.path(bench_dir, "..", "..", "shared", "data", "h.all.v6.2.symbols.gmt")
hallmarks <- if (file.exists(hallmark_path)) read_gmt(hallmark_path) else NULL
hallmark_genes <- unique(unlist(hallmarks))
genes <- c(hallmark_genes, sprintf("GENE%05d", seq_len(n_genes - length(hallmark_genes))))
if (is.null(hallmarks)) {
  hallmarks <- stats::setNames(lapply(seq(32, 200, length.out = 50), function(k) sample(genes, k)),
                               sprintf("RANDOM_%02d", 1:50))
}
random_sets <- stats::setNames(lapply(sample(15:500, 2000, replace = TRUE), function(k) sample(genes, k)),
                               sprintf("SET_%04d", 1:2000))
# Rankings: noise plus a per-ranking enrichment of a few hallmarks (as saliency maps have).
rankings <- matrix(stats::rnorm(n_genes * n_rankings), n_genes, n_rankings,
                   dimnames = list(genes, sprintf("R%03d", seq_len(n_rankings))))
for (j in seq_len(n_rankings)) {
  for (set in sample(names(hallmarks), 3)) {
    members <- intersect(hallmarks[[set]], genes)
    rankings[members, j] <- rankings[members, j] + stats::runif(1, 0, 0.8)
  }
}

work <- tempfile("gsea-bench-")
dir.create(work)
ranking_file <- file.path(work, "rankings.tsv")
utils::write.table(data.frame(gene = genes, rankings, check.names = FALSE), ranking_file, sep = "\t",
                   quote = FALSE, row.names = FALSE)
gmt_files <- c(hallmarks = file.path(work, "hallmarks.gmt"), random = file.path(work, "random.gmt"))
write_gmt(hallmarks, gmt_files[["hallmarks"]])
write_gmt(random_sets, gmt_files[["random"]])

# ---- runners --------------------------------------------------------------------------------
run_ours <- function(columns, sets, mode) {
  method <- if (mode == "permutation") "simple" else "multilevel"
  time <- system.time({
    res <- if (length(columns) == 1L) {
      cbind(sample = columns, gsea_preranked(rankings[, columns], sets, nperm = nperm, method = method,
                                             nperm_simple = nperm_simple, seed = 1, n_threads = threads))
    } else {
      gsea_per_sample(rankings[, columns], sets, nperm = nperm, method = method, nperm_simple = nperm_simple,
                      seed = 1, n_threads = threads)
    }
  })
  list(seconds = time[["elapsed"]], es = res[, c("sample", "pathway", "ES")])
}

run_gseapy <- function(columns, gmt, mode) {
  out <- file.path(work, "gseapy-es.csv")
  args <- list(ranking = ranking_file, columns = as.list(columns), gmt = gmt, mode = mode,
               nperm = if (mode == "permutation") nperm else nperm_simple, threads = threads, seed = 1,
               min_size = 15, max_size = 500, out = out)
  json <- jsonlite::toJSON(args, auto_unbox = TRUE)
  stdout <- system2(python, c(file.path(bench_dir, "gsea_gseapy.py"), shQuote(json)), stdout = TRUE)
  list(seconds = jsonlite::fromJSON(utils::tail(stdout, 1))$seconds, es = utils::read.csv(out))
}

es_difference <- function(ours, theirs) {
  both <- merge(ours, theirs, by = c("sample", "pathway"), suffixes = c(".ours", ".gseapy"))
  if (nrow(both) != nrow(ours)) warning("gseapy tested ", nrow(theirs), " sets, ours ", nrow(ours))
  max(abs(both$ES.ours - both$ES.gseapy))
}

results <- list()
record <- function(workload, mode, ours, gseapy, note = "") {
  ratio <- gseapy$seconds / ours$seconds
  difference <- es_difference(ours$es[ours$es$sample %in% gseapy$es$sample, ], gseapy$es)
  results[[length(results) + 1L]] <<- data.frame(
    workload = workload, mode = mode, ours_s = round(ours$seconds, 3),
    gseapy_s = round(gseapy$seconds, 2), ratio = round(ratio, 1),
    max_es_diff = signif(difference, 2), es_ok = difference < 1e-6, note = note)
  print(utils::tail(results[[length(results)]], 1), row.names = FALSE)
}

# ---- workloads --------------------------------------------------------------------------------
cat(sprintf("gseapy %s, radiogenomics %s, %d threads, nperm %d (multilevel: %d simple permutations)\n\n",
            gseapy_version, utils::packageVersion("radiogenomics"), threads, nperm, nperm_simple))
one <- colnames(rankings)[1]
if ("W1" %in% workloads) {
  for (mode in c("permutation", "multilevel")) {
    record("W1", mode, run_ours(one, hallmarks, mode), run_gseapy(one, gmt_files[["hallmarks"]], mode))
  }
}
if ("W2" %in% workloads) {
  record("W2", "multilevel", run_ours(one, random_sets, "multilevel"),
         run_gseapy(one, gmt_files[["random"]], "multilevel"))
  if (w2_permutation) {
    record("W2", "permutation", run_ours(one, random_sets, "permutation"),
           run_gseapy(one, gmt_files[["random"]], "permutation"))
  } else {
    ours <- run_ours(one, random_sets, "permutation")
    cat(sprintf("W2 permutation: ours %.3f s; gseapy skipped (~50 min; set GSEA_BENCH_W2_PERMUTATION=1)\n",
                ours$seconds))
  }
}
if ("W3" %in% workloads) {
  all <- colnames(rankings)
  record("W3", "multilevel", run_ours(all, hallmarks, "multilevel"),
         run_gseapy(all, gmt_files[["hallmarks"]], "multilevel"))
  ours <- run_ours(all, hallmarks, "permutation")
  subset <- all[seq_len(min(n_rankings, w3_gseapy_samples))]
  theirs <- run_gseapy(subset, gmt_files[["hallmarks"]], "permutation")
  note <- ""
  if (length(subset) < n_rankings) {
    note <- sprintf("gseapy timed on %d rankings, x%g", length(subset), n_rankings / length(subset))
    theirs$seconds <- theirs$seconds * n_rankings / length(subset)
  }
  record("W3", "permutation", ours, theirs, note)
}

cat("\nSummary (ratio = gseapy seconds / ours; ES agreement checked to 1e-6):\n")
print(do.call(rbind, results), row.names = FALSE)
unlink(work, recursive = TRUE)
