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

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

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


def _env(tmp_path: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    env.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               LIVEDESK_DB_URL=f"sqlite:///{tmp_path / 'console.db'}",
               LIVEDESK_PLUGINS_CONFIG=str(tmp_path / "plugins.json"), LIVEDESK_LANG="zh_CN")
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    assert list((internal / "console" / "schema").glob("*.json"))
    assert (package_dir / "share" / "applications" / "livedesk.desktop").exists()
    assert (package_dir / "share" / "icons" / "hicolor" / "256x256" / "apps" / "livedesk.png").exists()


def test_version(package_dir, tmp_path):
    from console import __version__
    out = subprocess.run([str(package_dir / "livedesk"), "--version"], env=_env(tmp_path),
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == f"livedesk {__version__}"


def test_simulator_session_recorded_by_the_package(package_dir, tmp_path):
    exe, env, port = str(package_dir / "livedesk"), _env(tmp_path), _free_port()
    db = f"sqlite:///{tmp_path / 'smoke.db'}"
    sim = subprocess.Popen([exe, "simulate", "--port", str(port), "--duration", "8",
                            "--speed", "5"], env=env, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), 0.5).close()
                break
            except OSError:
                assert sim.poll() is None, sim.stdout.read()
                assert time.monotonic() < deadline, "simulator did not listen"
                time.sleep(0.2)
        rec = subprocess.run([exe, "record", f"ws://127.0.0.1:{port}", "--db", db,
                              "--duration", "4", "--quiet"], env=env, capture_output=True,
                             text=True, timeout=60)
        assert rec.returncode == 0, rec.stdout[-2000:] + rec.stderr[-2000:]
    finally:
        if sim.poll() is None:
            sim.send_signal(signal.SIGINT)
            try:
                sim.wait(15)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait()
    out = subprocess.run([exe, "sessions", "--db", db, "--json"], env=env, capture_output=True,
                         text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    sessions = json.loads(out.stdout)
    assert len(sessions) == 1 and sessions[0]["events"] > 10, sessions
    print(f"[package] recorded {sessions[0]['events']} events of {sessions[0]['title']!r}")


def test_console_starts_offscreen(package_dir, tmp_path):
    env = _env(tmp_path)
    log_path = tmp_path / "console.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([str(package_dir / "livedesk"), "console", "--simulate"],
                                env=env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)
        try:
            time.sleep(8)
            alive = proc.poll() is None
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    os.killpg(proc.pid, signal.SIGKILL)
                    proc.wait()
    text = log_path.read_text(errors="replace")
    assert alive, f"the console exited early ({proc.returncode}):\n{text[-3000:]}"
    assert "Traceback" not in text, text[-3000:]
    assert "plugin disabled for this run" not in text, text[-3000:]   # bundled plugins load
