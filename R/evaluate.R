#' Evaluate a fitted model on an external test cohort
#'
#' Predicts the test cohort with the fitted model — which applies the training cohort's
#' standardization itself — and scores the predictions against the test labels: ROC AUC, average
#' precision and accuracy per class, plus micro and macro averages for several classes. Test
#' labels can be prepared with the training cohort's cut points and positive classes, by giving
#' `predict(train_traits, test_annotations)` as `y_test`, or the raw annotations as `y_test`
#' together with `traits = train_traits`.
#'
#' Any model works that has a `predict(model, newdata, type = "prob")` method returning a
#' samples × classes probability matrix (or a vector of positive-class probabilities for a binary
#' trait), such as an `rg_network`.
#'
#' @section Metrics:
#' - `auc`: [roc_auc()], one-vs-rest per class; micro = the flattened one-hot truth and scores;
#'   macro = the mean of the per-class values.
#' - `ap`: [average_precision()], averaged the same way.
#' - `accuracy`: binary and multi-label, a class is predicted when its probability exceeds
#'   `threshold` (per class; micro = over all sample × class cells). Multi-class, the predicted
#'   class is the most probable one (argmax): per class the one-vs-rest accuracy of that
#'   prediction, micro = the overall argmax accuracy.
#'
#' @param model A fitted model with a `predict(model, newdata, type = "prob")` method.
#' @param x_test The test cohort's predictors, as `predict(model, newdata = x_test)` expects
#'   them (for an `rg_network`, genes × samples expression).
#' @param y_test The test labels: a factor (second level positive when binary), logical or 0/1
#'   vector; a 0/1 samples × traits matrix (multi-label); a data.frame of trait columns; or an
#'   `rg_traits` object. Matched to the predictions by sample IDs (names / row names) when both
#'   have them, else by position.
#' @param trait Which trait column(s) of a data.frame / `rg_traits` `y_test` to use; by default the
#'   only one, or the columns named like the prediction matrix's columns.
#' @param traits An `rg_traits` object from the training cohort: `y_test` holds raw annotations
#'   that are prepared with its cut points and positive classes.
#' @param threshold Probability above which a class is predicted (accuracy only).
#' @param verbose Report test samples left out for lack of a label.
#' @param ... Passed to `predict()`.
#' @return An `rg_evaluation` object: a list with
#'   - `table`: data.frame with `class`, `n`, `n_positive`, `auc`, `ap`, `accuracy`; one row per
#'     class (for a binary trait, the positive class), then `micro` and `macro` for several;
#'   - `task`: `"binary"`, `"multiclass"` or `"multilabel"`;
#'   - `truth`: logical samples × classes matrix; `score`: the matching probabilities;
#'   - `dropped`: data.frame (`sample`, `reason`) of predicted samples without a usable label;
#'   - `threshold`.
#'
#'   Methods: `print()`, `plot()` (ROC curves; ggplot2 when installed), `as.data.frame()`.
#' @examples
#' # any model with predict(type = "prob") works; here a fixed logistic score
#' set.seed(1)
#' x <- matrix(rnorm(200), 2, 100, dimnames = list(c("g1", "g2"), paste0("s", 1:100)))
#' y <- factor(ifelse(x[1, ] + rnorm(100) > 0, "high", "low"), levels = c("low", "high"))
#' model <- structure(list(w = c(1, 0)), class = "toy_model")
#' predict.toy_model <- function(object, newdata, type = "prob", ...) {
#'   stats::plogis(drop(object$w %*% newdata))
#' }
#' ev <- evaluate(model, x, stats::setNames(y, colnames(x)))
#' ev
#' plot(ev)
#' @export
evaluate <- function(model, x_test, y_test, trait = NULL, traits = NULL, threshold = 0.5,
                     verbose = TRUE, ...) {
  check_number(threshold, "threshold", min = 0, max = 1)
  check_flag(verbose, "verbose")
  if (!is.null(traits)) {
    if (!inherits(traits, "rg_traits")) {
      rg_abort(sprintf("`traits` must be an `rg_traits` object from prepare_traits(), not %s.", describe(traits)))
    }
    if (!inherits(y_test, "rg_traits")) y_test <- stats::predict(traits, y_test, verbose = FALSE)
  }
  score <- prediction_matrix(stats::predict(model, newdata = x_test, type = "prob", ...))
  labels <- select_labels(y_test, trait, colnames(score))
  aligned <- align_predictions(score, labels)
  task <- evaluation_task(aligned$labels, aligned$score)

  result <- structure(list(table = evaluation_table(task, threshold), task = task$type,
                           truth = task$truth, score = task$score, dropped = aligned$dropped,
                           threshold = threshold),
                      class = "rg_evaluation")
  if (verbose && nrow(aligned$dropped)) {
    message(sprintf("evaluate: %d test sample%s left out without a usable label (see `$dropped`).",
                    nrow(aligned$dropped), if (nrow(aligned$dropped) > 1) "s" else ""))
  }
  result
}

