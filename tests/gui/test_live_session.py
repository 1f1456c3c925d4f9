"""The console's LiveSession batches feed events per loop turn and keeps the log order."""

import asyncio

from console.core import protocol as p
from console.gui.coalescing_session import make_session


def test_feed_events_are_batched_per_loop_turn_and_order_is_kept():
    async def go():
        sess = make_session("ws://127.0.0.1:9")
        batches = []
        sess.log.subscribe(lambda evs: batches.append([(e.type, e.feed_seq) for e in evs]))
        feed = sess.client                          # what the feed client calls
        feed.on_welcome({"session": {"id": "s1"}, "protocol": 1})
        for i in range(1, 4):                       # three frames in one loop turn
            feed.on_events([p.make_event(i, 1.0 + i, p.TRAFFIC_TICK, {"online": i})])
        assert batches == []                        # not folded yet
        await asyncio.sleep(0)
        assert batches == [[(p.TRAFFIC_TICK, 1), (p.TRAFFIC_TICK, 2), (p.TRAFFIC_TICK, 3)]]
        feed.on_events([p.make_event(4, 5.0, p.TRAFFIC_TICK, {"online": 4})])
        sess.append_local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
        assert batches[-2:] == [[(p.TRAFFIC_TICK, 4)], [(p.OPERATOR_CUE, None)]]
        assert sess.state.traffic["online"] == 4
        feed.on_events([p.make_event(5, 6.0, p.TRAFFIC_TICK, {"online": 5})])
        sess.flush_feed()
        await asyncio.sleep(0)
        assert [b for b in batches if b[0][1] == 5] == [[(p.TRAFFIC_TICK, 5)]]   # once only
        seqs = [s for b in batches for _, s in b if s is not None]
        assert seqs == [1, 2, 3, 4, 5]

    asyncio.run(go())


def test_a_welcome_first_appends_the_feed_events_received_before_it():
    async def go():
        sess = make_session("ws://127.0.0.1:9")
        feed = sess.client
        feed.on_welcome({"session": {"id": "s1"}, "protocol": 1})
        feed.on_events([p.make_event(1, 2.0, p.TRAFFIC_TICK, {"online": 1})])
        assert sess.state.traffic["online"] == 0             # held until the loop turn ends
        feed.on_welcome({"session": {"id": "s1"}, "protocol": 1})   # a reconnection
        assert sess.state.traffic["online"] == 1

    asyncio.run(go())


def test_reads_are_capped_once_connected():
    from console.gui.coalescing_session import READ_CHUNK, cap_reads

    class T:
        max_size = 256 * 1024

    from console.feed.client import FeedClient

    client = FeedClient("ws://127.0.0.1:9/feed")
    client._ws = type("W", (), {"transport": T()})()   # connected (the socket's transport)
    cap_reads(client)
    assert client._ws.transport.max_size == READ_CHUNK
    cap_reads(FeedClient("ws://127.0.0.1:9/feed"))   # not connected: nothing to do
