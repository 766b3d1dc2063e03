# Pre-ranked gene set enrichment analysis (fgsea's statistics), per-sample enrichment and
# radiogenomic traits. The engine is the Rust crate rg-gsea.

#' Pre-ranked gene set enrichment analysis
#'
#' Tests every gene set for enrichment at the top or bottom of a ranking, with the statistics of
#' Bioconductor's `fgsea` (Korotkevich et al. 2021), which follow Subramanian et al. (2005).
#'
#' **Enrichment score.** Genes are sorted by decreasing `stats`; walking down the list, the
#' running sum rises by \eqn{|s_i|^{p} / N_R} at each gene of the set (\eqn{N_R} = the sum of
#' \eqn{|s|^p} over the set) and falls by \eqn{1/(N - k)} at every other gene. `ES` is the
#' largest deviation from zero (positive or negative; 0 when both are equal). Set sizes are
#' counted after intersecting with `names(stats)`. Tied statistics keep their order in `stats`
#' (a stable sort), so results are reproducible; a warning reports ties as fgsea does.
#'
#' **`method = "simple"`** (fgsea's `fgseaSimple`): `nperm` random gene sets of each tested
#' size; one random set of the largest size serves every size (its first k genes are a random
#' set of size k), and the same random sets serve every ranking of [gsea_per_sample()].
#' `pval = min((1 + #{null ES <= ES}) / (1 + #{null ES <= 0}), (1 + #{null ES >= ES}) / (1 +
#' #{null ES >= 0}))` and `NES = ES / mean(null ES of the same sign)`. Scores equal up to
#' rounding (1e-10) count as ties. `log2err` is fgsea's standard deviation of
#' \eqn{\log_2} p for a permutation p-value.
#'
#' **`method = "multilevel"`** (fgsea's `fgseaMultilevel`): `nperm_simple` permutations first;
#' sets whose p-value they cannot resolve precisely get adaptive multilevel splitting, which
#' reaches p-values far below `1 / nperm` (down to `eps`) with `log2err` as its error estimate.
#'
#' Random numbers come from independent seeded streams (one per block of permutations and per
#' set size), so a given `seed` gives the same result for any `n_threads`.
#'
#' @param stats Named numeric vector of gene-level statistics (names are gene symbols). NA,
#'   infinite values and duplicated or missing names are errors.
#' @param gene_sets Gene sets: a named list of character vectors, a GMT file path (see
#'   [read_gmt()]) or a `GSEABase::GeneSetCollection`.
#' @param nperm Number of permutations (`method = "simple"`).
#' @param min_size,max_size Sets with fewer / more genes in `names(stats)` are not tested.
#' @param gsea_param Weight exponent \eqn{p} (0 = unweighted Kolmogorov–Smirnov, 1 = GSEA).
#' @param method `"simple"` (permutations) or `"multilevel"` (multilevel splitting).
#' @param eps Lower bound of multilevel p-values (0 for none).
#' @param seed Random seed; `NULL` draws one from R's generator, so [set.seed()] applies.
#' @param n_threads Threads (default `getOption("radiogenomics.threads", 2)`).
#' @param sample_size Random sets per multilevel level (fgsea's `sampleSize`).
#' @param nperm_simple Permutations of the multilevel method's first step (fgsea's
#'   `nPermSimple`).
#' @param verbose Print progress.
#' @return A data.frame with fgsea's columns, one row per tested set: `pathway`, `pval`,
#'   `padj` (Benjamini–Hochberg over the sets of the call), `log2err`, `ES`, `NES`, `size`
#'   and `leadingEdge` (a list column: the genes before the peak of a positive ES, top first,
#'   or after the trough of a negative ES, bottom first). Rows are in the order of
#'   `gene_sets` for `method = "simple"` and sorted by `pathway` for `"multilevel"`, as fgsea
#'   orders them. `pval`, `padj`, `NES` and `log2err` are `NA` (with a warning) when too few
#'   random scores share the observed score's sign.
#' @references Subramanian A. et al. (2005) PNAS 102:15545. Korotkevich G. et al. (2021)
#'   bioRxiv 060012, fast gene set enrichment analysis.
#' @seealso [gsea_per_sample()], [plot_enrichment()], [read_gmt()].
#' @examples
#' sim <- simulate_cohort(n_samples = 60, n_genes = 600, gene_sets = 8, seed = 1)
#' trait <- sim$traits[[1]]
#' stats <- apply(sim$expression, 1, function(g) cor(g, as.numeric(factor(trait))))
#' res <- gsea_preranked(stats, sim$gene_sets, nperm = 1000, min_size = 5, seed = 1)
#' res[order(res$pval), c("pathway", "pval", "padj", "ES", "NES", "size")]
#' gsea_preranked(stats, sim$gene_sets, method = "multilevel", min_size = 5, seed = 1)
#' @export
gsea_preranked <- function(stats, gene_sets, nperm = 10000, min_size = 15, max_size = 500,
                           gsea_param = 1, method = c("simple", "multilevel"), eps = 1e-50,
                           seed = NULL, n_threads = default_threads(), sample_size = 101,
                           nperm_simple = 1000, verbose = FALSE) {
  check_ranking(stats)
  gene_sets <- as_gene_sets(gene_sets)
  method <- check_method(method)
  options <- gsea_options(nperm, min_size, max_size, gsea_param, eps, seed, n_threads,
                          sample_size, nperm_simple, verbose)
  res <- run_gsea(names(stats), unname(stats), 1L, gene_sets, method, options)
  warn_gsea_notes(res, method, options, what = "stats")
  gsea_table(res, names(gene_sets))
}