# ---- predictions and labels ----------------------------------------------------------------

prediction_matrix <- function(p) {
  if (is.data.frame(p)) p <- as.matrix(p)
  if (!is.numeric(p)) {
    rg_abort(sprintf("`predict(model, type = \"prob\")` must return numeric probabilities, not %s.", describe(p)),
             class = "radiogenomics_bad_prediction")
  }
  if (!is.matrix(p)) p <- matrix(p, ncol = 1L, dimnames = list(names(p), NULL))
  if (anyNA(p)) {
    rg_abort(sprintf("`predict(model, type = \"prob\")` returned %d missing values.", sum(is.na(p))),
             class = "radiogenomics_bad_prediction")
  }
  p
}

# The label columns as a named list of vectors (one per trait), with the sample IDs.
select_labels <- function(y, trait, score_names) {
  if (inherits(y, "rg_traits")) y <- y$targets
  ids <- NULL
  if (is.data.frame(y) || is.matrix(y)) {
    if (is.data.frame(y) && .row_names_info(y) > 0L || is.matrix(y) && !is.null(rownames(y))) ids <- rownames(y)
    columns <- if (is.matrix(y)) colnames(y) else names(y)
    if (is.matrix(y) && is.null(columns)) columns <- colnames(y) <- paste0("V", seq_len(ncol(y)))
    chosen <- choose_label_columns(columns, trait, score_names)
    table <- if (is.matrix(y)) y[, chosen, drop = FALSE] else y[chosen]
    values <- lapply(chosen, function(column) if (is.matrix(table)) table[, column] else table[[column]])
    names(values) <- chosen
  } else {
    if (!is.null(trait)) rg_abort("`trait` selects a column, but `y_test` is a vector.")
    ids <- names(y)
    values <- list(y)
  }
  if (!length(values[[1L]])) rg_abort("`y_test` is empty.")
  list(values = values, ids = ids, multi_column = length(values) > 1L || is.matrix(y))
}

choose_label_columns <- function(columns, trait, score_names) {
  if (!is.null(trait)) {
    unknown <- setdiff(trait, columns)
    if (!is.character(trait) || length(unknown)) {
      rg_abort(sprintf("`trait` must name columns of `y_test` (%s).", paste(columns, collapse = ", ")))
    }
    return(trait)
  }
  if (length(columns) == 1L) return(columns)
  if (length(score_names) > 1L && all(score_names %in% columns)) return(score_names)
  rg_abort(sprintf("`y_test` has %d traits (%s); choose with `trait =`.", length(columns),
                   paste(utils::head(columns, 6), collapse = ", ")),
           class = "radiogenomics_ambiguous_trait")
}

# Keeps the predicted samples with a label, in prediction order; lists the others.
align_predictions <- function(score, labels) {
  n_labels <- length(labels$values[[1L]])
  score_ids <- rownames(score)
  if (!is.null(score_ids) && !is.null(labels$ids)) {
    index <- match(score_ids, labels$ids)
    if (all(is.na(index))) {
      rg_abort("the predictions and `y_test` share no sample IDs.", class = "radiogenomics_sample_mismatch")
    }
  } else {
    if (nrow(score) != n_labels) {
      rg_abort(sprintf("`y_test` has %d samples but the model predicted %d; name both by sample ID to match them.",
                       n_labels, nrow(score)), class = "radiogenomics_sample_mismatch")
    }
    index <- seq_len(n_labels)
    if (is.null(score_ids)) score_ids <- labels$ids
  }
  values <- lapply(labels$values, function(v) v[index])
  missing <- is.na(index) | Reduce(`|`, lapply(values, is.na))
  reason <- ifelse(is.na(index), "no label in `y_test`", "missing label")
  dropped <- data.frame(sample = if (is.null(score_ids)) as.character(which(missing)) else score_ids[missing],
                        reason = reason[missing], stringsAsFactors = FALSE)
  keep <- !missing
  if (!any(keep)) rg_abort("no test sample has a label.", class = "radiogenomics_sample_mismatch")
  score <- score[keep, , drop = FALSE]
  if (!is.null(score_ids)) rownames(score) <- score_ids[keep]
  values <- lapply(values, function(v) v[keep])
  list(score = score, labels = list(values = values, multi_column = labels$multi_column), dropped = dropped)
}

# ---- the task: truth matrix and matching scores --------------------------------------------

