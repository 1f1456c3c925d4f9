"""`livedesk replay SESSION` as a process: it starts its seek process, and Ctrl-C or SIGTERM
closes it cleanly (exit 0, no process left behind)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from tests.replay.recorded import SimRecording

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rp')}/rec.db"
    r = SimRecording(url, "sim", seed=3, snapshot_every=400)
    r.advance(5 * 60)
    r.end()
    r.close()
    return url


@pytest.mark.parametrize("signum", [signal.SIGINT, signal.SIGTERM])
def test_replay_app_closes_on_signal(tmp_path, recorded, signum):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", LIVEDESK_LANG="zh_CN",
               XDG_CONFIG_HOME=str(tmp_path / "config"), XDG_DATA_HOME=str(tmp_path / "data"))
    proc = subprocess.Popen([sys.executable, "-m", "console.main", "replay", "sim", "--db", recorded],
                            cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            text=True)
    try:
        me = psutil.Process(proc.pid)
        deadline = time.monotonic() + 60
        seekers: list[psutil.Process] = []
        while not seekers:                      # opened: the seek process has been started
            assert proc.poll() is None, proc.stdout.read()
            assert time.monotonic() < deadline, "no seek process started"
            seekers = [c for c in me.children(recursive=True)
                       if "spawn_main" in " ".join(c.cmdline())]
            time.sleep(0.2)
        time.sleep(1.0)
        proc.send_signal(signum)
        out, _ = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    gone, alive = psutil.wait_procs(seekers, timeout=10)
    assert not alive, "the seek process outlived the replay app"
