# Small fitted networks shared by the interpretation tests (fitted once per test file run).
interpret_cohort <- function(traits = c("binary", "multiclass"), n_samples = 120, n_genes = 200, seed = 11) {
  simulate_cohort(n_samples = n_samples, n_genes = n_genes, traits = traits, seed = seed)
}

interpret_fit <- function(x, y, hidden = c(12, 6), activation = "tanh", epochs = 15, ...) {
  fit_network(x, y, hidden = hidden, activation = activation,
              control = nn_control(epochs = epochs, optimizer = "adam", seed = 3, verbose = FALSE, ...))
}

# `x` with every gene outside `genes` set to the model's training mean: naive masking.
mask_to_mean <- function(model, x, genes) {
  x <- x[model$genes, , drop = FALSE]
  outside <- !rownames(x) %in% genes
  x[outside, ] <- model$standardization$mean[rownames(x)[outside]]
  x
}

# Central differences of predict(type) for sample `i`, per standardized gene (step h SDs).
finite_differences <- function(model, x, i, type, column, h = 1e-2) {
  base <- x[model$genes, i]
  sd <- model$standardization$sd
  p <- length(base)
  up <- matrix(base, p, p) + diag(h * sd)
  down <- matrix(base, p, p) - diag(h * sd)
  dimnames(up) <- dimnames(down) <- list(model$genes, paste0("s", seq_len(p)))
  (predict(model, up, type = type)[, column] - predict(model, down, type = type)[, column]) / (2 * h)
}

# f32 network: differences of f32 outputs carry ~1e-7 / h rounding, so compare on the scale of
# the largest gradient with a 2e-3 tolerance instead of a 1e-3 relative error per gene.
expect_matches_fd <- function(saliency, fd) {
  expect_lt(max(abs(saliency - fd)) / max(abs(fd)), 2e-3)
}

# The gene -> Verhaak subtype set column (PN, NL, CL, MES, blank) of the ClaNC840 file.
read_verhaak_sets <- function(path) {
  lines <- sub("\r$", "", readLines(path, warn = FALSE))
  lines <- lines[nzchar(trimws(lines))][-(1:2)]
  fields <- strsplit(lines, "\t", fixed = TRUE)
  gene <- trimws(vapply(fields, `[[`, character(1), 1L))
  set <- trimws(vapply(fields, function(f) if (length(f) >= 2L) f[[2L]] else "", character(1)))
  keep <- set %in% c("PN", "NL", "CL", "MES")
  lapply(split(gene[keep], set[keep]), unique)
}
