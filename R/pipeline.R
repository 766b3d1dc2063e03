#' Run the whole radiogenomic method
#'
#' Wires the package's stages together as the method does (Smedley et al. 2020), keeping every
#' intermediate result:
#' 1. optional autoencoder pre-training ([fit_autoencoder()]) on expression-only samples;
#' 2. per imaging trait: cross-validation ([cross_validate()]) and a refit on all labelled
#'    samples ([refit()]), optionally against comparison models ([compare_models()]);
#' 3. gene masking with every gene set ([gene_masking()]) and single-gene masking
#'    ([single_gene_masking()]), whose per-gene average precision (R² for a continuous trait) is
#'    ranked and tested by GSEA ([gsea_preranked()]);
#' 4. per-sample gene saliency ([gene_saliency()]) → per-sample GSEA → radiogenomic traits
#'    ([radiogenomic_traits()]);
#' 5. with survival data: Kaplan–Meier and log-rank per imaging and radiogenomic trait
#'    ([km_fit()], [logrank_test()]), univariate and covariate-adjusted Cox models ([cox_fit()]), and
#'    backward stepwise Cox selection over the radiogenomic traits with the covariates forced
#'    ([cox_stepwise()]).
#'
#' A trait that cannot be modelled (too few samples of a class, a failed fit) is reported in
#' `$failures` and skipped; the other traits go on.
#'
#' @section Checkpoints:
#' With `cache_dir`, each trait's fitted model, masking and saliency results are saved as they are
#' computed, under a key made from that trait's data and the settings. Running the same call again
#' (after an interruption, or with more traits) loads what is there instead of recomputing it.
#'
#' @param x Expression, genes × samples (matrix, data.frame or `SummarizedExperiment`). Samples
#'   without any trait label are used only for pre-training (`pretrain = TRUE`).
#' @param traits A data.frame of imaging traits, one row per sample (row names or a `sample`
#'   column give the sample IDs), one column per trait (factor / character / logical:
#'   classification; numeric: regression). `NA` = not annotated.
#' @param gene_sets Gene sets: a named list, a GMT path or a `GeneSetCollection`.
#' @param survival Optional data.frame with sample IDs (row names or `sample`), survival `time`,
#'   `status` (column names set by `time`, `status`) and the `covariates`.
#' @param covariates Names of clinical covariates in `survival` to adjust for and keep in the
#'   stepwise model (e.g. `c("age", "sex")`).
#' @param pretrain `NULL` (none), `TRUE` (pre-train on the samples of `x` that have no trait
#'   label), a genes × samples expression matrix to pre-train on, or an `rg_autoencoder`.
#' @param hidden,activation,dropout,grid,folds,early_stopping Network and cross-validation settings
#'   (see [fit_network()], [cross_validate()]).
#' @param control Training options ([nn_control()]) for the networks (and the autoencoder).
#' @param compare Comparison methods for [compare_models()] (e.g. `c("glmnet", "ranger")`);
#'   `NULL` = none.
#' @param n_boot Bootstraps of the comparison.
#' @param single_gene Run single-gene masking and its GSEA.
#' @param saliency_method Saliency method, see [gene_saliency()].
#' @param nperm,min_size,max_size GSEA settings ([gsea_preranked()]).
#' @param padj_cutoff,direction,min_samples Radiogenomic-trait rule ([radiogenomic_traits()]).
#' @param time,status Column names of survival time and status in `survival`.
#' @param cache_dir Folder for checkpoints, or `NULL`.
#' @param seed Random seed; `NULL` draws one from R's RNG.
#' @param BPPARAM BiocParallel backend for the cross-validation jobs.
#' @param verbose Report progress per stage.
#' @param assay For a `SummarizedExperiment` `x`, which assay.
#' @return An `rg_pipeline` object, a list with
#'   - `traits`: per imaging trait a list with `cv`, `model`, `comparison`, `masking`,
#'     `single_gene`, `single_gene_gsea`, `saliency`, `radiogenomic_traits`;
#'   - `radiogenomic_traits`: logical samples × traits matrix over all imaging traits;
#'   - `survival`: `tests` (one row per imaging / radiogenomic trait: log-rank and Cox results),
#'     `km` (the Kaplan–Meier fits, with their data in `km_data`), `stepwise` (the final [cox_stepwise()] model) and
#'     `stepwise_data` (its complete cases), `data`;
#'   - `autoencoder`, `failures` (trait, stage, message), `log` (stage timings, cache hits),
#'     `settings`, `seed`, `versions`, `cohort` (sizes).
#'
#'   Methods: `print()`, `summary()`; [pipeline_results()] gives tidy tables; [report()] writes
#'   an HTML report.
#' @examples
#' \donttest{
#' cohort <- simulate_cohort(n_samples = 120, n_genes = 300, traits = "binary", gene_sets = 10, seed = 1)
#' p <- run_pipeline(cohort$expression, cohort$traits, cohort$gene_sets, survival = cohort$survival,
#'                   covariates = c("age", "sex"), hidden = c(16, 8), folds = 3,
#'                   control = nn_control(epochs = 30, optimizer = "adam", patience = 10, verbose = FALSE),
#'                   nperm = 1000, min_size = 10, seed = 1, verbose = FALSE)
#' p
#' head(pipeline_results(p, "masking"))
#' }
#' @export
run_pipeline <- function(x, traits, gene_sets, survival = NULL, covariates = NULL, pretrain = NULL,
                         hidden = c(4000, 2000, 1000), activation = "tanh", dropout = 0, grid = NULL,
                         folds = 10, early_stopping = "inner", control = nn_control(verbose = FALSE),
                         compare = NULL, n_boot = 0, single_gene = TRUE, saliency_method = "gradient",
                         nperm = 10000, min_size = 15, max_size = 500, padj_cutoff = 0.05,
                         direction = "positive", min_samples = 5, time = "time", status = "status",
                         cache_dir = NULL, seed = NULL, BPPARAM = NULL, verbose = TRUE, assay = 1L) {
  call <- match.call()
  started <- Sys.time()
  x <- as_expression_matrix(x, assay)
  traits <- pipeline_traits(traits, colnames(x))
  gene_sets <- as_gene_sets(gene_sets)
  control <- as_nn_control(control)
  check_flag(single_gene, "single_gene")
  check_flag(verbose, "verbose")
  if (!is.null(cache_dir)) check_string(cache_dir, "cache_dir")
  seed <- resolve_seed(seed)
  control$seed <- seed  # the pipeline's seed decides; it also keys the checkpoints
  survival_data <- if (!is.null(survival)) pipeline_survival(survival, time, status, covariates, colnames(x))

  run <- new_pipeline_run(cache_dir, verbose)
  settings <- list(hidden = hidden, activation = activation, dropout = dropout, grid = grid, folds = folds,
                   early_stopping = early_stopping, control = control, compare = compare, n_boot = n_boot,
                   single_gene = single_gene, saliency_method = saliency_method, nperm = nperm,
                   min_size = min_size, max_size = max_size, padj_cutoff = padj_cutoff,
                   direction = direction, min_samples = min_samples, seed = seed)

  autoencoder <- pipeline_autoencoder(run, pretrain, x, traits, hidden, activation, control, seed)
  results <- list()
  failures <- list()
  for (trait in names(traits)) {
    outcome <- tryCatch(
      pipeline_trait(run, trait, x, traits[[trait]], gene_sets, autoencoder, settings, BPPARAM),
      radiogenomics_interrupt = function(e) stop(e),
      error = function(e) e)
    if (inherits(outcome, "error")) {
      run$say(sprintf("trait %s skipped: %s", trait, conditionMessage(outcome)))
      failures[[length(failures) + 1L]] <- data.frame(trait = trait, message = conditionMessage(outcome))
    } else {
      results[[trait]] <- outcome
    }
  }
  rg_matrix <- combine_radiogenomic_traits(results, colnames(x))
  survival_results <- if (!is.null(survival_data)) {
    run$stage("survival", "all traits", pipeline_survival_tests(survival_data, traits, rg_matrix, covariates))
  }
  structure(list(traits = results, radiogenomic_traits = rg_matrix, survival = survival_results,
                 autoencoder = autoencoder, gene_sets = gene_sets,
                 failures = bind_rows(failures, data.frame(trait = character(), message = character())),
                 log = run$log(), settings = settings, seed = seed, call = call,
                 cohort = list(n_genes = nrow(x), n_samples = ncol(x), n_labelled = colSums(!is.na(traits)),
                               n_gene_sets = length(gene_sets), n_survival = if (!is.null(survival_data)) nrow(survival_data$data)),
                 versions = pipeline_versions(), elapsed = as.numeric(difftime(Sys.time(), started, units = "secs"))),
            class = "rg_pipeline")
}

