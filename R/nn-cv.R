#' Cross-validate networks over a grid of settings
#'
#' Trains one network per fold × grid point (× repeat) and scores it on the samples it did not
#' see. Folds are stratified by class ([make_folds()]; unstratified for regression) or given by
#' the user. Every fold learns its own gene standardization from its training samples only (or
#' uses the pretrained autoencoder's, as the reference did), so nothing of a validation fold leaks
#' into its model.
#'
#' @section Early stopping inside cross-validation:
#' - `"inner"` (default): each training fold holds out a stratified `inner_split` of its samples
#'   for early stopping; the outer validation fold is only scored. An honest estimate.
#' - `"validation"`: early stopping watches the outer validation fold itself and the best epoch's
#'   weights are kept — the reference implementation's procedure (its reported CV AUC is the best
#'   epoch's validation AUC), which is optimistic.
#' - `"none"`: train for `control$epochs` epochs.
#'
#' @section Grid:
#' `grid` is a data.frame, one row per setting; its columns are arguments of [fit_network()]
#' (`hidden` as a list column, `activation`, `dropout`, `transfer_layers`, `freeze_layers`) or of
#' [nn_control()] (`optimizer`, `learning_rate`, `batch_size`, `epochs`, ...). Settings not in the
#' grid come from the other arguments. For example
#' `expand.grid(hidden = list(c(64, 32), 128), dropout = c(0, 0.4), optimizer = c("adam", "adadelta"))`.
#'
#' @section Parallel and cluster execution:
#' The fold × grid-point × repeat fits are independent jobs. With `BPPARAM` (a BiocParallel
#' backend: `MulticoreParam()`, `SnowParam()`, `BatchtoolsParam()` for cluster schedulers) they
#' run on its workers, each with one Rust thread unless `control$n_threads` says otherwise when
#' `BPPARAM` is given explicitly. Every job has its own seed derived from `seed`, so the results
#' do not depend on the backend.
#'
#' @param x Expression, genes × samples (matrix, data.frame or `SummarizedExperiment`).
#' @param y The target, as for [fit_network()]: a factor, logical or numeric vector, or a
#'   numeric samples × targets matrix / data.frame for several continuous targets (one network
#'   with one linear output per target); names matched to the samples when present.
#' @param folds Number of folds, or one fold id per sample.
#' @param grid A data.frame of settings to compare (see the section); `NULL` = one setting.
#' @param stratify Stratify the folds by class.
#' @param repeats Repeat the cross-validation with new folds.
#' @param seed Random seed for folds and networks; `NULL` draws one from R's RNG.
#' @param metric The metric that ranks the settings: `"auc"` (classification; micro-averaged for
#'   several classes) or `"r2"` (regression; with several targets the mean over targets) by
#'   default; any column of the results.
#' @param early_stopping `"inner"`, `"validation"` or `"none"` (see the section).
#' @param inner_split Fraction of each training fold held out for early stopping (`"inner"`).
#' @param hidden,activation,dropout,pretrained,transfer_layers,freeze_layers,positive,task
#'   Network settings, as in [fit_network()].
#' @param control Training options ([nn_control()]); its `seed` is replaced per job.
#' @param BPPARAM A BiocParallel backend; `NULL` runs the jobs one after the other.
#' @param keep_models Keep every fold's fitted network (in `$models`, in the order of `$results`).
#' @param verbose Report each finished job.
#' @param assay For a `SummarizedExperiment` `x`, which assay.
#' @return An `rg_cv` object, a list with
#'   - `results`: one row per grid point × repeat × fold: `point`, `repeat`, `fold`, `n_train`,
#'     `n_validation`, the metrics (`auc`, `ap`, `accuracy`, and `macro_auc` for several classes;
#'     `r2`, `mae`, `mape` for regression, averaged over targets when there are several) and
#'     `best_epoch`;
#'   - `summary`: per grid point the mean and SD of every metric over folds, the pooled
#'     out-of-fold metric (`pooled_<metric>`), ranked by `metric`;
#'   - `grid`: the settings (one row per point), `best`: the index of the best point;
#'   - `predictions`: out-of-fold predicted probabilities (or values) of the best point, samples ×
#'     outputs (first repeat);
#'   - `folds`: fold ids (samples × repeats); `target`: task, classes, positive class;
#'   - `settings`: the arguments used, for [refit()]; `models` with `keep_models = TRUE`.
#'
#'   Methods: `print()`, `summary()`, `plot()`, [best_params()], [refit()].
#' @examples
#' cohort <- simulate_cohort(n_samples = 90, n_genes = 200, traits = "binary", seed = 1)
#' cv <- cross_validate(cohort$expression, cohort$traits$binary, folds = 3,
#'                      grid = data.frame(dropout = c(0, 0.3)), hidden = 8,
#'                      control = nn_control(epochs = 15, optimizer = "adam", patience = 5,
#'                                           verbose = FALSE), seed = 1, verbose = FALSE)
#' cv
#' best_params(cv)
#' @export
cross_validate <- function(x, y, folds = 10, grid = NULL, stratify = TRUE, repeats = 1, seed = NULL,
                           metric = NULL, early_stopping = c("inner", "validation", "none"),
                           inner_split = 0.2, hidden = c(4000, 2000, 1000), activation = "tanh",
                           dropout = 0, pretrained = NULL, transfer_layers = NULL, freeze_layers = 0,
                           control = nn_control(verbose = FALSE), positive = NULL, task = NULL,
                           BPPARAM = NULL, keep_models = FALSE, verbose = TRUE, assay = 1L) {
  x <- as_expression_matrix(x, assay)
  control <- as_nn_control(control)
  check_flag(keep_models, "keep_models")
  check_flag(stratify, "stratify")
  check_number(repeats, "repeats", min = 1, integer = TRUE)
  check_flag(verbose, "verbose")
  check_number(inner_split, "inner_split", min = 0.05, max = 0.5)
  early_stopping <- check_choice(early_stopping[[1L]], "early_stopping", c("inner", "validation", "none"))
  seed <- resolve_seed(seed)
  y <- cv_trait(y, task)
  target <- nn_target(y, colnames(x), positive = positive, task = task)
  y <- align_samples(y, colnames(x), "y")
  metric <- metric %||% if (target$task == "regression") "r2" else "auc"

  settings <- list(hidden = hidden, activation = activation, dropout = dropout, pretrained = pretrained,
                   transfer_layers = transfer_layers, freeze_layers = freeze_layers, control = control,
                   positive = target$positive, task = target$task, early_stopping = early_stopping,
                   inner_split = inner_split)
  points <- grid_points(grid, settings)
  strata <- if (target$task == "regression") rep(0L, ncol(x)) else target$labels
  fold_ids <- vapply(seq_len(repeats), function(r) {
    if (length(folds) == 1L) rust_result(rg_stratified_folds(if (stratify) strata + 1L else rep(1L, ncol(x)), folds, seed, r - 1))
    else resolve_folds(folds, y, stratify, seed)
  }, integer(ncol(x)))
  fold_ids <- matrix(fold_ids, ncol = repeats, dimnames = list(colnames(x), paste0("repeat", seq_len(repeats))))

  jobs <- cv_jobs(points, fold_ids, seed)
  threads <- if (is.null(BPPARAM)) control$n_threads else 1L
  outcomes <- run_jobs(jobs, cv_job, BPPARAM, verbose, x = x, y = y, fold_ids = fold_ids,
                       points = points, target = target, threads = threads, keep_model = keep_models)
  cv <- new_rg_cv(outcomes, jobs, points, grid, fold_ids, target, metric, settings, seed, y)
  if (keep_models) cv$models <- lapply(outcomes, `[[`, "model")
  cv
}

