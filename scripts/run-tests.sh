#!/usr/bin/env bash
# README command (2): set up, then run the whole test suite headless.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
export QT_QPA_PLATFORM=offscreen QT_API=pyside6
echo "== import contract (headless core imports no Qt)"
.venv/bin/lint-imports
echo "== lint (ruff, the whole tree)"
.venv/bin/ruff check --quiet .
echo "== types (mypy: the headless engine and the seams its fakes implement)"
.venv/bin/mypy
echo "== portability (no unguarded POSIX-only use: studios run Windows)"
.venv/bin/python -m tests.portability.checker
echo "== tests"
.venv/bin/python -m pytest -q -p no:cacheprovider "$@"
