test_that("ES equals a plain R running sum (random, tied, positive and negative, p = 0, 1, 2)", {
  n <- 400
  for (p in c(0, 1, 2)) {
    for (trial in 1:12) {
      stats <- random_ranking(n, trial)
      if (trial %% 2 == 0) stats[] <- round(stats * 2) / 2 # ties and zeros
      set.seed(100 + trial)
      sets <- list(random = sample(names(stats), 10 + 5 * trial),
                   top = names(sort(stats, decreasing = TRUE))[seq(1, 60, by = 3)],
                   bottom = names(sort(stats))[seq(2, 80, by = 4)])
      res <- suppressWarnings(gsea_preranked(stats, sets, nperm = 10, min_size = 1, gsea_param = p,
                                             seed = 1))
      expected <- vapply(sets, reference_es, numeric(1), stats = stats, p = p)
      expect_lt(max(abs(res$ES - expected[res$pathway])), 1e-12, label = sprintf("p = %s, trial %d", p, trial))
    }
  }
  expect_gt(res$ES[res$pathway == "top"], 0)
  expect_lt(res$ES[res$pathway == "bottom"], 0)
})

test_that("output has fgsea's columns, types and order", {
  stats <- random_ranking(300, 1)
  sets <- list(b = names(stats)[1:20], a = names(stats)[21:45], tiny = names(stats)[1:3],
               absent = c("x", "y"))
  res <- gsea_preranked(stats, sets, nperm = 200, seed = 1)
  expect_identical(names(res), c("pathway", "pval", "padj", "log2err", "ES", "NES", "size", "leadingEdge"))
  expect_identical(res$pathway, c("b", "a")) # input order; min_size = 15 drops "tiny" and "absent"
  expect_type(res$leadingEdge, "list")
  expect_type(res$leadingEdge[[1]], "character")
  expect_identical(res$size, c(20L, 25L))
  expect_equal(res$padj, p.adjust(res$pval, "BH"))
  ml <- gsea_preranked(stats, sets, method = "multilevel", seed = 1)
  expect_identical(ml$pathway, c("a", "b")) # fgseaMultilevel sorts by pathway
  expect_identical(names(ml), names(res))
})

test_that("leading edge follows fgsea: genes up to the peak, or from the trough, extreme first", {
  stats <- random_ranking(500, 2)
  stats[1:30] <- stats[1:30] + 3
  stats[101:130] <- stats[101:130] - 3
  sets <- list(up = names(stats)[1:30], down = names(stats)[101:130])
  res <- gsea_preranked(stats, sets, nperm = 100, seed = 1)
  up <- res$leadingEdge[[1]]
  down <- res$leadingEdge[[2]]
  ranked <- names(sort(stats, decreasing = TRUE))
  expect_identical(up, intersect(ranked, sets$up)[seq_along(up)])
  expect_identical(down, intersect(rev(ranked), sets$down)[seq_along(down)])
  expect_gt(length(up), 10)
})

test_that("a planted set has p < 0.01 and random sets have uniform p-values", {
  stats <- random_ranking(2000, 3)
  planted <- names(stats)[1:40]
  stats[planted] <- stats[planted] + 1
  set.seed(4)
  random <- replicate(300, sample(names(stats)[-(1:40)], 30), simplify = FALSE)
  names(random) <- paste0("r", seq_along(random))
  res <- gsea_preranked(stats, c(list(planted = planted), random), nperm = 2000, seed = 2)
  expect_lt(res$pval[res$pathway == "planted"], 0.01)
  expect_gt(res$NES[res$pathway == "planted"], 1.5)
  p <- res$pval[res$pathway != "planted"]
  expect_gt(suppressWarnings(stats::ks.test(p, "punif"))$p.value, 0.01)
})

