# hako-py developer entry points. `make demo` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

# pytest workers: the tests mostly wait (rollouts, subprocesses, the sandbox), so more than the cores:
# on 2 cores, 4 workers kept 1.66 cores busy (pytest 4 min 49 s), 6 kept 1.75 (3 min 53 s).
# One test at a time to each worker: the slow ones, collected first, then start on different workers.
JOBS ?= 6
PARALLEL = -n $(JOBS) --maxschedchunk 1

# Let Python cache bytecode while tests, the demo and benches run: with PYTHONDONTWRITEBYTECODE set
# (common in containers and CI images) and a venv uv made (uv does not compile at install), every
# `hako` subprocess recompiled botocore, moto and hako_py from source: ~0.3 s of CPU each, 80 s of
# the suite's ~600. Only what is imported gets compiled, into the venv and hako_py's gitignored
# __pycache__ folders.
RUN = env -u PYTHONDONTWRITEBYTECODE

.PHONY: install engine demo test test-fast lint typecheck unit schema bench clean

# uv when there is one or it can be installed (seconds), else pip (minutes on a cold machine)
$(BIN)/.installed: pyproject.toml examples/hako-script-example/pyproject.toml scripts/install_venv.sh
	bash scripts/install_venv.sh $(PYTHON) $(VENV)
	touch $@

install: $(BIN)/.installed

## demo: deploy the example apps to the embedded sandbox, change one, deploy again (no AWS needed)
demo: install
	$(RUN) $(BIN)/python scripts/demo.py

## engine: a running Docker engine for the --local tests (installs docker.io on Debian as root)
engine:
	bash scripts/ensure_docker.sh

## test: ruff, mypy --strict and pytest (in parallel: JOBS workers); on a fresh machine the
## virtualenv and the Docker engine are installed side by side first
test:
	$(MAKE) -j2 install engine
	$(MAKE) lint typecheck unit

## test-fast: ruff and pytest without the tests marked slow (benches, the demo, soaks), for the inner loop
test-fast: lint install engine
	$(RUN) $(BIN)/pytest $(PARALLEL) -m "not slow"

lint: install
	$(BIN)/ruff check hako_py tests bench scripts examples

typecheck: install
	$(BIN)/mypy hako_py tests

unit: install engine
	$(RUN) $(BIN)/pytest $(PARALLEL)

## schema: regenerate schemas/definition.schema.json from the installed botocore
schema: install
	$(BIN)/hako schema > schemas/definition.schema.json

## bench: the benchmarks under bench/ (numbers go to stdout)
bench: install
	$(RUN) $(BIN)/python bench/startup.py
	$(RUN) $(BIN)/python bench/validate_many.py
	$(RUN) $(BIN)/python bench/deploy_requests.py
	$(RUN) $(BIN)/python bench/traffic_requests.py
	$(RUN) $(BIN)/python bench/oneshot_latency.py
	$(RUN) $(BIN)/python bench/review_many.py
	$(RUN) $(BIN)/python bench/local_overhead.py
	$(RUN) $(BIN)/python bench/fault_soak.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
