#' Fit an autoencoder to expression data (pre-training)
#'
#' A mirrored autoencoder learns to reconstruct the standardized expression profiles: encoder
#' `hidden` (e.g. 4000/2000/1000), decoder the reverse without the bottleneck (2000/4000), then an
#' output layer with one unit per gene. Its encoder can initialise a supervised network
#' ([fit_network()] with `pretrained =`), which then also uses the autoencoder's standardization.
#'
#' The monitored quantity is the mean per-gene R² (sklearn's `r2_score` per gene, averaged) on
#' the validation samples (`"val_r2"`), or on the training samples without validation; with
#' `nn_control(pooled_r2 = TRUE)` it is the reference code's batch-pooled R² (all genes and
#' samples pooled). Defaults follow the reference: loss MAE, minibatches of 50, batch norm after
#' every layer, no dropout. The reference also put batch norm and the hidden activation (tanh) on
#' the output layer, which bounds the reconstruction of standardized values to (-1, 1); the
#' default here is a linear output (`output_activation = "tanh", output_batch_norm = TRUE`
#' reproduces the reference).
#'
#' @param x Expression, genes x samples.
#' @param hidden Encoder layer sizes.
#' @param activation Hidden activation (see [fit_network()]).
#' @param control Training options from [nn_control()] (`loss` defaults to `"mae"`, `batch_size`
#'   to 50).
#' @param validation_data Validation expression (genes x samples, the genes of `x`); else
#'   `control$validation_split` holds out a random fraction of `x`.
#' @param output_activation Activation of the reconstruction layer.
#' @param output_batch_norm Batch norm on the reconstruction layer.
#' @param assay For a `SummarizedExperiment` `x`, which assay.
#' @return An `rg_autoencoder` object: the fields of an `rg_network` (see [fit_network()]) with
#'   `architecture$hidden` the encoder sizes. Methods: `predict()` (reconstruction), `print()`,
#'   `summary()`, `plot()`.
#' @examples
#' cohort <- simulate_cohort(n_samples = 100, n_genes = 200, seed = 2)
#' ae <- fit_autoencoder(cohort$expression, hidden = c(32, 8),
#'                       control = nn_control(epochs = 20, optimizer = "adam", loss = "mse",
#'                                            validation_split = 0.2, seed = 1, verbose = FALSE))
#' ae
#' net <- fit_network(cohort$expression, cohort$traits$binary, hidden = c(32, 8), pretrained = ae,
#'                    freeze_layers = 1, control = nn_control(epochs = 10, seed = 1, verbose = FALSE))
#' @export
fit_autoencoder <- function(x, hidden = c(4000, 2000, 1000), activation = "tanh", control = nn_control(),
                            validation_data = NULL, output_activation = "linear",
                            output_batch_norm = FALSE, assay = 1L) {
  call <- match.call()
  control <- as_nn_control(control)
  x <- as_expression_matrix(x, assay)
  hidden <- check_hidden(hidden)
  activation <- check_choice(activation, "activation", hidden_activations)
  output_activation <- check_choice(output_activation, "output_activation", hidden_activations)
  check_flag(output_batch_norm, "output_batch_norm")
  if (ncol(x) < 2L) rg_abort("`x` needs at least two samples.")

  validation <- NULL
  train <- seq_len(ncol(x))
  if (!is.null(validation_data)) {
    vx <- align_genes(as_expression_matrix(validation_data, arg = "validation_data"), rownames(x),
                      arg = "validation_data", missing = "error")
    validation <- list(x = vx, y = NULL)
  } else if (control$validation_split > 0) {
    held_out <- stratified_holdout(rep(0L, ncol(x)), control$validation_split, control$seed)
    train <- setdiff(train, held_out)
    validation <- list(x = x[, held_out, drop = FALSE], y = NULL)
  }
  weights <- if (is.numeric(control$sample_weights)) training_weights(control$sample_weights, list(task = "regression"), train, ncol(x))
  loss <- control$loss %||% "mae"
  if (!loss %in% c("mse", "mae")) rg_abort("`loss` of an autoencoder must be \"mse\" or \"mae\".")
  monitor <- monitor_choice(control, "regression", has_validation = !is.null(validation))
  spec <- list(kind = "autoencoder", hidden = hidden, activation = activation, batch_norm = control$batch_norm,
               dropout = 0, input_dropout = 0, n_outputs = nrow(x), head = output_activation,
               output_batch_norm = output_batch_norm, nonneg = FALSE, transfer_layers = 0L)
  rust_control <- rust_control_list(control, "regression", loss, monitor, batch_default = 50L, freeze_layers = 0L)
  res <- rust_result(rg_nn_fit(x[, train, drop = FALSE], rownames(x), NULL, validation, weights, NULL,
                               spec, rust_control, control$verbose))
  model <- new_nn_model(res, x, spec, control, loss, monitor, n_train = length(train),
                        n_validation = if (is.null(validation)) 0L else ncol(validation$x), call = call,
                        class = "rg_autoencoder")
  model$task <- "autoencoder"
  model$outputs <- rownames(x)
  if (control$verbose) cat(nn_training_text(model), "\n")
  model
}
