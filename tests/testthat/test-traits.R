# prepare_traits(), predict.rg_traits() and trait_association().

read_vasari <- function() {
  utils::read.csv(shared_data("gbm", "vasari_annotations.csv"), row.names = 1, check.names = FALSE,
                  stringsAsFactors = FALSE)
}

# Within-cluster sum of squares of a two-group split.
within_ss <- function(x, high) {
  sum((x[high] - mean(x[high]))^2) + sum((x[!high] - mean(x[!high]))^2)
}

test_that("VASARI preset on the TCGA annotations gives the hand-counted classes", {
  skip_without_shared_data("gbm", "vasari_annotations.csv")
  vasari <- read_vasari()
  messages <- capture_messages(tr <- prepare_traits(vasari, preset = "vasari"))
  expect_match(messages, "ignoring columns research.id, scan.type, comments, study.date", all = FALSE)
  expect_match(messages, "f10.t1.flair.ratio: 1 sample (TCGA-14-1401)", fixed = TRUE, all = FALSE)
  expect_s3_class(tr, "rg_traits")
  # Counted by reading the 20 rows of the file: proportions are binarized as
  # Minimal + Less than 1/3 | Between 1/3 and 2/3 + More than 2/3.
  #   f5:  Less 10 + Minimal 1 = 11 | Between 5 + More 4 = 9
  #   f6:  Less 6 + Minimal 7 = 13  | Between 3 + More 4 = 7
  #   f7:  Less 9 + Minimal 8 = 17  | Between 1 + More 2 = 3
  #   f14: Less 4 + Minimal 8 = 12  | Between 2 + More 6 = 8
  #   f9:  Focal 16 | Multifocal or Multicentric 4
  #   f10: one "n/a" (TCGA-14-1401); expansive 11 | infiltrative 3 + mixed 5 = 8
  expected <- list(
    f5.proportion.enhancing = c(`Less than 1/3` = 11, `More than 1/3` = 9),
    f6.proportion.ncet = c(`Less than 1/3` = 13, `More than 1/3` = 7),
    f7.proportion.necrosis = c(`Less than 1/3` = 17, `More than 1/3` = 3),
    f14.proportion.edema = c(`Less than 1/3` = 12, `More than 1/3` = 8),
    f9.multifocal.or.multicentric = c(Focal = 16, `non-focal` = 4),
    f10.t1.flair.ratio = c(`expansive (T1~FLAIR)` = 11, infiltrative = 8))
  expect_setequal(names(tr$targets), names(expected))
  for (trait in names(expected)) {
    counts <- table(tr$targets[[trait]])
    expect_equal(c(counts), expected[[trait]], info = trait)
    # the least frequent level is positive, i.e. the second factor level
    expect_identical(levels(tr$targets[[trait]])[[2L]], names(which.min(expected[[trait]])), info = trait)
  }
  expect_identical(rownames(tr$targets), rownames(vasari))
  expect_true(is.na(tr$targets["TCGA-14-1401", "f10.t1.flair.ratio"]))
  expect_identical(as.character(tr$targets["TCGA-14-1401", "f5.proportion.enhancing"]), "Less than 1/3")
  expect_equal(tr$dropped$sample, "TCGA-14-1401")
  expect_equal(tr$dropped$trait, "f10.t1.flair.ratio")
  expect_equal(tr$dropped$value, "n/a")
  expect_equal(nrow(tr$dropped_traits), 0L)
  expect_equal(tr$traits$n[tr$traits$trait == "f10.t1.flair.ratio"], 19L)
  expect_output(print(tr), "20 samples x 6 traits")
})

test_that("multi-label VASARI matrix drops the incomplete row and reports it", {
  skip_without_shared_data("gbm", "vasari_annotations.csv")
  tr <- prepare_traits(read_vasari(), preset = "vasari", multilabel = TRUE, verbose = FALSE)
  m <- tr$targets
  expect_true(is.matrix(m) && is.integer(m))
  expect_equal(dim(m), c(19L, 6L))
  expect_false("TCGA-14-1401" %in% rownames(m))
  expect_true(all(m %in% c(0L, 1L)))
  expect_equal(sum(m[, "f10.t1.flair.ratio"]), 8)
  expect_equal(sum(m[, "f9.multifocal.or.multicentric"]), 4 - 1)  # TCGA-14-1401 is multifocal
  expect_true(all(tr$dropped$sample == "TCGA-14-1401"))
  expect_match(tr$dropped$reason[is.na(tr$dropped$trait)], "incomplete row")
})

