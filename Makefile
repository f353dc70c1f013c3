# `make run` serves the app on http://127.0.0.1:5000 (SQLite under instance/); `make test` tests it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
CHROMIUM ?= /usr/bin/chromium

.PHONY: setup run test test-fast lint format bench chromium db-upgrade translations clean

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

test: setup chromium
	$(PY) -m pytest

# Everything but the real-browser tests: seconds, for quick feedback while working.
test-fast: setup
	$(PY) -m pytest -m "not browser"

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
