screen_data <- function() {
  set.seed(11)
  n <- 80
  time <- round(rexp(n, 0.1), 1)
  status <- rbinom(n, 1, 0.7)
  x <- matrix(rnorm(12 * n), 12, n, dimnames = list(paste0("g", 1:12), NULL))
  x[2, ] <- x[2, ] + status * (time < 5)            # associated
  x[3, ] <- 5                                        # constant: aliased
  x[4, c(3, 10, 20)] <- NA                           # missing values for one gene
  x[5, ] <- rbinom(n, 1, 0.5)                        # binary (not centred by coxph)
  x[6, ] <- as.numeric(status == 1 & time < median(time[status == 1]))  # separates early deaths
  cov <- data.frame(age = round(rnorm(n, 60, 8)), sex = factor(sample(c("F", "M"), n, TRUE)))
  list(time = time, status = status, x = x, cov = cov)
}

reference_row <- function(time, status, g, cov = NULL) {
  d <- data.frame(time = time, status = status, g = g)
  if (!is.null(cov)) d <- cbind(d, cov)
  f <- if (is.null(cov)) Surv(time, status) ~ g else Surv(time, status) ~ g + age + sex
  fit <- suppressWarnings(coxph(f, data = d))
  s <- summary(fit)
  out <- c(coef = unname(coef(fit)[1]), se = unname(sqrt(vcov(fit)[1, 1])), p = unname(s$coefficients[1, 5]),
           iter = fit$iter)
  if (is.null(cov)) {
    out <- c(out, p_lr = unname(s$logtest["pvalue"]), p_score = unname(s$sctest["pvalue"]))
  } else {
    d0 <- d[!is.na(d$g), ]
    base <- coxph(Surv(time, status) ~ age + sex, data = d0)
    lr <- 2 * (fit$loglik[2] - base$loglik[2])
    score <- coxph(Surv(time, status) ~ g + age + sex, data = d0, init = c(0, coef(base)),
                   control = coxph.control(iter.max = 0))$score
    out <- c(out, p_lr = pchisq(lr, 1, lower.tail = FALSE), p_score = pchisq(score, 1, lower.tail = FALSE))
  }
  out
}

test_that("cox_screen rows equal per-feature coxph fits", {
  s <- screen_data()
  res <- cox_screen(s$time, s$status, s$x, n_threads = 2)
  expect_identical(res$feature, rownames(s$x))
  expect_identical(names(res), c("feature", "coef", "hr", "lower", "upper", "se", "z", "p", "p_lr", "p_score",
                                 "padj", "n", "nevent", "converged", "infinite"))
  for (g in setdiff(seq_len(nrow(s$x)), 3)) {
    ref <- reference_row(s$time, s$status, s$x[g, ])
    row <- res[g, ]
    expect_rel_equal(row$coef, ref[["coef"]], 1e-8, info = g)
    expect_rel_equal(row$se, ref[["se"]], 1e-8, info = g)
    expect_rel_equal(row$p, ref[["p"]], 1e-8, info = g)
    expect_rel_equal(row$p_lr, ref[["p_lr"]], 1e-7, info = g)
    expect_rel_equal(row$p_score, ref[["p_score"]], 1e-8, info = g)
    expect_rel_equal(row$hr, exp(ref[["coef"]]), 1e-8)
    expect_rel_equal(c(row$lower, row$upper), exp(ref[["coef"]] + c(-1, 1) * qnorm(0.975) * ref[["se"]]), 1e-8)
  }
  expect_true(all(is.na(res[3, c("coef", "se", "p", "p_lr", "p_score")])))
  expect_identical(res$n[4], 77L)
  expect_identical(res$nevent[1], sum(s$status))
  expect_equal(res$padj, p.adjust(res$p, "BH"))
})

test_that("a separating feature: flagged infinite, useless Wald p, strong LR and score p", {
  set.seed(5)
  n <- 60
  time <- rexp(n)
  status <- rep(1, n)
  early <- rank(time) <= 20
  x <- rbind(sep = as.numeric(early), noise = rnorm(n))
  res <- cox_screen(time, status, x)
  expect_true(res$infinite[1])
  expect_false(res$infinite[2])
  expect_gt(res$p[1], 0.5)
  expect_lt(res$p_lr[1], 1e-10)
  expect_lt(res$p_score[1], 1e-10)
  ref <- suppressWarnings(coxph(Surv(time, status) ~ x[1, ]))
  expect_rel_equal(res$coef[1], coef(ref), 1e-8)
  expect_warning(coxph(Surv(time, status) ~ x[1, ]), "infinite")
})