# ---- inputs ----------------------------------------------------------------------------------

# Sample IDs from row names or a `sample` column.
with_sample_ids <- function(df, arg) {
  if (!is.data.frame(df)) rg_abort(sprintf("`%s` must be a data.frame, not %s.", arg, describe(df)))
  if ("sample" %in% names(df)) {
    ids <- as.character(df$sample)
    df$sample <- NULL
  } else if (.row_names_info(df) > 0L) {
    ids <- rownames(df)
  } else {
    rg_abort(sprintf("`%s` needs sample IDs: row names or a `sample` column.", arg))
  }
  if (anyNA(ids) || anyDuplicated(ids)) rg_abort(sprintf("`%s` has missing or duplicated sample IDs.", arg))
  rownames(df) <- ids
  df
}

pipeline_traits <- function(traits, samples) {
  traits <- with_sample_ids(traits, "traits")
  if (ncol(traits) == 0L) rg_abort("`traits` has no trait columns.")
  unknown <- setdiff(rownames(traits), samples)
  if (length(unknown) == nrow(traits)) {
    rg_abort("No sample of `traits` is a sample (column) of `x`; check the sample IDs.")
  }
  out <- traits[match(samples, rownames(traits)), , drop = FALSE]
  rownames(out) <- samples
  out
}

