#' Cox proportional hazards model
#'
#' Fits `formula` by partial likelihood in Rust, copying survival 3.5-3's Newton–Raphson
#' iteration (start at 0, centred and scaled covariates, step halving, stop when the relative
#' change of the log-likelihood is at most `control$eps`, at most `control$iter.max` iterations)
#' so coefficients, standard errors and log-likelihoods equal `survival::coxph()`'s to ~1e-12 and
#' the iteration counts are the same.
#'
#' The right side goes through `model.frame()`/`model.matrix()` as in `coxph()`: factors,
#' interactions, transforms (`log(x)`, `I(x^2)`, ...) and `strata()` terms. Rows with missing
#' values are dropped and counted. Problems that `coxph()` only warns about are recorded as flags
#' (and warned about): no convergence, a coefficient that may be infinite (monotone likelihood, e.g.
#' a covariate separating events from non-events: its Wald test is useless but the likelihood-ratio
#' test is not), and aliased columns (coefficient `NA`).
#'
#' @param formula `Surv(time, status) ~ terms`; status coded 0/1, 1/2 or logical.
#' @param data A data.frame.
#' @param ties `"efron"` (coxph's default) or `"breslow"`.
#' @param weights Optional case weights (a column of `data` or an expression), positive.
#'   Non-integer weights are refused: `coxph()` would switch to a robust variance.
#' @param init Optional starting values (one per coefficient).
#' @param control `survival::coxph.control()` settings (`eps`, `toler.chol`, `iter.max`,
#'   `toler.inf`).
#' @return An `rg_cox` object with the fields of a `coxph` object (`coefficients`, `var`,
#'   `loglik` (null and final), `score`, `wald.test`, `iter`, `linear.predictors`, `means`,
#'   `method`, `n`, `nevent`, `concordance`, `na.action`, `formula`, `call`, ...) plus `table`
#'   (coefficient, hazard ratio and 95% interval, standard error, z, p per coefficient), `tests`
#'   (likelihood-ratio, Wald and score tests) and `flags` (`converged`, `infinite`, `aliased`,
#'   `messages`). Methods: `print`, `summary`, `coef`, `vcov`, `confint`, `logLik`, `AIC`,
#'   `nobs`, `broom::tidy`, `broom::glance`, and [as_coxph()] for everything else survival and
#'   survminer offer.
#' @seealso [as_coxph()], [cox_screen()], [cox_stepwise()]
#' @examples
#' cohort <- simulate_cohort(n_samples = 80, n_genes = 200, seed = 1)
#' d <- cbind(cohort$survival, cohort$traits)
#' fit <- cox_fit(survival::Surv(time, status) ~ age + sex + binary, data = d)
#' fit
#' summary(fit)
#' @export
cox_fit <- function(formula, data, ties = c("efron", "breslow"), weights = NULL, init = NULL,
                    control = survival::coxph.control()) {
  ties <- match.arg(ties)
  check_cox_control(control)
  weights <- eval(substitute(weights), data, parent.frame())
  input <- surv_frame(formula, data, specials = "strata", weights = weights)
  design <- cox_design(input)
  check_cox_weights(input$weights)
  check_events(input$status)
  if (!is.null(init) && (!is.numeric(init) || length(init) != ncol(design$x) || anyNA(init))) {
    rg_abort(sprintf("`init` must hold %d numbers, one per coefficient.", ncol(design$x)), arg = "init")
  }
  res <- rust_result(rg_cox_fit(input$time, input$status, input$weights, design$strata_codes,
                                design$x, ncol(design$x), ties, control$eps, control$toler.chol,
                                control$iter.max, control$toler.inf, init))
  fit <- new_rg_cox(res, input, design, ties, init, control)
  fit$call <- match.call()
  fit$formula <- formula
  fit$data <- data
  fit$data_name <- substitute(data)
  fit$weights_all <- weights
  warn_cox_flags(fit)
  fit
}

check_cox_control <- function(control) {
  needed <- c("eps", "toler.chol", "iter.max", "toler.inf")
  if (!is.list(control) || !all(needed %in% names(control))) {
    rg_abort("`control` must come from `survival::coxph.control()`.", arg = "control")
  }
}

