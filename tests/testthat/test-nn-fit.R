# fit_network(), predict(), persistence and argument errors, on small simulated data.

quiet <- function(...) nn_control(..., verbose = FALSE)

small <- simulate_cohort(n_samples = 80, n_genes = 120, traits = c("binary", "multiclass", "continuous"), seed = 5)

test_that("a network learns an interaction that logistic regression cannot", {
  cohort <- simulate_cohort(n_samples = 4000, n_genes = 600, traits = "interaction", effect = 3, seed = 11)
  x <- cohort$expression
  y <- cohort$traits$interaction
  val <- withr_free_sample(ncol(x), 1200, seed = 1)
  fit <- fit_network(x[, -val], y[-val], hidden = 32, activation = "relu", dropout = 0.3,
                     validation_data = list(x = x[, val], y = y[val]),
                     control = quiet(epochs = 60, optimizer = "adam", learning_rate = 0.003, batch_size = 32,
                                     input_dropout = 0, patience = 15, seed = 1))
  p <- predict(fit, x[, val])
  positive <- colnames(p)
  auc <- roc_auc(y[val] == positive, p[, 1])
  expect_gt(auc, 0.9)
  expect_equal(fit$history$val_auc[fit$best_epoch], auc, tolerance = 1e-9)
  # logistic regression on the two planted driver sets' scores (and their sum) is at chance
  z <- t(scale(t(x)))
  drivers <- cohort$gene_sets[cohort$truth$gene_set]
  scores <- data.frame(s1 = colMeans(z[drivers[[1]], ]), s2 = colMeans(z[drivers[[2]], ]))
  glm_fit <- stats::glm(y[-val] == positive ~ s1 + s2, family = stats::binomial(), data = scores[-val, ])
  expect_lt(abs(roc_auc(y[val] == positive, stats::predict(glm_fit, scores[val, ])) - 0.5), 0.1)
})

test_that("binary targets: positive class, probabilities, classes, links", {
  y <- small$traits$binary
  fit <- fit_network(small$expression, y, hidden = c(8, 4), control = quiet(epochs = 5, seed = 2))
  expect_s3_class(fit, "rg_network")
  expect_equal(fit$task, "binary")
  least <- names(which.min(table(y)))
  expect_equal(fit$positive, least)
  p <- predict(fit, small$expression)
  expect_equal(dim(p), c(80L, 1L))
  expect_equal(colnames(p), least)
  expect_equal(rownames(p), colnames(small$expression))
  expect_true(all(p > 0 & p < 1))
  link <- predict(fit, small$expression, type = "link")
  expect_equal(stats::plogis(link), p, tolerance = 1e-6)
  cls <- predict(fit, small$expression, type = "class")
  expect_equal(levels(cls), fit$classes)
  expect_equal(as.character(cls) == least, as.vector(p >= 0.5), ignore_attr = TRUE)
  other <- setdiff(levels(y), least)
  expect_equal(fit_network(small$expression, y, hidden = 4, positive = other, control = quiet(epochs = 1, seed = 2))$positive, other)
})

test_that("balanced sample weights follow sklearn and validation_split is stratified", {
  y <- factor(rep(c("a", "b"), c(60, 20)))
  target <- radiogenomics:::nn_target(y, colnames(small$expression))
  w <- radiogenomics:::training_weights("balanced", target, seq_len(80), 80)
  expect_equal(w, ifelse(y == "a", 80 / (2 * 60), 80 / (2 * 20)))
  held <- radiogenomics:::stratified_holdout(target$labels, 0.25, seed = 3)
  expect_equal(as.vector(table(y[held])), c(15L, 5L))
  fit <- fit_network(small$expression, y, hidden = 4, control = quiet(epochs = 3, validation_split = 0.25, seed = 3))
  expect_equal(c(fit$n_train, fit$n_validation), c(60L, 20L))
  expect_true(all(c("val_loss", "val_auc", "val_ap") %in% names(fit$history)))
})

