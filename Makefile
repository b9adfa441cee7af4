# The site's two commands: `make html` builds it, `make test` tests it.
# Both create .venv and install the project into it the first time.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPHINXBUILD := $(BIN)/sphinx-build -W --keep-going -n
OUT := build/html
WORK := build/.html-work
NEXT := build/.html-next

.PHONY: html test check serve clean audit bench

html: $(VENV)/.installed-site
	@# Build incrementally in a work folder (with build/doctrees), then publish a copy of it
	@# in one rename, only when the build succeeded: nothing half-written. A failed build
	@# discards the work folder, so the next one starts clean and shows every warning again.
	@mkdir -p build
	@$(SPHINXBUILD) -b html -d build/doctrees docs $(WORK) \
		|| { rm -rf $(WORK) build/doctrees; echo "Build failed: $(OUT) was left as it was."; exit 1; }
	@rm -rf $(NEXT) build/.html-old && cp -a $(WORK) $(NEXT)
	@if [ -d $(OUT) ]; then mv $(OUT) build/.html-old; fi
	@mv $(NEXT) $(OUT) && rm -rf build/.html-old
	@echo "Built $(OUT)/index.html"

# Two test processes (pytest-xdist), one per core; the browser tests share one of them.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Check refs.bib without a build: every problem and data-quality note, and what each key is.
check: $(VENV)/.installed-site
	@$(BIN)/python -m scholarsite.check refs.bib

serve: $(VENV)/.installed-serve
	$(BIN)/sphinx-autobuild -n --watch refs.bib --watch files --watch src docs build/serve

clean:
	rm -rf build

# Build times against refs.bib size, this site vs bare Sphinx and stock sphinxcontrib-bibtex.
# Its own venv: matplotlib (for the plot) in .venv would slow every `make html` (see run.py).
BENCH_VENV := build/bench-venv
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py

$(BENCH_VENV)/.installed: pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(BENCH_VENV)/bin/python -m pip install --quiet --editable ".[bench]"
	@touch $@

# Lighthouse on the built homepage, mobile and desktop (needs node, npm and /usr/bin/chromium).
audit: html scripts/lighthouse/node_modules/.installed
	$(BIN)/python scripts/audit.py $(OUT)

scripts/lighthouse/node_modules/.installed: scripts/lighthouse/package.json scripts/lighthouse/package-lock.json
	cd scripts/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

$(VENV)/.installed-%: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet --editable ".[$*]"
	@touch $@
