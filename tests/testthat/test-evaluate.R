# evaluate() on a small fake model: anything with predict(model, newdata, type = "prob").

# A "fitted" linear model on the planted driver genes, standardized with the training cohort's
# gene means and SDs like a real network. `output` is "sigmoid" (binary / multi-label) or
# "softmax" (multi-class).
fake_model <- function(train_x, weights, output = "sigmoid", vector = FALSE) {
  genes <- rownames(weights)
  structure(list(weights = weights, output = output, vector = vector,
                 centre = rowMeans(train_x[genes, , drop = FALSE]),
                 scale = apply(train_x[genes, , drop = FALSE], 1L, stats::sd)),
            class = "rg_test_model")
}

predict_rg_test_model <- function(object, newdata, type = "prob", ...) {
  stopifnot(type == "prob")
  z <- (newdata[rownames(object$weights), , drop = FALSE] - object$centre) / object$scale
  link <- t(z) %*% object$weights
  p <- if (object$output == "softmax") exp(link) / rowSums(exp(link)) else stats::plogis(link)
  if (object$vector) p <- p[, 1L]
  p
}
registerS3method("predict", "rg_test_model", predict_rg_test_model, envir = asNamespace("stats"))

cohort <- simulate_cohort(n_samples = 90, n_genes = 300, seed = 21)
train <- 1:50
test <- 51:90
x_train <- cohort$expression[, train]
x_test <- cohort$expression[, test]
driver_weights <- function(sets, classes) {
  genes <- unique(unlist(cohort$gene_sets[sets]))
  w <- vapply(sets, function(s) as.numeric(genes %in% cohort$gene_sets[[s]]), numeric(length(genes)))
  matrix(w, length(genes), dimnames = list(genes, classes))
}
set_of <- function(trait) cohort$truth$gene_set[cohort$truth$trait == trait]

test_that("binary evaluation equals roc_auc / average_precision on the same predictions", {
  model <- fake_model(x_train, driver_weights(set_of("binary"), "high"), vector = TRUE)
  y <- cohort$traits$binary[test]
  names(y) <- colnames(x_test)
  ev <- evaluate(model, x_test, y)
  p <- predict(model, x_test, type = "prob")
  expect_s3_class(ev, "rg_evaluation")
  expect_equal(ev$task, "binary")
  expect_equal(nrow(ev$table), 1L)
  expect_equal(ev$table$class, "high")
  expect_equal(ev$table$auc, roc_auc(y == "high", p))
  expect_equal(ev$table$ap, average_precision(y == "high", p))
  expect_equal(ev$table$accuracy, mean((p > 0.5) == (y == "high")))
  expect_equal(ev$table$n_positive, sum(y == "high"))
  expect_gt(ev$table$auc, 0.7)  # the planted driver predicts the trait
  # labels in another order are matched by sample ID
  shuffled <- rev(y)
  expect_equal(evaluate(model, x_test, shuffled)$table, ev$table)
  # a two-column probability matrix: the positive level's column is used
  model2 <- fake_model(x_train, cbind(low = -driver_weights(set_of("binary"), "high")[, 1],
                                      high = driver_weights(set_of("binary"), "high")[, 1]))
  expect_equal(evaluate(model2, x_test, y)$table$auc, ev$table$auc)
  # a one-column prediction for the other class (a model trained with "low" positive) is complemented
  low_model <- fake_model(x_train, -driver_weights(set_of("binary"), "low"))
  expect_equal(evaluate(low_model, x_test, y)$table[c("auc", "ap")], ev$table[c("auc", "ap")])
  expect_output(print(ev), "binary, 40 test samples")
  expect_identical(colnames(ev$score), "high")
  path <- tempfile(fileext = ".pdf")
  grDevices::pdf(path)
  curves <- plot(ev, engine = "base")
  grDevices::dev.off()
  unlink(path)
  expect_equal(unique(curves$class), "high")
  expect_equal(as.data.frame(ev), ev$table)
})

test_that("test samples without a label are left out and reported", {
  model <- fake_model(x_train, driver_weights(set_of("binary"), "high"), vector = TRUE)
  y <- stats::setNames(cohort$traits$binary[test], colnames(x_test))
  y[3] <- NA
  y <- y[-5]
  expect_message(ev <- evaluate(model, x_test, y), "2 test samples left out")
  expect_setequal(ev$dropped$sample, colnames(x_test)[c(3, 5)])
  expect_equal(ev$table$n, 38L)
  keep <- setdiff(colnames(x_test), colnames(x_test)[c(3, 5)])
  p <- predict(model, x_test, type = "prob")[keep]
  expect_equal(ev$table$auc, roc_auc(y[keep] == "high", p))
})

test_that("multi-class: per class one-vs-rest, micro = flattened one-hot, argmax accuracy", {
  sets <- set_of("multiclass")
  model <- fake_model(x_train, cbind(driver_weights(sets, c("A", "B")), C = 0), output = "softmax")
  y <- stats::setNames(cohort$traits$multiclass[test], colnames(x_test))
  ev <- evaluate(model, x_test, y)
  p <- predict(model, x_test, type = "prob")
  onehot <- outer(as.character(y), c("A", "B", "C"), `==`)
  expect_equal(ev$task, "multiclass")
  expect_equal(ev$table$class, c("A", "B", "C", "micro", "macro"))
  for (k in 1:3) {
    expect_equal(ev$table$auc[k], roc_auc(onehot[, k], p[, k]))
    expect_equal(ev$table$ap[k], average_precision(onehot[, k], p[, k]))
  }
  expect_equal(ev$table$auc[4], roc_auc(as.vector(onehot), as.vector(p)))
  expect_equal(ev$table$auc[5], mean(ev$table$auc[1:3]))
  expect_equal(ev$table$accuracy[4], mean(c("A", "B", "C")[max.col(p)] == y))
  # columns in another order are matched by class name
  model$weights <- model$weights[, c("C", "A", "B")]
  expect_equal(evaluate(model, x_test, y)$table, ev$table)
})

