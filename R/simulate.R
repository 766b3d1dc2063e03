#' Simulate a radiogenomic cohort with planted, known associations
#'
#' The package's built-in data: a genes × samples expression matrix with correlated gene
#' modules, gene sets (planted drivers and decoys), imaging traits that depend nonlinearly on the
#' activity of the driver sets, clinical covariates and survival that depends on one trait — plus
#' a `truth` table saying which set drives which trait. Used by the examples, the vignettes and
#' `demo()`.
#'
#' @section Model:
#' Genes in a module share a latent activity \eqn{z_m \sim N(0,1)} per sample: gene \eqn{g} with
#' loading \eqn{l_g \in [0.5, 0.9]} is \eqn{\mu_g + \sigma_g (l_g z_m + \sqrt{1-l_g^2}\,\epsilon)}
#' (log-scale means 4–12, SDs 0.3–2). A planted driver set holds 80% of its module's genes and
#' 20% genes drawn from outside it; decoys are other coherent modules (not driving anything) and
#' random sets. With `a` the driver activity and `e = effect`:
#' - `binary` ("low"/"high"): `P(high) = logistic(3 e (a - 0.3))`;
#' - `multiclass` ("A"/"B"/"C"): softmax of `(2 e a1, 2 e a2, 0)` over two driver sets;
#' - `continuous`: `2 e tanh(a) + N(0, 0.5^2)`;
#' - `interaction` ("no"/"yes"): `P(yes) = logistic(4 e a1 a2)`, an XOR-like effect of two
#'   sets that no linear model of expression can capture.
#'
#' Survival (days) is exponential with hazard multiplied by `exp(e)` when `binary` is "high" and
#' by `exp(0.03 (age - 60))`, with median about two years, uniformly censored between 0.5 and 5
#' years.
#'
#' @param n_samples Number of samples (patients).
#' @param n_genes Number of genes.
#' @param gene_sets Total number of gene sets (drivers + decoys).
#' @param traits Which traits to plant, any of `"binary"`, `"multiclass"`, `"continuous"`,
#'   `"interaction"`.
#' @param effect Effect strength (0 = no association).
#' @param seed Random seed; `NULL` draws one from R's RNG (so `set.seed()` works).
#' @param verbose Show progress.
#' @return A list with
#'   - `expression`: genes × samples matrix;
#'   - `traits`: data.frame, one row per sample (row names = sample IDs), one column per trait;
#'   - `survival`: data.frame with `sample`, `time` (days), `status` (1 = death), `age`, `sex`;
#'   - `gene_sets`: named list of gene symbols;
#'   - `truth`: data.frame with `trait`, `gene_set`, `relation` for every planted driver;
#'   - `activity`: samples × gene-set matrix of the drivers' latent activities;
#'   - `seed`.
#' @examples
#' cohort <- simulate_cohort(n_samples = 100, n_genes = 1000, seed = 1)
#' dim(cohort$expression)
#' cohort$truth
#' table(cohort$traits$binary)
#' @export
simulate_cohort <- function(n_samples = 200, n_genes = 2000, gene_sets = 30,
                            traits = c("binary", "multiclass", "continuous", "interaction"),
                            effect = 1, seed = NULL, verbose = FALSE) {
  check_number(n_samples, "n_samples", min = 10, integer = TRUE)
  check_number(n_genes, "n_genes", min = 100, integer = TRUE)
  check_number(gene_sets, "gene_sets", min = 1, integer = TRUE)
  check_number(effect, "effect", min = 0)
  check_flag(verbose, "verbose")
  traits <- check_trait_names(traits)
  seed <- resolve_seed(seed)

  drivers <- driver_modules(traits)
  n_decoy_modules <- min(4L, max(0L, gene_sets - nrow(drivers)))
  n_modules <- nrow(drivers) + n_decoy_modules
  if (gene_sets < nrow(drivers)) {
    rg_abort(sprintf("`gene_sets` (%d) must be at least the number of planted driver sets (%d).",
                     gene_sets, nrow(drivers)))
  }
  module_size <- min(50L, n_genes %/% (2L * n_modules))
  if (module_size < 5L) {
    rg_abort(sprintf("`n_genes` (%d) is too small for %d gene modules; use at least %d genes.",
                     n_genes, n_modules, 10L * n_modules))
  }

  sim <- rust_result(rg_simulate_modules(n_genes, n_samples, n_modules, module_size, seed, verbose))
  genes <- sprintf("G%0*d", nchar(n_genes), seq_len(n_genes))
  samples <- sprintf("S%0*d", nchar(n_samples), seq_len(n_samples))
  dimnames(sim$expression) <- list(genes, samples)

  withr_seed(seed, {
    sets <- simulated_gene_sets(genes, module_size, nrow(drivers), n_decoy_modules, gene_sets)
    activity <- sim$activity[, seq_len(nrow(drivers)), drop = FALSE]
    dimnames(activity) <- list(samples, sets$driver_names)
    trait_table <- simulate_traits(traits, activity, drivers, effect)
    rownames(trait_table) <- samples
    survival <- simulate_survival(samples, trait_table, effect)
  })

  truth <- data.frame(trait = drivers$trait, gene_set = sets$driver_names,
                      relation = drivers$relation, stringsAsFactors = FALSE)
  structure(list(expression = sim$expression, traits = trait_table, survival = survival,
                 gene_sets = sets$sets, truth = truth, activity = activity, seed = seed),
            class = c("rg_cohort", "list"))
}

