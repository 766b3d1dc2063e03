#' Heatmap of gene-masking scores
#'
#' Gene sets (rows) by classes or traits (columns), coloured by a masking score, with rows and
#' columns ordered by hierarchical clustering so that sets informative for the same traits sit
#' together.
#'
#' @param x A [gene_masking()] result, or a named list of them (one per trait or model; the names
#'   label the columns together with the classes).
#' @param metric The score to show: `"auc"`, `"ap"` or `"pr_auc"`; `"r2"` for regression
#'   networks. `NULL`: AUC, or R² for regression.
#' @param cluster Order rows and columns by hierarchical clustering (`hclust`, Euclidean
#'   distance, complete linkage); otherwise keep the input order.
#' @param micro Include the `"micro"` columns of multi-class results.
#' @param top Show only the `top` sets with the highest score in any column (`NULL`: all).
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "multiclass", seed = 1)
#'   fit <- fit_network(cohort$expression, cohort$traits$multiclass, hidden = 16,
#'                      control = nn_control(epochs = 30, optimizer = "adam", seed = 1, verbose = FALSE))
#'   masking <- gene_masking(fit, cohort$expression, cohort$traits$multiclass, cohort$gene_sets,
#'                           verbose = FALSE)
#'   plot_masking_heatmap(masking)
#' }
#' @export
plot_masking_heatmap <- function(x, metric = NULL, cluster = TRUE, micro = FALSE, top = NULL) {
  require_ggplot2()
  metric <- masking_metric(x, metric)
  check_flag(cluster, "cluster")
  check_flag(micro, "micro")
  long <- masking_long(x, "gene_set", metric, micro)
  m <- tapply(long$value, list(long$unit, long$column), function(v) v[[1L]])
  m <- m[rowSums(!is.na(m)) > 0L, , drop = FALSE]
  if (!is.null(top)) {
    check_number(top, "top", min = 1, integer = TRUE)
    best <- apply(m, 1L, max, na.rm = TRUE)
    m <- m[order(-best)[seq_len(min(top, nrow(m)))], , drop = FALSE]
  }
  row_order <- cluster_order(m, cluster)
  col_order <- cluster_order(t(m), cluster)
  long <- long[long$unit %in% rownames(m), , drop = FALSE]
  long$unit <- factor(long$unit, levels = rownames(m)[row_order])
  long$column <- factor(long$column, levels = colnames(m)[col_order])
  ggplot2::ggplot(long, ggplot2::aes(x = column, y = unit, fill = value)) +
    ggplot2::geom_tile(colour = "white") +
    ggplot2::scale_fill_gradient2(low = "#2166ac", mid = "#f7f7f7", high = "#b2182b",
                                  midpoint = switch(metric, auc = 0.5, r2 = 0, stats::median(long$value, na.rm = TRUE)),
                                  na.value = "grey85", name = metric) +
    ggplot2::labs(x = NULL, y = NULL, title = sprintf("Gene masking (%s)", metric)) +
    ggplot2::theme_minimal() +
    ggplot2::theme(axis.text.x = ggplot2::element_text(angle = 45, hjust = 1), panel.grid = ggplot2::element_blank())
}

