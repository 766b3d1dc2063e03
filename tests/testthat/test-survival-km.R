fields <- c("n", "time", "n.risk", "n.event", "n.censor", "surv", "std.err", "cumhaz", "std.chaz",
            "strata", "type", "logse", "conf.int", "conf.type", "lower", "upper")

expect_same_survfit <- function(ours, ref) {
  expect_s3_class(ours, "survfit")
  expect_setequal(setdiff(names(ours), "call"), setdiff(names(ref), "call"))
  for (field in intersect(fields, names(ref))) {
    if (is.numeric(ref[[field]])) expect_rel_equal(ours[[field]], ref[[field]], 1e-12, info = field)
    else expect_identical(ours[[field]], ref[[field]], info = field)
  }
  expect_identical(names(ours$strata), names(ref$strata))
}

test_that("km_fit equals survfit on lung, veteran and pbc, every interval type", {
  cases <- list(
    list(Surv(time, status) ~ sex, lung),
    list(Surv(time, status) ~ 1, lung),
    list(Surv(time, status) ~ sex + ph.ecog, lung),
    list(Surv(time, status) ~ celltype, veteran),
    list(Surv(time, status == 2) ~ trt, pbc)
  )
  for (case in cases) {
    for (type in c("log", "log-log", "plain", "logit", "arcsin", "none")) {
      ours <- km_fit(case[[1]], data = case[[2]], conf.type = type)
      ref <- survfit(case[[1]], data = case[[2]], conf.type = type)
      expect_same_survfit(ours, ref)
    }
  }
  ours <- km_fit(Surv(time, status) ~ sex, data = lung, conf.int = 0.9)
  expect_same_survfit(ours, survfit(Surv(time, status) ~ sex, data = lung, conf.int = 0.9))
})

test_that("km_fit drops and records NA rows like survfit", {
  ours <- km_fit(Surv(time, status) ~ ph.ecog, data = lung)
  ref <- survfit(Surv(time, status) ~ ph.ecog, data = lung)
  expect_same_survfit(ours, ref)
  expect_identical(ours$na.action, ref$na.action)
})

test_that("edge cases: all censored, a single event, events at time 0", {
  d <- data.frame(time = c(0, 1, 2, 3, 3, 5), status = 0, g = c(1, 1, 1, 2, 2, 2))
  expect_same_survfit(km_fit(Surv(time, status) ~ g, data = d), survfit(Surv(time, status) ~ g, data = d))
  d$status[3] <- 1
  expect_same_survfit(km_fit(Surv(time, status) ~ g, data = d), survfit(Surv(time, status) ~ g, data = d))
  d$status <- c(1, 0, 1, 1, 1, 0)
  expect_same_survfit(km_fit(Surv(time, status) ~ 1, data = d), survfit(Surv(time, status) ~ 1, data = d))
  # a curve reaching 0 (infinite std.err, NA limits)
  d$status <- 1
  expect_same_survfit(km_fit(Surv(time, status) ~ 1, data = d), survfit(Surv(time, status) ~ 1, data = d))
})

test_that("status codings 0/1, 1/2 and logical are read as survival reads them", {
  ref <- survfit(Surv(time, status) ~ sex, data = lung)  # lung codes 1/2
  d <- lung
  d$dead01 <- d$status - 1
  d$deadlgl <- d$status == 2
  expect_same_survfit(km_fit(Surv(time, status) ~ sex, data = lung), ref)
  expect_same_survfit(km_fit(Surv(time, dead01) ~ sex, data = d), ref)
  expect_same_survfit(km_fit(Surv(time, deadlgl) ~ sex, data = d), ref)
})

test_that("bad inputs are classed errors naming the argument and rows", {
  d <- data.frame(time = c(5, -1, 3, -2), status = c(1, 0, 1, 1))
  err <- expect_error(km_fit(Surv(time, status) ~ 1, data = d), class = "radiogenomics_negative_time")
  expect_match(conditionMessage(err), "rows 2, 4")
  expect_s3_class(err, "radiogenomics_error")
  d <- data.frame(time = c(5, 1, 3), status = c(1, 3, 0))
  err <- expect_error(km_fit(Surv(time, status) ~ 1, data = d), class = "radiogenomics_invalid_status")
  expect_match(conditionMessage(err), "rows 2")
  d <- data.frame(time = c(5, Inf, 3), status = c(1, 1, 0))
  expect_error(km_fit(Surv(time, status) ~ 1, data = d), class = "radiogenomics_non_finite_time")
  expect_error(km_fit(Surv(time, status) ~ nope, data = lung), class = "radiogenomics_missing_column")
  expect_error(km_fit(time ~ sex, data = lung), class = "radiogenomics_invalid_formula")
  expect_error(km_fit(Surv(time, status) ~ sex, data = lung, conf.int = 2), class = "radiogenomics_error")
})

test_that("survfit methods, broom and survminer work on km_fit objects", {
  d <- lung
  fit <- km_fit(Surv(time, status) ~ sex, data = d)
  ref <- survfit(Surv(time, status) ~ sex, data = d)
  expect_output(print(fit), "sex=1")
  s1 <- summary(fit, times = c(100, 300, 500))
  s2 <- summary(ref, times = c(100, 300, 500))
  expect_rel_equal(s1$surv, s2$surv, 1e-12)
  expect_rel_equal(s1$std.err, s2$std.err, 1e-12)
  expect_gt(render_png(function() plot(fit)), 0)
  if (requireNamespace("broom", quietly = TRUE)) {
    expect_equal(as.data.frame(broom::tidy(fit)), as.data.frame(broom::tidy(ref)), tolerance = 1e-12)
  }
  skip_if_not_installed("survminer")
  expect_gt(render_png(function() print(survminer::ggsurvplot(fit, data = d, risk.table = TRUE, pval = TRUE))), 0)
  expect_equal(survminer::surv_pvalue(fit, data = d)$pval, survminer::surv_pvalue(ref, data = d)$pval)
})
