# Called by ./configure: finds cargo, picks the target dir and cargo features, writes src/Makevars.
#
# Environment:
#   CARGO_TARGET_DIR        shared cargo target dir (default: <package>/target)
#   RADIOGENOMICS_FEATURES  comma-separated cargo features of the glue crate, e.g. "cuda"
#   CUDA_ROOT (or CUDA_PATH, CUDA_HOME; default /usr/local/cuda)  the CUDA toolkit, with "cuda"

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

requested_features <- function() {
  features <- trimws(strsplit(Sys.getenv("RADIOGENOMICS_FEATURES"), ",", fixed = TRUE)[[1L]])
  features[nzchar(features)]
}

feature_flags <- function(features) {
  if (length(features) == 0L) return("")
  message("radiogenomics: building with cargo features: ", paste(features, collapse = ", "))
  paste0("--features ", paste(features, collapse = ","))
}

cuda_root <- function() {
  roots <- Sys.getenv(c("CUDA_ROOT", "CUDA_PATH", "CUDA_HOME"))
  roots <- c(roots[nzchar(roots)], "/usr/local/cuda")
  found <- roots[dir.exists(roots)]
  if (length(found) == 0L) {
    stop("RADIOGENOMICS_FEATURES=cuda needs the CUDA toolkit: set CUDA_ROOT to its directory ",
         "(tried ", paste(roots, collapse = ", "), ").", call. = FALSE)
  }
  normalizePath(found[[1L]])
}

# The glue staticlib does not bundle what candle's CUDA backend links: the CUDA libraries
# (cudarc loads none of them itself) and candle-kernels' static `moe` kernels, which its build
# script leaves in its own OUT_DIR. The recipe copies that archive next to ours after cargo runs.
cuda_link_libs <- function(root) {
  lib_dirs <- file.path(root, c("lib64", "lib"))
  lib_dirs <- lib_dirs[dir.exists(lib_dirs)]
  paste(c(sprintf("-L%s -Wl,-rpath,%s", lib_dirs, lib_dirs), "-lradiogenomics_moe",
          "-lcuda -lnvrtc -lcurand -lcublas -lcublasLt -lcudart -lstdc++"), collapse = " ")
}

cuda_kernels_step <- paste0(
  'cp "$$(ls -t $(LIBDIR)/build/candle-kernels-*/out/libmoe.a | head -n 1)" ',
  '"$(LIBDIR)/libradiogenomics_moe.a"')

cargo <- find_cargo()
features <- requested_features()
with_cuda <- "cuda" %in% features
makevars <- readLines(file.path("src", "Makevars.in"))
makevars <- gsub("@CARGO@", cargo, makevars, fixed = TRUE)
makevars <- gsub("@TARGET_DIR@", target_dir(), makevars, fixed = TRUE)
makevars <- gsub("@FEATURES@", feature_flags(features), makevars, fixed = TRUE)
makevars <- gsub("@CUDA_LIBS@", if (with_cuda) cuda_link_libs(cuda_root()) else "", makevars, fixed = TRUE)
makevars <- gsub("@CUDA_KERNELS@", if (with_cuda) cuda_kernels_step else "@:", makevars, fixed = TRUE)
writeLines(makevars, file.path("src", "Makevars"))
