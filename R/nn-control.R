#' Training options for networks and autoencoders
#'
#' Collects and validates everything about *how* a network is trained, like
#' `survival::coxph.control()`. Defaults follow the reference implementation (Keras 2.2.4,
#' METHOD.md of the package sources): Adadelta with Keras' defaults, minibatches of 10 (50 for
#' autoencoders), 500 epochs, early stopping with patience 200 and `min_delta` 0.005 — except that
#' the best epoch's weights are restored (the reference kept the last weights; use
#' `restore_best = FALSE` for that).
#'
#' @section Optimizers:
#' Keras 2.2.4 update rules and defaults (learning rate when `learning_rate = NULL`):
#' `"adadelta"` (1.0, `rho` 0.95), `"adam"` (0.001, `beta_1` 0.9, `beta_2` 0.999),
#' `"nadam"` (0.002, `beta_1` 0.9, `beta_2` 0.999, `schedule_decay` 0.004), `"rmsprop"`
#' (0.001, `rho` 0.9), `"sgd"` (0.01, `momentum`, `nesterov`). `decay` divides the learning rate
#' by `1 + decay * t` after `t` updates; `epsilon` is 1e-7 (`K.epsilon()`).
#'
#' @section Early stopping:
#' After every epoch the monitored quantity is computed in inference mode (dropout off, batch norm
#' with moving statistics). With `mode = "max"` an epoch is an improvement when
#' `value - min_delta > best` (`"min"`: `value + min_delta < best`); training stops after
#' `patience` epochs without improvement. `monitor = NULL` picks `"val_auc"` (classification) or
#' `"val_r2"` (regression, autoencoders) when there are validation samples, else the training
#' version (`"auc"`, `"r2"`), as the reference code did. Other choices: `"val_ap"`, `"val_loss"`,
#' `"ap"`, `"loss"`, `"val_acc"`/`"acc"` (multi-class).
#'
#' @param epochs Maximum number of epochs.
#' @param batch_size Minibatch size; `NULL` = 10 for networks, 50 for autoencoders.
#' @param optimizer One of `"adadelta"`, `"adam"`, `"nadam"`, `"rmsprop"`, `"sgd"`.
#' @param learning_rate Learning rate; `NULL` = the optimizer's Keras default.
#' @param rho,beta_1,beta_2,schedule_decay Optimizer constants; `NULL` = Keras defaults.
#' @param momentum,nesterov SGD momentum and Nesterov acceleration.
#' @param decay Learning-rate decay per update.
#' @param epsilon Fuzz factor of the adaptive optimizers.
#' @param loss `NULL` (by task: binary / categorical cross-entropy, MSE for regression, MAE for
#'   autoencoders as in the reference), or `"binary_crossentropy"`, `"categorical_crossentropy"`,
#'   `"mse"`, `"mae"`.
#' @param sample_weights For classification: `"balanced"` (default; `w_i = n / (k n_class(i))`,
#'   sklearn's `compute_sample_weight("balanced")`), `"none"`, or one non-negative weight per
#'   training sample. Ignored (no weights) for regression, multi-label and autoencoders unless
#'   numeric.
#' @param validation_split Fraction of the samples held out for validation (stratified by class),
#'   when `validation_data` is not given; 0 = none.
#' @param early_stopping Use early stopping.
#' @param monitor,patience,min_delta,mode Early-stopping rule (see the section).
#' @param restore_best Restore the weights of the best epoch when training ends.
#' @param batch_norm Batch normalization (Keras: momentum 0.99, epsilon 1e-3) after every hidden
#'   dense layer.
#' @param input_dropout Dropout rate on the input; `NULL` = the hidden layers' `dropout`, as in
#'   the reference.
#' @param pooled_r2 Monitor Keras' batch-pooled R² (all outputs pooled) instead of the mean
#'   per-output (per-gene) R².
#' @param train_metrics Record the task metrics on the training samples every epoch (one extra
#'   inference pass per epoch).
#' @param shuffle Reshuffle the training samples every epoch.
#' @param seed Random seed (weights, shuffling, dropout, validation split); `NULL` draws one from
#'   R's RNG, so `set.seed()` works.
#' @param n_threads Worker threads.
#' @param device `"cpu"` or `"cuda"` (`"cuda:N"`); CUDA needs the package built with
#'   `RADIOGENOMICS_FEATURES=cuda`.
#' @param verbose Print one line per epoch (at most one a second).
#' @return An `rg_nn_control` list.
#' @examples
#' nn_control(epochs = 50, optimizer = "adam", learning_rate = 0.01, patience = 10)
#' @export
nn_control <- function(epochs = 500, batch_size = NULL, optimizer = "adadelta", learning_rate = NULL,
                       rho = NULL, momentum = 0, nesterov = FALSE, decay = 0, beta_1 = NULL,
                       beta_2 = NULL, schedule_decay = NULL, epsilon = 1e-7, loss = NULL,
                       sample_weights = "balanced", validation_split = 0, early_stopping = TRUE,
                       monitor = NULL, patience = 200, min_delta = 0.005,
                       mode = c("auto", "max", "min"), restore_best = TRUE, batch_norm = TRUE,
                       input_dropout = NULL, pooled_r2 = FALSE, train_metrics = TRUE, shuffle = TRUE,
                       seed = NULL, n_threads = default_threads(),
                       device = "cpu", verbose = TRUE) {
  check_number(epochs, "epochs", min = 1, integer = TRUE)
  if (!is.null(batch_size)) check_number(batch_size, "batch_size", min = 1, integer = TRUE)
  optimizer <- check_choice(optimizer, "optimizer", c("adadelta", "adam", "nadam", "rmsprop", "sgd"))
  if (!is.null(learning_rate)) check_number(learning_rate, "learning_rate", min = .Machine$double.xmin)
  for (name in c("rho", "beta_1", "beta_2")) {
    value <- get(name)
    if (!is.null(value)) check_number(value, name, min = 0, max = 0.999999)
  }
  if (!is.null(schedule_decay)) check_number(schedule_decay, "schedule_decay", min = 0)
  check_number(momentum, "momentum", min = 0, max = 0.999999)
  check_flag(nesterov, "nesterov")
  check_number(decay, "decay", min = 0)
  check_number(epsilon, "epsilon", min = .Machine$double.xmin)
  if (!is.null(loss)) loss <- check_choice(loss, "loss", c("binary_crossentropy", "categorical_crossentropy", "mse", "mae"))
  check_sample_weight_option(sample_weights)
  check_number(validation_split, "validation_split", min = 0, max = 0.9)
  check_flag(early_stopping, "early_stopping")
  if (!is.null(monitor)) check_string(monitor, "monitor")
  check_number(patience, "patience", min = 1, integer = TRUE)
  check_number(min_delta, "min_delta", min = 0)
  mode <- check_choice(mode[[1L]], "mode", c("auto", "max", "min"))
  check_flag(restore_best, "restore_best")
  check_flag(batch_norm, "batch_norm")
  if (!is.null(input_dropout)) check_rate(input_dropout, "input_dropout")
  check_flag(pooled_r2, "pooled_r2")
  check_flag(train_metrics, "train_metrics")
  check_flag(shuffle, "shuffle")
  seed <- resolve_seed(seed)
  check_number(n_threads, "n_threads", min = 1, integer = TRUE)
  check_device(device)
  check_flag(verbose, "verbose")
  structure(list(epochs = epochs, batch_size = batch_size, optimizer = optimizer,
                 learning_rate = learning_rate, rho = rho, momentum = momentum, nesterov = nesterov,
                 decay = decay, beta_1 = beta_1, beta_2 = beta_2, schedule_decay = schedule_decay,
                 epsilon = epsilon, loss = loss, sample_weights = sample_weights,
                 validation_split = validation_split, early_stopping = early_stopping,
                 monitor = monitor, patience = patience, min_delta = min_delta, mode = mode,
                 restore_best = restore_best, batch_norm = batch_norm, input_dropout = input_dropout,
                 pooled_r2 = pooled_r2, train_metrics = train_metrics, shuffle = shuffle, seed = seed,
                 n_threads = as.integer(n_threads), device = device, verbose = verbose),
            class = "rg_nn_control")
}

