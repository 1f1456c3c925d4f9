from __future__ import annotations

import asyncio

import orjson
import pytest
from websockets.asyncio.client import connect as _connect
from websockets.exceptions import ConnectionClosed, InvalidStatus

from console.core import protocol as p
from plugins.simulator.server import SimServer
from plugins.simulator import SimulatorFeed
from tests.plugins.simulator.conftest import PLAN_PATH, T0
from tests.plugins.simulator.test_schema import SCHEMA, valid


def connect(url, **kw):
    # Tests often stop reading mid-stream; an unbounded client queue keeps the close
    # handshake from waiting behind paused reads (websockets pauses at max_queue).
    kw.setdefault("max_queue", None)
    kw.setdefault("close_timeout", 2)
    return _connect(url, **kw)


async def recv(ws, timeout=5.0):
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def hello(ws, session_id=None, last_seq=0, token=None):
    await ws.send(p.dumps_text(p.hello("tests", session_id, last_seq, token)))
    return await recv(ws)


async def collect_events(ws, until_seq, control=None, timeout=10.0):
    """Receive frames until an event with seq >= until_seq; returns events."""
    events = []
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not events or events[-1]["seq"] < until_seq:
        msg = await recv(ws, max(0.1, end - loop.time()))
        if isinstance(msg, list):
            events.extend(msg)
        elif "seq" in msg and "op" not in msg:
            events.append(msg)
        elif control is not None:
            control.append(msg)
    return events


@pytest.fixture
async def server(plan):
    srv = SimServer(plan, seed=7, speed=20.0, start_ts=T0)
    await srv.start()
    yield srv
    await srv.stop()


async def test_hello_welcome_and_live_events(server):
    async with connect(server.url) as ws:
        welcome = await hello(ws)
        assert welcome["op"] == "welcome" and welcome["protocol"] == 1
        assert welcome["resume"] == "fresh"
        assert welcome["session"]["id"] == server.session_id
        assert {"room", "title", "currency", "platform", "started_at"} <= set(welcome["session"])
        assert len(welcome["catalog"]) == 12
        assert valid(welcome, SCHEMA)
        events = await collect_events(ws, 60)
        assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
        assert events[0]["type"] == p.SESSION_STARTED
        assert all(p.check_event(e) is None for e in events)
        await ws.send(orjson.dumps({"op": "ping"}).decode())
        ctrl: list = []
        await collect_events(ws, events[-1]["seq"] + 20, ctrl)
        assert any(m.get("op") == "pong" for m in ctrl)


async def test_resume_replay_without_duplicates_or_gaps(server):
    async with connect(server.url) as ws:
        await hello(ws)
        first = await collect_events(ws, 40)
    await asyncio.sleep(0.3)  # events keep flowing while we are away
    last = first[-1]["seq"]
    async with connect(server.url) as ws:
        welcome = await hello(ws, server.session_id, last)
        assert welcome["resume"] == "replay"
        assert welcome["last_seq"] > last
        rest = await collect_events(ws, welcome["last_seq"] + 10)
    seqs = [e["seq"] for e in first + rest]
    assert seqs == list(range(1, len(seqs) + 1))


async def test_other_session_id_starts_fresh(server):
    async with connect(server.url) as ws:
        welcome = await hello(ws, "another-session", 500)
        assert welcome["resume"] == "fresh"
        events = await collect_events(ws, 5)
        assert events[0]["seq"] == 1


async def test_snapshot_when_retention_exceeded(plan):
    srv = SimServer(plan, seed=7, speed=20.0, start_ts=T0, retention=50)
    await srv.start()
    try:
        while srv.last_seq < 200:
            await asyncio.sleep(0.05)
        async with connect(srv.url) as ws:
            welcome = await hello(ws, srv.session_id, 10)
            assert welcome["resume"] == "snapshot"
            snap = await recv(ws)
            assert snap["op"] == "snapshot" and snap["last_seq"] == welcome["last_seq"]
            state = snap["state"]
            assert len(state["products"]) == 12 and "totals" in state and "traffic" in state
            events = await collect_events(ws, snap["last_seq"] + 5)
            assert events[0]["seq"] == snap["last_seq"] + 1
            # resend of a range the ring no longer holds -> gap, then the held part
            await ws.send(orjson.dumps({"op": "resend", "from": 1, "to": srv.last_seq}).decode())
            ctrl: list = []
            while not any(m.get("op") == "gap" for m in ctrl):
                await collect_events(ws, 0, ctrl, timeout=5)
            gap = next(m for m in ctrl if m.get("op") == "gap")
            assert gap["from"] == 1 and gap["to"] >= 150
    finally:
        await srv.stop()


