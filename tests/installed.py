"""Checks run against an installed Livedesk (the PyInstaller package, a wheel in a new venv).

Each takes the ``livedesk`` executable and a temporary folder, runs it as a user would, with
its own home, config and data folders, and fails with the program's output.
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


def env(tmp_path: Path) -> dict:
    """The environment of a user with nothing configured, offscreen, in zh_CN."""
    out = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    out.update(QT_QPA_PLATFORM="offscreen", HOME=str(tmp_path / "home"),
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"),
               XDG_STATE_HOME=str(tmp_path / "state"), XDG_CACHE_HOME=str(tmp_path / "cache"),
               LIVEDESK_DB_URL=f"sqlite:///{tmp_path / 'console.db'}",
               LIVEDESK_PLUGINS_CONFIG=str(tmp_path / "plugins.json"), LIVEDESK_LANG="zh_CN")
    return out


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def check_simulator_session_recorded(exe: str, tmp_path: Path) -> None:
    """``livedesk simulate`` served, ``livedesk record`` for 4 s, ``livedesk sessions`` lists it."""
    environ, port = env(tmp_path), free_port()
    db = f"sqlite:///{tmp_path / 'smoke.db'}"
    sim = subprocess.Popen([exe, "simulate", "--port", str(port), "--duration", "8",
                            "--speed", "5"], env=environ, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, text=True, cwd=tmp_path)
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
                              "--duration", "4", "--quiet"], env=environ, capture_output=True,
                             text=True, timeout=60, cwd=tmp_path)
        assert rec.returncode == 0, rec.stdout[-2000:] + rec.stderr[-2000:]
    finally:
        if sim.poll() is None:
            sim.send_signal(signal.SIGINT)
            try:
                sim.wait(15)
            except subprocess.TimeoutExpired:
                sim.kill()
                sim.wait()
    out = subprocess.run([exe, "sessions", "--db", db, "--json"], env=environ, capture_output=True,
                         text=True, timeout=60, cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    sessions = json.loads(out.stdout)
    assert len(sessions) == 1 and sessions[0]["events"] > 10, sessions
    print(f"[installed] recorded {sessions[0]['events']} events of {sessions[0]['title']!r}")


def check_console_starts_offscreen(exe: str, tmp_path: Path, seconds: float = 8) -> None:
    """``livedesk console --simulate`` stays up, loads its plugins and logs no traceback."""
    environ = env(tmp_path)
    log_path = tmp_path / "console.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen([exe, "console", "--simulate"], env=environ, stdout=log,
                                stderr=subprocess.STDOUT, cwd=tmp_path,
                                **({"start_new_session": True} if sys.platform != "win32" else {}))
        try:
            time.sleep(seconds)
            alive = proc.poll() is None
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(10)
                except subprocess.TimeoutExpired:
                    if hasattr(os, "killpg"):           # the recorder process too
                        os.killpg(proc.pid, signal.SIGKILL)
                    else:
                        proc.kill()
                    proc.wait()
    text = log_path.read_text(errors="replace")
    assert alive, f"the console exited early ({proc.returncode}):\n{text[-3000:]}"
    assert "Traceback" not in text, text[-3000:]
    assert "plugin disabled for this run" not in text, text[-3000:]   # bundled plugins load
