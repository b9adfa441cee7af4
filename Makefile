# The site's two commands: `make html` builds it, `make test` tests it.
# Both create .venv the first time and install into it the lock's versions (requirements/).

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
SPHINXBUILD := $(BIN)/sphinx-build -W --keep-going -n
OUT := build/html
WORK := build/.html-work
NEXT := build/.html-next

.PHONY: html test check serve clean audit bench lock requirements lock-check lowest-check upgrade-check

html: $(VENV)/.installed-site
	@# Build incrementally in a work folder (with build/doctrees), then publish a copy of it
	@# in one rename, only when the build succeeded: nothing half-written. A failed build
	@# discards the work folder, so the next one starts clean and shows every warning again.
	@mkdir -p build
	@$(SPHINXBUILD) -b html -d build/doctrees -D scholarsite_published_dir=$(OUT) docs $(WORK) \
		|| { rm -rf $(WORK) build/doctrees; echo "Build failed: $(OUT) was left as it was."; exit 1; }
	@rm -rf $(NEXT) build/.html-old && cp -a $(WORK) $(NEXT)
	@if [ -d $(OUT) ]; then mv $(OUT) build/.html-old; fi
	@mv $(NEXT) $(OUT) && rm -rf build/.html-old

# Two test processes (pytest-xdist), one per core; each takes a share of the browser tests.
test: $(VENV)/.installed-test
	$(BIN)/python -m pytest -n 2 --dist loadgroup

# Check refs.bib without a build: every problem and data-quality note, and what each key is.
check: $(VENV)/.installed-site
	@$(BIN)/python -m scholarsite.check refs.bib

serve: $(VENV)/.installed-serve
	@# The 404 page's links are absolute paths under the published address (/en/latest/);
	@# served at /, as here, they start at /.
	$(BIN)/sphinx-autobuild -n --watch refs.bib --watch files --watch src \
		-D notfound_urls_prefix=/ docs build/serve

clean:
	rm -rf build

# Build times against refs.bib size, this site vs bare Sphinx and stock sphinxcontrib-bibtex.
# Its own venv: matplotlib (for the plot) in .venv would slow every `make html` (see run.py).
BENCH_VENV := build/bench-venv
bench: $(BENCH_VENV)/.installed
	$(BENCH_VENV)/bin/python benchmarks/run.py

$(BENCH_VENV)/.installed: requirements/bench.txt pyproject.toml
	@test -x $(BENCH_VENV)/bin/python || $(PYTHON) -m venv $(BENCH_VENV)
	$(BENCH_VENV)/bin/python -m pip install --quiet --require-hashes -r requirements/bench.txt
	$(BENCH_VENV)/bin/python -m pip install --quiet --no-deps --editable .
	@touch $@

# Lighthouse on the built homepage, mobile and desktop (needs node, npm and /usr/bin/chromium).
audit: html scripts/lighthouse/node_modules/.installed
	$(BIN)/python scripts/audit.py $(OUT)

scripts/lighthouse/node_modules/.installed: scripts/lighthouse/package.json scripts/lighthouse/package-lock.json
	cd scripts/lighthouse && npm ci --no-audit --no-fund --loglevel=error
	@touch $@

# Every environment installs the lock (requirements/GROUP.txt, every package pinned with its
# hashes), then the project itself without dependencies: hash-checking refuses `.`.
$(VENV)/.installed-%: requirements/%.txt pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@echo "Installing requirements/$*.txt into $(VENV)"
	@$(BIN)/python -m pip install --quiet --require-hashes -r requirements/$*.txt
	@$(BIN)/python -m pip install --quiet --no-deps --editable .
	@touch $@

# -- The lock ---------------------------------------------------------------------------------
# uv.lock resolves every group at once for every Python the project allows; requirements/*.txt
# are its exports, one per group, which pip installs here, in CI and on Read the Docs.
# `make lock` takes the newest releases pyproject.toml allows (needs the package index).
UV_VERSION := 0.13.9
UV := build/uv/bin/uv
LOCK_GROUPS := site test serve bench

lock: $(UV)
	$(UV) lock --upgrade
	@$(MAKE) --no-print-directory requirements

# Rewrite requirements/*.txt from uv.lock as it is (no resolution, no index). A file whose
# content is unchanged keeps its date, so that the venvs are not reinstalled for nothing.
requirements: $(UV)
	@for group in $(LOCK_GROUPS); do \
		extra=$$([ $$group = site ] || echo "--extra $$group"); \
		$(UV) export --quiet --frozen --no-emit-project --format requirements-txt $$extra \
			> build/requirements-$$group.txt || exit 1; \
		cmp -s build/requirements-$$group.txt requirements/$$group.txt \
			|| cp build/requirements-$$group.txt requirements/$$group.txt; \
	done
	@echo "requirements/*.txt are uv.lock's exports"

# Fails when uv.lock no longer satisfies pyproject.toml or requirements/*.txt are not its exports.
lock-check: $(UV)
	$(UV) lock --check
	@$(MAKE) --no-print-directory requirements
	@git diff --exit-code --stat -- requirements/ \
		|| { echo "requirements/ differ from uv.lock: run make requirements and commit"; exit 1; }

$(UV):
	@test -x build/uv/bin/python || $(PYTHON) -m venv build/uv
	build/uv/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# -- The ranges in pyproject.toml -------------------------------------------------------------
# Both build the site strictly in a venv of their own under build/, from the package index.
# lowest-check: every dependency at its floor (pyproject.toml's lower bounds).
# upgrade-check: the newest releases, ignoring the lock and the upper bounds, on the newest
# Python here (newer releases may need it), then the test suite (UPGRADE_TESTS= skips it).
lowest-check: $(UV)
	$(PYTHON) scripts/dependency_check.py lowest --uv $(UV)

UPGRADE_TESTS ?= --tests
upgrade-check: $(UV)
	$(PYTHON) scripts/dependency_check.py newest --uv $(UV) --python newest $(UPGRADE_TESTS)
