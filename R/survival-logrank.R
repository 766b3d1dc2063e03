#' Log-rank and G-rho tests between survival curves
#'
#' Tests for a difference between the survival of the groups of `formula`'s right side (the
#' G-rho family of Harrington and Fleming; `rho = 0` is the log-rank test, `rho = 1` the
#' Peto–Peto modification of the Gehan–Wilcoxon test). `strata()` terms give a stratified test.
#' Computed in Rust; the result is a `survdiff` object with survival's numbers, so its `print()`
#' method and `survminer` work on it.
#'
#' @inheritParams km_fit
#' @param rho The G-rho weight exponent: each event is weighted by S(t-)^rho.
#' @return A `survdiff` object: `n` (per group), `obs`, `exp` (vectors, or groups × strata
#'   matrices for a stratified test), `var` (groups × groups), `chisq`, `pvalue`
#'   (`1 - pchisq(chisq, groups - 1)`), `strata` (stratified tests), `na.action` and `call`.
#' @examples
#' cohort <- simulate_cohort(n_samples = 60, n_genes = 200, seed = 1)
#' logrank_test(survival::Surv(time, status) ~ sex, data = cohort$survival)
#' @export
logrank_test <- function(formula, data, rho = 0) {
  check_number(rho, "rho")
  input <- surv_frame(formula, data, specials = "strata")
  parts <- logrank_groups(input)
  res <- rust_result(rg_logrank(input$time, input$status, as.integer(parts$groups) - 1L,
                                nlevels(parts$groups),
                                if (is.null(parts$strata)) NULL else as.integer(parts$strata) - 1L, rho))
  k <- nlevels(parts$groups)
  stratified <- !is.null(parts$strata) && res$n_strata > 1
  shape <- function(v) if (stratified) matrix(v, nrow = k) else v
  out <- list(n = table(groups = parts$groups), obs = shape(res$observed), exp = shape(res$expected),
              var = matrix(res$var, k, k), chisq = res$chisq,
              pvalue = stats::pchisq(res$chisq, res$df, lower.tail = FALSE))
  if (!is.null(parts$strata)) out$strata <- table(parts$strata)
  if (length(input$na_action)) out$na.action <- input$na_action
  call <- match.call()
  call[[1L]] <- as.name("survdiff")
  out$call <- call
  class(out) <- "survdiff"
  out
}

# survdiff's groups (strata() of the non-strata terms) and optional strata factor.
logrank_groups <- function(input) {
  terms <- input$terms
  strata_at <- attr(terms, "specials")$strata
  strata <- NULL
  labels <- attr(terms, "term.labels")
  if (length(strata_at)) {
    st <- survival::untangle.specials(terms, "strata", 1)
    strata <- if (length(st$vars) == 1L) input$frame[[st$vars]] else survival::strata(input$frame[, st$vars], shortlabel = TRUE)
    strata <- as.factor(strata)
    labels <- attr(terms[-st$terms], "term.labels")
  }
  if (!length(labels)) rg_abort("`formula` has no groups to compare.", arg = "formula")
  groups <- survival::strata(input$frame[labels])
  if (nlevels(groups) < 2L) rg_abort("`formula` defines only 1 group; a test needs at least 2.", arg = "formula")
  list(groups = groups, strata = strata)
}
