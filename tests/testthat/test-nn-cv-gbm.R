# Real data: 10-fold cross-validation of the subtype network on the TCGA GBM Verhaak genes.

test_that("10-fold CV of the 4-class subtype network: micro-AUC >= 0.95, not worse than glmnet", {
  skip_without_shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  skip_if_not_installed("glmnet")
  gbm <- read_subtype_matrix(shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt"))
  cmp <- compare_models(gbm$expression, gbm$subtype, folds = 10, methods = c("network", "glmnet"), n_boot = 0,
                        hidden = c(300, 150), activation = "sigmoid", dropout = 0.4, early_stopping = "none",
                        control = nn_control(epochs = 40, optimizer = "nadam", verbose = FALSE),
                        seed = 425, verbose = FALSE)
  auc <- setNames(cmp$summary$mean, cmp$summary$method)
  expect_gte(auc[["network"]], 0.95)
  expect_gte(auc[["network"]], auc[["glmnet"]] - 0.01)
  # pooled out-of-fold micro-AUC agrees
  expect_gte(cmp$cv$summary$pooled_auc, 0.95)
})
