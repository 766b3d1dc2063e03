# Called by ./configure: finds cargo, picks the target dir and cargo features, writes src/Makevars.
#
# Environment:
#   CARGO_TARGET_DIR        shared cargo target dir (default: <package>/target)
#   RADIOGENOMICS_FEATURES  comma-separated cargo features of the glue crate, e.g. "cuda"

find_cargo <- function() {
  candidates <- c(Sys.which("cargo"), file.path(Sys.getenv("CARGO_HOME", "~/.cargo"), "bin", "cargo"))
  candidates <- path.expand(candidates[nzchar(candidates)])
  found <- candidates[file.exists(candidates)]
  if (length(found) == 0L) {
    stop("radiogenomics needs Rust's cargo to build (SystemRequirements: Cargo, rustc). ",
         "Install it from https://rustup.rs and make sure `cargo` is on the PATH.", call. = FALSE)
  }
  found[[1L]]  # not normalizePath(): cargo is a symlink to the rustup proxy
}

target_dir <- function() {
  dir <- Sys.getenv("CARGO_TARGET_DIR")
  if (!nzchar(dir)) dir <- file.path(getwd(), "target")
  dir.create(dir, showWarnings = FALSE, recursive = TRUE)
  normalizePath(dir)
}

feature_flags <- function() {
  features <- trimws(strsplit(Sys.getenv("RADIOGENOMICS_FEATURES"), ",", fixed = TRUE)[[1L]])
  features <- features[nzchar(features)]
  if (length(features) == 0L) return("")
  message("radiogenomics: building with cargo features: ", paste(features, collapse = ", "))
  paste0("--features ", paste(features, collapse = ","))
}

cargo <- find_cargo()
makevars <- readLines(file.path("src", "Makevars.in"))
makevars <- gsub("@CARGO@", cargo, makevars, fixed = TRUE)
makevars <- gsub("@TARGET_DIR@", target_dir(), makevars, fixed = TRUE)
makevars <- gsub("@FEATURES@", feature_flags(), makevars, fixed = TRUE)
writeLines(makevars, file.path("src", "Makevars"))
