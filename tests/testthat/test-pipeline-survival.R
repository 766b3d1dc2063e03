# The pipeline's per-trait survival row (log-rank, univariate and covariate-adjusted Cox).

test_that("a several-level trait's adjusted p tests the trait only, not the covariates with it", {
  skip_if_not_installed("survival")
  set.seed(3)
  n <- 150
  age <- rnorm(n, 60, 10)
  group <- factor(sample(c("a", "b", "c"), n, replace = TRUE))   # no effect on survival
  time <- rexp(n, rate = 0.05 * exp(0.08 * (age - 60)))          # strong age effect
  d <- data.frame(time = time, status = rbinom(n, 1, 0.8), age = age, group = group)
  row <- radiogenomics:::survival_row(d, "group", "imaging", "age")$row
  full <- survival::coxph(survival::Surv(time, status) ~ group + age, data = d)
  reduced <- survival::coxph(survival::Surv(time, status) ~ age, data = d)
  expected <- stats::anova(reduced, full)[["Pr(>|Chi|)"]][[2L]]
  expect_equal(row$p_adjusted, expected, tolerance = 1e-5)
  # the global test of group + age would be highly significant; the trait's own test is not
  expect_gt(row$p_adjusted, 0.01)
  # unadjusted: the model's likelihood-ratio test is the trait's test
  uni <- survival::coxph(survival::Surv(time, status) ~ group, data = d)
  expect_equal(row$p, summary(uni)$logtest[["pvalue"]], tolerance = 1e-5)
})
