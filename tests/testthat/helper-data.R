# Real public data shared beside the project (never copied into it). Tests that use it skip
# cleanly when it is absent.
shared_data <- function(...) {
  candidates <- c(Sys.getenv("RADIOGENOMICS_SHARED_DATA"),
                  file.path(c("../../../shared", "../../shared", "../shared",
                              "../../../../shared"), "data"))
  candidates <- candidates[nzchar(candidates) & dir.exists(candidates)]
  root <- if (length(candidates)) normalizePath(candidates[[1L]]) else file.path(tempdir(), "no-shared-data")
  file.path(root, ...)
}

skip_without_shared_data <- function(...) {
  testthat::skip_if_not(file.exists(shared_data(...)), "shared real data (../shared/data) not available")
}

# Runs R code in a fresh R process; returns list(status, stdout, stderr).
run_r_subprocess <- function(code, signal_after = NULL) {
  script <- tempfile(fileext = ".R")
  out <- tempfile(); err <- tempfile()
  libs <- paste(deparse(.libPaths()), collapse = "")
  writeLines(c(sprintf(".libPaths(%s)", libs), code), script)
  rscript <- file.path(R.home("bin"), "Rscript")
  if (is.null(signal_after)) {
    status <- system2(rscript, script, stdout = out, stderr = err)
  } else {
    cmd <- sprintf("'%s' '%s' >'%s' 2>'%s' & pid=$!; sleep %s; kill -INT $pid; wait $pid",
                   rscript, script, out, err, signal_after)
    status <- system2("bash", c("-c", shQuote(cmd)))
  }
  list(status = status, stdout = readLines(out, warn = FALSE), stderr = readLines(err, warn = FALSE))
}
