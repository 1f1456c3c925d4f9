"""Alerts are the live session's, headless (issue 13 part 5): LiveSession checks the alert
conditions once a second and logs alert.raised / alert.cleared, so `livedesk record` records
them and a replay shows them; a feed that goes quiet or drops is alerted in wall time."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from console.core import protocol as p
from console.feed.reconnect import FixedPolicy
from console.fold.state import SessionState
from console.live.alerts import AlertEngine, SessionAlerts, Thresholds
from console.live.session import LiveSession
from tests.feed.fakeserver import SESSION, FakeServer
from tests.feed.test_client import until
from tests.live.test_session import FakeRecorder

pytestmark = pytest.mark.timeout(120)
ROOT = Path(__file__).resolve().parents[2]
TS0 = SESSION["started_at"]


def stock_events(stock: int, sold_out: bool) -> list[dict]:
    """One product with ``stock`` units; then (``sold_out``) its stock set to 0."""
    out = [p.make_event(1, TS0 + 1, p.PRODUCT_UPSERT, {"sku": "A1", "title": "羽绒服",
                                                         "price": 9.5, "stock": stock}),
           p.make_event(2, TS0 + 2, p.TRAFFIC_TICK, {"online": 120})]
    if sold_out:
        out.append(p.make_event(3, TS0 + 3, p.INVENTORY_SET, {"sku": "A1", "available": 0}))
    return out


def alerts_in(events, type_: str = p.ALERT_RAISED) -> list[str]:
    return [e.data["key"] for e in events if e.type == type_]


async def test_the_live_session_logs_alerts_without_a_console():
    srv = await FakeServer(stock_events(100, sold_out=True)).start()
    rec = FakeRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05))
    await live.start()
    try:
        assert live.watching_alerts
        await until(lambda: "sold_out:A1" in alerts_in(rec.events), timeout=10)
        (raised,) = [e for e in rec.events if e.type == p.ALERT_RAISED]
        assert raised.source == "system" and raised.data["kind"] == "sold_out"
        assert raised.feed_seq is None and raised.ts >= TS0 + 3     # on the session clock
        assert "sold_out:A1" in live.state.active_alerts
        await asyncio.sleep(1.3)                                     # checked again: once only
        assert alerts_in(rec.events) == ["sold_out:A1"]
    finally:
        await live.stop()
        await srv.stop()
    assert not live.watching_alerts


async def test_new_thresholds_apply_from_the_next_check():
    srv = await FakeServer(stock_events(50, sold_out=False)).start()
    rec = FakeRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.05))
    await live.start()
    try:
        await until(lambda: live.state.last_feed_seq == 2)
        await asyncio.sleep(1.3)
        assert alerts_in(rec.events) == []               # 50 left: not low at 20 units
        live.set_thresholds(Thresholds(low_stock_units=100))
        await until(lambda: "low_stock:A1" in alerts_in(rec.events), timeout=5)
        live.set_thresholds(Thresholds())
        await until(lambda: "low_stock:A1" in alerts_in(rec.events, p.ALERT_CLEARED), timeout=5)
    finally:
        await live.stop()
        await srv.stop()


async def test_a_quiet_feed_then_a_dropped_feed_are_alerted_in_wall_time():
    srv = await FakeServer(stock_events(500, sold_out=False)).start()
    rec = FakeRecorder()
    live = LiveSession(srv.url, recorder=rec, policy=FixedPolicy(0.2),
                       thresholds=Thresholds(stale_s=1.0))
    await live.start()
    try:
        await until(lambda: "stale" in alerts_in(rec.events), timeout=10)   # nothing arrives
        await srv.stop()                                                    # the feed drops
        await until(lambda: "feed_down" in alerts_in(rec.events), timeout=10)
        down = next(e for e in rec.events if e.type == p.ALERT_RAISED
                    and e.data["key"] == "feed_down")
        assert down.data["level"] == "critical" and down.data["value"] in ("reconnecting",
                                                                            "closed")
    finally:
        await live.stop()


def test_a_resumed_session_does_not_raise_its_recorded_alerts_again():
    engine = AlertEngine()
    engine.adopt({"feed_down": {"key": "feed_down", "kind": "feed_down", "level": "critical",
                                "message": "x", "threshold": "live"}})
    out = engine.evaluate(SessionState(), 0.0, feed_state="reconnecting")
    assert out == []                                     # still down: not raised twice
    out = engine.evaluate(SessionState(), 0.0, feed_state="live")
    assert [(t, d["key"]) for t, d in out] == [(p.ALERT_CLEARED, "feed_down")]


def test_session_alerts_read_the_feed_status_of_the_session():
    from console.feed.client import FeedStatus
    from tests.support.demo import FakeSession

    session = FakeSession()
    session.status = FeedStatus(state="reconnecting")
    alerts = SessionAlerts(session)
    out = alerts.check(now=0.0)
    assert [d["key"] for _, d in out] == ["feed_down"]
    assert [(t, d["key"], s) for t, d, s in session.locals] == [
        (p.ALERT_RAISED, "feed_down", "system")]


# ---- livedesk record -------------------------------------------------------------------------
async def _run_record(tmp_path, events, *options) -> tuple[subprocess.CompletedProcess, str]:
    """Run ``livedesk record`` for 3 s against a fake feed serving ``events``."""
    srv = await FakeServer(events).start()
    db = f"sqlite:///{tmp_path / 'rec.db'}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("LIVEDESK_")}
    env["LIVEDESK_RECORDER"] = "thread"
    try:
        res = await asyncio.to_thread(
            subprocess.run, [sys.executable, "-m", "console", "record", srv.url, "--db", db,
                             "--duration", "3", "--quiet", *options],
            cwd=ROOT, capture_output=True, text=True, timeout=60, env=env)
    finally:
        await srv.stop()
    return res, db


async def test_livedesk_record_records_alerts_and_the_replay_shows_them(tmp_path):
    from console.recorder import Store
    from console.replay.replay import Replay

    res, db = await _run_record(tmp_path, stock_events(100, sold_out=True))
    assert res.returncode == 0, res.stderr
    store = Store(db)
    try:
        events = store.events(SESSION["id"])
        raised = [e for e in events if e.type == p.ALERT_RAISED]
        assert [e.data["key"] for e in raised] == ["sold_out:A1"], [e.type for e in events]
        assert raised[0].source == "system"
        replay = Replay(store, SESSION["id"]).open()
        state = replay.state_at(replay.last_seq)
        assert "sold_out:A1" in state.active_alerts
        assert [a["key"] for a in state.alerts] == ["sold_out:A1"]
        assert [lane.kind for lane in replay.lane("alert")] == ["alert"]   # the timeline lane
    finally:
        store.close()


async def _record(tmp_path, events, *options) -> tuple[subprocess.CompletedProcess, list]:
    """``livedesk record`` against a fake feed: its outcome and the alerts it recorded."""
    from console.recorder import Store

    res, db = await _run_record(tmp_path, events, *options)
    if res.returncode != 0:
        return res, []
    store = Store(db)
    try:
        return res, alerts_in(store.events(SESSION["id"]))
    finally:
        store.close()


async def test_livedesk_record_takes_alert_thresholds(tmp_path):
    res, raised = await _record(tmp_path / "a", stock_events(100, sold_out=False))
    assert res.returncode == 0, res.stderr
    assert raised == []                                   # 100 units: not low by default
    (tmp_path / "b").mkdir()
    res, raised = await _record(tmp_path / "b", stock_events(100, sold_out=False),
                                "--alert", "low_stock_units=150")
    assert res.returncode == 0, res.stderr
    assert raised == ["low_stock:A1"]


async def test_livedesk_record_refuses_an_unknown_or_bad_alert_setting(tmp_path):
    res, _ = await _record(tmp_path, stock_events(100, sold_out=False), "--alert", "low_stok=5")
    assert res.returncode == 2 and "unknown alert setting 'low_stok=5'" in res.stderr
    assert "low_stock_units=20" in res.stderr               # says what is known
    res, _ = await _record(tmp_path, stock_events(100, sold_out=False),
                           "--alert", "low_stock_units=lots")
    assert res.returncode == 2 and "low_stock_units needs a whole number" in res.stderr


def test_thresholds_parse():
    th = Thresholds.parse(["sellout_minutes=5", "low-stock-units = 50", "online_drop=0.5"])
    assert (th.sellout_minutes, th.low_stock_units, th.online_drop) == (5.0, 50, 0.5)
    assert isinstance(th.low_stock_units, int) and th.stale_s == Thresholds().stale_s
    for bad in ("sellout_minutes", "sellout_minutes=-1", "sellout_minutes=nan",
                "sellout_minutes=inf", "x=1",
                "low_stock_units=2.5"):
        with pytest.raises(ValueError):
            Thresholds.parse([bad])