#' Top genes (or gene sets) per class
#'
#' Horizontal bars of the `n` best-scoring genes of each class, from [single_gene_masking()] (or
#' the best sets from [gene_masking()]), one panel per class.
#'
#' @param x A [single_gene_masking()] or [gene_masking()] result.
#' @param metric `"auc"`, `"ap"` or `"pr_auc"`; `"r2"` for regression networks. `NULL`: AUC, or
#'   R² for regression.
#' @param n Genes per class.
#' @param micro Include the `"micro"` panel of multi-class results.
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "binary", seed = 1)
#'   fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = 16,
#'                      control = nn_control(epochs = 30, optimizer = "adam", seed = 1, verbose = FALSE))
#'   single <- single_gene_masking(fit, cohort$expression, cohort$traits$binary, verbose = FALSE)
#'   plot_top_genes(single, n = 15)
#' }
#' @export
plot_top_genes <- function(x, metric = NULL, n = 20, micro = FALSE) {
  require_ggplot2()
  metric <- masking_metric(x, metric)
  check_number(n, "n", min = 1, integer = TRUE)
  check_flag(micro, "micro")
  unit <- if ("gene" %in% names(x)) "gene" else "gene_set"
  long <- masking_long(x, unit, metric, micro)
  long <- long[!is.na(long$value), , drop = FALSE]
  top <- do.call(rbind, lapply(split(long, long$column), function(d) utils::head(d[order(-d$value), ], n)))
  # one y level per (class, gene), ordered by score within each panel
  top$key <- paste(top$column, top$unit, sep = "\r")
  top$key <- factor(top$key, levels = top$key[order(top$column, top$value)])
  ggplot2::ggplot(top, ggplot2::aes(x = value, y = key)) +
    ggplot2::geom_col(fill = "#4575b4", width = 0.7) +
    ggplot2::facet_wrap(~column, scales = "free_y") +
    ggplot2::scale_y_discrete(labels = function(k) sub("^.*\r", "", k)) +
    ggplot2::coord_cartesian(xlim = c(switch(metric, auc = 0.5, r2 = NA, 0), NA)) +
    ggplot2::labs(x = metric, y = NULL, title = sprintf("Top %ss per class (%s)", sub("_", " ", unit), metric)) +
    ggplot2::theme_minimal()
}

utils::globalVariables(c("column", "unit", "value", "key"))  # ggplot2 aesthetics above

#' @export
plot.rg_masking <- function(x, ...) {
  if (identical(attr(x, "kind"), "gene")) plot_top_genes(x, ...) else plot_masking_heatmap(x, ...)
}

# ---- helpers --------------------------------------------------------------------------------

require_ggplot2 <- function() {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    rg_abort("This plot needs the ggplot2 package: install.packages(\"ggplot2\").",
             class = c("radiogenomics_missing_package", "radiogenomics_error"))
  }
}

# unit (gene set or gene), column (trait: class), value.
# The score to plot (higher is better): `metric`, or the results' ranking score (AUC; R² for
# regression).
masking_metric <- function(x, metric) {
  first <- if (is.data.frame(x)) x else if (is.list(x) && length(x)) x[[1L]]
  if (!is.data.frame(first)) rg_abort("`x` must be a masking result or a named list of them.")
  metric <- metric %||% masking_score(first)
  check_choice(metric[[1L]], "metric", intersect(c("auc", "ap", "pr_auc", "r2"), names(first)))
}

masking_long <- function(x, unit, metric, micro) {
  results <- if (inherits(x, "data.frame")) list(x) else x
  if (!is.list(results) || length(results) == 0L ||
      !all(vapply(results, function(r) is.data.frame(r) && all(c(unit, "class", metric) %in% names(r)), logical(1)))) {
    rg_abort(sprintf("`x` must be a masking result (or a named list of them) with columns %s, class and %s.", unit, metric))
  }
  if (length(results) > 1L && (is.null(names(results)) || any(names(results) == ""))) {
    rg_abort("`x` is a list of masking results: name each element (e.g. by trait).")
  }
  parts <- lapply(seq_along(results), function(i) {
    r <- results[[i]]
    if (!micro) r <- r[r$class != "micro", , drop = FALSE]
    column <- if (length(results) > 1L) paste(names(results)[i], r$class, sep = ": ") else r$class
    data.frame(unit = r[[unit]], column = column, value = r[[metric]], stringsAsFactors = FALSE)
  })
  do.call(rbind, parts)
}

cluster_order <- function(m, cluster) {
  if (!cluster || nrow(m) < 3L) return(seq_len(nrow(m)))
  filled <- m
  filled[is.na(filled)] <- mean(m, na.rm = TRUE)
  stats::hclust(stats::dist(filled))$order
}
