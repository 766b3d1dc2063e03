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