pipeline_survival <- function(survival, time, status, covariates, samples) {
  survival <- with_sample_ids(survival, "survival")
  needed <- c(time, status, covariates)
  missing <- setdiff(needed, names(survival))
  if (length(missing)) rg_abort(sprintf("`survival` lacks the column(s) %s.", paste(missing, collapse = ", ")))
  data <- data.frame(time = survival[[time]], status = survival[[status]], survival[covariates],
                     row.names = rownames(survival), check.names = TRUE)
  check_times(data$time, "survival$time")
  data <- data[intersect(samples, rownames(data)), , drop = FALSE]
  list(data = data, covariates = make.names(covariates))
}

# ---- checkpoints and progress ----------------------------------------------------------------

new_pipeline_run <- function(cache_dir, verbose) {
  log <- list()
  if (!is.null(cache_dir)) dir.create(cache_dir, showWarnings = FALSE, recursive = TRUE)
  say <- function(text) if (verbose) message("run_pipeline: ", text)
  record <- function(stage, trait, source, seconds) {
    log[[length(log) + 1L]] <<- data.frame(stage = stage, trait = trait, source = source, seconds = seconds)
  }
  list(
    say = say,
    # Evaluates `expr` for (stage, trait), or loads it from the checkpoint with the same key.
    stage = function(stage, trait, expr, key = NULL) {
      path <- if (!is.null(cache_dir) && !is.null(key)) file.path(cache_dir, sprintf("%s-%s-%s.rds", stage, make.names(trait), key))
      if (!is.null(path) && file.exists(path)) {
        say(sprintf("%s of %s: loaded from checkpoint", stage, trait))
        record(stage, trait, "checkpoint", 0)
        return(readRDS(path))
      }
      say(sprintf("%s of %s ...", stage, trait))
      t0 <- Sys.time()
      value <- expr
      record(stage, trait, "computed", as.numeric(difftime(Sys.time(), t0, units = "secs")))
      if (!is.null(path)) saveRDS(value, path)
      value
    },
    log = function() bind_rows(log, data.frame(stage = character(), trait = character(), source = character(), seconds = numeric()))
  )
}

# A short fingerprint of R objects (the checkpoint key).
fingerprint <- function(...) {
  path <- tempfile()
  on.exit(unlink(path))
  saveRDS(list(...), path, compress = FALSE)
  substr(unname(tools::md5sum(path)), 1L, 12L)
}

# ---- stages ----------------------------------------------------------------------------------