check_cox_weights <- function(weights) {
  if (is.null(weights)) return(invisible())
  if (!is.numeric(weights) || any(!is.finite(weights)) || any(weights <= 0)) {
    rg_abort("`weights` must be positive and finite.", class = "radiogenomics_invalid_weights", arg = "weights")
  }
  if (any(weights != floor(weights))) {
    rg_abort(paste("`weights` must be whole numbers (case weights): with non-integer weights coxph()",
                   "uses a robust sandwich variance, which cox_fit() does not compute."),
             class = "radiogenomics_invalid_weights", arg = "weights")
  }
}

# coxph's design: model.matrix of the non-strata terms, intercept column removed, strata codes.
cox_design <- function(input) {
  terms <- input$terms
  frame <- input$frame
  strata_at <- attr(terms, "specials")$strata
  strata_keep <- NULL
  drop_terms <- NULL
  if (length(strata_at)) {
    st <- survival::untangle.specials(terms, "strata", 1)
    strata_keep <- if (length(st$vars) == 1L) frame[[st$vars]] else survival::strata(frame[, st$vars], shortlabel = TRUE)
    for (v in st$vars) {
      if (any(attr(terms, "order")[attr(terms, "factors")[v, ] > 0] > 1)) {
        rg_abort("Interactions with `strata()` terms are not supported.", arg = "formula")
      }
    }
    drop_terms <- st$terms
  }
  attr(terms, "intercept") <- 1L
  if (length(drop_terms)) {
    x <- stats::model.matrix(terms[-drop_terms], frame)
    assign <- attr(x, "assign")
    for (shift in sort(drop_terms)) assign <- assign + (shift <= assign)
    attr(x, "assign") <- assign
  } else {
    x <- stats::model.matrix(terms, frame)
  }
  assign <- attr(x, "assign")
  contrasts <- attr(x, "contrasts")
  keep <- assign != 0
  x <- x[, keep, drop = FALSE]
  storage.mode(x) <- "double"
  list(x = x, assign = assign[keep], contrasts = contrasts, terms = terms,
       strata = strata_keep,
       strata_codes = if (is.null(strata_keep)) NULL else as.integer(as.factor(strata_keep)) - 1L,
       xlevels = stats::.getXlevels(terms, frame))
}

new_rg_cox <- function(res, input, design, ties, init, control) {
  names_x <- colnames(design$x)
  p <- length(names_x)
  coef <- stats::setNames(na_for_nan(res$coef), names_x)
  var <- matrix(res$var, p, p)
  concordance <- stats::setNames(res$concordance, c("concordant", "discordant", "tied.x", "tied.y",
                                                    "tied.xy", "concordance", "std"))
  fit <- list(
    coefficients = coef, var = var, loglik = res$loglik, score = res$score, iter = res$iter,
    linear.predictors = res$linear_predictors, means = stats::setNames(res$means, names_x),
    method = ties, n = length(input$time), nevent = sum(input$status),
    concordance = concordance, wald.test = res$wald,
    y = as_surv(input$time, input$status), formula = NULL, terms = design$terms,
    assign = design$assign, xlevels = design$xlevels, contrasts = design$contrasts,
    flags = list(converged = res$converged,
                 infinite = stats::setNames(res$infinite, names_x),
                 any_infinite = res$any_infinite,
                 aliased = stats::setNames(res$aliased, names_x)),
    init = init, control = control
  )
  if (!is.null(design$strata)) fit$strata <- design$strata
  if (!is.null(input$weights)) fit$weights <- input$weights
  if (length(input$na_action)) fit$na.action <- input$na_action
  fit$flags$messages <- cox_flag_messages(fit)
  class(fit) <- "rg_cox"
  fit$table <- cox_table(fit)
  fit$tests <- cox_tests(fit)
  fit
}

