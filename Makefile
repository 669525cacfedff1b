# Two entry points, as in the README: `make demo` and `make test`.
# Everything is installed into .venv from PyPI (and Debian packages for the browser
# tests), so a fresh machine with Python 3.11 needs nothing else.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: setup demo test test-fast system-deps vendor bench clean

setup: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# Run the advisor on a bundled real crash log.
demo: setup
	$(BIN)/advisor match kb/failure-modes/concurrent-map-writes/samples/public-scottkiss-grtm-4.log

# Debian packages the browser and alert-rule tests need (Chromium, a CJK font, promtool).
system-deps:
	bash scripts/install-system-deps.sh

# mermaid.min.js from the npm registry into build/vendor/, so entry diagrams are drawn
# offline; without npm the site still builds and shows diagrams as source.
vendor: setup
	test -f build/vendor/mermaid.min.js || $(BIN)/python -m advisor.site.vendor || echo "mermaid not vendored: diagrams are shown as source"

test: setup system-deps vendor
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Everything but the slow tests (Go toolchain, model, browser, site build).
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build site .pytest_cache
