test_that("every method is scored on the same folds and the bootstrap gives paired differences", {
  skip_if_not_installed("glmnet")
  skip_if_not_installed("ranger")
  cohort <- simulate_cohort(n_samples = 80, n_genes = 100, traits = "binary", gene_sets = 8, seed = 2)
  cmp <- compare_models(cohort$expression, cohort$traits$binary, folds = 3, methods = c("network", "glmnet", "ranger"),
                        n_boot = 3, hidden = 8,
                        control = nn_control(epochs = 10, optimizer = "adam", patience = 5, verbose = FALSE),
                        seed = 4, verbose = FALSE)
  expect_s3_class(cmp, "rg_comparison")
  expect_setequal(cmp$summary$method, c("network", "glmnet", "ranger"))
  expect_equal(as.vector(table(cmp$scores$method)), c(3L, 3L, 3L))
  # glmnet's fold scores are those of its selected setting, refit by hand on the same folds
  folds <- cmp$folds
  positive <- cmp$cv$target$positive
  setting <- cmp$summary$setting[cmp$summary$method == "glmnet"]
  alpha <- as.numeric(sub("alpha=([^,]+),.*", "\\1", setting))
  lambda_path <- glmnet::glmnet(t(cohort$expression), cohort$traits$binary, family = "binomial", alpha = 0.5, nlambda = 20)$lambda
  lambda <- lambda_path[which.min(abs(lambda_path - as.numeric(sub(".*lambda=", "", setting))))]
  for (f in 1:3) {
    train <- folds != f
    w <- radiogenomics:::balanced(cohort$traits$binary[train])
    fit <- glmnet::glmnet(t(cohort$expression[, train]), as.integer(cohort$traits$binary[train] == positive),
                          family = "binomial", alpha = alpha, lambda = sort(lambda_path, decreasing = TRUE), weights = w)
    p <- predict(fit, t(cohort$expression[, !train]), s = lambda, type = "response")[, 1]
    expect_equal(cmp$scores$auc[cmp$scores$method == "glmnet"][f],
                 roc_auc(cohort$traits$binary[!train] == positive, p), tolerance = 1e-6)
  }
  expect_equal(nrow(cmp$differences), 2L)
  boots <- cmp$bootstrap
  d <- boots$value[boots$method == "network"] - boots$value[boots$method == "glmnet"]
  expect_equal(cmp$differences$difference[cmp$differences$method == "glmnet"], mean(d), tolerance = 1e-12)
  expect_equal(cmp$differences$lower[cmp$differences$method == "glmnet"], unname(quantile(d, 0.025, type = 5)))
})

test_that("bootstrap validation resamples always contain every class", {
  y <- rep(1:3, c(30, 6, 4))
  train <- 1:30 * 1L
  validation <- c(31:40, 1:5)
  for (b in 0:20) {
    draw <- radiogenomics:::rg_bootstrap(train, validation, y, 7, b)
    expect_setequal(unique(y[draw$validation]), 1:3)
    expect_true(all(draw$train %in% train))
  }
})

test_that("unknown or unavailable methods are reported", {
  cohort <- simulate_cohort(n_samples = 30, n_genes = 100, traits = "binary", gene_sets = 8, seed = 2)
  expect_error(compare_models(cohort$expression, cohort$traits$binary, methods = c("network", "xgboost")),
               "unknown methods xgboost", class = "radiogenomics_error")
  expect_error(compare_models(cohort$expression, cohort$traits$binary, methods = "glmnet"),
               "must include \"network\"", class = "radiogenomics_error")
})

# ---- regression ------------------------------------------------------------------------------

