score_matrix <- function(n_genes, n_samples, seed) {
  set.seed(seed)
  m <- matrix(stats::rnorm(n_genes * n_samples), n_genes, n_samples,
              dimnames = list(gsea_genes(n_genes), sprintf("S%02d", seq_len(n_samples))))
  m[1:25, ] <- m[1:25, ] + rep(seq(0, 1.5, length.out = n_samples), each = 25)
  m
}

test_that("each sample equals gsea_preranked() on its column, for 1 and 2 threads", {
  scores <- score_matrix(800, 11, 1)
  set.seed(2)
  sets <- c(list(planted = rownames(scores)[1:25]),
            stats::setNames(replicate(8, sample(rownames(scores), 40), simplify = FALSE), paste0("r", 1:8)))
  for (method in c("simple", "multilevel")) {
    one <- gsea_per_sample(scores, sets, nperm = 2000, method = method, seed = 7, n_threads = 1)
    two <- gsea_per_sample(scores, sets, nperm = 2000, method = method, seed = 7, n_threads = 2)
    expect_identical(one, two)
    expect_identical(names(one), c("sample", "pathway", "pval", "padj", "log2err", "ES", "NES", "size",
                                   "leadingEdge"))
    for (j in c(1, 6, 11)) {
      single <- gsea_preranked(scores[, j], sets, nperm = 2000, method = method, seed = 7)
      part <- one[one$sample == colnames(scores)[j], -1]
      rownames(part) <- NULL
      expect_identical(part, single)
    }
    last <- one[one$sample == "S11" & one$pathway == "planted", ]
    expect_lt(last$pval, 0.01)
  }
})

test_that("a BiocParallel back-end gives the same result", {
  skip_if_not_installed("BiocParallel")
  scores <- score_matrix(300, 6, 3)
  sets <- list(planted = rownames(scores)[1:25], other = rownames(scores)[100:140])
  plain <- gsea_per_sample(scores, sets, nperm = 500, seed = 3)
  chunked <- gsea_per_sample(scores, sets, nperm = 500, seed = 3, BPPARAM = BiocParallel::SerialParam())
  expect_identical(plain, chunked)
})

test_that("per-sample input is validated", {
  scores <- score_matrix(100, 3, 4)
  sets <- list(s = rownames(scores)[1:20])
  bad <- scores
  bad[2, 2] <- NA
  expect_error(gsea_per_sample(bad, sets), "`scores` has 1 missing", class = "radiogenomics_error")
  expect_error(gsea_per_sample(scores, sets, nprem = 10), "Unknown argument", class = "radiogenomics_error")
  expect_error(gsea_per_sample(scores, sets, nperm = -1), "`nperm`", class = "radiogenomics_error")
})

test_that("radiogenomic_traits() keeps sets enriched in enough samples, with model-term names", {
  scores <- score_matrix(600, 12, 5)
  scores[26:50, 1:6] <- scores[26:50, 1:6] - 2 # negatively enriched in 6 samples
  sets <- list(HALLMARK_UP = rownames(scores)[1:25], HALLMARK_DOWN = rownames(scores)[26:50],
               HALLMARK_NONE = rownames(scores)[300:340])
  res <- gsea_per_sample(scores, sets, nperm = 2000, seed = 1)
  traits <- radiogenomic_traits(res, min_samples = 3, trait = "edema")
  expect_true(is.logical(traits))
  expect_identical(rownames(traits), colnames(scores))
  expect_true("edema.HALLMARK_UP" %in% colnames(traits))
  expect_false("edema.HALLMARK_DOWN" %in% colnames(traits)) # NES < 0: not a positive trait
  expected <- with(res, tapply(!is.na(padj) & padj < 0.05 & NES > 0, list(sample, pathway), any))
  expect_identical(unname(traits[, "edema.HALLMARK_UP"]), unname(expected[rownames(traits), "HALLMARK_UP"]))
  any_sign <- radiogenomic_traits(res, min_samples = 3, trait = "edema", direction = "any")
  expect_true("edema.HALLMARK_DOWN" %in% colnames(any_sign))
  expect_identical(attr(any_sign, "counts")[["edema.HALLMARK_DOWN"]],
                   sum(res$pathway == "HALLMARK_DOWN" & res$padj < 0.05))
  # from saliency directly, several traits at once
  both <- radiogenomic_traits(list(edema = scores, necrosis = scores), sets, min_samples = 3,
                              nperm = 2000, seed = 1)
  expect_identical(both[, "edema.HALLMARK_UP"], both[, "necrosis.HALLMARK_UP"])
  expect_identical(unname(both[, "edema.HALLMARK_UP"]), unname(traits[, "edema.HALLMARK_UP"]))
  expect_error(radiogenomic_traits(scores), "`gene_sets` is needed", class = "radiogenomics_error")
  expect_error(radiogenomic_traits(res, direction = "up"), "`direction`", class = "radiogenomics_error")
})
