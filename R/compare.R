#' Compare the network with standard classifiers on the same folds
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
#' @inheritParams cross_validate
#' @param methods Which methods to compare; `"network"` is the reference of the differences.
#' @param n_boot Number of bootstraps (0 = none). Each bootstrap refits every method on every
#'   fold: `n_boot × folds × methods` fits.
#' @param ... Network settings passed to [cross_validate()] (`hidden`, `activation`, `dropout`,
#'   `control`, `grid`, `early_stopping`, ...).
#' @return An `rg_comparison` object, a list with
#'   - `scores`: per method and fold the selected setting's metrics (`method`, `fold`, `auc`,
#'     `ap`, `accuracy`, ... as in [cross_validate()]);
#'   - `summary`: per method the mean and SD over folds and the selected setting;
#'   - `bootstrap`: per method and bootstrap the mean score over folds;
#'   - `differences`: per comparison method the mean paired difference network − method, its 95%
#'     interval and whether the interval excludes 0;
#'   - `folds`, `metric`, `cv` (the network's `rg_cv`).
#'
#'   Methods: `print()`, `plot()` (CV scores per method and bootstrap differences with
#'   intervals, like the paper's Figure 4).
#' @examples
#' \donttest{
#' cohort <- simulate_cohort(n_samples = 80, n_genes = 200, traits = "interaction", seed = 1)
#' cmp <- compare_models(cohort$expression, cohort$traits$interaction, folds = 3,
#'                       methods = c("network", "glmnet"), n_boot = 5, hidden = 16,
#'                       control = nn_control(epochs = 30, optimizer = "adam", verbose = FALSE),
#'                       seed = 1, verbose = FALSE)
#' cmp
#' }
#' @export
compare_models <- function(x, y, folds = 10, methods = c("network", "glmnet", "ranger", "svm", "gbm"),
                           n_boot = 100, seed = NULL, metric = NULL, BPPARAM = NULL, verbose = TRUE,
                           assay = 1L, ...) {
  x <- as_expression_matrix(x, assay)
  check_number(n_boot, "n_boot", min = 0, integer = TRUE)
  check_flag(verbose, "verbose")
  methods <- available_methods(methods)
  seed <- resolve_seed(seed)
  y <- single_trait(y)
  y <- align_samples(y, colnames(x), "y")

  cv <- cross_validate(x, y, folds = folds, seed = seed, metric = metric, BPPARAM = BPPARAM,
                       verbose = verbose, ...)
  metric <- cv$metric
  target <- cv$target
  fold_ids <- cv$folds[, 1L]
  scores <- list(network = cv_scores_of_best(cv))
  selected <- list(network = cv$summary$setting[[1L]])
  for (method in setdiff(methods, "network")) {
    if (verbose) message(sprintf("compare_models: %s on %d folds", method, max(fold_ids)))
    tuned <- tune_method(method, x, y, fold_ids, target, metric)
    scores[[method]] <- tuned$scores
    selected[[method]] <- tuned$label
    attr(selected, method) <- tuned$candidate
  }
  score_table <- do.call(rbind, lapply(names(scores), function(m) data.frame(method = m, scores[[m]], check.names = FALSE)))
  boot <- if (n_boot > 0 && "network" %in% methods) {
    bootstrap_methods(x, y, fold_ids, cv, target, metric, methods, selected, n_boot, seed, BPPARAM, verbose)
  }
  new_rg_comparison(score_table, selected, boot, fold_ids, metric, cv)
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

cv_scores_of_best <- function(cv) {
  r <- cv$results[cv$results$point == cv$best & cv$results[["repeat"]] == 1L, , drop = FALSE]
  r[setdiff(names(r), c("point", "repeat", "n_train", "n_validation", "best_epoch"))]
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

# Scores every candidate on every fold; selects the best mean score.
tune_method <- function(method, x, y, fold_ids, target, metric) {
  candidates <- method_candidates(method, x, target)
  extra <- method_extra(method, x, y, target, seed = 1L)
  per_fold <- lapply(sort(unique(fold_ids)), function(f) {
    train <- fold_ids != f
    lapply(candidates, function(candidate) {
      predictions <- fit_predict_candidate(method, candidate, t(x[, train, drop = FALSE]), y[train],
                                           t(x[, !train, drop = FALSE]), target, extra)
      lapply(predictions, function(p) score_predictions(target, y[!train], p))
    })
  })
  # one model fit can give several settings (a lambda path, several tree counts)
  owner <- rep(seq_along(candidates), lengths(per_fold[[1L]]))
  per_fold <- lapply(per_fold, unlist, recursive = FALSE)
  labels <- names(per_fold[[1L]])
  mean_score <- vapply(seq_along(labels), function(l) mean(vapply(per_fold, function(s) s[[l]][[metric]], numeric(1)), na.rm = TRUE), numeric(1))
  best <- if (metric %in% c("mae", "mape")) which.min(mean_score) else which.max(mean_score)
  scores <- do.call(rbind, lapply(seq_along(per_fold), function(f) data.frame(fold = f, as.list(per_fold[[f]][[best]]))))
  list(scores = scores, label = labels[[best]], candidate = candidates[[owner[[best]]]])
}

# ---- bootstrap -------------------------------------------------------------------------------

bootstrap_methods <- function(x, y, fold_ids, cv, target, metric, methods, selected, n_boot, seed, BPPARAM, verbose) {
  strata <- if (target$task == "regression") rep(1L, length(y)) else as.integer(factor(y))
  jobs <- expand.grid(fold = sort(unique(fold_ids)), boot = seq_len(n_boot))
  network_epochs <- max(1L, as.integer(round(stats::median(cv$results$best_epoch[cv$results$point == cv$best]))))
  outcomes <- run_jobs(jobs, bootstrap_job, BPPARAM, verbose = FALSE, x = x, y = y, fold_ids = fold_ids,
                       strata = strata, cv = cv, target = target, metric = metric, methods = methods,
                       selected = selected, seed = seed, network_epochs = network_epochs)
  table <- do.call(rbind, lapply(outcomes, `[[`, "row"))
  stats::aggregate(value ~ method + boot, data = table, FUN = mean)
}

bootstrap_job <- function(job, x, y, fold_ids, strata, cv, target, metric, methods, selected, seed, network_epochs) {
  train <- which(fold_ids != job$fold)
  validation <- which(fold_ids == job$fold)
  draw <- rust_result(rg_bootstrap(train, validation, strata, seed, (job$boot - 1) * max(fold_ids) + job$fold - 1))
  xt <- x[, draw$train, drop = FALSE]
  colnames(xt) <- make.unique(colnames(xt))
  yt <- unname(y[draw$train])
  yv <- unname(y[draw$validation])
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
      candidate <- attr(selected, method)
      extra <- method_extra(method, x, y, target, seed = job$boot)
      predictions <- fit_predict_candidate(method, candidate, t(xt), yt, t(xv), target, extra)
      predictions[[selected[[method]]]]
    }
    data.frame(method = method, boot = job$boot, fold = job$fold,
               value = score_predictions(target, yv, prediction)[[metric]])
  })
  list(row = do.call(rbind, rows))
}

