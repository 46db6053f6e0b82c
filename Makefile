# CONVERGE federation: the front door. `make help` lists every target.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3
UV := $(shell command -v uv 2>/dev/null || echo $(HOME)/.local/bin/uv)
SERVICES := registry metadata impact gateway
# two test processes (pytest-xdist): each has its own databases, OpenID provider and ports
PYTEST_ARGS ?= -n 2

.PHONY: help
help: ## list every target
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-14s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m pip install --user --quiet uv || $(PYTHON) -m pip install --quiet --break-system-packages uv

.venv/.installed: $(UV) uv.lock pyproject.toml shared/pyproject.toml $(wildcard services/*/pyproject.toml)
	# bytecode compiled once here: where PYTHONDONTWRITEBYTECODE is set, every start of every
	# process would otherwise compile its libraries from source again (docs/demo.md)
	$(UV) sync --frozen --compile-bytecode
	@touch $@

tests/oidc/node_modules/.installed: tests/oidc/package-lock.json
	npm ci --prefix tests/oidc --no-audit --no-fund --loglevel=error
	@touch $@

.PHONY: install
install: .venv/.installed tests/oidc/node_modules/.installed ## install Python (uv) and Node.js (npm) dependencies

.PHONY: run
run: install ## start the demo federation (OpenID provider, registry, gateway, three Nodes) on SQLite
	$(UV) run --frozen python -m scripts.demo

.PHONY: stop
stop: install ## stop a demo federation an earlier make run left running
	$(UV) run --frozen python -m scripts.demo stop

.PHONY: test
test: install ## run the test suite (PostgreSQL too when CONVERGE_TEST_POSTGRES_URL is set)
	$(UV) run --frozen pytest $(PYTEST_ARGS)

.PHONY: lint
lint: install ## ruff format check, ruff check, and the import-boundary check
	$(UV) run --frozen ruff format --check .
	$(UV) run --frozen ruff check .
	$(UV) run --frozen python -m scripts.check_boundaries

.PHONY: format
format: install ## apply ruff formatting and safe fixes
	$(UV) run --frozen ruff format .
	$(UV) run --frozen ruff check --fix .

.PHONY: typecheck
typecheck: install ## mypy --strict on shared/ and services/
	$(UV) run --frozen mypy shared/src services/registry/src services/metadata/src services/impact/src services/gateway/src ops/src

.PHONY: openapi
openapi: install ## write each service's OpenAPI document to docs/openapi/
	@for s in $(SERVICES); do $(UV) run --frozen converge-$$s openapi --output docs/openapi/$$s.json; done

PORTAL := services/gateway/src/converge_gateway/portal
.PHONY: messages
messages: install ## extract the portal's and workspaces' messages and merge them into each language's catalogue
	$(UV) run --frozen pybabel extract -F $(PORTAL)/babel.cfg -o $(PORTAL)/translations/messages.pot --no-location --omit-header $(PORTAL) shared/src/converge_common/web
	$(UV) run --frozen pybabel update -i $(PORTAL)/translations/messages.pot -d $(PORTAL)/translations --no-fuzzy-matching
	@# each service's workspace: its own pages and the shared workspace's and layout's, in one
	@# catalogue per service (record form labels marked N_)
	@for s in metadata impact; do \
	  ws=services/$$s/src/converge_$$s/workspace; \
	  $(UV) run --frozen pybabel extract -F $(PORTAL)/babel.cfg -o $$ws/translations/messages.pot \
	    --no-location --omit-header -k N_ \
	    $$ws shared/src/converge_common/workspace shared/src/converge_common/web || exit 1; \
	  $(UV) run --frozen pybabel update -i $$ws/translations/messages.pot -d $$ws/translations \
	    --no-fuzzy-matching || exit 1; \
	done

.PHONY: openapi-check
openapi-check: install ## fail when a committed OpenAPI document drifts from the code
	@for s in $(SERVICES); do \
	  $(UV) run --frozen converge-$$s openapi | diff -u docs/openapi/$$s.json - >/dev/null \
	    || { echo "docs/openapi/$$s.json is out of date: run 'make openapi'"; exit 1; }; \
	done; echo "OpenAPI documents match the code"

.PHONY: migrate
migrate: install ## upgrade every service's database (uses CONVERGE_<SERVICE>_DATABASE_URL)
	@for s in registry metadata impact; do $(UV) run --frozen converge-$$s migrate; done

.PHONY: bench
bench: install ## run the benchmarks and write docs/benchmarks.md
	$(UV) run --frozen python -m bench

.PHONY: soak
soak: install ## load the demo federation with mixed traffic (CONVERGE_SOAK_SECONDS, default 600); figures to docs/reliability.md
	$(UV) run --frozen python -m bench.soak

.PHONY: clean
clean: ## remove the demo's data and caches (keeps installed dependencies)
	rm -rf var .pytest_cache .mypy_cache .ruff_cache
