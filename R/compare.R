#' Compare the network with standard models on the same folds
#'
#' Scores the network and comparison models on **the same** cross-validation folds, then
#' bootstraps the comparison as the reference implementation did (METHOD.md §6): for each
#' bootstrap, the training and validation samples of every fold are resampled with replacement
#' (a validation sample that misses a class is redrawn), each method's selected setting is
#' retrained and scored, and the paired difference network − other gives a 95% percentile
#' interval (R's `quantile(type = 5)`, as the reference).
#'
#' @section Methods and grids:
#' Every method is tuned like sklearn's `GridSearchCV` in the reference: each candidate setting
#' is scored on every fold and the candidate with the best mean score is selected (the same
#' procedure, with the same optimism, for every method). Grids are smaller than the reference's
#' so a comparison runs in minutes:
#' - `"network"`: [cross_validate()] with the given settings (and `grid`, if any);
#' - `"glmnet"`: elastic-net logistic / multinomial / Gaussian regression, `alpha` in
#'   {0, 0.5, 1} × 20 `lambda` values from the full-data path (package glmnet);
#' - `"ranger"`: random forest, 500 trees, `mtry` in {√p, log₂ p, p/3}, balanced class weights
#'   (package ranger);
#' - `"svm"`: support vector machine, linear and radial kernels × cost in {0.01, 0.1, 1, 10, 100},
#'   balanced class weights, Platt probabilities (package e1071);
#' - `"gbm"`: gradient boosting, depth {1, 2, 3} × learning rate {0.01, 0.1} × {100, 200, 300}
#'   trees (package gbm).
#' A method whose package is not installed is skipped with a message.
#'
#' In the bootstrap, networks are trained for the median best epoch of their folds without early
#' stopping (a resampled training set has duplicates, so an inner split would leak).
#'
#' @section Regression (the 2017 autoencoder paper):
#' A numeric `y` — a vector, or a samples × targets matrix / data.frame such as 20 tumour-shape
#' features — is compared as Smedley & Hsu (ISBI 2018) did:
#' - one network with a linear output per target is cross-validated (as that paper's network;
#'   [fit_network()] fits several outputs jointly), its setting chosen by the mean over targets
#'   of `metric` (`"r2"` by default). Its loss is the mean squared error over all outputs, so
#'   give targets on comparable scales (standardize them first if they differ a lot);
#' - every comparison method is single-output, so it is tuned and fitted per target (Gaussian
#'   elastic net, regression forest, ε-regression SVM, Gaussian boosting), on the same folds;
#' - `metrics` holds MAE, MAPE and R² per method and target, [regression_metrics()] of the
#'   out-of-fold predictions (every sample predicted by the model of the fold that left it out);
#' - `tests` compares, per target, the network with each other method by a paired Wilcoxon
#'   signed-rank test with continuity correction of the per-sample absolute errors of the
#'   out-of-fold predictions, \eqn{|y_i - \hat y_i^{network}|} versus
#'   \eqn{|y_i - \hat y_i^{method}|} (the paper reports per-feature paired Wilcoxon tests of the
#'   models' errors; neither it nor METHOD.md fixes the paired quantity further). `statistic` is
#'   Wilcoxon's V, the rank sum of the positive differences network − method. The p-value is that of
#'   `wilcox.test(network, method, paired = TRUE, correct = TRUE)` with its default `exact`: an
#'   exact p-value for fewer than 50 samples without tied or zero differences, otherwise the
#'   normal approximation with continuity correction (zero differences dropped, ties
#'   variance-corrected). `p_adjusted` is Bonferroni over the targets, within each comparison
#'   method (the family is one method's targets, as the paper's 20 features against linear
#'   regression).
#'
#' @inheritParams cross_validate
#' @param y The target: a factor, logical or numeric vector (names matched to the samples), or a
#'   numeric samples × targets matrix / data.frame of continuous targets (see the section).
#' @param methods Which methods to compare; `"network"` is the reference of the differences.
#' @param n_boot Number of bootstraps (0 = none). Each bootstrap refits every method on every
#'   fold: `n_boot × folds × methods` fits (× targets for the single-output comparison models).
#' @param ... Network settings passed to [cross_validate()] (`hidden`, `activation`, `dropout`,
#'   `control`, `grid`, `early_stopping`, ...).
#' @return An `rg_comparison` object, a list with
#'   - `scores`: per method and fold the selected setting's metrics (`method`, `fold`, `auc`,
#'     `ap`, `accuracy`, ... as in [cross_validate()]; for regression one row per method, fold
#'     and `target` with `r2`, `mae`, `mape`);
#'   - `summary`: per method the mean and SD over folds of `metric` (regression: of its mean over
#'     targets) and the selected setting;
#'   - `bootstrap`: per method and bootstrap the mean score over folds;
#'   - `differences`: per comparison method the mean paired difference network − method, its 95%
#'     interval and whether the interval excludes 0;
#'   - regression only: `metrics` (`method`, `target`, `setting`, `r2`, `mae`, `mape` of the
#'     out-of-fold predictions), `tests` (`target`, `method`, `statistic` (Wilcoxon's V), `p_value`,
#'     `p_adjusted`, `median_difference` = median of network − method absolute errors, negative
#'     when the network errs less, `n`) and `predictions` (per method the out-of-fold predictions,
#'     samples × targets);
#'   - `task`, `folds`, `metric`, `cv` (the network's `rg_cv`).
#'
#'   Methods: `print()`, `summary()` (the `summary` table), `plot()` (CV scores per method,
#'   bootstrap differences with intervals like the paper's Figure 4, and for regression the
#'   per-target absolute-error differences with their tests).
#' @examples
#' \donttest{
#' cohort <- simulate_cohort(n_samples = 80, n_genes = 200, traits = "interaction", seed = 1)
#' cmp <- compare_models(cohort$expression, cohort$traits$interaction, folds = 3,
#'                       methods = c("network", "glmnet"), n_boot = 5, hidden = 16,
#'                       control = nn_control(epochs = 30, optimizer = "adam", verbose = FALSE),
#'                       seed = 1, verbose = FALSE)
#' cmp
#' }
#' # regression: a planted nonlinear continuous target
#' cohort <- simulate_cohort(n_samples = 100, n_genes = 100, traits = "continuous", seed = 1)
#' reg <- compare_models(cohort$expression, cohort$traits["continuous"], folds = 3,
#'                       methods = c("network", "glmnet"), n_boot = 0, hidden = 8,
#'                       control = nn_control(epochs = 80, optimizer = "adam", verbose = FALSE),
#'                       seed = 1, verbose = FALSE)
#' reg$metrics
#' reg$tests
#' @export
compare_models <- function(x, y, folds = 10, methods = c("network", "glmnet", "ranger", "svm", "gbm"),
                           n_boot = 100, seed = NULL, metric = NULL, BPPARAM = NULL, verbose = TRUE,
                           assay = 1L, ...) {
  x <- as_expression_matrix(x, assay)
  check_number(n_boot, "n_boot", min = 0, integer = TRUE)
  check_flag(verbose, "verbose")
  methods <- available_methods(methods)
  seed <- resolve_seed(seed)
  target_names <- colnames(y)
  y <- cv_trait(y, list(...)$task)
  y <- align_samples(y, colnames(x), "y")

  cv <- cross_validate(x, y, folds = folds, seed = seed, metric = metric, BPPARAM = BPPARAM,
                       verbose = verbose, ...)
  target <- cv$target
  fold_ids <- cv$folds[, 1L]
  tuned <- list(network = network_tuning(cv))
  if (target$task == "regression") {
    # every method works on one samples x targets matrix, named by the user's target names
    y <- matrix(as.double(y), ncol(x), dimnames = list(colnames(x), target_names %||% colnames(cv$predictions)))
    dimnames(tuned$network$predictions) <- dimnames(y)
  }
  for (method in setdiff(methods, "network")) {
    if (verbose) message(sprintf("compare_models: %s on %d folds", method, max(fold_ids)))
    tuned[[method]] <- tune_targets(method, x, y, fold_ids, target, cv$metric)
  }
  boot <- if (n_boot > 0) {
    bootstrap_methods(x, y, fold_ids, cv, target, cv$metric, methods, tuned, n_boot, seed, BPPARAM)
  }
  new_rg_comparison(tuned, boot, fold_ids, cv, y)
}

