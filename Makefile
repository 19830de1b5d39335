# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export PARTS_DATA_DIR ?= $(CURDIR)/var
export DAGSTER_HOME ?= $(PARTS_DATA_DIR)/dagster
DAGSTER_PORT ?= 3000

.PHONY: setup demo test lint typecheck pytest stop bench clean

setup: $(BIN)/parts

$(BIN)/parts: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv
	$(UV) sync --frozen
	@touch $@

demo: setup stop
	@mkdir -p $(DAGSTER_HOME) && cp dagster.yaml $(DAGSTER_HOME)/dagster.yaml
	$(BIN)/parts demo
	@setsid $(BIN)/dagster dev -m pipelines.definitions -h 127.0.0.1 -p $(DAGSTER_PORT) \
		> $(PARTS_DATA_DIR)/dagster.log 2>&1 < /dev/null & echo $$! > $(PARTS_DATA_DIR)/dagster.pid
	@for i in $$(seq 1 60); do \
		curl -sf -o /dev/null http://127.0.0.1:$(DAGSTER_PORT)/server_info && break; sleep 1; done
	@$(BIN)/parts suppliers
	@echo
	@echo "Dagster UI (assets, inbox sensor, load reports): http://127.0.0.1:$(DAGSTER_PORT)"
	@echo "Drop a price file into $(PARTS_DATA_DIR)/inbox/<supplier>/ and it is published."
	@echo "Stop with: make stop"

stop:
	@if [ -f $(PARTS_DATA_DIR)/dagster.pid ]; then \
		kill -INT -- -$$(cat $(PARTS_DATA_DIR)/dagster.pid) 2>/dev/null || true; \
		rm -f $(PARTS_DATA_DIR)/dagster.pid; sleep 1; fi

test: setup lint typecheck pytest

lint:
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck:
	$(BIN)/mypy

pytest:
	$(BIN)/pytest

bench: setup
	$(BIN)/parts bench ingest

clean: stop
	rm -rf var
