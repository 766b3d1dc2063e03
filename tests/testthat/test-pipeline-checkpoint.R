# Checkpoints of run_pipeline(): what a rerun reuses and what it recomputes.

test_that("a rerun with another nperm reuses the fitted model but recomputes the GSEA stages", {
  cohort <- simulate_cohort(n_samples = 60, n_genes = 100, traits = "binary", gene_sets = 5, seed = 2)
  cache <- file.path(tempdir(), "pipeline-nperm-cache")
  unlink(cache, recursive = TRUE)
  run <- function(nperm) {
    run_pipeline(cohort$expression, cohort$traits, cohort$gene_sets, hidden = 8, folds = 2,
                 control = nn_control(epochs = 5, optimizer = "adam", verbose = FALSE), single_gene = FALSE,
                 nperm = nperm, min_size = 5, seed = 1, cache_dir = cache, verbose = FALSE)
  }
  run(200)
  log <- run(300)$log
  expect_identical(log$source[log$stage == "model"], "checkpoint")
  expect_identical(log$source[log$stage %in% c("masking", "saliency")], c("computed", "computed"))
  log <- run(300)$log
  expect_setequal(log$source, "checkpoint")
})
