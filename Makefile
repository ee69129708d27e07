# Two commands for a newcomer: `make run` (demo on SQLite) and `make test` (the whole suite).
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint bench load setup assets demo

$(STAMP): requirements.txt requirements-dev.txt pyproject.toml
	@command -v $(PY) >/dev/null || { echo "需要 Python 3.11 (python3.11)"; exit 1; }
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -r requirements-dev.txt
	$(BIN)/pip install -q --no-deps -e .
	touch $(STAMP)

setup: $(STAMP) assets

assets: src/dangjian/static/vendor/.stamp
src/dangjian/static/vendor/.stamp: package.json package-lock.json scripts/vendor_assets.sh
	npm ci --no-audit --no-fund --loglevel=error
	scripts/vendor_assets.sh
	touch $@

run: setup
	$(BIN)/dangjian migrate --noinput
	$(BIN)/dangjian seed_demo
	@echo "后台任务进程（导入、导出）随网站一同启动；按 Ctrl+C 同时停止。"
	trap 'kill 0' EXIT INT TERM; $(BIN)/dangjian run_huey --quiet & $(BIN)/dangjian runserver $(ADDR)

test: setup
	$(BIN)/pytest -q -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check . && $(BIN)/ruff format --check . && cd src && ../$(BIN)/lint-imports --config ../pyproject.toml

bench: setup
	$(BIN)/python bench/run.py

# 50 people for 2 minutes against gunicorn + PostgreSQL at scale L (bench/load.py --help; LOAD_ARGS for options)
LOAD_STAMP := $(VENV)/.installed-bench
$(LOAD_STAMP): $(STAMP) requirements-bench.txt
	$(BIN)/pip install -q -r requirements-bench.txt
	touch $(LOAD_STAMP)

load: setup $(LOAD_STAMP)
	$(BIN)/python bench/load.py $(LOAD_ARGS)
