#' Run the package's main job on its simulated cohort
#'
#' The README's `make demo`: simulates a cohort with planted drivers ([simulate_cohort()]), runs
#' the whole method on it ([run_pipeline()]: cross-validated networks, gene masking, single-gene
#' masking GSEA, saliency → per-sample GSEA → radiogenomic traits, survival), writes an HTML
#' [report()] and the cohort's data to `output_dir`, and prints whether each planted driver was
#' recovered: its rank among the gene sets by masking AUC, whether it became a radiogenomic
#' trait, and that trait's survival association. Sized to run in a few minutes on 2 cores.
#'
#' Saliency uses integrated gradients here: on a network whose output rises monotonically with a
#' driver's activity, the plain gradient is nearly the same for every patient, while integrated
#' gradients attribute each patient's own deviation from the cohort mean.
#'
#' Named `run_demo()` rather than `demo()` so that attaching the package does not mask
#' `utils::demo()`.
#'
#' @param output_dir Folder for the outputs (created if needed).
#' @param n_samples,n_genes,seed Size and seed of the simulated cohort.
#' @param epochs Maximum training epochs per network.
#' @return Invisibly, a list with the cohort, the pipeline result, the recovery table and the
#'   paths written.
#' @examples
#' \donttest{
#' run_demo(file.path(tempdir(), "radiogenomics-demo"), n_samples = 120, n_genes = 300, epochs = 20)
#' }
#' @export
run_demo <- function(output_dir = "demo-output", n_samples = 300, n_genes = 2000, seed = 1, epochs = 60) {
  check_string(output_dir, "output_dir")
  dir.create(output_dir, showWarnings = FALSE, recursive = TRUE)
  cohort <- simulate_cohort(n_samples = n_samples, n_genes = n_genes, gene_sets = 30,
                            traits = c("binary", "multiclass"), seed = seed)
  print(cohort)
  cat("\nRunning the method (cross-validation, masking, saliency, GSEA, survival) ...\n")
  pipeline <- run_pipeline(cohort$expression, cohort$traits, cohort$gene_sets, survival = cohort$survival,
                           covariates = c("age", "sex"), hidden = c(64, 32), folds = 5,
                           control = nn_control(epochs = epochs, optimizer = "adam", patience = 15, verbose = FALSE),
                           saliency_method = "integrated", nperm = 2000, min_size = 15, seed = seed,
                           cache_dir = file.path(output_dir, "checkpoints"), verbose = TRUE)
  print(pipeline)
  recovery <- driver_recovery(cohort, pipeline)
  cat("\nPlanted drivers recovered?\n")
  print(recovery, row.names = FALSE, digits = 3)

  paths <- c(report = file.path(output_dir, "report.html"),
             pipeline = file.path(output_dir, "pipeline.rds"),
             cohort = file.path(output_dir, "cohort.rds"),
             traits = file.path(output_dir, "traits.csv"),
             survival = file.path(output_dir, "survival.csv"),
             truth = file.path(output_dir, "truth.csv"),
             recovery = file.path(output_dir, "recovery.csv"),
             gene_sets = file.path(output_dir, "gene_sets.gmt"))
  report(pipeline, paths[["report"]], title = "radiogenomics demo: simulated cohort with planted drivers")
  saveRDS(pipeline, paths[["pipeline"]])
  saveRDS(cohort, paths[["cohort"]])
  utils::write.csv(cbind(sample = rownames(cohort$traits), cohort$traits), paths[["traits"]], row.names = FALSE)
  utils::write.csv(cohort$survival, paths[["survival"]], row.names = FALSE)
  utils::write.csv(cohort$truth, paths[["truth"]], row.names = FALSE)
  utils::write.csv(recovery, paths[["recovery"]], row.names = FALSE)
  write_gmt(cohort$gene_sets, paths[["gene_sets"]])
  cat(sprintf("\nReport: %s\nOutputs in %s: %s\n", normalizePath(paths[["report"]]), normalizePath(output_dir),
              paste(basename(paths), collapse = ", ")))
  invisible(list(cohort = cohort, pipeline = pipeline, recovery = recovery, paths = paths))
}

# Per planted driver: its rank among all sets by masking AUC (best class), whether it became a
# radiogenomic trait, and that trait's univariate Cox p-value.
driver_recovery <- function(cohort, pipeline) {
  rows <- lapply(seq_len(nrow(cohort$truth)), function(i) {
    trait <- cohort$truth$trait[[i]]
    set <- cohort$truth$gene_set[[i]]
    result <- pipeline$traits[[trait]]
    if (is.null(result)) return(data.frame(trait = trait, gene_set = set, masking_rank = NA, masking_auc = NA,
                                           radiogenomic_trait = NA, samples = NA, cox_p = NA))
    scores <- result$masking
    best <- stats::aggregate(scores$auc, list(gene_set = scores$gene_set), max, na.rm = TRUE)
    best <- best[order(-best$x), ]
    rg_names <- grep(paste0("\\.", set, "$"), colnames(result$radiogenomic_traits), value = TRUE)
    rg_names <- rg_names[startsWith(rg_names, make.names(trait))]
    tests <- pipeline$survival$tests
    cox_p <- if (length(rg_names) && !is.null(tests)) min(tests$p[tests$variable %in% rg_names], na.rm = TRUE) else NA
    data.frame(trait = trait, gene_set = set, masking_rank = match(set, best$gene_set),
               masking_auc = best$x[match(set, best$gene_set)],
               radiogenomic_trait = if (length(rg_names)) paste(rg_names, collapse = ", ") else "(none)",
               samples = if (length(rg_names)) max(colSums(result$radiogenomic_traits[, rg_names, drop = FALSE])) else 0L,
               cox_p = cox_p)
  })
  do.call(rbind, rows)
}
