#!/usr/bin/env bash
# Installs what radiogenomics needs on a Debian machine, skipping what is present.
# R and every R package come from Debian (CRAN is not reachable); cargo comes from the machine.
set -euo pipefail

debian_packages=(
  r-base-dev pandoc qpdf
  r-cran-testthat r-cran-roxygen2 r-cran-knitr r-cran-rmarkdown
  r-cran-survival r-cran-survminer r-cran-ggplot2 r-cran-broom r-cran-jsonlite r-cran-tibble r-cran-generics
  r-bioc-summarizedexperiment r-bioc-biocparallel r-bioc-gseabase
  r-cran-proc r-cran-glmnet r-cran-ranger r-cran-e1071 r-cran-gbm
)

missing=()
for p in "${debian_packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all system packages present"
else
  if [ "$(id -u)" -ne 0 ]; then
    echo "setup-system: missing ${missing[*]}; run this script as root (apt-get install)" >&2
    exit 1
  fi
  echo "setup-system: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v cargo >/dev/null || { echo "setup-system: cargo not found; install Rust (rustup)" >&2; exit 1; }
