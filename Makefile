# The two commands of the README:
#   make demo  - set up the machine, build and install the package, run the main job
#   make test  - set up the machine, cargo test the core crates, R CMD check, testthat suite
# Developer targets: install, rtest (FILTER=name), rust-test, document, wrappers, check, bench-*.

SHELL := /bin/bash
RLIB ?= $(CURDIR)/.rlib
OUT ?= $(CURDIR)/demo-output
export CARGO_TARGET_DIR ?= $(CURDIR)/target
export PATH := $(HOME)/.cargo/bin:$(PATH)
export NOT_CRAN = true
RSCRIPT = R_LIBS=$(RLIB) Rscript

.PHONY: demo test setup stage install rust-test rtest check document wrappers

demo: setup install
	$(RSCRIPT) -e 'radiogenomics::run_demo(output_dir = "$(OUT)")'

test: setup rust-test check install
	$(RSCRIPT) tools/run-tests.R "$(FILTER)"

setup:
	@bash tools/setup-system.sh

rust-test:
	cargo test --release

# Installs from a staging copy, so that several installs at once (into different RLIBs) do not
# build over each other's objects in src/.
STAGE = $(RLIB)/.stage/radiogenomics
PACKAGE_FILES = DESCRIPTION NAMESPACE .Rbuildignore configure Cargo.toml Cargo.lock R man src rust tools tests vignettes inst
stage:
	@rm -rf $(STAGE) && mkdir -p $(STAGE)
	@tar -cf - --exclude='src/*.o' --exclude='src/*.so' --exclude='src/Makevars' $(wildcard $(PACKAGE_FILES)) | tar -xf - -C $(STAGE)

install: stage
	R CMD INSTALL --no-multiarch --library=$(RLIB) $(STAGE)

rtest:
	$(RSCRIPT) tools/run-tests.R "$(FILTER)"

# R CMD check on the built tarball; the testthat suite runs separately (rtest) so it runs once.
check:
	rm -rf radiogenomics.Rcheck radiogenomics_*.tar.gz
	R_LIBS=$(RLIB) R CMD build .
	_R_CHECK_FORCE_SUGGESTS_=false R_LIBS=$(RLIB) R CMD check --no-manual --no-tests radiogenomics_*.tar.gz 2>&1 | tee check.log
	@! grep -E "^Status:.*(ERROR|WARNING)" check.log

# Regenerates NAMESPACE and man/ from the roxygen comments (sourcing R/, no build needed).
document:
	Rscript -e 'roxygen2::roxygenise(load_code = "source")'

# Regenerates R/extendr-wrappers.R from the installed library's extendr metadata.
wrappers: stage
	R CMD INSTALL --no-multiarch --no-test-load --library=$(RLIB) $(STAGE)
	Rscript tools/make-wrappers.R $(RLIB)
	$(MAKE) install
