# Our fit against coxph on the same call: coefficients and standard errors to 1e-8 relative,
# log-likelihoods to 1e-10, the same iteration count, tests and concordance.
expect_same_cox <- function(formula, data, ..., tol = 1e-8) {
  ours <- suppressWarnings(cox_fit(formula, data = data, ...))
  ref <- suppressWarnings(coxph(formula, data = data, ...))
  expect_s3_class(ours, "rg_cox")
  expect_identical(names(coef(ours)), names(coef(ref)))
  expect_rel_equal(coef(ours), coef(ref), tol, info = "coef")
  se_ours <- sqrt(diag(vcov(ours)))
  se_ref <- sqrt(diag(vcov(ref)))
  se_ref[is.na(coef(ref))] <- NA
  se_ours[is.na(coef(ours))] <- NA
  expect_rel_equal(se_ours, se_ref, tol, info = "se")
  expect_rel_equal(ours$loglik, ref$loglik, 1e-10, info = "loglik")
  expect_identical(ours$iter, ref$iter)
  expect_rel_equal(ours$score, ref$score, tol, info = "score")
  expect_rel_equal(ours$wald.test, ref$wald.test, tol, info = "wald")
  expect_rel_equal(ours$concordance, ref$concordance, 1e-10, info = "concordance")
  expect_identical(ours$n, ref$n)
  expect_identical(ours$nevent, ref$nevent)
  expect_identical(ours$na.action, ref$na.action)
  expect_rel_equal(ours$linear.predictors, ref$linear.predictors, 1e-8, info = "lp")
  invisible(list(ours = ours, ref = ref))
}

test_that("cox_fit equals coxph on lung (Efron and Breslow, NA rows dropped)", {
  for (ties in c("efron", "breslow")) {
    expect_same_cox(Surv(time, status) ~ age + sex + ph.ecog, lung, ties = ties)
    expect_same_cox(Surv(time, status) ~ age + sex + ph.ecog + wt.loss + meal.cal, lung, ties = ties)
  }
})

test_that("factors, interactions, transforms and strata go through model.matrix as in coxph", {
  expect_same_cox(Surv(time, status) ~ trt + celltype + karno + age:karno, veteran)
  expect_same_cox(Surv(time, status) ~ factor(trt) * celltype, veteran)
  expect_same_cox(Surv(time, status) ~ log(bili) + age + edema + strata(sex), pbc[!is.na(pbc$status), ] |> transform(status = status == 2))
  expect_same_cox(Surv(time, status == 2) ~ log(bili) + I(age^2) + albumin + strata(stage), pbc)
  expect_same_cox(Surv(time, status) ~ age + sex + strata(ph.ecog, inst), lung, ties = "breslow")
})

test_that("a tie-heavy colon (times in whole years) matches for both tie methods", {
  d <- colon_years()
  for (ties in c("efron", "breslow")) {
    expect_same_cox(Surv(years, status) ~ rx + sex + age + nodes + differ, d, ties = ties)
  }
  expect_same_cox(Surv(time, status) ~ rx + sex + age + nodes, colon[colon$etype == 2, ])
})

test_that("case weights, init and control are honoured", {
  d <- lung
  d$w <- rep(1:3, length.out = nrow(d))
  ours <- cox_fit(Surv(time, status) ~ age + sex, data = d, weights = w)
  ref <- coxph(Surv(time, status) ~ age + sex, data = d, weights = w)
  expect_rel_equal(coef(ours), coef(ref), 1e-8)
  expect_rel_equal(sqrt(diag(vcov(ours))), sqrt(diag(vcov(ref))), 1e-8)
  expect_rel_equal(ours$loglik, ref$loglik, 1e-10)
  expect_identical(ours$iter, ref$iter)
  expect_rel_equal(ours$concordance, ref$concordance, 1e-10)
  expect_same_cox(Surv(time, status) ~ age + sex, d, init = c(0.01, -0.5))
  expect_same_cox(Surv(time, status) ~ age + sex + ph.ecog, d, control = coxph.control(eps = 1e-6, iter.max = 3))
  expect_error(cox_fit(Surv(time, status) ~ age, data = transform(d, w = w / 2), weights = w),
               class = "radiogenomics_invalid_weights")
})

test_that("events at time 0 are handled like coxph", {
  d <- lung
  d$time[1:5] <- 0
  expect_same_cox(Surv(time, status) ~ age + sex, d)
})

test_that("a separated covariate is flagged infinite with a small LR p", {
  set.seed(3)
  d <- data.frame(time = c(rexp(20, 1), rexp(20, 0.05)), status = 1, x = rep(1:0, each = 20), age = rnorm(40))
  d$time[d$x == 1] <- d$time[d$x == 1] / 1000  # every x = 1 subject dies before any x = 0
  res <- expect_same_cox(Surv(time, status) ~ x + age, d)
  ours <- res$ours
  expect_true(ours$flags$infinite[["x"]])
  expect_false(ours$flags$infinite[["age"]])
  expect_warning(cox_fit(Surv(time, status) ~ x + age, data = d), class = "radiogenomics_cox_warning")
  expect_warning(coxph(Surv(time, status) ~ x + age, data = d), "may be infinite")
  lr <- ours$tests[ours$tests$test == "likelihood_ratio", ]
  expect_lt(lr$p, 1e-10)
  expect_gt(ours$table$p[ours$table$term == "x"], 0.5)  # the useless Wald p
})