test_that("simple and multilevel agree within Monte Carlo error; multilevel reaches ~1e-10", {
  stats <- random_ranking(5000, 8)
  stats[1:40] <- stats[1:40] + 0.8 # p ~ 1e-5
  stats[201:240] <- stats[201:240] + 1.4 # p ~ 1e-10
  set.seed(5)
  sets <- list(moderate = names(stats)[1:40], extreme = names(stats)[201:240],
               random = sample(names(stats), 40))
  simple <- gsea_preranked(stats, sets, nperm = 1e6, seed = 2)
  multi <- gsea_preranked(stats, sets, method = "multilevel", eps = 0, seed = 2)
  for (set in c("moderate", "random")) {
    s <- simple[simple$pathway == set, ]
    m <- multi[multi$pathway == set, ]
    expect_identical(s$ES, m$ES)
    expect_lt(abs(log2(s$pval) - log2(m$pval)), 3 * sqrt(s$log2err^2 + m$log2err^2))
  }
  extreme <- multi[multi$pathway == "extreme", ]
  expect_gt(extreme$pval, 1e-13)
  expect_lt(extreme$pval, 1e-8)
  expect_true(is.finite(extreme$log2err))
  # eps bounds the p-value, with fgsea's warning
  expect_warning(bounded <- gsea_preranked(stats, sets, method = "multilevel", eps = 1e-6, seed = 2),
                 class = "radiogenomics_eps")
  expect_equal(bounded$pval[bounded$pathway == "extreme"], 1e-6)
  expect_true(is.na(bounded$log2err[bounded$pathway == "extreme"]))
})

test_that("same seed gives identical results for 1 and 2 threads; seed = NULL follows set.seed()", {
  stats <- random_ranking(1500, 9)
  set.seed(6)
  sets <- replicate(20, sample(names(stats), sample(15:120, 1)), simplify = FALSE)
  names(sets) <- paste0("s", seq_along(sets))
  for (method in c("simple", "multilevel")) {
    one <- gsea_preranked(stats, sets, nperm = 3000, method = method, seed = 42, n_threads = 1)
    two <- gsea_preranked(stats, sets, nperm = 3000, method = method, seed = 42, n_threads = 2)
    expect_identical(one, two)
  }
  set.seed(1); a <- gsea_preranked(stats, sets, nperm = 500)
  set.seed(1); b <- gsea_preranked(stats, sets, nperm = 500)
  set.seed(2); c <- gsea_preranked(stats, sets, nperm = 500)
  expect_identical(a, b)
  expect_false(identical(a$pval, c$pval))
})

test_that("invalid input gives classed errors naming the argument; ties give a warning", {
  stats <- random_ranking(100, 1)
  sets <- list(s = names(stats)[1:20])
  expect_error(gsea_preranked(c(stats, g9999 = NA), sets), "`stats` has 1 NA", class = "radiogenomics_error")
  expect_error(gsea_preranked(c(stats, g9999 = Inf), sets), "non-finite", class = "radiogenomics_error")
  expect_error(gsea_preranked(unname(stats), sets), "`stats`.*names", class = "radiogenomics_error")
  expect_error(gsea_preranked(c(stats, stats[1]), sets), "duplicated names", class = "radiogenomics_error")
  expect_error(gsea_preranked(as.character(stats), sets), "`stats` must be a named numeric vector",
               class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, list(names(stats)[1:20])), "`gene_sets` must be a named list",
               class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, "no/such/file.gmt"), "no file exists", class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, sets, nperm = 0), "`nperm`", class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, sets, min_size = 20, max_size = 10), "`max_size`",
               class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, sets, method = "exact"), "`method`", class = "radiogenomics_error")
  expect_error(gsea_preranked(stats, sets, gsea_param = -1), "`gsea_param`", class = "radiogenomics_error")
  tied <- stats
  tied[2] <- tied[1]
  expect_warning(gsea_preranked(tied, sets, nperm = 100, seed = 1), class = "radiogenomics_ties")
  expect_warning(res <- gsea_preranked(stats, list(tiny = names(stats)[1:3]), seed = 1),
                 class = "radiogenomics_no_sets")
  expect_identical(nrow(res), 0L)
  expect_identical(names(res), c("pathway", "pval", "padj", "log2err", "ES", "NES", "size", "leadingEdge"))
})