pipeline_autoencoder <- function(run, pretrain, x, traits, hidden, activation, control, seed) {
  if (is.null(pretrain) || isFALSE(pretrain)) return(NULL)
  if (inherits(pretrain, "rg_autoencoder")) return(pretrain)
  data <- if (isTRUE(pretrain)) {
    unlabelled <- rowSums(!is.na(traits)) == 0L
    if (sum(unlabelled) < 10L) {
      rg_abort(sprintf("`pretrain = TRUE` needs expression-only samples (no trait label) in `x`; found %d.", sum(unlabelled)))
    }
    x[, unlabelled, drop = FALSE]
  } else {
    as_expression_matrix(pretrain, arg = "pretrain")
  }
  control$seed <- seed
  run$stage("autoencoder", "expression", key = fingerprint(data, hidden, activation, control),
            fit_autoencoder(data, hidden = hidden, activation = activation, control = control))
}

pipeline_trait <- function(run, trait, x, y, gene_sets, autoencoder, settings, BPPARAM) {
  labelled <- !is.na(y)
  x <- x[, labelled, drop = FALSE]
  y <- stats::setNames(if (is.factor(y)) droplevels(y[labelled]) else y[labelled], colnames(x))
  if (is.character(y)) y <- factor(y)
  key <- fingerprint(x, y, settings[setdiff(names(settings), c("nperm", "padj_cutoff", "direction", "min_samples"))], autoencoder$weights)
  s <- settings
  fitted <- run$stage("model", trait, key = key, {
    cv <- cross_validate(x, y, folds = s$folds, grid = s$grid, seed = s$seed, early_stopping = s$early_stopping,
                         hidden = s$hidden, activation = s$activation, dropout = s$dropout,
                         pretrained = autoencoder, control = s$control, BPPARAM = BPPARAM, verbose = FALSE)
    list(cv = cv, model = refit(cv, x, y))
  })
  comparison <- if (length(s$compare)) {
    run$stage("comparison", trait, key = key,
              compare_models(x, y, folds = s$folds, methods = c("network", s$compare), n_boot = s$n_boot,
                             seed = s$seed, BPPARAM = BPPARAM, verbose = FALSE, grid = s$grid,
                             early_stopping = s$early_stopping, hidden = s$hidden, activation = s$activation,
                             dropout = s$dropout, pretrained = autoencoder, control = s$control))
  }
  model <- fitted$model
  # the masking and saliency stages run GSEA: their checkpoints also depend on the permutations
  gsea_key <- fingerprint(key, s$nperm)
  masking <- run$stage("masking", trait, key = gsea_key, {
    sets <- gene_masking(model, x, y, gene_sets, max_size = s$max_size, verbose = FALSE)
    single <- if (s$single_gene) single_gene_masking(model, x, y, verbose = FALSE)
    list(sets = sets, single = single, single_gsea = if (s$single_gene) single_gene_gsea(single, gene_sets, s))
  })
  saliency <- run$stage("saliency", trait, key = gsea_key, {
    map <- gene_saliency(model, x, class = saliency_classes(model), method = s$saliency_method, verbose = FALSE)
    maps <- saliency_list(map, trait, model)
    enrichment <- bind_rows(lapply(names(maps), function(label) {
      e <- suppressWarnings(gsea_per_sample(maps[[label]], gene_sets, nperm = s$nperm, min_size = s$min_size,
                                            max_size = s$max_size, seed = s$seed))
      if (nrow(e)) cbind(trait = label, e, stringsAsFactors = FALSE)
    }))
    list(map = map, enrichment = enrichment)
  })
  rg <- radiogenomic_traits(saliency$enrichment, padj_cutoff = s$padj_cutoff, direction = s$direction,
                            min_samples = s$min_samples)
  list(cv = fitted$cv, model = model, comparison = comparison, masking = masking$sets,
       single_gene = masking$single, single_gene_gsea = masking$single_gsea, saliency = saliency$map,
       enrichment = saliency$enrichment, radiogenomic_traits = rg)
}

# Binary: the positive class; several classes: each class; regression: every output.
saliency_classes <- function(model) {
  if (identical(model$task, "binary")) return(model$positive)
  model$outputs
}

