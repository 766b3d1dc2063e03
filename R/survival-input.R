# Shared input handling of the survival functions: the `Surv(time, status) ~ rhs` formula, the
# status codings survival accepts, our refusal of negative / infinite times, missing columns,
# and NA rows (dropped and counted, as coxph's na.omit does).

surv_abort <- function(message, class, arg = NULL) {
  rg_abort(message, class = c(paste0("radiogenomics_", class), "radiogenomics_invalid_argument"),
           argument = arg)
}

# Rows named in messages: the first 10, 1-based.
row_list <- function(rows) {
  text <- paste(utils::head(rows, 10L), collapse = ", ")
  if (length(rows) > 10L) paste0(text, ", ...") else text
}

# Status as survival's Surv() reads it: logical, or numeric 0/1, or 1/2 (max 2 means 1/2 coding).
# Unlike Surv(), a value outside the coding is an error naming the rows, not a silent NA.
code_status <- function(status, arg = "status") {
  if (is.logical(status)) return(as.numeric(status))
  if (!is.numeric(status)) {
    surv_abort(sprintf("`%s` must be numeric (0/1 or 1/2) or logical, not %s.", arg, class(status)[[1L]]),
               "invalid_status", arg)
  }
  known <- !is.na(status)
  coded <- if (any(known) && max(status[known]) == 2) status - 1 else status
  bad <- which(known & !(coded %in% c(0, 1)))
  if (length(bad)) {
    surv_abort(sprintf(paste0("`%s` must be coded 0/1 (censored/event), 1/2 or TRUE/FALSE; %d value(s) ",
                              "are not (rows %s: %s)."),
                       arg, length(bad), row_list(bad), paste(utils::head(unique(status[bad]), 5L), collapse = ", ")),
               "invalid_status", arg)
  }
  as.numeric(coded)
}

# NA times are missing data (dropped with the row); negative or infinite times are errors.
check_times <- function(time, arg = "time") {
  if (!is.numeric(time)) {
    surv_abort(sprintf("`%s` must be numeric, not %s.", arg, class(time)[[1L]]), "invalid_time", arg)
  }
  infinite <- which(is.infinite(time))
  if (length(infinite)) {
    surv_abort(sprintf("`%s` has %d infinite value(s) (rows %s); survival times must be finite.",
                       arg, length(infinite), row_list(infinite)), "non_finite_time", arg)
  }
  negative <- which(!is.na(time) & time < 0)
  if (length(negative)) {
    surv_abort(sprintf(paste0("`%s` has %d negative value(s) (rows %s); survival times must be >= 0 ",
                              "(survival would accept them silently)."),
                       arg, length(negative), row_list(negative)), "negative_time", arg)
  }
  as.numeric(time)
}

# The `Surv(time, status)` on the left of `formula`, as two expressions.
surv_response <- function(formula) {
  if (!inherits(formula, "formula") || length(formula) != 3L) {
    surv_abort("`formula` must be a two-sided formula such as `Surv(time, status) ~ group`.",
               "invalid_formula", "formula")
  }
  lhs <- formula[[2L]]
  is_surv <- is.call(lhs) && (identical(lhs[[1L]], as.name("Surv")) ||
                                identical(lhs[[1L]], quote(survival::Surv)))
  if (!is_surv || length(lhs) != 3L || !is.null(names(lhs)) && any(!names(lhs)[-1L] %in% c("", "time", "event"))) {
    surv_abort(sprintf("The left side of `formula` must be `Surv(time, status)` (right-censored data), not `%s`.",
                       paste(deparse(lhs), collapse = " ")), "invalid_formula", "formula")
  }
  args <- as.list(lhs)[-1L]
  if (!is.null(names(args)) && all(c("time", "event") %in% names(args))) args <- args[c("time", "event")]
  list(time = args[[1L]], status = args[[2L]])
}

check_formula_columns <- function(formula, data) {
  vars <- all.vars(formula)
  env <- environment(formula) %||% parent.frame()
  missing <- vars[!vars %in% names(data) & !vapply(vars, exists, logical(1), envir = env)]
  if (length(missing)) {
    surv_abort(sprintf("`formula` refers to column(s) not in `data`: %s.",
                       paste0("`", missing, "`", collapse = ", ")), "missing_column", "formula")
  }
}

# Evaluates the formula on `data`: validated, 0/1-coded outcome plus the model frame of the
# right side (with `specials`), complete cases only. `weights`: NULL or one value per row.
# Returns list(time, status, frame, terms, na_action, n_dropped).
surv_frame <- function(formula, data, specials = NULL, weights = NULL, env = parent.frame()) {
  if (!is.data.frame(data)) {
    rg_abort(sprintf("`data` must be a data.frame, not %s.", class(data)[[1L]]), arg = "data")
  }
  response <- surv_response(formula)
  check_formula_columns(formula, data)
  fenv <- environment(formula) %||% env
  time <- check_times(eval(response$time, data, fenv))
  status <- code_status(eval(response$status, data, fenv))
  if (length(time) != nrow(data) || length(status) != nrow(data)) {
    surv_abort("`Surv(time, status)` must have one time and one status per row of `data`.",
               "invalid_formula", "formula")
  }
  work <- data
  work$.rg_time <- time
  work$.rg_status <- status
  # expand `.` against the user's columns before the response is swapped for the coded one
  rhs <- stats::formula(stats::terms(formula, specials = specials, data = data))
  rhs[[2L]] <- quote(cbind(.rg_time, .rg_status))
  environment(rhs) <- fenv
  terms_rhs <- stats::terms(rhs, specials = specials, data = data)
  if (!is.null(weights)) {
    if (!is.numeric(weights) || length(weights) != nrow(data)) {
      rg_abort(sprintf("`weights` must be numeric with one value per row of `data` (%d).", nrow(data)),
               class = "radiogenomics_invalid_weights", arg = "weights")
    }
    work$.rg_weights <- weights
  }
  mf_call <- list(quote(stats::model.frame), formula = terms_rhs, data = work, na.action = stats::na.omit)
  if (!is.null(weights)) mf_call$weights <- quote(.rg_weights)
  frame <- eval(as.call(mf_call), envir = env)
  y <- stats::model.response(frame)
  na_action <- attr(frame, "na.action")
  list(time = unname(y[, 1L]), status = unname(y[, 2L]), frame = frame, terms = stats::terms(frame),
       weights = stats::model.weights(frame), na_action = na_action,
       n_dropped = length(na_action))
}

# A right-censored Surv object of the coded outcome (what coxph stores as `y`).
as_surv <- function(time, status) survival::Surv(time, status)

check_events <- function(status, minimum = 2L) {
  events <- sum(status == 1)
  if (events < minimum) {
    surv_abort(sprintf("A Cox model needs at least %d events; the data have %d.", minimum, events),
               "too_few_events", "status")
  }
}

