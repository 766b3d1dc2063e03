#' Turn raw imaging annotations into model targets
#'
#' Prepares the imaging traits a network learns: VASARI annotations are binarized as in the
#' original study, continuous (radiomic) features are split in two by exact one-dimensional
#' k-means, missing values are removed per trait, traits too imbalanced to learn are dropped, and
#' every removed value is reported. The cut points and positive classes are stored, so
#' `predict(<rg_traits>, newdata)` prepares an external test cohort with exactly the training
#' cohort's boundaries.
#'
#' @section Missing values:
#' `NA` and the strings in `na_strings` (matched ignoring case and surrounding spaces; by default
#' blank, `n/a` and `indeterminate`) are missing. A missing value removes the sample from that
#' trait only: its target is `NA`, and the sample is listed in `$dropped` with the raw value and
#' the reason. With `multilabel = TRUE` a sample missing any trait is removed from the matrix and
#' listed too.
#'
#' @section VASARI preset:
#' Columns named like the VASARI features (`f5...`, `f6...`, `f7...`, `f9...`, `f10...`,
#' `f14...`, as in the TCGA annotation file) are binarized as in METHOD.md §1:
#' - proportions (f5 enhancing, f6 nCET, f7 necrosis, f14 edema): `Minimal` and `Less than 1/3`
#'   become `Less than 1/3`; `Between 1/3 and 2/3` and `More than 2/3` become `More than 1/3`;
#' - f9: `Focal` vs everything else, `non-focal`;
#' - f10: `expansive (T1~FLAIR)` vs everything else, `infiltrative`.
#'
#' Values the preset does not know are an error (recode them, or add them to `na_strings`). The
#' other columns of the annotation file (`research.id`, `comments`, ...) are ignored unless named
#' in `traits`.
#'
#' @section Positive class:
#' A binary trait is a factor whose second level is the positive class (the `1` of the 0/1
#' matrix). By default it is the least frequent level of the training cohort, as the paper says;
#' on a tie, the level that sorts later in byte (C-locale) order, which is also the reference
#' code's choice (for k-means features, `high`). `positive_rule = "alphabetical"` always takes that
#' later level, reproducing the reference implementation (`LabelEncoder`): `More than 1/3`,
#' `non-focal`, `infiltrative`. `positive` overrides either rule per trait.
#'
#' @section Continuous features:
#' With `method = "kmeans"`, every numeric column (or character column whose non-missing values
#' are all numbers) is split by the exact optimum of two-cluster k-means on the training values
#' (minimum within-cluster sum of squares, found by scanning every split of the sorted values; no
#' random restarts). Values above the cut point — the midpoint of the two cluster means — are
#' `high`, the others `low`. With `method = "none"` numeric columns are kept as continuous
#' targets (the regression variant); columns holding only 0 and 1 are binary.
#'
#' @param df A data.frame of annotations, one row per sample; sample IDs in the row names or in
#'   the column named by `id`.
#' @param preset `"vasari"` applies the VASARI binarizations to the VASARI columns; `"none"` uses
#'   the columns as they are.
#' @param method `"kmeans"` binarizes continuous columns by exact 1-D two-means; `"none"` keeps
#'   them continuous.
#' @param positive `NULL` (use `positive_rule`), or the positive level per trait as a named
#'   character vector (`c(f10.t1.flair.ratio = "infiltrative")`); a single unnamed level applies
#'   to every binary trait that has it (`"high"`).
#' @param min_fraction Binary traits whose minority class holds less than this fraction of the
#'   non-missing samples are dropped (and listed in `$dropped_traits`).
#' @param traits Columns to prepare (default: the VASARI columns for `preset = "vasari"`, plus
#'   numeric columns when `method = "kmeans"`; every column for `preset = "none"`).
#' @param id The column holding the sample IDs, when they are not the row names.
#' @param positive_rule `"least_frequent"` (the paper) or `"alphabetical"` (the reference code).
#' @param multilabel `TRUE` returns the targets as a samples × traits 0/1 integer matrix of the
#'   samples complete for every trait (one network for several binary traits).
#' @param na_strings Values meaning "missing" besides `NA`.
#' @param verbose Print a message summarising what was dropped.
#' @return An `rg_traits` object, a list with
#'   - `targets`: data.frame with one column per trait (a factor whose second level is positive,
#'     or numeric for continuous targets) and the sample IDs as row names; with `multilabel =
#'     TRUE` a 0/1 integer matrix;
#'   - `traits`: one row per kept trait: `trait`, `type` (`binary`, `multiclass`, `continuous`),
#'     `source` (`vasari`, `categorical`, `kmeans`, `continuous`), `negative`, `positive`, `n`,
#'     `n_positive`, `cut`;
#'   - `cuts`: named k-means cut points (with `low_mean`, `high_mean` in `kmeans`);
#'   - `positive`: named positive levels; `levels`: the levels of every categorical trait;
#'   - `dropped`: every removed value: `sample`, `trait`, `value` (raw), `reason`;
#'   - `dropped_traits`: traits not kept: `trait`, `reason`, `minority_fraction`;
#'   - `settings`, `specs`: what is needed to prepare another cohort identically.
#' @seealso [predict.rg_traits()] for test cohorts, [trait_association()], [evaluate()].
#' @examples
#' vasari <- data.frame(
#'   f5.proportion.enhancing = c("Minimal", "Less than 1/3", "More than 2/3", "n/a",
#'                               "Between 1/3 and 2/3", "Less than 1/3"),
#'   f9.multifocal.or.multicentric = c("Focal", "Focal", "Multifocal or Multicentric", "Focal",
#'                                     "Focal", "Focal"),
#'   row.names = paste0("P", 1:6))
#' tr <- prepare_traits(vasari, preset = "vasari", min_fraction = 0)
#' tr
#' tr$targets
#'
#' # continuous features: the training cut binarizes the test cohort
#' set.seed(1)
#' train <- data.frame(volume = c(rnorm(30, 10), rnorm(20, 20)), row.names = paste0("T", 1:50))
#' test <- data.frame(volume = c(9, 14, 16, 25), row.names = paste0("V", 1:4))
#' km <- prepare_traits(train, method = "kmeans")
#' km$cuts
#' predict(km, test)$targets
#' @export
prepare_traits <- function(df, preset = c("none", "vasari"), method = c("none", "kmeans"),
                           positive = NULL, min_fraction = 0.10, traits = NULL, id = NULL,
                           positive_rule = c("least_frequent", "alphabetical"),
                           multilabel = FALSE, na_strings = c("", "n/a", "indeterminate"),
                           verbose = TRUE) {
  preset <- check_choice(preset, "preset", c("none", "vasari"))
  method <- check_choice(method, "method", c("none", "kmeans"))
  positive_rule <- check_choice(positive_rule, "positive_rule", c("least_frequent", "alphabetical"))
  check_number(min_fraction, "min_fraction", min = 0, max = 0.5)
  check_flag(multilabel, "multilabel")
  check_flag(verbose, "verbose")
  check_na_strings(na_strings)
  df <- trait_table(df, id)
  columns <- select_trait_columns(df, traits, preset, method, na_strings, verbose)
  settings <- list(preset = preset, method = method, na_strings = na_strings, id = id,
                   multilabel = multilabel, positive_rule = positive_rule,
                   min_fraction = min_fraction)

  specs <- list()
  values <- list()
  dropped <- list()
  dropped_traits <- list()
  for (column in columns) {
    prepared <- learn_trait(df[[column]], column, rownames(df), settings)
    dropped[[column]] <- prepared$dropped
    if (!is.null(prepared$reject)) {
      dropped_traits[[column]] <- prepared$reject
      next
    }
    specs[[column]] <- prepared$spec
    values[[column]] <- prepared$value
  }
  specs <- apply_positive(specs, values, positive, positive_rule)
  values <- Map(encode_trait, values, specs)

  result <- new_rg_traits(values, specs, rownames(df), bind_rows(dropped),
                          bind_rows(dropped_traits, empty_dropped_traits()), settings)
  if (verbose) report_dropped(result)
  result
}

