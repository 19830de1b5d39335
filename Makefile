# The two commands of the README: `make demo` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
VENV := .venv
BIN := $(VENV)/bin
export PARTS_DATA_DIR ?= $(CURDIR)/var
DAGSTER_PORT ?= 3000
API_PORT ?= 8000
# the demo's local mailbox (`parts mail local-server`)
DEMO_MAIL := PARTS_MAIL_HOST=127.0.0.1 PARTS_MAIL_PORT=1143 PARTS_MAIL_SECURITY=plain \
  PARTS_MAIL_USER=prices PARTS_MAIL_PASSWORD=demo-mail PARTS_MAIL_POLL_S=15

.PHONY: setup postgres chromium dovecot demo demo-mail test lint typecheck pytest stop bench clean

setup: $(BIN)/parts

$(BIN)/parts: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv
	$(UV) sync --frozen
	@touch $@

demo: setup
	$(BIN)/parts demo
	@$(BIN)/parts suppliers
	@# with dovecot on the machine the demo has a mailbox too (`make demo-mail` sends to it)
	@if [ -x /usr/sbin/dovecot ]; then $(BIN)/parts mail local-server start; fi
	if [ -x /usr/sbin/dovecot ]; then export $(DEMO_MAIL); fi; \
	  $(BIN)/parts ui start --port $(DAGSTER_PORT) --api-port $(API_PORT)
	@echo
	@echo "Dagster UI (assets, inbox sensor, load reports): http://127.0.0.1:$(DAGSTER_PORT)"
	@$(BIN)/parts demo-users
	@echo "Workstation: http://127.0.0.1:$(API_PORT)/ui  (sign in as manager / demo-manager)"
	@echo "HTTP API: http://127.0.0.1:$(API_PORT)/docs  (POST /api/auth/token for a bearer token)"
	@echo "Quote API (signed in): http://127.0.0.1:$(API_PORT)/api/quotes?article=0986452041&brand=BOSCH&client_group=retail"
	@echo "Drop a price file into $(PARTS_DATA_DIR)/inbox/<supplier>/ and it is published."
	@if [ -x /usr/sbin/dovecot ]; then echo "E-mail a price list to the demo mailbox: make demo-mail (published within a minute)"; fi
	@echo "Stop with: make stop"

# a demo supplier e-mails its price list: the mailbox sensor delivers it, the
# inbox sensor publishes it (see `parts suppliers` and Dagster)
demo-mail: setup
	$(DEMO_MAIL) $(BIN)/parts mail send-demo --kind $(or $(KIND),price)

stop:
	@test -x $(BIN)/parts && $(BIN)/parts ui stop || true
	@test -x $(BIN)/parts && $(BIN)/parts mail local-server stop || true

test: setup postgres chromium dovecot lint typecheck pytest

# the database tests start their own PostgreSQL 15 server in a temp dir
postgres:
	@command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null; } || \
	  echo "PostgreSQL not found: its tests will be skipped (apt-get install postgresql)"

# the browser tests drive Debian's Chromium with Playwright (no browser download)
chromium:
	@test -x /usr/bin/chromium || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; } || \
	  echo "Chromium not found: the browser tests will be skipped (apt-get install chromium)"

# the mailbox tests start their own dovecot (a real IMAP server)
dovecot:
	@test -x /usr/sbin/dovecot || \
	  { [ "$$(id -u)" = 0 ] && apt-get update -qq && \
	    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq dovecot-imapd >/dev/null; } || \
	  echo "dovecot not found: the mailbox tests will be skipped (apt-get install dovecot-imapd)"

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
