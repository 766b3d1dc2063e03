# fit_autoencoder(): reconstruction, transfer of encoder layers, frozen layers.

quiet <- function(...) nn_control(..., verbose = FALSE)

# genes x samples with rank-3 structure plus a little noise
low_rank_expression <- function(n_genes, n_samples, seed) {
  radiogenomics:::withr_seed(seed, {
    scores <- matrix(stats::rnorm(3 * n_samples), 3)
    loadings <- matrix(stats::rnorm(n_genes * 3), n_genes)
    x <- 5 + loadings %*% scores + matrix(stats::rnorm(n_genes * n_samples, sd = 0.1), n_genes)
  })
  dimnames(x) <- list(sprintf("G%03d", seq_len(n_genes)), sprintf("S%03d", seq_len(n_samples)))
  x
}

test_that("an autoencoder reconstructs low-rank data (mean per-gene R2 > 0.9)", {
  x <- low_rank_expression(40, 400, seed = 1)
  ae <- fit_autoencoder(x[, 1:300], hidden = c(32, 8), validation_data = x[, 301:400],
                        control = quiet(epochs = 150, optimizer = "adam", learning_rate = 0.005, loss = "mse",
                                        batch_size = 20, patience = 30, seed = 1))
  expect_s3_class(ae, "rg_autoencoder")
  r2_monitored <- ae$history$val_r2[ae$best_epoch]
  expect_gt(r2_monitored, 0.9)
  # the same quantity computed here: mean over genes of 1 - SS_res / SS_tot, on the original scale
  rec <- predict(ae, x[, 301:400])
  truth <- x[, 301:400]
  r2 <- mean(1 - rowSums((truth - rec)^2) / rowSums((truth - rowMeans(truth))^2))
  expect_equal(r2, r2_monitored, tolerance = 1e-4)
  expect_output(print(ae), "Autoencoder")
  expect_equal(summary(ae)$layers$units, c(32, 8, 32, 40))
})

test_that("transfer copies exactly the encoder layers; frozen layers stay bit-identical", {
  x <- low_rank_expression(30, 120, seed = 2)
  y <- factor(ifelse(x[1, ] > stats::median(x[1, ]), "up", "down"))
  ae <- fit_autoencoder(x, hidden = c(12, 6, 4), control = quiet(epochs = 5, seed = 1))
  ae_par <- network_parameters(ae)

  net <- fit_network(x, y, hidden = c(12, 6, 4), pretrained = ae, transfer_layers = 2, freeze_layers = 1,
                     control = quiet(epochs = 5, seed = 3))
  par <- network_parameters(net)
  expect_identical(par[[1]]$weight, ae_par[[1]]$weight)       # frozen: copied and never updated
  expect_identical(par[[1]]$bias, ae_par[[1]]$bias)
  expect_false(identical(par[[2]]$weight, ae_par[[2]]$weight)) # transferred, then trained
  expect_false(identical(par[[1]]$batch_norm$gamma, rep(1, 12))) # batch norm stays trainable
  expect_equal(net$standardization, ae$standardization)        # the autoencoder's scaler
  expect_equal(net$pretrained, list(transfer_layers = 2L, freeze_layers = 1L))

  # nothing trained: the transferred tensors are exactly the encoder's, the rest fresh
  untrained <- fit_network(x, y, hidden = c(12, 6, 4), pretrained = ae, transfer_layers = 2, freeze_layers = 2,
                           control = quiet(epochs = 1, learning_rate = 1e-30, seed = 3))
  up <- network_parameters(untrained)
  expect_identical(up[[2]]$weight, ae_par[[2]]$weight)
  expect_false(isTRUE(all.equal(up[[3]]$weight, ae_par[[3]]$weight)))

  # genes are matched by name, in any order; a mismatch says how many genes differ
  shuffled <- x[rev(rownames(x)), ]
  again <- fit_network(shuffled, y, hidden = c(12, 6, 4), pretrained = ae, freeze_layers = 3, control = quiet(epochs = 1, seed = 3))
  expect_identical(network_parameters(again)[[3]]$weight, ae_par[[3]]$weight)
  fewer <- x[-(1:2), ]
  expect_error(fit_network(fewer, y, hidden = c(12, 6, 4), pretrained = ae, control = quiet(epochs = 1)),
               "2 autoencoder genes are missing", class = "radiogenomics_gene_mismatch")
  expect_error(fit_network(x, y, hidden = c(10, 6), pretrained = ae, control = quiet(epochs = 1)),
               "`hidden`", class = "radiogenomics_error")
  expect_error(fit_network(x, y, hidden = c(12, 6), pretrained = ae, freeze_layers = 3, control = quiet(epochs = 1)),
               "`freeze_layers`", class = "radiogenomics_error")
})
