#' Fit a feed-forward neural network to expression data
#'
#' Trains the network of the radiogenomic method (Smedley et al. 2020): the whole expression
#' profile (standardized per gene with the training samples' mean and population SD) goes
#' through `length(hidden)` dense layers, each dense → batch norm → `activation` → dropout, to an
#' output layer whose head follows the target: sigmoid for a binary trait (the probability of the
#' positive class) or several 0/1 traits (multi-label), softmax for a multi-class trait, linear
#' for numeric targets (regression). Training options — optimizer, epochs, early stopping,
#' sample weights, validation — are in [nn_control()].
#'
#' @section Targets:
#' `y` is matched to the columns of `x` by names when it has them (names of a vector, row names
#' of a matrix or data.frame), else by position.
#' - factor / character / logical vector: classification; two classes → binary with the least
#'   frequent class as positive (the paper's choice; `positive =` overrides; the reference code
#'   took the alphabetically later class), more → multi-class (softmax, classes in level order);
#' - numeric vector or matrix: regression (`task = "binary"` / `"multiclass"` treat a numeric
#'   vector as class labels);
#' - logical matrix (or a 0/1 matrix with `task = "multilabel"`): several binary traits.
#' For regression with all targets >= 0 the output layer's weights are constrained to be
#' non-negative, as in the reference (`nonneg = FALSE` turns it off).
#'
#' @section Transfer from an autoencoder:
#' With `pretrained` (an [fit_autoencoder()] result) the first `transfer_layers` hidden layers get
#' the encoder's kernels and biases (batch-norm parameters start fresh), the first
#' `freeze_layers` of them are not updated, and the autoencoder's gene standardization is used
#' instead of one learned on `x`. The genes of `x` must be those of the autoencoder (matched by
#' name, any order).
#'
#' @section Reproducibility:
#' The same `seed` (in `control`) gives bit-identical weights on the CPU. On the CPU engine the
#' arithmetic does not depend on the thread count either (matrix products are split over output
#' blocks, never over the summed dimension); a CPU with a different SIMD level may change the
#' last bits. CUDA training is not bit-reproducible.
#'
#' @param x Expression, genes x samples (matrix, data.frame or `SummarizedExperiment`).
#' @param y Targets, see the section.
#' @param hidden Sizes of the hidden layers (the paper: 4000, 2000, 1000).
#' @param activation Hidden activation: `"tanh"`, `"sigmoid"`, `"relu"`, `"elu"`, `"selu"`,
#'   `"linear"`.
#' @param dropout Dropout rate after every hidden layer (and on the input unless
#'   `control$input_dropout` says otherwise), in \[0, 1).
#' @param pretrained An `rg_autoencoder` whose encoder initialises the first layers.
#' @param transfer_layers Number of encoder layers to copy; `NULL` = all that fit (the reference
#'   always copied all three).
#' @param freeze_layers Number of leading (transferred) layers kept fixed during training.
#' @param control Training options from [nn_control()].
#' @param validation_data `list(x = , y = )` of validation samples (genes must match `x`); else
#'   `control$validation_split` may hold out a stratified fraction of `x`.
#' @param positive The positive class of a binary target.
#' @param task `NULL` (from `y`) or one of `"binary"`, `"multiclass"`, `"multilabel"`,
#'   `"regression"`.
#' @param nonneg Non-negative output weights for regression; `NULL` = when all targets are >= 0.
#' @param assay For a `SummarizedExperiment` `x`, which assay.
#' @return An `rg_network` object, a list with
#'   - `task`, `classes`, `positive`, `outputs` (output column names);
#'   - `genes` (input order) and `standardization` (`mean`, `sd` per gene);
#'   - `architecture`: `hidden`, `activation`, `batch_norm`, `dropout`, `input_dropout`,
#'     `n_outputs`, `head`, `nonneg`; `n_parameters`;
#'   - `loss`, `control`, `monitor`;
#'   - `history`: data.frame, one row per epoch (`epoch`, `loss`, metrics, `val_*`, and
#'     `seconds`, the wall-clock time of the epoch's training batches);
#'   - `best_epoch` (the epoch whose weights the model holds), `epochs_run`, `stopped_early`,
#'     `restored_best`;
#'   - `pretrained`: `NULL` or `transfer_layers`, `freeze_layers`;
#'   - `n_train`, `n_validation`, `seed`, `call`;
#'   - `weights`: the parameters as safetensors bytes (raw), `ptr`: external pointer to the live
#'     model (rebuilt from `weights` after `readRDS()`).
#'
#'   Methods: `predict()`, `print()`, `summary()`, `plot()` (training history); persistence with
#'   [save_network()] / `saveRDS()`.
#' @examples
#' cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "binary", seed = 1)
#' fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = c(16, 8),
#'                    control = nn_control(epochs = 30, optimizer = "adam", validation_split = 0.25,
#'                                         patience = 10, seed = 1, verbose = FALSE))
#' fit
#' head(predict(fit, cohort$expression))
#' @export
fit_network <- function(x, y, hidden = c(4000, 2000, 1000), activation = "tanh", dropout = 0,
                        pretrained = NULL, transfer_layers = NULL, freeze_layers = 0,
                        control = nn_control(), validation_data = NULL, positive = NULL, task = NULL,
                        nonneg = NULL, assay = 1L) {
  call <- match.call()
  control <- as_nn_control(control)
  x <- as_expression_matrix(x, assay)
  hidden <- check_hidden(hidden)
  activation <- check_choice(activation, "activation", hidden_activations)
  check_rate(dropout, "dropout")
  if (!is.null(task)) task <- check_choice(task, "task", c("binary", "multiclass", "multilabel", "regression"))
  if (!is.null(nonneg)) check_flag(nonneg, "nonneg")
  target <- nn_target(y, colnames(x), positive = positive, task = task)

  transfer <- NULL
  if (!is.null(pretrained)) {
    transfer <- check_transfer(pretrained, hidden, transfer_layers, freeze_layers)
    x <- align_to_pretrained(x, pretrained)
  } else if (!identical(freeze_layers, 0) && !identical(freeze_layers, 0L)) {
    rg_abort("`freeze_layers` needs `pretrained`: only transferred layers can be frozen.")
  } else if (!is.null(transfer_layers)) {
    rg_abort("`transfer_layers` needs `pretrained` (an autoencoder from fit_autoencoder()).")
  }

  split <- validation_samples(x, target, validation_data, control)
  weights <- training_weights(control$sample_weights, target, split$train, ncol(x))
  loss <- control$loss %||% switch(target$task, binary = , multilabel = "binary_crossentropy",
                                   multiclass = "categorical_crossentropy", regression = "mse")
  monitor <- monitor_choice(control, target$task, has_validation = !is.null(split$validation))
  nonneg <- if (target$task == "regression") nonneg %||% all(target$y >= 0) else FALSE
  spec <- list(kind = "network", hidden = hidden, activation = activation,
               batch_norm = control$batch_norm, dropout = dropout,
               input_dropout = control$input_dropout %||% dropout, n_outputs = ncol(target$y),
               head = switch(target$task, multiclass = "softmax", regression = "linear", "sigmoid"),
               output_batch_norm = FALSE, nonneg = nonneg,
               transfer_layers = transfer$transfer_layers %||% 0L)
  rust_control <- rust_control_list(control, target$task, loss, monitor, batch_default = 10L,
                                    freeze_layers = transfer$freeze_layers %||% 0L)

  train_idx <- split$train
  res <- rust_result(rg_nn_fit(x[, train_idx, drop = FALSE], rownames(x), t(target$y[train_idx, , drop = FALSE]),
                               split$validation, weights, pretrained$weights, spec, rust_control,
                               control$verbose))
  model <- new_nn_model(res, x, spec, control, loss, monitor, n_train = length(train_idx),
                        n_validation = split$n_validation, call = call, class = "rg_network")
  model$task <- target$task
  model$classes <- target$classes
  model$positive <- target$positive
  model$outputs <- colnames(target$y)
  model$pretrained <- transfer
  if (control$verbose) cat(nn_training_text(model), "\n")
  model
}