#' Per-sample gene set enrichment
#'
#' [gsea_preranked()] for every column of a genes × samples score matrix, for instance the gene
#' saliency of each patient ([gene_saliency()]). The random gene sets of the null are drawn
#' once and shared by all samples (they depend only on the number of genes and the set sizes),
#' and samples are evaluated in parallel, so hundreds of samples cost little more than one.
#' Each sample's rows equal `gsea_preranked(scores[, j], ...)` with the same `seed`.
#'
#' @param scores Genes × samples numeric matrix (rows named by gene, columns by sample), a
#'   data.frame of that shape or a `SummarizedExperiment`.
#' @inheritParams gsea_preranked
#' @param ... Further arguments of [gsea_preranked()]: `nperm`, `min_size`, `max_size`,
#'   `gsea_param`, `method`, `eps`, `sample_size`, `nperm_simple`.
#' @param assay For a `SummarizedExperiment`, which assay.
#' @param BPPARAM Optional `BiocParallel` back-end: samples are split into one chunk per worker.
#'   Results are the same as without it.
#' @return A long data.frame: `sample`, then the columns of [gsea_preranked()], one row per
#'   sample and tested set; `padj` is adjusted within each sample.
#' @examples
#' sim <- simulate_cohort(n_samples = 20, n_genes = 500, gene_sets = 6, seed = 2)
#' res <- gsea_per_sample(sim$expression[, 1:5], sim$gene_sets, nperm = 500,
#'                        min_size = 5, seed = 1)
#' head(res[, c("sample", "pathway", "pval", "NES")])
#' @export
gsea_per_sample <- function(scores, gene_sets, ..., seed = NULL, n_threads = default_threads(),
                            verbose = FALSE, assay = 1L, BPPARAM = NULL) {
  scores <- as_expression_matrix(scores, assay = assay, arg = "scores")
  gene_sets <- as_gene_sets(gene_sets)
  args <- gsea_dots(...)
  method <- check_method(args$method)
  options <- gsea_options(args$nperm, args$min_size, args$max_size, args$gsea_param, args$eps, seed,
                          n_threads, args$sample_size, args$nperm_simple, verbose)
  samples <- colnames(scores) %||% as.character(seq_len(ncol(scores)))
  res <- if (is.null(BPPARAM)) {
    run_gsea(rownames(scores), scores, ncol(scores), gene_sets, method, options)
  } else {
    run_gsea_chunks(scores, gene_sets, method, options, BPPARAM)
  }
  warn_gsea_notes(res, method, options, what = "scores")
  gsea_table(res, names(gene_sets), samples)
}

