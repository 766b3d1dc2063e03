# Errors: every problem becomes an R condition of class `radiogenomics_error` (plus a specific
# class) that names the offending argument and carries the user's call.

#' Signal a radiogenomics error
#'
#' @param message The message; it should name the argument, e.g. "`x` has 3 NA values".
#' @param class Specific condition class(es), prepended to `radiogenomics_error`.
#' @param call The call to report: by default the user's call to the exported function.
#' @param ... Extra fields stored in the condition.
#' @keywords internal
#' @noRd
rg_abort <- function(message, class = "radiogenomics_invalid_argument", call = rg_user_call(), ...) {
  condition <- structure(
    class = c(class, "radiogenomics_error", "error", "condition"),
    list(message = message, call = call, ...)
  )
  stop(condition)
}

# The innermost call on the stack to an exported function of this package: the call the user made.
rg_user_call <- function() {
  exported <- getNamespaceExports("radiogenomics")
  calls <- sys.calls()
  for (i in rev(seq_along(calls))) {
    f <- calls[[i]][[1L]]
    name <- if (is.name(f)) as.character(f) else if (is.call(f) && identical(f[[1L]], as.name("::"))) as.character(f[[3L]]) else ""
    if (length(name) == 1L && name %in% exported) return(calls[[i]])
  }
  NULL
}

# Values returned by the Rust glue are either the result or an `rg_rust_error` (message, kind,
# argument), which is raised here as a classed condition.
rust_result <- function(value, call = rg_user_call()) {
  if (!inherits(value, "rg_rust_error")) return(value)
  rg_abort(value$message, class = paste0("radiogenomics_", value$kind), call = call,
           argument = value$argument)
}

# ---- argument checks -------------------------------------------------------------------------

arg_name <- function(arg) paste0("`", arg, "`")

check_number <- function(x, arg, min = -Inf, max = Inf, integer = FALSE) {
  ok <- is.numeric(x) && length(x) == 1L && !is.na(x) && x >= min && x <= max &&
    (!integer || x == round(x))
  if (!ok) {
    what <- if (integer) "a whole number" else "a number"
    range <- if (is.finite(min) && is.finite(max)) sprintf(" between %s and %s", min, max)
             else if (is.finite(min)) sprintf(" >= %s", min)
             else if (is.finite(max)) sprintf(" <= %s", max) else ""
    rg_abort(sprintf("%s must be %s%s, not %s.", arg_name(arg), what, range, describe(x)))
  }
  invisible(x)
}

check_flag <- function(x, arg) {
  if (!is.logical(x) || length(x) != 1L || is.na(x)) {
    rg_abort(sprintf("%s must be TRUE or FALSE, not %s.", arg_name(arg), describe(x)))
  }
  invisible(x)
}

# One of `choices`; the whole default vector (an argument left unset) means its first element.
check_choice <- function(x, arg, choices) {
  if (identical(x, choices)) return(choices[[1L]])
  if (!is.character(x) || length(x) != 1L || is.na(x) || !x %in% choices) {
    rg_abort(sprintf("%s must be one of %s, not %s.", arg_name(arg),
                     paste0("\"", choices, "\"", collapse = ", "), describe(x)))
  }
  x
}

# Threads of the Rust core when a call does not say (the option is also read at load time).
default_threads <- function() getOption("radiogenomics.threads", 2L)

check_string <- function(x, arg) {
  if (!is.character(x) || length(x) != 1L || is.na(x)) {
    rg_abort(sprintf("%s must be a single string, not %s.", arg_name(arg), describe(x)))
  }
  invisible(x)
}

# `seed = NULL` draws from R's RNG, so set.seed() makes a run reproducible.
resolve_seed <- function(seed, arg = "seed") {
  if (is.null(seed)) return(floor(stats::runif(1L, 0, 2^31 - 1)))
  check_number(seed, arg, min = 0, integer = TRUE)
  seed
}

# A short description of a value for error messages.
describe <- function(x) {
  if (is.null(x)) return("NULL")
  if (length(x) == 1L && (is.atomic(x))) return(sprintf("%s `%s`", typeof(x), format(x)))
  sprintf("a %s of length %d", class(x)[[1L]], length(x))
}
