# Two commands on a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST := 127.0.0.1
PORT ?= 8000
DEV_USER ?= dev-user
# The browser the admin's browser test drives; `make test` installs Debian's if it is missing.
CHROMIUM ?= /usr/bin/chromium

.PHONY: run test browser lint format install migrate static bench bench-wrk clean

run: install .env migrate static
	@echo
	@echo "Try the API (token valid 60 minutes, for user $(DEV_USER)):"
	@echo
	@# --force: DEBUG is off in the development .env too, and this target is development by definition.
	@token=$$($(BIN)/python manage.py issue_dev_token $(DEV_USER) --email $(DEV_USER)@example.com --name "Dev User" --force) \
		&& echo "  curl -H 'Authorization: Bearer $$token' http://$(HOST):$(PORT)/api/tasks"
	@echo
	@echo "Admin: http://$(HOST):$(PORT)/admin/   API docs: http://$(HOST):$(PORT)/api/docs/ (open them"
	@echo "signed into the admin; create an account with: .venv/bin/python manage.py createsuperuser)"
	@echo
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install browser
	CHROMIUM='$(CHROMIUM)' $(BIN)/pytest

browser:
	@scripts/ensure-browser '$(CHROMIUM)'

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

install: $(VENV)/.installed

$(VENV)/.installed: requirements.txt requirements-dev.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -r requirements-dev.txt
	touch $@

migrate: install
	$(BIN)/python manage.py migrate --no-input

# The manifest the server refuses to start without (DEBUG off).
static: install
	@$(BIN)/python manage.py collectstatic --noinput -v 0

# A development .env with fresh random secrets; an existing one is never overwritten.
.env:
	$(BIN)/python -c "import secrets, pathlib; \
	text = pathlib.Path('.env.example').read_text(); \
	text = text.replace('DJANGO_SECRET_KEY=\n', 'DJANGO_SECRET_KEY=' + secrets.token_urlsafe(50) + '\n'); \
	text = text.replace('BETTER_AUTH_SECRET=\n', 'BETTER_AUTH_SECRET=' + secrets.token_urlsafe(48) + '\n'); \
	pathlib.Path('.env').write_text(text)"
	@echo "Wrote .env with fresh development secrets."

# Load test against the FastAPI reference (see README, "Benchmarks"); e.g. BENCH_ARGS="--seconds 10".
bench: install static bench-wrk
	$(BIN)/python bench/run.py $(BENCH_ARGS)

# The bench's load generator, Debian's wrk: installed when missing, if we may (root, apt-get).
bench-wrk:
	@command -v wrk >/dev/null 2>&1 || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
			apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; \
		else \
			echo "make bench needs wrk: install it (Debian/Ubuntu: sudo apt-get install wrk; macOS: brew install wrk)"; \
			exit 1; \
		fi; }

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
