#' ROC AUC, average precision and PR-AUC
#'
#' Exact prediction metrics, computed in Rust and used everywhere in the package (training
#' monitors, cross-validation, gene masking, evaluation).
#'
#' - `roc_auc()`: area under the ROC curve, the Mann–Whitney probability that a positive scores
#'   higher than a negative, ties counted ½ (equals `pROC::auc()` and sklearn's `roc_auc_score`).
#' - `average_precision()`: \eqn{\sum_k (R_k - R_{k-1}) P_k} over the distinct score
#'   thresholds, without interpolation (sklearn's `average_precision_score`).
#' - `pr_auc()`: the trapezoidal area under the precision–recall curve up to full recall, with
#'   the point (recall 0, precision 1) added — the "AP" of the reference implementation.
#'
#' With several classes, `truth` is a factor (one-vs-rest per level) or a 0/1 / logical matrix
#' (multi-label) and `score` a matrix with one column per class; the result then holds the
#' per-class values, the micro average (one-hot truth and scores flattened) and the macro average
#' (mean of the per-class values).
#'
#' @param truth Logical, 0/1 or two-level factor (the second level is positive); or, for
#'   several classes, a factor with `ncol(score)` levels or a 0/1 matrix like `score`.
#' @param score Numeric scores, higher meaning more likely positive; a samples × classes matrix
#'   for several classes.
#' @return A number; for several classes a list with `per_class` (named), `micro`, `macro`.
#' @examples
#' truth <- c(FALSE, FALSE, TRUE, TRUE)
#' score <- c(0.1, 0.4, 0.35, 0.8)
#' roc_auc(truth, score)            # 0.75
#' average_precision(truth, score)  # 0.833
#' pr_auc(truth, score)
#'
#' probs <- matrix(c(0.7, 0.2, 0.1, 0.3, 0.4, 0.3, 0.2, 0.2, 0.6), 3, byrow = TRUE,
#'                 dimnames = list(NULL, c("a", "b", "c")))
#' roc_auc(factor(c("a", "b", "c")), probs)
#' @export
roc_auc <- function(truth, score) binary_or_multiclass("roc_auc", truth, score)

#' @rdname roc_auc
#' @export
average_precision <- function(truth, score) binary_or_multiclass("ap", truth, score)

#' @rdname roc_auc
#' @export
pr_auc <- function(truth, score) binary_or_multiclass("pr_auc", truth, score)

binary_or_multiclass <- function(metric, truth, score) {
  check_scores(score)
  if (is.matrix(score) && ncol(score) > 1L) {
    truth <- truth_matrix(truth, score)
    value <- rust_result(rg_multilabel_metric(metric, truth, score, ncol(score)))
    names(value)[names(value) == "macro_average"] <- "macro"
    names(value$per_class) <- colnames(score)
    return(value)
  }
  truth <- truth_vector(truth)
  score <- as.vector(score)
  if (length(truth) != length(score)) {
    rg_abort(sprintf("`score` has length %d but `truth` has length %d.", length(score), length(truth)))
  }
  rust_result(rg_binary_metric(metric, truth, as.double(score)))
}

check_scores <- function(score) {
  if (!is.numeric(score)) rg_abort(sprintf("`score` must be numeric, not %s.", describe(score)))
  if (anyNA(score)) rg_abort(sprintf("`score` has %d missing values.", sum(is.na(score))))
}

truth_vector <- function(truth) {
  if (is.factor(truth)) {
    if (nlevels(truth) != 2L) {
      rg_abort(sprintf("`truth` is a factor with %d levels; give a score matrix with one column per level.", nlevels(truth)))
    }
    truth <- as.integer(truth) == 2L
  }
  if (!(is.logical(truth) || is.numeric(truth))) {
    rg_abort(sprintf("`truth` must be logical, 0/1 or a two-level factor, not %s.", describe(truth)))
  }
  if (anyNA(truth)) rg_abort(sprintf("`truth` has %d missing values.", sum(is.na(truth))))
  if (is.numeric(truth) && !all(truth %in% c(0, 1))) rg_abort("`truth` must contain only 0 and 1.")
  as.logical(truth)
}

truth_matrix <- function(truth, score) {
  if (is.factor(truth) || is.character(truth)) {
    truth <- as.factor(truth)
    if (nlevels(truth) != ncol(score)) {
      rg_abort(sprintf("`truth` has %d levels but `score` has %d columns.", nlevels(truth), ncol(score)))
    }
    if (!is.null(colnames(score)) && !setequal(levels(truth), colnames(score))) {
      rg_abort("the levels of `truth` must match the column names of `score`.")
    }
    lv <- if (is.null(colnames(score))) levels(truth) else colnames(score)
    truth <- outer(as.character(truth), lv, `==`)
  }
  if (!is.matrix(truth) || !identical(dim(truth), dim(score))) {
    rg_abort("`truth` must be a factor or a matrix with the same dimensions as `score`.")
  }
  if (anyNA(truth)) rg_abort(sprintf("`truth` has %d missing values.", sum(is.na(truth))))
  if (!all(truth %in% c(0, 1))) rg_abort("`truth` must contain only 0 and 1 (or TRUE and FALSE).")
  storage.mode(truth) <- "logical"
  if (length(truth) != length(score)) rg_abort("`truth` and `score` differ in size.")
  truth
}

#' Regression metrics
#'
#' R² (sklearn's `r2_score` per output: \eqn{1 - SS_{res}/SS_{tot}}, 1 or 0 when the truth is
#' constant), mean absolute error and mean absolute percentage error (`100 mean(|y - ŷ| / |y|)`),
#' computed in Rust like every metric of the package. With matrices, one value per column.
#'
#' @param truth,prediction Numeric vectors or matrices of the same shape.
#' @return A named numeric vector (`r2`, `mae`, `mape`), or a matrix with one row per column of
#'   `truth`.
#' @examples
#' regression_metrics(c(3, -0.5, 2, 7), c(2.5, 0, 2, 8))  # r2 0.9486, mae 0.5
#' @export
regression_metrics <- function(truth, prediction) {
  for (arg in c("truth", "prediction")) {
    v <- get(arg)
    if (!is.numeric(v)) rg_abort(sprintf("`%s` must be numeric, not %s.", arg, describe(v)))
    if (any(!is.finite(v))) rg_abort(sprintf("`%s` has %d missing or infinite values.", arg, sum(!is.finite(v))))
  }
  if (!identical(NROW(truth), NROW(prediction)) || !identical(NCOL(truth), NCOL(prediction))) {
    rg_abort("`truth` and `prediction` must have the same shape.")
  }
  one <- function(t, p) vapply(c(r2 = "r2", mae = "mae", mape = "mape"), function(m)
    rust_result(rg_regression_metric(m, as.double(t), as.double(p))), numeric(1))
  if (NCOL(truth) == 1L) return(one(truth, prediction))
  out <- t(vapply(seq_len(ncol(truth)), function(j) one(truth[, j], prediction[, j]), numeric(3)))
  rownames(out) <- colnames(truth)
  out
}