#' Prepare a test cohort with the training cohort's cut points
#'
#' Applies the preparation learned by [prepare_traits()] to new annotations: the same preset
#' binarizations, the same k-means cut points, the same positive levels and the same traits
#' (those dropped in training stay dropped). Levels not seen in training become missing and are
#' reported.
#'
#' @param object An `rg_traits` object from [prepare_traits()].
#' @param newdata A data.frame of the test cohort's annotations with the trait columns; `NULL`
#'   returns `object` unchanged.
#' @param id The sample-ID column of `newdata`, when IDs are not its row names (default: the one
#'   used in training).
#' @param verbose Print a message summarising what was dropped.
#' @param ... Unused.
#' @return An `rg_traits` object for the new cohort (its `dropped` lists the new cohort's removed
#'   values).
#' @examples
#' train <- data.frame(size = c(1, 2, 3, 10, 11, 12, 2.5, 11.5), row.names = paste0("T", 1:8))
#' km <- prepare_traits(train, method = "kmeans")
#' predict(km, data.frame(size = c(0, 6, 7, NA), row.names = paste0("V", 1:4)))$targets
#' @export
predict.rg_traits <- function(object, newdata = NULL, id = object$settings$id, verbose = TRUE, ...) {
  if (is.null(newdata)) return(object)
  check_flag(verbose, "verbose")
  newdata <- trait_table(newdata, id, arg = "newdata")
  missing_columns <- setdiff(names(object$specs), names(newdata))
  if (length(missing_columns)) {
    rg_abort(sprintf("`newdata` lacks the trait column%s %s.", if (length(missing_columns) > 1) "s" else "",
                     paste0("`", missing_columns, "`", collapse = ", ")),
             class = "radiogenomics_missing_traits")
  }
  settings <- object$settings
  values <- list()
  dropped <- list()
  for (column in names(object$specs)) {
    spec <- object$specs[[column]]
    applied <- apply_trait(newdata[[column]], column, rownames(newdata), spec, settings)
    values[[column]] <- encode_trait(applied$value, spec)
    dropped[[column]] <- applied$dropped
  }
  result <- new_rg_traits(values, object$specs, rownames(newdata), bind_rows(dropped),
                          object$dropped_traits, settings)
  if (verbose) report_dropped(result)
  result
}