check_hidden <- function(hidden, arg = "hidden") {
  if (!is.numeric(hidden) || length(hidden) == 0L || anyNA(hidden) || any(hidden != round(hidden))) {
    rg_abort(sprintf("%s must be whole numbers (layer sizes), not %s.", arg_name(arg), describe(hidden)))
  }
  if (any(hidden <= 0)) {
    rg_abort(sprintf("%s must be positive layer sizes; got %s.", arg_name(arg), paste(hidden, collapse = ", ")))
  }
  as.integer(hidden)
}

# ---- targets -------------------------------------------------------------------------------

# The target as a samples x outputs numeric matrix in the order of `samples`, plus what it means.
nn_target <- function(y, samples, positive = NULL, task = NULL, classes = NULL, arg = "y") {
  if (is.null(y)) rg_abort(sprintf("`%s` is NULL.", arg))
  if (is.data.frame(y)) {
    row_names <- if (.row_names_info(y) > 0) rownames(y) else NULL
    if (ncol(y) == 1L) {
      y <- stats::setNames(y[[1L]], row_names)
    } else {
      y <- as.matrix(y)
      rownames(y) <- row_names
    }
  }
  y <- align_samples(y, samples, arg)
  if (anyNA(y)) {
    rg_abort(sprintf("`%s` has %d missing values; remove those samples from `%s` and `x` first.", arg, sum(is.na(y)), arg),
             class = c("radiogenomics_missing_values", "radiogenomics_invalid_argument"))
  }
  if (is.matrix(y)) {
    if (is.logical(y) || identical(task, "multilabel")) return(multilabel_target(y, arg))
    if (!is.numeric(y)) rg_abort(sprintf("`%s` must be numeric or logical when it is a matrix.", arg))
    return(regression_target(y, arg))
  }
  if (is.numeric(y) && !inherits(y, "factor") && !any(task %in% c("binary", "multiclass"))) {
    return(regression_target(matrix(y, ncol = 1L, dimnames = list(NULL, "value")), arg))
  }
  classification_target(y, positive, classes, arg)
}

