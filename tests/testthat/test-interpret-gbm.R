# Real data: TCGA GBM subtypes (Verhaak et al. 2010, 840 genes) and the four Verhaak gene sets.

test_that("each subtype's own Verhaak set scores the highest masking AUC for that subtype", {
  skip_without_shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  path <- shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  gbm <- read_subtype_matrix(path)
  sets <- read_verhaak_sets(path)
  expect_equal(sort(names(sets)), c("CL", "MES", "NL", "PN"))
  fit <- fit_network(gbm$expression, gbm$subtype, hidden = c(64, 32), activation = "tanh",
                     control = nn_control(epochs = 40, optimizer = "adam", early_stopping = FALSE,
                                          seed = 425, verbose = FALSE))
  res <- gene_masking(fit, gbm$expression, gbm$subtype, sets, verbose = FALSE)
  own <- c(Classical = "CL", Mesenchymal = "MES", Neural = "NL", Proneural = "PN")
  for (subtype in names(own)) {
    rows <- res[res$class == subtype, ]
    expect_equal(rows$gene_set[which.max(rows$auc)], own[[subtype]], label = subtype)
  }
  expect_true(all(res$coverage == 1))
})