test_that("the reference rule takes the alphabetically later level; ties go to it too", {
  df <- data.frame(f5.proportion.enhancing = c(rep("More than 2/3", 6), rep("Minimal", 4)),
                   f9.focal = c(rep("Multifocal", 5), rep("Focal", 5)),
                   row.names = paste0("P", 1:10))
  paper <- prepare_traits(df, preset = "vasari", verbose = FALSE)
  expect_equal(paper$positive[["f5.proportion.enhancing"]], "Less than 1/3")  # least frequent (4 < 6)
  expect_equal(paper$positive[["f9.focal"]], "non-focal")                     # 5 vs 5: the later level
  code <- prepare_traits(df, preset = "vasari", positive_rule = "alphabetical", verbose = FALSE)
  expect_equal(code$positive[["f5.proportion.enhancing"]], "More than 1/3")
  expect_equal(levels(code$targets$f5.proportion.enhancing), c("Less than 1/3", "More than 1/3"))
  # byte order, not the locale's: "Zeta" sorts before "alpha"
  plain <- data.frame(t = c("alpha", "alpha", "Zeta", "Zeta"))
  expect_equal(prepare_traits(plain, verbose = FALSE)$positive[["t"]], "alpha")
})

test_that("`positive` overrides the rule per trait or for every trait with that level", {
  df <- data.frame(a = c("x", "x", "x", "y"), b = c("u", "v", "v", "v"), row.names = letters[1:4])
  tr <- prepare_traits(df, positive = c(a = "x"), min_fraction = 0, verbose = FALSE)
  expect_equal(tr$positive, c(a = "x", b = "u"))
  expect_equal(levels(tr$targets$a), c("y", "x"))
  tr <- prepare_traits(df, positive = "v", min_fraction = 0, verbose = FALSE)
  expect_equal(tr$positive[["b"]], "v")
  expect_error(prepare_traits(df, positive = c(a = "z"), min_fraction = 0), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df, positive = c(nope = "x"), min_fraction = 0), class = "radiogenomics_error")
  expect_error(prepare_traits(df, positive = "zzz", min_fraction = 0), "not a level")
})

test_that("blank, NA, n/a and indeterminate are missing and reported; unknown VASARI values are errors", {
  df <- data.frame(f7.necrosis = c("Minimal", "", NA, " N/A ", "Indeterminate", "More than 2/3",
                                   "Less than 1/3", "Between 1/3 and 2/3"),
                   row.names = paste0("P", 1:8), stringsAsFactors = FALSE)
  tr <- prepare_traits(df, preset = "vasari", min_fraction = 0, verbose = FALSE)
  expect_equal(sum(is.na(tr$targets$f7.necrosis)), 4L)
  expect_equal(tr$dropped$sample, paste0("P", 2:5))
  expect_equal(tr$dropped$reason, c("missing (blank)", "missing (NA)", "missing (`N/A`)", "missing (`Indeterminate`)"))
  df$f7.necrosis[1] <- "Half"
  expect_error(prepare_traits(df, preset = "vasari"), class = "radiogenomics_unknown_level")
  expect_error(prepare_traits(df, preset = "vasari"), "Half")
})

test_that("the k-means cut is the exhaustive 1-D optimum on random data", {
  set.seed(11)
  for (i in 1:25) {
    n <- sample(8:120, 1)
    x <- switch(i %% 3 + 1, rnorm(n), rexp(n)^2, c(rnorm(n %/% 2), rnorm(n - n %/% 2, 3)))
    if (i %% 5 == 0) x <- round(x, 1)  # ties
    df <- data.frame(x = x, row.names = paste0("S", seq_len(n)))
    tr <- prepare_traits(df, method = "kmeans", min_fraction = 0, verbose = FALSE)
    sorted <- sort(unique(x))
    # every split between distinct values, by direct computation
    ss <- vapply(sorted[-length(sorted)], function(t) within_ss(x, x > t), numeric(1))
    best_high <- x > sorted[which.min(ss)]
    expect_equal(within_ss(x, x > tr$cuts[["x"]]), min(ss), tolerance = 1e-10)
    expect_identical(tr$targets$x == "high", best_high)
    expect_equal(tr$cuts[["x"]], (mean(x[best_high]) + mean(x[!best_high])) / 2, tolerance = 1e-12)
    expect_equal(tr$specs$x$low_mean, mean(x[!best_high]), tolerance = 1e-12)
  }
})

