#' radiogenomics: transcriptomic drivers of imaging traits
#'
#' Neural networks map gene expression to imaging traits; gene masking, gene saliency and
#' per-sample GSEA interpret them; survival models test the resulting radiogenomic traits.
#' Start with [simulate_cohort()] and the "Quick start" vignette.
#'
#' @section Options:
#' - `radiogenomics.threads`: threads used by the Rust core (default 2). Read once, when the
#'   package is loaded, unless the environment variable `RAYON_NUM_THREADS` is already set.
#'
#' @keywords internal
#' @useDynLib radiogenomics, .registration = TRUE
"_PACKAGE"

# ggplot2's `.data` pronoun, used in aes(); provided by ggplot2's data mask at run time.
utils::globalVariables(".data")

# The stats generics this package adds methods to (so the namespace loads with only base attached).
#' @importFrom stats coef confint extractAIC logLik nobs predict vcov
NULL