available_methods <- function(methods) {
  known <- c("network", "glmnet", "ranger", "svm", "gbm")
  unknown <- setdiff(methods, known)
  if (length(unknown)) {
    rg_abort(sprintf("`methods` has unknown methods %s; choose from %s.", paste(unknown, collapse = ", "), paste(known, collapse = ", ")))
  }
  packages <- c(glmnet = "glmnet", ranger = "ranger", svm = "e1071", gbm = "gbm")
  missing <- vapply(methods, function(m) m != "network" && !requireNamespace(packages[[m]], quietly = TRUE), logical(1))
  if (any(missing)) {
    message(sprintf("compare_models: skipping %s (package not installed).",
                    paste(sprintf("%s (%s)", methods[missing], packages[methods[missing]]), collapse = ", ")))
  }
  methods <- unique(methods[!missing])
  if (!"network" %in% methods) rg_abort("`methods` must include \"network\", the reference of the comparison.")
  methods
}

# The network's selected setting as a tuned method: fold scores, setting, out-of-fold predictions.
network_tuning <- function(cv) {
  r <- cv$results[cv$results$point == cv$best & cv$results[["repeat"]] == 1L, , drop = FALSE]
  list(scores = r[setdiff(names(r), c("point", "repeat", "n_train", "n_validation", "best_epoch"))],
       setting = cv$summary$setting[[1L]], predictions = cv$predictions)
}