# ---- reading the table ---------------------------------------------------------------------

trait_table <- function(df, id, arg = "df") {
  if (is.matrix(df)) df <- as.data.frame(df, stringsAsFactors = FALSE)
  if (!is.data.frame(df)) {
    rg_abort(sprintf("`%s` must be a data.frame of annotations (one row per sample), not %s.",
                     arg, describe(df)))
  }
  if (nrow(df) == 0L || ncol(df) == 0L) {
    rg_abort(sprintf("`%s` is empty (%d rows, %d columns).", arg, nrow(df), ncol(df)))
  }
  if (!is.null(id)) {
    check_string(id, "id")
    if (!id %in% names(df)) rg_abort(sprintf("`id` column `%s` is not a column of `%s`.", id, arg))
    ids <- as.character(df[[id]])
    if (anyNA(ids) || any(!nzchar(ids))) rg_abort(sprintf("`%s` column `%s` has missing sample IDs.", arg, id))
    if (anyDuplicated(ids)) {
      rg_abort(sprintf("`%s` column `%s` has duplicated sample IDs: %s.", arg, id,
                       paste(utils::head(unique(ids[duplicated(ids)]), 5), collapse = ", ")))
    }
    df <- df[setdiff(names(df), id)]
    rownames(df) <- ids
  }
  df
}

select_trait_columns <- function(df, traits, preset, method, na_strings, verbose) {
  if (!is.null(traits)) {
    if (!is.character(traits) || !length(traits) || anyNA(traits)) {
      rg_abort(sprintf("`traits` must name columns of `df`, not %s.", describe(traits)))
    }
    unknown <- setdiff(traits, names(df))
    if (length(unknown)) {
      rg_abort(sprintf("`traits` names columns not in `df`: %s.", paste0("`", unknown, "`", collapse = ", ")))
    }
    return(unique(traits))
  }
  if (preset == "none") return(names(df))
  numeric_columns <- names(df)[vapply(df, function(x) !is.null(as_numeric_values(x, na_strings)), logical(1))]
  columns <- names(df)[!is.na(vasari_feature(names(df))) | (method == "kmeans" & names(df) %in% numeric_columns)]
  if (!length(columns)) {
    rg_abort("`df` has no VASARI columns (named like `f5.proportion.enhancing`, `f10.t1.flair.ratio`); name the trait columns with `traits`.",
             class = "radiogenomics_missing_traits")
  }
  ignored <- setdiff(names(df), columns)
  if (verbose && length(ignored)) {
    message(sprintf("prepare_traits: ignoring column%s %s (not VASARI features).",
                    if (length(ignored) > 1) "s" else "", paste(ignored, collapse = ", ")))
  }
  columns
}

# ---- learning one trait --------------------------------------------------------------------

# The kind of VASARI feature a column name denotes, or NA.
vasari_feature <- function(names) {
  number <- sub("^[fF]([0-9]+)([^0-9].*)?$", "\\1", names)
  number[number == names] <- NA
  kind <- c(`5` = "proportion", `6` = "proportion", `7` = "proportion", `14` = "proportion",
            `9` = "focal", `10` = "expansive")[number]
  unname(kind)
}