cox_flag_messages <- function(fit) {
  flags <- fit$flags
  out <- character()
  if (!flags$converged) {
    out <- c(out, sprintf("Ran out of iterations (%d) and did not converge.", fit$control$iter.max))
    if (flags$any_infinite) out <- c(out, "One or more coefficients may be infinite.")
  } else if (any(flags$infinite)) {
    out <- c(out, sprintf("Loglik converged before variable %s; coefficient may be infinite.",
                          paste(names(which(flags$infinite)), collapse = ", ")))
  }
  if (any(flags$aliased)) {
    out <- c(out, sprintf("X matrix deemed to be singular; coefficient NA for %s.",
                          paste(names(which(flags$aliased)), collapse = ", ")))
  }
  out
}

warn_cox_flags <- function(fit) {
  for (m in fit$flags$messages) {
    warning(structure(class = c("radiogenomics_cox_warning", "warning", "condition"),
                      list(message = m, call = fit$call)))
  }
}

cox_table <- function(fit, conf.level = 0.95) {
  coef <- fit$coefficients
  se <- sqrt(diag(fit$var))
  se[is.na(coef)] <- NA_real_
  z <- coef / se
  q <- stats::qnorm((1 + conf.level) / 2)
  data.frame(term = names(coef), coef = unname(coef), hr = unname(exp(coef)),
             lower = unname(exp(coef - q * se)), upper = unname(exp(coef + q * se)),
             se = unname(se), z = unname(z),
             p = unname(stats::pchisq(z^2, 1, lower.tail = FALSE)),
             infinite = unname(fit$flags$infinite), aliased = unname(fit$flags$aliased),
             row.names = NULL, stringsAsFactors = FALSE)
}

cox_tests <- function(fit) {
  df <- sum(!is.na(fit$coefficients))
  lr <- -2 * (fit$loglik[1] - fit$loglik[2])
  stat <- c(likelihood_ratio = lr, wald = fit$wald.test, score = fit$score)
  data.frame(test = names(stat), statistic = unname(stat), df = df,
             p = stats::pchisq(unname(stat), df, lower.tail = FALSE), stringsAsFactors = FALSE)
}

#' @export
print.rg_cox <- function(x, digits = max(1L, getOption("digits") - 3L), ...) {
  if (!is.null(x$call)) {
    cat("Call:\n")
    dput(x$call)
    cat("\n")
  }
  coef <- x$coefficients
  se <- sqrt(diag(x$var))
  tab <- cbind(coef, exp(coef), se, coef / se, stats::pchisq((coef / se)^2, 1, lower.tail = FALSE))
  dimnames(tab) <- list(names(coef), c("coef", "exp(coef)", "se(coef)", "z", "p"))
  stats::printCoefmat(tab, digits = digits, P.values = TRUE, has.Pvalue = TRUE, signif.stars = FALSE, ...)
  lr <- x$tests[x$tests$test == "likelihood_ratio", ]
  cat("\nLikelihood ratio test=", format(round(lr$statistic, 2)), "  on ", lr$df, " df,", " p=",
      format.pval(lr$p, digits = digits), "\n", sep = "")
  cat("n= ", x$n, ", number of events= ", x$nevent, "\n", sep = "")
  if (length(x$na.action)) cat("   (", stats::naprint(x$na.action), ")\n", sep = "")
  for (m in x$flags$messages) cat("Note: ", m, "\n", sep = "")
  invisible(x)
}