test_that("multi-class and regression heads", {
  fit <- fit_network(small$expression, small$traits$multiclass, hidden = 8,
                     control = quiet(epochs = 5, optimizer = "nadam", seed = 1))
  p <- predict(fit, small$expression)
  expect_equal(colnames(p), c("A", "B", "C"))
  expect_equal(unname(rowSums(p)), rep(1, 80), tolerance = 1e-5)
  expect_equal(levels(predict(fit, small$expression, type = "class")), c("A", "B", "C"))
  expect_true("acc" %in% names(fit$history))

  reg <- fit_network(small$expression, small$traits$continuous, hidden = 8,
                     control = quiet(epochs = 5, optimizer = "adam", seed = 1))
  expect_equal(reg$task, "regression")
  expect_true(all(c("r2", "mae") %in% names(reg$history)))
  expect_false(reg$architecture$nonneg)  # targets have both signs
  expect_error(predict(reg, small$expression, type = "class"), class = "radiogenomics_error")
  pos <- fit_network(small$expression, abs(small$traits$continuous), hidden = 4, control = quiet(epochs = 2, seed = 1))
  expect_true(pos$architecture$nonneg)
  out <- network_parameters(pos)
  expect_true(all(out[[2]]$weight >= 0) && all(out[[2]]$bias >= 0))
})

test_that("y is matched to x by sample names", {
  y <- stats::setNames(small$traits$binary, colnames(small$expression))
  shuffled <- rev(y)
  a <- fit_network(small$expression, y, hidden = 4, control = quiet(epochs = 2, seed = 9))
  b <- fit_network(small$expression, shuffled, hidden = 4, control = quiet(epochs = 2, seed = 9))
  expect_identical(a$weights, b$weights)
})

test_that("the same seed gives bit-identical weights", {
  run <- function(seed) fit_network(small$expression, small$traits$binary, hidden = c(6, 3), dropout = 0.2,
                                    control = quiet(epochs = 3, seed = seed))
  expect_identical(run(7)$weights, run(7)$weights)
  expect_false(identical(run(7)$weights, run(8)$weights))
  set.seed(1); a <- fit_network(small$expression, small$traits$binary, hidden = 3, control = quiet(epochs = 1))
  set.seed(1); b <- fit_network(small$expression, small$traits$binary, hidden = 3, control = quiet(epochs = 1))
  expect_identical(a$weights, b$weights)
})

test_that("early stopping restores the best epoch and plot/print/summary work", {
  fit <- fit_network(small$expression, small$traits$binary, hidden = c(16, 8),
                     control = quiet(epochs = 200, optimizer = "adam", learning_rate = 0.01,
                                     validation_split = 0.3, monitor = "val_loss", patience = 5,
                                     min_delta = 0, seed = 4))
  expect_true(fit$stopped_early)
  expect_equal(fit$epochs_run, fit$best_epoch + 5)
  expect_equal(fit$history$val_loss[fit$best_epoch], min(fit$history$val_loss))
  expect_output(print(fit), "binary classifier")
  s <- summary(fit)
  expect_s3_class(s, "summary.rg_network")
  expect_equal(s$layers$units, c(16, 8, 1))
  expect_output(print(s), "hidden 1")
  pdf(NULL); on.exit(dev.off())
  expect_invisible(plot(fit))
})

test_that("saveRDS/readRDS and save_network/load_network round trips give identical predictions", {
  fit <- fit_network(small$expression, small$traits$multiclass, hidden = c(8, 4), dropout = 0.1,
                     control = quiet(epochs = 3, seed = 1))
  expected <- predict(fit, small$expression)
  path <- tempfile(fileext = ".rds")
  saveRDS(fit, path)
  restored <- readRDS(path)
  expect_false(radiogenomics:::rg_nn_ptr_alive(restored$ptr))
  expect_identical(predict(restored, small$expression), expected)
  save_network(fit, path)
  loaded <- load_network(path)
  expect_true(radiogenomics:::rg_nn_ptr_alive(loaded$ptr))
  expect_identical(predict(loaded, small$expression), expected)
  expect_error(load_network(tempfile()), class = "radiogenomics_error")
  saveRDS(list(1), path)
  expect_error(load_network(path), class = "radiogenomics_error")
})

