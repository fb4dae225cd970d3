# Pasar Kampung Kuliner — `make help` lists the targets.
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi.py

.PHONY: help run test lint fmt migrate bench setup translations i18n prod-up prod-down

help: ## Show this help
	@grep -E '^[a-z]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

$(BIN)/activate: requirements.txt requirements-dev.txt
	$(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	touch $(BIN)/activate

setup: $(BIN)/activate translations ## Create the virtualenv, install pinned requirements, compile translations

translations: $(BIN)/activate
	$(BIN)/pybabel compile -d marketplace/translations

run: setup ## Set up, migrate, load demo data and serve http://127.0.0.1:5000
	$(BIN)/flask db upgrade
	$(BIN)/flask seed-demo --if-empty
	$(BIN)/flask demo-logins
	$(BIN)/python scripts/dev_server.py

test: setup ## Run the whole test suite (SQLite and PostgreSQL, browser journeys)
	$(BIN)/ruff check .
	$(BIN)/pytest

lint: $(BIN)/activate ## Lint with ruff
	$(BIN)/ruff check .

fmt: $(BIN)/activate ## Format with ruff
	$(BIN)/ruff format .

migrate: $(BIN)/activate ## Create a migration: make migrate m="message"
	$(BIN)/flask db migrate -m "$(m)"

bench: setup ## Run the benchmarks (they print figures)
	PYTHONPATH=. $(BIN)/python benchmarks/listing_queries.py
	PYTHONPATH=. $(BIN)/python benchmarks/books_reports.py
	PYTHONPATH=. $(BIN)/python benchmarks/checkout_contention.py
	PYTHONPATH=. $(BIN)/python benchmarks/city_scale.py
	PYTHONPATH=. $(BIN)/python benchmarks/stack_throughput.py
	PYTHONPATH=. $(BIN)/python benchmarks/lighthouse.py

i18n: $(BIN)/activate ## Extract interface strings and update the English catalogue
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs ".* __pycache__" --no-location --sort-output -o marketplace/translations/messages.pot .
	$(BIN)/pybabel update -i marketplace/translations/messages.pot -d marketplace/translations --no-fuzzy-matching

prod-up: setup ## Start the production shape locally: nginx (TLS) + 2 app instances + Celery on PostgreSQL/Redis
	$(BIN)/python deploy/stack.py up

prod-down: ## Stop what prod-up started
	$(BIN)/python deploy/stack.py down
