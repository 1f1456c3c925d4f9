#!/usr/bin/env bash
# Start a throwaway PostgreSQL server on loopback (free port, temp dir owned by a non-root
# user), export LIVEDESK_TEST_PG_URL, run the given command, then stop the server.
#   scripts/test-postgres.sh .venv/bin/python -m pytest -q tests/recorder -m postgres
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PYTHON:-.venv/bin/python}
[ $# -gt 0 ] || set -- "$PY" -m pytest -q tests/recorder -m postgres
exec "$PY" tests/recorder/pg_server.py "$@"
