#' Gene saliency: how each sample's prediction responds to each gene
#'
#' The derivative of a network output with respect to every standardized input gene, for every
#' sample, computed in batched backward passes.
#'
#' - `"gradient"`: \eqn{\partial f / \partial x_g} at the sample.
#' - `"guided"`: guided backpropagation as in keras-vis (the reference code): only positive
#'   gradients pass back through ReLU activations. Other activations pass the true gradient, so
#'   on a tanh network (the paper's) this equals `"gradient"`, as in the reference.
#' - `"integrated"`: integrated gradients from the all-zero baseline (every gene at its training
#'   mean): \eqn{x_g \cdot \frac{1}{m}\sum_k \partial f(\alpha_k x) / \partial x_g} with the
#'   midpoints \eqn{\alpha_k = (k - 1/2)/m}, `m = steps`. Attributions sum to
#'   \eqn{f(x) - f(0)} (completeness) up to an \eqn{O(1/m^2)} error.
#'
#' By default \eqn{f} is the chosen class's pre-activation output (`output = "link"`: the logit),
#' and the saliency keeps its sign, so positive values mark genes whose increase raises the
#' class; ranking genes by it feeds per-sample GSEA. `absolute = TRUE, normalize = "minmax"`
#' reproduces the reference code (keras-vis `visualize_saliency` with `grad_modifier =
#' "absolute"`: \eqn{(|g| - \min) / (\max - \min + 10^{-7})} per sample).
#'
#' Saliency is with respect to the standardized input (the reference's convention); divide by
#' `model$standardization$sd` for raw expression units.
#'
#' @section External test cohorts:
#' `x` may be any cohort, such as an external test cohort: it is standardized with the model's
#' stored training mean and SD (never re-estimated on `x`), so a sample's saliency does not
#' depend on the rest of its cohort. Genes are matched by name; genes of the model that `x` lacks
#' are set to their training mean with a warning of class `radiogenomics_missing_genes` (their
#' saliency is then evaluated there), as in `predict()`.
#'
#' @inheritParams gene_masking
#' @param model A network from [fit_network()].
#' @param class Which outputs: class names (`model$outputs`) or 1-based indices. `NULL`: the
#'   positive class of a binary network, every class (output) otherwise.
#' @param method `"gradient"`, `"guided"` or `"integrated"`.
#' @param output Differentiate the `"link"` (logit) or the `"prob"` (probability).
#' @param absolute Take absolute values.
#' @param normalize `"none"` or `"minmax"` (per sample, after `absolute`).
#' @param steps Riemann steps for integrated gradients.
#' @return For one class, a genes x samples matrix of class `rg_saliency`; for several, a genes
#'   x samples x classes array. Attributes `method`, `output`, `absolute`, `normalize`, `steps`.
#'   `as.data.frame()` gives the long form (`gene`, `sample`, `class`, `saliency`).
#' @examples
#' cohort <- simulate_cohort(n_samples = 100, n_genes = 200, traits = "multiclass", seed = 2)
#' fit <- fit_network(cohort$expression, cohort$traits$multiclass, hidden = 16,
#'                    control = nn_control(epochs = 20, optimizer = "adam", seed = 1, verbose = FALSE))
#' s <- gene_saliency(fit, cohort$expression[, 1:5])
#' dim(s)
#' head(as.data.frame(s))
#' ig <- gene_saliency(fit, cohort$expression[, 1:5], class = 1, method = "integrated")
#' colSums(ig)  # = link(x) - link(training mean) per sample
#' @export
gene_saliency <- function(model, x, class = NULL, method = c("gradient", "guided", "integrated"),
                          output = c("link", "prob"), absolute = FALSE, normalize = c("none", "minmax"),
                          steps = 50, assay = 1L, verbose = interactive(),
                          n_threads = default_threads()) {
  if (!inherits(model, "rg_network")) {
    rg_abort(sprintf("`model` must be a network from fit_network(), not %s.", describe(model)))
  }
  method <- check_choice(method[[1L]], "method", c("gradient", "guided", "integrated"))
  output <- check_choice(output[[1L]], "output", c("link", "prob"))
  normalize <- check_choice(normalize[[1L]], "normalize", c("none", "minmax"))
  check_flag(absolute, "absolute")
  check_number(steps, "steps", min = 1, max = 1e5, integer = TRUE)
  check_flag(verbose, "verbose")
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  outputs <- saliency_outputs(model, class)

  x <- as_expression_matrix(x, assay)
  x <- align_genes(x, model$genes, arg = "x", missing = "fill", fill = model$standardization$mean)
  maps <- rust_result(rg_gene_saliency(model$ptr, model$weights, x, as.double(outputs), method,
                                       as.integer(steps), output, absolute, normalize == "minmax",
                                       as.integer(n_threads), verbose))
  classes <- model$outputs[outputs]
  values <- if (length(outputs) == 1L) {
    matrix(maps[[1L]], nrow(x), ncol(x), dimnames = dimnames(x))
  } else {
    array(unlist(maps, use.names = FALSE), c(nrow(x), ncol(x), length(outputs)),
          dimnames = list(rownames(x), colnames(x), classes))
  }
  structure(values, class = c("rg_saliency", class(values)), classes = classes, method = method,
            output = output, absolute = absolute, normalize = normalize,
            steps = if (method == "integrated") as.integer(steps) else NA_integer_)
}