# ---- comparison models -----------------------------------------------------------------------

# Candidate settings per method: a list of lists; each model fit may serve several candidates
# (glmnet's lambda path, gbm's tree counts), see predict_candidates().
method_candidates <- function(method, x, target) {
  p <- nrow(x)
  switch(method,
    glmnet = lapply(c(0, 0.5, 1), function(a) list(alpha = a)),
    ranger = lapply(unique(pmax(1L, c(floor(sqrt(p)), floor(log2(p)), floor(p / 3)))), function(m) list(mtry = m)),
    svm = unlist(lapply(c("linear", "radial"), function(k) lapply(10^(-2:2), function(C) list(kernel = k, cost = C))), recursive = FALSE),
    gbm = unlist(lapply(1:3, function(d) lapply(c(0.01, 0.1), function(s) list(depth = d, shrinkage = s))), recursive = FALSE))
}

# Fits one candidate on training samples (samples × genes `xt`) and returns a list of
# prediction matrices for `xv`, one per sub-candidate (named by its label).
fit_predict_candidate <- function(method, candidate, xt, yt, xv, target, extra) {
  family <- switch(target$task, binary = "binomial", multiclass = "multinomial", regression = "gaussian")
  if (target$task != "regression") yt <- factor(as.character(yt), levels = target$classes)
  weights <- if (target$task == "regression") rep(1, length(yt)) else balanced(yt)
  switch(method,
    glmnet = {
      response <- if (target$task == "binary") as.integer(yt == target$positive) else yt
      fit <- glmnet::glmnet(xt, response, family = family, alpha = candidate$alpha, lambda = extra$lambda, weights = weights)
      p <- stats::predict(fit, xv, type = "response")
      lapply(stats::setNames(seq_along(extra$lambda), sprintf("alpha=%s, lambda=%.4g", candidate$alpha, extra$lambda)),
             function(j) as_prob_matrix(if (length(dim(p)) == 3L) p[, , j] else p[, j], target))
    },
    ranger = {
      fit <- ranger::ranger(x = xt, y = yt, num.trees = 500, mtry = candidate$mtry,
                            probability = target$task != "regression",
                            class.weights = if (target$task != "regression") as.numeric(1 / table(yt)),
                            num.threads = 1L, seed = extra$seed)
      p <- stats::predict(fit, xv, num.threads = 1L)$predictions
      stats::setNames(list(as_prob_matrix(p, target)), sprintf("mtry=%d", candidate$mtry))
    },
    svm = {
      fit <- if (target$task == "regression") {
        e1071::svm(xt, yt, kernel = candidate$kernel, cost = candidate$cost)
      } else {
        e1071::svm(xt, yt, kernel = candidate$kernel, cost = candidate$cost, probability = TRUE,
                   class.weights = stats::setNames(as.numeric(length(yt) / (nlevels(yt) * table(yt))), levels(yt)))
      }
      p <- stats::predict(fit, xv, probability = target$task != "regression")
      p <- if (target$task == "regression") as.numeric(p) else attr(p, "probabilities")
      stats::setNames(list(as_prob_matrix(p, target)), sprintf("kernel=%s, cost=%g", candidate$kernel, candidate$cost))
    },
    gbm = {
      distribution <- switch(target$task, binary = "bernoulli", multiclass = "multinomial", regression = "gaussian")
      response <- if (target$task == "binary") as.integer(yt == target$positive) else yt
      trees <- c(100, 200, 300)
      fit <- withr_seed(extra$seed, suppressWarnings(gbm::gbm.fit(
        x = as.data.frame(xt), y = response, distribution = distribution, n.trees = max(trees),
        interaction.depth = candidate$depth, shrinkage = candidate$shrinkage, w = weights,
        bag.fraction = 0.5, n.minobsinnode = 5, verbose = FALSE)))
      p <- suppressWarnings(stats::predict(fit, as.data.frame(xv), n.trees = trees, type = "response"))
      lapply(stats::setNames(seq_along(trees), sprintf("depth=%d, shrinkage=%g, trees=%d", candidate$depth, candidate$shrinkage, trees)),
             function(j) as_prob_matrix(if (length(dim(p)) == 3L) p[, , j] else p[, j], target))
    })
}