# A one-column data.frame as a named vector; several columns are an error.
single_trait <- function(y, arg = "y") {
  if (is.matrix(y) && ncol(y) > 1L || is.data.frame(y) && ncol(y) != 1L) {
    rg_abort(sprintf(paste("`%s` must be one trait (a vector), or a numeric samples x targets matrix for",
                           "several continuous targets; loop over the columns of a table of class labels."), arg))
  }
  if (is.data.frame(y)) y <- stats::setNames(y[[1L]], if (.row_names_info(y) > 0L) rownames(y))
  y
}

# One trait, or several continuous targets as a numeric samples x targets matrix (a network
# with one linear output per target, as fit_network() fits).
cv_trait <- function(y, task = NULL, arg = "y") {
  several <- (is.matrix(y) || is.data.frame(y)) && ncol(y) > 1L
  numeric <- if (is.data.frame(y)) all(vapply(y, is.numeric, logical(1))) else is.numeric(y)
  if (!several || !numeric || !is.null(task) && task != "regression") return(single_trait(y, arg))
  if (is.data.frame(y)) {
    ids <- if (.row_names_info(y) > 0L) rownames(y)
    y <- as.matrix(y)
    rownames(y) <- ids
  }
  y
}

# Samples `i` of a target vector or samples x targets matrix.
sample_rows <- function(y, i) if (is.matrix(y)) y[i, , drop = FALSE] else y[i]

