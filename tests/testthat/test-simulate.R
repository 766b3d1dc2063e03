test_that("simulate_cohort has the documented shape and names", {
  co <- simulate_cohort(n_samples = 120, n_genes = 800, gene_sets = 12, seed = 11)
  expect_s3_class(co, "rg_cohort")
  expect_equal(dim(co$expression), c(800L, 120L))
  expect_identical(as_expression_matrix(co$expression), co$expression)
  expect_identical(rownames(co$traits), colnames(co$expression))
  expect_identical(co$survival$sample, colnames(co$expression))
  expect_named(co$traits, c("binary", "multiclass", "continuous", "interaction"))
  expect_length(co$gene_sets, 12)
  expect_true(all(unlist(co$gene_sets) %in% rownames(co$expression)))
  expect_setequal(co$truth$trait, names(co$traits))
  expect_true(all(co$truth$gene_set %in% names(co$gene_sets)))
  expect_true(all(co$survival$time > 0) && all(co$survival$status %in% 0:1))
})

test_that("the same seed gives the same cohort, and set.seed() drives seed = NULL", {
  a <- simulate_cohort(n_samples = 50, n_genes = 300, gene_sets = 8, seed = 5)
  b <- simulate_cohort(n_samples = 50, n_genes = 300, gene_sets = 8, seed = 5)
  expect_identical(a, b)
  set.seed(9); c1 <- simulate_cohort(n_samples = 50, n_genes = 300, gene_sets = 8)
  set.seed(9); c2 <- simulate_cohort(n_samples = 50, n_genes = 300, gene_sets = 8)
  expect_identical(c1, c2)
})

test_that("driver sets are co-expressed and carry the planted associations", {
  co <- simulate_cohort(n_samples = 400, n_genes = 1000, gene_sets = 15, seed = 2)
  z <- t(scale(t(co$expression)))
  set_score <- function(set) colMeans(z[co$gene_sets[[set]], , drop = FALSE])
  driver <- function(trait, k = 1) co$truth$gene_set[co$truth$trait == trait][k]

  # members of a driver set correlate far more than random genes
  members <- co$gene_sets[[driver("binary")]]
  within <- cor(t(z[members, ]))
  expect_gt(mean(within[upper.tri(within)]), 0.25)

  # binary: the driver set score separates the classes (monotone effect)
  expect_gt(roc_auc(co$traits$binary == "high", set_score(driver("binary"))), 0.8)
  # continuous: strong correlation with its driver
  expect_gt(cor(co$traits$continuous, set_score(driver("continuous"))), 0.6)
  # interaction: neither set alone predicts, their product does
  a1 <- set_score(driver("interaction", 1)); a2 <- set_score(driver("interaction", 2))
  yes <- co$traits$interaction == "yes"
  expect_lt(abs(roc_auc(yes, a1) - 0.5), 0.1)
  expect_lt(abs(roc_auc(yes, a2) - 0.5), 0.1)
  expect_gt(roc_auc(yes, a1 * a2), 0.75)
  # decoy sets predict the binary trait far less well than its driver (a large random set
  # may share a few driver genes, as real gene sets do)
  decoys <- setdiff(names(co$gene_sets), co$truth$gene_set)
  decoy_auc <- vapply(decoys, function(s) roc_auc(co$traits$binary == "high", set_score(s)), numeric(1))
  driver_auc <- roc_auc(co$traits$binary == "high", set_score(driver("binary")))
  expect_lt(max(abs(decoy_auc - 0.5)), abs(driver_auc - 0.5) - 0.15)
})

test_that("survival depends on the binary trait (Cox HR near exp(effect))", {
  co <- simulate_cohort(n_samples = 500, n_genes = 300, gene_sets = 8, effect = 1, seed = 4)
  d <- cbind(co$survival, binary = co$traits$binary)
  fit <- survival::coxph(survival::Surv(time, status) ~ binary + age, data = d)
  expect_equal(unname(coef(fit)["binaryhigh"]), 1, tolerance = 0.3)
  expect_lt(summary(fit)$coefficients["binaryhigh", "Pr(>|z|)"], 1e-6)
})

test_that("effect = 0 plants nothing", {
  co <- simulate_cohort(n_samples = 400, n_genes = 300, gene_sets = 8, effect = 0, seed = 8)
  z <- t(scale(t(co$expression)))
  s <- colMeans(z[co$gene_sets[[co$truth$gene_set[1]]], ])
  expect_lt(abs(roc_auc(co$traits$binary == "high", s) - 0.5), 0.1)
})

test_that("bad arguments are classed errors", {
  expect_error(simulate_cohort(n_samples = 5), "`n_samples` must be a whole number >= 10", class = "radiogenomics_error")
  expect_error(simulate_cohort(traits = "shape"), "unknown trait\\(s\\) shape", class = "radiogenomics_error")
  expect_error(simulate_cohort(gene_sets = 3), "`gene_sets` \\(3\\) must be at least", class = "radiogenomics_error")
  expect_error(simulate_cohort(effect = -1), "`effect`", class = "radiogenomics_error")
  expect_error(simulate_cohort(seed = 1.5), "`seed`", class = "radiogenomics_error")
})