# Saliency as a named list of genes × samples matrices, one per trait label ("<trait>" for one
# output, "<trait>.<class>" for several).
saliency_list <- function(map, trait, model) {
  if (length(dim(map)) == 3L) {
    classes <- dimnames(map)[[3L]]
    out <- lapply(seq_along(classes), function(k) {
      m <- map[, , k]
      dim(m) <- dim(map)[1:2]
      dimnames(m) <- dimnames(map)[1:2]
      m
    })
    return(stats::setNames(out, make.names(paste(trait, classes, sep = "."))))
  }
  stats::setNames(list(map), make.names(trait))
}

# GSEA of the single-gene masking ranking (average precision per gene; R² for regression) for
# each class or target.
single_gene_gsea <- function(single, gene_sets, s) {
  classes <- setdiff(unique(single$class), "micro")
  bind_rows(lapply(classes, function(cls) {
    rows <- single[single$class == cls, , drop = FALSE]
    stats <- stats::setNames(rows[[if (is.null(rows$ap)) "r2" else "ap"]], rows$gene)
    res <- suppressWarnings(gsea_preranked(stats, gene_sets, nperm = s$nperm, min_size = s$min_size,
                                           max_size = s$max_size, seed = s$seed))
    if (nrow(res)) cbind(class = cls, res) else NULL
  }))
}

combine_radiogenomic_traits <- function(results, samples) {
  parts <- lapply(results, `[[`, "radiogenomic_traits")
  parts <- parts[vapply(parts, function(m) !is.null(m) && ncol(m) > 0L, logical(1))]
  out <- matrix(NA, length(samples), 0L, dimnames = list(samples, NULL))
  for (m in parts) {
    block <- matrix(NA, length(samples), ncol(m), dimnames = list(samples, colnames(m)))
    block[rownames(m), ] <- m
    out <- cbind(out, block)
  }
  out
}

pipeline_versions <- function() {
  packages <- c("radiogenomics", "survival", "BiocParallel", "ggplot2", "survminer", "rmarkdown")
  installed <- vapply(packages, function(p) tryCatch(as.character(utils::packageVersion(p)), error = function(e) NA_character_), character(1))
  c(R = paste(R.version$major, R.version$minor, sep = "."), installed[!is.na(installed)])
}

# ---- survival --------------------------------------------------------------------------------

# Log-rank and Cox results for every imaging trait and radiogenomic trait, and the final
# backward stepwise model over the radiogenomic traits with the covariates forced.
pipeline_survival_tests <- function(survival_data, traits, rg_matrix, covariates) {
  base <- survival_data$data
  covariates <- survival_data$covariates
  variables <- c(stats::setNames(as.list(traits), names(traits)),
                 lapply(stats::setNames(seq_len(ncol(rg_matrix)), colnames(rg_matrix)), function(j) rg_matrix[, j]))
  kinds <- c(rep("imaging", ncol(traits)), rep("radiogenomic", ncol(rg_matrix)))
  km <- list()
  km_data <- list()
  rows <- list()
  for (i in seq_along(variables)) {
    name <- names(variables)[[i]]
    value <- variables[[i]][match(rownames(base), names(variables[[i]]) %||% rownames(traits))]
    d <- base
    d$group <- if (is.logical(value)) factor(ifelse(value, "yes", "no"), levels = c("no", "yes")) else value
    d <- d[stats::complete.cases(d), , drop = FALSE]
    if (is.factor(d$group) || is.character(d$group)) d$group <- droplevels(factor(d$group))
    outcome <- tryCatch(survival_row(d, name, kinds[[i]], covariates), error = function(e) e)
    if (inherits(outcome, "error")) {
      rows[[name]] <- data.frame(variable = name, kind = kinds[[i]], n = nrow(d), events = sum(d$status),
                                 note = conditionMessage(outcome))
      next
    }
    rows[[name]] <- outcome$row
    if (!is.null(outcome$km)) {
      km[[name]] <- outcome$km
      km_data[[name]] <- d
    }
  }
  step <- stepwise_model(base, rg_matrix, covariates)
  list(tests = rbind_fill(rows), km = km, km_data = km_data, stepwise = step$model, stepwise_data = step$data, data = base)
}

