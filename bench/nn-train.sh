#!/usr/bin/env bash
# Benchmark: the paper network (12,042 genes -> 4000/2000/1000 tanh -> 1 sigmoid, batch norm,
# Adadelta, minibatches of 10, 175 simulated samples) trained by our engine and by PyTorch CPU in
# the same run, plus the autoencoder (12,042 -> 4000/2000/1000 -> 2000/4000 -> 12,042, batch 50).
# Prints seconds per epoch (mean of epochs 2.., the first one allocates), one 175-sample forward
# pass, peak resident memory, and ratios ours / PyTorch. Not part of the test suite.
#
# Usage: bench/nn-train.sh            (EPOCHS=3 THREADS=2 RLIB=.rlib by default)
# PyTorch is installed from PyPI into $BENCH_VENV (default ~/.cache/radiogenomics/bench-venv, outside
# the source tree so package builds don't copy it) on the first run.
set -euo pipefail
cd "$(dirname "$0")/.."
EPOCHS=${EPOCHS:-3}
THREADS=${THREADS:-2}
RLIB=${RLIB:-$PWD/.rlib}
VENV=${BENCH_VENV:-$HOME/.cache/radiogenomics/bench-venv}

if ! "$VENV/bin/python" -c "import torch" 2>/dev/null; then
  echo "installing PyTorch into $VENV (from PyPI) ..." >&2
  mkdir -p "$(dirname "$VENV")" && python3 -m venv "$VENV"
  "$VENV/bin/python" -m pip install --quiet --progress-bar off torch numpy
fi
export OMP_NUM_THREADS=$THREADS MKL_NUM_THREADS=$THREADS RAYON_NUM_THREADS=$THREADS

run() {  # run <label> <command...>: key=value lines prefixed with the label
  "${@:2}" | sed "s/^/$1_/"
}

mkdir -p bench/results
{
  run ours_net   env R_LIBS="$RLIB" Rscript bench/nn-train.R "$EPOCHS" "$THREADS" network
  run torch_net  "$VENV/bin/python" bench/nn-train.py "$EPOCHS" "$THREADS" network
  run ours_ae    env R_LIBS="$RLIB" Rscript bench/nn-train.R "$EPOCHS" "$THREADS" autoencoder
  run torch_ae   "$VENV/bin/python" bench/nn-train.py "$EPOCHS" "$THREADS" autoencoder
} > bench/results/nn-train.txt

python3 - bench/results/nn-train.txt "$EPOCHS" "$THREADS" <<'PY'
import sys
values = dict(line.strip().split("=") for line in open(sys.argv[1]) if "=" in line)
v = {k: float(x) for k, x in values.items()}
print(f"paper network, 175 samples, {sys.argv[3]} threads, {sys.argv[2]} epochs (epoch time = mean of epochs 2..)")
print(f"{'':34}{'ours':>10}{'PyTorch':>10}{'ratio':>8}  target")
rows = [
    ("network s/epoch", "net_epoch", "<= 0.30"),
    ("network first epoch s", "net_epoch_first", ""),
    ("network forward, 175 samples, s", "net_forward", "<= 1.0"),
    ("network peak memory, GB", "net_peak_rss_gb", "<= 0.6"),
    ("autoencoder s/epoch (batch 50)", "ae_epoch", ""),
    ("autoencoder peak memory, GB", "ae_peak_rss_gb", ""),
]
for label, key, target in rows:
    ours, torch = v[f"ours_{key}"], v[f"torch_{key}"]
    print(f"{label:34}{ours:10.3f}{torch:10.3f}{ours / torch:8.2f}  {target}")
PY