# Learns the preparation of one column: a spec (how to apply it) and the training values.
learn_trait <- function(x, column, samples, settings) {
  missing <- missing_values(x, settings$na_strings)
  dropped <- dropped_rows(samples, column, x, missing)
  vasari <- if (settings$preset == "vasari") vasari_feature(column) else NA_character_
  numbers <- if (is.na(vasari)) as_numeric_values(x, settings$na_strings) else NULL

  if (!is.null(numbers) && !all(numbers[!missing] %in% c(0, 1))) {
    if (settings$method == "kmeans") return(learn_kmeans(numbers, missing, column, dropped, settings))
    spec <- list(source = "continuous", type = "continuous", levels = NULL)
    return(list(spec = spec, value = numbers, dropped = dropped))
  }
  values <- rep(NA_character_, length(x))
  values[!missing] <- if (!is.na(vasari)) {
    vasari_recode(x[!missing], vasari, column)
  } else if (!is.null(numbers)) {
    format(numbers[!missing], trim = TRUE)
  } else {
    trimws(as.character(x[!missing]))
  }
  levels <- if (!is.na(vasari)) vasari_levels(vasari) else sort(unique(values[!missing]), method = "radix")
  observed <- levels[levels %in% values]
  source <- if (!is.na(vasari)) "vasari" else "categorical"
  if (length(observed) < 2L) {
    reason <- if (length(observed)) sprintf("one class only (`%s`)", observed) else "no non-missing values"
    return(list(reject = reject_row(column, reason, NA_real_), dropped = dropped))
  }
  if (length(observed) == 2L) {
    minority <- min(table(factor(values[!missing], levels = observed))) / sum(!missing)
    if (minority < settings$min_fraction) {
      reason <- sprintf("minority class %.1f%% < min_fraction %.1f%%", 100 * minority, 100 * settings$min_fraction)
      return(list(reject = reject_row(column, reason, minority), dropped = dropped))
    }
  }
  type <- if (length(observed) == 2L) "binary" else "multiclass"
  spec <- list(source = source, type = type, levels = observed, vasari = vasari)
  list(spec = spec, value = values, dropped = dropped)
}

learn_kmeans <- function(numbers, missing, column, dropped, settings) {
  present <- numbers[!missing]
  if (length(unique(present)) < 2L) {
    return(list(reject = reject_row(column, "fewer than two distinct values", NA_real_), dropped = dropped))
  }
  fit <- rust_result(rg_two_means_1d(as.double(present)))
  minority <- min(fit$n_low, fit$n_high) / length(present)
  if (minority < settings$min_fraction) {
    reason <- sprintf("k-means minority cluster %.1f%% < min_fraction %.1f%%", 100 * minority,
                      100 * settings$min_fraction)
    return(list(reject = reject_row(column, reason, minority), dropped = dropped))
  }
  spec <- list(source = "kmeans", type = "binary", levels = c("low", "high"), cut = fit$cut,
               low_mean = fit$low_mean, high_mean = fit$high_mean)
  list(spec = spec, value = kmeans_labels(numbers, fit$cut), dropped = dropped)
}

kmeans_labels <- function(numbers, cut) c("low", "high")[(numbers > cut) + 1L]

reject_row <- function(column, reason, minority) {
  data.frame(trait = column, reason = reason, minority_fraction = minority, stringsAsFactors = FALSE)
}

empty_dropped_traits <- function() reject_row(character(), character(), numeric())

# ---- applying a learned trait to a cohort --------------------------------------------------

apply_trait <- function(x, column, samples, spec, settings) {
  missing <- missing_values(x, settings$na_strings)
  dropped <- dropped_rows(samples, column, x, missing)
  if (spec$source %in% c("kmeans", "continuous")) {
    numbers <- as_numeric_values(x, settings$na_strings)
    if (is.null(numbers)) {
      rg_abort(sprintf("`newdata` column `%s` must be numeric, as in training.", column))
    }
    value <- if (spec$source == "kmeans") kmeans_labels(numbers, spec$cut) else numbers
    value[missing] <- NA
    return(list(value = value, dropped = dropped))
  }
  values <- rep(NA_character_, length(x))
  values[!missing] <- if (spec$source == "vasari") {
    vasari_recode(x[!missing], spec$vasari, column)
  } else {
    raw <- x[!missing]
    if (is.numeric(raw)) format(raw, trim = TRUE) else trimws(as.character(raw))
  }
  unseen <- !missing & !values %in% spec$levels
  if (any(unseen)) {
    dropped <- rbind(dropped, data.frame(sample = samples[unseen], trait = column,
                                         value = as.character(x[unseen]),
                                         reason = "level not seen in training", stringsAsFactors = FALSE))
    values[unseen] <- NA
    dropped <- dropped[order(match(dropped$sample, samples)), , drop = FALSE]
  }
  list(value = values, dropped = dropped)
}