survival_row <- function(d, name, kind, covariates) {
  categorical <- is.factor(d$group)
  if (categorical && nlevels(d$group) < 2L) stop("only one group has survival data")
  surv <- survival::Surv(time, status) ~ group
  km <- if (categorical) km_fit(surv, data = d)
  logrank_p <- if (categorical) logrank_test(surv, data = d)$pvalue else NA_real_
  uni <- suppressWarnings(cox_fit(surv, data = d))
  response <- quote(survival::Surv(time, status))
  adjusted <- if (length(covariates)) {
    suppressWarnings(cox_fit(stats::reformulate(c("group", covariates), response = response), data = d))
  }
  # the covariates alone on the same rows: the null model of the group's test when adjusted
  covariates_only <- if (length(covariates)) {
    suppressWarnings(cox_fit(stats::reformulate(covariates, response = response), data = d))
  }
  effect <- function(fit, null_loglik) {
    if (is.null(fit)) return(c(hr = NA, lower = NA, upper = NA, p = NA))
    rows <- fit$table[startsWith(fit$table$term, "group"), , drop = FALSE]
    if (nrow(rows) != 1L) {
      # several levels: the likelihood-ratio test of the whole factor (group terms only, not the
      # covariates: against the covariate-only model when adjusted)
      df <- sum(!is.na(rows$coef))
      statistic <- 2 * (fit$loglik[[2L]] - null_loglik)
      return(c(hr = NA, lower = NA, upper = NA, p = stats::pchisq(statistic, df, lower.tail = FALSE)))
    }
    c(hr = rows$hr, lower = rows$lower, upper = rows$upper, p = rows$p)
  }
  u <- effect(uni, uni$loglik[[1L]])
  a <- effect(adjusted, covariates_only$loglik[[2L]])
  row <- data.frame(variable = name, kind = kind, n = nrow(d), events = sum(d$status), logrank_p = logrank_p,
                    hr = u[["hr"]], lower = u[["lower"]], upper = u[["upper"]], p = u[["p"]],
                    hr_adjusted = a[["hr"]], lower_adjusted = a[["lower"]], upper_adjusted = a[["upper"]],
                    p_adjusted = a[["p"]], note = paste(uni$flags$messages, collapse = " "))
  list(row = row, km = km)
}

# Backward selection by AIC from covariates + all radiogenomic traits (complete cases), the
# covariates forced, as the paper's final model (Table 3).
stepwise_model <- function(base, rg_matrix, covariates) {
  if (ncol(rg_matrix) == 0L) return(list())
  terms <- make.names(colnames(rg_matrix))
  d <- cbind(base, stats::setNames(as.data.frame(rg_matrix[rownames(base), , drop = FALSE] * 1L), terms))
  d <- d[stats::complete.cases(d), , drop = FALSE]
  if (sum(d$status) < 2L) return(list())
  formula <- stats::reformulate(c(covariates, terms), response = quote(survival::Surv(time, status)))
  keep <- if (length(covariates)) stats::reformulate(covariates)
  model <- tryCatch(suppressWarnings(cox_stepwise(formula, data = d, keep = keep, direction = "backward")),
                    error = function(e) structure(list(message = conditionMessage(e)), class = "rg_failed_step"))
  list(model = model, data = d)
}

# ---- accessors and methods -------------------------------------------------------------------

#' Tidy tables from a pipeline run
#'
#' @param pipeline An `rg_pipeline` from [run_pipeline()].
#' @param what Which table: `"cv"` (cross-validation summary per trait), `"masking"` (gene-set
#'   masking scores), `"single_gene"`, `"single_gene_gsea"`, `"enrichment"` (per-sample GSEA of
#'   saliency), `"radiogenomic_traits"` (counts of samples per radiogenomic trait), `"survival"`
#'   (log-rank and Cox results), `"stepwise"` (the final Cox model's coefficients), `"log"`.
#' @return A data.frame with a `trait` column where results are per imaging trait.
#' @export
pipeline_results <- function(pipeline, what = c("cv", "masking", "single_gene", "single_gene_gsea",
                                                 "enrichment", "radiogenomic_traits", "survival",
                                                 "stepwise", "log")) {
  if (!inherits(pipeline, "rg_pipeline")) rg_abort(sprintf("`pipeline` must be an `rg_pipeline`, not %s.", describe(pipeline)))
  what <- check_choice(what[[1L]], "what", c("cv", "masking", "single_gene", "single_gene_gsea", "enrichment",
                                             "radiogenomic_traits", "survival", "stepwise", "log"))
  per_trait <- function(get) rbind_fill(lapply(names(pipeline$traits), function(t) {
    value <- get(pipeline$traits[[t]])
    if (is.null(value) || !nrow(value)) return(NULL)
    cbind(trait = t, as.data.frame(value), stringsAsFactors = FALSE)
  }))
  switch(what,
         cv = per_trait(function(r) r$cv$summary[1, , drop = FALSE]),
         masking = per_trait(function(r) r$masking),
         single_gene = per_trait(function(r) r$single_gene),
         single_gene_gsea = per_trait(function(r) r$single_gene_gsea),
         enrichment = per_trait(function(r) r$enrichment),
         radiogenomic_traits = {
           m <- pipeline$radiogenomic_traits
           data.frame(radiogenomic_trait = colnames(m), n_samples = colSums(m, na.rm = TRUE), row.names = NULL)
         },
         survival = pipeline$survival$tests,
         stepwise = if (inherits(pipeline$survival$stepwise, "rg_cox")) pipeline$survival$stepwise$table,
         log = pipeline$log)
}

