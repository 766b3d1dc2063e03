# Gene sets: GMT files and the forms users hold (named list, GMT path, GSEABase collection).

#' Read and write GMT gene-set files
#'
#' `read_gmt()` reads a GMT file (the MSigDB / Broad format: one set per line, tab-separated
#' name, description and genes) into a named list of character vectors. Blank lines, trailing
#' tabs and CRLF line endings are accepted; a line without a name, a description and at least
#' one gene is an error naming the line. `write_gmt()` writes gene sets in the same format.
#'
#' @param path Path of the GMT file.
#' @return `read_gmt()`: a named list of character vectors, one per set, with the descriptions
#'   (second GMT field) in `attr(, "description")`. `write_gmt()`: `path`, invisibly.
#' @seealso [gsea_preranked()], which also accepts a GMT path directly.
#' @examples
#' sets <- list(UP = c("G001", "G002", "G003"), DOWN = c("G010", "G011"))
#' path <- tempfile(fileext = ".gmt")
#' write_gmt(sets, path)
#' readLines(path)
#' read_gmt(path)
#' @export
read_gmt <- function(path) {
  check_string(path, "path")
  if (!file.exists(path)) rg_abort(sprintf("`path` does not exist: %s", path))
  gmt <- rust_result(rg_read_gmt(path.expand(path)))
  sets <- stats::setNames(lapply(gmt$genes, as.character), gmt$name)
  attr(sets, "description") <- stats::setNames(gmt$description, gmt$name)
  sets
}

#' @rdname read_gmt
#' @param sets Gene sets: a named list of character vectors, or a
#'   `GSEABase::GeneSetCollection`. Descriptions are taken from `attr(sets, "description")`
#'   when present (as `read_gmt()` sets it), otherwise written as `NA`.
#' @export
write_gmt <- function(sets, path) {
  check_string(path, "path")
  descriptions <- attr(sets, "description")
  sets <- as_gene_sets(sets, "sets")
  if (is.null(descriptions) || length(descriptions) != length(sets)) {
    descriptions <- rep("NA", length(sets))
  }
  descriptions[is.na(descriptions)] <- "NA"
  rust_result(rg_write_gmt(names(sets), as.character(descriptions), unname(sets), path.expand(path)))
  invisible(path)
}

# Gene sets as a named list of character vectors (NA and empty names dropped), from a named list,
# a GMT file path or a GSEABase::GeneSetCollection.
as_gene_sets <- function(x, arg = "gene_sets") {
  if (is.character(x) && length(x) == 1L && !is.na(x) && file.exists(x)) {
    return(read_gmt(x))
  }
  if (methods::is(x, "GeneSetCollection")) {
    if (!requireNamespace("GSEABase", quietly = TRUE)) {
      rg_abort(sprintf("`%s` is a GeneSetCollection but the package GSEABase is not installed.", arg),
               class = "radiogenomics_missing_package")
    }
    x <- GSEABase::geneIds(x)
  }
  if (is.character(x) && length(x) == 1L) {
    rg_abort(sprintf("`%s` is a single string but no file exists at that path: %s", arg, x))
  }
  if (!is.list(x) || is.data.frame(x)) {
    rg_abort(sprintf(paste0("`%s` must be a named list of character vectors, a GMT file path or a ",
                            "GSEABase::GeneSetCollection, not %s."), arg, describe(x)))
  }
  if (length(x) == 0L) rg_abort(sprintf("`%s` contains no gene sets.", arg))
  set_names <- names(x)
  if (is.null(set_names) || anyNA(set_names) || any(set_names == "")) {
    rg_abort(sprintf("`%s` must be a named list: every gene set needs a name.", arg))
  }
  dup <- unique(set_names[duplicated(set_names)])
  if (length(dup)) {
    rg_abort(sprintf("`%s` has %d duplicated set names (e.g. %s).", arg, length(dup),
                     paste(utils::head(dup, 3), collapse = ", ")))
  }
  ok <- vapply(x, function(s) is.null(s) || is.character(s) || is.factor(s) || is.numeric(s), logical(1))
  if (!all(ok)) {
    rg_abort(sprintf("`%s` must contain character vectors of gene names; set %s is %s.", arg,
                     set_names[!ok][[1L]], describe(x[[which(!ok)[[1L]]]])))
  }
  out <- lapply(x, function(s) {
    s <- as.character(s)
    s[!is.na(s) & nzchar(s)]
  })
  attr(out, "description") <- attr(x, "description")
  out
}
