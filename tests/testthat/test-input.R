expression_fixture <- function() {
  matrix(c(1, 2, 3, 4, 5, 6), 3, 2, dimnames = list(c("TP53", "EGFR", "PTEN"), c("s1", "s2")))
}

test_that("a numeric matrix passes through unchanged (as double)", {
  m <- expression_fixture()
  expect_identical(as_expression_matrix(m), m)
  storage.mode(m) <- "integer"
  expect_identical(storage.mode(as_expression_matrix(m)), "double")
})

test_that("a data.frame with gene row names is accepted", {
  df <- as.data.frame(expression_fixture())
  expect_equal(as_expression_matrix(df), expression_fixture())
})

test_that("a SummarizedExperiment is read from its assay", {
  skip_if_not_installed("SummarizedExperiment")
  m <- expression_fixture()
  se <- SummarizedExperiment::SummarizedExperiment(assays = list(counts = m * 10, logcpm = m))
  expect_equal(as_expression_matrix(se, assay = "logcpm"), m)
  expect_equal(as_expression_matrix(se), m * 10)
  expect_error(as_expression_matrix(se, assay = "tpm"), "`assay` \\(tpm\\) is not an assay of `x`; it has: counts, logcpm",
               class = "radiogenomics_error")
})

test_that("bad expression inputs give classed errors naming the argument and the problem", {
  m <- expression_fixture()
  e <- function(x, pattern, ...) expect_error(as_expression_matrix(x, ...), pattern, class = "radiogenomics_invalid_argument")
  e(NULL, "`x` is NULL")
  e(m[0, ], "`x` is empty \\(0 genes x 2 samples\\)")
  e(letters, "must be a genes x samples matrix")
  bad <- m; bad[2, 1] <- NA
  e(bad, "`x` has 1 missing or infinite values \\(NA\\), first at gene EGFR, sample s1")
  bad <- m; bad[3, 2] <- Inf; bad[1, 1] <- NaN
  e(bad, "2 missing or infinite values \\(NaN/Inf\\)")
  e(matrix(as.character(m), 3, dimnames = dimnames(m)), "`x` must be numeric, not character")
  e(unname(m), "needs gene names as row names")
  bad <- m; rownames(bad)[2] <- "TP53"
  e(bad, "1 duplicated gene names \\(e.g. TP53\\)")
  bad <- m; colnames(bad) <- NULL
  e(bad, "needs sample names as column names")
  bad <- m; colnames(bad) <- c("s1", "s1")
  e(bad, "duplicated sample names")
  df <- data.frame(gene = c("a", "b"), s1 = 1:2)
  e(df, "non-numeric columns: gene")
  e(data.frame(s1 = 1:2), "needs gene names")
  expect_error(as_expression_matrix(NULL, arg = "expr"), "`expr` is NULL", class = "radiogenomics_error")
})
