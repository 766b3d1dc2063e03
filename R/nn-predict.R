#' Predict with a fitted network
#'
#' Standardizes `newdata` with the model's training mean and SD and runs the network in inference
#' mode (dropout off, batch norm with its moving statistics). Genes are matched by name: genes the
#' model needs but `newdata` lacks are set to their training mean (0 after standardization) with a
#' warning giving the count; extra genes are ignored.
#'
#' @param object An `rg_network`.
#' @param newdata Expression, genes x samples (matrix, data.frame or `SummarizedExperiment`).
#' @param type `"prob"`: samples x outputs matrix of probabilities (binary: one column, the
#'   positive class; multi-class: one column per class) or predicted values (regression);
#'   `"class"`: a factor of predicted classes (binary: probability >= 0.5; multi-class: the most
#'   probable class; multi-label: a logical matrix); `"link"`: the output layer's value before its
#'   sigmoid/softmax (logits).
#' @param assay For a `SummarizedExperiment`, which assay.
#' @param ... Unused.
#' @return See `type`; rows are named by sample.
#' @examples
#' cohort <- simulate_cohort(n_samples = 100, n_genes = 200, traits = "multiclass", seed = 3)
#' fit <- fit_network(cohort$expression, cohort$traits$multiclass, hidden = 16,
#'                    control = nn_control(epochs = 20, optimizer = "adam", seed = 1, verbose = FALSE))
#' head(predict(fit, cohort$expression))
#' table(predict(fit, cohort$expression, type = "class"), cohort$traits$multiclass)
#' @export
predict.rg_network <- function(object, newdata, type = c("prob", "class", "link"), assay = 1L, ...) {
  type <- check_choice(type[[1L]], "type", c("prob", "class", "link"))
  out <- nn_outputs(object, newdata, assay)
  if (type == "class") return(predicted_classes(object, out$prob))
  out[[type]]
}

#' Reconstruct expression with an autoencoder
#'
#' @param object An `rg_autoencoder`.
#' @param newdata Expression, genes x samples; missing genes are set to their training mean
#'   (with a warning).
#' @param type `"reconstruction"`: genes x samples on the original scale;
#'   `"standardized"`: the reconstruction of the standardized values.
#' @param assay For a `SummarizedExperiment`, which assay.
#' @param ... Unused.
#' @return A genes x samples matrix.
#' @export
predict.rg_autoencoder <- function(object, newdata, type = c("reconstruction", "standardized"), assay = 1L, ...) {
  type <- check_choice(type[[1L]], "type", c("reconstruction", "standardized"))
  z <- t(nn_outputs(object, newdata, assay)$prob)
  rownames(z) <- object$genes
  if (type == "standardized") return(z)
  z * object$standardization$sd + object$standardization$mean
}

# Runs the model on newdata aligned to its genes: list(link, prob) with dimnames.
nn_outputs <- function(object, newdata, assay) {
  x <- as_expression_matrix(newdata, assay, arg = "newdata")
  x <- align_genes(x, object$genes, arg = "newdata", missing = "fill", fill = object$standardization$mean)
  out <- rust_result(rg_nn_predict(object$ptr, object$weights, x))
  names <- list(colnames(x), object$outputs)
  dimnames(out$link) <- names
  dimnames(out$prob) <- names
  out
}

predicted_classes <- function(object, prob) {
  switch(object$task,
    binary = {
      negative <- setdiff(object$classes, object$positive)
      stats::setNames(factor(ifelse(prob[, 1L] >= 0.5, object$positive, negative), levels = object$classes),
                      rownames(prob))
    },
    multiclass = stats::setNames(factor(object$classes[max.col(prob, ties.method = "first")], levels = object$classes),
                                 rownames(prob)),
    multilabel = prob >= 0.5,
    rg_abort("`type = \"class\"` needs a classification network; this one does regression.")
  )
}
