import argparse
import asyncio
import signal
import subprocess
import sys
import threading
from pathlib import Path

import orjson
import pytest

from console.cli.record import run_record
from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.feed import FixedPolicy
from console.live.session import LiveSession
from console.core.plan import ShowPlan
from console.recorder import Recorder, Store
from console.fold.state import SessionState
from tests.feed.fakeserver import FakeServer, make_events
from tests.feed.test_client import until

pytestmark = pytest.mark.timeout(120)


class FakeRecorder:
    """A recorder in memory (console.api.Recorder); it cannot be read back."""

    database_url = None

    def __init__(self, url=None, *, last_seq=0, last_feed_seq=0):
        self.url = url
        self.last_seq = last_seq
        self.last_feed = last_feed_seq
        self.opened = []
        self.events = []
        self.snapshots = []
        self.first = []
        self.summaries = []
        self.flushes = 0
        self.closed = False
        self.last_error = None
        self.committed_seq = last_seq
        self.queued = 0

    def open_session(self, session_id, meta):
        self.opened.append((session_id, meta))
        return self.last_seq

    def last_feed_seq(self, session_id):
        return self.last_feed

    def submit(self, events):
        self.events.extend(events)

    def submit_snapshot(self, seq, payload, ts=None):
        self.snapshots.append((seq, orjson.loads(payload)))

    def submit_first_purchases(self, keys):
        self.first.extend(keys)

    def update_summary(self, summary):
        self.summaries.append(summary)

    def flush(self, timeout=10.0):
        self.flushes += 1
        return True

    def close(self, timeout=30.0):
        self.closed = True


def plan():
    return ShowPlan(room="r1", title="Test show")


async def test_live_session_records_everything_once():
    evs = make_events(2000)
    srv = await FakeServer(evs, batch=100).start()
    rec = FakeRecorder()
    live = LiveSession(srv.url, plan=plan(), recorder=rec, snapshot_every=500,
                       policy=FixedPolicy(0.05))
    await live.start()
    await until(lambda: live.state.last_feed_seq == 2000)
    cid = live.send_command(p.CMD_CARD_PUSH, {"sku": "A1"})
    bad = live.send_command(p.CMD_FLASH_START, {"sku": "A1"})
    await until(lambda: not live.state.pending_commands)
    await live.stop()
    await srv.stop()

    seqs = [e.seq for e in rec.events]
    assert seqs == list(range(1, len(seqs) + 1))          # every event once, in order
    assert rec.events == [e for e in rec.events]            # same objects as the log
    feed = [e for e in rec.events if e.feed_seq is not None]
    assert [e.feed_seq for e in feed] == list(range(1, 2001))
    types_ = [e.type for e in rec.events if e.feed_seq is None]
    assert types_[0] == p.FEED_STATUS and p.PLAN_LOADED in types_
    assert types_.count(p.PLAN_LOADED) == 1
    assert types_.count(p.FEED_STATUS) <= 3                  # state changes only
    cmds = [e for e in rec.events if e.type == p.OPERATOR_COMMAND]
    assert [c.data["command_id"] for c in cmds] == [cid, bad] and cmds[0].source == "operator"
    ack = [e for e in rec.events if e.type == p.OPERATOR_ACK]
    err = [e for e in rec.events if e.type == p.OPERATOR_ERROR]
    assert ack[0].data == {"command_id": cid, "feed_seq": 2000}
    assert err[0].data["command_id"] == bad and err[0].data["code"] == "bad_command"
    assert rec.opened[0][0] == "s-test" and rec.opened[0][1]["title"] == "Test show"
    # state equals a direct fold of the recorded log
    direct = SessionState()
    direct.apply(rec.events)
    assert direct.summary() == live.state.summary()
    assert live.state.gmv == pytest.approx(400 * 9.5) and live.state.orders == 400
    assert live.state.plan is not None
    # a fold of the feed alone gives the same business numbers
    feed_only = SessionState()
    SessionLog(_listeners=[feed_only.apply]).append_feed(evs)
    assert (feed_only.gmv, feed_only.orders, feed_only.buyers) == \
        (live.state.gmv, live.state.orders, live.state.buyers)
    # snapshots, first purchases, summary and flush
    assert len(rec.snapshots) >= 4 and rec.snapshots[0][1]["last_seq"] == rec.snapshots[0][0]
    assert sorted(k for k, _ in rec.first) == sorted(live.state.buyers_registry.keys)
    assert rec.summaries and "ended_at" in rec.summaries[-1] and rec.flushes == 1