#' Radiogenomic traits from per-sample enrichment
#'
#' A radiogenomic trait (Smedley et al. 2020) is a gene set significantly enriched in a
#' patient's saliency ranking for an imaging trait. This function runs [gsea_per_sample()] on
#' saliency maps (or takes its result) and returns, for every sample, which (trait, gene set)
#' pairs are enriched, keeping pairs enriched in at least `min_samples` samples.
#'
#' @param x Saliency: a genes × samples matrix, a genes × samples × traits array (e.g. from
#'   [gene_saliency()] for several classes), a named list of genes × samples matrices (one per
#'   imaging trait), or a [gsea_per_sample()] result (optionally with a `trait` column).
#' @param gene_sets Gene sets (as in [gsea_preranked()]); not needed when `x` is a
#'   [gsea_per_sample()] result.
#' @param padj_cutoff A sample has the trait when the set's `padj` is below this.
#' @param direction `"positive"` (default, the paper's stated intent: `padj < padj_cutoff` and
#'   `NES > 0`) or `"any"` (the reference code: the sign of NES is ignored).
#' @param min_samples Keep (trait, set) pairs enriched in at least this many samples.
#' @param trait Label of the imaging trait for a single matrix or data.frame input (prefixed to
#'   the column names); for arrays and lists their names are used.
#' @param ... Passed to [gsea_per_sample()] (e.g. `nperm`, `method`, `seed`, `n_threads`).
#' @return A logical matrix, samples × kept pairs, with column names
#'   `<trait>.<gene set>` (syntactic, usable as model terms, e.g. `edema.HALLMARK_HYPOXIA`).
#'   `attr(, "counts")` holds the number of enriched samples of every pair before filtering.
#' @examples
#' sim <- simulate_cohort(n_samples = 30, n_genes = 500, gene_sets = 6, seed = 3)
#' saliency <- sim$expression[, 1:12]
#' traits <- radiogenomic_traits(saliency, sim$gene_sets, min_samples = 2, trait = "edema",
#'                               nperm = 500, min_size = 5, seed = 1)
#' dim(traits)
#' colSums(traits)
#' @export
radiogenomic_traits <- function(x, gene_sets = NULL, padj_cutoff = 0.05,
                                direction = c("positive", "any"), min_samples = 5,
                                trait = NULL, ...) {
  check_number(padj_cutoff, "padj_cutoff", min = 0, max = 1)
  check_number(min_samples, "min_samples", min = 1, integer = TRUE)
  direction <- check_choice(direction, "direction", c("positive", "any"))
  if (!is.null(trait)) check_string(trait, "trait")
  enrichment <- trait_enrichment(x, gene_sets, trait, ...)
  significant <- !is.na(enrichment$padj) & enrichment$padj < padj_cutoff
  if (direction == "positive") significant <- significant & !is.na(enrichment$NES) & enrichment$NES > 0
  term <- if (is.null(enrichment$trait)) enrichment$pathway
          else paste(enrichment$trait, enrichment$pathway, sep = ".")
  samples <- unique(as.character(enrichment$sample))
  terms <- unique(term)
  traits <- matrix(FALSE, length(samples), length(terms), dimnames = list(samples, terms))
  hits <- cbind(match(as.character(enrichment$sample), samples), match(term, terms))
  traits[hits[significant, , drop = FALSE]] <- TRUE
  counts <- stats::setNames(as.integer(colSums(traits)), colnames(traits))
  keep <- counts >= min_samples
  traits <- traits[, keep, drop = FALSE]
  colnames(traits) <- make.names(colnames(traits), unique = TRUE)
  attr(traits, "counts") <- counts
  traits
}

