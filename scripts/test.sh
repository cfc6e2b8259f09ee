#!/usr/bin/env bash
# One command for a fresh machine: install everything, start PostgreSQL and Redis, lint, then run
# the whole suite on SQLite and again on PostgreSQL. Extra arguments go to pytest.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
scripts/services.sh
echo "==> ruff"
.venv/bin/ruff check .
.venv/bin/ruff format --check .
WORKERS=${PYTEST_WORKERS:-2}
echo "==> pytest on SQLite"
.venv/bin/python -m pytest -n "$WORKERS" -p no:cacheprovider "$@"
echo "==> pytest on PostgreSQL"
LMS_TEST_DATABASE_URL="postgresql+psycopg://postgres@127.0.0.1:5432/test" \
  .venv/bin/python -m pytest -n "$WORKERS" -p no:cacheprovider "$@"