balanced <- function(y) {
  counts <- table(y)
  as.numeric(length(y) / (length(counts) * counts[as.character(y)]))
}

# Predictions in the layout score_predictions() expects: positive-class probability (binary),
# samples × classes (multi-class), values (regression).
as_prob_matrix <- function(p, target) {
  if (target$task == "regression") return(as.numeric(p))
  if (target$task == "binary") {
    if (is.matrix(p) && ncol(p) > 1L) p <- p[, target$positive]
    return(as.numeric(p))
  }
  p <- as.matrix(p)
  p[, target$classes, drop = FALSE]
}

method_extra <- function(method, x, y, target, seed) {
  if (method != "glmnet") return(list(seed = seed))
  family <- switch(target$task, binary = "binomial", multiclass = "multinomial", regression = "gaussian")
  path <- glmnet::glmnet(t(x), y, family = family, alpha = 0.5, nlambda = 20)$lambda
  list(lambda = sort(path, decreasing = TRUE), seed = seed)
}

# Scores every candidate on every fold; selects the best mean score. Returns the selected
# setting's fold scores, label (`setting`), candidate and out-of-fold predictions.
tune_method <- function(method, x, y, fold_ids, target, metric) {
  candidates <- method_candidates(method, x, target)
  extra <- method_extra(method, x, y, target, seed = 1L)
  folds <- sort(unique(fold_ids))
  per_fold <- lapply(folds, function(f) {
    train <- fold_ids != f
    lapply(candidates, function(candidate) {
      fit_predict_candidate(method, candidate, t(x[, train, drop = FALSE]), y[train],
                            t(x[, !train, drop = FALSE]), target, extra)
    })
  })
  # one model fit can give several settings (a lambda path, several tree counts)
  owner <- rep(seq_along(candidates), lengths(per_fold[[1L]]))
  per_fold <- lapply(per_fold, unlist, recursive = FALSE)
  labels <- names(per_fold[[1L]])
  scores <- lapply(seq_along(folds), function(i) {
    lapply(per_fold[[i]], function(p) score_predictions(target, y[fold_ids == folds[[i]]], p))
  })
  mean_score <- vapply(seq_along(labels), function(l) mean(vapply(scores, function(s) s[[l]][[metric]], numeric(1)), na.rm = TRUE), numeric(1))
  best <- if (metric %in% c("mae", "mape")) which.min(mean_score) else which.max(mean_score)
  list(scores = do.call(rbind, lapply(seq_along(folds), function(i) data.frame(fold = folds[[i]], as.list(scores[[i]][[best]])))),
       setting = labels[[best]], candidate = candidates[[owner[[best]]]],
       predictions = out_of_fold_rows(lapply(per_fold, `[[`, best), fold_ids, folds))
}

