test_that("the hallmark GMT parses to 50 sets", {
  skip_without_shared_data("h.all.v6.2.symbols.gmt")
  sets <- read_gmt(shared_data("h.all.v6.2.symbols.gmt"))
  expect_length(sets, 50)
  expect_true(all(startsWith(names(sets), "HALLMARK_")))
  expect_true(all(lengths(sets) >= 30))
  expect_true("HALLMARK_HYPOXIA" %in% names(sets))
  expect_true(startsWith(attr(sets, "description")[["HALLMARK_HYPOXIA"]], "http"))
})

test_that("GMT files round-trip and malformed lines are errors naming the line", {
  sets <- list(A = c("g1", "g2", "g3"), B = "g4")
  path <- tempfile(fileext = ".gmt")
  write_gmt(sets, path)
  expect_identical(readLines(path), c("A\tNA\tg1\tg2\tg3", "B\tNA\tg4"))
  back <- read_gmt(path)
  expect_identical(unclass(back)[c("A", "B")], sets)
  writeLines(c("A\tdesc\tg1\tg2", "", "B only-a-name"), path)
  expect_error(read_gmt(path), "line 3 of the GMT file", class = "radiogenomics_error")
  writeLines(c("A\tdesc\tg1\r", "C\tdesc\t\t"), path)
  expect_error(read_gmt(path), "line 2.*no genes", class = "radiogenomics_error")
  expect_error(read_gmt(tempfile()), "`path` does not exist", class = "radiogenomics_error")
})

test_that("gene sets are accepted as a list, a GMT path or a GeneSetCollection", {
  stats <- random_ranking(300, 1)
  sets <- list(s1 = names(stats)[1:20], s2 = names(stats)[50:90])
  path <- tempfile(fileext = ".gmt")
  write_gmt(sets, path)
  from_list <- gsea_preranked(stats, sets, nperm = 200, seed = 1)
  expect_identical(gsea_preranked(stats, path, nperm = 200, seed = 1), from_list)
  skip_if_not_installed("GSEABase")
  collection <- GSEABase::GeneSetCollection(lapply(names(sets), function(n) {
    GSEABase::GeneSet(sets[[n]], setName = n)
  }))
  expect_identical(gsea_preranked(stats, collection, nperm = 200, seed = 1), from_list)
})

test_that("plot_enrichment() draws fgsea's running-sum plot", {
  skip_if_not_installed("ggplot2")
  stats <- random_ranking(300, 2)
  set <- names(stats)[1:30]
  g <- plot_enrichment(stats, set)
  expect_s3_class(g, "ggplot")
  built <- ggplot2::ggplot_build(g)
  curve <- built$data[[1]]
  es <- reference_es(stats, set)
  extreme <- if (es > 0) max(curve$y) else min(curve$y)
  expect_equal(extreme, es, tolerance = 1e-12)
  expect_error(plot_enrichment(stats, c("nope", "none")), "`gene_set`", class = "radiogenomics_error")
})
