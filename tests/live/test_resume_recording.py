"""A restarted recorder or console resumes from its own recording (issue 17, item 1)."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from console.core import protocol as p
from console.live.session import LiveSession
from console.recorder import Recorder, Store
from tests.feed.fakeserver import FakeServer, make_events
from tests.feed.test_client import until

pytestmark = pytest.mark.timeout(120)


async def test_restart_replays_what_the_feed_still_holds_instead_of_snapshot_and_gap(tmp_path):
    from plugins.simulator.server import SimServer

    url = f"sqlite:///{tmp_path / 'rec.db'}"
    retention = 3_000
    server = SimServer(speed=60.0, retention=retention)
    await server.start()
    first = LiveSession(server.url, recorder=Recorder(url), snapshot_every=500)
    await first.start()
    await until(lambda: first.state.last_feed_seq >= 1_500, timeout=60)
    await first.stop()                  # (as after a kill: nothing tells the feed)
    first.recorder.close()
    recorded = first.state.last_feed_seq
    # the feed moves on until its retention no longer reaches back to seq 1,
    # but still holds everything after the recording's last feed seq
    await until(lambda: server.retained_from > 1, timeout=60)
    assert server.retained_from <= recorded + 1

    second = LiveSession(server.url, recorder=Recorder(url), snapshot_every=500)
    locals_seen = []
    second.log.subscribe(lambda evs: locals_seen.extend(e for e in evs if e.feed_seq is None))
    await second.start()
    await until(lambda: second.welcome is not None, timeout=30)
    target = server.last_seq
    await until(lambda: second.state.last_feed_seq >= target, timeout=60)
    await second.stop()
    second.recorder.close()
    await server.stop()

    assert second.welcome["resume"] == "replay"
    assert not [e for e in locals_seen if e.type in (p.FEED_GAP, p.FEED_SNAPSHOT)]
    store = Store(url)
    try:
        (info,) = store.sessions()
        events = store.events(info.id)
    finally:
        store.close()
    feed = [e.feed_seq for e in events if e.feed_seq is not None]
    assert feed == list(range(1, len(feed) + 1)) and len(feed) >= target   # nothing lost
    assert second.status.counters.duplicates == 0       # and nothing sent twice


async def test_hello_carries_the_recorded_session_and_last_feed_seq(tmp_path):
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    evs = make_events(500)
    srv = await FakeServer(evs[:300]).start()
    first = LiveSession(srv.url, recorder=Recorder(url))
    await first.start()
    await until(lambda: first.state.last_feed_seq == 300)
    await first.stop()
    first.recorder.close()
    await srv.stop()

    srv = await FakeServer(evs).start(srv.port)        # the same feed URL, 200 more events
    second = LiveSession(srv.url, recorder=Recorder(url))
    await second.start()
    await until(lambda: second.state.last_feed_seq == 500)
    await second.stop()
    second.recorder.close()
    await srv.stop()
    assert srv.hellos[0]["session_id"] == "s-test" and srv.hellos[0]["last_seq"] == 300
    store = Store(url)
    try:
        assert store.resume_point(srv.url) == ("s-test", 500, "s-test")
        assert store.resume_point("ws://127.0.0.1:1") is None     # another feed: start fresh
    finally:
        store.close()


async def test_record_cli_restart_resumes_from_the_recording(tmp_path):
    """``livedesk record`` killed and started again says hello with what it recorded."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    db = f"sqlite:///{tmp_path / 'rec.db'}"
    evs = make_events(3_000)
    srv = await FakeServer(evs, batch=50, pace=0.01).start()
    cmd = [sys.executable, "-m", "console", "record", srv.url, "--db", db, "--quiet"]

    def committed():
        store = Store(db)
        try:
            infos = store.sessions()
            return store.last_feed_seq(infos[0].id) if infos else 0
        finally:
            store.close()

    proc = subprocess.Popen(cmd, cwd=root)
    recorders: list[psutil.Process] = []
    try:
        while await asyncio.to_thread(committed) < 500:
            assert proc.poll() is None
            await asyncio.sleep(0.05)
        recorders = psutil.Process(proc.pid).children()   # the recording process
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    # the recording process outlives the killed one: it commits what it was handed, then exits
    gone, alive = await asyncio.to_thread(psutil.wait_procs, recorders, 10)
    assert recorders and not alive
    at_kill = await asyncio.to_thread(committed)
    proc = subprocess.Popen(cmd, cwd=root)
    try:
        while await asyncio.to_thread(committed) < 3_000:
            assert proc.poll() is None
            await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 30) == 0
    await srv.stop()
    assert srv.hellos[0]["last_seq"] == 0
    assert srv.hellos[1]["session_id"] == "s-test" and srv.hellos[1]["last_seq"] == at_kill