# Stacks per-fold predictions (vectors or matrices) into one row per sample.
out_of_fold_rows <- function(predictions, fold_ids, folds) {
  out <- matrix(NA_real_, length(fold_ids), NCOL(predictions[[1L]]), dimnames = list(NULL, colnames(predictions[[1L]])))
  for (i in seq_along(folds)) out[fold_ids == folds[[i]], ] <- predictions[[i]]
  out
}

# Single-output methods on several continuous targets: tuned and fitted per target.
tune_targets <- function(method, x, y, fold_ids, target, metric) {
  if (target$task != "regression") return(tune_method(method, x, y, fold_ids, target, metric))
  per_target <- lapply(colnames(y), function(j) tune_method(method, x, y[, j], fold_ids, target, metric))
  predictions <- do.call(cbind, lapply(per_target, `[[`, "predictions"))
  dimnames(predictions) <- dimnames(y)
  list(setting = vapply(per_target, `[[`, "", "setting"), candidate = lapply(per_target, `[[`, "candidate"),
       predictions = predictions)
}

# The selected setting of a comparison method refit on `xt` and predicting `xv` (samples x genes).
selected_prediction <- function(method, tuned, x, y, xt, yt, xv, target, seed) {
  one <- function(candidate, setting, y_all, y_train) {
    extra <- method_extra(method, x, y_all, target, seed = seed)
    fit_predict_candidate(method, candidate, xt, y_train, xv, target, extra)[[setting]]
  }
  if (target$task != "regression") return(one(tuned$candidate, tuned$setting, y, yt))
  vapply(seq_len(ncol(y)), function(j) one(tuned$candidate[[j]], tuned$setting[[j]], y[, j], yt[, j]), numeric(nrow(xv)))
}

# ---- bootstrap -------------------------------------------------------------------------------

bootstrap_methods <- function(x, y, fold_ids, cv, target, metric, methods, tuned, n_boot, seed, BPPARAM) {
  strata <- if (target$task == "regression") rep(1L, NROW(y)) else as.integer(factor(y))
  jobs <- expand.grid(fold = sort(unique(fold_ids)), boot = seq_len(n_boot))
  network_epochs <- max(1L, as.integer(round(stats::median(cv$results$best_epoch[cv$results$point == cv$best]))))
  outcomes <- run_jobs(jobs, bootstrap_job, BPPARAM, verbose = FALSE, x = x, y = y, fold_ids = fold_ids,
                       strata = strata, cv = cv, target = target, metric = metric, methods = methods,
                       tuned = tuned, seed = seed, network_epochs = network_epochs)
  table <- do.call(rbind, lapply(outcomes, `[[`, "row"))
  stats::aggregate(value ~ method + boot, data = table, FUN = mean)
}

bootstrap_job <- function(job, x, y, fold_ids, strata, cv, target, metric, methods, tuned, seed, network_epochs) {
  train <- which(fold_ids != job$fold)
  validation <- which(fold_ids == job$fold)
  draw <- rust_result(rg_bootstrap(train, validation, strata, seed, (job$boot - 1) * max(fold_ids) + job$fold - 1))
  xt <- x[, draw$train, drop = FALSE]
  colnames(xt) <- make.unique(colnames(xt))
  yt <- unname(sample_rows(y, draw$train))
  yv <- unname(sample_rows(y, draw$validation))
  xv <- x[, draw$validation, drop = FALSE]
  rows <- lapply(methods, function(method) {
    prediction <- if (method == "network") {
      point <- cv$points[[cv$best]]
      control <- point$control
      control$epochs <- network_epochs
      control$early_stopping <- FALSE
      control$validation_split <- 0
      control$verbose <- FALSE
      control$n_threads <- 1L
      control$seed <- (seed + job$boot * 104729 + job$fold) %% (2^31 - 1)
      fit <- fit_network(xt, yt, hidden = point$hidden, activation = point$activation, dropout = point$dropout,
                         pretrained = point$pretrained, transfer_layers = point$transfer_layers,
                         freeze_layers = point$freeze_layers, control = control, positive = point$positive,
                         task = point$task)
      colnames(xv) <- make.unique(colnames(xv))
      stats::predict(fit, xv, type = "prob")
    } else {
      selected_prediction(method, tuned[[method]], x, y, t(xt), yt, t(xv), target, seed = job$boot)
    }
    data.frame(method = method, boot = job$boot, fold = job$fold,
               value = score_predictions(target, yv, prediction)[[metric]])
  })
  list(row = do.call(rbind, rows))
}

