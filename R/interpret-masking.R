#' Gene masking: how well does a gene set alone predict the trait?
#'
#' For each gene set, every input gene outside the set is set to its training mean (0 after
#' standardization) and the fitted network predicts every sample from the set's genes alone; the
#' predictions are scored against `y`. A set that keeps most of the network's accuracy carries
#' the information the network uses for the trait (Smedley, El-Saden & Hsu 2020).
#'
#' The evaluation is exact but sparse: a masked input is zero outside the set S, so the first
#' layer is computed as `b + W[S, ] x[S]` from the set's weights only, and the remaining layers
#' run densely over blocks of many (set, sample) rows in large matrix products. Results equal
#' `predict()` on the explicitly masked matrix (to f32 rounding, ~1e-6).
#'
#' Scores (through [roc_auc()], [average_precision()], [pr_auc()]): `auc` (ROC AUC), `ap`
#' (average precision, sklearn's `average_precision_score`; the paper's intent) and `pr_auc`
#' (trapezoidal PR-AUC, what the reference code reports as "AP"). A binary network gives one row
#' per set, for its positive class; a multi-class (or multi-label) network gives one row per
#' class (one-vs-rest) plus a `"micro"` row (one-hot truth and probabilities flattened).
#'
#' A regression network (continuous traits) is scored per target with [regression_metrics()]:
#' `r2` (R², 1 - residual / total sum of squares, so a set can score below 0), `mae` and `mape`;
#' its rows are ordered and p-values computed by `r2`.
#'
#' With `n_random > 0`, each set also gets empirical p-values: `n_random` random gene sets of
#' the same size are drawn from the model's genes (once per distinct size, with their own
#' random streams, so results do not depend on the thread count) and
#' `p = (1 + #{random score >= set score}) / (1 + n_random)`, for `auc` (`p_auc`) and `ap`
#' (`p_ap`), or `r2` (`p_r2`) for regression. This goes beyond the reference method: it tells
#' whether a set beats chance. (For regression the random sets are drawn with R's RNG under
#' `seed`.)
#'
#' @section External test cohorts:
#' `x` and `y` may be any cohort, such as an external test cohort. Its expression is standardized
#' with the model's stored training mean and SD (the training cohort's, or the pretrained
#' autoencoder's), never re-estimated on `x`, so each sample is scored exactly as `predict()`
#' scores it, whatever the rest of the cohort, and "masked" means set to the training mean.
#' Genes are matched by name (any order; extra genes are ignored). Genes of the model that `x`
#' lacks are set to their training mean with a warning of class `radiogenomics_missing_genes`
#' (as in `predict()`): they are then masked in every set, so a set made mostly of such genes
#' scores like an empty one; check the warning, or restrict the model to the genes both cohorts
#' share. Samples are matched to `y` by name (else by position).
#'
#' @param model A network from [fit_network()] (binary, multi-class, multi-label or regression).
#' @param x Expression, genes x samples (matrix, data.frame or `SummarizedExperiment`),
#'   standardized with the model's training mean and SD. Genes the model needs but `x` lacks are
#'   set to their training mean (with a warning), as in `predict()`.
#' @param y The samples' trait, as given to [fit_network()]: a factor / character / logical
#'   vector (named by sample, or in the column order of `x`), a 0/1 matrix for multi-label, or
#'   the numeric target(s) of a regression network.
#' @param gene_sets A named list of character vectors of gene symbols, the path of a GMT file,
#'   or a `GSEABase::GeneSetCollection`. Genes absent from the model are dropped and counted.
#' @param min_size,max_size Keep sets with this many genes present in the model (sets with no
#'   gene in the model are always reported, with `NA` scores). The dropped sets are listed in
#'   `attr(result, "dropped")`.
#' @param n_random Random gene sets per distinct set size for empirical p-values (0: none).
#' @param seed Seed for the random sets; `NULL` draws one from R's RNG.
#' @param assay For a `SummarizedExperiment`, which assay.
#' @param verbose Show progress (the job can be interrupted with Ctrl-C / Esc).
#' @param n_threads Threads (default `getOption("radiogenomics.threads", 2)`).
#' @return A data.frame of class `rg_masking`, one row per set and class, with columns
#'   `gene_set`, `class` (the class, or the target of a regression network), `size` (genes of
#'   the set present in the model), `coverage` (present / defined genes), `auc`, `ap`, `pr_auc`
#'   (regression: `r2`, `mae`, `mape`), and with `n_random > 0` also `p_auc`, `p_ap` (`p_r2`).
#'   Attributes: `dropped` (sets outside `min_size`/`max_size`), `n_samples`, `n_random`, `seed`.
#' @seealso [single_gene_masking()], [gene_saliency()], [plot_masking_heatmap()].
#' @examples
#' cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "binary", seed = 1)
#' fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = c(16, 8),
#'                    control = nn_control(epochs = 30, optimizer = "adam", seed = 1, verbose = FALSE))
#' masking <- gene_masking(fit, cohort$expression, cohort$traits$binary, cohort$gene_sets,
#'                         n_random = 20, seed = 1, verbose = FALSE)
#' head(masking[order(-masking$auc), ])
#' cohort$truth
#' @export
gene_masking <- function(model, x, y, gene_sets, min_size = 1, max_size = 500, n_random = 0, seed = NULL,
                         assay = 1L, verbose = interactive(),
                         n_threads = default_threads()) {
  check_masking_model(model)
  check_number(min_size, "min_size", min = 1, integer = TRUE)
  check_number(max_size, "max_size", min = min_size, integer = TRUE)
  check_number(n_random, "n_random", min = 0, max = .Machine$integer.max, integer = TRUE)
  check_flag(verbose, "verbose")
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  seed <- resolve_seed(seed)
  data <- masking_data(model, x, y, assay)
  sets <- gene_set_indices(lapply(as_gene_sets(gene_sets), unique), model$genes)

  in_range <- sets$size == 0L | (sets$size >= min_size & sets$size <= max_size)
  dropped <- data.frame(gene_set = sets$name[!in_range], size = sets$size[!in_range], stringsAsFactors = FALSE)
  sets <- sets[in_range, , drop = FALSE]
  if (nrow(sets) == 0L) {
    rg_abort(sprintf("`gene_sets` has no set with %d to %d genes in the model.", min_size, max_size))
  }

  out <- if (is_regression(model)) {
    regression_gene_masking(model, data, sets, n_random, seed, verbose)
  } else {
    res <- rust_result(rg_gene_masking(model$ptr, model$weights, data$x, data$truth, sets$index,
                                       as.integer(n_random), seed, as.integer(n_threads), verbose))
    masking_table(res, score_classes(model), gene_set = sets$name,
                  extra = list(size = sets$size, coverage = sets$coverage))
  }
  structure(out, class = c("rg_masking", "data.frame"), kind = "gene_set", dropped = dropped,
            n_samples = ncol(data$x), n_random = as.integer(n_random), seed = seed)
}