#' Enrichment plot
#'
#' The running-sum plot users know from fgsea's `plotEnrichment()`: the enrichment score along
#' the ranking (green), the set's genes as ticks, and dashed lines at the maximum and minimum.
#'
#' @inheritParams gsea_preranked
#' @param gene_set Character vector of the set's genes (or a one-element named list).
#' @param ticks_size Line width of the gene ticks.
#' @return A `ggplot` object.
#' @examples
#' if (requireNamespace("ggplot2", quietly = TRUE)) {
#'   sim <- simulate_cohort(n_samples = 40, n_genes = 500, gene_sets = 6, seed = 1)
#'   stats <- rowMeans(sim$expression[, 1:10]) - rowMeans(sim$expression[, 11:20])
#'   plot_enrichment(stats, sim$gene_sets[[1]])
#' }
#' @export
plot_enrichment <- function(stats, gene_set, gsea_param = 1, ticks_size = 0.2) {
  if (!requireNamespace("ggplot2", quietly = TRUE)) {
    rg_abort("plot_enrichment() needs the package ggplot2; install it with install.packages(\"ggplot2\").",
             class = "radiogenomics_missing_package")
  }
  check_ranking(stats)
  if (is.list(gene_set) && length(gene_set) == 1L) gene_set <- gene_set[[1L]]
  if (!(is.character(gene_set) || is.factor(gene_set)) || length(gene_set) == 0L) {
    rg_abort(sprintf("`gene_set` must be a character vector of gene names, not %s.", describe(gene_set)))
  }
  check_number(gsea_param, "gsea_param", min = 0)
  check_number(ticks_size, "ticks_size", min = 0)
  genes <- as.character(gene_set)
  curve <- rust_result(rg_gsea_curve(names(stats), unname(stats), genes[!is.na(genes)], gsea_param))
  points <- data.frame(x = c(0, as.vector(rbind(curve$positions - 1, curve$positions)), curve$n_genes + 1),
                       y = c(0, as.vector(rbind(curve$bottoms, curve$tops)), 0))
  ticks <- data.frame(x = curve$positions)
  top <- max(curve$tops)
  bottom <- min(curve$bottoms)
  half_tick <- (top - bottom) / 16
  x <- y <- NULL # column names used by ggplot2::aes
  ggplot2::ggplot(points, ggplot2::aes(x = x, y = y)) +
    ggplot2::geom_point(color = "green", size = 0.1) +
    ggplot2::geom_hline(yintercept = top, colour = "red", linetype = "dashed") +
    ggplot2::geom_hline(yintercept = bottom, colour = "red", linetype = "dashed") +
    ggplot2::geom_hline(yintercept = 0, colour = "black") +
    ggplot2::geom_line(color = "green") +
    ggplot2::geom_segment(data = ticks, mapping = ggplot2::aes(x = x, y = -half_tick, xend = x, yend = half_tick),
                          linewidth = ticks_size) +
    ggplot2::theme_bw() +
    ggplot2::theme(panel.border = ggplot2::element_blank(), panel.grid.minor = ggplot2::element_blank()) +
    ggplot2::labs(x = "rank", y = "enrichment score")
}

# ---- internals -----------------------------------------------------------------------------

check_ranking <- function(stats, arg = "stats") {
  if (!is.numeric(stats) || (!is.null(dim(stats)) && length(dim(stats)) > 1L)) {
    rg_abort(sprintf("`%s` must be a named numeric vector, not %s.", arg, describe(stats)))
  }
  genes <- names(stats)
  if (is.null(genes)) rg_abort(sprintf("`%s` must be a named numeric vector (names are genes); it has no names.", arg))
  if (anyNA(genes) || any(genes == "")) {
    rg_abort(sprintf("`%s` has %d missing or empty names.", arg, sum(is.na(genes) | genes == "")))
  }
  dup <- unique(genes[duplicated(genes)])
  if (length(dup)) {
    rg_abort(sprintf("`%s` has %d duplicated names (e.g. %s); aggregate or remove them first.", arg,
                     length(dup), paste(utils::head(dup, 3), collapse = ", ")))
  }
  bad <- !is.finite(stats)
  if (any(bad)) {
    rg_abort(sprintf("`%s` has %d NA or non-finite values (e.g. %s).", arg, sum(bad),
                     paste(utils::head(genes[bad], 3), collapse = ", ")))
  }
  if (length(stats) < 2L) rg_abort(sprintf("`%s` must rank at least 2 genes.", arg))
  invisible(stats)
}

check_method <- function(method) check_choice(method, "method", c("simple", "multilevel"))

