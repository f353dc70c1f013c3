# `make run` serves the app on http://127.0.0.1:5000 (SQLite under instance/); `make test` tests it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup run test test-fast lint format bench chromium engines db-upgrade translations clean

setup: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	rm -f $(VENV)/.installed-* && touch $@

db-upgrade: setup
	$(VENV)/bin/flask --app wsgi db upgrade

run: db-upgrade
	$(PY) wsgi.py

# Browser tests drive Debian's Chromium; install it when missing (needs root, as on CI).
chromium:
	@test -x $(CHROMIUM) || { \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null); \
	  else echo "Chromium is missing: sudo apt-get install -y chromium" >&2; exit 1; fi; }

# The client's flow runs in Firefox ESR and WebKitGTK too (tests/browser/engines), on a virtual
# screen with a null audio sink; install what is missing (as root; otherwise those tests skip,
# except on CI, where they fail).
ENGINE_PACKAGES := firefox-esr:firefox-esr webkit2gtk-driver:WebKitWebDriver xvfb:Xvfb \
	pulseaudio:pulseaudio
engines:
	@missing=""; for pair in $(ENGINE_PACKAGES); do \
	  command -v "$${pair#*:}" >/dev/null 2>&1 || missing="$$missing $${pair%%:*}"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null); \
	  else echo "Missing for the engine tests (they will skip):$$missing" >&2; fi; fi

# The tests without a browser run on every core (each test has its own database or schema);
# the real-browser tests run one at a time, as their timings need the machine to themselves.
TEST_WORKERS ?= auto

test: setup chromium engines
	$(PY) -m pytest -m "not browser" -n $(TEST_WORKERS) --dist worksteal
	$(PY) -m pytest -m browser

# Everything but the real-browser tests: seconds, for quick feedback while working.
test-fast: setup
	$(PY) -m pytest -m "not browser" -n $(TEST_WORKERS) --dist worksteal

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: setup
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

bench: setup chromium
	$(PY) bench/sync.py
	$(PY) bench/client.py
	$(PY) bench/disconnects.py
	$(PY) bench/relay.py
	$(PY) bench/relay.py --scaling

# The client's pages in every language: gather the words (babel.cfg), merge them into each
# language's messages.po (new or changed words come in untranslated or marked fuzzy: translate
# them, remove the fuzzy mark, and run this again), compile the .mo files the app reads.
# Safe to run any time; commit the .pot, .po and .mo files it changes.
TRANSLATIONS := telehealth/translations
LANGUAGES := es de

translations: setup
	$(VENV)/bin/pybabel extract --mapping-file=babel.cfg --keyword=lazy_gettext --keyword=_l \
	  --project=telehealth --sort-by-file --width=100 --omit-header \
	  --output-file=$(TRANSLATIONS)/messages.pot .
	for lang in $(LANGUAGES); do \
	  if [ -f $(TRANSLATIONS)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(VENV)/bin/pybabel update --input-file=$(TRANSLATIONS)/messages.pot \
	      --output-dir=$(TRANSLATIONS) --locale=$$lang --width=100 --ignore-obsolete || exit 1; \
	  else \
	    $(VENV)/bin/pybabel init --input-file=$(TRANSLATIONS)/messages.pot \
	      --output-dir=$(TRANSLATIONS) --locale=$$lang --width=100 || exit 1; \
	  fi; \
	done
	$(VENV)/bin/pybabel compile --directory=$(TRANSLATIONS) --statistics

clean:
	rm -rf $(VENV) .pytest_cache
