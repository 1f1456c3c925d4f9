"""Documentation and behaviour agree (issue 17, item 7)."""

from __future__ import annotations

import asyncio
import re
import time
from pathlib import Path

import pytest

from console.core import protocol as p
from console.feed import FixedPolicy
from console.live.session import LiveSession
from plugins.simulator.server import SimServer
from plugins.simulator.model import default_session_id
from tests.plugins.simulator.test_simserver import collect_events, connect, hello, recv

pytestmark = pytest.mark.timeout(60)
DOC = (Path(__file__).resolve().parents[3] / "docs" / "protocol.md").read_text("utf-8")


async def test_ping_before_hello_gets_pong_with_its_id(plan):
    srv = SimServer(plan, speed=10.0)
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            await ws.send(p.dumps_text({"op": "ping", "id": "p-before"}))
            pong = await recv(ws)
            assert pong["op"] == "pong" and pong["id"] == "p-before"
            assert isinstance(pong["ts"], float)
            await ws.send(p.dumps_text({"op": "ping"}))
            assert "id" not in await recv(ws)
            assert (await hello(ws))["op"] == "welcome"
    finally:
        await srv.stop()
    assert "before `hello`" in DOC and "`ping` gets a `pong` (with its `id`)" in DOC


async def test_session_id_is_what_the_doc_says(plan):
    srv = SimServer(plan, seed=7)
    other = SimServer(plan, seed=7)
    fixed = SimServer(plan, seed=7, session_id="show-1")
    prefix = default_session_id(srv.plan, 7)
    assert re.fullmatch(re.escape(prefix) + r"-\d{8}-\d{6}-[0-9a-f]{4}", srv.session_id)
    assert srv.session_id != other.session_id and fixed.session_id == "show-1"
    # the doc describes exactly that, not "a hash of the plan and the seed" alone
    assert "sim-<hash>-YYYYMMDD-HHMMSS-<4 hex>" in DOC.replace("\n  ", " ")


async def test_hello_ahead_of_the_feed_gets_fresh_with_a_reason(plan):
    srv = SimServer(plan, speed=20.0, session_id="show-ahead")
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            welcome = await hello(ws, "show-ahead", srv.last_seq + 5_000)
            assert welcome["resume"] == "fresh" and welcome["reason"] == "ahead"
            events = await collect_events(ws, 3)
            assert events[0]["seq"] == 1                     # everything, from seq 1
        async with connect(srv.url) as ws:                   # an ordinary resume is unchanged
            welcome = await hello(ws, "show-ahead", 2)
            assert welcome["resume"] == "replay" and "reason" not in welcome
            assert (await collect_events(ws, 3))[0]["seq"] == 3
    finally:
        await srv.stop()
    text = DOC.replace("\n  ", " ")
    assert '"reason": "ahead"' in text


async def test_feed_restarting_its_numbering_starts_a_new_recording(plan, tmp_path):
    """Livedesk's side of "ahead": what follows is recorded as a new session, the earlier
    recording is left as it was, and nothing is dropped as a duplicate."""
    from console.recorder import Recorder, Store

    url = f"sqlite:///{tmp_path / 'rec.db'}"
    srv = SimServer(plan, speed=30.0, session_id="show-x")
    await srv.start()
    live = LiveSession(srv.url, recorder=Recorder(url), policy=FixedPolicy(0.05))
    await live.start()
    await asyncio.sleep(0)
    for _ in range(400):
        if live.state.last_feed_seq >= 300:
            break
        await asyncio.sleep(0.05)
    port = srv.port
    await srv.stop()
    first_count = live.state.last_feed_seq
    srv = SimServer(plan, speed=30.0, session_id="show-x", port=port)   # same id, seq from 1
    await srv.start()
    for _ in range(400):
        if live.welcome and live.welcome.get("reason") == "ahead" and \
                live.state.last_feed_seq >= 50:
            break
        await asyncio.sleep(0.05)
    await live.stop()
    live.recorder.close()
    await srv.stop()
    assert live.welcome["reason"] == "ahead" and live.state.last_feed_seq >= 50
    assert live.status.counters.duplicates == 0
    store = Store(url)
    try:
        infos = {i.id: i for i in store.sessions()}
        assert set(infos) - {"show-x"} and "show-x" in infos
        (new_id,) = set(infos) - {"show-x"}
        assert new_id.startswith("show-x~")
        old = [e.feed_seq for e in store.events("show-x") if e.feed_seq is not None]
        new = [e.feed_seq for e in store.events(new_id) if e.feed_seq is not None]
        assert old == list(range(1, first_count + 1))       # untouched
        assert new[:50] == list(range(1, 51))               # the feed's new numbering, kept
    finally:
        store.close()


async def test_ts_is_simulated_time_under_speed(plan):
    srv = SimServer(plan, speed=50.0)
    await srv.start()
    try:
        t0 = time.time()
        async with connect(srv.url) as ws:
            await hello(ws)
            await asyncio.sleep(1.0)
            events = await collect_events(ws, srv.last_seq)
        elapsed = time.time() - t0
    finally:
        await srv.stop()
    span = events[-1]["ts"] - events[0]["ts"]
    assert span > 10 * elapsed            # simulated seconds run ~50x faster than the wall clock
    assert "simulated time" in DOC and "`--speed`" in DOC
    assert "* `ts`: Unix time in seconds (float). Non-decreasing in the simulator." not in DOC