test_that("missing genes are filled with the training mean and counted; extra genes are ignored", {
  fit <- fit_network(small$expression, small$traits$binary, hidden = 4, control = quiet(epochs = 2, seed = 1))
  x <- small$expression
  drop <- rownames(x)[1:3]
  filled <- x
  filled[drop, ] <- fit$standardization$mean[drop]
  expect_warning(p <- predict(fit, x[-(1:3), ]), "lacks 3 of the model's 120 genes", class = "radiogenomics_missing_genes")
  expect_equal(p, predict(fit, filled))
  extra <- rbind(x, EXTRA = 1)
  expect_equal(predict(fit, extra[c(121, 1:120), ]), predict(fit, x))
})

test_that("bad inputs give classed errors that name the argument", {
  x <- small$expression
  y <- small$traits$binary
  ctl <- quiet(epochs = 1, seed = 1)
  expect_error(fit_network(x, y[-1], hidden = 4, control = ctl), "`y` has 79 values", class = "radiogenomics_length_mismatch")
  expect_error(fit_network(x, factor(rep("a", 80)), hidden = 4, control = ctl), "only one class", class = "radiogenomics_one_class")
  y_na <- y; y_na[3] <- NA
  expect_error(fit_network(x, y_na, hidden = 4, control = ctl), "1 missing values", class = "radiogenomics_missing_values")
  named <- stats::setNames(y, paste0("other", seq_along(y)))
  expect_error(fit_network(x, named, hidden = 4, control = ctl), "do not match", class = "radiogenomics_sample_mismatch")
  expect_error(fit_network(x, y, hidden = c(4, 0), control = ctl), "`hidden`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = -2, control = ctl), "`hidden`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, dropout = 1, control = ctl), "`dropout`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, dropout = -0.1, control = ctl), "`dropout`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, activation = "swish", control = ctl), "`activation`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, control = list(epochs = 1)), "`control`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, control = quiet(monitor = "val_auc")), "no validation samples", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, control = quiet(monitor = "val_r3", validation_split = 0.2, epochs = 1)),
               "`monitor`", class = "radiogenomics_invalid_argument")
  expect_error(nn_control(optimizer = "adagrad"), "`optimizer`", class = "radiogenomics_error")
  expect_error(nn_control(epochs = 0), "`epochs`", class = "radiogenomics_error")
  expect_error(nn_control(sample_weights = c(1, -1)), "`sample_weights`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = 4, freeze_layers = 1, control = ctl), "`freeze_layers`", class = "radiogenomics_error")
})

test_that("device = 'cuda' without the cuda feature says how to enable it", {
  skip_if(radiogenomics:::rg_nn_cuda_compiled())
  expect_error(nn_control(device = "cuda"), "RADIOGENOMICS_FEATURES=cuda", class = "radiogenomics_device_unavailable")
  expect_error(nn_control(device = "gpu"), "`device`", class = "radiogenomics_error")
})

test_that("Ctrl-C stops training with an interrupt condition", {
  skip_on_cran()
  code <- c(
    "library(radiogenomics)",
    "cohort <- simulate_cohort(n_samples = 300, n_genes = 2000, traits = 'binary', seed = 1)",
    "cat('ready\\n')",
    "r <- tryCatch(fit_network(cohort$expression, cohort$traits$binary, hidden = c(512, 256),",
    "  control = nn_control(epochs = 100000, early_stopping = FALSE, verbose = FALSE, seed = 1)),",
    "  radiogenomics_interrupt = function(e) 'interrupted')",
    "cat(r, '\\n')")
  res <- run_r_subprocess(code, signal_after = 6)
  expect_true(any(grepl("interrupted", res$stdout)), info = paste(c(res$stdout, res$stderr), collapse = "\n"))
})
