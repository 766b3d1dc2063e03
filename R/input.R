#' Check and standardise an expression input
#'
#' Accepts what users hold: a numeric matrix (genes × samples, rows named by gene, columns by
#' sample), a data.frame of the same shape, or a Bioconductor `SummarizedExperiment` (its
#' `assay`). Returns a double matrix, or stops with a `radiogenomics_error` that names the
#' argument and the problem: non-numeric data, missing values (NA/NaN/Inf), missing or
#' duplicated gene names, missing or duplicated sample names, empty input.
#'
#' @param x Expression data, genes × samples.
#' @param assay For a `SummarizedExperiment`, which assay (name or index).
#' @param arg The argument name used in error messages.
#' @return A numeric matrix, genes × samples, with row and column names.
#' @examples
#' m <- matrix(rnorm(6), 3, 2, dimnames = list(c("TP53", "EGFR", "PTEN"), c("s1", "s2")))
#' as_expression_matrix(m)
#' try(as_expression_matrix(m[c(1, 1), ]))  # duplicated gene names
#' @export
as_expression_matrix <- function(x, assay = 1L, arg = "x") {
  x <- expression_values(x, assay, arg)
  check_expression_values(x, arg)
  check_dimnames(x, arg)
  x
}

expression_values <- function(x, assay, arg) {
  if (is.null(x)) rg_abort(sprintf("`%s` is NULL; expected a genes x samples matrix.", arg))
  if (methods::is(x, "SummarizedExperiment")) {
    if (!requireNamespace("SummarizedExperiment", quietly = TRUE)) {
      rg_abort(sprintf("`%s` is a SummarizedExperiment but the package SummarizedExperiment is not installed.", arg))
    }
    available <- SummarizedExperiment::assayNames(x)
    ok <- (is.numeric(assay) && assay >= 1 && assay <= length(SummarizedExperiment::assays(x))) ||
      (is.character(assay) && assay %in% available)
    if (!ok) {
      rg_abort(sprintf("`assay` (%s) is not an assay of `%s`; it has: %s.", format(assay), arg,
                       if (length(available)) paste(available, collapse = ", ") else "no named assays"))
    }
    x <- as.matrix(SummarizedExperiment::assay(x, assay))
  } else if (is.data.frame(x)) {
    bad <- names(x)[!vapply(x, is.numeric, logical(1))]
    if (length(bad)) {
      rg_abort(sprintf("`%s` has non-numeric columns: %s. Gene names belong in the row names.",
                       arg, paste(utils::head(bad, 5), collapse = ", ")))
    }
    gene_names <- if (.row_names_info(x) > 0) rownames(x) else NULL
    x <- as.matrix(x)
    rownames(x) <- gene_names
  } else if (!is.matrix(x)) {
    rg_abort(sprintf("`%s` must be a genes x samples matrix, data.frame or SummarizedExperiment, not %s.",
                     arg, class(x)[[1L]]))
  }
  if (!is.numeric(x)) rg_abort(sprintf("`%s` must be numeric, not %s.", arg, typeof(x)))
  if (length(x) == 0L) rg_abort(sprintf("`%s` is empty (%d genes x %d samples).", arg, nrow(x), ncol(x)))
  if (!is.double(x)) storage.mode(x) <- "double"
  x
}

check_expression_values <- function(x, arg) {
  bad <- !is.finite(x)
  if (any(bad)) {
    first <- which(bad, arr.ind = TRUE)[1L, ]
    kinds <- c("NA" = any(is.na(x) & !is.nan(x)), "NaN" = any(is.nan(x)), "Inf" = any(is.infinite(x)))
    kind <- paste(names(kinds)[kinds], collapse = "/")
    rg_abort(sprintf("`%s` has %d missing or infinite values (%s), first at gene %s, sample %s.",
                     arg, sum(bad), kind,
                     rownames(x)[first[[1L]]] %||% first[[1L]], colnames(x)[first[[2L]]] %||% first[[2L]]))
  }
}

check_dimnames <- function(x, arg) {
  genes <- rownames(x)
  if (is.null(genes) || anyNA(genes) || any(genes == "")) {
    rg_abort(sprintf("`%s` needs gene names as row names (genes x samples); %s.", arg,
                     if (is.null(genes)) "it has none" else "some are missing or empty"))
  }
  dup <- unique(genes[duplicated(genes)])
  if (length(dup)) {
    rg_abort(sprintf("`%s` has %d duplicated gene names (e.g. %s); aggregate or remove them first.",
                     arg, length(dup), paste(utils::head(dup, 3), collapse = ", ")))
  }
  samples <- colnames(x)
  if (is.null(samples) || anyNA(samples) || any(samples == "")) {
    rg_abort(sprintf("`%s` needs sample names as column names; %s.", arg,
                     if (is.null(samples)) "it has none" else "some are missing or empty"))
  }
  dup <- unique(samples[duplicated(samples)])
  if (length(dup)) {
    rg_abort(sprintf("`%s` has %d duplicated sample names (e.g. %s).", arg, length(dup),
                     paste(utils::head(dup, 3), collapse = ", ")))
  }
}

`%||%` <- function(a, b) if (is.null(a)) b else a