test_that("regression tests equal wilcox.test(paired, correct) of absolute errors, with ties and zeros", {
  set.seed(5)
  n <- 14
  truth <- cbind(distinct = rep(10, n), ties = rep(10, n), zeros = rep(10, n))
  network <- cbind(distinct = 10 + stats::rnorm(n), ties = 10 + 1:n, zeros = 10 + 1:n)
  offsets <- c(1, -1, 1, 1, -1, 2, -2, 1, 1, -1, 2, 1, -1, 1)
  other <- cbind(distinct = 10 + stats::rnorm(n), ties = network[, "ties"] + offsets,
                 zeros = network[, "zeros"] + c(0, 0, 0, offsets[-(1:3)]))
  third <- other + 0.5 * (seq_len(n) %% 3)
  tests <- radiogenomics:::paired_error_tests(truth, list(network = network, glmnet = other, ranger = third))
  expect_equal(names(tests), c("target", "method", "statistic", "p_value", "p_adjusted", "median_difference", "n"))
  expect_equal(tests$target, rep(colnames(truth), 2))
  expect_equal(tests$method, rep(c("glmnet", "ranger"), each = 3))
  for (m in c("glmnet", "ranger")) {
    prediction <- list(glmnet = other, ranger = third)[[m]]
    rows <- tests[tests$method == m, ]
    for (j in colnames(truth)) {
      a <- abs(truth[, j] - network[, j])
      b <- abs(truth[, j] - prediction[, j])
      expected <- suppressWarnings(stats::wilcox.test(a, b, paired = TRUE, correct = TRUE))
      expect_equal(rows$p_value[rows$target == j], expected$p.value, tolerance = 1e-14)
      expect_equal(rows$statistic[rows$target == j], unname(expected$statistic))
      expect_equal(rows$median_difference[rows$target == j], stats::median(a - b))
    }
    # Bonferroni within one method's targets
    expect_equal(rows$p_adjusted, stats::p.adjust(rows$p_value, method = "bonferroni"))
  }
  # wilcox.test's default: exact without ties or zeros (n < 50), else the corrected normal approximation
  a <- abs(truth - network)
  b <- abs(truth - other)
  glmnet <- tests[tests$method == "glmnet", ]
  expect_equal(glmnet$p_value[1], stats::wilcox.test(a[, 1], b[, 1], paired = TRUE, exact = TRUE)$p.value)
  for (j in 2:3) {
    approx <- suppressWarnings(stats::wilcox.test(a[, j], b[, j], paired = TRUE, exact = FALSE, correct = TRUE))$p.value
    uncorrected <- suppressWarnings(stats::wilcox.test(a[, j], b[, j], paired = TRUE, exact = FALSE, correct = FALSE))$p.value
    expect_equal(glmnet$p_value[j], approx)
    expect_false(isTRUE(all.equal(glmnet$p_value[j], uncorrected)))
  }
  expect_true(any(a[, "zeros"] == b[, "zeros"]))
  expect_true(anyDuplicated(abs(a[, "ties"] - b[, "ties"])) > 0)
})

