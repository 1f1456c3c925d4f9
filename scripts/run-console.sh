#!/usr/bin/env bash
# README command (1): set up, then launch Livedesk on the built-in simulator, recording locally.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
exec .venv/bin/livedesk console --simulate "$@"
