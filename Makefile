# Territorio Abierto: the one task runner. CI (.ci/run) calls `make lint test`.
SHELL := /bin/bash
PORT ?= 8000
PY := .venv/bin/python
BOOT := scripts/bootstrap.sh

.PHONY: run test lint stop setup migrate demo bench-tiles bench-queries bench-households bench-exports bench-maps bench-population bench-imports bench-growth clean-local help serve-prod bench-participation bench-chat bench-budget bench-capacity

help:
	@echo "make run    install what is missing, start PostGIS, load demo data, serve http://127.0.0.1:$(PORT)"
	@echo "make test   same bootstrap without serving, then the whole pytest suite"
	@echo "make lint   ruff + mypy"
	@echo "make stop   stop the project-local PostGIS"

setup:
	@$(BOOT) all

run: setup
	@echo "Serving http://127.0.0.1:$(PORT)/  (Ctrl+C to stop; 'make stop' stops the database)"
	@# The import queue's worker runs alongside the server and stops with it (planning.jobs).
	@$(PY) manage.py run_import_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		DEBUG=$${DEBUG:-1} $(PY) manage.py runserver 127.0.0.1:$(PORT)

# The production pair: nginx (edge cache, EDGE_PORT, default 8080) in front of Granian (scripts/serve.sh --edge).
serve-prod: setup
	@scripts/serve.sh --edge

test:
	@$(BOOT) test-setup
	@$(PY) -m pytest $(PYTEST_ARGS)

lint:
	@$(BOOT) python >/dev/null
	@$(PY) -m ruff check .
	@$(PY) -m ruff format --check .
	@$(PY) -m mypy

stop:
	@$(BOOT) stop

migrate:
	@$(BOOT) migrate

demo:
	@$(BOOT) demo

bench-tiles:
	@$(BOOT) test-setup
	@# tipg (the peer) under uvicorn with httptools and uvloop, its production setup (the bench extra).
	@.venv/bin/pip install -q -r requirements-bench.lock
	@$(PY) benchmarks/bench_tiles.py

bench-capacity:
	@$(BOOT) test-setup
	@# Requests per second per core for each request class of the README's capacity model.
	@$(PY) benchmarks/bench_capacity.py

bench-queries:
	@$(BOOT) test-setup
	@$(PY) benchmarks/bench_queries.py

bench-growth:
	@$(BOOT) test-setup
	@$(PY) benchmarks/bench_growth.py

bench-households:
	@$(BOOT) test-setup
	@$(PY) benchmarks/bench_households.py

bench-exports:
	@$(BOOT) test-setup
	@$(PY) benchmarks/bench_exports.py

bench-maps:
	@$(BOOT) test-setup
	@# The downloaded folium map of a municipio with 10,000 works (BENCH_MAP_WORKS).
	@$(PY) benchmarks/bench_maps.py

bench-population:
	@$(BOOT) python >/dev/null
	@$(PY) benchmarks/bench_population.py

bench-imports:
	@$(BOOT) test-setup
	@$(PY) benchmarks/bench_imports.py

bench-participation:
	@$(BOOT) test-setup
	@# A work page with 500 published citizen reports and a 100,000-report moderation queue (BENCH_WORKS works).
	@$(PY) benchmarks/bench_participation.py

bench-chat:
	@$(BOOT) test-setup
	@# The chat's answer at BENCH_CHAT_WORKS works (default 1,000,000) and the webhook at 50 messages/s.
	@$(PY) benchmarks/bench_chat.py

bench-budget:
	@$(BOOT) test-setup
	@# A 200,000-line CONAC budget loaded against a raw COPY of the same file; every page's p50, cache cold.
	@$(PY) benchmarks/bench_budget.py

clean-local: stop
	rm -rf .local
