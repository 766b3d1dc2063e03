#' Write an HTML report of a pipeline run
#'
#' One self-contained HTML file (rmarkdown + pandoc): the cohort, cross-validated performance per
#' trait and method (the paper's Figure 4), gene-masking heatmaps (Figure 7), the top single
#' genes, radiogenomic-trait counts (Figure 8), Kaplan–Meier curves with risk tables, a forest
#' plot and the Cox tables (Table 3), and the software versions and seeds used.
#'
#' @param pipeline An `rg_pipeline` from [run_pipeline()].
#' @param path Output HTML file.
#' @param title Report title.
#' @return `path`, invisibly.
#' @export
report <- function(pipeline, path = "radiogenomics-report.html", title = "Radiogenomic analysis") {
  if (!inherits(pipeline, "rg_pipeline")) rg_abort(sprintf("`pipeline` must be an `rg_pipeline`, not %s.", describe(pipeline)))
  check_string(path, "path")
  for (p in c("rmarkdown", "knitr", "ggplot2")) {
    if (!requireNamespace(p, quietly = TRUE)) rg_abort(sprintf("report() needs the package %s.", p))
  }
  if (!rmarkdown::pandoc_available()) rg_abort("report() needs pandoc (Debian package `pandoc`).")
  template <- system.file("report", "pipeline-report.Rmd", package = "radiogenomics")
  work <- tempfile("rg-report")
  dir.create(work)
  on.exit(unlink(work, recursive = TRUE))
  file.copy(template, file.path(work, "report.Rmd"))
  dir.create(dirname(path), showWarnings = FALSE, recursive = TRUE)
  output <- rmarkdown::render(file.path(work, "report.Rmd"), output_file = "report.html", output_dir = work,
                              params = list(pipeline = pipeline, title = title), envir = new.env(),
                              intermediates_dir = work, quiet = TRUE)
  file.copy(output, path, overwrite = TRUE)
  invisible(path)
}
