# Forked workers (BiocParallel::MulticoreParam, parallel::mclapply) inherit the parent's memory
# but none of its threads: Rust code that reached rayon's global pool in the parent would wait
# forever for workers that do not exist in the child. Every entry point must use its own pool.

skip_on_os("windows")

run_everything <- function() {
  sim <- simulate_cohort(n_samples = 60, n_genes = 120, gene_sets = 6, traits = c("binary", "multiclass"),
                         seed = 3)
  x <- sim$expression
  control <- nn_control(epochs = 3, batch_size = 16, seed = 1, verbose = FALSE)
  fit <- fit_network(x, sim$traits$binary, hidden = c(16, 8), control = control)
  ae <- fit_autoencoder(x, hidden = 8, control = control)
  sets <- sim$gene_sets[1:4]
  saliency <- gene_saliency(fit, x[, 1:8], verbose = FALSE)
  surv <- cbind(sim$survival, sim$traits)
  list(
    expression = x[1:5, 1:5],
    prediction = predict(fit, x),
    autoencoder = predict(ae, x[, 1:3]),
    masking = gene_masking(fit, x, sim$traits$binary, gene_sets = sets, seed = 1, verbose = FALSE),
    single = single_gene_masking(fit, x, sim$traits$binary, genes = rownames(x)[1:20], verbose = FALSE),
    saliency = saliency,
    integrated = gene_saliency(fit, x[, 1:4], method = "integrated", steps = 5, verbose = FALSE),
    gsea = gsea_per_sample(saliency[, 1:2], sets, nperm = 200, min_size = 3, seed = 1, verbose = FALSE),
    screen = cox_screen(surv$time, surv$status, x[1:30, ]),
    stepwise = cox_stepwise(survival::Surv(time, status) ~ age + sex + binary, data = surv)$steps,
    cv = cross_validate(x, sim$traits$binary, folds = 3, hidden = 8, control = control, seed = 1,
                        verbose = FALSE)$results,
    auc = roc_auc(sim$traits$binary == sim$traits$binary[1], predict(fit, x)[, 1])
  )
}

test_that("every Rust entry point works in a forked child after the parent used it", {
  skip_if_not_installed("parallel")
  in_parent <- run_everything()
  job <- parallel::mcparallel(run_everything())
  in_child <- parallel::mccollect(job, wait = FALSE, timeout = 120)
  if (is.null(in_child)) {
    tools::pskill(job$pid)
    parallel::mccollect(job, wait = FALSE)
    fail("the forked child did not finish within 120 s (a Rust thread pool missing after fork?)")
  } else {
    expect_equal(in_child[[1]], in_parent)
  }
})

test_that("cross_validate() on MulticoreParam equals serial after the parent trained a network", {
  skip_if_not_installed("BiocParallel")
  sim <- simulate_cohort(n_samples = 60, n_genes = 100, traits = "binary", seed = 5)
  control <- nn_control(epochs = 3, batch_size = 16, verbose = FALSE)
  args <- list(sim$expression, sim$traits$binary, folds = 4, hidden = 8, control = control, seed = 2,
               verbose = FALSE)
  serial <- do.call(cross_validate, args)
  forked <- do.call(cross_validate, c(args, list(BPPARAM = BiocParallel::MulticoreParam(2, timeout = 120))))
  expect_equal(forked$results, serial$results)
})
