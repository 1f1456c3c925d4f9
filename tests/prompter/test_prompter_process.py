"""`livedesk prompter --connect URL` as a process: Ctrl-C or SIGTERM closes it (exit 0), also
while it is still trying to reach the console's relay."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_prompter_closes_on_signal(tmp_path, signum):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LIVEDESK_LANG="zh_CN",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    url = f"ws://127.0.0.1:{_free_port()}"          # nobody listens: it keeps reconnecting
    proc = subprocess.Popen([sys.executable, "-m", "console.main", "prompter", "--connect", url,
                             "--windowed"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    try:
        time.sleep(4.0)                                  # up, and failing to connect
        assert proc.poll() is None, proc.stdout.read()
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "Traceback" not in out and "KeyboardInterrupt" not in out, out