async def test_resend(server):
    async with connect(server.url) as ws:
        await hello(ws)
        await collect_events(ws, 50)
        await ws.send(orjson.dumps({"op": "resend", "from": 10, "to": 14}).decode())
        got = []
        while len([e for e in got if 10 <= e["seq"] <= 14]) < 5 or not got:
            got += await collect_events(ws, 0)
        resent = [e for e in got if 10 <= e["seq"] <= 14]
        assert [e["seq"] for e in resent] == [10, 11, 12, 13, 14]
        await ws.send(orjson.dumps({"op": "resend", "from": 5, "to": 2}).decode())
        ctrl: list = []
        while not ctrl:
            await collect_events(ws, 0, ctrl)
        assert ctrl[0]["op"] == "error" and ctrl[0]["code"] == "bad_request"


async def test_commands_ack_error_and_broadcast(server):
    async with connect(server.url) as a, connect(server.url) as b:
        await hello(a)
        await hello(b)
        await a.send(p.dumps_text(p.command("c1", "card.push", {"sku": "QM-CT-007"})))
        ctrl: list = []
        got = []
        while not any(m.get("op") == "ack" for m in ctrl):
            got += await collect_events(a, 0, ctrl)
        ack = next(m for m in ctrl if m.get("op") == "ack")
        assert ack["id"] == "c1" and isinstance(ack["seq"], int)
        pushed = [e for e in got if e["seq"] == ack["seq"]]
        assert pushed and pushed[0]["type"] == p.CARD_PUSHED and pushed[0]["data"]["sku"] == "QM-CT-007"
        other = await collect_events(b, ack["seq"])
        assert any(e["seq"] == ack["seq"] and e["type"] == p.CARD_PUSHED for e in other)
        for cmd, code in ((p.command("c2", "card.push", {"sku": "NOPE"}), "rejected"),
                          (p.command("c3", "card.push", {}), "bad_command"),
                          ({"op": "command", "name": "card.clear"}, "bad_command"),
                          (p.command("c4", "self.destruct"), "bad_command")):
            await a.send(p.dumps_text(cmd))
            ctrl = []
            while not any(m.get("op") == "error" for m in ctrl):
                await collect_events(a, 0, ctrl)
            err = next(m for m in ctrl if m.get("op") == "error")
            assert err["code"] == code and err["id"] == cmd.get("id")
            assert err["message"]


async def test_bad_request_keeps_connection(server):
    async with connect(server.url) as ws:
        await ws.send("not json")          # before hello
        assert (await recv(ws))["code"] == "bad_request"
        await hello(ws)
        for bad in ("{oops", "[1,2]", '{"seq": 5}', '{"op": "dance"}', "42"):
            await ws.send(bad)
            ctrl: list = []
            while not any(m.get("op") == "error" for m in ctrl):
                await collect_events(ws, 0, ctrl)
            assert next(m for m in ctrl if m.get("op") == "error")["code"] == "bad_request"
        await ws.send('{"op":"ping"}')
        ctrl = []
        while not any(m.get("op") == "pong" for m in ctrl):
            await collect_events(ws, 0, ctrl)


async def test_token(plan):
    srv = SimServer(plan, seed=7, start_ts=T0, token="s3cret")
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            err = await hello(ws, token="wrong")
            assert err == {"op": "error", "code": "unauthorized", "message": err["message"]}
            with pytest.raises(ConnectionClosed) as info:
                await recv(ws)
            assert info.value.rcvd.code == 4401
        with pytest.raises(InvalidStatus) as info2:
            async with connect(srv.url, additional_headers={"Authorization": "Bearer nope"}):
                pass
        assert info2.value.response.status_code == 401
        async with connect(srv.url) as ws:
            assert (await hello(ws, token="s3cret"))["op"] == "welcome"
        async with connect(srv.url, additional_headers={"Authorization": "Bearer s3cret"}) as ws:
            assert (await hello(ws))["op"] == "welcome"
    finally:
        await srv.stop()


async def test_batch_frames(plan):
    srv = SimServer(plan, seed=7, speed=20.0, start_ts=T0, batch=16)
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            await hello(ws)
            frame = await recv(ws)
            assert isinstance(frame, list) and 1 <= len(frame) <= 16
            assert frame[0]["seq"] == 1
            assert len(frame) == 16  # replayed preamble fills the batch
            kind, evs = p.decode_frame(orjson.dumps(frame))
            assert kind == "events"
    finally:
        await srv.stop()


async def test_load_mode_total(plan):
    srv = SimServer(plan, seed=7, start_ts=T0, load_eps=2000, total=500, batch=50)
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            await hello(ws)
            events = await collect_events(ws, 500, timeout=10)
        assert [e["seq"] for e in events] == list(range(1, 501))
        assert events[-1]["type"] == p.SESSION_ENDED
        assert all(p.check_event(e) is None for e in events)
        await asyncio.wait_for(srv.finished.wait(), 5)
    finally:
        await srv.stop()


async def test_duration_ends_session(plan):
    srv = SimServer(plan, seed=7, speed=50.0, start_ts=T0, duration=0.3)
    await srv.start()
    try:
        await asyncio.wait_for(srv.finished.wait(), 5)
        assert srv.retained_events()[-1]["type"] == p.SESSION_ENDED
    finally:
        await srv.stop()


