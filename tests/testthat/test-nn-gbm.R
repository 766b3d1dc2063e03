# Real data: the TCGA GBM subtype signature (Verhaak et al. 2010, 840 genes, 4 subtypes).

test_that("the subtype file loader survives the real file's quirks", {
  skip_without_shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  gbm <- read_subtype_matrix(shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt"))
  expect_equal(dim(gbm$expression), c(840L, 173L))
  expect_false(anyDuplicated(rownames(gbm$expression)) > 0)
  expect_equal(as.vector(table(gbm$subtype)), c(38L, 56L, 26L, 53L))
  expect_equal(levels(gbm$subtype), c("Classical", "Mesenchymal", "Neural", "Proneural"))
  expect_false(anyNA(gbm$expression))
})

test_that("a 4-class subtype network reaches micro-averaged AUC >= 0.95 on held-out samples", {
  skip_without_shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  gbm <- read_subtype_matrix(shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt"))
  y <- gbm$subtype
  test <- radiogenomics:::stratified_holdout(as.integer(y), 0.3, seed = 425)
  fit <- fit_network(gbm$expression[, -test], y[-test], hidden = c(300, 150), activation = "sigmoid", dropout = 0.4,
                     control = nn_control(epochs = 60, optimizer = "nadam", early_stopping = FALSE,
                                          seed = 425, verbose = FALSE))
  p <- predict(fit, gbm$expression[, test])
  truth <- outer(as.character(y[test]), colnames(p), `==`)
  micro <- roc_auc(as.vector(truth), as.vector(p))
  expect_gte(micro, 0.95)
})
