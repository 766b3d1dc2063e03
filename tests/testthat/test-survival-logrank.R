expect_same_survdiff <- function(ours, ref) {
  expect_s3_class(ours, "survdiff")
  expect_identical(ours$n, ref$n)
  for (field in c("obs", "exp", "var", "chisq", "pvalue")) {
    expect_rel_equal(ours[[field]], ref[[field]], 1e-10, info = field)
    expect_identical(dim(ours[[field]]), dim(ref[[field]]), info = field)
  }
  if (!is.null(ref$strata)) expect_identical(c(ours$strata), c(ref$strata))
}

test_that("logrank_test equals survdiff (log-rank, G-rho, several groups, strata)", {
  expect_same_survdiff(logrank_test(Surv(time, status) ~ sex, data = lung), survdiff(Surv(time, status) ~ sex, data = lung))
  expect_same_survdiff(logrank_test(Surv(time, status) ~ sex, data = lung, rho = 1),
                       survdiff(Surv(time, status) ~ sex, data = lung, rho = 1))
  expect_same_survdiff(logrank_test(Surv(time, status) ~ celltype, data = veteran),
                       survdiff(Surv(time, status) ~ celltype, data = veteran))
  expect_same_survdiff(logrank_test(Surv(time, status) ~ trt + prior, data = veteran, rho = 0.5),
                       survdiff(Surv(time, status) ~ trt + prior, data = veteran, rho = 0.5))
  expect_same_survdiff(logrank_test(Surv(time, status) ~ sex + strata(ph.ecog), data = lung),
                       survdiff(Surv(time, status) ~ sex + strata(ph.ecog), data = lung))
  expect_same_survdiff(logrank_test(Surv(time, status == 2) ~ edema, data = pbc),
                       survdiff(Surv(time, status == 2) ~ edema, data = pbc))
  d <- colon_years()
  expect_same_survdiff(logrank_test(Surv(years, status) ~ rx, data = d), survdiff(Surv(years, status) ~ rx, data = d))
})

test_that("logrank_test prints like survdiff and records dropped rows", {
  ours <- logrank_test(Surv(time, status) ~ ph.ecog, data = lung)
  ref <- survdiff(Surv(time, status) ~ ph.ecog, data = lung)
  expect_same_survdiff(ours, ref)
  expect_identical(ours$na.action, ref$na.action)
  expect_output(print(ours), "Chisq=")
})

test_that("logrank_test needs groups and valid inputs", {
  expect_error(logrank_test(Surv(time, status) ~ 1, data = lung), class = "radiogenomics_error")
  d <- data.frame(time = c(1, 2, 3), status = c(1, 1, 0), g = "a")
  expect_error(logrank_test(Surv(time, status) ~ g, data = d), class = "radiogenomics_error")
  d <- data.frame(time = c(1, -2, 3), status = c(1, 1, 0), g = c("a", "b", "a"))
  expect_error(logrank_test(Surv(time, status) ~ g, data = d), class = "radiogenomics_negative_time")
})
