# `n` of `k` indices drawn with R's RNG under `seed`, leaving the caller's RNG state alone.
withr_free_sample <- function(n, k, seed) {
  radiogenomics:::withr_seed(seed, sample.int(n, k))
}

# The Verhaak et al. subtype matrix published with the reference implementation
# (TCGA_unified_CORE_ClaNC840.txt): line 1 = CLID, a description column, sample barcodes;
# line 2 = "Subtype", a description, the subtype of each sample; then gene, gene set, values.
# Survives the real file's quirks: mixed CRLF/LF line endings, a blank line, one gene listed
# twice (its rows are averaged) and a label with a trailing space.
read_subtype_matrix <- function(path) {
  lines <- sub("\r$", "", readLines(path, warn = FALSE))
  lines <- lines[nzchar(trimws(lines))]
  fields <- strsplit(lines, "\t", fixed = TRUE)
  samples <- trimws(fields[[1L]][-(1:2)])
  subtype <- trimws(fields[[2L]][-(1:2)])
  rows <- fields[-(1:2)]
  genes <- trimws(vapply(rows, `[[`, character(1), 1L))
  values <- t(vapply(rows, function(r) as.numeric(r[-(1:2)])[seq_along(samples)], numeric(length(samples))))
  values <- rowsum(values, genes, reorder = FALSE) / as.vector(table(genes)[unique(genes)])
  dimnames(values) <- list(unique(genes), samples)
  list(expression = values, subtype = stats::setNames(factor(subtype), samples))
}
