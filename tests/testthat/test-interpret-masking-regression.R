# Gene masking of regression networks: R², MAE and MAPE of the masked predictions per target.

cohort <- simulate_cohort(n_samples = 120, n_genes = 200, traits = "continuous", seed = 21)
x <- cohort$expression
y <- cohort$traits$continuous
fit <- fit_network(x, y, hidden = c(12, 6),
                   control = nn_control(epochs = 40, optimizer = "adam", seed = 3, verbose = FALSE))
two_targets <- cbind(first = y, second = 2 * y + rnorm(length(y), sd = 0.1))
rownames(two_targets) <- colnames(x)
fit2 <- fit_network(x, two_targets, hidden = 8,
                    control = nn_control(epochs = 10, optimizer = "adam", seed = 3, verbose = FALSE))

test_that("set masking scores equal regression_metrics() of predict() on masked matrices", {
  sets <- c(cohort$gene_sets[1:3], list(with_absent = c("G001", "G050", "NOT_A_GENE"), none = "NOT_A_GENE"))
  masking <- gene_masking(fit, x, y, sets, verbose = FALSE)
  expect_s3_class(masking, "rg_masking")
  expect_named(masking, c("gene_set", "class", "size", "coverage", "r2", "mae", "mape"))
  for (s in setdiff(names(sets), "none")) {
    expected <- regression_metrics(y, predict(fit, mask_to_mean(fit, x, sets[[s]]))[, 1])
    row <- masking[masking$gene_set == s, ]
    expect_equal(unlist(row[c("r2", "mae", "mape")]), expected, tolerance = 1e-5, ignore_attr = TRUE)
  }
  expect_true(all(is.na(masking[masking$gene_set == "none", c("r2", "mae", "mape")])))
})

test_that("several targets give one row per set and target", {
  masking <- gene_masking(fit2, x, two_targets, cohort$gene_sets[1:2], verbose = FALSE)
  expect_equal(masking$class, rep(c("first", "second"), 2))
  pred <- predict(fit2, mask_to_mean(fit2, x, cohort$gene_sets[[2]]))
  expect_equal(unlist(masking[4, c("r2", "mae", "mape")]), regression_metrics(two_targets[, 2], pred[, 2]),
               tolerance = 1e-5, ignore_attr = TRUE)
})

test_that("single-gene masking of a regression network equals naive masking, in any block size", {
  genes <- rownames(x)[c(1, 7, 50, 199)]
  single <- single_gene_masking(fit, x, y, genes = genes, verbose = FALSE)
  expect_named(single, c("gene", "class", "r2", "mae", "mape"))
  for (g in genes) {
    expected <- regression_metrics(y, predict(fit, mask_to_mean(fit, x, g))[, 1])
    expect_equal(unlist(single[single$gene == g, c("r2", "mae", "mape")]), expected, tolerance = 1e-5,
                 ignore_attr = TRUE)
  }
  data <- radiogenomics:::masking_data(fit, x, y, 1L)
  masks <- as.list(as.double(match(genes, fit$genes)))
  blocked <- radiogenomics:::score_regression_masks(fit, data, masks, TRUE, FALSE, block_size = 3L)
  expect_equal(blocked$r2[, 1], single$r2, tolerance = 1e-6)
})

test_that("random-set p-values for regression count random sets with R² at least the set's", {
  sets <- cohort$gene_sets[1:2]
  masking <- gene_masking(fit, x, y, sets, n_random = 9, seed = 5, verbose = FALSE)
  data <- radiogenomics:::masking_data(fit, x, y, 1L)
  random <- radiogenomics:::random_index_sets(masking$size, length(fit$genes), 9, 5)
  for (i in seq_len(nrow(masking))) {
    draws <- random[[as.character(masking$size[i])]]
    r2 <- vapply(draws, function(d) regression_metrics(y, predict(fit, mask_to_mean(fit, x, fit$genes[d]))[, 1])[["r2"]],
                 numeric(1))
    expect_equal(masking$p_r2[i], (1 + sum(r2 >= masking$r2[i] - 1e-6)) / 10)
  }
  expect_identical(gene_masking(fit, x, y, sets, n_random = 9, seed = 5, verbose = FALSE), masking)
})

test_that("the planted driver set of a continuous trait ranks first by R²", {
  masking <- gene_masking(fit, x, y, cohort$gene_sets, verbose = FALSE)
  driver <- cohort$truth$gene_set[cohort$truth$trait == "continuous"]
  expect_equal(masking$gene_set[which.max(masking$r2)], driver)
})
