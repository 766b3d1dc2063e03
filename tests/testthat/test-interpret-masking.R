# Gene masking against naive masking with predict(), and scores against the metric functions.

cohort <- interpret_cohort()
x <- cohort$expression
fit_bin <- interpret_fit(x, cohort$traits$binary)
fit_multi <- interpret_fit(x, cohort$traits$multiclass)

random_sets <- function(genes, k, seed) {
  radiogenomics:::withr_seed(seed, {
    sets <- lapply(seq_len(k), function(i) sample(genes, sample(1:60, 1)))
  })
  stats::setNames(sets, paste0("random", seq_len(k)))
}

test_that("sparse set masking equals predict() on explicitly masked matrices", {
  sets <- c(random_sets(rownames(x), 6, 1), cohort$gene_sets[1:3],
            list(with_absent = c("G001", "G050", "NOT_A_GENE", "ALSO_ABSENT")))
  for (fit in list(fit_bin, fit_multi)) {
    masked <- radiogenomics:::masked_predictions(fit, x, sets = sets)
    for (s in names(sets)) {
      naive_x <- mask_to_mean(fit, x, sets[[s]])
      expect_equal(masked$prob[, , s], predict(fit, naive_x)[, , drop = TRUE], tolerance = 1e-5, ignore_attr = TRUE)
      expect_equal(masked$link[, , s], predict(fit, naive_x, type = "link")[, , drop = TRUE], tolerance = 1e-5,
                   ignore_attr = TRUE)
    }
  }
})

test_that("single-gene masking equals predict() with one gene kept", {
  genes <- c("G001", "G017", "G123", "G200")
  masked <- radiogenomics:::masked_predictions(fit_multi, x, single = genes)
  for (g in genes) {
    expect_equal(masked$prob[, , g], predict(fit_multi, mask_to_mean(fit_multi, x, g)), tolerance = 1e-5,
                 ignore_attr = TRUE)
  }
  single <- single_gene_masking(fit_bin, x, cohort$traits$binary, genes = genes, verbose = FALSE)
  prob <- radiogenomics:::masked_predictions(fit_bin, x, single = genes)$prob
  truth <- cohort$traits$binary == fit_bin$positive
  for (g in genes) {
    expect_equal(single$auc[single$gene == g], roc_auc(truth, prob[, 1, g]))
    expect_equal(single$ap[single$gene == g], average_precision(truth, prob[, 1, g]))
    expect_equal(single$pr_auc[single$gene == g], pr_auc(truth, prob[, 1, g]))
  }
})

test_that("multi-class scores are one-vs-rest and micro roc_auc() of the masked predictions", {
  sets <- cohort$gene_sets[c(2, 5, 9)]
  res <- gene_masking(fit_multi, x, cohort$traits$multiclass, sets, verbose = FALSE)
  expect_s3_class(res, "rg_masking")
  expect_equal(names(res)[1:7], c("gene_set", "class", "size", "coverage", "auc", "ap", "pr_auc"))
  expect_equal(res$class, rep(c("A", "B", "C", "micro"), 3))
  prob <- radiogenomics:::masked_predictions(fit_multi, x, sets = sets)$prob
  y <- cohort$traits$multiclass
  for (s in names(sets)) {
    p <- prob[, , s]
    rows <- res[res$gene_set == s, ]
    for (metric in c("auc", "ap", "pr_auc")) {
      fun <- switch(metric, auc = roc_auc, ap = average_precision, pr_auc = pr_auc)
      expected <- fun(y, p)
      expect_equal(rows[[metric]][1:3], unname(expected$per_class), tolerance = 1e-12)
      expect_equal(rows[[metric]][4], expected$micro, tolerance = 1e-12)
    }
  }
})