# A factor with the positive level second (binary), a factor (multi-class) or numbers.
encode_trait <- function(value, spec) {
  if (spec$type == "continuous") return(as.double(value))
  factor(value, levels = spec$levels)
}

# ---- positive class ------------------------------------------------------------------------

apply_positive <- function(specs, values, positive, rule) {
  binary <- names(specs)[vapply(specs, function(s) s$type == "binary", logical(1))]
  chosen <- check_positive(positive, specs, binary)
  for (column in binary) {
    levels <- specs[[column]]$levels
    pos <- if (column %in% names(chosen)) chosen[[column]]
           else default_positive(values[[column]], levels, rule)
    specs[[column]]$levels <- c(setdiff(levels, pos), pos)
    specs[[column]]$positive <- pos
  }
  specs
}

# Least frequent level; on a tie (or with the reference rule) the later level: byte order for
# categorical traits, `high` for k-means features.
default_positive <- function(value, levels, rule) {
  if (rule == "alphabetical") return(levels[[2L]])
  counts <- tabulate(match(value, levels), nbins = 2L)
  if (counts[[1L]] < counts[[2L]]) levels[[1L]] else levels[[2L]]
}

check_positive <- function(positive, specs, binary) {
  if (is.null(positive)) return(list())
  if (is.list(positive)) positive <- unlist(positive)
  if (!is.character(positive) || !length(positive) || anyNA(positive)) {
    rg_abort(sprintf("`positive` must be a named character vector of levels, not %s.", describe(positive)))
  }
  if (is.null(names(positive))) {
    if (length(positive) != 1L) rg_abort("`positive` must be named by trait, or a single level for every trait that has it.")
    having <- binary[vapply(binary, function(t) positive %in% specs[[t]]$levels, logical(1))]
    if (!length(having)) rg_abort(sprintf("`positive` level `%s` is not a level of any binary trait.", positive))
    return(as.list(stats::setNames(rep(positive, length(having)), having)))
  }
  for (trait in names(positive)) {
    if (!trait %in% binary) {
      rg_abort(sprintf("`positive` names `%s`, which is not a binary trait (binary traits: %s).", trait,
                       if (length(binary)) paste(binary, collapse = ", ") else "none"))
    }
    if (!positive[[trait]] %in% specs[[trait]]$levels) {
      rg_abort(sprintf("`positive` level `%s` is not a level of `%s` (levels: %s).", positive[[trait]],
                       trait, paste(specs[[trait]]$levels, collapse = ", ")))
    }
  }
  as.list(positive)
}

# ---- VASARI --------------------------------------------------------------------------------

vasari_levels <- function(kind) {
  switch(kind,
         proportion = c("Less than 1/3", "More than 1/3"),
         focal = c("Focal", "non-focal"),
         expansive = c("expansive (T1~FLAIR)", "infiltrative"))
}

vasari_recode <- function(x, kind, column) {
  key <- tolower(gsub("\\s+", " ", trimws(as.character(x))))
  if (kind == "focal") return(ifelse(key == "focal", "Focal", "non-focal"))
  if (kind == "expansive") return(ifelse(startsWith(key, "expansive"), "expansive (T1~FLAIR)", "infiltrative"))
  low <- c("minimal", "less than 1/3")
  high <- c("between 1/3 and 2/3", "more than 2/3", "more than 1/3")
  unknown <- unique(as.character(x)[!key %in% c(low, high)])
  if (length(unknown)) {
    rg_abort(sprintf("`df` column `%s` has values the VASARI preset does not know: %s. Recode them, or add them to `na_strings` to treat them as missing.",
                     column, paste0('"', unknown, '"', collapse = ", ")),
             class = "radiogenomics_unknown_level")
  }
  ifelse(key %in% low, "Less than 1/3", "More than 1/3")
}

# ---- missing values ------------------------------------------------------------------------

check_na_strings <- function(na_strings) {
  if (!is.character(na_strings) || anyNA(na_strings)) {
    rg_abort(sprintf("`na_strings` must be a character vector, not %s.", describe(na_strings)))
  }
}

missing_values <- function(x, na_strings) {
  missing <- is.na(x)
  if (is.character(x) || is.factor(x)) {
    missing <- missing | tolower(trimws(as.character(x))) %in% tolower(trimws(na_strings))
  }
  missing
}

