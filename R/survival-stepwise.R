#' Stepwise Cox model selection by AIC with forced terms
#'
#' Reproduces `step()` on a `coxph` fit, in Rust: the same candidate models, the same AIC
#' (`-2 log L + k * df`), the same tie-breaking and marginality rules (an interaction is dropped
#' before its main effects and added after them), hence the same path and final model as
#' `step(coxph(start), scope = list(lower = keep, upper = formula), direction = direction, k = k)`.
#' Rows with a missing value in any candidate term are dropped first (step() requires a fixed
#' set of rows). `strata()` terms are always kept.
#'
#' @param formula The largest model, `Surv(time, status) ~ terms` (the upper scope).
#' @param data A data.frame.
#' @param keep One-sided formula of terms that are never dropped (the lower scope), e.g.
#'   `~ age + sex`; `NULL` for none.
#' @param direction `"backward"`, `"both"` or `"forward"`.
#' @param k The AIC penalty per degree of freedom (2 for AIC, `log(nevent)` for BIC).
#' @param start `"full"` starts from `formula` (step(coxph(formula)) as usual); `"keep"` starts
#'   from the `keep` terms (as in the original method's forward-and-backward search).
#' @inheritParams cox_fit
#' @param n_threads Threads for the candidate fits of a round.
#' @param verbose Print progress.
#' @return The final model as an `rg_cox` fit (class `rg_cox_stepwise`) with `steps`: a
#'   data.frame with step()'s path table (`step, change, df, deviance, resid_df, resid_deviance,
#'   aic`; `change` is `""` for the start, `"- term"` or `"+ term"`), `n_fits` (models fitted)
#'   and `start_formula`.
#' @examples
#' cohort <- simulate_cohort(n_samples = 80, n_genes = 200, seed = 1)
#' d <- cbind(cohort$survival, cohort$traits)
#' sel <- cox_stepwise(survival::Surv(time, status) ~ age + sex + binary + multiclass + continuous +
#'                       interaction, data = d, keep = ~ age + sex)
#' sel$steps
#' @export
cox_stepwise <- function(formula, data, keep = NULL, direction = c("backward", "both", "forward"),
                         k = 2, start = c("full", "keep"), ties = c("efron", "breslow"),
                         control = survival::coxph.control(), n_threads = default_threads(),
                         verbose = FALSE) {
  direction <- match.arg(direction)
  start <- match.arg(start)
  ties <- match.arg(ties)
  check_number(k, "k", min = 0)
  check_cox_control(control)
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  input <- surv_frame(formula, data, specials = "strata")
  check_events(input$status)
  design <- cox_design(input)
  terms <- step_terms(input$terms, design)
  lower <- step_lower(keep, terms$labels)
  start_terms <- if (start == "full") seq_along(terms$labels) - 1L else lower
  res <- rust_result(rg_cox_stepwise(input$time, input$status, NULL, design$strata_codes,
                                     design$x, ncol(design$x), terms$labels, terms$columns,
                                     terms$variables, lower, start_terms, direction, k, ties,
                                     control$eps, control$toler.chol, control$iter.max,
                                     control$toler.inf, n_threads, verbose))
  complete <- if (length(input$na_action)) data[-as.integer(input$na_action), , drop = FALSE] else data
  final_formula <- step_formula(formula, terms$labels[res$final_terms + 1L], terms$strata)
  start_formula <- step_formula(formula, terms$labels[start_terms + 1L], terms$strata)
  fit <- cox_fit(final_formula, data = complete, ties = ties, control = control)
  fit$call <- as.call(list(as.name("cox_fit"), formula = final_formula, data = substitute(data)))
  fit$data_name <- substitute(data)
  fit$steps <- step_table(res, fit$nevent)
  fit$n_fits <- res$n_fits
  fit$start_formula <- start_formula
  if (length(input$na_action)) fit$na.action <- input$na_action
  class(fit) <- c("rg_cox_stepwise", class(fit))
  fit
}

# Non-strata terms: labels, 0-based design columns, 0-based variable ids (for marginality).
step_terms <- function(terms, design) {
  labels <- attr(terms, "term.labels")
  factors <- attr(terms, "factors")
  strata_terms <- if (length(attr(terms, "specials")$strata)) survival::untangle.specials(terms, "strata", 1)$terms else integer()
  model_terms <- setdiff(seq_along(labels), strata_terms)
  list(labels = labels[model_terms],
       columns = lapply(model_terms, function(j) which(design$assign == j) - 1L),
       variables = lapply(model_terms, function(j) which(factors[, j] > 0) - 1L),
       strata = labels[strata_terms])
}

# The lower-scope term indices (0-based), matched as factor.scope() does (a:b == b:a).
step_lower <- function(keep, labels) {
  if (is.null(keep)) return(integer())
  if (!inherits(keep, "formula")) rg_abort("`keep` must be a one-sided formula such as `~ age + sex`, or NULL.", arg = "keep")
  wanted <- attr(stats::terms(keep), "term.labels")
  wanted <- wanted[!grepl("^strata\\(", wanted)]
  canonical <- function(x) vapply(strsplit(x, ":", fixed = TRUE), function(p) paste(sort(p), collapse = ":"), "")
  where <- match(canonical(wanted), canonical(labels))
  if (anyNA(where)) {
    rg_abort(sprintf("`keep` has term(s) not in `formula`: %s.", paste(wanted[is.na(where)], collapse = ", ")),
             arg = "keep")
  }
  sort(where) - 1L
}

step_formula <- function(formula, labels, strata) {
  rhs <- c(labels, strata)
  out <- if (length(rhs)) stats::reformulate(rhs, response = formula[[2L]]) else stats::as.formula(call("~", formula[[2L]], 1))
  environment(out) <- environment(formula)
  out
}

# step()'s anova table: Df and Deviance are changes between consecutive models.
step_table <- function(res, nevent) {
  deviance <- -2 * res$loglik
  resid_df <- nevent - res$edf
  data.frame(step = seq_along(res$change) - 1L, change = res$change,
             df = c(NA, diff(resid_df)), deviance = c(NA, abs(diff(deviance))),
             resid_df = resid_df, resid_deviance = deviance, aic = res$aic,
             stringsAsFactors = FALSE)
}

#' @export
print.rg_cox_stepwise <- function(x, ...) {
  cat("Stepwise selection by AIC (", x$n_fits, " models fitted)\n", sep = "")
  cat("Start: ", paste(deparse(x$start_formula), collapse = " "), "\n", sep = "")
  print(x$steps, row.names = FALSE)
  cat("\nFinal model:\n")
  NextMethod()
}
