# Runs the testthat suite against the installed package and prints a closing summary line
# ("N passed, N failed, N skipped"). Usage: Rscript tools/run-tests.R [filter]
args <- commandArgs(trailingOnly = TRUE)
filter <- if (length(args) && nzchar(args[[1L]])) args[[1L]] else NULL
library(testthat)
library(radiogenomics)
results <- as.data.frame(test_dir("tests/testthat", filter = filter, package = "radiogenomics",
                                  load_package = "installed", reporter = "summary",
                                  stop_on_failure = FALSE))
failed <- sum(results$failed) + sum(results$error)
passed <- sum(results$nb) - sum(results$failed) - sum(results$skipped)
cat(sprintf("\ntestthat: %d passed, %d failed, %d skipped\n", passed, failed, sum(results$skipped)))
quit(status = if (failed > 0) 1L else 0L)
