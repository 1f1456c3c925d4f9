"""console/feed/server.py: what a source gets from the feed server besides the basics
(tests/plugins/douyin/test_feed_server.py): snapshot resume, "ahead", welcome fields, events
numbered by the source, holes in the seqs, and a slow client that falls out of the ring."""

from __future__ import annotations

import asyncio

import orjson
import pytest
from websockets.asyncio.client import connect

from console.core import protocol as p
from console.feed.server import FeedServer

pytestmark = pytest.mark.timeout(60)


def comments(n: int) -> list[dict]:
    return [{"type": p.COMMENT, "data": {"nick": "n", "text": str(i)}} for i in range(n)]


async def recv(ws, timeout: float = 5.0):
    return orjson.loads(await asyncio.wait_for(ws.recv(), timeout))


async def hello(ws, session_id=None, last_seq=0):
    await ws.send(p.dumps_text(p.hello("t", session_id, last_seq)))
    return await recv(ws)


async def test_snapshot_hook_replaces_the_gap_and_welcome_extra_is_sent():
    srv = FeedServer({"id": "s"}, retention=5, batch=1, welcome_extra={"speed": 2.0},
                     snapshot=lambda: {"last_seq": srv.last_seq, "gmv": 10.0})
    await srv.start()
    try:
        srv.emit(comments(8))
        async with connect(srv.url) as ws:
            w = await hello(ws, "s", 1)                 # seqs 2..3 are no longer retained
            assert w["resume"] == "snapshot" and w["speed"] == 2.0 and "reason" not in w
            assert await recv(ws) == {"op": "snapshot", "last_seq": 8,
                                      "state": {"last_seq": 8, "gmv": 10.0}}
            srv.emit(comments(1))
            ev = await recv(ws)                          # batch 1: a bare event, live from 9
            assert ev["seq"] == 9 and ev["data"]["text"] == "0"
        async with connect(srv.url) as ws:               # still retained: an ordinary replay
            w = await hello(ws, "s", 6)
            assert w["resume"] == "replay"
            assert [(await recv(ws))["seq"] for _ in range(3)] == [7, 8, 9]
    finally:
        await srv.stop()


async def test_a_client_ahead_of_the_feed_gets_everything_with_reason_ahead():
    srv = FeedServer({"id": "s"}, retention=5, batch=10)
    await srv.start()
    try:
        srv.emit(comments(8))
        async with connect(srv.url) as ws:
            w = await hello(ws, "s", 500)                # the feed restarted its numbering
            assert w["resume"] == "fresh" and w["reason"] == "ahead" and w["last_seq"] == 8
            assert await recv(ws) == {"op": "gap", "from": 1, "to": 3, "reason": "not retained"}
            assert [e["seq"] for e in await recv(ws)] == [4, 5, 6, 7, 8]
    finally:
        await srv.stop()


async def test_events_numbered_by_the_source_are_published_as_they_are():
    def hook(name, args):
        if args["sku"] == "STALE":
            return [p.make_event(1, 1.0, p.CARD_PUSHED, {"sku": "STALE"})]
        return [p.make_event(srv.last_seq + 5, 1.0, p.CARD_PUSHED, {"sku": args["sku"]})]

    srv = FeedServer({"id": "s"}, hook=hook, batch=10)
    await srv.start()
    try:
        srv.emit(comments(2))
        async with connect(srv.url) as ws:
            await hello(ws)
            assert [e["seq"] for e in await recv(ws)] == [1, 2]
            await ws.send(p.dumps_text(p.command("c1", p.CMD_CARD_PUSH, {"sku": "A"})))
            pushed = await recv(ws)
            assert [(e["seq"], e["data"]["sku"]) for e in pushed] == [(7, "A")]   # its own seq
            assert await recv(ws) == {"op": "ack", "id": "c1", "seq": 7}
            await ws.send(p.dumps_text(p.command("c2", p.CMD_CARD_PUSH, {"sku": "STALE"})))
            assert await recv(ws) == {"op": "ack", "id": "c2", "seq": 7}        # dropped
            assert srv.dropped == 1 and srv.last_seq == 7
    finally:
        await srv.stop()


