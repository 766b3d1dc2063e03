#' Save and load fitted networks
#'
#' A fitted network or autoencoder is an ordinary R list whose parameters are kept as safetensors
#' bytes (`$weights`), so `saveRDS()` / `readRDS()` and parallel workers just work; the external
#' pointer to the live model (`$ptr`) does not survive serialization and is rebuilt from the bytes
#' when needed (each call rebuilds it until the object is re-created by `load_network()`).
#' `save_network()` writes one file (an RDS file without the dead pointer); `load_network()` reads
#' it back, checks it and rebuilds the live model once.
#'
#' The `$weights` bytes are a standard safetensors file (readable e.g. by Python's `safetensors`):
#' tensors `layers.<l>.weight` (in x out), `layers.<l>.bias`, `layers.<l>.bn.*` and
#' `standardizer.mean`/`sd`; its metadata holds the architecture and the gene names as JSON.
#'
#' @param model An `rg_network` or `rg_autoencoder`.
#' @param path File path.
#' @return `save_network()`: `path`, invisibly. `load_network()`: the model.
#' @examples
#' cohort <- simulate_cohort(n_samples = 60, n_genes = 150, traits = "binary", seed = 4)
#' fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = 8,
#'                    control = nn_control(epochs = 5, seed = 1, verbose = FALSE))
#' path <- tempfile(fileext = ".rds")
#' save_network(fit, path)
#' again <- load_network(path)
#' all.equal(predict(fit, cohort$expression), predict(again, cohort$expression))
#' @export
save_network <- function(model, path) {
  check_nn_model(model, "model")
  check_string(path, "path")
  model$ptr <- NULL
  saveRDS(model, path)
  invisible(path)
}

#' @rdname save_network
#' @export
load_network <- function(path) {
  check_string(path, "path")
  if (!file.exists(path)) rg_abort(sprintf("`path` (\"%s\") does not exist.", path))
  model <- tryCatch(readRDS(path), error = function(e) {
    rg_abort(sprintf("`path` (\"%s\") is not a saved network: %s", path, conditionMessage(e)))
  })
  if (!inherits(model, c("rg_network", "rg_autoencoder"))) {
    rg_abort(sprintf("`path` (\"%s\") holds %s, not a saved network.", path, describe(model)))
  }
  model$ptr <- rust_result(rg_nn_restore(model$weights))
  model
}

check_nn_model <- function(model, arg) {
  if (!inherits(model, c("rg_network", "rg_autoencoder"))) {
    rg_abort(sprintf("`%s` must be a network from fit_network() or fit_autoencoder(), not %s.", arg, describe(model)))
  }
  invisible(model)
}

#' Parameters of a fitted network
#'
#' @param model An `rg_network` or `rg_autoencoder`.
#' @return A list with one element per layer (hidden layers first, the output layer last), each
#'   a list of `weight` (inputs x units matrix), `bias` and, with batch norm, `batch_norm`
#'   (`gamma`, `beta`, `moving_mean`, `moving_var`).
#' @examples
#' cohort <- simulate_cohort(n_samples = 60, n_genes = 150, traits = "binary", seed = 4)
#' fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = 8,
#'                    control = nn_control(epochs = 2, seed = 1, verbose = FALSE))
#' str(network_parameters(fit)[[1]]$bias)
#' @export
network_parameters <- function(model) {
  check_nn_model(model, "model")
  layers <- rust_result(rg_nn_parameters(model$ptr, model$weights))
  rownames(layers[[1L]]$weight) <- model$genes
  layers
}
