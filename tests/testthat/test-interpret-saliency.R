# Saliency against finite differences of predict(), and integrated-gradient completeness.

cohort <- interpret_cohort()
x <- cohort$expression
fit_bin <- interpret_fit(x, cohort$traits$binary, hidden = c(10, 6))
fit_multi <- interpret_fit(x, cohort$traits$multiclass, hidden = 8)
fit_relu <- interpret_fit(x, cohort$traits$binary, hidden = c(10, 6), activation = "relu")

test_that("gradients equal central finite differences of predict()", {
  samples <- c(1, 7, 30)
  s <- gene_saliency(fit_bin, x[, samples], verbose = FALSE)
  expect_s3_class(s, "rg_saliency")
  expect_equal(dim(s), c(nrow(x), 3L))
  for (j in seq_along(samples)) expect_matches_fd(s[, j], finite_differences(fit_bin, x, samples[j], "link", 1))
  p <- gene_saliency(fit_bin, x[, samples], output = "prob", verbose = FALSE)
  for (j in seq_along(samples)) expect_matches_fd(p[, j], finite_differences(fit_bin, x, samples[j], "prob", 1))

  m <- gene_saliency(fit_multi, x[, samples], verbose = FALSE)
  expect_equal(dim(m), c(nrow(x), 3L, 3L))
  expect_equal(dimnames(m)[[3]], c("A", "B", "C"))
  for (k in 1:3) expect_matches_fd(m[, 2, k], finite_differences(fit_multi, x, samples[2], "link", k))
  pm <- gene_saliency(fit_multi, x[, samples], class = "B", output = "prob", verbose = FALSE)
  expect_matches_fd(pm[, 3], finite_differences(fit_multi, x, samples[3], "prob", 2))
})

test_that("guided equals the gradient on a tanh network and differs with ReLU", {
  a <- gene_saliency(fit_bin, x[, 1:4], verbose = FALSE)
  b <- gene_saliency(fit_bin, x[, 1:4], method = "guided", verbose = FALSE)
  expect_equal(unclass(a), unclass(b), ignore_attr = TRUE)
  g <- gene_saliency(fit_relu, x[, 1:4], verbose = FALSE)
  gg <- gene_saliency(fit_relu, x[, 1:4], method = "guided", verbose = FALSE)
  expect_false(isTRUE(all.equal(unclass(g), unclass(gg), check.attributes = FALSE)))
})

test_that("integrated gradients are complete: they sum to f(x) - f(baseline)", {
  samples <- 1:6
  mean_profile <- matrix(fit_bin$standardization$mean, ncol = 1, dimnames = list(fit_bin$genes, "mean"))
  ig <- gene_saliency(fit_bin, x[, samples], method = "integrated", steps = 50, verbose = FALSE)
  diff <- predict(fit_bin, x[, samples], type = "link")[, 1] - predict(fit_bin, mean_profile, type = "link")[1, 1]
  expect_lt(max(abs(colSums(ig) - diff) / pmax(abs(diff), 0.05)), 0.01)

  ig <- gene_saliency(fit_multi, x[, samples], class = 3, method = "integrated", output = "prob", verbose = FALSE)
  diff <- predict(fit_multi, x[, samples])[, 3] - predict(fit_multi, mean_profile)[1, 3]
  expect_lt(max(abs(colSums(ig) - diff) / pmax(abs(diff), 0.05)), 0.01)
})

test_that("absolute + minmax reproduces the reference normalization", {
  raw <- gene_saliency(fit_bin, x[, 1:3], verbose = FALSE)
  ref <- gene_saliency(fit_bin, x[, 1:3], absolute = TRUE, normalize = "minmax", verbose = FALSE)
  expected <- apply(abs(unclass(raw)), 2, function(g) (g - min(g)) / (max(g) - min(g) + 1e-7))
  expect_equal(unclass(ref), expected, tolerance = 1e-5, ignore_attr = TRUE)
  expect_equal(unname(apply(ref, 2, min)), rep(0, 3))
})

test_that("as.data.frame() gives the long form", {
  m <- gene_saliency(fit_multi, x[, 1:2], class = c("C", "A"), verbose = FALSE)
  long <- as.data.frame(m)
  expect_equal(names(long), c("gene", "sample", "class", "saliency"))
  expect_equal(nrow(long), nrow(x) * 2 * 2)
  row <- long[long$gene == "G010" & long$sample == colnames(x)[2] & long$class == "A", ]
  expect_equal(row$saliency, unclass(m)["G010", 2, "A"])
  expect_output(print(m), "gradient of the link")
})

test_that("bad arguments are classed errors naming the argument", {
  expect_error(gene_saliency(fit_bin, x, class = "low"), "positive class", class = "radiogenomics_invalid_argument")
  expect_error(gene_saliency(fit_multi, x, class = 4), "`class`", class = "radiogenomics_invalid_argument")
  expect_error(gene_saliency(fit_bin, x, method = "smooth"), "`method`", class = "radiogenomics_invalid_argument")
  expect_error(gene_saliency(fit_bin, x, method = "integrated", steps = 0), "`steps`",
               class = "radiogenomics_invalid_argument")
})
