# lägesbild — make demo | make test (ruff, then the suite) | make bench
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# Root installs Debian packages directly; anyone else through sudo.
SUDO   := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: venv demo lint test bench chromium clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

venv: $(STAMP)

# The browser checks use Debian's Chromium (Playwright's own browser download is not reachable).
chromium:
	@command -v chromium >/dev/null 2>&1 || { $(SUDO) apt-get update -q && $(SUDO) apt-get install -y -q chromium; }

demo: venv chromium
	$(BIN)/lagesbild demo --workspace demo

lint: venv
	$(BIN)/ruff check .

# The suite on every core (pytest-xdist): each worker runs the demo once (tests/conftest.py).
test: lint chromium
	$(BIN)/python -m pytest -q -n auto

bench: venv
	$(BIN)/python benchmarks/bench.py

clean:
	rm -rf demo .pytest_cache