# ---- grid ------------------------------------------------------------------------------------

network_args <- c("hidden", "activation", "dropout", "transfer_layers", "freeze_layers")

# One list of fit settings per grid row (the base settings overridden by the row).
grid_points <- function(grid, settings) {
  if (is.null(grid)) return(list(settings))
  if (!is.data.frame(grid) || nrow(grid) == 0L) rg_abort("`grid` must be a data.frame with at least one row.")
  control_args <- setdiff(names(formals(nn_control)), c("seed", "verbose"))
  unknown <- setdiff(names(grid), c(network_args, control_args))
  if (length(unknown)) {
    rg_abort(sprintf("`grid` has columns that are not network or nn_control() settings: %s.", paste(unknown, collapse = ", ")))
  }
  lapply(seq_len(nrow(grid)), function(i) {
    point <- settings
    for (name in names(grid)) {
      value <- grid[[name]][[i]]
      if (name %in% network_args) point[[name]] <- value else point$control[[name]] <- value
    }
    point$control <- do.call(nn_control, unclass(point$control))  # re-validate the changed options
    point
  })
}

grid_labels <- function(grid, n_points) {
  if (is.null(grid)) return("default")
  vapply(seq_len(n_points), function(i) paste(vapply(names(grid), function(name)
    paste0(name, "=", paste(format(grid[[name]][[i]]), collapse = "/")), character(1)), collapse = ", "), character(1))
}

# ---- jobs ------------------------------------------------------------------------------------

cv_jobs <- function(points, fold_ids, seed) {
  jobs <- expand.grid(fold = seq_len(max(fold_ids)), rep = seq_len(ncol(fold_ids)), point = seq_along(points))
  jobs <- jobs[jobs$fold <= apply(fold_ids, 2L, max)[jobs$rep], c("point", "rep", "fold")]
  # one seed per job, the same whichever backend runs it
  jobs$seed <- (seed + 7919 * seq_len(nrow(jobs))) %% (2^31 - 1)
  rownames(jobs) <- NULL
  jobs
}

# Runs `fun(job, ...)` for every row of `jobs`, serially or on a BiocParallel backend.
run_jobs <- function(jobs, fun, BPPARAM, verbose, ...) {
  job_list <- split(jobs, seq_len(nrow(jobs)))
  if (is.null(BPPARAM)) {
    return(lapply(seq_along(job_list), function(i) {
      out <- fun(job_list[[i]], ...)
      if (verbose) message(sprintf("job %d/%d: %s", i, length(job_list), out$label))
      out
    }))
  }
  if (!requireNamespace("BiocParallel", quietly = TRUE)) {
    rg_abort("`BPPARAM` needs the BiocParallel package.")
  }
  BiocParallel::bplapply(job_list, fun, ..., BPPARAM = BPPARAM)
}

cv_job <- function(job, x, y, fold_ids, points, target, threads, keep_model = FALSE) {
  point <- points[[job$point]]
  in_validation <- fold_ids[, job$rep] == job$fold
  control <- point$control
  control$seed <- job$seed
  control$n_threads <- threads
  control$verbose <- FALSE
  validation_data <- NULL
  if (point$early_stopping == "inner") {
    control$validation_split <- point$inner_split
  } else if (point$early_stopping == "validation") {
    validation_data <- list(x = x[, in_validation, drop = FALSE], y = sample_rows(y, in_validation))
  } else {
    control$early_stopping <- FALSE
  }
  fit <- fit_network(x[, !in_validation, drop = FALSE], sample_rows(y, !in_validation), hidden = point$hidden,
                     activation = point$activation, dropout = point$dropout, pretrained = point$pretrained,
                     transfer_layers = point$transfer_layers, freeze_layers = point$freeze_layers,
                     control = control, validation_data = validation_data, positive = point$positive,
                     task = point$task)
  prediction <- stats::predict(fit, x[, in_validation, drop = FALSE], type = "prob")
  scores <- score_predictions(target, sample_rows(y, in_validation), prediction)
  list(samples = which(in_validation), prediction = prediction, model = if (keep_model) fit,
       row = data.frame(point = job$point, `repeat` = job$rep, fold = job$fold,
                        n_train = sum(!in_validation), n_validation = sum(in_validation),
                        as.list(scores), best_epoch = fit$best_epoch, check.names = FALSE),
       label = sprintf("point %d, repeat %d, fold %d: %s", job$point, job$rep, job$fold,
                       paste(sprintf("%s %.3f", names(scores), scores), collapse = ", ")))
}