#' @export
print.rg_nn_control <- function(x, ...) {
  cat("Network training options\n")
  shown <- vapply(x, function(v) if (is.null(v)) "default" else if (length(v) > 3) sprintf("<%d values>", length(v))
                  else paste(format(v), collapse = ", "), character(1))
  print(noquote(shown))
  invisible(x)
}

# Activations of dense layers (hidden layers, and an autoencoder's output layer).
hidden_activations <- c("tanh", "sigmoid", "relu", "elu", "selu", "linear")

check_rate <- function(x, arg) {
  if (!is.numeric(x) || length(x) != 1L || is.na(x) || x < 0 || x >= 1) {
    rg_abort(sprintf("%s must be a rate in [0, 1), not %s.", arg_name(arg), describe(x)))
  }
  invisible(x)
}

check_sample_weight_option <- function(w) {
  if (is.character(w) && length(w) == 1L && w %in% c("balanced", "none")) return(invisible(w))
  if (is.numeric(w) && length(w) > 0L && !anyNA(w) && all(is.finite(w)) && all(w >= 0)) return(invisible(w))
  rg_abort(sprintf("`sample_weights` must be \"balanced\", \"none\" or non-negative numbers, not %s.", describe(w)))
}

check_device <- function(device) {
  check_string(device, "device")
  if (!grepl("^(cpu|cuda|cuda:[0-9]+)$", device)) {
    rg_abort(sprintf("`device` must be \"cpu\" or \"cuda\" (\"cuda:N\" for GPU N), not \"%s\".", device))
  }
  if (startsWith(device, "cuda") && !isTRUE(rg_nn_cuda_compiled())) {
    rg_abort(paste0("`device` is \"", device, "\" but this installation of radiogenomics was built without ",
                    "CUDA support. Reinstall it with the environment variable RADIOGENOMICS_FEATURES=cuda ",
                    "(needs the CUDA toolkit; see tools/check-cuda-build.sh in the sources)."),
             class = "radiogenomics_device_unavailable")
  }
  invisible(device)
}

as_nn_control <- function(control) {
  if (is.null(control)) return(nn_control())
  if (!inherits(control, "rg_nn_control")) {
    rg_abort(sprintf("`control` must come from nn_control(), not %s.", describe(control)))
  }
  control
}
