"""README command (1) as a process: `livedesk console --simulate` records, and Ctrl-C or
SIGTERM closes it cleanly with the recording complete (every log seq once, session ended)."""

from __future__ import annotations

import signal
import subprocess
import time

import pytest

from console.recorder import Store
from tests.apps import start_app, stop_with_signal


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
    proc = start_app(["console", "--simulate", "--speed", "20", "--db", url], tmp_path)
    store = Store(url)
    try:
        _wait_for_events(store, proc, least=300)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    out = stop_with_signal(proc, signum, timeout=60)
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    info = store.sessions()[0]
    assert info.ended_at is not None, "closing the console ends the recorded session"
    events = store.events(info.id)
    assert [ev.seq for ev in events] == list(range(1, len(events) + 1))
    assert len(events) == info.events >= 300
    assert info.orders > 0 and info.gmv > 0
