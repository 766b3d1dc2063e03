# Interpretation on an external test cohort: masking and saliency use the training cohort's
# standardization (the model's stored mean and SD), never one re-estimated on the test cohort.

cohort <- interpret_cohort(n_samples = 120, n_genes = 150, seed = 17)
train <- 1:80
test <- 81:120
x_train <- cohort$expression[, train]
x_test <- cohort$expression[, test]
y_test <- stats::setNames(cohort$traits$binary[test], colnames(x_test))
fit <- interpret_fit(x_train, stats::setNames(cohort$traits$binary[train], colnames(x_train)), hidden = c(10, 6))
sets <- cohort$gene_sets[1:4]

test_that("the model stores the training cohort's standardization and applies it to any cohort", {
  n <- length(train)
  expect_equal(unname(fit$standardization$mean), unname(rowMeans(x_train)), tolerance = 1e-6)
  expect_equal(unname(fit$standardization$sd), unname(sqrt(rowMeans((x_train - rowMeans(x_train))^2))),
               tolerance = 1e-5)
  # a sample's prediction does not depend on the rest of its cohort
  expect_equal(predict(fit, x_test[, 3, drop = FALSE])[1, ], predict(fit, x_test)[3, ], tolerance = 1e-6)
})

test_that("masking a test cohort equals predict() on it with the masked genes at the training mean", {
  truth <- y_test == fit$positive
  masking <- gene_masking(fit, x_test, y_test, sets, verbose = FALSE)
  for (s in names(sets)) {
    p <- predict(fit, mask_to_mean(fit, x_test, sets[[s]]))[, 1]
    expect_equal(masking$auc[masking$gene_set == s], roc_auc(truth, p), tolerance = 1e-6)
    expect_equal(masking$ap[masking$gene_set == s], average_precision(truth, p), tolerance = 1e-6)
  }
  genes <- c("G001", "G020", "G150")
  single <- single_gene_masking(fit, x_test, y_test, genes = genes, verbose = FALSE)
  for (g in genes) {
    p <- predict(fit, mask_to_mean(fit, x_test, g))[, 1]
    expect_equal(single$auc[single$gene == g], roc_auc(truth, p), tolerance = 1e-6)
  }
  # a sample's masked prediction does not depend on the rest of its cohort either
  full <- radiogenomics:::masked_predictions(fit, x_test, sets = sets)$prob
  part <- radiogenomics:::masked_predictions(fit, x_test[, 5:9], sets = sets)$prob
  expect_equal(part, full[5:9, , , drop = FALSE], tolerance = 1e-6)
})

test_that("saliency on a test cohort equals finite differences of predict() on it", {
  s <- gene_saliency(fit, x_test[, c(2, 9)], verbose = FALSE)
  expect_equal(colnames(s), colnames(x_test)[c(2, 9)])
  expect_matches_fd(s[, 1], finite_differences(fit, x_test, 2, "link", 1))
  expect_matches_fd(s[, 2], finite_differences(fit, x_test, 9, "link", 1))
})

test_that("test-cohort genes are matched by name; missing genes are set to the training mean with a warning", {
  reordered <- x_test[rev(rownames(x_test)), ]
  extra <- rbind(x_test, EXTRA1 = 1, EXTRA2 = 2)
  mask <- function(x) gene_masking(fit, x, y_test, sets, seed = 1, verbose = FALSE)
  base <- mask(x_test)
  expect_equal(mask(reordered), base)
  expect_equal(mask(extra), base)

  missing <- c("G003", "G077")
  lacking <- x_test[!rownames(x_test) %in% missing, ]
  at_mean <- x_test
  at_mean[missing, ] <- fit$standardization$mean[missing]
  expect_warning(masked <- mask(lacking), "`x` lacks 2 of the model's 150 genes", class = "radiogenomics_missing_genes")
  expect_equal(masked, mask(at_mean))
  expect_warning(single <- single_gene_masking(fit, lacking, y_test, genes = c("G003", "G010"), verbose = FALSE),
                 class = "radiogenomics_missing_genes")
  expect_equal(single, single_gene_masking(fit, at_mean, y_test, genes = c("G003", "G010"), verbose = FALSE))
  expect_warning(s <- gene_saliency(fit, lacking[, 1:3], verbose = FALSE), class = "radiogenomics_missing_genes")
  expect_equal(unclass(s), unclass(gene_saliency(fit, at_mean[, 1:3], verbose = FALSE)), ignore_attr = TRUE)
  expect_equal(rownames(s), fit$genes)
})

test_that("test-cohort labels must match the test samples", {
  expect_error(gene_masking(fit, x_test, cohort$traits$binary[train], sets, verbose = FALSE),
               "`y` has 80 values but `x` has 40 samples", class = "radiogenomics_error")
  renamed <- stats::setNames(y_test, paste0("other", seq_along(y_test)))
  expect_error(single_gene_masking(fit, x_test, renamed, genes = "G001", verbose = FALSE),
               "sample names of `y`", class = "radiogenomics_sample_mismatch")
})
