#!/usr/bin/env bash
# CI-optional check that the `cuda` cargo feature (candle's CUDA backend, used by
# `device = "cuda"`) compiles and links on a machine without a GPU or CUDA toolkit. Not run by
# `make test`. The result needs the NVIDIA driver (libcuda.so.1) at run time; here the driver
# library is a generated link-time stub, so nothing CUDA is executed.
#
# What it does:
#   1. installs CUDA 13 toolkit pieces from PyPI wheels into a venv (nvcc + headers + runtime
#      libraries; the cu12 nvcc wheel ships no nvcc, the CUDA 13 ones do);
#   2. points the build at them: CUDA_ROOT=<venv>/nvidia/cu13, CUDARC_CUDA_VERSION=13040
#      (cudarc supports up to 13.4), CUDA_COMPUTE_CAP=90, unversioned .so links for the linker;
#   3. generates a stub libcuda.so (SONAME libcuda.so.1) defining every driver-API symbol cudarc
#      declares, in $CUDA_ROOT/lib;
#   4. builds rg-nn with `--features cuda` (candle-kernels' PTX + static kernels via nvcc,
#      cudarc linked dynamically), links its test executables, runs the CPU tests of that build,
#      and builds the R glue staticlib with the feature, printing the native libraries the R
#      package must link (`-lcuda -lnvrtc -lcurand -lcublas -lcublasLt`);
#   5. installs the R package with RADIOGENOMICS_FEATURES=cuda (tools/config.R adds those
#      libraries and candle-kernels' static `moe` archive to PKG_LIBS) and loads it.
# Uses its own target dir (target/cuda-check) so the normal build is untouched.
#
# Usage: tools/check-cuda-build.sh     (env: CUDA_CHECK_DIR, CUDA_COMPUTE_CAP)
set -euo pipefail
cd "$(dirname "$0")/.."
WORK=${CUDA_CHECK_DIR:-$PWD/target/cuda-check}
VENV=$WORK/venv
mkdir -p "$WORK"

echo "== 1. CUDA 13 toolkit wheels from PyPI into $VENV"
if [ ! -x "$VENV/bin/python" ]; then python3 -m venv "$VENV"; fi
"$VENV/bin/pip" install --quiet --progress-bar off \
  "nvidia-cuda-nvcc>=13,<14" "nvidia-cuda-runtime>=13,<14" "nvidia-cuda-crt>=13,<14" \
  "nvidia-cuda-nvrtc>=13,<14" "nvidia-cuda-cccl>=13,<14" "nvidia-cublas>=13,<14" "nvidia-curand"
SITE=$("$VENV/bin/python" -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
export CUDA_ROOT=$SITE/nvidia/cu13
export CUDA_PATH=$CUDA_ROOT CUDA_HOME=$CUDA_ROOT CUDA_TOOLKIT_ROOT_DIR=$CUDA_ROOT
export PATH=$CUDA_ROOT/bin:$PATH
export CUDARC_CUDA_VERSION=13040
export CUDA_COMPUTE_CAP=${CUDA_COMPUTE_CAP:-90}
nvcc --version | tail -2

echo "== 2. unversioned library links in $CUDA_ROOT/lib"
( cd "$CUDA_ROOT/lib"
  for lib in cudart nvrtc curand cublas cublasLt; do
    real=$(ls lib$lib.so.* 2>/dev/null | sort | head -n 1 || true)
    if [ -n "$real" ]; then ln -sf "$real" "lib$lib.so"; echo "lib$lib.so -> $real"; else echo "missing lib$lib" >&2; exit 1; fi
  done )

echo "== 3. stub libcuda.so (SONAME libcuda.so.1)"
CUDARC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-0.19.* 2>/dev/null | head -n 1)
if [ -z "$CUDARC" ]; then cargo fetch --quiet; CUDARC=$(ls -d "${CARGO_HOME:-$HOME/.cargo}"/registry/src/*/cudarc-0.19.* | head -n 1); fi
grep -oh "fn cu[A-Za-z0-9_]*(" "$CUDARC/src/driver/sys/mod.rs" | sed 's/^fn //; s/($//' | sort -u \
  | awk '{ printf "void %s(void) {}\n", $1 }' > "$WORK/libcuda-stub.c"
cc -shared -fPIC -o "$CUDA_ROOT/lib/libcuda.so" -Wl,-soname,libcuda.so.1 "$WORK/libcuda-stub.c"
ln -sf libcuda.so "$CUDA_ROOT/lib/libcuda.so.1"  # for loading the test executables in step 4c
echo "$(wc -l < "$WORK/libcuda-stub.c") driver symbols stubbed"

export CARGO_TARGET_DIR=$WORK/target
export LIBRARY_PATH=$CUDA_ROOT/lib${LIBRARY_PATH:+:$LIBRARY_PATH}
export RUSTFLAGS="-L native=$CUDA_ROOT/lib ${RUSTFLAGS:-}"

echo "== 4a. cargo build -p rg-nn --features cuda"
cargo build --release -p rg-nn --features cuda
echo "== 4b. link the test executables"
cargo test --release -p rg-nn --features cuda --no-run
echo "== 4c. CPU tests of the cuda build (the stub is only loaded, never called)"
LD_LIBRARY_PATH=$CUDA_ROOT/lib cargo test --release -p rg-nn --features cuda
echo "== 4d. R glue staticlib with the feature"
cargo rustc --release --lib -p radiogenomics-r --features cuda -- --print native-static-libs 2>&1 \
  | grep -E "native-static-libs|error" || true
echo "== 5. install the R package with RADIOGENOMICS_FEATURES=cuda and load it (stub driver)"
RLIB_CUDA=$WORK/rlib
mkdir -p "$RLIB_CUDA"
RADIOGENOMICS_FEATURES=cuda make install RLIB="$RLIB_CUDA"
LD_LIBRARY_PATH=$CUDA_ROOT/lib R_LIBS=$RLIB_CUDA Rscript -e '
  library(radiogenomics)
  stopifnot(isTRUE(radiogenomics:::rg_nn_cuda_compiled()))
  sim <- simulate_cohort(n_samples = 40, n_genes = 100, traits = "binary", seed = 1)
  fit <- fit_network(sim$expression, sim$traits$binary, hidden = 8,
                     control = nn_control(epochs = 3, seed = 1, verbose = FALSE))
  cat("cuda build loaded; CPU fit ok:", length(predict(fit, sim$expression)), "predictions\n")'
echo "OK: the cuda feature compiles and links (run time needs the NVIDIA driver and a GPU)."
