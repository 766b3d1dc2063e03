quiet_control <- function(...) nn_control(optimizer = "adam", verbose = FALSE, ...)

test_that("folds: every sample in exactly one fold, classes balanced within one sample, reproducible", {
  y <- factor(rep(c("a", "b", "c"), c(47, 23, 11)))
  f <- make_folds(y, folds = 5, seed = 3)
  expect_length(f, length(y))
  expect_setequal(unique(f), 1:5)
  counts <- table(y, f)
  expected <- outer(as.vector(table(y)), rep(1 / 5, 5))
  expect_true(all(abs(counts - expected) < 1))
  expect_identical(make_folds(y, folds = 5, seed = 3), f)
  expect_false(identical(make_folds(y, folds = 5, seed = 4), f))
  r <- make_folds(y, folds = 5, repeats = 3, seed = 3)
  expect_equal(dim(r), c(length(y), 3L))
  expect_identical(r[, 1], f)
  # regression targets get unstratified folds of near-equal size
  g <- make_folds(rnorm(53), folds = 4, seed = 1)
  expect_lte(diff(range(table(g))), 1)
  expect_error(make_folds(y, folds = 1), "`folds` must be a whole number >= 2", class = "radiogenomics_error")
  expect_error(make_folds(c("a", NA, "b"), folds = 2), "`y` has 1 missing", class = "radiogenomics_error")
  expect_error(make_folds(1:3, folds = 5, seed = 1), "`folds` \\(5\\) is more than the number of samples",
               class = "radiogenomics_error")
})

cohort <- simulate_cohort(n_samples = 90, n_genes = 120, traits = c("binary", "continuous"), gene_sets = 8, seed = 5)
x <- cohort$expression
y <- cohort$traits$binary

test_that("cross_validate scores out-of-fold predictions and respects user folds", {
  user_folds <- rep(c("A", "B", "C"), length.out = ncol(x))
  cv <- cross_validate(x, y, folds = user_folds, hidden = 8, early_stopping = "validation",
                       control = quiet_control(epochs = 10, patience = 5), seed = 1, verbose = FALSE)
  expect_s3_class(cv, "rg_cv")
  expect_equal(as.vector(cv$folds), as.integer(factor(user_folds)))
  expect_equal(nrow(cv$results), 3L)
  expect_equal(cv$results$n_validation, as.vector(table(user_folds)))
  # each fold's AUC is the AUC of its out-of-fold predictions
  positive <- cv$target$positive
  for (f in 1:3) {
    in_fold <- cv$folds[, 1] == f
    expect_equal(cv$results$auc[f], roc_auc(y[in_fold] == positive, cv$predictions[in_fold, 1]), tolerance = 1e-12)
  }
  expect_equal(cv$summary$pooled_auc, roc_auc(y == positive, cv$predictions[, 1]), tolerance = 1e-12)
  expect_equal(cv$summary$auc, mean(cv$results$auc))
  expect_false(anyNA(cv$predictions))
})

test_that("standardization is learned on the training folds only (no leakage)", {
  folds <- make_folds(y, folds = 3, seed = 2)
  run <- function(data) cross_validate(data, y, folds = folds, hidden = 4, early_stopping = "none",
                                       control = quiet_control(epochs = 2), seed = 1, keep_models = TRUE, verbose = FALSE)
  shifted <- x
  shifted[1, folds == 1] <- shifted[1, folds == 1] + 100  # only fold 1's validation values change
  a <- run(x)
  b <- run(shifted)
  fold1 <- which(a$results$fold == 1)
  model_a <- a$models[[fold1]]
  model_b <- b$models[[fold1]]
  expect_equal(unname(model_a$standardization$mean[1]), mean(x[1, folds != 1]), tolerance = 1e-6)
  expect_identical(model_a$standardization, model_b$standardization)
  expect_identical(a$results$auc[fold1] > -1, TRUE)
  # the other folds' models did see the shifted values in training
  other <- which(a$results$fold == 2)
  expect_false(identical(a$models[[other]]$standardization$mean[1], b$models[[other]]$standardization$mean[1]))
})