#' Single-gene masking: every gene alone
#'
#' Keeps one gene at a time (all others at their training mean) and scores the network's
#' predictions, as [gene_masking()] does for sets. The first layer of a single-gene input is a
#' rank-1 update `b + x_g W[g, ]`, so the cost is that of layers 2..L, run in large batched
#' matrix products over all (gene, sample) rows: for the paper's network (12,042 genes,
#' 4000/2000/1000 units) and 175 samples that is 2.1 million masked forward passes, minutes on
#' two cores. The per-gene scores are the reference method's ranking for single-gene GSEA.
#'
#' @inheritParams gene_masking
#' @inheritSection gene_masking External test cohorts
#' @param genes Genes to evaluate (default: all of the model's genes); genes not in the model
#'   are an error.
#' @return A data.frame of class `rg_masking`, one row per gene and class, with columns `gene`,
#'   `class`, `auc`, `ap`, `pr_auc` (regression: `r2`, `mae`, `mape`, per target).
#' @examples
#' cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "binary", seed = 1)
#' fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = c(16, 8),
#'                    control = nn_control(epochs = 30, optimizer = "adam", seed = 1, verbose = FALSE))
#' single <- single_gene_masking(fit, cohort$expression, cohort$traits$binary, verbose = FALSE)
#' head(single[order(-single$auc), ])
#' @export
single_gene_masking <- function(model, x, y, genes = NULL, assay = 1L, verbose = interactive(),
                                n_threads = default_threads()) {
  check_masking_model(model)
  check_flag(verbose, "verbose")
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  genes <- genes %||% model$genes
  if (!is.character(genes) || length(genes) == 0L || anyNA(genes)) {
    rg_abort(sprintf("`genes` must be a character vector of gene names, not %s.", describe(genes)))
  }
  genes <- unique(genes)
  unknown <- setdiff(genes, model$genes)
  if (length(unknown)) {
    rg_abort(sprintf("`genes` has %d genes that are not in the model%s.", length(unknown), examples_of(unknown)),
             class = c("radiogenomics_gene_mismatch", "radiogenomics_invalid_argument"))
  }
  data <- masking_data(model, x, y, assay)
  out <- if (is_regression(model)) {
    regression_single_gene_masking(model, data, genes, verbose)
  } else {
    res <- rust_result(rg_single_gene_masking(model$ptr, model$weights, data$x, data$truth,
                                              match(genes, model$genes), as.integer(n_threads), verbose))
    masking_table(res, score_classes(model), gene = genes)
  }
  structure(out, class = c("rg_masking", "data.frame"), kind = "gene", n_samples = ncol(data$x))
}