async def test_holes_in_the_seqs_are_served_and_resent_as_they_are():
    srv = FeedServer({"id": "s"}, batch=10)
    await srv.start()
    try:
        srv.publish([p.make_event(s, 1.0, p.COMMENT, {"nick": "n", "text": str(s)})
                     for s in (1, 2, 3, 10, 11, 12)])
        assert srv.retained_from == 1 and srv.last_seq == 12
        async with connect(srv.url) as ws:
            await hello(ws)
            assert [e["seq"] for e in await recv(ws)] == [1, 2, 3, 10, 11, 12]
            await ws.send(p.dumps_text({"op": "resend", "from": 2, "to": 11}))
            assert [e["seq"] for e in await recv(ws)] == [2, 3, 10, 11]
        async with connect(srv.url) as ws:
            await hello(ws, "s", 3)
            assert [e["seq"] for e in await recv(ws)] == [10, 11, 12]
    finally:
        await srv.stop()


async def test_a_client_that_stops_reading_falls_out_of_the_ring_with_a_gap():
    """A slow client neither holds the source up nor makes the server keep more than the
    retention; when it reads again it gets a gap (reason retention), then what is held."""
    srv = FeedServer({"id": "s"}, retention=2_000, batch=50)
    await srv.start()
    big = [{"type": p.COMMENT, "data": {"nick": "n", "text": "x" * 1_000}}] * 1_000
    try:
        async with connect(srv.url, max_queue=4) as slow:
            await hello(slow)
            for _ in range(20):       # 20 MB in all: more than the socket buffers hold
                srv.emit(big)
                assert len(srv.ring) <= 2_000 + 1_024
                await asyncio.sleep(0.01)
            seqs, gaps = [], []
            while not seqs or seqs[-1] < 20_000:
                msg = await recv(slow, 30)
                if isinstance(msg, list):
                    seqs.extend(e["seq"] for e in msg)
                elif msg.get("op") == "gap":
                    gaps.append(msg)
        assert gaps and all(g["reason"] == "retention" for g in gaps)
        assert seqs == sorted(set(seqs)) and seqs[-1] == 20_000
        covered = set(seqs)
        for g in gaps:
            covered.update(range(g["from"], g["to"] + 1))
        assert covered == set(range(1, 20_001))
    finally:
        await srv.stop()


async def test_wait_for_readers_follows_the_fastest_client():
    srv = FeedServer({"id": "s"}, batch=100)
    await srv.start()
    try:
        await asyncio.wait_for(srv.wait_for_readers(10), 1)      # no client: at once
        big = "x" * 10_000            # 20 MB in all: more than the socket buffers hold
        srv.emit([{"type": p.COMMENT, "data": {"nick": "n", "text": big}}] * 2_000)
        async with connect(srv.url, max_queue=1) as ws:
            await hello(ws)
            await asyncio.wait_for(srv.wait_for_first_client(), 1)
            waiter = asyncio.ensure_future(srv.wait_for_readers(100))
            await asyncio.sleep(0.3)
            assert not waiter.done()                   # the only client has not read yet
            got = 0
            while got < 2_000:
                got += len(await recv(ws))
            await asyncio.wait_for(waiter, 5)
    finally:
        await srv.stop()


async def test_a_round_of_one_event_frames_goes_out_in_one_socket_write():
    srv = FeedServer({"id": "s"}, batch=1)
    await srv.start()
    try:
        async with connect(srv.url) as ws:
            await hello(ws)
            client = next(iter(srv.clients))
            transport = client.ws.transport
            writes: list[int] = []
            write = transport.write

            def counting_write(data):
                writes.append(len(data))
                write(data)
            transport.write = counting_write
            srv.emit(comments(40))
            frames = [await recv(ws) for _ in range(40)]
            # unchanged for the reader: forty frames, one event object each, in order
            assert [f["seq"] for f in frames] == list(range(1, 41))
            assert all(f["type"] == p.COMMENT for f in frames)
            assert len(writes) == 1, writes                 # ws.send() per frame: 40 writes
    finally:
        await srv.stop()