dropped_rows <- function(samples, column, x, missing) {
  if (length(missing) && !any(missing)) return(NULL)
  raw <- as.character(x[missing])
  reason <- ifelse(is.na(raw), "missing (NA)",
                   ifelse(trimws(raw) == "", "missing (blank)", sprintf("missing (`%s`)", trimws(raw))))
  data.frame(sample = samples[missing], trait = rep(column, sum(missing)), value = raw,
             reason = reason, stringsAsFactors = FALSE)
}

# The column as numbers when it is numeric, or character whose non-missing values all parse as
# numbers (a csv column with "n/a" in it); otherwise NULL.
as_numeric_values <- function(x, na_strings) {
  if (is.logical(x) || is.factor(x)) return(NULL)
  if (is.numeric(x)) return(as.double(x))
  if (!is.character(x)) return(NULL)
  missing <- missing_values(x, na_strings)
  numbers <- suppressWarnings(as.double(x))
  if (!any(!missing) || anyNA(numbers[!missing])) return(NULL)
  numbers[missing] <- NA
  numbers
}

# ---- the result object ---------------------------------------------------------------------

new_rg_traits <- function(values, specs, samples, dropped, dropped_traits, settings) {
  if (!length(specs)) {
    rg_abort(sprintf("no trait is left to model: %s.",
                     paste(sprintf("`%s` %s", dropped_traits$trait, dropped_traits$reason), collapse = "; ")),
             class = "radiogenomics_no_traits")
  }
  targets <- list2DF(unname(values), nrow = length(samples))
  names(targets) <- names(specs)
  rownames(targets) <- samples
  if (is.null(dropped) || !nrow(dropped)) dropped <- dropped_rows(character(), character(), character(), logical())
  if (settings$multilabel) {
    matrix_form <- multilabel_matrix(targets, specs)
    dropped <- rbind(dropped, matrix_form$dropped)
    targets <- matrix_form$targets
  }
  rownames(dropped) <- NULL
  structure(list(targets = targets, traits = trait_summary(targets, specs), specs = specs,
                 cuts = kmeans_cuts(specs),
                 positive = unlist(lapply(specs, `[[`, "positive")),
                 levels = lapply(Filter(function(s) s$type != "continuous", specs), `[[`, "levels"),
                 dropped = dropped, dropped_traits = dropped_traits, settings = settings),
            class = "rg_traits")
}

multilabel_matrix <- function(targets, specs) {
  not_binary <- names(specs)[vapply(specs, function(s) s$type != "binary", logical(1))]
  if (length(not_binary)) {
    rg_abort(sprintf("`multilabel = TRUE` needs binary traits, but %s %s not binary.",
                     paste0("`", not_binary, "`", collapse = ", "), if (length(not_binary) > 1) "are" else "is"))
  }
  m <- vapply(targets, function(f) as.integer(f) - 1L, integer(nrow(targets)))
  m <- matrix(m, nrow(targets), dimnames = list(rownames(targets), names(targets)))
  incomplete <- !stats::complete.cases(m)
  missing_in <- apply(is.na(m[incomplete, , drop = FALSE]), 1L, function(r) paste(colnames(m)[r], collapse = ", "))
  dropped <- data.frame(sample = rownames(m)[incomplete], trait = rep(NA_character_, sum(incomplete)),
                        value = rep(NA_character_, sum(incomplete)),
                        reason = sprintf("incomplete row (multi-label): missing %s", missing_in),
                        stringsAsFactors = FALSE)
  list(targets = m[!incomplete, , drop = FALSE], dropped = dropped)
}

trait_summary <- function(targets, specs) {
  column_of <- function(column) if (is.matrix(targets)) targets[, column] else targets[[column]]
  field <- function(name, missing) vapply(specs, function(s) if (is.null(s[[name]])) missing else s[[name]], missing)
  binary <- field("type", "") == "binary"
  n_positive <- vapply(names(specs), function(column) {
    value <- column_of(column)
    positive <- if (is.factor(value)) specs[[column]]$positive else 1L
    sum(value == positive, na.rm = TRUE)
  }, integer(1))
  data.frame(trait = names(specs), type = field("type", ""), source = field("source", ""),
             negative = ifelse(binary, vapply(specs, function(s) s$levels[[1L]] %||% NA_character_, ""), NA_character_),
             positive = ifelse(binary, field("positive", NA_character_), NA_character_),
             n = vapply(names(specs), function(column) sum(!is.na(column_of(column))), integer(1)),
             n_positive = ifelse(binary, n_positive, NA_integer_),
             cut = field("cut", NA_real_), stringsAsFactors = FALSE, row.names = NULL)
}

kmeans_cuts <- function(specs) {
  km <- Filter(function(s) identical(s$source, "kmeans"), specs)
  if (!length(km)) return(numeric())
  vapply(km, `[[`, numeric(1), "cut")
}

