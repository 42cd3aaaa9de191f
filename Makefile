# egov: the README's commands. Each target bootstraps .venv on first use.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: run test bench soak soak-faults lint clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "egov cần Python 3.11 trở lên"; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --upgrade pip
	@$(BIN)/python -m pip install --quiet -e '.[test]'
	@touch $(STAMP)

run: $(STAMP)
	$(BIN)/egov demo
	$(BIN)/egov serve

test: $(STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

bench: $(STAMP)
	$(BIN)/python -m bench

# Minutes long, never part of `make test` or CI: EGOV_SOAK_SECONDS (default 600) bounds the run.
soak: $(STAMP)
	$(BIN)/python -m bench.soak $(SOAK_ARGS)

soak-faults: $(STAMP)
	$(BIN)/python -m bench.soak --faults $(SOAK_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) var test-artifacts