# Metrics of predictions against the truth, the same for every method (networks and the
# comparison models): binary auc/ap/accuracy of the positive class; several classes micro auc/ap,
# macro auc and argmax accuracy; regression r2/mae/mape (the mean over several targets).
score_predictions <- function(target, truth, prediction) {
  if (target$task == "regression") {
    n <- NROW(truth)
    per_target <- regression_metrics(matrix(as.double(truth), n), matrix(as.double(prediction), n))
    return(if (is.matrix(per_target)) colMeans(per_target) else per_target)
  }
  truth <- as.character(truth)
  if (target$task == "binary") {
    positive <- truth == target$positive
    p <- if (is.matrix(prediction)) prediction[, ncol(prediction)] else prediction
    if (length(unique(positive)) < 2L) return(c(auc = NA, ap = NA, accuracy = mean((p > 0.5) == positive)))
    return(c(auc = roc_auc(positive, p), ap = average_precision(positive, p),
             accuracy = mean((p > 0.5) == positive)))
  }
  prediction <- prediction[, target$classes, drop = FALSE]
  onehot <- outer(truth, target$classes, `==`)
  accuracy <- mean(target$classes[max.col(prediction, ties.method = "first")] == truth)
  present <- colSums(onehot) > 0 & colSums(onehot) < nrow(onehot)
  macro <- mean(vapply(which(present), function(k) roc_auc(onehot[, k], prediction[, k]), numeric(1)))
  c(auc = roc_auc(as.vector(onehot), as.vector(prediction)),
    ap = average_precision(as.vector(onehot), as.vector(prediction)),
    macro_auc = macro, accuracy = accuracy)
}

# ---- result ----------------------------------------------------------------------------------

new_rg_cv <- function(outcomes, jobs, points, grid, fold_ids, target, metric, settings, seed, y) {
  results <- do.call(rbind, lapply(outcomes, `[[`, "row"))
  rownames(results) <- NULL
  if (!metric %in% names(results)) {
    rg_abort(sprintf("`metric` must be one of %s.", paste(setdiff(names(results), c("point", "repeat", "fold", "n_train", "n_validation")), collapse = ", ")))
  }
  pooled <- vapply(seq_along(points), function(p) {
    scores <- score_predictions(target, y, out_of_fold(outcomes, jobs, p, rep = 1L, n = NROW(y)))
    scores[[metric]]
  }, numeric(1))
  summary <- summarise_cv(results, metric, grid_labels(grid, length(points)), pooled)
  best <- summary$point[[1L]]
  predictions <- out_of_fold(outcomes, jobs, best, rep = 1L, n = NROW(y))
  rownames(predictions) <- rownames(fold_ids)
  structure(list(results = results, summary = summary, grid = grid, best = best,
                 predictions = predictions, folds = fold_ids,
                 target = target[c("task", "classes", "positive")], metric = metric,
                 settings = settings, points = points, seed = seed),
            class = "rg_cv")
}

# Out-of-fold predictions of one grid point and repeat, samples × outputs.
out_of_fold <- function(outcomes, jobs, point, rep, n) {
  chosen <- which(jobs$point == point & jobs$rep == rep)
  first <- outcomes[[chosen[[1L]]]]$prediction
  width <- NCOL(first)
  prediction <- matrix(NA_real_, n, width, dimnames = list(NULL, colnames(first)))
  for (i in chosen) prediction[outcomes[[i]]$samples, ] <- outcomes[[i]]$prediction
  prediction
}

summarise_cv <- function(results, metric, labels, pooled) {
  metric_columns <- setdiff(names(results), c("point", "repeat", "fold", "n_train", "n_validation"))
  rows <- lapply(split(results, results$point), function(r) {
    means <- vapply(metric_columns, function(m) mean(r[[m]], na.rm = TRUE), numeric(1))
    sds <- vapply(metric_columns, function(m) stats::sd(r[[m]], na.rm = TRUE), numeric(1))
    data.frame(point = r$point[[1L]], setting = labels[[r$point[[1L]]]], as.list(means),
               stats::setNames(as.list(sds), paste0(metric_columns, "_sd")), check.names = FALSE)
  })
  summary <- do.call(rbind, rows)
  summary[[paste0("pooled_", metric)]] <- pooled[summary$point]
  decreasing <- !metric %in% c("mae", "mape", "loss")
  summary <- summary[order(summary[[metric]], decreasing = decreasing), , drop = FALSE]
  rownames(summary) <- NULL
  summary
}

