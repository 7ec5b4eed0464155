# Maillage — the two commands: `make run` (demo on http://127.0.0.1:8000) and `make test`.
# Production: `make release` builds the archive (with npm, here), `make install` installs it on the
# server (no npm there); docs/operations.md and ADR 0025.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP_FLAGS := --disable-pip-version-check --no-input --quiet
HOST ?= 127.0.0.1
PORT ?= 8000
# The demo's relaxed second factor; never in production, which refuses it.
ifneq ($(MAILLAGE_PRODUCTION),1)
export MAILLAGE_DEMO_RELAX_MFA ?= 1
endif

.PHONY: run setup test lint lock bench migrate demo clean release install

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

# --- Release and production install (ADR 0025) ---------------------------------------------------
# The archive holds the committed code (git archive: tests, benchmarks and CI left out by
# .gitattributes) and the files of the npm packages the application reads at run time, so that the
# server needs neither git nor node: htmx and Leaflet (served as static files) and the COG
# (install_reference). Those files are copied from node_modules/ at build time, never into git.
RELEASE_VERSION ?= $(shell git describe --tags --always 2>/dev/null)
RELEASE_NAME := maillage-$(RELEASE_VERSION)
RUNTIME_NODE_PACKAGES := htmx.org leaflet @etalab/decoupage-administratif

# It reads node_modules/ as installed (`make setup` or `npm ci`) and never reinstalls it: npm ci
# empties the folder first, and a node_modules shared through a symbolic link would be emptied for
# every checkout that uses it.
release:
	@for package in $(RUNTIME_NODE_PACKAGES); do test -d node_modules/$$package || { echo "node_modules/$$package manque : lancez make setup (ou npm ci) avant make release."; exit 1; }; done
	@git diff --quiet HEAD -- || echo "Attention : des modifications non enregistrées (git commit) ne sont pas dans l'archive."
	rm -rf dist/$(RELEASE_NAME) dist/$(RELEASE_NAME).tar.gz
	mkdir -p dist/$(RELEASE_NAME)/node_modules/@etalab
	git archive --format=tar HEAD | tar -x -C dist/$(RELEASE_NAME)
	for package in $(RUNTIME_NODE_PACKAGES); do cp -a node_modules/$$package dist/$(RELEASE_NAME)/node_modules/$$package; done
	echo "$(RELEASE_VERSION)" > dist/$(RELEASE_NAME)/VERSION
	tar -czf dist/$(RELEASE_NAME).tar.gz -C dist $(RELEASE_NAME)
	rm -rf dist/$(RELEASE_NAME)
	@echo "Archive : dist/$(RELEASE_NAME).tar.gz"

# On the server, in the unpacked archive, with the service's environment loaded
# (`set -a; . /etc/maillage/maillage.env; set +a`): the runtime packages only, then the static
# files under hashed names, the migrations (after a backup when there are some) and the reference
# territory. Run again after each update; every step is idempotent.
install:
	@test "$$MAILLAGE_PRODUCTION" = 1 || { echo "make install est l'installation de production : chargez d'abord l'environnement du service (set -a; . /etc/maillage/maillage.env; set +a)."; exit 1; }
	@for package in $(RUNTIME_NODE_PACKAGES); do test -d node_modules/$$package || { echo "node_modules/$$package manque : installez une archive construite par make release (ou lancez npm ci)."; exit 1; }; done
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install $(PIP_FLAGS) --require-hashes --no-deps -r requirements.lock \
		> $(VENV)/pip.log 2>&1 || (cat $(VENV)/pip.log; exit 1)
	$(PY) -m pip check $(PIP_FLAGS)
	$(PY) manage.py check --deploy --fail-level ERROR
	$(PY) manage.py collectstatic --noinput -v 0
	scripts/migrate-with-backup
	$(PY) manage.py install_reference

clean:
	rm -rf $(VENV) node_modules var dist
