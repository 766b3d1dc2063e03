# Gene masking for regression networks (continuous imaging traits, e.g. radiomic shape features).
# The masked predictions are those of classification masking (rg_masked_predictions: the set's
# genes kept, every other gene at its training mean); they are scored per target with
# regression_metrics() (R², MAE, MAPE) instead of AUC / AP. Masks go to Rust in blocks so that
# memory stays bounded for single-gene masking of thousands of genes, and so that R can show
# progress and notice Ctrl-C between blocks.

regression_masking_scores <- c("r2", "mae", "mape")

# Scores of every mask: a list with one (n_masks x n_targets) matrix per score.
# `masks` is a list of 1-based gene-index vectors (sets) or a vector of gene indices (single).
score_regression_masks <- function(model, data, masks, single, verbose, block_size = 256L) {
  n_masks <- length(masks)
  n_targets <- length(model$outputs)
  scores <- missing_regression_scores(n_masks, n_targets)
  blocks <- split(seq_len(n_masks), ceiling(seq_len(n_masks) / block_size))
  for (b in seq_along(blocks)) {
    index <- blocks[[b]]
    prediction <- masked_regression_predictions(model, data$x, masks[index], single)
    for (k in seq_along(index)) {
      for (j in seq_len(n_targets)) {
        m <- regression_metrics(data$truth[, j], prediction[, j, k])
        for (s in regression_masking_scores) scores[[s]][index[k], j] <- m[[s]]
      }
    }
    if (verbose) message(sprintf("\rmasking: %d / %d", max(index), n_masks), appendLF = b == length(blocks))
  }
  scores
}

missing_regression_scores <- function(n_masks, n_targets) {
  lapply(stats::setNames(nm = regression_masking_scores), function(s) matrix(NA_real_, n_masks, n_targets))
}

# samples x targets x masks array of the network's outputs with only the masked genes kept.
masked_regression_predictions <- function(model, x, masks, single) {
  if (single) masks <- as.double(unlist(masks))
  res <- rust_result(rg_masked_predictions(model$ptr, model$weights, x, masks, single))
  aperm(array(res$link, c(length(model$outputs), ncol(x), length(masks))), c(2L, 1L, 3L))
}

# Random gene sets of each distinct size, `n_random` per size, from the model's genes.
random_index_sets <- function(sizes, n_genes, n_random, seed) {
  withr_seed(seed, lapply(stats::setNames(nm = sort(unique(sizes))), function(size) {
    lapply(seq_len(n_random), function(i) as.double(sample.int(n_genes, size)))
  }))
}

# p = (1 + #{random R² >= observed R²}) / (1 + n_random), per set and target.
regression_masking_p <- function(model, data, sets, observed_r2, n_random, seed, verbose) {
  p <- matrix(NA_real_, nrow(sets), length(model$outputs))
  present <- sets$size > 0L
  if (!any(present)) return(p)
  random <- random_index_sets(sets$size[present], length(model$genes), n_random, seed)
  random_r2 <- lapply(random, function(draws) score_regression_masks(model, data, draws, FALSE, verbose)$r2)
  for (i in which(present)) {
    draws <- random_r2[[as.character(sets$size[[i]])]]
    for (j in seq_len(ncol(p))) p[i, j] <- (1 + sum(draws[, j] >= observed_r2[i, j])) / (1 + n_random)
  }
  p
}

# gene_masking() for a regression network: one row per set and target.
regression_gene_masking <- function(model, data, sets, n_random, seed, verbose) {
  scores <- missing_regression_scores(nrow(sets), length(model$outputs))
  present <- sets$size > 0L
  if (any(present)) {
    observed <- score_regression_masks(model, data, sets$index[present], FALSE, verbose)
    for (s in regression_masking_scores) scores[[s]][present, ] <- observed[[s]]
  }
  if (n_random > 0) scores$p_r2 <- regression_masking_p(model, data, sets, scores$r2, n_random, seed, verbose)
  masking_table(scores, model$outputs, gene_set = sets$name, extra = list(size = sets$size, coverage = sets$coverage))
}

# single_gene_masking() for a regression network: one row per gene and target.
regression_single_gene_masking <- function(model, data, genes, verbose) {
  scores <- score_regression_masks(model, data, as.list(as.double(match(genes, model$genes))), TRUE, verbose)
  masking_table(scores, model$outputs, gene = genes)
}