test_that("adjusted screening equals coxph(~ feature + covariates), LR and score against the covariates", {
  s <- screen_data()
  res <- cox_screen(s$time, s$status, s$x, covariates = s$cov, ties = "efron")
  for (g in c(1, 2, 4, 5)) {
    ref <- reference_row(s$time, s$status, s$x[g, ], s$cov)
    expect_rel_equal(res$coef[g], ref[["coef"]], 1e-8, info = g)
    expect_rel_equal(res$se[g], ref[["se"]], 1e-8, info = g)
    expect_rel_equal(res$p[g], ref[["p"]], 1e-8, info = g)
    expect_rel_equal(res$p_lr[g], ref[["p_lr"]], 1e-6, info = g)
    expect_rel_equal(res$p_score[g], ref[["p_score"]], 1e-7, info = g)
  }
})

test_that("Breslow ties, data.frame layout and thread counts give the same answers", {
  s <- screen_data()
  d <- as.data.frame(t(s$x))
  by_rows <- cox_screen(s$time, s$status, s$x, ties = "breslow", n_threads = 1)
  by_cols <- cox_screen(s$time, s$status, d, ties = "breslow", n_threads = 2)
  expect_identical(by_rows, by_cols)
  ref <- coxph(Surv(s$time, s$status) ~ s$x[1, ], ties = "breslow")
  expect_rel_equal(by_rows$coef[1], coef(ref), 1e-8)
  expect_rel_equal(by_rows$se[1], sqrt(vcov(ref)), 1e-8)
})

test_that("cox_screen validates its inputs", {
  s <- screen_data()
  expect_error(cox_screen(s$time, s$status, t(s$x)), "t\\(x\\)", class = "radiogenomics_error")
  expect_error(cox_screen(-s$time, s$status, s$x), class = "radiogenomics_negative_time")
  expect_error(cox_screen(s$time, s$status + 5, s$x), class = "radiogenomics_invalid_status")
  expect_error(cox_screen(s$time, rep(0, length(s$time)), s$x), class = "radiogenomics_too_few_events")
  x <- s$x
  x[7, 2] <- Inf
  x[8, 9] <- -Inf
  expect_error(cox_screen(s$time, s$status, x), "`x` has 2 infinite values \\(the first: feature 7, sample 2\\)",
               class = "radiogenomics_invalid_argument")
  # 1/2 and logical codings
  expect_identical(cox_screen(s$time, s$status + 1, s$x), cox_screen(s$time, s$status == 1, s$x))
})

test_that("on the TCGA glioblastoma cohort (840 genes, real ties) cox_screen equals per-gene coxph", {
  skip_without_shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt")
  skip_without_shared_data("gbm", "nationwidechildrens.org_clinical_patient_gbm.txt")
  expression <- read_subtype_matrix(shared_data("gbm", "TCGA_unified_CORE_ClaNC840.txt"))$expression
  colnames(expression) <- substr(colnames(expression), 1L, 12L)
  # one row per patient after two header lines; "[Not Available]" and the like are missing
  rows <- strsplit(readLines(shared_data("gbm", "nationwidechildrens.org_clinical_patient_gbm.txt"), warn = FALSE), "\t")
  header <- rows[[1L]]
  clinical <- as.data.frame(do.call(rbind, lapply(rows[-(1:3)], `[`, seq_along(header))), stringsAsFactors = FALSE)
  names(clinical) <- header
  number <- function(v) suppressWarnings(as.numeric(v))
  status <- ifelse(clinical$vital_status == "Dead", 1, ifelse(clinical$vital_status == "Alive", 0, NA))
  time <- ifelse(status == 1, number(clinical$death_days_to), number(clinical$last_contact_days_to))
  keep <- !is.na(status) & !is.na(time) & time >= 0 & clinical$bcr_patient_barcode %in% colnames(expression)
  patients <- clinical$bcr_patient_barcode[keep]
  x <- expression[, patients]
  time <- time[keep]
  status <- status[keep]
  expect_gt(length(patients), 150L)
  expect_gt(sum(duplicated(time[status == 1])), 0L)  # tied death days: Efron's correction matters

  res <- cox_screen(time, status, x, n_threads = 1L)
  ref <- t(vapply(seq_len(nrow(x)), function(g) {
    fit <- coxph(Surv(time, status) ~ x[g, ])
    s <- summary(fit)
    c(coef = unname(coef(fit)), se = s$coefficients[1, 3], p = s$coefficients[1, 5],
      p_lr = s$logtest[["pvalue"]], p_score = s$sctest[["pvalue"]])
  }, numeric(5)))
  expect_rel_equal(res$coef, ref[, "coef"], 1e-9)
  expect_rel_equal(res$se, ref[, "se"], 1e-9)
  expect_rel_equal(res$p, ref[, "p"], 1e-8)
  expect_rel_equal(res$p_lr, ref[, "p_lr"], 1e-7)
  expect_rel_equal(res$p_score, ref[, "p_score"], 1e-8)
  expect_equal(cox_screen(time, status, x, ties = "breslow", n_threads = 2L)$coef,
               vapply(seq_len(nrow(x)), function(g) unname(coef(coxph(Surv(time, status) ~ x[g, ], ties = "breslow"))), 0),
               tolerance = 1e-9)
})