# ---- result ----------------------------------------------------------------------------------

new_rg_comparison <- function(scores, selected, boot, fold_ids, metric, cv) {
  summary <- do.call(rbind, lapply(split(scores, scores$method), function(s) {
    data.frame(method = s$method[[1L]], mean = mean(s[[metric]], na.rm = TRUE), sd = stats::sd(s[[metric]], na.rm = TRUE),
               setting = selected[[s$method[[1L]]]])
  }))
  summary <- summary[order(summary$mean, decreasing = !metric %in% c("mae", "mape")), , drop = FALSE]
  rownames(summary) <- NULL
  differences <- NULL
  if (!is.null(boot)) {
    network <- boot[boot$method == "network", ]
    differences <- do.call(rbind, lapply(setdiff(unique(boot$method), "network"), function(m) {
      other <- boot[boot$method == m, ]
      d <- network$value[match(other$boot, network$boot)] - other$value
      ci <- stats::quantile(d, c(0.025, 0.975), type = 5, na.rm = TRUE, names = FALSE)
      data.frame(method = m, difference = mean(d, na.rm = TRUE), lower = ci[[1L]], upper = ci[[2L]],
                 excludes_zero = ci[[1L]] > 0 || ci[[2L]] < 0, n_boot = sum(!is.na(d)))
    }))
  }
  structure(list(scores = scores, summary = summary, bootstrap = boot, differences = differences,
                 folds = fold_ids, metric = metric, cv = cv),
            class = "rg_comparison")
}

#' @export
print.rg_comparison <- function(x, ...) {
  cat(sprintf("Model comparison on the same %d folds (%s)\n", max(x$folds), x$metric))
  print(x$summary, row.names = FALSE, digits = 3)
  if (!is.null(x$differences)) {
    cat(sprintf("\nBootstrap differences network - method (%d bootstraps, 95%% percentile intervals):\n",
                max(x$differences$n_boot)))
    print(x$differences[c("method", "difference", "lower", "upper", "excludes_zero")], row.names = FALSE, digits = 3)
  }
  invisible(x)
}

#' @export
plot.rg_comparison <- function(x, ...) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    graphics::boxplot(x$scores[[x$metric]] ~ x$scores$method, xlab = "", ylab = x$metric)
    return(invisible(x))
  }
  scores <- data.frame(method = factor(x$scores$method, levels = x$summary$method), value = x$scores[[x$metric]])
  p <- ggplot2::ggplot(scores, ggplot2::aes(x = .data$method, y = .data$value)) +
    ggplot2::geom_boxplot(outlier.shape = NA) + ggplot2::geom_jitter(width = 0.15, alpha = 0.6) +
    ggplot2::labs(x = NULL, y = sprintf("%s per fold", x$metric), title = "Cross-validation by method") +
    ggplot2::theme_minimal()
  if (is.null(x$differences)) return(p)
  d <- x$differences
  q <- ggplot2::ggplot(d, ggplot2::aes(x = .data$difference, y = .data$method)) +
    ggplot2::geom_vline(xintercept = 0, linetype = 2) +
    ggplot2::geom_errorbarh(ggplot2::aes(xmin = .data$lower, xmax = .data$upper), height = 0.2) +
    ggplot2::geom_point() +
    ggplot2::labs(x = sprintf("network - method, bootstrap %s difference (95%% interval)", x$metric), y = NULL) +
    ggplot2::theme_minimal()
  structure(list(scores = p, differences = q), class = "rg_comparison_plot")
}

#' @export
print.rg_comparison_plot <- function(x, ...) {
  print(x$scores)
  print(x$differences)
  invisible(x)
}
