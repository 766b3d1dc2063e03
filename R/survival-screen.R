#' Screen many features with univariate Cox models
#'
#' Fits `coxph(Surv(time, event) ~ feature [+ covariates])` for every feature, in parallel Rust
#' with survival's iteration, so each row equals the corresponding `coxph()` fit (coefficient,
#' standard error, Wald z and p). Besides the Wald p, each row has the likelihood-ratio p and the
#' score p of the feature (against the covariates-only model), which stay meaningful when a
#' feature separates events from non-events (the coefficient is then infinite and its Wald p
#' useless: see `infinite`).
#'
#' Layouts: a **matrix** (or `SummarizedExperiment`) is **features × samples** (genes in rows,
#' as in Bioconductor); a **data.frame** is **samples × features** (one column per feature).
#' Samples with a missing time, event or covariate are dropped from every model; a missing value
#' of a feature drops that sample from that feature's model only (see `n`).
#'
#' @param time Follow-up times (>= 0), one per sample.
#' @param event Event indicator: 0/1, 1/2 or logical.
#' @param x Features: a features × samples numeric matrix, a `SummarizedExperiment`, or a
#'   samples × features data.frame of numeric columns.
#' @param covariates Optional adjustment covariates, samples × covariates (data.frame, factors
#'   allowed, or numeric matrix); they enter every model after the feature.
#' @param ties `"efron"` or `"breslow"`.
#' @param conf.level Level of the hazard-ratio interval.
#' @param control `survival::coxph.control()` settings.
#' @param n_threads Threads (default `getOption("radiogenomics.threads", 2)`).
#' @param verbose Print progress.
#' @return A data.frame, one row per feature: `feature, coef, hr, lower, upper, se, z, p`
#'   (Wald), `p_lr` (likelihood ratio), `p_score` (score test at the covariates-only solution),
#'   `padj` (Benjamini–Hochberg of `p`), `n`, `nevent`, `converged`, `infinite` (coefficient may
#'   be infinite). Aliased (e.g. constant) features have `NA` statistics.
#' @examples
#' cohort <- simulate_cohort(n_samples = 60, n_genes = 200, seed = 1)
#' res <- cox_screen(cohort$survival$time, cohort$survival$status, cohort$expression)
#' head(res[order(res$p), ])
#' @export
cox_screen <- function(time, event, x, covariates = NULL, ties = c("efron", "breslow"),
                       conf.level = 0.95, control = survival::coxph.control(),
                       n_threads = default_threads(), verbose = FALSE) {
  ties <- match.arg(ties)
  check_cox_control(control)
  check_number(conf.level, "conf.level", min = 0, max = 1)
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  check_flag(verbose, "verbose")
  time <- check_times(time)
  event <- code_status(event, arg = "event")
  n <- length(time)
  if (length(event) != n) rg_abort(sprintf("`event` has length %d but `time` has length %d.", length(event), n), arg = "event")
  features <- screen_features(x, n)
  cov <- screen_covariates(covariates, n)
  complete <- !is.na(time) & !is.na(event) & cov$complete
  if (!all(complete)) {
    time <- time[complete]
    event <- event[complete]
    features$values <- if (features$in_rows) features$values[, complete, drop = FALSE] else features$values[complete, , drop = FALSE]
    cov$x <- if (is.null(cov$x)) NULL else cov$x[complete, , drop = FALSE]
  }
  check_events(event)
  res <- rust_result(rg_cox_screen(time, event, NULL, NULL, features$values, length(features$names),
                                   features$in_rows, cov$x, if (is.null(cov$x)) 0 else ncol(cov$x),
                                   ties, control$eps, control$toler.chol, control$iter.max,
                                   control$toler.inf, conf.level, n_threads, verbose))
  # (the core returns NA where a value could not be estimated)
  columns <- c("coef", "hr", "lower", "upper", "se", "z", "p", "p_lr", "p_score", "padj", "n", "nevent", "converged", "infinite")
  out <- list2DF(c(list(feature = features$names), res[columns]))
  attr(out, "n_dropped") <- sum(!complete)
  out
}

# The feature values and their orientation (features in rows for a matrix).
screen_features <- function(x, n) {
  if (methods::is(x, "SummarizedExperiment")) x <- expression_values(x, 1L, "x")
  if (is.data.frame(x)) {
    bad <- names(x)[!vapply(x, is.numeric, logical(1))]
    if (length(bad)) rg_abort(sprintf("`x` (samples x features data.frame) has non-numeric columns: %s.",
                                      paste(utils::head(bad, 5L), collapse = ", ")), arg = "x")
    if (nrow(x) != n) {
      rg_abort(sprintf("`x` is a samples x features data.frame with %d rows, but there are %d samples.", nrow(x), n), arg = "x")
    }
    names_x <- names(x)
    values <- as.matrix(x)
    in_rows <- FALSE
  } else if (is.matrix(x) && is.numeric(x)) {
    if (ncol(x) != n) {
      hint <- if (nrow(x) == n) " It has one row per sample: pass t(x), or a data.frame for samples x features." else ""
      rg_abort(sprintf("`x` is a features x samples matrix with %d columns, but there are %d samples.%s", ncol(x), n, hint), arg = "x")
    }
    names_x <- rownames(x)
    values <- x
    in_rows <- TRUE
  } else {
    rg_abort(sprintf("`x` must be a numeric features x samples matrix or a samples x features data.frame, not %s.",
                     class(x)[[1L]]), arg = "x")
  }
  # (converting a matrix that is already double would copy all of it)
  if (!is.double(values)) storage.mode(values) <- "double"
  # infinite values are refused by the Rust core (one pass, instead of R's is.infinite() copy)
  n_features <- if (in_rows) nrow(values) else ncol(values)
  if (n_features == 0L) rg_abort("`x` has no features.", arg = "x")
  if (is.null(names_x)) names_x <- paste0("feature", seq_len(n_features))
  list(values = values, names = names_x, in_rows = in_rows)
}

# Covariates as a numeric design (factors expanded as in coxph) and their complete rows.
screen_covariates <- function(covariates, n) {
  if (is.null(covariates)) return(list(x = NULL, complete = rep(TRUE, n)))
  if (is.data.frame(covariates)) {
    if (nrow(covariates) != n) rg_abort(sprintf("`covariates` has %d rows, but there are %d samples.", nrow(covariates), n), arg = "covariates")
    complete <- stats::complete.cases(covariates)
    frame <- covariates[complete, , drop = FALSE]
    x <- stats::model.matrix(~ ., frame)[, -1L, drop = FALSE]
    full <- matrix(NA_real_, n, ncol(x), dimnames = list(NULL, colnames(x)))
    full[complete, ] <- x
    return(list(x = full, complete = complete))
  }
  if (is.matrix(covariates) && is.numeric(covariates)) {
    if (nrow(covariates) != n) rg_abort(sprintf("`covariates` has %d rows, but there are %d samples.", nrow(covariates), n), arg = "covariates")
    if (any(is.infinite(covariates))) rg_abort("`covariates` has infinite values.", arg = "covariates")
    storage.mode(covariates) <- "double"
    return(list(x = covariates, complete = stats::complete.cases(covariates)))
  }
  rg_abort(sprintf("`covariates` must be a data.frame or a numeric matrix, not %s.", class(covariates)[[1L]]), arg = "covariates")
}