evaluation_task <- function(labels, score) {
  values <- labels$values
  if (labels$multi_column) {
    truth <- vapply(names(values), function(column) as_binary_truth(values[[column]], column), logical(nrow(score)))
    truth <- matrix(truth, nrow(score), dimnames = list(rownames(score), names(values)))
    return(list(type = "multilabel", truth = truth, score = match_score_columns(score, colnames(truth))))
  }
  y <- values[[1L]]
  if (is.character(y)) {
    known <- !is.null(colnames(score)) && all(y %in% colnames(score))
    y <- if (known) factor(y, levels = colnames(score)) else factor(y)
  }
  if (is.factor(y) && nlevels(y) < 2L) {
    rg_abort(sprintf("`y_test` is a factor with %d level; it needs at least two.", nlevels(y)),
             class = "radiogenomics_bad_labels")
  }
  if (is.factor(y) && nlevels(y) > 2L) {
    classes <- levels(y)
    score <- match_score_columns(score, classes, levels_of = "`y_test`")
    truth <- outer(as.character(y), classes, `==`)
    dimnames(truth) <- list(rownames(score), classes)
    return(list(type = "multiclass", truth = truth, score = score))
  }
  classes <- if (is.factor(y)) levels(y) else if (is.logical(y)) c("FALSE", "TRUE") else c("0", "1")
  truth <- matrix(as_binary_truth(y, "y_test"), ncol = 1L, dimnames = list(rownames(score), classes[[2L]]))
  list(type = "binary", truth = truth, score = binary_score(score, classes))
}

as_binary_truth <- function(v, what) {
  if (is.factor(v)) {
    if (nlevels(v) != 2L) {
      rg_abort(sprintf("`y_test` trait `%s` has %d levels; a multi-label evaluation needs binary traits.", what, nlevels(v)))
    }
    return(as.integer(v) == 2L)
  }
  if (is.logical(v)) return(v)
  if (is.numeric(v) && all(v %in% c(0, 1))) return(v == 1)
  rg_abort(sprintf("`y_test` must hold class labels (factor, logical or 0/1), but `%s` is %s; evaluate() scores classifiers.",
                   what, if (is.numeric(v)) "continuous" else class(v)[[1L]]),
           class = "radiogenomics_bad_labels")
}

# The probability of `y_test`'s positive (second) class. A one-column prediction named by the
# negative class (a model trained with the other positive class) is complemented.
binary_score <- function(score, classes) {
  positive <- classes[[2L]]
  if (ncol(score) == 1L) {
    if (identical(colnames(score), classes[[1L]])) score <- 1 - score
    return(structure(score, dimnames = list(rownames(score), positive)))
  }
  if (ncol(score) != 2L) {
    rg_abort(sprintf("the model predicts %d classes but `y_test` is binary.", ncol(score)),
             class = "radiogenomics_bad_prediction")
  }
  column <- if (!is.null(colnames(score)) && positive %in% colnames(score)) positive else 2L
  out <- score[, column, drop = FALSE]
  colnames(out) <- positive
  out
}

match_score_columns <- function(score, classes, levels_of = "the traits of `y_test`") {
  if (ncol(score) != length(classes)) {
    rg_abort(sprintf("the model predicts %d columns but %s has %d classes (%s).", ncol(score), levels_of,
                     length(classes), paste(classes, collapse = ", ")),
             class = "radiogenomics_bad_prediction")
  }
  if (!is.null(colnames(score))) {
    if (!setequal(colnames(score), classes)) {
      rg_abort(sprintf("the prediction columns (%s) do not match %s (%s).", paste(colnames(score), collapse = ", "),
                       levels_of, paste(classes, collapse = ", ")),
               class = "radiogenomics_bad_prediction")
    }
    score <- score[, classes, drop = FALSE]
  }
  colnames(score) <- classes
  score
}

# ---- metrics -------------------------------------------------------------------------------

evaluation_table <- function(task, threshold) {
  truth <- task$truth
  score <- task$score
  classes <- colnames(truth)
  n <- nrow(truth)
  if (task$type == "binary") {
    return(data.frame(class = classes, n = n, n_positive = sum(truth), auc = roc_auc(truth[, 1L], score[, 1L]),
                      ap = average_precision(truth[, 1L], score[, 1L]),
                      accuracy = mean((score[, 1L] > threshold) == truth[, 1L]), stringsAsFactors = FALSE))
  }
  auc <- roc_auc(truth * 1L, score)
  ap <- average_precision(truth * 1L, score)
  predicted <- if (task$type == "multiclass") {
    argmax <- max.col(score, ties.method = "first")
    outer(argmax, seq_along(classes), `==`)
  } else {
    score > threshold
  }
  per_class_accuracy <- colMeans(predicted == truth)
  micro_accuracy <- if (task$type == "multiclass") mean(truth[cbind(seq_len(n), max.col(score, ties.method = "first"))])
                    else mean(predicted == truth)
  data.frame(class = c(classes, "micro", "macro"), n = n,
             n_positive = c(colSums(truth), sum(truth), NA),
             auc = c(unname(auc$per_class), auc$micro, auc$macro),
             ap = c(unname(ap$per_class), ap$micro, ap$macro),
             accuracy = c(unname(per_class_accuracy), micro_accuracy, mean(per_class_accuracy)),
             stringsAsFactors = FALSE, row.names = NULL)
}

