"""A feed that restarts (issue 16 item 8): a documented continuation rule, the earlier session
closed as interrupted in the recording, and no session shown as recording once its recorder
is gone."""

from __future__ import annotations

import asyncio
import time

import sqlalchemy as sa

from console.core import protocol as p
from console.feed.reconnect import FixedPolicy
from console.live.session import LiveSession
from console.core.plan import load_plan
from console.recorder import Recorder, Store, schema
from console.recorder.store import RECORDER_GONE_S, session_status
from plugins.simulator.server import SimServer
from tests.replay.recorded import SAMPLE_PLAN

T0 = 1_600_000_000.0


async def _until(pred, timeout=15.0):
    end = time.monotonic() + timeout
    while not pred():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        await asyncio.sleep(0.02)


async def _restart_feed(url_db: str):
    plan = load_plan(SAMPLE_PLAN)
    first = SimServer(plan, speed=5.0, start_ts=T0, session_id="show-1")
    await first.start()
    port = first.port
    rec = Recorder(url_db, flush_interval=0.02)
    live = LiveSession(first.url, plan=plan, recorder=rec, policy=FixedPolicy(0.05))
    seen: list = []
    listener = seen.extend
    live.log.subscribe(listener)          # a follower of the log (as the relay and plugins are)
    log_object = live.log
    await live.start()
    try:
        await _until(lambda: live.state.orders > 0 and live.state.last_seq > 50)
        order = list(reversed(live.state.run_of_show))
        live.append_local(p.OPERATOR_REORDER, {"order": order})
        await first.stop()                                   # the feed goes away ...
        await _until(lambda: live.status.state != "live")
        second = SimServer(plan, speed=5.0, start_ts=T0 + 7200, session_id="show-2", port=port)
        await second.start()                                 # ... and comes back as a new session
        try:
            await _until(lambda: live.log.session_id == "show-2" and live.state.last_feed_seq > 20)
            await asyncio.sleep(0.2)
        finally:
            await live.stop()
            await second.stop()
    finally:
        rec.close()
    assert live.log is log_object                           # followers keep following
    live.log.unsubscribe(listener)                           # ... and can still unsubscribe
    return live, order, seen


def test_a_feed_restart_closes_the_earlier_session_as_interrupted(tmp_path):
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    live, order, seen = asyncio.run(_restart_feed(url))
    assert live.switched == ("show-1", "show-2")
    # the follower saw both sessions' events, the second one starting again at seq 1
    assert any(ev.seq == 1 and ev.type == p.PLAN_LOADED for ev in seen[5:])
    store = Store(url)
    try:
        old, new = store.session("show-1"), store.session("show-2")
        assert old.ended_at is not None and old.status == "interrupted"
        assert new.status == "ended"
        with store.engine.connect() as c:
            meta = c.execute(sa.select(schema.sessions.c.meta)
                             .where(schema.sessions.c.id == "show-2")).scalar()
        assert meta["continues"] == "show-1"
        # the operator's run of show (and plan) carried over into the new session
        events = store.events("show-2")
        assert events[0].type == p.PLAN_LOADED
        reorders = [ev for ev in events if ev.type == p.OPERATOR_REORDER]
        assert reorders and reorders[0].data["order"] == order
        # the earlier recording is intact: its orders are still there
        assert old.orders > 0 and store.last_seq("show-1") > 50
    finally:
        store.close()


def test_a_session_whose_recorder_is_gone_is_interrupted_not_recording(tmp_path):
    now = time.time()
    assert session_status(None, {}, now - 5, now) == "recording"
    assert session_status(None, {}, now - RECORDER_GONE_S - 1, now) == "interrupted"
    assert session_status(now, {"summary": {"status": "interrupted"}}, now, now) == "interrupted"
    assert session_status(now, {}, now, now) == "ended"
    # in a real store: a row left behind by a recorder that died
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    rec = Recorder(url, flush_interval=0.02)
    rec.open_session("crashed", {"title": "t", "started_at": T0})
    rec.open_session("alive", {"title": "t", "started_at": T0})
    rec.close()
    store = Store(url)
    try:
        with store.engine.begin() as c:
            c.execute(sa.update(schema.sessions).where(schema.sessions.c.id == "crashed")
                      .values(updated_at=now - 3600))
        status = {s.id: s.status for s in store.sessions()}
        assert status == {"crashed": "interrupted", "alive": "recording"}
    finally:
        store.close()


def test_an_open_session_keeps_its_row_fresh_without_events(tmp_path, monkeypatch):
    """The heartbeat: a quiet feed does not make a live session look interrupted."""
    import console.live.session as pipeline
    monkeypatch.setattr(pipeline, "HEARTBEAT_S", 0.1)
    url = f"sqlite:///{tmp_path / 'rec.db'}"

    async def run():
        srv = SimServer(speed=1.0, start_ts=T0, session_id="quiet")
        await srv.start()
        rec = Recorder(url, flush_interval=0.02)
        live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05))
        await live.start()
        await _until(lambda: live.state.last_seq > 5)
        live.client.read_gate = lambda: False      # nothing more is read: no events at all
        store = Store(url)
        with store.engine.connect() as c:
            first = c.execute(sa.select(schema.sessions.c.updated_at)
                              .where(schema.sessions.c.id == "quiet")).scalar()
        await asyncio.sleep(0.6)
        rec.flush()
        with store.engine.connect() as c:
            later = c.execute(sa.select(schema.sessions.c.updated_at)
                              .where(schema.sessions.c.id == "quiet")).scalar()
        store.close()
        live.client.read_gate = None
        await live.stop()
        rec.close()
        await srv.stop()
        return first, later

    first, later = asyncio.run(run())
    assert later > first + 0.3


def test_a_remote_prompt_panel_follows_the_new_session_after_a_feed_restart():
    """The relay keeps following the same log object; when its seqs begin again it sends the
    new session's state, so a remote panel does not skip the new session's events."""
    from console.core.eventlog import SessionLog
    from console.live.relay import PrompterRelay, RelayClient
    from console.fold.state import SessionState

    async def run():
        log, state = SessionLog(session_id="show-1", clock=lambda: T0), SessionState()
        log.subscribe(state.apply)
        relay = PrompterRelay(log, state=state, token="t")
        await relay.start()
        client = RelayClient(relay.url, "t", reconnect=False)
        task = asyncio.ensure_future(client.run())
        try:
            await asyncio.wait_for(client.snapshot_received.wait(), 5)
            log.append_feed([p.make_event(i, T0 + i, p.TRAFFIC_TICK, {"online": 100 + i})
                             for i in range(1, 40)])
            await _until(lambda: client.state.last_seq == 39)
            log.restart("show-2")                 # the feed restarted: a new session
            state.adopt(SessionState())
            log.append_feed([p.make_event(1, T0 + 9000, p.TRAFFIC_TICK, {"online": 7})])
            await _until(lambda: client.state is not None and client.state.traffic["online"] == 7)
            log.append_feed([p.make_event(2, T0 + 9001, p.TRAFFIC_TICK, {"online": 8})])
            await _until(lambda: client.state.traffic["online"] == 8)
            assert client.state.last_seq == 2
        finally:
            await client.close()
            task.cancel()
            await relay.stop()

    asyncio.run(run())