#' @export
print.rg_masking <- function(x, n = 10L, ...) {
  what <- if (identical(attr(x, "kind"), "gene")) "single-gene masking" else "gene-set masking"
  unit <- if (identical(attr(x, "kind"), "gene")) "gene" else "gene_set"
  cat(sprintf("<rg_masking> %s: %d %ss x %d classes, %d samples%s\n", what,
              length(unique(x[[unit]])), sub("_", " ", unit), length(unique(x$class)),
              attr(x, "n_samples") %||% NA_integer_,
              if (isTRUE(attr(x, "n_random") > 0)) sprintf(", p-values from %d random sets per size", attr(x, "n_random")) else ""))
  dropped <- attr(x, "dropped")
  if (NROW(dropped)) cat(sprintf("%d sets outside min_size/max_size dropped (attr \"dropped\")\n", nrow(dropped)))
  score <- masking_score(x)
  shown <- x[order(-x[[score]], na.last = TRUE), , drop = FALSE]
  cat(sprintf("Top %d rows by %s:\n", min(n, nrow(x)), score))
  print(utils::head(as.data.frame(shown), n), row.names = FALSE)
  invisible(x)
}

# ---- helpers --------------------------------------------------------------------------------

check_masking_model <- function(model) {
  if (!inherits(model, "rg_network")) {
    rg_abort(sprintf("`model` must be a network from fit_network(), not %s.", describe(model)))
  }
  invisible(model)
}

is_regression <- function(model) identical(model$task, "regression")

# The score a masking table is ranked by: AUC for classifiers, R² for regression.
masking_score <- function(x) if ("auc" %in% names(x)) "auc" else "r2"

# x aligned to the model's genes and the samples x outputs truth matrix (logical; numeric targets
# for regression).
masking_data <- function(model, x, y, assay) {
  x <- as_expression_matrix(x, assay)
  x <- align_genes(x, model$genes, arg = "x", missing = "fill", fill = model$standardization$mean)
  target <- nn_target(y, colnames(x), positive = model$positive, task = model$task, classes = model$classes)
  truth <- target$y[, model$outputs, drop = FALSE]
  if (!is_regression(model)) truth <- truth == 1
  list(x = x, truth = truth)
}

# Column labels of the score matrices: the outputs, plus "micro" with several.
score_classes <- function(model) {
  if (length(model$outputs) > 1L) c(model$outputs, "micro") else model$outputs
}

# Long table: one row per unit (set or gene) and class.
masking_table <- function(res, classes, ..., extra = list()) {
  unit <- list(...)
  n_units <- length(unit[[1L]])
  n_classes <- length(classes)
  rows <- rep(seq_len(n_units), each = n_classes)
  out <- data.frame(unit[[1L]][rows], class = rep(classes, times = n_units), stringsAsFactors = FALSE)
  names(out)[1L] <- names(unit)[1L]
  for (name in names(extra)) out[[name]] <- extra[[name]][rows]
  for (score in c("auc", "ap", "pr_auc", "p_auc", "p_ap", regression_masking_scores, "p_r2")) {
    if (!is.null(res[[score]])) out[[score]] <- as.vector(t(res[[score]]))
  }
  out
}

# One row per set: name, 1-based model-gene indices (list column), size and coverage.
gene_set_indices <- function(sets, genes) {
  index <- lapply(sets, function(s) {
    i <- match(s, genes)
    as.double(i[!is.na(i)])
  })
  size <- lengths(index)
  defined <- lengths(sets)
  out <- data.frame(name = names(sets), size = size,
                    coverage = ifelse(defined > 0L, size / defined, NA_real_), stringsAsFactors = FALSE)
  out$index <- unname(index)
  out
}

# Predictions of masked inputs (tests and diagnostics): `sets` a named list of genes, or
# `single` genes. Returns list(link, prob), arrays samples x outputs x masks.
masked_predictions <- function(model, x, sets = NULL, single = NULL) {
  x <- align_genes(as_expression_matrix(x), model$genes, arg = "x", missing = "fill",
                   fill = model$standardization$mean)
  if (is.null(single)) {
    masks <- unname(lapply(sets, function(s) as.double(stats::na.omit(match(s, model$genes)))))
    names_ <- names(sets)
  } else {
    masks <- as.double(match(single, model$genes))
    names_ <- single
  }
  res <- rust_result(rg_masked_predictions(model$ptr, model$weights, x, masks, is.null(sets)))
  shape <- function(v) {
    a <- aperm(array(v, c(length(model$outputs), ncol(x), length(names_))), c(2L, 1L, 3L))
    dimnames(a) <- list(colnames(x), model$outputs, names_)
    a
  }
  list(link = shape(res$link), prob = shape(res$prob))
}
