# Masking recovers the planted drivers of simulate_cohort().

test_that("the planted driver set ranks first for its trait and top single genes are drivers", {
  # effect = 2: at effect 1 a large random set that happens to hold a few driver genes can
  # match the driver set's raw AUC (masking favours large sets); see the p-value test below
  for (seed in 1:3) {
    cohort <- simulate_cohort(n_samples = 200, n_genes = 2000, traits = "binary", effect = 2, seed = seed)
    driver <- cohort$truth$gene_set[cohort$truth$trait == "binary"]
    fit <- interpret_fit(cohort$expression, cohort$traits$binary, hidden = 16, epochs = 30)
    sets <- gene_masking(fit, cohort$expression, cohort$traits$binary, cohort$gene_sets, verbose = FALSE)
    expect_equal(sets$gene_set[which.max(sets$auc)], driver)

    single <- single_gene_masking(fit, cohort$expression, cohort$traits$binary, verbose = FALSE)
    top <- utils::head(single$gene[order(-single$auc)], 20)
    in_driver <- mean(top %in% cohort$gene_sets[[driver]])
    base_rate <- length(cohort$gene_sets[[driver]]) / nrow(cohort$expression)
    expect_gt(in_driver, 10 * base_rate)
  }
})

test_that("random-set p-values single out the driver set even when large sets match its AUC", {
  cohort <- simulate_cohort(n_samples = 200, n_genes = 2000, traits = "binary", seed = 1)
  driver <- cohort$truth$gene_set
  fit <- interpret_fit(cohort$expression, cohort$traits$binary, hidden = 16, epochs = 30)
  sets <- gene_masking(fit, cohort$expression, cohort$traits$binary, cohort$gene_sets, n_random = 49, seed = 2,
                       verbose = FALSE)
  expect_equal(sets$p_auc[sets$gene_set == driver], 1 / 50)
  expect_equal(sets$gene_set[order(sets$p_auc, -sets$auc)[1]], driver)
})

test_that("the masking plots build", {
  skip_if_not_installed("ggplot2")
  cohort <- simulate_cohort(n_samples = 80, n_genes = 200, traits = "multiclass", seed = 3)
  fit <- interpret_fit(cohort$expression, cohort$traits$multiclass, hidden = 8)
  sets <- gene_masking(fit, cohort$expression, cohort$traits$multiclass, cohort$gene_sets, verbose = FALSE)
  single <- single_gene_masking(fit, cohort$expression, cohort$traits$multiclass, verbose = FALSE)
  heat <- plot_masking_heatmap(list(first = sets, second = sets), top = 10)
  expect_s3_class(heat, "ggplot")
  built <- ggplot2::ggplot_build(heat)
  expect_equal(nrow(built$data[[1]]), 10 * 6)
  bars <- plot(single, n = 5)
  expect_s3_class(bars, "ggplot")
  expect_equal(nrow(ggplot2::ggplot_build(bars)$data[[1]]), 15)
  expect_s3_class(plot(sets, metric = "ap"), "ggplot")
})