# The `...` of gsea_per_sample() / radiogenomic_traits(), with gsea_preranked()'s defaults.
gsea_dots <- function(...) {
  defaults <- formals(gsea_preranked)[c("nperm", "min_size", "max_size", "gsea_param", "method",
                                        "eps", "sample_size", "nperm_simple")]
  defaults$method <- c("simple", "multilevel")
  args <- list(...)
  unknown <- setdiff(names(args), names(defaults))
  if (length(args) && (is.null(names(args)) || any(names(args) == ""))) {
    rg_abort("Arguments in `...` must be named (e.g. `nperm = 1000`).")
  }
  if (length(unknown)) {
    rg_abort(sprintf("Unknown argument%s in `...`: %s. Known: %s.", if (length(unknown) > 1) "s" else "",
                     paste(unknown, collapse = ", "), paste(names(defaults), collapse = ", ")))
  }
  utils::modifyList(lapply(defaults, eval), args)
}

gsea_options <- function(nperm, min_size, max_size, gsea_param, eps, seed, n_threads, sample_size,
                         nperm_simple, verbose) {
  check_number(nperm, "nperm", min = 1, integer = TRUE)
  check_number(min_size, "min_size", min = 1, integer = TRUE)
  check_number(max_size, "max_size", min = 1)
  if (max_size < min_size) {
    rg_abort(sprintf("`max_size` (%s) must be at least `min_size` (%s).", format(max_size), format(min_size)))
  }
  check_number(gsea_param, "gsea_param", min = 0)
  check_number(eps, "eps", min = 0, max = 1)
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  check_number(sample_size, "sample_size", min = 3, integer = TRUE)
  check_number(nperm_simple, "nperm_simple", min = 1, integer = TRUE)
  check_flag(verbose, "verbose")
  list(nperm = nperm, min_size = min_size, max_size = min(max_size, .Machine$integer.max),
       gsea_param = gsea_param, eps = eps, seed = resolve_seed(seed), n_threads = n_threads,
       sample_size = sample_size, nperm_simple = nperm_simple, verbose = verbose)
}

run_gsea <- function(genes, scores, n_samples, gene_sets, method, o) {
  rust_result(rg_gsea(genes, scores, n_samples, names(gene_sets), unname(gene_sets), o$nperm,
                      o$min_size, o$max_size, o$gsea_param, method, o$eps, o$sample_size,
                      o$nperm_simple, o$seed, o$n_threads, o$verbose))
}

# Samples split into one chunk per BiocParallel worker; chunks share the seed, so the result is
# the one of a single call. Tables are re-joined with global sample indices.
run_gsea_chunks <- function(scores, gene_sets, method, options, BPPARAM) {
  if (!requireNamespace("BiocParallel", quietly = TRUE)) {
    rg_abort("`BPPARAM` needs the package BiocParallel.", class = "radiogenomics_missing_package")
  }
  n_chunks <- max(1L, min(ncol(scores), BiocParallel::bpnworkers(BPPARAM)))
  chunks <- split(seq_len(ncol(scores)), ceiling(seq_len(ncol(scores)) * n_chunks / ncol(scores)))
  options$verbose <- FALSE
  parts <- BiocParallel::bplapply(chunks, function(columns) {
    run_gsea(rownames(scores), scores[, columns, drop = FALSE], length(columns), gene_sets, method, options)
  }, BPPARAM = BPPARAM)
  for (i in seq_along(parts)) parts[[i]]$sample <- chunks[[i]][parts[[i]]$sample]
  fields <- names(parts[[1L]])
  stats::setNames(lapply(fields, function(f) do.call(c, unname(lapply(parts, `[[`, f)))), fields)
}

gsea_table <- function(res, set_names, samples = NULL) {
  na <- function(x) {
    x[is.nan(x)] <- NA_real_
    x
  }
  table <- data.frame(pathway = as.character(set_names[res$set]), pval = na(res$pval),
                      padj = na(res$padj), log2err = na(res$log2err), ES = res$ES,
                      NES = na(res$NES), size = res$size, stringsAsFactors = FALSE)
  table$leadingEdge <- lapply(res$leadingEdge, as.character)
  if (!is.null(samples)) table <- cbind(sample = samples[res$sample], table, stringsAsFactors = FALSE)
  table
}

