"""console/feed/server.py: the generic protocol v1 feed server, spoken to by a raw client."""

from __future__ import annotations

import asyncio
import json

import pytest
import websockets

from console.core import protocol as p
from console.feed.server import FeedServer, Rejected, Unsupported


async def recv(ws, timeout: float = 3.0):
    return json.loads(await asyncio.wait_for(ws.recv(), timeout))


async def welcome(ws, session_id=None, last_seq=0, **extra):
    await ws.send(p.dumps_text(dict(p.hello("t", session_id, last_seq), **extra)))
    return await recv(ws)


@pytest.fixture
async def server():
    calls = []

    async def hook(name, args):
        calls.append((name, args))
        if name == "card.push":
            if args["sku"] == "BAD":
                raise Rejected("unknown SKU 'BAD'")
            await asyncio.sleep(0.05)
            return [{"type": "card.pushed", "data": {"sku": args["sku"]}}]
        if name == "comment.send":
            return []
        if name == "card.clear":
            raise RuntimeError("page crashed")
        raise Unsupported(f"{name} is not offered here")

    commands = dict(p.COMMAND_ARGS, **{"comment.send": {"text": (str,)}})
    srv = FeedServer({"id": "s1", "platform": "test"}, retention=5, batch=3, hook=hook,
                     commands=commands, catalog=lambda: [{"sku": "A", "title": "a", "price": 1.0}])
    await srv.start()
    srv.calls = calls
    yield srv
    await srv.stop()


async def test_fresh_replay_gap_and_live(server):
    server.emit([{"type": "comment", "data": {"nick": "n", "text": str(i)}} for i in range(8)])
    assert server.last_seq == 8 and server.retained_from == 4        # retention 5
    async with websockets.connect(server.url) as ws:
        w = await welcome(ws)
        assert w["resume"] == "fresh" and w["last_seq"] == 8 and w["retained_from"] == 4
        assert w["session"] == {"id": "s1", "platform": "test"} and w["catalog"][0]["sku"] == "A"
        assert await recv(ws) == {"op": "gap", "from": 1, "to": 3, "reason": "not retained"}
        assert [e["seq"] for e in await recv(ws)] == [4, 5, 6]          # batch of 3
        assert [e["seq"] for e in await recv(ws)] == [7, 8]
        server.emit([{"type": "comment", "data": {"nick": "n", "text": "live"}}])
        live = await recv(ws)
        assert [e["seq"] for e in live] == [9] and live[0]["data"]["text"] == "live"
    async with websockets.connect(server.url) as ws:
        w = await welcome(ws, "s1", 7)
        assert w["resume"] == "replay"
        assert [e["seq"] for e in await recv(ws)] == [8, 9]
    async with websockets.connect(server.url) as ws:      # another session's client starts fresh
        w = await welcome(ws, "other", 7)
        assert w["resume"] == "fresh"


async def test_publish_refuses_seqs_that_do_not_go_up(server):
    server.publish([p.make_event(1, 1.0, "comment", {"nick": "a", "text": "b"})])
    server.publish([p.make_event(1, 1.0, "comment", {"nick": "a", "text": "b"}),
                    p.make_event(3, 1.0, "comment", {"nick": "a", "text": "c"})])
    assert server.last_seq == 3 and server.dropped == 1


async def test_resend_ping_and_bad_requests(server):
    server.emit([{"type": "comment", "data": {"nick": "n", "text": str(i)}} for i in range(8)])
    async with websockets.connect(server.url) as ws:
        await ws.send("not json")
        assert (await recv(ws))["code"] == "bad_request"
        await ws.send(p.dumps_text({"op": "ping", "id": 7}))
        pong = await recv(ws)
        assert pong["op"] == "pong" and pong["id"] == 7
        await ws.send(p.dumps_text({"op": "resend", "from": 1, "to": 2}))
        assert (await recv(ws))["code"] == "bad_request"               # hello first
        await welcome(ws, "s1", 8)
        await ws.send(p.dumps_text({"op": "resend", "from": 2, "to": 5}))
        assert await recv(ws) == {"op": "gap", "from": 2, "to": 3, "reason": "not retained"}
        assert [e["seq"] for e in await recv(ws)] == [4, 5]
        await ws.send(p.dumps_text({"op": "resend", "from": 7, "to": 99}))   # clamped
        assert [e["seq"] for e in await recv(ws)] == [7, 8]
        for bad in ({"op": "resend", "from": 5, "to": 4}, {"op": "resend", "from": 50, "to": 60},
                    {"op": "resend", "from": "1", "to": 2}, {"op": "nope"}, [1, 2]):
            await ws.send(json.dumps(bad))
            assert (await recv(ws))["code"] == "bad_request", bad