test_that("regression: network and glmnet on the same folds, metrics of the out-of-fold predictions", {
  skip_if_not_installed("glmnet")
  cohort <- simulate_cohort(n_samples = 60, n_genes = 100, traits = "continuous", gene_sets = 6, seed = 3)
  x <- cohort$expression
  # two nonlinear functions of the planted driver activity
  y <- cbind(shape = cohort$traits$continuous, spread = exp(cohort$traits$continuous / 2))
  rownames(y) <- colnames(x)
  cmp <- compare_models(x, as.data.frame(y), folds = 3, methods = c("network", "glmnet"), n_boot = 2, hidden = 6,
                        control = nn_control(epochs = 8, optimizer = "adam", patience = 4, verbose = FALSE),
                        seed = 9, verbose = FALSE)
  expect_s3_class(cmp, "rg_comparison")
  expect_equal(cmp$task, "regression")
  folds <- cmp$folds
  expect_equal(folds, cmp$cv$folds[, 1], ignore_attr = TRUE)
  expect_equal(cmp$cv$results$n_validation, as.vector(table(folds)))
  expect_equal(unname(cmp$predictions$network), unname(cmp$cv$predictions))
  expect_equal(dimnames(cmp$predictions$glmnet), dimnames(y))

  # glmnet's out-of-fold predictions: its selected setting per target, refit by hand on the same folds
  for (j in colnames(y)) {
    setting <- cmp$metrics$setting[cmp$metrics$method == "glmnet" & cmp$metrics$target == j]
    alpha <- as.numeric(sub("alpha=([^,]+),.*", "\\1", setting))
    path <- sort(glmnet::glmnet(t(x), y[, j], family = "gaussian", alpha = 0.5, nlambda = 20)$lambda, decreasing = TRUE)
    lambda <- path[which.min(abs(path - as.numeric(sub(".*lambda=", "", setting))))]
    for (f in 1:3) {
      train <- folds != f
      fit <- glmnet::glmnet(t(x[, train]), y[train, j], family = "gaussian", alpha = alpha, lambda = path)
      expect_equal(cmp$predictions$glmnet[!train, j], predict(fit, t(x[, !train]), s = lambda)[, 1],
                   tolerance = 1e-8, ignore_attr = TRUE)
    }
  }

  # metrics are regression_metrics() of the out-of-fold predictions, per method and target
  for (m in c("network", "glmnet")) {
    expected <- regression_metrics(y, cmp$predictions[[m]])
    rows <- cmp$metrics[cmp$metrics$method == m, ]
    expect_equal(rows$target, colnames(y))
    expect_equal(as.matrix(rows[c("r2", "mae", "mape")]), expected, ignore_attr = TRUE)
    for (f in 1:3) {
      in_fold <- folds == f
      fold_rows <- cmp$scores[cmp$scores$method == m & cmp$scores$fold == f, ]
      expect_equal(as.matrix(fold_rows[c("r2", "mae", "mape")]),
                   regression_metrics(y[in_fold, ], cmp$predictions[[m]][in_fold, ]), ignore_attr = TRUE)
    }
  }
  # the network's cross-validation scores a fold by the mean over targets
  network_folds <- cmp$scores[cmp$scores$method == "network", ]
  expect_equal(cmp$cv$results$r2, as.vector(tapply(network_folds$r2, network_folds$fold, mean)), tolerance = 1e-10)

  # the tests are those of the out-of-fold absolute errors
  for (j in colnames(y)) {
    expected <- suppressWarnings(stats::wilcox.test(abs(y[, j] - cmp$predictions$network[, j]),
                                                    abs(y[, j] - cmp$predictions$glmnet[, j]),
                                                    paired = TRUE, correct = TRUE))
    expect_equal(cmp$tests$p_value[cmp$tests$target == j], expected$p.value)
  }
  expect_equal(cmp$tests$p_adjusted, pmin(1, 2 * cmp$tests$p_value))
  expect_equal(nrow(cmp$differences), 1L)
  expect_identical(summary(cmp), cmp$summary)
  expect_output(print(cmp), "Paired Wilcoxon signed-rank tests")
  skip_if_not_installed("ggplot2")
  panels <- plot(cmp)
  expect_named(panels, c("scores", "differences", "tests"))
  grDevices::pdf(NULL)
  on.exit(grDevices::dev.off())
  expect_silent(print(panels))
})

test_that("regression targets must be numeric and complete", {
  cohort <- simulate_cohort(n_samples = 30, n_genes = 100, traits = "continuous", gene_sets = 6, seed = 2)
  mixed <- data.frame(a = cohort$traits$continuous, b = factor(rep(c("u", "v"), 15)))
  expect_error(compare_models(cohort$expression, mixed, methods = "network"),
               "`y` must be one trait", class = "radiogenomics_error")
  y <- cbind(a = cohort$traits$continuous, b = cohort$traits$continuous^2)
  y[4, 2] <- NA
  expect_error(compare_models(cohort$expression, y, methods = "network", folds = 3, n_boot = 0, verbose = FALSE),
               "`y` has 1 missing values", class = "radiogenomics_error")
})
