"""`livedesk prompter --connect URL` as a process: Ctrl-C or SIGTERM closes it (exit 0), also
while it is still trying to reach the console's relay."""

from __future__ import annotations

import signal
import socket
import time

import pytest

from tests.apps import start_app, stop_with_signal


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_prompter_closes_on_signal(tmp_path, signum):
    url = f"ws://127.0.0.1:{_free_port()}"          # nobody listens: it keeps reconnecting
    proc = start_app(["prompter", "--connect", url, "--windowed"], tmp_path)
    time.sleep(4.0)                                  # up, and failing to connect
    if proc.poll() is not None:
        pytest.fail(proc.stdout.read())
    out = stop_with_signal(proc, signum)
    assert proc.returncode == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
