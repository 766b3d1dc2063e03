test_that("binary metrics equal hand-computed values (sklearn's documented example)", {
  truth <- c(FALSE, FALSE, TRUE, TRUE)
  score <- c(0.1, 0.4, 0.35, 0.8)
  expect_equal(roc_auc(truth, score), 0.75, tolerance = 1e-14)
  expect_equal(average_precision(truth, score), 5 / 6, tolerance = 1e-14)
  # trapezoid over (0,1) (0.5,1) (0.5,0.5) (1,2/3)
  expect_equal(pr_auc(truth, score), 0.5 + 0.5 * (0.5 + 2 / 3) / 2, tolerance = 1e-14)
})

test_that("roc_auc equals pROC on random data with ties", {
  skip_if_not_installed("pROC")
  set.seed(42)
  for (i in 1:20) {
    n <- sample(5:200, 1)
    truth <- rbinom(n, 1, runif(1, 0.1, 0.9))
    if (length(unique(truth)) < 2) next
    score <- round(rnorm(n) + truth * runif(1, 0, 2), 1)  # rounding creates ties
    reference <- as.numeric(pROC::auc(pROC::roc(truth, score, direction = "<", quiet = TRUE)))
    expect_equal(roc_auc(truth, score), reference, tolerance = 1e-12)
  }
})

test_that("average precision equals a plain R implementation of sklearn's formula", {
  ap_reference <- function(truth, score) {
    thresholds <- sort(unique(score), decreasing = TRUE)
    tp <- vapply(thresholds, function(t) sum(truth[score >= t]), numeric(1))
    all <- vapply(thresholds, function(t) sum(score >= t), numeric(1))
    recall <- tp / sum(truth)
    sum(diff(c(0, recall)) * tp / all)
  }
  set.seed(7)
  for (i in 1:20) {
    n <- sample(10:100, 1)
    truth <- rbinom(n, 1, 0.3); truth[1:2] <- c(0, 1)
    score <- round(runif(n) + 0.3 * truth, 2)
    expect_equal(average_precision(truth, score), ap_reference(truth, score), tolerance = 1e-12)
  }
})

test_that("factor truth uses the second level as positive", {
  truth <- factor(c("no", "no", "yes", "yes"), levels = c("no", "yes"))
  expect_equal(roc_auc(truth, c(0.1, 0.4, 0.35, 0.8)), 0.75)
})

test_that("multi-class: one-vs-rest per class and micro average of the flattened one-hot", {
  set.seed(3)
  classes <- c("A", "B", "C")
  truth <- factor(sample(classes, 60, replace = TRUE), levels = classes)
  probs <- matrix(runif(180), 60, 3, dimnames = list(NULL, classes))
  probs[cbind(seq_len(60), as.integer(truth))] <- probs[cbind(seq_len(60), as.integer(truth))] + 0.3
  result <- roc_auc(truth, probs)
  onehot <- outer(as.character(truth), classes, `==`)
  for (k in seq_along(classes)) {
    expect_equal(result$per_class[[classes[k]]], roc_auc(onehot[, k], probs[, k]))
  }
  expect_equal(result$micro, roc_auc(as.vector(onehot), as.vector(probs)))
  expect_equal(result$macro, mean(result$per_class))
  expect_named(result$per_class, classes)
  # a 0/1 multi-label matrix gives the same as the factor
  expect_equal(roc_auc(onehot * 1, probs), result)
})

test_that("bad inputs give classed errors naming the argument", {
  expect_error(roc_auc(c(TRUE, FALSE), c(0.1)), "`score` has length 1 but `truth` has length 2",
               class = "radiogenomics_invalid_argument")
  expect_error(roc_auc(c(TRUE, TRUE), c(0.1, 0.2)), "`truth` must contain both classes",
               class = "radiogenomics_error")
  expect_error(roc_auc(c(TRUE, NA), c(0.1, 0.2)), "`truth` has 1 missing", class = "radiogenomics_error")
  expect_error(roc_auc(c(TRUE, FALSE), c(NA, 0.2)), "`score` has 1 missing", class = "radiogenomics_error")
  expect_error(roc_auc(c(TRUE, FALSE), c(Inf, 0.2)), "`score` is not finite", class = "radiogenomics_error")
  expect_error(roc_auc(c(TRUE, FALSE), c("a", "b")), "`score` must be numeric", class = "radiogenomics_error")
  expect_error(roc_auc(c(2, 0), c(1, 2)), "only 0 and 1", class = "radiogenomics_error")
  expect_error(roc_auc(factor(c("a", "b", "c")), 1:3), "3 levels", class = "radiogenomics_error")
  err <- tryCatch(roc_auc(c(TRUE, TRUE), c(1, 2)), error = identity)
  expect_identical(conditionCall(err), quote(roc_auc(c(TRUE, TRUE), c(1, 2))))
})