#' @export
summary.rg_cox <- function(object, conf.int = 0.95, ...) {
  beta <- object$coefficients
  se <- sqrt(diag(object$var))
  df <- sum(!is.na(beta))
  out <- list(call = object$call, fail = NULL, na.action = object$na.action, n = object$n,
              loglik = object$loglik, nevent = object$nevent)
  tab <- cbind(beta, exp(beta), se, beta / se, stats::pchisq((beta / se)^2, 1, lower.tail = FALSE))
  dimnames(tab) <- list(names(beta), c("coef", "exp(coef)", "se(coef)", "z", "Pr(>|z|)"))
  out$coefficients <- tab
  if (conf.int) {
    z <- stats::qnorm((1 + conf.int) / 2)
    ci <- cbind(exp(beta), exp(-beta), exp(beta - z * se), exp(beta + z * se))
    dimnames(ci) <- list(names(beta), c("exp(coef)", "exp(-coef)", paste0("lower .", round(100 * conf.int, 2)),
                                        paste0("upper .", round(100 * conf.int, 2))))
    out$conf.int <- ci
  }
  logtest <- -2 * (object$loglik[1] - object$loglik[2])
  out$logtest <- c(test = logtest, df = df, pvalue = stats::pchisq(logtest, df, lower.tail = FALSE))
  out$sctest <- c(test = object$score, df = df, pvalue = stats::pchisq(object$score, df, lower.tail = FALSE))
  out$rsq <- c(rsq = 1 - exp(-logtest / object$n), maxrsq = 1 - exp(2 * object$loglik[1] / object$n))
  out$waldtest <- c(test = round(object$wald.test, 2), df = df,
                    pvalue = stats::pchisq(object$wald.test, df, lower.tail = FALSE))
  out$used.robust <- FALSE
  out$concordance <- stats::setNames(object$concordance[6:7], c("C", "se(C)"))
  out$flags <- object$flags
  class(out) <- c("summary.rg_cox", "summary.coxph")
  out
}

#' @export
print.summary.rg_cox <- function(x, ...) {
  NextMethod()
  for (m in x$flags$messages) cat("Note: ", m, "\n", sep = "")
  invisible(x)
}

#' @export
coef.rg_cox <- function(object, ...) object$coefficients

#' @export
vcov.rg_cox <- function(object, ...) {
  v <- object$var
  dimnames(v) <- list(names(object$coefficients), names(object$coefficients))
  v
}

#' @export
confint.rg_cox <- function(object, parm, level = 0.95, ...) {
  cf <- object$coefficients
  parm <- if (missing(parm)) names(cf) else if (is.numeric(parm)) names(cf)[parm] else parm
  a <- (1 - level) / 2
  q <- stats::qnorm(c(a, 1 - a))
  se <- sqrt(diag(vcov(object)))[parm]
  ci <- cbind(cf[parm] + q[1L] * se, cf[parm] + q[2L] * se)
  dimnames(ci) <- list(parm, paste(format(100 * c(a, 1 - a), trim = TRUE, scientific = FALSE, digits = 3), "%"))
  ci
}

#' @export
logLik.rg_cox <- function(object, ...) {
  structure(object$loglik[2L], df = sum(!is.na(object$coefficients)), nobs = object$nevent,
            class = "logLik")
}

#' @export
nobs.rg_cox <- function(object, ...) object$nevent

#' @export
extractAIC.rg_cox <- function(fit, scale = 0, k = 2, ...) {
  edf <- sum(!is.na(fit$coefficients))
  c(edf, -2 * fit$loglik[2L] + k * edf)
}

#' Tidy and glance an `rg_cox` fit (broom-compatible)
#'
#' `tidy()` gives one row per coefficient (`term, estimate, std.error, statistic, p.value` and,
#' with `conf.int = TRUE`, `conf.low, conf.high`), like broom's method for `coxph`;
#' `glance()` one row of model statistics with broom's column names.
#'
#' @param x An `rg_cox` fit.
#' @param exponentiate Report hazard ratios instead of log hazard ratios.
#' @param conf.int Add confidence limits.
#' @param conf.level Their level.
#' @param ... Unused.
#' @return A data.frame.
#' @name rg_cox_tidiers
#' @exportS3Method generics::tidy
tidy.rg_cox <- function(x, exponentiate = FALSE, conf.int = FALSE, conf.level = 0.95, ...) {
  coef <- x$coefficients
  se <- sqrt(diag(x$var))
  se[is.na(coef)] <- NA_real_
  out <- data.frame(term = names(coef), estimate = unname(coef), std.error = unname(se),
                    statistic = unname(coef / se),
                    p.value = unname(stats::pchisq((coef / se)^2, 1, lower.tail = FALSE)),
                    stringsAsFactors = FALSE)
  if (conf.int) {
    q <- stats::qnorm((1 + conf.level) / 2)
    out$conf.low <- out$estimate - q * out$std.error
    out$conf.high <- out$estimate + q * out$std.error
  }
  if (exponentiate) {
    out$estimate <- exp(out$estimate)
    if (conf.int) {
      out$conf.low <- exp(out$conf.low)
      out$conf.high <- exp(out$conf.high)
    }
  }
  as_tibble_if_available(out)
}