async def test_plugin_feed():
    feed = SimulatorFeed()
    assert feed.name == "simulator" and feed.description
    url = await feed.open(PLAN_PATH, seed=3, speed=5.0)
    try:
        assert url.startswith("ws://127.0.0.1:")
        async with connect(url) as ws:
            assert (await hello(ws))["op"] == "welcome"
    finally:
        await feed.stop()


async def test_load_mode_stays_responsive_to_new_clients_and_resume(plan):
    """Regression: load mode used to generate a whole second of events (--load EPS of
    them) in one go on the event loop, so handshakes timed out while it ran. Now, with a
    client consuming at full speed, a new client is welcomed, resumed and answered while
    the generator keeps running."""
    total = 5_000_000  # far more than the test waits for: the load runs throughout
    srv = SimServer(plan, seed=7, start_ts=T0, load_eps=10_000_000, total=total, batch=100,
                    retention=total)
    await srv.start()
    seen = {"last": 0}

    async def consume(ws):
        while True:
            frame = orjson.loads(await ws.recv())
            if isinstance(frame, list):
                seen["last"] = frame[-1]["seq"]

    try:
        async with connect(srv.url) as first:
            await hello(first)
            reader = asyncio.create_task(consume(first))
            while seen["last"] < 5_000:
                await asyncio.sleep(0.01)
            last = seen["last"]
            async with connect(srv.url, open_timeout=30) as second:
                welcome = await hello(second, srv.session_id, last)
                assert welcome["op"] == "welcome" and welcome["resume"] == "replay"
                at_welcome = srv.emitted
                await second.send(p.dumps_text({"op": "ping", "id": "p1"}))
                ctrl: list = []
                rest = await collect_events(second, last + 5_000, ctrl, timeout=60)
                assert [e["seq"] for e in rest] == list(range(last + 1, rest[-1]["seq"] + 1))
                while not any(m.get("op") == "pong" for m in ctrl):
                    await collect_events(second, 0, ctrl, timeout=60)
                assert next(m for m in ctrl if m.get("op") == "pong")["id"] == "p1"
                # the load kept running while the second client was served
                assert at_welcome < srv.emitted < total
            reader.cancel()
    finally:
        await srv.stop()


async def test_load_mode_waits_for_first_client(plan):
    srv = SimServer(plan, seed=7, start_ts=T0, load_eps=100_000, total=1000)
    await srv.start()
    try:
        await asyncio.sleep(0.2)
        preamble = srv.emitted
        assert preamble == srv.last_seq and not srv.finished.is_set()
        async with connect(srv.url) as ws:
            await hello(ws)
            events = await collect_events(ws, 1000, timeout=30)
        assert [e["seq"] for e in events] == list(range(1, 1001))
    finally:
        await srv.stop()


async def test_client_behind_retention_gets_gap_not_unbounded_memory(plan):
    """A client that stops reading neither holds the load back (it follows the fastest
    client) nor makes the server keep more than the retention: it gets a gap."""
    srv = SimServer(plan, seed=7, start_ts=T0, load_eps=20_000, total=50_000, batch=50,
                    retention=2_000)
    await srv.start()
    try:
        async with connect(srv.url) as fast, connect(srv.url, max_queue=4) as slow:
            await hello(fast)
            await hello(slow)
            fast_events = await collect_events(fast, 50_000, timeout=120)
            assert [e["seq"] for e in fast_events] == list(range(1, 50_001))
            await asyncio.wait_for(srv.finished.wait(), 60)
            assert len(srv.ring) <= 2_000 + 1024
            ctrl: list = []
            events = await collect_events(slow, 50_000, ctrl, timeout=120)
        gaps = [m for m in ctrl if m.get("op") == "gap"]
        assert gaps and gaps[0]["reason"] == "retention"
        seqs = [e["seq"] for e in events]
        assert seqs == sorted(set(seqs)) and seqs[-1] == 50_000
        # what was not sent was announced: events and gaps together cover 1..50000
        covered = set(seqs)
        for g in gaps:
            covered.update(range(g["from"], g["to"] + 1))
        assert covered == set(range(1, 50_001))
    finally:
        await srv.stop()


async def test_load_mode_duration_ends_with_contiguous_seqs(plan):
    srv = SimServer(plan, seed=7, start_ts=T0, load_eps=3_000, duration=0.5, batch=100)
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            await hello(ws)
            await asyncio.wait_for(srv.finished.wait(), 30)
            events = await collect_events(ws, srv.last_seq, timeout=30)
        assert [e["seq"] for e in events] == list(range(1, srv.last_seq + 1))
        assert events[-1]["type"] == p.SESSION_ENDED
        assert srv.retained_events()[0]["seq"] == 1     # the ring was not restarted
    finally:
        await srv.stop()
