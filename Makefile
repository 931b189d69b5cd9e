# Delight Desk: `make run` starts the whole desk with demo data; `make test` runs the whole suite.
# Needs only python3 (3.11+). Everything else is installed into .venv from the pinned requirements.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export PORT
export DESK_PORT := $(PORT)

.PHONY: run test e2e lint messages bench clean help

help:
	@echo "make run   - install, migrate, load demo data once, start web + worker + beat on :$(PORT)"
	@echo "make test  - install and run the whole suite (browser journeys included)"
	@echo "make lint  - ruff"

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall whenever a requirements file changes. --no-compile: Python compiles what is imported, when it
# is first imported (a third of the install's time went to compiling every module of every package).
$(VENV)/.installed-run: $(BIN)/activate requirements.txt
	$(BIN)/python -m pip install --quiet --no-compile -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed-run requirements-dev.txt
	$(BIN)/python -m pip install --quiet --no-compile -r requirements-dev.txt
	touch $@

# Compiling catalogues needs no secrets: run it with development settings whatever the target.
messages: $(VENV)/.installed-run
	DEBUG=1 $(BIN)/python manage.py compile_translations

run: export DEBUG ?= 1
# A new user who resolves a ticket sees its survey on the Sent mail page within the minute (production: an hour).
run: export SURVEY_DELAY_SECONDS ?= 60
run: $(VENV)/.installed-run messages
	$(BIN)/python manage.py migrate --no-input
	$(BIN)/python manage.py seed_demo
	@echo ""
	@echo "  Delight Desk is starting on http://127.0.0.1:$(PORT)/ (the front door: support form, fresh links, log in)"
	@echo "  Log in as admin, supervisor, agent or customer; the password is: demo"
	@echo "  Support form: http://127.0.0.1:$(PORT)/support/   API docs: http://127.0.0.1:$(PORT)/api/docs/"
	@echo "  Sent mail (demo): http://127.0.0.1:$(PORT)/dev/mail/    Ctrl-C stops everything."
	@echo "  A resolved ticket's survey email goes out $(SURVEY_DELAY_SECONDS) seconds after (SURVEY_DELAY_SECONDS)."
	@echo ""
	@# Ctrl-C: honcho stops web, worker and beat (SIGTERM to each) and exits 130; that is the way out, not an
	@# error for make to report. The shell ignores the SIGINT itself and waits for honcho to finish.
	@trap '' INT; $(BIN)/honcho start -f Procfile.dev || [ $$? -eq 130 ]

# The quick checks fail first: lint, then a model change without its migration. Then the suite, in
# parallel (pytest-xdist, one process per CPU core; TEST_WORKERS=0 runs it in this process). Tests that
# share an expensive fixture (`make run`'s desk, Chromium, a module's demo data) stay on one worker
# (conftest.py); each worker has its own test database, Redis database and broker folder.
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev messages
	$(BIN)/ruff check .
	DEBUG=1 $(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder $(PYTEST_ARGS)

e2e: $(VENV)/.installed-dev messages
	$(BIN)/python -m pytest -n $(TEST_WORKERS) --dist loadgroup --no-loadscope-reorder tests/e2e $(PYTEST_ARGS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/run_all.py

clean:
	rm -rf $(VENV) staticfiles var/broker var/celery-results