# ---- methods ---------------------------------------------------------------------------------

#' @export
print.rg_cv <- function(x, ...) {
  n_folds <- max(x$folds)
  cat(sprintf("Cross-validation of a %s network: %d folds x %d repeat(s), %d setting(s), early stopping: %s\n",
              x$target$task, n_folds, ncol(x$folds), length(x$points), x$settings$early_stopping))
  columns <- c("setting", intersect(c(x$metric, paste0(x$metric, "_sd"), paste0("pooled_", x$metric)), names(x$summary)))
  others <- setdiff(names(x$summary), c("point", columns))
  others <- others[!grepl("_sd$", others)]
  print(utils::head(x$summary[c(columns, others)], 10L), row.names = FALSE, digits = 3)
  cat(sprintf("Best: %s\n", x$summary$setting[[1L]]))
  invisible(x)
}

#' @export
summary.rg_cv <- function(object, ...) object$summary

#' Best settings of a cross-validation
#'
#' @param cv An `rg_cv` object from [cross_validate()].
#' @return A list of the best grid point's settings (network arguments and `control`).
#' @export
best_params <- function(cv) {
  if (!inherits(cv, "rg_cv")) rg_abort(sprintf("`cv` must be an `rg_cv` object, not %s.", describe(cv)))
  point <- cv$points[[cv$best]]
  point[c(network_args, "control")]
}

#' Refit the best setting on all samples
#'
#' Trains the best grid point of a cross-validation on every sample. There is no validation set
#' left, so the number of epochs comes from the folds: the median of the best grid point's
#' per-fold best epochs (rounded, at least 1), trained without early stopping. (The reference
#' implementation instead stopped on the training AUC, which reaches 1 within a few epochs.)
#'
#' @param object An `rg_cv` object.
#' @param x,y The data used for the cross-validation (or the same genes and trait on more
#'   samples).
#' @param epochs Override the number of epochs.
#' @param ... Unused.
#' @return An `rg_network`.
#' @export
refit <- function(object, ...) UseMethod("refit")

#' @rdname refit
#' @export
refit.rg_cv <- function(object, x, y, epochs = NULL, ...) {
  point <- object$points[[object$best]]
  if (is.null(epochs)) {
    best_epochs <- object$results$best_epoch[object$results$point == object$best]
    epochs <- max(1L, as.integer(round(stats::median(best_epochs))))
  }
  check_number(epochs, "epochs", min = 1, integer = TRUE)
  control <- point$control
  control$epochs <- epochs
  control$early_stopping <- FALSE
  control$validation_split <- 0
  control$seed <- object$seed
  fit_network(x, cv_trait(y, point$task), hidden = point$hidden, activation = point$activation, dropout = point$dropout,
              pretrained = point$pretrained, transfer_layers = point$transfer_layers,
              freeze_layers = point$freeze_layers, control = control, positive = point$positive,
              task = point$task)
}

#' @export
plot.rg_cv <- function(x, metric = x$metric, ...) {
  if (!metric %in% names(x$results)) rg_abort(sprintf("`metric` \"%s\" is not a column of the results.", metric))
  labels <- x$summary$setting[match(x$results$point, x$summary$point)]
  labels <- factor(labels, levels = rev(x$summary$setting))
  if (requireNamespace("ggplot2", quietly = TRUE)) {
    data <- data.frame(setting = labels, value = x$results[[metric]])
    return(ggplot2::ggplot(data, ggplot2::aes(x = .data$value, y = .data$setting)) +
             ggplot2::geom_boxplot(outlier.shape = NA) +
             ggplot2::geom_jitter(height = 0.15, alpha = 0.6) +
             ggplot2::labs(x = sprintf("%s per fold", metric), y = NULL,
                           title = "Cross-validation by setting") +
             ggplot2::theme_minimal())
  }
  graphics::boxplot(x$results[[metric]] ~ labels, horizontal = TRUE, las = 1, xlab = metric, ylab = "")
  invisible(x)
}