#' @export
print.rg_pipeline <- function(x, ...) {
  cat(sprintf("Radiogenomic pipeline: %d genes x %d samples, %d gene sets, %d imaging trait(s) (%.0f s)\n",
              x$cohort$n_genes, x$cohort$n_samples, x$cohort$n_gene_sets, length(x$cohort$n_labelled), x$elapsed))
  if (!is.null(x$autoencoder)) cat("  pre-trained autoencoder transferred\n")
  for (trait in names(x$traits)) {
    r <- x$traits[[trait]]
    masking_text <- if (is.null(r$masking)) "no masking" else {
      score <- masking_score(r$masking)
      top <- r$masking[r$masking$class != "micro", , drop = FALSE]
      top <- top[order(-top[[score]]), , drop = FALSE]
      sprintf("top masking set %s (%s %.3f)", top$gene_set[1L], toupper(score), top[[score]][1L])
    }
    cat(sprintf("  %-14s CV %s %.3f | %s | %d radiogenomic trait(s)\n", trait, r$cv$metric,
                r$cv$summary[[r$cv$metric]][[1L]], masking_text, NCOL(r$radiogenomic_traits)))
  }
  if (nrow(x$failures)) cat(sprintf("  skipped: %s\n", paste(sprintf("%s (%s)", x$failures$trait, x$failures$message), collapse = "; ")))
  if (!is.null(x$survival)) {
    tests <- x$survival$tests
    significant <- tests[!is.na(tests$p) & tests$p < 0.05, , drop = FALSE]
    cat(sprintf("  survival: %d variables tested, %d with univariate Cox p < 0.05\n", nrow(tests), nrow(significant)))
    if (inherits(x$survival$stepwise, "rg_cox")) {
      cat(sprintf("  stepwise Cox keeps: %s\n", paste(x$survival$stepwise$table$term, collapse = ", ")))
    }
  }
  invisible(x)
}

#' @export
summary.rg_pipeline <- function(object, ...) {
  structure(list(cv = pipeline_results(object, "cv"), survival = pipeline_results(object, "survival"),
                 radiogenomic_traits = pipeline_results(object, "radiogenomic_traits"),
                 failures = object$failures), class = "summary.rg_pipeline")
}

#' @export
print.summary.rg_pipeline <- function(x, ...) {
  cat("Cross-validation (best setting per trait):\n")
  print(x$cv, row.names = FALSE, digits = 3)
  cat("\nRadiogenomic traits:\n")
  print(x$radiogenomic_traits, row.names = FALSE)
  if (!is.null(x$survival)) {
    cat("\nSurvival:\n")
    print(x$survival, row.names = FALSE, digits = 3)
  }
  invisible(x)
}

# Row-binds data.frames with different columns (missing ones filled with NA).
rbind_fill <- function(frames) {
  frames <- Filter(Negate(is.null), frames)
  if (!length(frames)) return(NULL)
  columns <- unique(unlist(lapply(frames, names)))
  bind_rows(lapply(frames, function(f) {
    for (column in setdiff(columns, names(f))) f[[column]] <- NA
    f[columns]
  }))
}