gsea_warning <- function(message, class) {
  warning(warningCondition(message, class = c(class, "radiogenomics_warning"), call = rg_user_call()))
}

# fgsea's warnings, summed over the rankings of a per-sample call.
warn_gsea_notes <- function(res, method, options, what) {
  n_rankings <- length(res$ties)
  tied <- res$ties > 0
  if (any(tied)) {
    where <- if (n_rankings == 1L) sprintf("the preranked `%s`", what)
             else sprintf("%d of %d columns of `%s`", sum(tied), n_rankings, what)
    gsea_warning(sprintf(paste0("There are ties in %s (up to %d tied values in a ranking). Tied genes keep ",
                                "their input order, which decides their rank."), where, max(res$ties)),
                 "radiogenomics_ties")
  }
  if (length(res$set) == 0L) {
    gsea_warning(sprintf("No gene set has between %s and %s genes in the ranking.",
                         format(options$min_size), format(options$max_size)), "radiogenomics_no_sets")
  }
  unbalanced <- if (method == "multilevel") sum(res$unbalanced) else sum(is.nan(res$pval))
  if (unbalanced > 0) {
    hint <- if (method == "multilevel") {
      sprintf(" You can try to increase `nperm_simple` (for example to %s).", format(options$nperm_simple * 10, scientific = FALSE))
    } else ""
    gsea_warning(sprintf(paste0("There were %d pathways for which P-values were not calculated properly due to ",
                                "unbalanced (positive and negative) gene-level statistic values. For such pathways ",
                                "pval, padj, NES and log2err are NA.%s"), unbalanced, hint),
                 "radiogenomics_unbalanced")
  }
  if (sum(res$overestimated) > 0) {
    gsea_warning(paste0("For some of the pathways the P-values were likely overestimated. ",
                        "For such pathways log2err is set to NA."), "radiogenomics_overestimated")
  }
  if (sum(res$at_eps) > 0) {
    gsea_warning(sprintf(paste0("For some pathways, in reality P-values are less than %s. ",
                                "You can set the `eps` argument to zero for better estimation."),
                         format(options$eps)), "radiogenomics_eps")
  }
}

# Per-sample enrichment of every trait in `x` (see radiogenomic_traits()), with a `trait` column
# when `x` has several traits or `trait` is given.
trait_enrichment <- function(x, gene_sets, trait, ...) {
  if (is.data.frame(x)) {
    needed <- c("sample", "pathway", "padj", "NES")
    missing <- setdiff(needed, names(x))
    if (length(missing)) {
      rg_abort(sprintf("`x` is a data.frame but lacks the gsea_per_sample() column%s %s.",
                       if (length(missing) > 1) "s" else "", paste(missing, collapse = ", ")))
    }
    if (!is.null(trait)) x$trait <- trait
    return(x)
  }
  if (is.null(gene_sets)) rg_abort("`gene_sets` is needed when `x` is a saliency matrix.")
  if (is.array(x) && length(dim(x)) == 3L) {
    labels <- dimnames(x)[[3L]] %||% paste0("trait", seq_len(dim(x)[[3L]]))
    x <- stats::setNames(lapply(seq_len(dim(x)[[3L]]), function(k) {
      m <- x[, , k, drop = TRUE]
      dim(m) <- dim(x)[1:2]
      dimnames(m) <- dimnames(x)[1:2]
      m
    }), labels)
  }
  if (is.list(x)) {
    if (is.null(names(x)) || any(names(x) == "")) {
      rg_abort("`x` is a list of saliency matrices: name each element by its imaging trait.")
    }
    parts <- lapply(names(x), function(name) {
      part <- gsea_per_sample(x[[name]], gene_sets, ...)
      part$trait <- rep(name, nrow(part))
      part
    })
    return(do.call(rbind, parts))
  }
  part <- gsea_per_sample(x, gene_sets, ...)
  if (!is.null(trait)) part$trait <- rep(trait, nrow(part))
  part
}
