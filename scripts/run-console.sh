#!/usr/bin/env bash
# README command (1): set up, then launch Livedesk on the built-in simulator, recording locally.
# Extra arguments go to `livedesk console` (e.g. --speed 10, --db URL, --plan FILE).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
if [ -z "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ] && [ -z "${QT_QPA_PLATFORM:-}" ]; then
    echo "run-console: no display (DISPLAY and WAYLAND_DISPLAY are unset)." >&2
    echo "  Run it on a desktop, or on a virtual screen: xvfb-run -a bash scripts/run-console.sh" >&2
    exit 2
fi
exec .venv/bin/livedesk console --simulate "$@"