# 1-based output indices for `class`.
saliency_outputs <- function(model, class) {
  if (is.null(class)) return(seq_along(model$outputs))
  if (is.numeric(class)) {
    if (anyNA(class) || any(class != round(class)) || any(class < 1 | class > length(model$outputs))) {
      rg_abort(sprintf("`class` indices must be between 1 and %d (the model's outputs: %s).",
                       length(model$outputs), paste(model$outputs, collapse = ", ")))
    }
    return(unique(as.integer(class)))
  }
  if (is.character(class) || is.factor(class)) {
    class <- as.character(class)
    unknown <- setdiff(class, model$outputs)
    if (length(unknown)) {
      hint <- if (identical(model$task, "binary")) {
        sprintf(" A binary network has one output, for its positive class \"%s\".", model$positive)
      } else ""
      rg_abort(sprintf("`class` has %s, not an output of the model (%s).%s",
                       paste0("\"", unknown, "\"", collapse = ", "), paste(model$outputs, collapse = ", "), hint))
    }
    return(unique(match(class, model$outputs)))
  }
  rg_abort(sprintf("`class` must be class names or indices, not %s.", describe(class)))
}

#' @export
print.rg_saliency <- function(x, ...) {
  d <- dim(x)
  classes <- attr(x, "classes")
  cat(sprintf("<rg_saliency> %s of the %s, %d genes x %d samples%s%s\n", attr(x, "method"), attr(x, "output"),
              d[1L], d[2L], if (length(d) == 3L) sprintf(" x %d classes", d[3L]) else sprintf(", class %s", classes),
              if (isTRUE(attr(x, "absolute")) || identical(attr(x, "normalize"), "minmax"))
                sprintf(" (absolute = %s, normalize = \"%s\")", attr(x, "absolute"), attr(x, "normalize")) else ""))
  rows <- seq_len(min(6L, d[1L]))
  cols <- seq_len(min(5L, d[2L]))
  shown <- if (length(d) == 3L) unclass(x)[rows, cols, 1L] else unclass(x)[rows, cols]
  if (length(d) == 3L) cat(sprintf("First class (%s):\n", classes[[1L]]))
  print(shown, ...)
  if (d[1L] > length(rows) || d[2L] > length(cols)) cat("...\n")
  invisible(x)
}

#' Saliency in long form
#'
#' @param x An `rg_saliency` from [gene_saliency()].
#' @param row.names,optional Unused (for the generic).
#' @param ... Unused.
#' @return A data.frame with columns `gene`, `sample`, `class`, `saliency`.
#' @export
as.data.frame.rg_saliency <- function(x, row.names = NULL, optional = FALSE, ...) {
  d <- dim(x)
  n_classes <- if (length(d) == 3L) d[3L] else 1L
  data.frame(
    gene = rep(rownames(x), times = d[2L] * n_classes),
    sample = rep(rep(colnames(x), each = d[1L]), times = n_classes),
    class = rep(attr(x, "classes"), each = d[1L] * d[2L]),
    saliency = as.vector(unclass(x)),
    stringsAsFactors = FALSE
  )
}
