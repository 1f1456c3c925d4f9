"""json_mapper: mapping core, and a fake upstream -> mapped v1 feed -> FeedClient."""

import asyncio
import json

import pytest
import websockets

from console.core import protocol
from console.plugin_host import PluginManager
from plugins.json_mapper import JsonMapperFeed, Mapper, Mapping, MappingError
from plugins.json_mapper.plugin import EXAMPLE_MAPPING


def chat(i, text="多少钱", t=1_700_000_000_000):
    return {"id": i, "time_ms": t + i, "kind": "chat", "cid": f"c{i}",
            "user": {"name": f"u{i}"}, "content": text}


def pay(i, sku="A1", count="2", total=59.8):
    return {"id": i, "time_ms": 1_700_000_000_000 + i, "kind": "pay",
            "order": {"no": f"o{i}", "total": total, "item": {"sku": sku, "count": count}},
            "user": {"uid": f"b{i}"}}


def test_example_mapping_maps_messages():
    m = Mapper(Mapping.load(EXAMPLE_MAPPING))
    frame = {"batch": [chat(1), pay(2), {"id": 3, "time_ms": 1_700_000_000_003, "kind": "stock",
                                          "item": "A1", "left": "17"},
                       {"id": 4, "time_ms": 1_700_000_000_004, "kind": "explain",
                        "action": "start", "item": "A1"},
                       {"id": 5, "time_ms": 1_700_000_000_005, "kind": "room",
                        "stats": {"online": 321, "likes": 5}},
                       {"id": 6, "kind": "unknown-kind"}]}
    events = m.map_message(frame)
    assert [e["type"] for e in events] == [protocol.COMMENT, protocol.ORDER_PAID,
                                           protocol.INVENTORY_SET, protocol.CARD_PUSHED,
                                           protocol.TRAFFIC_TICK]
    assert [e["seq"] for e in events] == [1, 2, 3, 4, 5]
    assert events[0]["ts"] == pytest.approx(1_700_000_000.001)
    assert events[0]["data"] == {"nick": "u1", "text": "多少钱", "comment_id": "c1"}
    assert events[1]["data"] == {"order_id": "o2", "sku": "A1", "qty": 2, "amount": 59.8,
                                 "buyer": {"id": "b2"}}
    assert events[2]["data"] == {"sku": "A1", "available": 17}
    assert events[4]["data"] == {"online": 321, "likes": 5, "source": "upstream"}
    assert all(protocol.check_event(e) is None for e in events)
    assert m.unmatched == 1 and m.dropped == 0


def test_invalid_and_duplicate_messages_are_dropped():
    m = Mapper(Mapping.load(EXAMPLE_MAPPING))
    assert m.map_message({"batch": [chat(5)]})[0]["seq"] == 5
    assert m.map_message({"batch": [chat(5)]}) == []          # duplicate seq
    assert "not after" in m.last_error
    bad = pay(6, count="two")
    assert m.map_message({"batch": [bad]}) == [] and "convert" in m.last_error
    nosku = pay(7)
    del nosku["order"]["item"]["sku"]
    assert m.map_message({"batch": [nosku]}) == [] and "missing field 'sku'" in m.last_error
    assert m.dropped == 3
    assert m.map_message({"nope": 1}) == []


def test_generated_seq_and_ts_and_match_lists():
    mapping = Mapping.from_dict({"rules": [
        {"match": {"t": ["a", "b"]}, "type": "comment", "data": {"nick": "n", "text": "x.0"}}]})
    m = Mapper(mapping, clock=lambda: 42.0)
    out = m.map_message([{"t": "a", "n": "z", "x": ["hi"]}, {"t": "c"}, {"t": "b", "n": "y", "x": ["yo"]}])
    assert [(e["seq"], e["ts"], e["data"]["text"]) for e in out] == [(1, 42.0, "hi"), (2, 42.0, "yo")]


