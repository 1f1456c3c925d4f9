#!/usr/bin/env bash
# Set up everything Livedesk needs on a fresh Debian machine with Python 3.11-3.13:
# the Debian packages Qt and the tests need, and a virtual environment in .venv.
set -euo pipefail
cd "$(dirname "$0")/.."

DEBIAN_PACKAGES=(libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3
                 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-shape0 libxcb-xinerama0
                 libxcb-randr0 libxcb-render-util0 libxcb-image0
                 fonts-noto-cjk fontconfig xvfb xauth postgresql poppler-utils chromium)
# Wanted but not required: the OBS overlay's integration test runs against a real OBS Studio
# when it is installed, and otherwise against a protocol-faithful fake (and says so).
OPTIONAL_PACKAGES=(obs-studio)
missing_from() {
    local pkg
    for pkg in "$@"; do
        dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || echo "$pkg"
    done
}
SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
apt_install() {
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "$@" >/dev/null
}
mapfile -t missing < <(missing_from "${DEBIAN_PACKAGES[@]}")
mapfile -t missing_optional < <(missing_from "${OPTIONAL_PACKAGES[@]}")
if [ ${#missing[@]} -gt 0 ] || [ ${#missing_optional[@]} -gt 0 ]; then
    $SUDO apt-get update -q >/dev/null || true
fi
if [ ${#missing[@]} -gt 0 ]; then
    echo "setup: installing Debian packages: ${missing[*]}"
    apt_install "${missing[@]}"
fi
if [ ${#missing_optional[@]} -gt 0 ]; then
    echo "setup: installing optional Debian packages: ${missing_optional[*]}"
    apt_install "${missing_optional[@]}" ||
        echo "setup: warning: could not install ${missing_optional[*]}; the OBS test will use its fake" >&2
fi

PYTHON=""
for candidate in python3.13 python3.12 python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 &&
       "$candidate" -c 'import sys; sys.exit(not ((3, 11) <= sys.version_info[:2] < (3, 14)))' 2>/dev/null; then
        PYTHON="$candidate"; break
    fi
done
[ -n "$PYTHON" ] || { echo "setup: need Python 3.11, 3.12 or 3.13" >&2; exit 1; }

stamp=".venv/.livedesk-installed"
if [ ! -x .venv/bin/python ]; then
    echo "setup: creating .venv with $($PYTHON --version)"
    "$PYTHON" -m venv .venv
fi
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
    .venv/bin/python -m pip install -q --upgrade pip
    .venv/bin/python -m pip install -q -e ".[test]"
    touch "$stamp"
fi
