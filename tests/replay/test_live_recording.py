"""A session still being recorded by another process (another workstation sharing the
database) is replayed up to now, and the replay follows it as it grows."""

from __future__ import annotations

import subprocess
import sys
import textwrap
import time
import uuid
from pathlib import Path

import orjson

from console.recorder import Store
from console.replay.replay import Replay, ReplayFeed
from console.fold.state import SessionState

ROOT = Path(__file__).resolve().parents[2]

WRITER = textwrap.dedent("""
    import sys, time
    sys.path.insert(0, {root!r})
    from tests.replay.recorded import SimRecording
    r = SimRecording({url!r}, {sid!r}, seed=5, snapshot_every=150)
    for _ in range(6):
        r.advance(60)
        print(r.state.last_seq, flush=True)
        time.sleep(0.3)
    n = r.end()
    r.close()
    print("END", n, flush=True)
""")


def snap(state):
    d = orjson.loads(orjson.dumps(state.to_snapshot()))
    d.pop("version")
    return d


def test_replay_follows_a_recording_in_another_process(any_db_url):
    url, sid = any_db_url, "grow-" + uuid.uuid4().hex[:8]
    proc = subprocess.Popen([sys.executable, "-c", WRITER.format(root=str(ROOT), url=url, sid=sid)],
                            stdout=subprocess.PIPE, text=True)
    try:
        first = int(proc.stdout.readline())          # the writer committed its first minute
        store = Store(url)
        rp = Replay(store, sid).open()
        assert rp.last_seq >= first and rp.info.ended_at is None
        now = [0.0]
        feed = ReplayFeed(rp, rate=60, now=lambda: now[0])
        feed.clock.play(0.0)
        seen_growth, checks = 0, 0
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            now[0] += 5.0                             # 5 s of wall time at 60x = 5 minutes
            grew = feed.refresh()
            seen_growth += grew
            if grew and not feed.clock.playing:
                feed.clock.play(now[0])
            feed.tick(now[0])
            if grew and checks < 3:                   # seek inside what just arrived == full fold
                seq = (rp.last_seq + feed.cursor) // 2
                full = SessionState()
                full.apply(store.events(sid, 1, seq))
                assert snap(rp.state_at(seq)) == snap(full)
                checks += 1
            info = store.session(sid)
            if info.ended_at and feed.cursor == store.last_seq(sid) and not feed.refresh():
                break
            time.sleep(0.05)
        out = proc.communicate(timeout=60)[0]
        assert proc.returncode == 0
        final = int(out.strip().splitlines()[-1].split()[1])
        assert seen_growth >= 2 and feed.cursor == final == rp.last_seq
        full = SessionState()
        for i in range(1, final + 1, 5000):
            full.apply(store.events(sid, i, min(final, i + 4999)))
        assert snap(feed.state) == snap(full)
        assert store.session(sid).ended_at is not None
        store.close()
    finally:
        if proc.poll() is None:
            proc.kill()
