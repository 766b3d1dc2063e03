test_that("no Rust panic text reaches stderr when the core returns an error", {
  result <- run_r_subprocess(c(
    "library(radiogenomics)",
    "r <- tryCatch(roc_auc(c(TRUE, TRUE), c(1, 2)), error = function(e) class(e))",
    "cat(r, sep = '\\n')",
    "try(as_expression_matrix(matrix(NA_real_, 2, 2)))",
    "try(simulate_cohort(n_genes = 100, gene_sets = 100))"
  ))
  expect_equal(result$status, 0L)
  expect_true("radiogenomics_invalid_argument" %in% result$stdout)
  expect_false(any(grepl("panicked|RUST_BACKTRACE|thread '", result$stderr)), info = paste(result$stderr, collapse = "\n"))
  expect_true(any(grepl("Error in as_expression_matrix", result$stderr)))
})

test_that("Ctrl-C inside a long Rust job stops it with a clean R condition", {
  skip_on_os("windows")
  result <- run_r_subprocess(c(
    "library(radiogenomics)",
    "cat('started\\n')",
    "r <- tryCatch(simulate_cohort(n_samples = 4000, n_genes = 50000, gene_sets = 10, seed = 1, verbose = TRUE),",
    "              radiogenomics_interrupt = function(e) paste('caught', conditionMessage(e)))",
    "cat(if (is.character(r)) r else 'finished', '\\n')"
  ), signal_after = 3)
  expect_true(any(grepl("caught interrupted by the user", result$stdout)),
              info = paste(c(result$stdout, result$stderr), collapse = "\n"))
  expect_true(any(grepl("simulating samples", result$stderr)))  # progress was shown
  expect_false(any(grepl("panicked", result$stderr)))
})

test_that("RAYON_NUM_THREADS follows the radiogenomics.threads option when unset", {
  result <- run_r_subprocess(c(
    "Sys.unsetenv('RAYON_NUM_THREADS')",
    "options(radiogenomics.threads = 1L)",
    "library(radiogenomics)",
    "cat(Sys.getenv('RAYON_NUM_THREADS'))"
  ))
  expect_identical(result$stdout, "1")
})
