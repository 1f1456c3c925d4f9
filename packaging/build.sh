#!/usr/bin/env bash
# Build a Livedesk package with one command (from any directory):
#
#   bash packaging/build.sh            # PyInstaller one-folder build -> dist/livedesk/
#                                      # Linux: + dist/livedesk-<version>-linux-x86_64.tar.gz
#                                      #        (with livedesk.desktop and the icon)
#                                      # Windows (Git Bash/MSYS): + Inno Setup installer when
#                                      #        ISCC.exe is on PATH -> dist/installer/
#
#   bash packaging/build.sh --no-tarball   # only dist/livedesk/ (what the smoke test needs)
#
# Needs the project venv (bash scripts/setup.sh); installs the `package` extra
# (pyinstaller==6.22.3, pinned in pyproject.toml) into it if missing.
# Environment: PYTHON (default .venv/bin/python or .venv/Scripts/python.exe).
# Outputs (gitignored): build/pyinstaller/ (work files), dist/.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
TARBALL=1
for arg in "$@"; do
  case "$arg" in
    --no-tarball) TARBALL=0 ;;
    *) echo "usage: bash packaging/build.sh [--no-tarball]" >&2; exit 2 ;;
  esac
done

if [[ -z "${PYTHON:-}" ]]; then
  if [[ -x .venv/bin/python ]]; then PYTHON=.venv/bin/python; else PYTHON=.venv/Scripts/python.exe; fi
fi
VERSION=$("$PYTHON" -c 'import importlib.metadata as m; print(m.version("livedesk"))')

if ! "$PYTHON" -c 'import PyInstaller' 2>/dev/null; then
  PIN=$(sed -n 's/^package = \["\(pyinstaller==[^"]*\)"\]/\1/p' pyproject.toml)
  "$PYTHON" -m pip install -q "${PIN:-pyinstaller==6.22.3}"
fi

echo "== PyInstaller (one folder) livedesk $VERSION"
"$PYTHON" -m PyInstaller --noconfirm --clean --distpath dist --workpath build/pyinstaller \
  packaging/livedesk.spec

case "$(uname -s)" in
  Linux*)
    echo "== Linux tarball"
    mkdir -p dist/livedesk/share/applications dist/livedesk/share/icons/hicolor/scalable/apps \
             dist/livedesk/share/icons/hicolor/256x256/apps
    cp packaging/livedesk.desktop dist/livedesk/share/applications/
    cp packaging/icons/livedesk.svg dist/livedesk/share/icons/hicolor/scalable/apps/
    cp packaging/icons/livedesk.png dist/livedesk/share/icons/hicolor/256x256/apps/
    if [[ $TARBALL == 0 ]]; then echo "done: $ROOT/dist/livedesk/ (no tarball)"; exit 0; fi
    tar -C dist -czf "dist/livedesk-$VERSION-linux-$(uname -m).tar.gz" livedesk
    echo "built dist/livedesk-$VERSION-linux-$(uname -m).tar.gz"
    echo "install: extract, then link bin: ln -s \$PWD/livedesk/livedesk ~/.local/bin/livedesk;"
    echo "         cp -r livedesk/share/* ~/.local/share/"
    ;;
  MINGW*|MSYS*|CYGWIN*)
    if command -v ISCC.exe >/dev/null 2>&1 || command -v iscc >/dev/null 2>&1; then
      echo "== Inno Setup installer"
      "$(command -v ISCC.exe || command -v iscc)" "/DAppVersion=$VERSION" packaging/windows/livedesk.iss
    else
      echo "ISCC.exe (Inno Setup 6) not on PATH: skipping the installer; dist/livedesk/ is ready"
    fi
    ;;
esac
echo "done: $ROOT/dist/livedesk/"