#' @rdname rg_cox_tidiers
#' @exportS3Method generics::glance
glance.rg_cox <- function(x, ...) {
  s <- summary(x)
  out <- data.frame(n = x$n, nevent = x$nevent,
                    statistic.log = unname(s$logtest["test"]), p.value.log = unname(s$logtest["pvalue"]),
                    statistic.sc = unname(s$sctest["test"]), p.value.sc = unname(s$sctest["pvalue"]),
                    statistic.wald = unname(s$waldtest["test"]), p.value.wald = unname(s$waldtest["pvalue"]),
                    statistic.robust = NA_real_, p.value.robust = NA_real_,
                    r.squared = unname(s$rsq["rsq"]), r.squared.max = unname(s$rsq["maxrsq"]),
                    concordance = unname(x$concordance["concordance"]),
                    std.error.concordance = unname(x$concordance["std"]),
                    logLik = as.numeric(stats::logLik(x)), AIC = stats::AIC(x), BIC = stats::BIC(x),
                    nobs = x$n)
  as_tibble_if_available(out)
}

as_tibble_if_available <- function(df) {
  if (requireNamespace("tibble", quietly = TRUE)) tibble::as_tibble(df) else df
}

#' Convert an `rg_cox` fit to a genuine `survival::coxph` object
#'
#' Builds the `coxph` object survival would have returned, with our coefficients: `coxph()` is
#' run on the same data with `init` = our coefficients and `coxph.control(iter.max = 0)` (so it
#' only evaluates the model there: same variance, residuals, concordance), then the null
#' log-likelihood, score and Wald tests and the iteration count are restored and the call is
#' made a plain `coxph()` call. The result works with `survminer::ggforest()`, `cox.zph()`,
#' `anova()`, `survfit()`, `predict()` and `residuals()`.
#'
#' @param fit An `rg_cox` fit from [cox_fit()].
#' @param data The data it was fitted on (by default the data stored in `fit`).
#' @return A `coxph` object (with `model`, `x` and `y` stored, so later calls need no data).
#' @examples
#' cohort <- simulate_cohort(n_samples = 80, n_genes = 200, seed = 1)
#' d <- cbind(cohort$survival, cohort$traits)
#' fit <- cox_fit(survival::Surv(time, status) ~ age + sex + binary, data = d)
#' cf <- as_coxph(fit)
#' survival::cox.zph(cf)
#' @export
as_coxph <- function(fit, data = NULL) {
  if (!inherits(fit, "rg_cox")) rg_abort("`fit` must be an `rg_cox` fit from cox_fit().", arg = "fit")
  data <- data %||% fit$data
  data_name <- fit$data_name %||% quote(data)
  init <- fit$coefficients
  init[is.na(init)] <- 0
  control <- fit$control
  control$iter.max <- 0L
  call <- fit$call
  args <- list(formula = fit$formula, data = data, ties = fit$method,
               init = unname(init), control = control, model = TRUE, x = TRUE, y = TRUE)
  if (!is.null(fit$weights_all)) {
    args$data$.rg_weights <- fit$weights_all
    args$weights <- quote(.rg_weights)
  }
  cf <- suppressWarnings(eval(as.call(c(list(quote(survival::coxph)), args))))
  cf$coefficients[is.na(fit$coefficients)] <- NA
  cf$loglik <- fit$loglik
  cf$score <- fit$score
  cf$wald.test <- fit$wald.test
  cf$iter <- fit$iter
  plain <- as.call(list(quote(coxph), formula = args$formula, data = data_name))
  if (!identical(fit$method, "efron")) plain$ties <- fit$method
  if (!is.null(call$weights)) plain$weights <- call$weights
  cf$call <- plain
  cf
}