# ---- result ----------------------------------------------------------------------------------

new_rg_comparison <- function(tuned, boot, fold_ids, cv, y) {
  metric <- cv$metric
  regression <- cv$target$task == "regression"
  scores <- if (regression) {
    do.call(rbind, lapply(names(tuned), function(m) data.frame(method = m, fold_target_metrics(y, tuned[[m]]$predictions, fold_ids))))
  } else {
    do.call(rbind, lapply(names(tuned), function(m) data.frame(method = m, tuned[[m]]$scores, check.names = FALSE)))
  }
  rownames(scores) <- NULL
  result <- list(scores = scores, summary = comparison_summary(scores, tuned, metric), bootstrap = boot,
                 differences = bootstrap_differences(boot))
  if (regression) {
    predictions <- lapply(tuned, `[[`, "predictions")
    result$metrics <- do.call(rbind, lapply(names(tuned), function(m) {
      data.frame(method = m, target_metrics(y, predictions[[m]]), setting = tuned[[m]]$setting)[
        c("method", "target", "setting", "r2", "mae", "mape")]
    }))
    result$tests <- paired_error_tests(y, predictions)
    result$predictions <- predictions
  }
  structure(c(result, list(task = cv$target$task, folds = fold_ids, metric = metric, cv = cv)),
            class = "rg_comparison")
}

# Per method the mean and SD over folds of `metric` (each fold's mean over targets).
comparison_summary <- function(scores, tuned, metric) {
  fold_values <- stats::aggregate(scores[metric], scores[c("method", "fold")], mean)
  summary <- do.call(rbind, lapply(names(tuned), function(m) {
    v <- fold_values[[metric]][fold_values$method == m]
    setting <- unique(tuned[[m]]$setting)
    data.frame(method = m, mean = mean(v, na.rm = TRUE), sd = stats::sd(v, na.rm = TRUE),
               setting = if (length(setting) == 1L) setting else "per target (see `metrics`)")
  }))
  summary <- summary[order(summary$mean, decreasing = !metric %in% c("mae", "mape")), , drop = FALSE]
  rownames(summary) <- NULL
  summary
}

bootstrap_differences <- function(boot) {
  if (is.null(boot)) return(NULL)
  network <- boot[boot$method == "network", ]
  do.call(rbind, lapply(setdiff(unique(boot$method), "network"), function(m) {
    other <- boot[boot$method == m, ]
    d <- network$value[match(other$boot, network$boot)] - other$value
    ci <- stats::quantile(d, c(0.025, 0.975), type = 5, na.rm = TRUE, names = FALSE)
    data.frame(method = m, difference = mean(d, na.rm = TRUE), lower = ci[[1L]], upper = ci[[2L]],
               excludes_zero = ci[[1L]] > 0 || ci[[2L]] < 0, n_boot = sum(!is.na(d)))
  }))
}

# regression_metrics() per target as a data.frame (`target`, `r2`, `mae`, `mape`).
target_metrics <- function(truth, prediction) {
  m <- matrix(regression_metrics(truth, prediction), ncol(truth), dimnames = list(NULL, c("r2", "mae", "mape")))
  data.frame(target = colnames(truth), m, stringsAsFactors = FALSE)
}

fold_target_metrics <- function(truth, prediction, fold_ids) {
  do.call(rbind, lapply(sort(unique(fold_ids)), function(f) {
    in_fold <- fold_ids == f
    data.frame(fold = f, target_metrics(truth[in_fold, , drop = FALSE], prediction[in_fold, , drop = FALSE]))
  }))
}

# Per target, the network's per-sample absolute errors against each other method's: paired
# Wilcoxon signed-rank test with continuity correction, Bonferroni over one method's targets.
paired_error_tests <- function(truth, predictions) {
  errors <- lapply(predictions, function(p) abs(truth - p))
  do.call(rbind, lapply(setdiff(names(predictions), "network"), function(m) {
    tests <- do.call(rbind, lapply(colnames(truth), function(j) signed_rank_test(errors$network[, j], errors[[m]][, j])))
    tests$p_adjusted <- stats::p.adjust(tests$p_value, method = "bonferroni")
    data.frame(target = colnames(truth), method = m, tests)[
      c("target", "method", "statistic", "p_value", "p_adjusted", "median_difference", "n")]
  }))
}