test_that("a zero-variance covariate is aliased (NA coefficient), as in coxph", {
  d <- lung
  d$const <- 3
  d$sex2 <- d$sex * 2
  res <- expect_same_cox(Surv(time, status) ~ age + const + sex + sex2, d)
  expect_identical(unname(res$ours$flags$aliased), c(FALSE, TRUE, FALSE, TRUE))
  expect_warning(cox_fit(Surv(time, status) ~ age + const, data = d), "singular")
  expect_identical(stats::AIC(res$ours), stats::AIC(res$ref))
})

test_that("too few events and bad inputs are classed errors", {
  d <- data.frame(time = 1:10, status = 0, x = rnorm(10))
  expect_error(cox_fit(Surv(time, status) ~ x, data = d), class = "radiogenomics_too_few_events")
  d$status[4] <- 1
  expect_error(cox_fit(Surv(time, status) ~ x, data = d), class = "radiogenomics_too_few_events")
  d$time[2] <- -1
  expect_error(cox_fit(Surv(time, status) ~ x, data = d), class = "radiogenomics_negative_time")
  expect_error(cox_fit(Surv(time, status) ~ age + nope, data = lung), class = "radiogenomics_missing_column")
  d <- data.frame(time = 1:6, status = c(1, 0, 1, 5, 1, 0), x = 1:6)
  err <- expect_error(cox_fit(Surv(time, status) ~ x, data = d), class = "radiogenomics_invalid_status")
  expect_match(conditionMessage(err), "rows 4")
})

test_that("methods: coef, vcov, confint, logLik, AIC, summary, tidy, glance", {
  res <- expect_same_cox(Surv(time, status) ~ age + sex + ph.ecog, lung)
  ours <- res$ours
  ref <- res$ref
  expect_equal(vcov(ours), vcov(ref), tolerance = 1e-8)
  expect_equal(confint(ours), confint(ref), tolerance = 1e-8)
  expect_equal(as.numeric(logLik(ours)), as.numeric(logLik(ref)), tolerance = 1e-10)
  expect_identical(attr(logLik(ours), "df"), attr(logLik(ref), "df"))
  expect_equal(AIC(ours), AIC(ref), tolerance = 1e-10)
  expect_equal(BIC(ours), BIC(ref), tolerance = 1e-10)
  s1 <- summary(ours)
  s2 <- summary(ref)
  for (field in c("coefficients", "conf.int", "logtest", "sctest", "waldtest", "rsq", "concordance")) {
    expect_equal(unclass(s1[[field]]), unclass(s2[[field]]), tolerance = 1e-8, info = field)
  }
  expect_output(print(s1), "Concordance")
  expect_output(print(ours), "Likelihood ratio test")
  skip_if_not_installed("broom")
  t1 <- as.data.frame(broom::tidy(ours, conf.int = TRUE, exponentiate = TRUE))
  t2 <- as.data.frame(broom::tidy(ref, conf.int = TRUE, exponentiate = TRUE))
  expect_equal(t1, t2, tolerance = 1e-8)
  g1 <- as.data.frame(broom::glance(ours))
  g2 <- as.data.frame(broom::glance(ref))
  expect_identical(names(g1), names(g2))
  common <- setdiff(names(g2), c("statistic.robust", "p.value.robust"))
  expect_equal(g1[common], g2[common], tolerance = 1e-8)
})

test_that("as_coxph gives a genuine coxph object that survival and survminer accept", {
  d <- lung
  ours <- cox_fit(Surv(time, status) ~ age + sex + ph.ecog, data = d)
  ref <- coxph(Surv(time, status) ~ age + sex + ph.ecog, data = d)
  cf <- as_coxph(ours)
  expect_s3_class(cf, "coxph")
  expect_equal(coef(cf), coef(ref), tolerance = 1e-8)
  expect_equal(vcov(cf), vcov(ref), tolerance = 1e-8)
  expect_equal(cf$loglik, ref$loglik, tolerance = 1e-10)
  expect_equal(cf$score, ref$score, tolerance = 1e-8)
  expect_equal(cf$wald.test, ref$wald.test, tolerance = 1e-8)
  expect_identical(cf$iter, ref$iter)
  expect_equal(cf$concordance, ref$concordance, tolerance = 1e-10)
  expect_equal(cox.zph(cf)$table, cox.zph(ref)$table, tolerance = 1e-6)
  expect_equal(anova(cf)$Chisq, anova(ref)$Chisq, tolerance = 1e-8)
  expect_equal(summary(survfit(cf))$surv, summary(survfit(ref))$surv, tolerance = 1e-8)
  expect_output(print(cf), "coxph\\(formula")
  skip_if_not_installed("survminer")
  expect_gt(render_png(function() print(survminer::ggforest(cf, data = d))), 0)
})

test_that("as_coxph keeps NA for aliased coefficients", {
  d <- lung
  d$const <- 1
  ours <- suppressWarnings(cox_fit(Surv(time, status) ~ age + const + sex, data = d))
  cf <- as_coxph(ours)
  expect_true(is.na(coef(cf)[["const"]]))
  expect_equal(coef(cf)[c("age", "sex")], coef(ours)[c("age", "sex")])
})