test_that("multi-label micro AUC equals the flattened computation", {
  sets <- c(set_of("binary"), set_of("interaction")[1])
  model <- fake_model(x_train, driver_weights(sets, c("binary", "interaction")))
  y <- as.matrix(prepare_traits(cohort$traits[test, c("binary", "interaction")], verbose = FALSE,
                                positive = c(binary = "high", interaction = "yes")))
  ev <- evaluate(model, x_test, y)
  p <- predict(model, x_test, type = "prob")
  expect_equal(ev$task, "multilabel")
  expect_equal(ev$table$auc[ev$table$class == "micro"], roc_auc(as.vector(y), as.vector(p)))
  expect_equal(ev$table$ap[ev$table$class == "micro"], average_precision(as.vector(y), as.vector(p)))
  expect_equal(ev$table$auc[1:2], c(roc_auc(y[, 1], p[, 1]), roc_auc(y[, 2], p[, 2])))
  expect_equal(ev$table$accuracy[ev$table$class == "micro"], mean((p > 0.5) == (y == 1)))
  # a data.frame of trait factors is selected by the prediction's column names
  frame <- cohort$traits[test, c("interaction", "continuous", "binary")]
  frame$binary <- factor(frame$binary, levels = c("low", "high"))
  expect_equal(evaluate(model, x_test, frame)$table, ev$table)
})

test_that("test labels are binarized with the training cohort's cut points", {
  model <- fake_model(x_train, driver_weights(set_of("continuous"), "high"), vector = TRUE)
  raw <- cohort$traits[, "continuous", drop = FALSE]
  prepared <- prepare_traits(raw[train, , drop = FALSE], method = "kmeans", positive = "high", verbose = FALSE)
  ev <- evaluate(model, x_test, raw[test, , drop = FALSE], traits = prepared)
  cut <- prepared$cuts[["continuous"]]
  truth <- raw$continuous[test] > cut
  expect_equal(ev$table$auc, roc_auc(truth, predict(model, x_test, type = "prob")))
  expect_equal(ev$table$n_positive, sum(truth))
  expect_equal(evaluate(model, x_test, predict(prepared, raw[test, , drop = FALSE], verbose = FALSE))$table, ev$table)
  # a cut learned on the test cohort itself would differ: the training cut is what is used
  expect_false(isTRUE(all.equal(cut, prepare_traits(raw[test, , drop = FALSE], method = "kmeans",
                                                    verbose = FALSE)$cuts[["continuous"]])))
})

test_that("plot() draws ROC curves with ggplot2 or base graphics", {
  sets <- set_of("multiclass")
  model <- fake_model(x_train, cbind(driver_weights(sets, c("A", "B")), C = 0), output = "softmax")
  ev <- evaluate(model, x_test, stats::setNames(cohort$traits$multiclass[test], colnames(x_test)))
  path <- tempfile(fileext = ".pdf")
  grDevices::pdf(path)
  on.exit({ grDevices::dev.off(); unlink(path) })
  curves <- plot(ev, engine = "base")
  expect_setequal(unique(curves$class), c("A", "B", "C", "micro"))
  # the trapezoid under each curve is its AUC
  for (class in c("A", "B", "C", "micro")) {
    curve <- curves[curves$class == class, ]
    area <- sum(diff(curve$fpr) * (utils::head(curve$tpr, -1) + curve$tpr[-1]) / 2)
    expect_equal(area, ev$table$auc[ev$table$class == class], tolerance = 1e-12)
  }
  skip_if_not_installed("ggplot2")
  expect_s3_class(plot(ev), "ggplot")
})

test_that("bad inputs give classed errors", {
  model <- fake_model(x_train, driver_weights(set_of("binary"), "high"), vector = TRUE)
  y <- stats::setNames(cohort$traits$binary[test], colnames(x_test))
  expect_error(evaluate(model, x_test, unname(y)[1:10]), class = "radiogenomics_sample_mismatch")
  expect_error(evaluate(model, x_test, stats::setNames(y, paste0("X", seq_along(y)))),
               class = "radiogenomics_sample_mismatch")
  expect_error(evaluate(model, x_test, stats::setNames(cohort$traits$continuous[test], colnames(x_test))),
               class = "radiogenomics_bad_labels")
  expect_error(evaluate(model, x_test, cohort$traits[test, ]), class = "radiogenomics_ambiguous_trait")
  expect_error(evaluate(model, x_test, y, threshold = 2), class = "radiogenomics_invalid_argument")
  expect_error(evaluate(model, x_test, y, traits = list()), class = "radiogenomics_invalid_argument")
  expect_error(evaluate(model, x_test, stats::setNames(cohort$traits$multiclass[test], colnames(x_test))),
               class = "radiogenomics_bad_prediction")
  broken <- model
  broken$centre[] <- NA
  expect_error(evaluate(broken, x_test, y), class = "radiogenomics_bad_prediction")
  one_class <- factor(rep("high", 40), levels = c("low", "high"))
  expect_error(evaluate(model, x_test, stats::setNames(one_class, colnames(x_test))),
               class = "radiogenomics_error")
})
