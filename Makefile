# The two commands: `make run` serves the embedded default, `make test` runs the whole suite.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
export NANOBANANAS_HOME ?= $(CURDIR)/var

.PHONY: run test lint bench bench-deps loadtest clean browser-deps

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere (command-line values only: a HOST or PORT in the
# environment is ignored); a name other than localhost must also be in NANOBANANAS_ALLOWED_HOSTS.
HOST := 127.0.0.1
PORT := 8000

run: $(VENV)/.installed
	$(VENV)/bin/nanobananas migrate
	$(VENV)/bin/nanobananas serve --host $(HOST) --port $(PORT) --no-migrate

# Debian's Chromium, tesseract and faketime for the browser, OCR and clock tests (installed when root and missing).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! command -v tesseract >/dev/null || ! command -v faketime >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium tesseract-ocr faketime >/dev/null; \
	  else echo "note: chromium/tesseract/faketime missing and not root: those tests will skip"; fi; \
	fi

# Both runs always run (a failing SQLite run must not hide the PostgreSQL one); either failing fails the target.
test: $(VENV)/.installed-dev browser-deps bench-deps
	@status=0; \
	$(PY) -m pytest || status=1; \
	NANOBANANAS_TEST_DATABASE=postgresql $(PY) -m pytest -m database || status=1; \
	exit $$status

lint: $(VENV)/.installed-dev
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/mypy

# ImageMagick for the engine benchmark's comparison (installed when root and missing).
bench-deps:
	@if ! convert -version 2>/dev/null | grep -q '^Version: ImageMagick'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq imagemagick >/dev/null; \
	  else echo "note: ImageMagick missing and not root: the engine benchmark cannot compare"; fi; \
	fi

# Every benchmark at full size writes benchmarks/results/NAME.json; record.py makes benchmarks/results.md
# from them (the page docs/performance.md links to). tests/benchmarks/test_smoke.py runs each with --smoke.
bench: $(VENV)/.installed-dev bench-deps
	$(PY) benchmarks/run.py
	$(PY) benchmarks/bench_vault.py
	$(PY) benchmarks/bench_studio.py
	$(PY) benchmarks/bench_retention.py
	$(PY) benchmarks/bench_known_images.py
	$(PY) benchmarks/bench_imagehash.py
	$(PY) benchmarks/bench_regions.py
	$(PY) benchmarks/bench_memory.py
	$(PY) benchmarks/bench_cutout.py
	$(PY) benchmarks/bench_tools.py
	$(PY) benchmarks/bench_video.py
	$(PY) benchmarks/record.py

# 50 simulated visitors for 3 minutes on the embedded default, then on PostgreSQL + Redis with two web
# processes and two workers (USERS=, SECONDS=, TOPOLOGY=embedded|scale|both); figures to benchmarks/results/.
USERS := 50
SECONDS := 180
TOPOLOGY := both
loadtest: $(VENV)/.installed-dev
	$(PY) benchmarks/loadtest.py --users $(USERS) --seconds $(SECONDS) --topology $(TOPOLOGY)
	$(PY) benchmarks/record.py

clean:
	rm -rf $(VENV) build dist src/*.egg-info