signed_rank_test <- function(a, b) {
  # wilcox.test warns that ties or zero differences preclude an exact p-value; it then uses
  # the documented normal approximation, which is what we report
  test <- suppressWarnings(stats::wilcox.test(a, b, paired = TRUE, correct = TRUE))
  data.frame(statistic = unname(test$statistic), p_value = test$p.value,
             median_difference = stats::median(a - b), n = length(a))
}

#' @export
print.rg_comparison <- function(x, ...) {
  n_targets <- length(unique(x$scores$target))
  cat(sprintf("Model comparison on the same %d folds (%s%s)\n", max(x$folds), x$metric,
              if (n_targets > 1L) sprintf(", mean over %d targets", n_targets) else ""))
  print(x$summary, row.names = FALSE, digits = 3)
  if (!is.null(x$tests)) {
    cat("\nOut-of-fold metrics per target:\n")
    print(x$metrics[c("method", "target", "r2", "mae", "mape")], row.names = FALSE, digits = 3)
    cat("\nPaired Wilcoxon signed-rank tests of per-sample absolute errors, network vs method",
        "(continuity correction; Bonferroni over each method's targets):\n")
    print(x$tests, row.names = FALSE, digits = 3)
  }
  if (!is.null(x$differences)) {
    cat(sprintf("\nBootstrap differences network - method (%d bootstraps, 95%% percentile intervals):\n",
                max(x$differences$n_boot)))
    print(x$differences[c("method", "difference", "lower", "upper", "excludes_zero")], row.names = FALSE, digits = 3)
  }
  invisible(x)
}

#' @export
summary.rg_comparison <- function(object, ...) object$summary

#' @export
plot.rg_comparison <- function(x, ...) {
  folds <- stats::aggregate(x$scores[x$metric], x$scores[c("method", "fold")], mean)
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    graphics::boxplot(folds[[x$metric]] ~ folds$method, xlab = "", ylab = x$metric)
    return(invisible(x))
  }
  scores <- data.frame(method = factor(folds$method, levels = x$summary$method), value = folds[[x$metric]])
  p <- ggplot2::ggplot(scores, ggplot2::aes(x = .data$method, y = .data$value)) +
    ggplot2::geom_boxplot(outlier.shape = NA) + ggplot2::geom_jitter(width = 0.15, alpha = 0.6) +
    ggplot2::labs(x = NULL, y = sprintf("%s per fold", x$metric), title = "Cross-validation by method") +
    ggplot2::theme_minimal()
  panels <- list(scores = p, differences = if (!is.null(x$differences)) differences_panel(x),
                 tests = if (!is.null(x$tests)) tests_panel(x$tests))
  structure(panels[!vapply(panels, is.null, logical(1))], class = "rg_comparison_plot")
}

differences_panel <- function(x) {
  ggplot2::ggplot(x$differences, ggplot2::aes(x = .data$difference, y = .data$method)) +
    ggplot2::geom_vline(xintercept = 0, linetype = 2) +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0.2) +
    ggplot2::geom_point() +
    ggplot2::labs(x = sprintf("network - method, bootstrap %s difference (95%% interval)", x$metric), y = NULL) +
    ggplot2::theme_minimal()
}

tests_panel <- function(tests) {
  tests$significant <- !is.na(tests$p_adjusted) & tests$p_adjusted < 0.05
  ggplot2::ggplot(tests, ggplot2::aes(x = .data$median_difference, y = .data$target, colour = .data$method,
                                      shape = .data$significant)) +
    ggplot2::geom_vline(xintercept = 0, linetype = 2) +
    ggplot2::geom_point(size = 2) +
    ggplot2::scale_shape_manual(values = c(`FALSE` = 1, `TRUE` = 16), name = "Bonferroni p < 0.05") +
    ggplot2::labs(x = "median per-sample |error| difference, network - method", y = NULL, colour = NULL) +
    ggplot2::theme_minimal()
}

#' @export
print.rg_comparison_plot <- function(x, ...) {
  for (panel in x) print(panel)
  invisible(x)
}