align_samples <- function(y, samples, arg) {
  ids <- if (is.matrix(y)) rownames(y) else names(y)
  n <- NROW(y)
  if (!is.null(ids)) {
    if (anyDuplicated(ids)) rg_abort(sprintf("`%s` has duplicated sample names.", arg))
    unlabeled <- setdiff(samples, ids)
    unknown <- setdiff(ids, samples)
    if (length(unlabeled) || length(unknown)) {
      rg_abort(sprintf(paste("The sample names of `%s` do not match the samples (column names) of `x`:",
                             "%d samples of `x` have no label%s and %d names of `%s` are not samples of `x`%s."),
                       arg, length(unlabeled), examples_of(unlabeled), length(unknown), arg, examples_of(unknown)),
               class = c("radiogenomics_sample_mismatch", "radiogenomics_invalid_argument"))
    }
    return(if (is.matrix(y)) y[samples, , drop = FALSE] else y[samples])
  }
  if (n != length(samples)) {
    rg_abort(sprintf("`%s` has %d %s but `x` has %d samples (columns).", arg, n,
                     if (is.matrix(y)) "rows" else "values", length(samples)),
             class = c("radiogenomics_length_mismatch", "radiogenomics_invalid_argument"))
  }
  y
}

examples_of <- function(v) if (length(v)) sprintf(" (e.g. %s)", paste(utils::head(v, 3), collapse = ", ")) else ""

classification_target <- function(y, positive, classes, arg) {
  values <- if (is.factor(y)) as.character(y) else if (is.logical(y)) ifelse(y, "TRUE", "FALSE") else as.character(y)
  if (is.null(classes)) {
    classes <- if (is.factor(y)) levels(droplevels(y)) else sort(unique(values))
    if (is.logical(y)) classes <- intersect(c("FALSE", "TRUE"), values)
  }
  if (length(classes) < 2L) {
    rg_abort(sprintf("`%s` has only one class (\"%s\"); a classifier needs at least two.", arg, classes[1L]),
             class = c("radiogenomics_one_class", "radiogenomics_invalid_argument"))
  }
  unknown <- setdiff(unique(values), classes)
  if (length(unknown)) {
    rg_abort(sprintf("`%s` has classes the model does not know: %s.", arg, paste(unknown, collapse = ", ")))
  }
  f <- factor(values, levels = classes)
  counts <- tabulate(f, length(classes))
  if (length(classes) == 2L) {
    if (is.null(positive)) {
      positive <- classes[[if (counts[[1L]] < counts[[2L]]) 1L else 2L]]
    } else if (!is.character(positive) && !is.logical(positive) || length(positive) != 1L || !as.character(positive) %in% classes) {
      rg_abort(sprintf("`positive` must be one of the classes of `%s`: %s.", arg, paste(classes, collapse = ", ")))
    }
    positive <- as.character(positive)
    ymat <- matrix(as.numeric(values == positive), ncol = 1L, dimnames = list(NULL, positive))
    return(list(task = "binary", y = ymat, classes = classes, positive = positive,
                labels = as.integer(values == positive)))
  }
  ymat <- outer(as.integer(f), seq_along(classes), `==`) * 1
  colnames(ymat) <- classes
  list(task = "multiclass", y = ymat, classes = classes, positive = NULL, labels = as.integer(f) - 1L)
}

regression_target <- function(y, arg) {
  if (!all(is.finite(y))) rg_abort(sprintf("`%s` has infinite values.", arg))
  if (is.null(colnames(y))) colnames(y) <- if (ncol(y) == 1L) "value" else paste0("output", seq_len(ncol(y)))
  storage.mode(y) <- "double"
  list(task = "regression", y = y, classes = NULL, positive = NULL, labels = rep(0L, nrow(y)))
}

