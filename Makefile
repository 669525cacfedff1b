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

# mermaid (entry diagrams, drawn offline) and axe-core (the browser tests' contrast check)
# from the npm registry into build/vendor/; without npm the site still builds and shows
# diagrams as source.
vendor: setup
	$(BIN)/python -m advisor.site.vendor || echo "not vendored: diagrams are shown as source, the contrast test is skipped"

test: setup system-deps vendor
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Everything but the slow tests (Go toolchain, model, browser, site build).
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build site .pytest_cache