test_that("the stored cut binarizes a second cohort identically", {
  set.seed(2)
  train <- data.frame(volume = c(rnorm(40, 10), rnorm(25, 20)), texture = runif(65),
                      row.names = paste0("T", 1:65))
  test <- data.frame(volume = c(rnorm(15, 10), rnorm(15, 20), NA), texture = c(runif(30), 0.5),
                     row.names = paste0("V", 1:31))
  tr <- prepare_traits(train, method = "kmeans", verbose = FALSE)
  applied <- predict(tr, test, verbose = FALSE)
  expect_s3_class(applied, "rg_traits")
  for (feature in c("volume", "texture")) {
    expected <- ifelse(test[[feature]] > tr$cuts[[feature]], "high", "low")
    expect_identical(as.character(applied$targets[[feature]]), expected)
    expect_identical(levels(applied$targets[[feature]]), levels(tr$targets[[feature]]))
  }
  expect_equal(applied$dropped$sample, "V31")
  # the training cohort through predict() gives the training targets
  expect_identical(predict(tr, train, verbose = FALSE)$targets, tr$targets)
  # character columns with "n/a" are read as numbers
  test$volume <- ifelse(is.na(test$volume), "n/a", format(test$volume, digits = 15))
  expect_identical(predict(tr, test, verbose = FALSE)$targets$volume, applied$targets$volume)
  # multi-label 0/1 form of the same cohort
  ml <- prepare_traits(train, method = "kmeans", multilabel = TRUE, verbose = FALSE)
  test$volume[31] <- "12"
  m <- predict(ml, test, verbose = FALSE)$targets
  high_is_one <- ml$positive[["volume"]] == "high"
  expected <- as.integer((as.numeric(test$volume) > ml$cuts[["volume"]]) == high_is_one)
  expect_equal(unname(m[, "volume"]), expected)
  expect_identical(rownames(m), rownames(test))
})

test_that("imbalanced features are dropped and listed", {
  set.seed(4)
  df <- data.frame(balanced = c(rnorm(30), rnorm(30, 5)),
                   outlier = c(rnorm(59), 40),             # k-means isolates the outlier: 1/60
                   rare = c(rep("no", 57), rep("yes", 3)),  # 5% minority
                   row.names = paste0("S", 1:60))
  expect_message(tr <- prepare_traits(df, method = "kmeans"), "outlier")
  expect_equal(names(tr$targets), "balanced")
  expect_setequal(tr$dropped_traits$trait, c("outlier", "rare"))
  expect_equal(tr$dropped_traits$minority_fraction[tr$dropped_traits$trait == "rare"], 0.05)
  expect_output(print(tr), "Dropped traits")
  kept <- prepare_traits(df, method = "kmeans", min_fraction = 0, verbose = FALSE)
  expect_setequal(names(kept$targets), c("balanced", "outlier", "rare"))
  expect_error(prepare_traits(df["rare"], verbose = FALSE), class = "radiogenomics_no_traits")
})

test_that("method = 'none' keeps continuous targets; id columns become row names", {
  df <- data.frame(patient = c("p1", "p2", "p3", "p4"), shape = c(1.5, 2.5, NA, 4),
                   flag = c(0, 1, 1, 0))
  tr <- prepare_traits(df, id = "patient", verbose = FALSE)
  expect_identical(rownames(tr$targets), c("p1", "p2", "p3", "p4"))
  expect_type(tr$targets$shape, "double")
  expect_s3_class(tr$targets$flag, "factor")
  expect_equal(tr$traits$type, c("continuous", "binary"))
  expect_equal(tr$dropped$sample, "p3")
  expect_error(prepare_traits(df, id = "nope"), class = "radiogenomics_invalid_argument")
  df$patient[2] <- "p1"
  expect_error(prepare_traits(df, id = "patient"), "duplicated")
})