multilabel_target <- function(y, arg) {
  y <- y * 1
  if (!all(y %in% c(0, 1))) rg_abort(sprintf("`%s` must hold 0/1 (or TRUE/FALSE) values for multi-label targets.", arg))
  if (is.null(colnames(y))) colnames(y) <- paste0("label", seq_len(ncol(y)))
  one_class <- colnames(y)[colSums(y) %in% c(0, nrow(y))]
  if (length(one_class)) {
    rg_abort(sprintf("`%s` has labels with only one class: %s.", arg, paste(one_class, collapse = ", ")),
             class = c("radiogenomics_one_class", "radiogenomics_invalid_argument"))
  }
  list(task = "multilabel", y = y, classes = colnames(y), positive = NULL, labels = rep(0L, nrow(y)))
}

# ---- validation, weights, monitor -------------------------------------------------------------

# Training indices and the validation list(x, y) for Rust (or NULL).
validation_samples <- function(x, target, validation_data, control) {
  n <- ncol(x)
  if (!is.null(validation_data)) {
    if (!is.list(validation_data) || is.null(validation_data$x) || is.null(validation_data$y)) {
      rg_abort("`validation_data` must be a list with elements `x` (genes x samples) and `y`.")
    }
    vx <- align_genes(as_expression_matrix(validation_data$x, arg = "validation_data$x"), rownames(x),
                      arg = "validation_data$x", missing = "error")
    vy <- nn_target(validation_data$y, colnames(vx), positive = target$positive,
                    task = target$task, classes = target$classes, arg = "validation_data$y")
    return(list(train = seq_len(n), validation = list(x = vx, y = t(vy$y)), n_validation = ncol(vx)))
  }
  if (control$validation_split > 0) {
    held_out <- stratified_holdout(target$labels, control$validation_split, control$seed)
    train <- setdiff(seq_len(n), held_out)
    return(list(train = train,
                validation = list(x = x[, held_out, drop = FALSE], y = t(target$y[held_out, , drop = FALSE])),
                n_validation = length(held_out)))
  }
  list(train = seq_len(n), validation = NULL, n_validation = 0L)
}

# round(fraction * n_c) samples of every class (at least one of classes with two or more).
stratified_holdout <- function(labels, fraction, seed) {
  withr_seed(seed, {
    unlist(lapply(split(seq_along(labels), labels), function(idx) {
      k <- round(fraction * length(idx))
      if (k == 0L && length(idx) >= 2L) k <- 1L
      idx[sample.int(length(idx), k)]
    }), use.names = FALSE)
  })
}

training_weights <- function(option, target, train, n_samples) {
  if (is.numeric(option)) {
    if (length(option) != n_samples) {
      rg_abort(sprintf("`sample_weights` has %d values but `x` has %d samples.", length(option), n_samples))
    }
    return(as.double(option[train]))
  }
  if (identical(option, "none") || !target$task %in% c("binary", "multiclass")) return(NULL)
  labels <- target$labels[train]
  counts <- tabulate(labels + 1L)
  present <- sum(counts > 0)
  length(labels) / (present * counts[labels + 1L])
}

monitor_choice <- function(control, task, has_validation) {
  if (!control$early_stopping) return(NULL)
  metric <- if (task == "regression") "r2" else "auc"
  monitor <- control$monitor %||% if (has_validation) paste0("val_", metric) else metric
  if (startsWith(monitor, "val_") && !has_validation) {
    rg_abort(sprintf("`monitor` is \"%s\" but there are no validation samples; give `validation_data` or `validation_split`.", monitor))
  }
  mode <- if (control$mode != "auto") control$mode else if (grepl("loss$", monitor)) "min" else "max"
  list(name = monitor, mode = mode)
}

rust_control_list <- function(control, task, loss, monitor, batch_default, freeze_layers) {
  list(epochs = control$epochs, batch_size = control$batch_size %||% batch_default,
       optimizer = control$optimizer, learning_rate = control$learning_rate, rho = control$rho,
       momentum = control$momentum, nesterov = control$nesterov, decay = control$decay,
       beta_1 = control$beta_1, beta_2 = control$beta_2, schedule_decay = control$schedule_decay,
       epsilon = control$epsilon, loss = loss, task = task, pooled_r2 = control$pooled_r2,
       seed = control$seed, shuffle = control$shuffle, train_metrics = control$train_metrics,
       n_threads = control$n_threads, device = control$device, freeze_layers = freeze_layers,
       monitor = monitor$name, patience = control$patience, min_delta = control$min_delta,
       mode = monitor$mode %||% "max", restore_best = control$restore_best)
}

