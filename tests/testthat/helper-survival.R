# Shared by the test-survival-*.R files: survival's data sets and relative comparisons.
suppressPackageStartupMessages(library(survival))

# |a - b| <= tol * max(|b|, tiny): relative equality that also accepts NA == NA.
expect_rel_equal <- function(object, expected, tol = 1e-8, info = NULL) {
  object <- as.vector(unlist(object))
  expected <- as.vector(unlist(expected))
  testthat::expect_equal(length(object), length(expected), info = info)
  testthat::expect_equal(is.na(object), is.na(expected), info = info)
  ok <- !is.na(expected)
  scale <- pmax(abs(expected[ok]), 1e-300)
  diff <- ifelse(object[ok] == expected[ok], 0, abs(object[ok] - expected[ok]) / scale)
  worst <- if (any(ok)) max(diff) else 0
  testthat::expect_lte(worst, tol, label = paste("max relative difference", info %||% ""))
}

`%||%` <- function(a, b) if (is.null(a)) b else a

# Draws a plot (base or ggplot/ggsurvplot) into a temporary PNG; returns the file size.
render_png <- function(draw) {
  file <- tempfile(fileext = ".png")
  grDevices::png(file, width = 800, height = 600)
  on.exit(unlink(file))
  tryCatch(draw(), finally = grDevices::dev.off())
  file.info(file)$size
}

# colon's death records with times rounded to years: heavy ties.
colon_years <- function() {
  d <- survival::colon[survival::colon$etype == 2, ]
  d$years <- round(d$time / 365.25)
  d
}