test_that("bad inputs give classed errors", {
  df <- data.frame(a = c("x", "y", "x", "y"))
  expect_error(prepare_traits(list(1, 2)), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df, preset = "nope"), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df, method = "hclust"), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df, min_fraction = 0.7), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df, traits = "b"), class = "radiogenomics_invalid_argument")
  expect_error(prepare_traits(df[0, , drop = FALSE]), "empty")
  expect_error(prepare_traits(df, preset = "vasari"), class = "radiogenomics_missing_traits")
  three <- data.frame(a = c("x", "y", "z", "x"), b = c("u", "v", "u", "v"))
  expect_error(prepare_traits(three, multilabel = TRUE, min_fraction = 0), "needs binary traits")
  tr <- prepare_traits(df, verbose = FALSE)
  expect_error(predict(tr, data.frame(b = 1)), class = "radiogenomics_missing_traits")
  err <- tryCatch(prepare_traits(df, min_fraction = 2), error = identity)
  expect_match(conditionMessage(err), "`min_fraction`")
  expect_identical(deparse(conditionCall(err)[[1L]]), "prepare_traits")
})

test_that("trait_association equals fisher.test pair by pair, Bonferroni within each family", {
  set.seed(8)
  n <- 60
  ids <- paste0("S", seq_len(n))
  a <- rbinom(n, 1, 0.4)
  traits <- data.frame(a = factor(ifelse(a == 1, "yes", "no"), levels = c("no", "yes")),
                       b = factor(ifelse(rbinom(n, 1, 0.2 + 0.5 * a) == 1, "hi", "lo"), levels = c("lo", "hi")),
                       c = factor(sample(c("p", "q"), n, TRUE)), row.names = ids)
  traits$c[c(3, 9)] <- NA
  clinical <- data.frame(sex = sample(c("F", "M"), n, TRUE),
                         kps = sample(c(60, 80, 100), n, TRUE), row.names = ids)
  clinical$sex[5] <- NA
  shuffled <- clinical[sample(n), ]
  result <- trait_association(traits, shuffled)
  expect_named(result, c("trait1", "trait2", "family", "odds_ratio", "p", "p_adj", "n"))
  expect_equal(result$family, rep(c("trait-trait", "trait-clinical"), c(3, 6)))

  for (i in seq_len(nrow(result))) {
    x <- traits[[result$trait1[i]]]
    y <- if (result$family[i] == "trait-trait") traits[[result$trait2[i]]] else clinical[[result$trait2[i]]]
    reference <- stats::fisher.test(x, y, workspace = 2e8)
    expect_equal(result$p[i], reference$p.value, tolerance = 1e-12)
    expect_equal(result$n[i], sum(!is.na(x) & !is.na(y)))
    if (result$trait2[i] != "kps") {
      expect_equal(result$odds_ratio[i], unname(reference$estimate), tolerance = 1e-8)
    } else {
      expect_true(is.na(result$odds_ratio[i]))  # 2 x 3 table
    }
  }
  for (family in unique(result$family)) {
    rows <- result$family == family
    expect_equal(result$p_adj[rows], pmin(1, result$p[rows] * sum(rows)))
  }
  # an rg_traits object and a 0/1 matrix are accepted
  tr <- prepare_traits(traits, verbose = FALSE, positive = c(a = "yes", b = "hi"))
  expect_equal(trait_association(tr)$p, result$p[1:3], tolerance = 1e-12)
  expect_equal(trait_association(as.matrix(tr))$p, result$p[1:3], tolerance = 1e-12)
})

test_that("trait_association rejects unusable inputs with classed errors", {
  traits <- data.frame(a = c("x", "y", "x", "y"), b = c("u", "u", "v", "v"), row.names = letters[1:4])
  expect_error(trait_association(traits["a"]), class = "radiogenomics_invalid_argument")
  kps <- data.frame(kps = c(60, 80, 80, 100), row.names = letters[4:1])
  expect_equal(trait_association(traits, kps)$n, c(4L, 4L, 4L))  # few distinct numbers: categories
  many <- data.frame(age = seq(20, 80, length.out = 12), row.names = paste0("s", 1:12))
  tr12 <- data.frame(a = rep(c("x", "y"), 6), b = rep(c("u", "v"), each = 6), row.names = paste0("s", 1:12))
  expect_error(trait_association(tr12, many), "group it first")
  expect_error(trait_association(tr12, data.frame(sex = c("F", "M"))), class = "radiogenomics_invalid_argument")
  expect_error(trait_association(tr12, data.frame(sex = rep("F", 12), row.names = paste0("z", 1:12))), "share no sample")
})