test_that("sizes, coverage, absent genes, size filters and empty sets are reported", {
  sets <- list(partial = c("G001", "G002", "NOPE1", "NOPE2"), none = c("NOPE3"), big = rownames(x)[1:80],
               dup = c("G005", "G005", "G006"))
  res <- gene_masking(fit_bin, x, cohort$traits$binary, sets, max_size = 50, verbose = FALSE)
  expect_equal(res$gene_set, c("partial", "none", "dup"))
  expect_equal(res$size, c(2, 0, 2))
  expect_equal(res$coverage, c(0.5, 0, 1))
  expect_true(is.na(res$auc[2]) && is.na(res$ap[2]) && is.na(res$pr_auc[2]))
  expect_false(anyNA(res$auc[-2]))
  expect_equal(attr(res, "dropped")$gene_set, "big")
  expect_output(print(res), "gene-set masking")
})

test_that("random-set p-values are reproducible and bounded", {
  sets <- cohort$gene_sets[1:4]
  a <- gene_masking(fit_bin, x, cohort$traits$binary, sets, n_random = 19, seed = 5, verbose = FALSE)
  b <- gene_masking(fit_bin, x, cohort$traits$binary, sets, n_random = 19, seed = 5, verbose = FALSE, n_threads = 1)
  expect_identical(a, b)
  expect_true(all(a$p_auc >= 1 / 20 & a$p_auc <= 1))
  expect_true(all(a$p_ap >= 1 / 20 & a$p_ap <= 1))
  expect_true(all(round(a$p_auc * 20) == a$p_auc * 20))
})

test_that("gene sets can come from a GMT file", {
  path <- tempfile(fileext = ".gmt")
  writeLines(c(paste(c("first", "na", "G001", "G002", "G003"), collapse = "\t"),
               paste(c("second", "http://x", "G010", "G011"), collapse = "\t")), path)
  res <- gene_masking(fit_bin, x, cohort$traits$binary, path, verbose = FALSE)
  expect_equal(res$gene_set, c("first", "second"))
  expect_equal(res$size, c(3, 2))
})

test_that("bad arguments are classed errors naming the argument", {
  expect_error(gene_masking(fit_bin, x, cohort$traits$binary, list(c("G001"))), "`gene_sets`",
               class = "radiogenomics_invalid_argument")
  expect_error(gene_masking(fit_bin, x, cohort$traits$binary, list(a = list("G001"))), "`gene_sets`",
               class = "radiogenomics_invalid_argument")
  expect_error(gene_masking(fit_bin, x, cohort$traits$binary, "/no/such/file.gmt"), "`gene_sets`",
               class = "radiogenomics_invalid_argument")
  expect_error(gene_masking("model", x, cohort$traits$binary, cohort$gene_sets), "`model`",
               class = "radiogenomics_error")
  expect_error(gene_masking(fit_bin, x, cohort$traits$binary, cohort$gene_sets, min_size = 0), "`min_size`",
               class = "radiogenomics_invalid_argument")
  expect_error(gene_masking(fit_bin, x, cohort$traits$binary[1:10], cohort$gene_sets), "`y`",
               class = "radiogenomics_invalid_argument")
  expect_error(single_gene_masking(fit_bin, x, cohort$traits$binary, genes = c("G001", "XYZ")), "`genes`",
               class = "radiogenomics_gene_mismatch")
  one_class <- factor(rep("high", ncol(x)), levels = c("low", "high"))
  expect_error(gene_masking(fit_bin, x, one_class, cohort$gene_sets), "`y`",
               class = "radiogenomics_invalid_argument")
})

test_that("Ctrl-C stops single-gene masking with an interrupt condition", {
  skip_on_cran()
  code <- c(
    "library(radiogenomics)",
    "cohort <- simulate_cohort(n_samples = 300, n_genes = 2000, traits = 'binary', seed = 1)",
    "fit <- fit_network(cohort$expression, cohort$traits$binary, hidden = c(1024, 512),",
    "  control = nn_control(epochs = 1, batch_size = 300, early_stopping = FALSE, verbose = FALSE, seed = 1))",
    "cat('ready\\n')",
    "r <- tryCatch(repeat single_gene_masking(fit, cohort$expression, cohort$traits$binary, verbose = FALSE),",
    "  radiogenomics_interrupt = function(e) 'masking interrupted')",
    "cat(r, '\\n')")
  res <- run_r_subprocess(code, signal_after = 8)
  expect_true(any(grepl("masking interrupted", res$stdout)), info = paste(c(res$stdout, res$stderr), collapse = "\n"))
})