# ---- genes -------------------------------------------------------------------------------------

# `x` with rows in the order of `genes`. Missing genes are an error, or (predict) filled with
# `fill` (the training means) with a warning; extra genes are dropped.
align_genes <- function(x, genes, arg = "x", missing = c("error", "fill"), fill = NULL) {
  missing <- match.arg(missing)
  absent <- setdiff(genes, rownames(x))
  if (length(absent)) {
    if (missing == "error") {
      rg_abort(sprintf("`%s` lacks %d of the model's %d genes%s.", arg, length(absent), length(genes), examples_of(absent)),
               class = c("radiogenomics_gene_mismatch", "radiogenomics_invalid_argument"))
    }
    warning(structure(class = c("radiogenomics_missing_genes", "radiogenomics_warning", "warning", "condition"),
                      list(message = sprintf("`%s` lacks %d of the model's %d genes%s; they were set to the training mean.",
                                             arg, length(absent), length(genes), examples_of(absent)),
                           call = rg_user_call(), genes = absent)))
    filled <- matrix(fill[absent], length(absent), ncol(x), dimnames = list(absent, colnames(x)))
    x <- rbind(x, filled)
  }
  x[genes, , drop = FALSE]
}

check_transfer <- function(pretrained, hidden, transfer_layers, freeze_layers) {
  if (!inherits(pretrained, "rg_autoencoder")) {
    rg_abort(sprintf("`pretrained` must be an autoencoder from fit_autoencoder(), not %s.", describe(pretrained)))
  }
  encoder <- pretrained$architecture$hidden
  available <- min(length(encoder), length(hidden))
  if (is.null(transfer_layers)) transfer_layers <- available
  check_number(transfer_layers, "transfer_layers", min = 1, max = available, integer = TRUE)
  check_number(freeze_layers, "freeze_layers", min = 0, max = transfer_layers, integer = TRUE)
  k <- seq_len(transfer_layers)
  if (any(hidden[k] != encoder[k])) {
    rg_abort(sprintf("`hidden` (%s) must start with the autoencoder's encoder sizes (%s) for the %d transferred layers.",
                     paste(hidden, collapse = "/"), paste(encoder, collapse = "/"), transfer_layers))
  }
  list(transfer_layers = as.integer(transfer_layers), freeze_layers = as.integer(freeze_layers))
}

align_to_pretrained <- function(x, pretrained) {
  genes <- pretrained$genes
  only_x <- setdiff(rownames(x), genes)
  only_ae <- setdiff(genes, rownames(x))
  if (length(only_x) || length(only_ae)) {
    rg_abort(sprintf(paste("The genes of `x` and of `pretrained` differ: %d genes of `x` are not in the",
                           "autoencoder%s and %d autoencoder genes are missing from `x`%s."),
                     length(only_x), examples_of(only_x), length(only_ae), examples_of(only_ae)),
             class = c("radiogenomics_gene_mismatch", "radiogenomics_invalid_argument"))
  }
  x[genes, , drop = FALSE]
}

# ---- the object -------------------------------------------------------------------------------

new_nn_model <- function(res, x, spec, control, loss, monitor, n_train, n_validation, call, class) {
  genes <- rownames(x)
  history <- as.data.frame(res$history)
  history <- cbind(epoch = seq_len(nrow(history)), history)
  structure(list(
    genes = genes,
    standardization = list(mean = stats::setNames(res$mean, genes), sd = stats::setNames(res$sd, genes)),
    architecture = spec[c("hidden", "activation", "batch_norm", "dropout", "input_dropout", "n_outputs",
                          "head", "output_batch_norm", "nonneg")],
    n_parameters = count_parameters(length(genes), spec),
    loss = loss, control = control, monitor = monitor, history = history,
    best_epoch = res$best_epoch, epochs_run = res$epochs_run, stopped_early = res$stopped_early,
    restored_best = res$restored_best, n_train = n_train, n_validation = n_validation,
    seed = control$seed, call = call, weights = res$weights, ptr = res$ptr
  ), class = class)
}

count_parameters <- function(n_inputs, spec) {
  sizes <- if (spec$kind == "autoencoder") c(spec$hidden, rev(spec$hidden)[-1L], n_inputs) else c(spec$hidden, spec$n_outputs)
  fan_in <- c(n_inputs, utils::head(sizes, -1L))
  bn <- c(rep(spec$batch_norm, length(sizes) - 1L), spec$output_batch_norm)
  sum(fan_in * sizes + sizes + 2 * sizes * bn)
}
