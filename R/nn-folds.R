#' Cross-validation folds
#'
#' Assigns every sample to exactly one of `folds` validation folds. For a categorical `y` the
#' folds are stratified: within each class the samples are shuffled and dealt round-robin, so
#' every fold holds each class's share to within one sample. A numeric `y` (regression) gets
#' unstratified folds. Used by [cross_validate()] and [compare_models()], so that every method
#' is scored on the same folds.
#'
#' @param y The target: a factor / character / logical vector (stratified) or a numeric vector.
#' @param folds Number of folds.
#' @param stratify Stratify by class (ignored for numeric `y`).
#' @param repeats Number of independent fold assignments.
#' @param seed Random seed; `NULL` draws one from R's RNG.
#' @return An integer vector of fold ids (1..`folds`) for one repeat, or a samples × repeats
#'   matrix for several.
#' @examples
#' y <- factor(rep(c("a", "b", "c"), c(20, 10, 5)))
#' f <- make_folds(y, folds = 5, seed = 1)
#' table(y, f)
#' @export
make_folds <- function(y, folds = 10, stratify = TRUE, repeats = 1, seed = NULL) {
  check_number(folds, "folds", min = 2, integer = TRUE)
  check_number(repeats, "repeats", min = 1, integer = TRUE)
  check_flag(stratify, "stratify")
  if (anyNA(y)) rg_abort(sprintf("`y` has %d missing values.", sum(is.na(y))))
  seed <- resolve_seed(seed)
  codes <- if (stratify && !is.numeric(y)) as.integer(as.factor(y)) else rep(1L, length(y))
  ids <- vapply(seq_len(repeats) - 1, function(r) rust_result(rg_stratified_folds(codes, folds, seed, r)),
                integer(length(y)))
  if (repeats == 1L) as.vector(ids) else ids
}

# Normalises the `folds` argument of cross_validate()/compare_models(): a number of folds, or
# the user's own fold ids (any values; mapped to 1..k).
resolve_folds <- function(folds, y, stratify, seed) {
  if (length(folds) == 1L) return(make_folds(y, folds, stratify = stratify, seed = seed))
  if (length(folds) != NROW(y)) {
    rg_abort(sprintf("`folds` has length %d; give a number of folds or one fold id per sample (%d).",
                     length(folds), NROW(y)))
  }
  if (anyNA(folds)) rg_abort("`folds` has missing fold ids.")
  ids <- as.integer(factor(folds))
  if (max(ids) < 2L) rg_abort("`folds` must define at least two folds.")
  ids
}