async def test_live_session_resumes_recorder_numbering():
    evs = make_events(50)
    srv = await FakeServer(evs).start()
    rec = FakeRecorder(last_seq=120, last_feed_seq=30)
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05))
    await live.start()
    await until(lambda: live.state.last_feed_seq == 50)
    await live.stop()
    await srv.stop()
    assert rec.events[0].seq == 121
    assert [e.feed_seq for e in rec.events if e.feed_seq] == list(range(31, 51))
    assert [e.seq for e in rec.events] == list(range(121, 121 + len(rec.events)))


async def test_live_session_gap_and_reconnect_in_log():
    evs = make_events(40)
    frames = [orjson.dumps(evs[:10]).decode(), orjson.dumps(evs[15:]).decode()]
    srv = await FakeServer(evs, first_frames=frames, unavailable={12}).start()
    rec = FakeRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05), gap_wait=0.05)
    await live.start()
    await until(lambda: live.state.last_feed_seq == 40)
    await live.stop(); await srv.stop()
    gaps = [e for e in rec.events if e.type == p.FEED_GAP]
    assert len(gaps) == 1 and gaps[0].data["from"] == 11 and live.state.counters.gaps == 1


def test_run_record_cli(monkeypatch, capsys, tmp_path):
    loop = asyncio.new_event_loop()
    box = {}

    async def boot():
        box["srv"] = await FakeServer(make_events(300)).start()

    loop.run_until_complete(boot())
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    recs = []

    def make(url=None, **kw):
        recs.append(FakeRecorder(url))
        return recs[-1]

    monkeypatch.setattr("console.recorder.open_recorder", make)
    args = argparse.Namespace(url=box["srv"].url, plan=None, db=f"sqlite:///{tmp_path}/x.db", token=None,
                              duration=1.2, quiet=False)
    try:
        assert run_record(args) == 0
    finally:
        asyncio.run_coroutine_threadsafe(box["srv"].stop(), loop).result(5)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(5)
    rec = recs[0]
    assert rec.url == f"sqlite:///{tmp_path}/x.db" and rec.closed and rec.flushes == 1
    assert [e.feed_seq for e in rec.events if e.feed_seq] == list(range(1, 301))
    out = capsys.readouterr().out
    assert "GMV" in out and "live" in out


# ---- robustness, end to end with the real recorder ---------------------------------------
def _recorded(db_url, total):
    """(feed seqs recorded, duplicates, log seqs) read back from the database."""
    store = Store(db_url)
    try:
        (info,) = store.sessions()
        events = store.events(info.id)
    finally:
        store.close()
    feed = [e.feed_seq for e in events if e.feed_seq is not None]
    return feed, len(feed) - len(set(feed)), [e.seq for e in events], events


async def test_server_killed_mid_burst_and_restarted_every_event_recorded_once(tmp_path):
    n = 20_000
    evs = make_events(n)
    evs[99] = p.make_event(100, evs[99]["ts"], "sparkle.new", {"x": 1})         # unknown type
    evs[199] = p.make_event(200, evs[199]["ts"], p.ORDER_PAID,                   # wrong types
                            {"order_id": 7, "sku": "A1", "qty": "1", "amount": "x"})
    srv = await FakeServer(evs, batch=100, pace=0.002).start()   # a stream, not one burst
    port = srv.port
    db_url = f"sqlite:///{tmp_path / 'rec.db'}"
    rec = Recorder(db_url)
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05))
    await live.start()
    await until(lambda: live.state.last_feed_seq >= 2_000, timeout=20)
    await srv.stop()                       # killed mid-burst: connections aborted
    got_before = live.state.last_feed_seq
    assert got_before < n
    await until(lambda: live.status.state == "reconnecting")
    srv2 = await FakeServer(evs, batch=100).start(port)
    await until(lambda: live.state.last_feed_seq == n, timeout=20)
    await live.stop()
    rec.close()
    await srv2.stop()
    assert srv2.hellos[0]["last_seq"] == got_before and srv2.hellos[0]["session_id"] == "s-test"
    feed, dups, seqs, events = _recorded(db_url, n)
    assert feed == list(range(1, n + 1)) and dups == 0          # every feed event exactly once
    assert seqs == list(range(1, len(seqs) + 1))                 # log: no holes
    kept = {e.feed_seq: e for e in events if e.feed_seq in (100, 200)}
    assert kept[100].type == "sparkle.new" and kept[200].data["amount"] == "x"  # kept in the log
    assert live.state.counters.unknown_types == 1 and live.state.counters.invalid == 1
    assert [e.type for e in events].count(p.FEED_STATUS) >= 3   # live, reconnecting, live


class SlowRecorder(FakeRecorder):
    """A recorder whose backlog the test controls."""

    def __init__(self):
        super().__init__()
        self.queued = 0
        self.keeping_up = False

    def submit(self, events):
        super().submit(events)
        if not self.keeping_up:
            self.queued += len(events)