async def test_commands_go_to_the_hook(server):
    async with websockets.connect(server.url) as ws:
        await welcome(ws)
        await ws.send(p.dumps_text(p.command("c1", "card.push", {"sku": "A"})))
        ev = await recv(ws)
        assert ev[0]["type"] == "card.pushed" and ev[0]["data"] == {"sku": "A"}
        assert await recv(ws) == {"op": "ack", "id": "c1", "seq": ev[0]["seq"]}
        await ws.send(p.dumps_text(p.command("c2", "card.push", {"sku": "BAD"})))
        assert await recv(ws) == {"op": "error", "id": "c2", "code": "rejected",
                                  "message": "unknown SKU 'BAD'"}
        await ws.send(p.dumps_text(p.command("c3", "flash.start", {
            "sku": "A", "deal_price": 1.0, "stock": 1, "duration_s": 5})))
        err = await recv(ws)
        assert err["code"] == "unsupported" and "not offered" in err["message"]
        await ws.send(p.dumps_text(p.command("c4", "card.push", {})))
        assert (await recv(ws))["code"] == "bad_command"
        await ws.send(p.dumps_text(p.command("c5", "launch.rocket", {})))
        assert (await recv(ws))["code"] == "bad_command"
        await ws.send(p.dumps_text(p.command("c6", "comment.send", {"text": "hi"})))
        assert await recv(ws) == {"op": "ack", "id": "c6", "seq": server.last_seq}
        await ws.send(p.dumps_text(p.command("c7", "card.clear", {})))
        err = await recv(ws)
        assert err["code"] == "rejected" and "page crashed" in err["message"]
        # a slow command does not hold up pings
        await ws.send(p.dumps_text(p.command("c8", "card.push", {"sku": "B"})))
        await ws.send(p.dumps_text({"op": "ping"}))
        assert (await recv(ws))["op"] == "pong"
    assert [c[0] for c in server.calls][:2] == ["card.push", "card.push"]


async def test_read_only_server_and_tokens():
    srv = FeedServer({"id": "ro"}, token="T", read_only_reason="replays take no commands")
    await srv.start()
    try:
        async with websockets.connect(srv.url) as ws:
            await ws.send(p.dumps_text(p.hello("t", token="T")))
            assert (await recv(ws))["op"] == "welcome"
            await ws.send(p.dumps_text(p.command("c1", "card.clear")))
            assert await recv(ws) == {"op": "error", "id": "c1", "code": "unsupported",
                                      "message": "replays take no commands"}
        async with websockets.connect(srv.url) as ws:
            await ws.send(p.dumps_text(p.hello("t", token="wrong")))
            assert (await recv(ws))["code"] == "unauthorized"
            with pytest.raises(websockets.ConnectionClosed) as info:
                await recv(ws)
            assert info.value.rcvd.code == 4401
        with pytest.raises(websockets.InvalidStatus):
            async with websockets.connect(srv.url, additional_headers={"Authorization": "Bearer x"}):
                pass
        async with websockets.connect(srv.url, additional_headers={"Authorization": "Bearer T"}) as ws:
            assert (await welcome(ws))["op"] == "welcome"
        async with websockets.connect(srv.url) as ws:
            await ws.send(json.dumps({"op": "hello", "protocol": 2}))
            assert (await recv(ws))["code"] == "unsupported_protocol"
            with pytest.raises(websockets.ConnectionClosed) as info:
                await recv(ws)
            assert info.value.rcvd.code == 4400
    finally:
        await srv.stop()


async def test_a_livesession_follows_the_server(server):
    from console.live.session import LiveSession

    server.emit([{"type": "session.started", "data": {}},
                 {"type": "product.upsert", "data": {"sku": "A", "title": "a", "price": 10.0}}])
    session = LiveSession(server.url)
    await session.start()
    try:
        for _ in range(200):
            if "A" in session.state.products:
                break
            await asyncio.sleep(0.02)
        session.send_command("card.push", {"sku": "A"})
        for _ in range(200):
            if session.state.current_sku == "A":
                break
            await asyncio.sleep(0.02)
        assert session.state.current_sku == "A"
    finally:
        await session.stop()
