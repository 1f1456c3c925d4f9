"""README command (1) as a process: `livedesk console --simulate` records, and Ctrl-C or
SIGTERM closes it cleanly with the recording complete (every log seq once, session ended)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from console.recorder import Store

ROOT = Path(__file__).resolve().parents[2]


def _wait_for_events(store: Store, proc: subprocess.Popen, least: int, timeout: float = 60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.stdout.read() if proc.stdout else "console exited"
        try:
            sessions = store.sessions()
        except Exception:  # noqa: BLE001 - the database may not exist yet
            sessions = []
        if sessions and sessions[0].events >= least:
            return sessions[0]
        time.sleep(0.3)
    raise AssertionError("the console recorded nothing in time")


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_console_records_and_closes_cleanly_on_signal(tmp_path, signum):
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LIVEDESK_LANG="zh_CN",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "console.main", "console", "--simulate",
                             "--speed", "20", "--db", url],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    store = Store(url)
    try:
        _wait_for_events(store, proc, least=300)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    info = store.sessions()[0]
    assert info.ended_at is not None, "closing the console ends the recorded session"
    events = store.events(info.id)
    assert [ev.seq for ev in events] == list(range(1, len(events) + 1))
    assert len(events) == info.events >= 300
    assert info.orders > 0 and info.gmv > 0
