# step()'s path: the change labels and AIC of every accepted model, and the final fit.
expect_same_path <- function(ours, ref) {
  expect_identical(trimws(ours$steps$change), trimws(as.character(ref$anova$Step)))
  expect_rel_equal(ours$steps$aic, ref$anova$AIC, 1e-9)
  expect_equal(ours$steps$resid_df, ref$anova$`Resid. Df`)
  expect_setequal(names(coef(ours)), names(coef(ref)))
  expect_rel_equal(coef(ours)[names(coef(ref))], coef(ref), 1e-8)
  expect_rel_equal(ours$loglik, ref$loglik, 1e-10)
}

test_that("backward selection on lung with age + sex forced equals step()", {
  f <- Surv(time, status) ~ age + sex + ph.ecog + ph.karno + pat.karno + meal.cal + wt.loss
  ours <- cox_stepwise(f, data = lung, keep = ~ age + sex)
  complete <- na.omit(lung[, all.vars(f)])
  ref <- step(coxph(f, data = complete), scope = list(lower = ~ age + sex), direction = "backward", trace = 0)
  expect_s3_class(ours, "rg_cox_stepwise")
  expect_same_path(ours, ref)
  expect_output(print(ours), "Stepwise selection")
  expect_identical(ours$n, nrow(complete))
})

test_that("pbc: backward, both from the full model, and both from the forced terms equal step()", {
  d <- pbc[!is.na(pbc$trt), ]
  d$death <- d$status == 2
  f <- Surv(time, death) ~ age + sex + ascites + hepato + spiders + edema + bili + chol + albumin +
    copper + alk.phos + ast + trig + platelet + protime + stage
  complete <- na.omit(d[, all.vars(f)])
  full <- coxph(f, data = complete)
  ours <- cox_stepwise(f, data = d, keep = ~ age)
  expect_same_path(ours, step(full, scope = list(lower = ~ age), direction = "backward", trace = 0))
  ours <- cox_stepwise(f, data = d, keep = ~ age, direction = "both")
  expect_same_path(ours, step(full, scope = list(lower = ~ age, upper = f), direction = "both", trace = 0))
  ours <- cox_stepwise(f, data = d, keep = ~ age + sex, direction = "both", start = "keep")
  start <- coxph(Surv(time, death) ~ age + sex, data = complete)
  expect_same_path(ours, step(start, scope = list(lower = ~ age + sex, upper = f), direction = "both", trace = 0))
})

test_that("factors, interactions (marginality), strata and k = log(n) match step()", {
  f <- Surv(time, status) ~ trt + celltype + karno + diagtime + age + prior + karno:age
  ours <- cox_stepwise(f, data = veteran, keep = ~ trt, k = log(128))
  ref <- step(coxph(f, data = veteran), scope = list(lower = ~ trt), direction = "backward", k = log(128), trace = 0)
  expect_same_path(ours, ref)
  f <- Surv(time, status) ~ age + ph.ecog + ph.karno + wt.loss + strata(sex)
  complete <- na.omit(lung[, c("time", "status", "age", "ph.ecog", "ph.karno", "wt.loss", "sex")])
  ours <- cox_stepwise(f, data = lung, keep = ~ age, ties = "breslow")
  ref <- step(coxph(f, data = complete, ties = "breslow"), scope = list(lower = ~ age + strata(sex)),
              direction = "backward", trace = 0)
  expect_same_path(ours, ref)
})

test_that("cox_stepwise refuses keep terms outside the formula", {
  expect_error(cox_stepwise(Surv(time, status) ~ age + sex, data = lung, keep = ~ ph.ecog),
               class = "radiogenomics_error")
})
