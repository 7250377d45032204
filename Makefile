# make run   – install, migrate, create the demo login, start web + worker + beat (Ctrl-C stops all)
# make test  – install, then run the whole test suite
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
INSTALLED := $(VENV)/.installed

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
	DEBUG=true $(BIN)/python manage.py migrate --noinput
	DEBUG=true $(BIN)/python manage.py bootstrap_demo --url http://127.0.0.1:$(PORT)
	PATH="$(BIN):$$PATH" DEBUG=true WEB_PORT=$(PORT) $(BIN)/honcho -f clianta/Procfile -d $(CURDIR) start

test: $(INSTALLED)
	$(BIN)/pytest $(ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: $(INSTALLED)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .
