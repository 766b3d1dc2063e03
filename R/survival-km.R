#' Kaplan–Meier survival curves
#'
#' Computes the Kaplan–Meier estimate for each group of `formula`'s right side, in Rust, and
#' returns a genuine `survfit` object (the numbers are those of `survival::survfit()`), so
#' `print()`, `summary()`, `plot()`, `broom::tidy()` and `survminer::ggsurvplot()` work on it
#' unchanged.
#'
#' Input checks go beyond survival's: negative or infinite times and status values outside the
#' 0/1, 1/2 or logical codings are errors naming the rows (survival accepts the first silently
#' and turns the second into `NA`). Rows with a missing time, status or grouping value are
#' dropped and recorded in `na.action`.
#'
#' @param formula `Surv(time, status) ~ group` (one or more grouping variables) or
#'   `Surv(time, status) ~ 1`.
#' @param data A data.frame holding the variables.
#' @param conf.int Confidence level of the pointwise intervals.
#' @param conf.type Transformation for the intervals: `"log"` (survfit's default), `"log-log"`,
#'   `"plain"`, `"logit"`, `"arcsin"` or `"none"`.
#' @return A `survfit` object: `n`, `time`, `n.risk`, `n.event`, `n.censor`, `surv`, `std.err`
#'   (of −log S, Greenwood), `cumhaz` (Nelson–Aalen), `std.chaz`, `strata` (named like
#'   `"sex=1"`, when there are groups), `type`, `logse`, `conf.int`, `conf.type`, `lower`,
#'   `upper`, `na.action` (when rows were dropped) and `call` (a `survfit()` call whose
#'   `formula` survminer reads).
#' @seealso [logrank_test()], [cox_fit()]
#' @examples
#' cohort <- simulate_cohort(n_samples = 60, n_genes = 200, seed = 1)
#' fit <- km_fit(survival::Surv(time, status) ~ sex, data = cohort$survival)
#' fit
#' summary(fit, times = c(365, 730))
#' @export
km_fit <- function(formula, data, conf.int = 0.95,
                   conf.type = c("log", "log-log", "plain", "logit", "arcsin", "none")) {
  conf.type <- match.arg(conf.type)
  check_number(conf.int, "conf.int", min = 0, max = 1)
  if (conf.int <= 0 || conf.int >= 1) rg_abort("`conf.int` must be strictly between 0 and 1.", arg = "conf.int")
  input <- surv_frame(formula, data)
  groups <- km_groups(input)
  res <- rust_result(rg_km_fit(input$time, input$status, NULL, as.integer(groups) - 1L,
                               nlevels(groups), conf.type, conf.int))
  fit <- list(n = if (nlevels(groups) == 1L) length(groups) else as.vector(table(groups)),
              time = res$time, n.risk = res$n_risk, n.event = res$n_event, n.censor = res$n_censor,
              surv = res$surv, std.err = res$std_err, cumhaz = res$cumhaz, std.chaz = res$std_chaz)
  if (nlevels(groups) > 1L) {
    strata <- stats::setNames(res$rows, levels(groups))
    fit$strata <- strata[strata > 0]
  }
  fit <- c(fit, list(type = "right", logse = TRUE, conf.int = conf.int, conf.type = conf.type))
  if (conf.type != "none") fit <- c(fit, list(lower = na_for_nan(res$lower), upper = na_for_nan(res$upper)))
  if (length(input$na_action)) fit$na.action <- input$na_action
  fit$call <- as.call(list(as.name("survfit"), formula = formula, data = substitute(data)))
  if (!identical(conf.type, "log")) fit$call$conf.type <- conf.type
  class(fit) <- "survfit"
  fit
}

# survfit's grouping: strata() of the right-side variables ("sex=1, ph.ecog=0"), or one group.
km_groups <- function(input) {
  labels <- attr(input$terms, "term.labels")
  if (!length(labels)) return(factor(rep(1L, nrow(input$frame))))
  if (any(attr(input$terms, "order") > 1L)) {
    rg_abort("Interaction terms are not valid in a Kaplan-Meier formula.", arg = "formula")
  }
  survival::strata(input$frame[labels])
}

# survfit reports undefined interval limits as NA.
na_for_nan <- function(x) {
  x[is.nan(x)] <- NA_real_
  x
}
