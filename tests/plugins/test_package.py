"""Package smoke test (slow): build the PyInstaller one-folder package and run it.

Builds with the documented command ``bash packaging/build.sh --no-tarball`` (about 2 min
on 2 cores), unless ``dist/livedesk/`` is newer than every source, resource and
packaging file (then it is reused), or ``LIVEDESK_PACKAGE_DIR`` points at a built
folder. Then, from the built binary only, offscreen:

* ``livedesk --version``;
* a short simulator session: ``livedesk simulate --duration 8`` served on a free
  port and ``livedesk record ws://... --duration 4`` into a temporary SQLite
  database, checked with ``livedesk sessions --json``;
* ``livedesk console --simulate`` stays up for 8 s (Qt, translations, plugins load);
* the bundle holds the plugin entry points, translations, schemas and the .desktop.

Runs in the default test command (``scripts/run-tests.sh``); deselect with ``-m "not slow"``.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests import installed

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]
ROOT = Path(__file__).resolve().parents[2]
SOURCES = ["console", "plugins", "widgets", "resources", "packaging", "pyproject.toml"]

if not sys.platform.startswith("linux"):
    pytest.skip("the Linux package smoke test runs on Linux", allow_module_level=True)


def _newest_source_mtime() -> float:
    newest = 0.0
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else path.rglob("*")
        for f in files:
            if f.is_file() and "__pycache__" not in f.parts:
                newest = max(newest, f.stat().st_mtime)
    return newest


@pytest.fixture(scope="module")
def package_dir() -> Path:
    given = os.environ.get("LIVEDESK_PACKAGE_DIR")
    if given:
        return Path(given)
    dist = ROOT / "dist" / "livedesk"
    exe = dist / "livedesk"
    if exe.exists() and exe.stat().st_mtime > _newest_source_mtime():
        print(f"[package] reusing the fresh build in {dist}")
        return dist
    t0 = time.monotonic()
    proc = subprocess.run(["bash", "packaging/build.sh", "--no-tarball"], cwd=ROOT,
                          capture_output=True, text=True, timeout=1500)
    took = time.monotonic() - t0
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-5000:]
    print(f"[package] bash packaging/build.sh --no-tarball took {took:.0f} s")
    return dist


def test_bundle_contents(package_dir):
    internal = package_dir / "_internal"
    meta = [p for p in internal.iterdir() if p.name.startswith("livedesk")
            and p.name.endswith((".dist-info", ".egg-info"))]
    assert meta, "livedesk package metadata (plugin entry points) is not bundled"
    entry_points = (meta[0] / "entry_points.txt").read_text()
    for name in ("simulator", "json_mapper", "obs_overlay", "example_logger"):
        assert name in entry_points
    assert (internal / "resources" / "i18n" / "livedesk_zh_CN.qm").exists()
    assert (internal / "resources" / "sample_plan.yaml").exists()
    assert list((internal / "console" / "core" / "schema").glob("*.json"))
    assert (package_dir / "share" / "applications" / "livedesk.desktop").exists()
    assert (package_dir / "share" / "icons" / "hicolor" / "256x256" / "apps" / "livedesk.png").exists()


def test_version(package_dir, tmp_path):
    from console import __version__
    out = subprocess.run([str(package_dir / "livedesk"), "--version"], env=installed.env(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.splitlines()[0] == f"livedesk {__version__}"
    assert out.stdout.splitlines()[1].startswith("log file: ")


def test_simulator_session_recorded_by_the_package(package_dir, tmp_path):
    installed.check_simulator_session_recorded(str(package_dir / "livedesk"), tmp_path)


def test_console_starts_offscreen(package_dir, tmp_path):
    installed.check_console_starts_offscreen(str(package_dir / "livedesk"), tmp_path)
