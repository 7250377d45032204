# make run   – install, migrate, create the demo login, start web + worker + beat (Ctrl-C stops all)
# make test  – install, then run the whole test suite
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed
# `make run` is a local demo: debug on, the provider sandbox on (plain http to it allowed).
RUN_ENV := DEBUG=true SANDBOX_PROVIDERS=true OAUTHLIB_INSECURE_TRANSPORT=1 \
	PUBLIC_URL=http://127.0.0.1:$(PORT) PUSH_NOTIFICATIONS=true \
	PROMETHEUS_MULTIPROC_DIR=$(CURDIR)/.metrics \
	GMAIL_PUBSUB_TOPIC=projects/clianta-sandbox/topics/gmail \
	GMAIL_PUSH_SERVICE_ACCOUNT=gmail-push@clianta-sandbox.iam.gserviceaccount.com

.PHONY: run test install lint format

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found " + sys.version.split()[0] + "); set PYTHON=python3.11")'
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

run: $(INSTALLED)
	$(BIN)/python -m clianta.envfile
	rm -rf .metrics && mkdir .metrics  # the web and the worker's counters, merged by /metrics
	$(RUN_ENV) $(BIN)/python manage.py migrate --noinput
	$(RUN_ENV) $(BIN)/python manage.py bootstrap_demo --url http://127.0.0.1:$(PORT)
	PATH="$(BIN):$$PATH" $(RUN_ENV) WEB_PORT=$(PORT) $(BIN)/honcho -f clianta/Procfile -d $(CURDIR) start

test: $(INSTALLED)
	$(BIN)/pytest $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
