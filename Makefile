# Task file. `make serve` and `make test` are the two commands in the README; CI runs `make test`.
PYTHON ?= python3
VENV ?= .venv
PORT ?= 8866
BIN := $(VENV)/bin

.PHONY: serve test test-fast validate chromium films notebooks bench bench-pages bench-load soak clean

$(BIN)/trygge: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.test-deps: $(BIN)/trygge
	$(BIN)/pip install --quiet -e '.[test]'
	@touch $@

## serve: install into .venv and start the course (prints the start page's address)
serve: $(BIN)/trygge
	$(BIN)/trygge serve --port $(PORT)

## test: install the test dependencies and run the whole suite (unit, notebooks, browser)
test: $(VENV)/.test-deps chromium
	$(BIN)/trygge validate
	$(BIN)/python -m pytest

## test-fast: the suite without the browser and notebook tests
test-fast: $(VENV)/.test-deps
	$(BIN)/python -m pytest -m "not browser and not notebooks"

## validate: check all content in data/
validate: $(BIN)/trygge
	$(BIN)/trygge validate

## chromium: make sure Debian's Chromium is there for the browser tests (Playwright cannot download one here)
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "Installerer Chromium (apt-get) for nettlesertestene ..."; \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; fi; }

## films: regenerate the demo films (needs espeak-ng and ffmpeg; the output is committed)
films: $(BIN)/trygge
	$(BIN)/python tools/make_demo_films.py

## bench: the results-store benchmarks (write throughput, analyst aggregates over 1 000 000 events); results in benchmarks/results/
bench: $(BIN)/trygge
	$(BIN)/python benchmarks/bench_write.py
	$(BIN)/python benchmarks/bench_analytics.py

## bench-pages: learner pages in Chromium against a plain Voilà baseline (TTI, click → feedback, kernel memory); results in benchmarks/results/pages.md
bench-pages: $(VENV)/.test-deps chromium
	$(BIN)/python benchmarks/pages.py

## bench-load: 20, 50 and 100 simulated learners on one server (loopback); results in benchmarks/results/load.md
bench-load: $(VENV)/.test-deps
	$(BIN)/python benchmarks/load.py

## soak: 100 learners coming and going for 10 minutes (bounded, ≈ 25 min with the pool fill and the final culling); idle kernels must be culled; results in benchmarks/results/soak.md
soak: $(VENV)/.test-deps
	timeout 3600 $(BIN)/python benchmarks/soak.py --learners 100 --minutes 10

clean:
	rm -rf $(VENV) var .pytest_cache
