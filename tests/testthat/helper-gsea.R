# Shared by test-gsea-*.R: random rankings, random sets and a plain R enrichment score.

gsea_genes <- function(n) sprintf("g%04d", seq_len(n))

random_ranking <- function(n, seed) {
  old <- if (exists(".Random.seed", globalenv())) get(".Random.seed", globalenv()) else NULL
  on.exit(if (!is.null(old)) assign(".Random.seed", old, globalenv()))
  set.seed(seed)
  stats::setNames(stats::rnorm(n), gsea_genes(n))
}

# The textbook running sum over the whole ranking: +|s|^p / NR at a set gene, -1 / (N - k)
# elsewhere; ES is the largest deviation from 0 (0 when both sides are equal).
reference_es <- function(stats, set, p = 1) {
  s <- stats[order(stats, decreasing = TRUE)]
  hit <- names(s) %in% set
  k <- sum(hit)
  w <- abs(s)^p
  nr <- sum(w[hit])
  step <- ifelse(hit, if (nr == 0) 1 / k else w / nr, -1 / (length(s) - k))
  run <- cumsum(step)
  top <- max(0, run)
  bottom <- min(0, run)
  if (top > -bottom) top else if (top < -bottom) bottom else 0
}