async def test_feed_reading_holds_while_recorder_is_behind():
    n = 20_000
    srv = await FakeServer(make_events(n), batch=100, pace=0.001).start()
    rec = SlowRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05), max_backlog=1_000)
    await live.start()
    await until(lambda: live.status.counters.holds >= 1)
    held_at = live.state.last_feed_seq
    await asyncio.sleep(0.3)
    assert live.state.last_feed_seq == held_at < n        # nothing read while held
    assert rec.queued >= 1_000
    rec.queued, rec.keeping_up = 0, True                   # the recorder caught up
    await until(lambda: live.state.last_feed_seq == n)
    await live.stop(); await srv.stop()
    assert [e.feed_seq for e in rec.events if e.feed_seq] == list(range(1, n + 1))
    assert live.status.state == "closed"


async def test_feed_keeps_flowing_while_recorder_is_failing():
    n = 3_000
    srv = await FakeServer(make_events(n), batch=100).start()
    rec = SlowRecorder()
    rec.last_error = "recording failed, retrying: database or disk is full"
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05), max_backlog=500)
    await live.start()
    await until(lambda: live.state.last_feed_seq == n)    # the live view is not frozen
    assert rec.queued >= n and live.status.counters.holds == 0
    await live.stop(); await srv.stop()


RECORD_CMD = [sys.executable, "-m", "console", "record"]


async def test_record_process_kill_9_and_restart_every_event_recorded_once(tmp_path):
    n = 30_000
    srv = await FakeServer(make_events(n), batch=100, pace=0.005).start()  # ~20,000 events/s
    db_url = f"sqlite:///{tmp_path / 'rec.db'}"
    cmd = RECORD_CMD + [srv.url, "--db", db_url, "--quiet"]
    root = Path(__file__).resolve().parents[2]

    async def committed_feed_seq():
        def read():
            store = Store(db_url)
            try:
                infos = store.sessions()
                return store.last_feed_seq(infos[0].id) if infos else 0
            finally:
                store.close()
        return await asyncio.to_thread(read)

    proc = subprocess.Popen(cmd, cwd=root)
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 60
        while await committed_feed_seq() < 3_000:
            assert loop.time() < end and proc.poll() is None
            await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGKILL)
        proc.wait()
    at_kill = await committed_feed_seq()
    assert at_kill < n
    proc = subprocess.Popen(cmd, cwd=root)                 # restart: resumes, no duplicates
    try:
        loop = asyncio.get_running_loop()
        end = loop.time() + 60
        while await committed_feed_seq() < n:
            assert loop.time() < end and proc.poll() is None
            await asyncio.sleep(0.05)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert await asyncio.to_thread(proc.wait, 30) == 0
    await srv.stop()
    feed, dups, seqs, _ = _recorded(db_url, n)
    assert feed == list(range(1, n + 1)) and dups == 0
    assert seqs == list(range(1, len(seqs) + 1))
    assert srv.connections == 2


async def test_restarted_console_resumes_the_recorded_state(tmp_path):
    """A console or recorder restarted mid-session carries on from the recording, not zero."""
    from console.recorder import Recorder, Store
    from plugins.simulator.server import SimServer

    url = f"sqlite:///{tmp_path / 'rec.db'}"
    server = SimServer(speed=40.0, retention=1_000_000)
    await server.start()
    first = LiveSession(server.url, recorder=Recorder(url), snapshot_every=200)
    await first.start()
    await until(lambda: first.state.orders >= 20, timeout=30)
    await first.stop()
    first.recorder.close()
    before = (first.state.orders, first.state.gmv, first.state.last_seq)

    second = LiveSession(server.url, recorder=Recorder(url), snapshot_every=200)
    state_object = second.state
    threads = []
    read_state = second._read_recorded_state
    second._read_recorded_state = lambda *a: (threads.append(threading.current_thread()),
                                              read_state(*a))[1]
    await second.start()
    await until(lambda: second.state.last_seq > before[2], timeout=30)
    assert second.state is state_object            # restored in place: widgets keep following
    assert threads and threads[0] is not threading.main_thread()   # read off the event loop
    assert second.state.orders >= before[0] and second.state.gmv >= before[1] > 0
    await second.stop()
    second.recorder.close()
    await server.stop()

    # the continued live state equals a fold of the whole recording
    store = Store(url)
    info = store.sessions()[0]
    assert len(store.sessions()) == 1
    folded = SessionState()
    folded.apply(store.events(info.id))
    assert (folded.orders, folded.gmv, folded.buyers) == (
        second.state.orders, second.state.gmv, second.state.buyers)
    seqs = [ev.seq for ev in store.events(info.id)]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_each_simulator_run_is_a_new_session():
    from plugins.simulator.server import SimServer

    a, b = SimServer(), SimServer()
    assert a.session_id != b.session_id
    assert a.session_id.startswith("sim-") and a.session_id.split("-")[1] == b.session_id.split("-")[1]