# ---- methods -------------------------------------------------------------------------------

utils::globalVariables(c("fpr", "tpr", "label"))  # ggplot2 aesthetics in plot.rg_evaluation()

#' @export
print.rg_evaluation <- function(x, digits = 3, ...) {
  cat(sprintf("<rg_evaluation> %s, %d test samples", x$task, nrow(x$truth)))
  if (nrow(x$dropped)) cat(sprintf(" (%d left out without a label)", nrow(x$dropped)))
  cat("\n")
  shown <- x$table
  numeric_columns <- c("auc", "ap", "accuracy")
  shown[numeric_columns] <- lapply(shown[numeric_columns], function(v) formatC(v, digits = digits, format = "f"))
  shown$n_positive[is.na(shown$n_positive)] <- ""
  print(shown, row.names = FALSE)
  invisible(x)
}

#' @export
as.data.frame.rg_evaluation <- function(x, ...) x$table

#' ROC curves of an evaluation
#'
#' @param x An `rg_evaluation` from [evaluate()].
#' @param engine `"ggplot2"` (the default when installed; returns a ggplot) or `"base"`
#'   graphics (returns the curves invisibly).
#' @param ... Unused.
#' @return A ggplot object, or (base graphics) the data.frame of curves (`class`, `fpr`, `tpr`)
#'   invisibly.
#' @export
plot.rg_evaluation <- function(x, engine = if (requireNamespace("ggplot2", quietly = TRUE)) "ggplot2" else "base", ...) {
  engine <- check_choice(engine, "engine", c("ggplot2", "base"))
  curves <- evaluation_curves(x)
  if (engine == "ggplot2") {
    if (!requireNamespace("ggplot2", quietly = TRUE)) rg_abort("`engine = \"ggplot2\"` needs the package ggplot2.")
    return(ggplot2::ggplot(curves, ggplot2::aes(x = fpr, y = tpr, colour = label)) +
             ggplot2::geom_abline(slope = 1, intercept = 0, linetype = "dashed", colour = "grey60") +
             ggplot2::geom_path() +
             ggplot2::coord_equal() +
             ggplot2::labs(x = "False positive rate", y = "True positive rate", colour = NULL) +
             ggplot2::theme_minimal())
  }
  labels <- unique(curves$label)
  colours <- grDevices::hcl.colors(max(length(labels), 2L), "Dark 3")[seq_along(labels)]
  graphics::plot(c(0, 1), c(0, 1), type = "n", asp = 1, xlab = "False positive rate",
                 ylab = "True positive rate")
  graphics::abline(0, 1, lty = 2, col = "grey60")
  for (i in seq_along(labels)) {
    curve <- curves[curves$label == labels[[i]], ]
    graphics::lines(curve$fpr, curve$tpr, col = colours[[i]], lwd = 2)
  }
  graphics::legend("bottomright", legend = labels, col = colours, lwd = 2, bty = "n")
  invisible(curves)
}

# ROC curve points per class (and micro-averaged for several classes).
evaluation_curves <- function(x) {
  auc <- stats::setNames(x$table$auc, x$table$class)
  curves <- lapply(colnames(x$truth), function(class) {
    roc_points(x$truth[, class], x$score[, class], class)
  })
  if (ncol(x$truth) > 1L) curves <- c(curves, list(roc_points(as.vector(x$truth), as.vector(x$score), "micro")))
  curves <- do.call(rbind, curves)
  curves$label <- sprintf("%s (AUC %.3f)", curves$class, auc[curves$class])
  curves$label <- factor(curves$label, levels = unique(curves$label))
  curves
}

roc_points <- function(truth, score, class) {
  order <- order(score, decreasing = TRUE)
  truth <- truth[order]
  score <- score[order]
  last_of_tie <- c(score[-1L] != score[-length(score)], TRUE)
  tpr <- cumsum(truth)[last_of_tie] / max(sum(truth), 1)
  fpr <- cumsum(!truth)[last_of_tie] / max(sum(!truth), 1)
  data.frame(class = class, fpr = c(0, fpr), tpr = c(0, tpr), stringsAsFactors = FALSE)
}