check_trait_names <- function(traits) {
  known <- c("binary", "multiclass", "continuous", "interaction")
  if (!is.character(traits) || length(traits) == 0L || anyNA(traits)) {
    rg_abort("`traits` must name at least one of: binary, multiclass, continuous, interaction.")
  }
  unknown <- setdiff(traits, known)
  if (length(unknown)) {
    rg_abort(sprintf("`traits` has unknown trait(s) %s; choose from %s.",
                     paste(unknown, collapse = ", "), paste(known, collapse = ", ")))
  }
  unique(traits)
}

# One row per driver module, in module order.
driver_modules <- function(traits) {
  table <- list(
    binary = data.frame(trait = "binary", relation = "P(high) = logistic(3 e (a - 0.3))"),
    multiclass = data.frame(trait = "multiclass", relation = c("class A logit 2 e a", "class B logit 2 e a")),
    continuous = data.frame(trait = "continuous", relation = "2 e tanh(a) + noise"),
    interaction = data.frame(trait = "interaction", relation = c("P(yes) = logistic(4 e a1 a2)", "P(yes) = logistic(4 e a1 a2)"))
  )
  do.call(rbind, c(table[traits], make.row.names = FALSE))
}

# Driver sets (80% of a module + 20% outside genes), decoy modules and random sets, in a
# shuffled order under neutral names SET_01, SET_02, ...
simulated_gene_sets <- function(genes, module_size, n_drivers, n_decoy_modules, n_sets) {
  module_genes <- function(m) genes[(m - 1L) * module_size + seq_len(module_size)]
  coherent_set <- function(m) {
    members <- module_genes(m)
    keep <- sample(members, round(0.8 * module_size))
    outside <- sample(setdiff(genes, members), module_size - length(keep))
    c(keep, outside)
  }
  n_random <- n_sets - n_drivers - n_decoy_modules
  # like real collections (hallmarks: 32-200 of ~12,000 genes), a random set is a small share of the genes
  random_sizes <- round(exp(stats::runif(n_random, log(min(15, module_size)), log(max(min(200, length(genes) / 10), module_size)))))
  sets <- c(lapply(seq_len(n_drivers + n_decoy_modules), coherent_set),
            lapply(random_sizes, function(k) sample(genes, k)))
  order <- sample(length(sets))
  names_in_order <- sprintf("SET_%0*d", nchar(n_sets), seq_along(sets))
  sets <- stats::setNames(sets[order], names_in_order)
  sets <- sets[order(names(sets))]
  driver_names <- names_in_order[match(seq_len(n_drivers), order)]
  list(sets = sets, driver_names = driver_names)
}

