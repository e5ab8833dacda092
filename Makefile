# Carto-Langue: the two commands of the README are `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
DEMO_COURSES ?= 3000
DEMO_SEED ?= 1
PORT ?= 8000

.PHONY: run test quality install serve demo messages clean bench bench-smoke

# The venv is rebuilt when the lock file changes.
$(VENV)/.installed: requirements.lock
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py compilemessages --ignore '.venv' -v0
	$(PY) manage.py load_territories
	$(PY) manage.py load_zoning "Bassins d'emploi Île-de-France (BMO, France Travail)" data/territories/bassins_emploi_bmo_idf_communes.csv --slug bassins-bmo --source "France Travail, enquête BMO (data/territories/PROVENANCE.md)" --commune-column code_commune_insee --zone-column code_bassin_BMO --label-column lib_bassin_BMO --skip-unknown
	$(PY) manage.py load_needs
	$(PY) manage.py generate_demo --courses $(DEMO_COURSES) --seed $(DEMO_SEED)
	$(PY) manage.py import_actors france-services data/actors/france_services_idf_20240801.csv
	$(PY) manage.py import_actors pole-emploi-agences data/actors/pole_emploi_agences_idf_2019.csv
	$(PY) manage.py import_actors siae-asp data/actors/siae_idf_2019-07_asp.csv
	$(PY) manage.py import_actors annuaire-dila data/actors/annuaire_dila_2019_idf_extrait_dada.csv
	$(PY) manage.py generate_demo_actors
	$(PY) manage.py load_sources data/sources.toml
	$(PY) manage.py sync_sources --no-publish
	$(PY) manage.py publish_exports
	$(PY) manage.py create_demo_accounts
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	$(PY) manage.py compilemessages --ignore '.venv' -v0
	$(BIN)/pytest $(PYTEST_ARGS)

quality: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/djlint --check cartolangue
	$(BIN)/djlint --lint cartolangue
	DJANGO_SETTINGS_MODULE=config.settings.test $(PY) manage.py makemigrations --check --dry-run
	$(BIN)/mypy

# Benchmarks print figures (bench/run.py): 10,000 and 100,000 courses on SQLite and PostgreSQL, several minutes.
bench: install
	$(PY) manage.py compilemessages --ignore '.venv' -v0
	$(PY) bench/run.py

# The same harness on tiny sizes, in seconds: CI runs it so that it never rots (it checks figures come out).
bench-smoke: install
	$(PY) manage.py compilemessages --ignore '.venv' -v0
	$(PY) bench/run.py --smoke --out bench/results-smoke.json

messages: install
	$(PY) manage.py makemessages -l en -l ar -l fa -l ps -l ta -l zh_Hans -l ru -l uk -l es -l ti --ignore '.venv/*' --no-obsolete

lock:
	$(BIN)/pip-compile --quiet --allow-unsafe --extra dev --strip-extras --no-emit-index-url --no-emit-find-links -o requirements.lock pyproject.toml

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-* staticfiles exports .pytest_cache
