"""`livedesk replay SESSION` as a process: it starts its seek process, and Ctrl-C or SIGTERM
closes it cleanly (exit 0, no process left behind)."""

from __future__ import annotations

import signal
import time

import psutil
import pytest

from tests.apps import start_app, stop_with_signal
from tests.replay.recorded import SimRecording


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
    proc = start_app(["replay", "sim", "--db", recorded], tmp_path)
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
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    out = stop_with_signal(proc, signum)
    assert proc.returncode == 0, out
    assert "Traceback" not in out, out
    gone, alive = psutil.wait_procs(seekers, timeout=10)
    assert not alive, "the seek process outlived the replay app"
