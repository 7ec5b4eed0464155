# Maillage — the two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS := --disable-pip-version-check --no-input --quiet
HOST ?= 127.0.0.1
PORT ?= 8000
export MAILLAGE_DEMO_RELAX_MFA ?= 1

.PHONY: run setup test lint lock bench migrate demo clean

run: setup
	$(PY) manage.py migrate --noinput -v 0
	$(PY) manage.py install_reference
	$(PY) manage.py load_demo
	$(PY) manage.py collectstatic --noinput -v 0
	@echo "Maillage est servi sur http://$(HOST):$(PORT)/ (Ctrl-C pour arrêter)"
	@# The worker sends the emails beside the web server, and the periodic jobs run every five
	@# minutes, as in production with its timer (docs/operations.md); the console backend prints the
	@# emails here. Stopping the server stops both.
	$(PY) manage.py worker --no-reload & worker=$$!; \
	(while true; do $(PY) manage.py run_periodic >/dev/null || true; sleep 300; done) & periodic=$$!; \
	trap 'kill $$worker $$periodic 2>/dev/null; wait $$worker $$periodic 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver $(HOST):$(PORT) --noreload

setup: $(VENV)/.installed node_modules/.installed

# The virtual environment is rebuilt only when a lock file changes; every package is pinned with
# its hash, so pip refuses anything else.
$(VENV)/.installed: requirements.lock requirements-dev.lock
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --require-hashes --no-deps -r requirements.lock -r requirements-dev.lock \
		> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	DJANGO_SETTINGS_MODULE=config.settings $(PY) -c "import django; django.setup(); import ninja, allauth, shapely, playwright, pytest_django"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

test: lint
	$(VENV)/bin/pytest

bench: setup
	$(PY) bench/coverage.py

# Regenerates the lock files (needs pip-tools in the venv: `pip install pip-tools`).
lock:
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras requirements.in -o requirements.lock
	$(VENV)/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras requirements-dev.in -o requirements-dev.lock

clean:
	rm -rf $(VENV) node_modules var