report_dropped <- function(x) {
  lines <- character()
  if (nrow(x$dropped)) {
    by_trait <- split(x$dropped$sample, ifelse(is.na(x$dropped$trait), "(multi-label rows)", x$dropped$trait))
    lines <- c(lines, sprintf("  %s: %d sample%s (%s)", names(by_trait), lengths(by_trait),
                              ifelse(lengths(by_trait) > 1, "s", ""),
                              vapply(by_trait, abbreviate_ids, character(1))))
  }
  if (nrow(x$dropped_traits)) {
    lines <- c(lines, sprintf("  trait %s dropped: %s", x$dropped_traits$trait, x$dropped_traits$reason))
  }
  if (length(lines)) {
    message(paste(c("prepare_traits: removed (see `$dropped` and `$dropped_traits`):", lines), collapse = "\n"))
  }
}

abbreviate_ids <- function(ids, max = 4L) {
  shown <- paste(utils::head(ids, max), collapse = ", ")
  if (length(ids) > max) paste0(shown, ", ...") else shown
}

#' @export
print.rg_traits <- function(x, ...) {
  n_samples <- nrow(x$targets)
  form <- if (is.matrix(x$targets)) "multi-label 0/1 matrix" else "data.frame"
  cat(sprintf("<rg_traits> %d samples x %d traits (%s)\n", n_samples, nrow(x$traits), form))
  shown <- x$traits
  shown$cut <- ifelse(is.na(shown$cut), "", format(signif(shown$cut, 4)))
  shown$negative[is.na(shown$negative)] <- ""
  shown$positive[is.na(shown$positive)] <- ""
  shown$n_positive <- ifelse(is.na(shown$n_positive), "", shown$n_positive)
  print(shown, row.names = FALSE)
  cat(sprintf("Dropped values: %d", nrow(x$dropped)))
  if (nrow(x$dropped)) cat(" (see `$dropped`)")
  cat("\n")
  if (nrow(x$dropped_traits)) {
    cat("Dropped traits:\n")
    for (i in seq_len(nrow(x$dropped_traits))) {
      cat(sprintf("  %s: %s\n", x$dropped_traits$trait[[i]], x$dropped_traits$reason[[i]]))
    }
  }
  invisible(x)
}

#' @export
as.data.frame.rg_traits <- function(x, ...) {
  if (is.matrix(x$targets)) as.data.frame(x$targets) else x$targets
}

#' @export
as.matrix.rg_traits <- function(x, ...) {
  if (is.matrix(x$targets)) return(x$targets)
  binary <- x$traits$trait[x$traits$type == "binary"]
  if (!length(binary)) rg_abort("the traits have no binary trait to put in a 0/1 matrix.")
  m <- vapply(x$targets[binary], function(f) as.integer(f) - 1L, integer(nrow(x$targets)))
  matrix(m, nrow(x$targets), dimnames = list(rownames(x$targets), binary))
}

# ---- trait association ---------------------------------------------------------------------

#' Fisher exact tests between traits and with clinical covariates
#'
#' The reference code's label-association step: a Fisher exact test for every pair of traits
#' (family `trait-trait`) and for every trait with every clinical covariate (family
#' `trait-clinical`), with the Bonferroni adjustment applied within each family. Each test uses
#' the samples complete for both variables.
#'
#' @param traits An `rg_traits` object, or a data.frame of categorical traits (factors,
#'   characters, logicals, 0/1), or a 0/1 matrix; sample IDs as row names.
#' @param covariates Optional data.frame of categorical clinical covariates (e.g. sex, race, an
#'   age group such as `age >= mean(age)`); rows matched to `traits` by row names, or in the same
#'   order when either has no sample IDs. Numeric columns with more than 10 distinct values must
#'   be grouped first.
#' @param workspace Passed to [stats::fisher.test()] for tables larger than 2 × 2 (reference:
#'   `2e8`).
#' @return A data.frame with `trait1`, `trait2` (the covariate in the clinical family), `family`,
#'   `odds_ratio` (conditional MLE of [stats::fisher.test()] for 2 × 2 tables, the odds of the
#'   second variable's later level given the first's; `NA` otherwise), `p`, `p_adj`
#'   (Bonferroni within the family) and `n` (complete samples). A pair where one variable has a
#'   single level among the complete samples gets `p = NA` and does not count in the adjustment.
#' @examples
#' set.seed(1)
#' traits <- data.frame(a = factor(sample(c("no", "yes"), 40, TRUE)),
#'                      b = factor(sample(c("no", "yes"), 40, TRUE)),
#'                      c = factor(sample(c("no", "yes"), 40, TRUE)))
#' clinical <- data.frame(sex = sample(c("F", "M"), 40, TRUE))
#' trait_association(traits, clinical)
#' @export
trait_association <- function(traits, covariates = NULL, workspace = 2e8) {
  check_number(workspace, "workspace", min = 1)
  traits <- association_table(traits, "traits")
  if (ncol(traits) < 2L && is.null(covariates)) {
    rg_abort("`traits` needs at least two traits (or give `covariates`).")
  }
  pairs <- if (ncol(traits) >= 2L) {
    combos <- utils::combn(names(traits), 2L)
    association_family(traits, traits, combos[1L, ], combos[2L, ], "trait-trait", workspace)
  }
  if (!is.null(covariates)) {
    covariates <- align_covariates(association_table(covariates, "covariates"), traits)
    grid <- expand.grid(trait = names(traits), covariate = names(covariates), stringsAsFactors = FALSE)
    pairs <- rbind(pairs, association_family(traits, covariates, grid$trait, grid$covariate,
                                             "trait-clinical", workspace))
  }
  rownames(pairs) <- NULL
  pairs
}

