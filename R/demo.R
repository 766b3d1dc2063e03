#' Run the package's main job on its simulated cohort
#'
#' The README's `make demo`: simulates a cohort with planted drivers ([simulate_cohort()]),
#' summarises it, and writes its data to `output_dir` (`cohort.rds`, `traits.csv`,
#' `survival.csv`, `truth.csv`, `gene_sets.gmt`). As the method's stages land, the demo runs them
#' on this cohort and reports whether each planted driver is recovered.
#'
#' Named `run_demo()` rather than `demo()` so that attaching the package does not mask
#' `utils::demo()`.
#'
#' @param output_dir Folder for the outputs (created if needed).
#' @param n_samples,n_genes,seed Size and seed of the simulated cohort.
#' @return Invisibly, a list with the cohort and the paths written.
#' @examples
#' run_demo(file.path(tempdir(), "radiogenomics-demo"), n_samples = 60, n_genes = 400)
#' @export
run_demo <- function(output_dir = "demo-output", n_samples = 200, n_genes = 2000, seed = 1) {
  check_string(output_dir, "output_dir")
  dir.create(output_dir, showWarnings = FALSE, recursive = TRUE)
  cohort <- simulate_cohort(n_samples = n_samples, n_genes = n_genes, seed = seed)
  print(cohort)

  cat("\nDriver check: how well each planted set's mean z-score separates its trait\n")
  print(driver_signal(cohort), row.names = FALSE, digits = 3)

  paths <- c(cohort = file.path(output_dir, "cohort.rds"),
             traits = file.path(output_dir, "traits.csv"),
             survival = file.path(output_dir, "survival.csv"),
             truth = file.path(output_dir, "truth.csv"),
             gene_sets = file.path(output_dir, "gene_sets.gmt"))
  saveRDS(cohort, paths[["cohort"]])
  utils::write.csv(cbind(sample = rownames(cohort$traits), cohort$traits), paths[["traits"]], row.names = FALSE)
  utils::write.csv(cohort$survival, paths[["survival"]], row.names = FALSE)
  utils::write.csv(cohort$truth, paths[["truth"]], row.names = FALSE)
  writeLines(vapply(names(cohort$gene_sets), function(s)
    paste(c(s, "simulated", cohort$gene_sets[[s]]), collapse = "\t"), character(1)), paths[["gene_sets"]])
  cat(sprintf("\nOutputs written to %s: %s\n", normalizePath(output_dir), paste(basename(paths), collapse = ", ")))
  invisible(list(cohort = cohort, paths = paths))
}

# Per planted driver: AUC (categorical traits, one-vs-rest for the level most tied to the set) or
# correlation (continuous) of the set's mean z-score with its trait.
driver_signal <- function(cohort) {
  z <- t(scale(t(cohort$expression)))
  rows <- lapply(seq_len(nrow(cohort$truth)), function(i) {
    trait <- cohort$truth$trait[[i]]
    set <- cohort$truth$gene_set[[i]]
    score <- colMeans(z[cohort$gene_sets[[set]], , drop = FALSE])
    y <- cohort$traits[[trait]]
    if (is.numeric(y)) {
      return(data.frame(trait = trait, gene_set = set, statistic = "correlation", value = stats::cor(score, y)))
    }
    aucs <- vapply(levels(y), function(l) roc_auc(y == l, score), numeric(1))
    data.frame(trait = trait, gene_set = set, statistic = "best one-vs-rest AUC", value = max(aucs, 1 - aucs))
  })
  do.call(rbind, rows)
}
