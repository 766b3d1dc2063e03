# The whole method on a small simulated cohort with planted truth.

pipeline_cohort <- simulate_cohort(n_samples = 300, n_genes = 400, traits = c("binary", "multiclass"),
                                   gene_sets = 12, seed = 1)
run_small_pipeline <- function(traits, cache_dir = NULL) {
  run_pipeline(pipeline_cohort$expression, traits, pipeline_cohort$gene_sets,
               survival = pipeline_cohort$survival, covariates = c("age", "sex"), hidden = c(32, 16), folds = 3,
               control = nn_control(epochs = 40, optimizer = "adam", patience = 10, verbose = FALSE),
               saliency_method = "integrated", nperm = 1000, min_size = 10, seed = 1,
               cache_dir = cache_dir, verbose = FALSE)
}
cache <- file.path(tempdir(), "pipeline-cache")
unlink(cache, recursive = TRUE)
first <- run_small_pipeline(pipeline_cohort$traits["binary"], cache)
p <- run_small_pipeline(pipeline_cohort$traits, cache)
truth <- pipeline_cohort$truth

test_that("the planted driver set is the top masking set of each trait", {
  binary <- p$traits$binary$masking
  binary <- binary[binary$class != "micro", ]
  expect_identical(binary$gene_set[which.max(binary$auc)], truth$gene_set[truth$trait == "binary"])
  multi <- p$traits$multiclass$masking
  micro <- multi[multi$class == "micro", ]
  expect_true(micro$gene_set[which.max(micro$auc)] %in% truth$gene_set[truth$trait == "multiclass"])
})

test_that("the survival-associated radiogenomic trait is found and predicts survival", {
  driver <- make.names(paste("binary", truth$gene_set[truth$trait == "binary"], sep = "."))
  expect_true(driver %in% colnames(p$radiogenomic_traits))
  tests <- p$survival$tests
  expect_lt(tests$p[tests$variable == driver], 0.05)
  expect_lt(tests$p[tests$variable == "binary"], 1e-4)  # the imaging trait itself
  # the pipeline's Cox numbers are those of cox_fit() on the same data
  d <- p$survival$km_data[[driver]]
  fit <- cox_fit(survival::Surv(time, status) ~ group, data = d)
  expect_equal(tests$hr[tests$variable == driver], fit$table$hr, tolerance = 1e-12)
  expect_s3_class(p$survival$stepwise, "rg_cox")
  expect_true(all(c("age", "sexmale") %in% p$survival$stepwise$table$term))  # forced covariates
})

test_that("a run resumes from its checkpoints without refitting finished traits", {
  log <- p$log
  expect_setequal(log$source[log$trait == "binary"], "checkpoint")
  expect_setequal(log$source[log$trait == "multiclass"], "computed")
  expect_identical(p$traits$binary$model$weights, first$traits$binary$model$weights)
  expect_true(length(list.files(cache, pattern = "^model-binary")) == 1L)
})

test_that("a trait that cannot be modelled is reported and skipped", {
  traits <- pipeline_cohort$traits["binary"]
  traits$rare <- factor(ifelse(seq_len(nrow(traits)) == 1L, "b", "a"))
  q <- run_pipeline(pipeline_cohort$expression[, 1:60], traits[1:60, , drop = FALSE], pipeline_cohort$gene_sets,
                    hidden = 8, folds = 3, single_gene = FALSE,
                    control = nn_control(epochs = 5, optimizer = "adam", verbose = FALSE),
                    nperm = 200, min_size = 10, seed = 1, verbose = FALSE)
  expect_identical(q$failures$trait, "rare")
  expect_named(q$traits, "binary")
})

test_that("the report renders every section with embedded figures", {
  skip_if_not(rmarkdown::pandoc_available())
  path <- file.path(tempdir(), "report.html")
  report(p, path)
  html <- paste(readLines(path, warn = FALSE), collapse = "\n")
  for (heading in c("Cohort", "Cross-validated performance", "Gene masking", "Top single genes",
                    "Radiogenomic traits", "Survival", "Final Cox model", "Software and seeds")) {
    # (expect_match() would format the whole multi-megabyte page into its message)
    expect_true(grepl(sprintf("<h[23]>%s", heading), html), info = heading)
  }
  expect_gt(lengths(regmatches(html, gregexpr("data:image/png", html, fixed = TRUE))), 8)
  # the final Cox model's coefficients, not only its selection path
  final <- regmatches(html, regexpr("(?s)Final Cox model.*?Selection path", html, perl = TRUE))
  expect_true(grepl("<td[^>]*>sexmale</td>", final), info = "final Cox model table")
})

test_that("pipeline_results gives tidy tables", {
  cv <- pipeline_results(p, "cv")
  expect_identical(cv$trait, c("binary", "multiclass"))
  expect_true(all(c("trait", "gene_set", "auc", "ap") %in% names(pipeline_results(p, "masking"))))
  expect_error(pipeline_results(p, "nothing"), class = "radiogenomics_error")
})

test_that("a continuous trait is masked by R², its genes ranked by GSEA, and it is reported", {
  cohort <- simulate_cohort(n_samples = 150, n_genes = 300, traits = "continuous", gene_sets = 10, seed = 4)
  q <- run_pipeline(cohort$expression, cohort$traits, cohort$gene_sets, hidden = c(16, 8), folds = 3,
                    control = nn_control(epochs = 40, optimizer = "adam", patience = 10, verbose = FALSE),
                    nperm = 200, min_size = 5, seed = 1, verbose = FALSE)
  m <- q$traits$continuous$masking
  expect_true(all(c("r2", "mae", "mape") %in% names(m)))
  expect_identical(m$gene_set[which.max(m$r2)], cohort$truth$gene_set)
  expect_true("r2" %in% names(q$traits$continuous$single_gene))
  expect_gt(nrow(q$traits$continuous$single_gene_gsea), 0)
  expect_output(print(q), "top masking set .*R2")
  skip_if_not(rmarkdown::pandoc_available())
  path <- file.path(tempdir(), "report-continuous.html")
  report(q, path)
  html <- paste(readLines(path, warn = FALSE), collapse = "\n")
  expect_true(grepl("<h2>Gene masking", html))
  expect_true(grepl(">mape<", html, fixed = TRUE))
})