association_table <- function(x, arg) {
  if (inherits(x, "rg_traits")) {
    x <- as.data.frame(x)
    x <- x[vapply(x, Negate(is.double), logical(1))]
  }
  if (is.matrix(x)) x <- as.data.frame(x, stringsAsFactors = FALSE)
  if (!is.data.frame(x) || !ncol(x) || !nrow(x)) {
    rg_abort(sprintf("`%s` must be a non-empty data.frame (or 0/1 matrix), not %s.", arg, describe(x)))
  }
  for (column in names(x)) {
    values <- x[[column]]
    if (is.numeric(values) && length(unique(values[!is.na(values)])) > 10L) {
      rg_abort(sprintf("`%s` column `%s` is numeric with %d distinct values; group it first (e.g. `x >= mean(x)`).",
                       arg, column, length(unique(values[!is.na(values)]))))
    }
    if (!(is.numeric(values) || is.character(values) || is.factor(values) || is.logical(values))) {
      rg_abort(sprintf("`%s` column `%s` must be categorical, not %s.", arg, column, class(values)[[1L]]))
    }
  }
  x
}

align_covariates <- function(covariates, traits) {
  named <- function(d) .row_names_info(d) > 0L
  if (named(covariates) && named(traits)) {
    common <- intersect(rownames(traits), rownames(covariates))
    if (!length(common)) rg_abort("`covariates` and `traits` share no sample IDs (row names).")
    out <- covariates[match(rownames(traits), rownames(covariates)), , drop = FALSE]
    rownames(out) <- rownames(traits)
    return(out)
  }
  if (nrow(covariates) != nrow(traits)) {
    rg_abort(sprintf("`covariates` has %d rows but `traits` has %d; give both sample IDs as row names.",
                     nrow(covariates), nrow(traits)))
  }
  covariates
}

association_family <- function(left, right, names1, names2, family, workspace) {
  tests <- Map(function(a, b) fisher_pair(left[[a]], right[[b]], workspace), names1, names2)
  p <- vapply(tests, `[[`, numeric(1), "p")
  data.frame(trait1 = names1, trait2 = names2, family = rep(family, length(names1)),
             odds_ratio = vapply(tests, `[[`, numeric(1), "odds_ratio"),
             p = p, p_adj = stats::p.adjust(p, method = "bonferroni"),
             n = vapply(tests, `[[`, integer(1), "n"), stringsAsFactors = FALSE, row.names = NULL)
}

fisher_pair <- function(x, y, workspace) {
  complete <- !is.na(x) & !is.na(y)
  x <- droplevels(as.factor(x[complete]))
  y <- droplevels(as.factor(y[complete]))
  n <- sum(complete)
  if (nlevels(x) < 2L || nlevels(y) < 2L) return(list(p = NA_real_, odds_ratio = NA_real_, n = n))
  test <- stats::fisher.test(x, y, workspace = workspace)
  odds <- if (nlevels(x) == 2L && nlevels(y) == 2L) unname(test$estimate) else NA_real_
  list(p = test$p.value, odds_ratio = odds, n = n)
}

# ---- small helpers -------------------------------------------------------------------------

bind_rows <- function(rows, empty = NULL) {
  rows <- Filter(Negate(is.null), rows)
  if (!length(rows)) return(empty)
  out <- do.call(rbind, unname(rows))
  rownames(out) <- NULL
  out
}