test_that("a grid is ranked by the metric and refit trains the best setting for the median best epoch", {
  grid <- data.frame(dropout = c(0, 0.2))
  grid$hidden <- list(8, c(8, 4))
  cv <- cross_validate(x, y, folds = 3, grid = grid, control = quiet_control(epochs = 12, patience = 4),
                       seed = 3, verbose = FALSE)
  expect_equal(nrow(cv$results), 6L)
  expect_equal(nrow(cv$summary), 2L)
  expect_true(cv$summary$auc[1] >= cv$summary$auc[2])
  best <- best_params(cv)
  expect_equal(best$dropout, grid$dropout[cv$best])
  expect_equal(best$hidden, grid$hidden[[cv$best]])
  fit <- refit(cv, x, y)
  expect_s3_class(fit, "rg_network")
  expected_epochs <- max(1, round(median(cv$results$best_epoch[cv$results$point == cv$best])))
  expect_equal(fit$epochs_run, expected_epochs)
  expect_error(cross_validate(x, y, grid = data.frame(learning = 1)), "not network or nn_control\\(\\) settings",
               class = "radiogenomics_error")
})

test_that("regression targets are cross-validated with r2, mae and mape", {
  cv <- cross_validate(x, cohort$traits$continuous, folds = 3, hidden = 8,
                       control = quiet_control(epochs = 10, patience = 5), seed = 1, verbose = FALSE)
  expect_equal(cv$metric, "r2")
  expect_true(all(c("r2", "mae", "mape") %in% names(cv$results)))
  in_fold <- cv$folds[, 1] == 2
  expected <- regression_metrics(cohort$traits$continuous[in_fold], cv$predictions[in_fold, 1])
  expect_equal(unlist(cv$results[2, c("r2", "mae", "mape")]), expected, tolerance = 1e-6)
})

test_that("several continuous targets train one network with an output each, scored by the mean over targets", {
  y <- data.frame(a = cohort$traits$continuous, b = exp(cohort$traits$continuous / 2), row.names = colnames(x))
  cv <- cross_validate(x, y[rev(seq_len(nrow(y))), ], folds = 3, hidden = 8, early_stopping = "validation",
                       control = quiet_control(epochs = 6, patience = 3), seed = 1, verbose = FALSE)
  expect_equal(dim(cv$predictions), c(ncol(x), 2L))
  expect_equal(colnames(cv$predictions), c("a", "b"))
  in_fold <- cv$folds[, 1] == 2
  per_target <- regression_metrics(as.matrix(y)[in_fold, ], cv$predictions[in_fold, ])
  expect_equal(unlist(cv$results[2, c("r2", "mae", "mape")]), colMeans(per_target), tolerance = 1e-6)
  fit <- refit(cv, x, y)
  expect_equal(fit$outputs, c("a", "b"))
  expect_error(cross_validate(x, data.frame(a = y$a, b = letters[seq_len(nrow(y))])), "`y` must be one trait",
               class = "radiogenomics_error")
})

test_that("a BiocParallel SnowParam(2) backend gives the same table as serial", {
  skip_if_not_installed("BiocParallel")
  args <- list(x = x, y = y, folds = 3, hidden = 8, control = quiet_control(epochs = 6, patience = 3),
               seed = 11, verbose = FALSE)
  serial <- do.call(cross_validate, args)
  parallel <- do.call(cross_validate, c(args, list(BPPARAM = BiocParallel::SnowParam(2))))
  expect_equal(parallel$results, serial$results)
  expect_equal(parallel$predictions, serial$predictions)
})

test_that("the network beats elastic net on a planted interaction (same folds)", {
  skip_if_not_installed("glmnet")
  big <- simulate_cohort(n_samples = 1500, n_genes = 150, traits = "interaction", effect = 3, seed = 3)
  cmp <- compare_models(big$expression, big$traits$interaction, folds = 3, n_boot = 0,
                        methods = c("network", "glmnet"), hidden = 32, activation = "relu", dropout = 0.3,
                        control = quiet_control(epochs = 60, learning_rate = 0.003, batch_size = 32,
                                                input_dropout = 0, patience = 15),
                        seed = 1, verbose = FALSE)
  auc <- setNames(cmp$summary$mean, cmp$summary$method)
  expect_gt(auc[["network"]], auc[["glmnet"]] + 0.1)
  expect_equal(unique(cmp$scores$fold), 1:3)
})
