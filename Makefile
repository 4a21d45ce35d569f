# make run: set up, migrate, seed demo data when empty, serve on http://127.0.0.1:5000
# make test: set up and run every test
# make messages: re-extract the interface strings and merge them into the English catalogue
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app volunteer
PYTEST_ARGS ?=

.PHONY: run test install clean messages

$(BIN)/activate: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/activate

install: $(BIN)/activate
	$(BIN)/pybabel -q compile -d volunteer/translations  # the app also compiles a stale .mo at start

run: install
	$(FLASK) db upgrade
	@$(FLASK) seed demo 2>/dev/null && true || echo "数据库已有数据：跳过演示数据。办公室账号 office（若是演示库，密码 demo-pass-2026）"
	$(FLASK) run --host 127.0.0.1 --port 5000

test: install
	$(BIN)/python -m pytest -n 2 $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) build *.egg-info

messages: install
	$(BIN)/pybabel -q extract -F babel.cfg --ignore-dirs='.* __pycache__' -k lazy_gettext -k _l -k N_ --no-location --sort-output -o volunteer/translations/messages.pot .
	$(BIN)/pybabel -q update --no-fuzzy-matching -i volunteer/translations/messages.pot -d volunteer/translations
