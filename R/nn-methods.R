nn_layer_text <- function(object) {
  a <- object$architecture
  hidden <- if (inherits(object, "rg_autoencoder")) c(a$hidden, rev(a$hidden)[-1L]) else a$hidden
  sprintf("%d genes -> %s %s -> %d %s", length(object$genes), paste(hidden, collapse = "/"), a$activation,
          a$n_outputs, a$head)
}

nn_task_text <- function(object) {
  switch(object$task,
         binary = sprintf("binary classifier (positive class \"%s\" of %s)", object$positive,
                          paste(object$classes, collapse = " / ")),
         multiclass = sprintf("%d-class classifier (%s)", length(object$classes), paste(object$classes, collapse = ", ")),
         multilabel = sprintf("multi-label classifier (%d labels)", length(object$classes)),
         regression = sprintf("regression (%d output%s)", length(object$outputs), if (length(object$outputs) > 1) "s" else ""),
         autoencoder = "autoencoder")
}

nn_training_text <- function(object) {
  best <- object$best_epoch
  h <- object$history
  monitor <- object$monitor$name
  value <- if (!is.null(monitor) && monitor %in% names(h) && is.finite(best)) sprintf(", %s %.4f", monitor, h[[monitor]][best]) else ""
  how <- if (object$stopped_early) "stopped early" else "ran all epochs"
  restored <- if (object$restored_best) "best epoch restored" else "last epoch kept"
  sprintf("%d epochs (%s), %s: epoch %s%s", object$epochs_run, how, restored, format(best), value)
}

#' @export
print.rg_network <- function(x, ...) {
  cat(sprintf("Neural network: %s\n", nn_task_text(x)))
  cat(sprintf("  layers:     %s (%s parameters)\n", nn_layer_text(x), format(x$n_parameters, big.mark = ",")))
  cat(sprintf("  training:   %d samples%s, %s, %s loss, batch %d\n", x$n_train,
              if (x$n_validation > 0) sprintf(" (+%d validation)", x$n_validation) else "",
              x$control$optimizer, x$loss, x$control$batch_size %||% 10L))
  cat(sprintf("  epochs:     %s\n", nn_training_text(x)))
  if (!is.null(x$pretrained)) {
    cat(sprintf("  pretrained: %d encoder layer(s) transferred, %d frozen\n", x$pretrained$transfer_layers,
                x$pretrained$freeze_layers))
  }
  invisible(x)
}

#' @export
print.rg_autoencoder <- function(x, ...) {
  cat("Autoencoder\n")
  cat(sprintf("  layers:   %s (%s parameters)\n", nn_layer_text(x), format(x$n_parameters, big.mark = ",")))
  cat(sprintf("  training: %d samples%s, %s, %s loss, batch %d\n", x$n_train,
              if (x$n_validation > 0) sprintf(" (+%d validation)", x$n_validation) else "",
              x$control$optimizer, x$loss, x$control$batch_size %||% 50L))
  cat(sprintf("  epochs:   %s\n", nn_training_text(x)))
  invisible(x)
}

#' Summaries of fitted networks
#'
#' @param object An `rg_network` or `rg_autoencoder`.
#' @param ... Unused.
#' @return A `summary.rg_network` list: `layers` (data.frame: layer, units, activation,
#'   batch_norm, dropout, parameters), `final` (the history row of the epoch whose weights the
#'   model holds), and the model's task and training facts.
#' @export
summary.rg_network <- function(object, ...) {
  a <- object$architecture
  encoder <- a$hidden
  hidden <- if (inherits(object, "rg_autoencoder")) c(encoder, rev(encoder)[-1L]) else encoder
  units <- c(hidden, a$n_outputs)
  fan_in <- c(length(object$genes), utils::head(units, -1L))
  bn <- c(rep(a$batch_norm, length(hidden)), a$output_batch_norm)
  layers <- data.frame(layer = c(paste("hidden", seq_along(hidden)), "output"), units = units,
                       activation = c(rep(a$activation, length(hidden)), a$head), batch_norm = bn,
                       dropout = c(rep(a$dropout, length(hidden)), 0),
                       parameters = fan_in * units + units + 2 * units * bn, stringsAsFactors = FALSE)
  best <- object$best_epoch
  final <- if (is.finite(best)) object$history[best, , drop = FALSE] else object$history[0, , drop = FALSE]
  structure(list(task = nn_task_text(object), layers = layers, final = final,
                 training = nn_training_text(object), input_dropout = a$input_dropout, model = class(object)[[1L]]),
            class = "summary.rg_network")
}

#' @rdname summary.rg_network
#' @export
summary.rg_autoencoder <- summary.rg_network

#' @export
print.summary.rg_network <- function(x, ...) {
  cat(sprintf("%s\n\n", x$task))
  print(x$layers, row.names = FALSE)
  cat(sprintf("\ninput dropout %s; %s\n\nMetrics at that epoch:\n", format(x$input_dropout), x$training))
  print(x$final, row.names = FALSE, digits = 4)
  invisible(x)
}

#' Plot a network's training history
#'
#' Two panels: the loss per epoch (training and validation) and the monitored metric (training
#' and validation), with the epoch whose weights the model holds marked.
#'
#' @param x An `rg_network` or `rg_autoencoder`.
#' @param metric Metric for the second panel; default the monitored one (or AUC / R²).
#' @param ... Passed to `plot()`.
#' @return `x`, invisibly.
#' @export
plot.rg_network <- function(x, metric = NULL, ...) {
  h <- x$history
  base <- if (x$task %in% c("regression", "autoencoder")) "r2" else "auc"
  metric <- sub("^val_", "", metric %||% x$monitor$name %||% base)
  old <- graphics::par(mfrow = c(1, 2))
  on.exit(graphics::par(old))
  history_panel(h, "loss", x$best_epoch, ...)
  if (metric != "loss" && any(c(metric, paste0("val_", metric)) %in% names(h))) history_panel(h, metric, x$best_epoch, ...)
  invisible(x)
}

#' @rdname plot.rg_network
#' @export
plot.rg_autoencoder <- plot.rg_network

history_panel <- function(h, metric, best, ...) {
  columns <- intersect(c(metric, paste0("val_", metric)), names(h))
  values <- as.matrix(h[columns])
  finite <- values[is.finite(values)]
  ylim <- if (length(finite)) range(finite) else c(0, 1)
  graphics::matplot(h$epoch, values, type = "l", lty = 1, col = c("black", "firebrick")[seq_along(columns)],
                    xlab = "epoch", ylab = metric, ylim = ylim, ...)
  if (is.finite(best)) graphics::abline(v = best, lty = 3, col = "grey40")
  graphics::legend("topright", legend = ifelse(startsWith(columns, "val_"), "validation", "training"),
                   col = c("black", "firebrick")[seq_along(columns)], lty = 1, bty = "n")
}