@pytest.mark.parametrize("raw, why", [
    ({}, "rules"), ({"rules": [{"match": {}}]}, "type"),
    ({"rules": [{"type": "comment", "convert": {"a": "complex"}}]}, "convert"),
    ({"rules": [{"type": "comment"}], "seq": "random"}, "seq"),
])
def test_bad_mappings_are_rejected(raw, why):
    with pytest.raises(MappingError, match=why):
        Mapping.from_dict(raw)


async def test_fake_upstream_to_v1_feed_consumed_by_feedclient(tmp_path):
    frames: asyncio.Queue = asyncio.Queue()

    async def upstream(ws):                 # a fake third-party JSON websocket
        closed = asyncio.ensure_future(ws.wait_closed())
        while True:
            get = asyncio.ensure_future(frames.get())
            await asyncio.wait([get, closed], return_when=asyncio.FIRST_COMPLETED)
            if closed.done():
                get.cancel()
                return
            await ws.send(json.dumps(get.result()))

    async with websockets.serve(upstream, "127.0.0.1", 0) as up:
        up_url = f"ws://127.0.0.1:{up.sockets[0].getsockname()[1]}"
        m = PluginManager(tmp_path / "p.json", discover=False)
        feed = JsonMapperFeed()
        m.register("json_mapper", feed, kind="feed")
        m.set_enabled("json_mapper", True)
        m.set_settings("json_mapper", {"upstream": up_url})
        assert await m.start("json_mapper"), m.problems
        await asyncio.wait_for(feed.connected.wait(), 5)
        assert feed.url.startswith("ws://127.0.0.1:")

        await frames.put({"batch": [chat(1), pay(2)]})
        await frames.put("not even an object")
        await asyncio.sleep(0.1)

        from console.feed.client import FeedClient
        got = []
        welcomes = []
        client = FeedClient(feed.url, on_events=got.extend, on_welcome=welcomes.append,
                            ping_interval=1.0)
        await client.start()
        try:
            for _ in range(100):
                if len(got) >= 2:
                    break
                await asyncio.sleep(0.02)
            await frames.put({"batch": [chat(3, "还有货吗")]})
            for _ in range(100):
                if len(got) >= 3:
                    break
                await asyncio.sleep(0.02)
        finally:
            await client.stop()
        assert welcomes and welcomes[0]["session"]["id"] == "demo-upstream"
        assert [(e["seq"], e["type"]) for e in got] == [
            (1, "comment"), (2, "order.paid"), (3, "comment")]
        assert got[2]["data"]["text"] == "还有货吗"

        # a raw v1 client: resume after seq 2, resend, ping, read-only commands
        async with websockets.connect(feed.url) as ws:
            await ws.send(protocol.dumps_text(protocol.hello("t", "demo-upstream", 2)))
            welcome = json.loads(await ws.recv())
            assert welcome["op"] == "welcome" and welcome["last_seq"] == 3
            assert [e["seq"] for e in json.loads(await ws.recv())] == [3]
            await ws.send(protocol.dumps_text({"op": "resend", "from": 1, "to": 2}))
            assert [e["seq"] for e in json.loads(await ws.recv())] == [1, 2]
            await ws.send(protocol.dumps_text(protocol.command("c1", "card.push", {"sku": "A1"})))
            err = json.loads(await ws.recv())
            assert err["op"] == "error" and err["id"] == "c1"
        await m.stop_all()
        assert feed.upstream_state == "closed"
        assert m.problems == []


async def test_feed_start_fails_cleanly_without_upstream(tmp_path):
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("json_mapper", JsonMapperFeed(), kind="feed")
    m.set_enabled("json_mapper", True)
    m.set_settings("json_mapper", {"mapping": str(tmp_path / "missing.yaml")})
    assert not await m.start("json_mapper")
    assert m.entries["json_mapper"].status == "failed"
    assert "missing.yaml" in m.entries["json_mapper"].error
