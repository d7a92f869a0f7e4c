# Set-up and everyday commands. Every target creates or reuses the same virtual environment.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint eval bench install clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "needs $(PYTHON) on PATH (set PYTHON=...)"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/clinics demo

test: $(STAMP)
	$(BIN)/python -m pytest -q

eval: $(STAMP)
	$(BIN)/clinics eval --corpus tests/corpus

bench: $(STAMP)
	$(BIN)/python -m benchmarks.run

lint: $(STAMP)
	$(BIN)/ruff check .

clean:
	rm -rf $(VENV) data/*.db .scrapy

# docs/scaling.md: `npi load` of a 2,000,000-row registry file (rows/s, peak RSS), the 10,000-page crawl in one
# process and with 1 and 2 `clinics worker` processes on a loopback redis-server, a projection of a national crawl,
# and the peak RSS of a 10,000-page crawl. Needs Debian's redis-server on PATH; `make test` does not.
.PHONY: bench-scale bench-shared-scheduler
bench-scale: $(STAMP)
	@command -v redis-server >/dev/null || { echo "needs redis-server on PATH (apt-get install redis-server)"; exit 2; }
	$(BIN)/python -m benchmarks.scale
	$(BIN)/python -m benchmarks.memory

# An earlier design, measured in docs/scaling.md: two crawl processes sharing scrapy-redis's request queue.
bench-shared-scheduler: $(STAMP)
	@command -v redis-server >/dev/null || { echo "needs redis-server on PATH (apt-get install redis-server)"; exit 2; }
	$(BIN)/python -m pip install --quiet -e '.[scale]'
	$(BIN)/python -m benchmarks.shared_scheduler