simulate_traits <- function(traits, activity, drivers, effect) {
  a <- function(trait, k = 1L) activity[, which(drivers$trait == trait)[[k]]]
  logistic <- stats::plogis
  out <- list()
  n <- nrow(activity)
  if ("binary" %in% traits) {
    high <- stats::runif(n) < logistic(3 * effect * (a("binary") - 0.3))
    out$binary <- factor(ifelse(high, "high", "low"), levels = c("low", "high"))
  }
  if ("multiclass" %in% traits) {
    logits <- cbind(2 * effect * a("multiclass", 1L), 2 * effect * a("multiclass", 2L), 0)
    p <- exp(logits) / rowSums(exp(logits))
    cls <- apply(p, 1L, function(pr) sample(3L, 1L, prob = pr))
    out$multiclass <- factor(c("A", "B", "C")[cls], levels = c("A", "B", "C"))
  }
  if ("continuous" %in% traits) {
    out$continuous <- 2 * effect * tanh(a("continuous")) + stats::rnorm(n, sd = 0.5)
  }
  if ("interaction" %in% traits) {
    yes <- stats::runif(n) < logistic(4 * effect * a("interaction", 1L) * a("interaction", 2L))
    out$interaction <- factor(ifelse(yes, "yes", "no"), levels = c("no", "yes"))
  }
  as.data.frame(out)
}

simulate_survival <- function(samples, traits, effect) {
  n <- length(samples)
  age <- round(stats::rnorm(n, 60, 10))
  sex <- factor(sample(c("female", "male"), n, replace = TRUE))
  risk <- 0.03 * (age - 60)
  if (!is.null(traits$binary)) risk <- risk + effect * (traits$binary == "high")
  rate <- log(2) / (2 * 365)  # median two years at reference risk
  event_time <- stats::rexp(n, rate * exp(risk))
  censor_time <- stats::runif(n, 0.5 * 365, 5 * 365)
  data.frame(sample = samples, time = pmax(1, round(pmin(event_time, censor_time))),
             status = as.integer(event_time <= censor_time), age = age, sex = sex,
             stringsAsFactors = FALSE)
}

# Evaluates `code` with R's RNG seeded by `seed` — always R's default generators, so the result
# is the same in a BiocParallel worker (which uses L'Ecuyer-CMRG) — and restores the caller's RNG
# kind and state afterwards.
withr_seed <- function(seed, code) {
  had_seed <- exists(".Random.seed", envir = globalenv(), inherits = FALSE)
  if (had_seed) old_seed <- get(".Random.seed", envir = globalenv(), inherits = FALSE)
  old_kind <- RNGkind()
  on.exit({
    RNGkind(old_kind[[1L]], old_kind[[2L]], old_kind[[3L]])
    if (had_seed) assign(".Random.seed", old_seed, envir = globalenv())
    else if (exists(".Random.seed", envir = globalenv(), inherits = FALSE)) rm(".Random.seed", envir = globalenv())
  })
  set.seed(seed, kind = "Mersenne-Twister", normal.kind = "Inversion", sample.kind = "Rejection")
  code
}

#' @export
print.rg_cohort <- function(x, ...) {
  cat(sprintf("Simulated radiogenomic cohort (seed %s): %d genes x %d samples, %d gene sets\n",
              format(x$seed), nrow(x$expression), ncol(x$expression), length(x$gene_sets)))
  cat("Traits:\n")
  for (name in names(x$traits)) {
    v <- x$traits[[name]]
    summary_text <- if (is.factor(v)) paste(sprintf("%s %d", levels(v), tabulate(v, nlevels(v))), collapse = ", ")
                    else sprintf("mean %.2f, sd %.2f", mean(v), stats::sd(v))
    cat(sprintf("  %-12s %s\n", name, summary_text))
  }
  cat(sprintf("Survival: %d events in %d patients, median follow-up %.0f days\n",
              sum(x$survival$status), nrow(x$survival), stats::median(x$survival$time)))
  cat("Planted drivers:\n")
  print(x$truth, row.names = FALSE)
  invisible(x)
}
