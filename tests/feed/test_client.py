import asyncio
import random

import orjson
import pytest

from console.core import protocol as p
from console.feed import FeedClient, FixedPolicy, ReconnectPolicy
from tests.feed.fakeserver import FakeServer, make_events

pytestmark = [pytest.mark.timeout(30), pytest.mark.usefixtures("feed_route")]


class Sink:
    #: the batching relay the clients connect through (tests/feed/conftest.py), or None
    relay = None

    def __init__(self):
        self.events = []
        self.local = []
        self.results = {}
        self.welcomes = []

    def client(self, url, **kw):
        kw.setdefault("policy", FixedPolicy(0.05))
        kw.setdefault("relay", Sink.relay)
        return FeedClient(url, on_events=self.events.extend,
                          on_local=lambda t, d: self.local.append((t, d)),
                          on_command_result=lambda i, ok, pl: self.results.__setitem__(i, (ok, pl)),
                          on_welcome=self.welcomes.append, **kw)

    def seqs(self):
        return [e["seq"] for e in self.events]

    def of(self, type_):
        return [d for t, d in self.local if t == type_]


async def until(pred, timeout=5.0):
    loop = asyncio.get_running_loop()
    end = loop.time() + timeout
    while not pred():
        if loop.time() > end:
            raise AssertionError("condition not reached in time")
        await asyncio.sleep(0.01)


def frame(obj):
    return orjson.dumps(obj).decode()


def test_policy_backoff_jitter_cap_reset():
    t = [0.0]
    pol = ReconnectPolicy(base=1, factor=2, cap=5, jitter=0.5, stable_after=10,
                          rng=random.Random(3), clock=lambda: t[0])
    delays = [pol.next_delay() for _ in range(6)]
    assert all(0.5 * min(5, 2 ** i) <= d <= min(5, 2 ** i) for i, d in enumerate(delays))
    assert max(delays) <= 5
    pol.connected(); t[0] = 3; pol.disconnected()
    assert pol.attempt == 6            # short connection: no reset
    pol.connected(); t[0] = 20; pol.disconnected()
    assert pol.attempt == 0
    again = ReconnectPolicy(base=1, factor=2, cap=5, rng=random.Random(3))
    assert [again.next_delay() for _ in range(6)] == delays
    assert ReconnectPolicy(max_attempts=1).next_delay() is not None
    limited = ReconnectPolicy(max_attempts=1); limited.next_delay()
    assert limited.next_delay() is None


async def test_normal_flow_and_status():
    srv = await FakeServer(make_events(1000), batch=50).start()
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == 1000)
    assert sink.seqs() == list(range(1, 1001))
    assert c.status.state == "live" and c.status.session_id == "s-test"
    assert sink.welcomes[0]["session"]["id"] == "s-test"
    assert c.status.counters.bytes > 0 and c.status.data_age() < 5
    assert [d["state"] for d in sink.of(p.FEED_STATUS)] == ["connecting", "live"]
    await c.stop()
    assert c.status.state == "closed"
    await srv.stop()


async def test_duplicates_reorder_unknown_types():
    evs = make_events(20)
    evs[3] = p.make_event(4, 1.0, "sparkle.new", {"x": 1})
    order = [1, 2, 2, 3, 5, 4, 6, 8, 7, 7, 9, 10] + list(range(11, 21)) + [20, 3]
    frames = [frame([evs[s - 1] for s in order[:6]]), frame([evs[s - 1] for s in order[6:]])]
    srv = await FakeServer(evs, first_frames=frames).start()
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == 20)
    await asyncio.sleep(0.1)
    assert sink.seqs() == list(range(1, 21))
    assert sink.events[3]["type"] == "sparkle.new"
    assert c.status.counters.duplicates == 4
    assert srv.resends == [] and not sink.of(p.FEED_GAP)
    await c.stop(); await srv.stop()


async def test_gap_filled_by_resend():
    evs = make_events(30)
    frames = [frame(evs[:10]), frame(evs[15:])]
    srv = await FakeServer(evs, first_frames=frames).start()
    sink = Sink()
    c = sink.client(srv.url, gap_wait=0.1)
    await c.start()
    await until(lambda: len(sink.events) == 30)
    assert sink.seqs() == list(range(1, 31))
    assert srv.resends == [(11, 15)]
    assert not sink.of(p.FEED_GAP)
    await c.stop(); await srv.stop()


@pytest.mark.parametrize("mode", ["gap", "timeout"])
async def test_unfillable_gap_emits_feed_gap(mode):
    evs = make_events(30)
    frames = [frame(evs[:10]), frame(evs[15:])]
    srv = await FakeServer(evs, first_frames=frames, unavailable=set(range(11, 16)),
                           ignore_resend=(mode == "timeout")).start()
    sink = Sink()
    c = sink.client(srv.url, gap_wait=0.1, resend_timeout=0.3)
    await c.start()
    await until(lambda: len(sink.events) == 25)
    assert sink.seqs() == list(range(1, 11)) + list(range(16, 31))
    gaps = sink.of(p.FEED_GAP)
    assert len(gaps) == 1 and gaps[0]["from"] == 11 and gaps[0]["to"] == 15
    assert gaps[0]["reason"] == ("unavailable" if mode == "gap" else "resend_timeout")
    assert c.status.counters.gaps == 1 and c.status.counters.missed == 5
    await c.stop(); await srv.stop()


async def test_reorder_buffer_full_bounded():
    evs = make_events(400)
    frames = [frame(evs[:10]), frame(evs[20:])]
    srv = await FakeServer(evs, first_frames=frames, ignore_resend=True).start()
    sink = Sink()
    c = sink.client(srv.url, reorder_max=100, gap_wait=10, resend_timeout=10)
    await c.start()
    await until(lambda: len(sink.events) == 390)
    assert sink.of(p.FEED_GAP)[0]["reason"] == "buffer_full"
    await until(lambda: srv.resends == [(11, 20)])
    assert len(c._pending) == 0
    await c.stop(); await srv.stop()


async def test_malformed_frames_counted_no_loss():
    evs = make_events(10)
    frames = [
        "{not json",
        "42",
        frame({"hello": 1}),
        frame([evs[0], {"ts": 1.0, "type": "comment", "data": {}}, evs[1], 7]),   # missing seq, non-object
        frame([evs[2], {"seq": 99, "ts": "x", "type": "comment", "data": {}},     # wrong types
               {"seq": 98, "ts": 1.0, "type": 5, "data": {}},
               {"seq": 97, "ts": 1.0, "type": "comment", "data": []}, evs[3]]),
        frame({"seq": "5", "ts": 1.0, "type": "comment"}),
        frame({"op": "gap", "from": "a", "to": None}),
        frame(evs[4:]),
    ]
    srv = await FakeServer(evs, first_frames=frames).start()
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == 10)
    assert sink.seqs() == list(range(1, 11))
    # seqs 99, 98, 97 are sequenced events with a broken envelope: kept as feed.invalid
    # (docs/protocol.md), held here for the missing 11..96; the rest cannot be used at all
    assert c.status.counters.malformed == 7 and c.status.counters.invalid == 3
    assert sorted(c._pending) == [97, 98, 99]
    assert {c._pending[s]["type"] for s in (97, 98, 99)} == {p.FEED_INVALID}
    assert c.status.state == "live"
    await c.stop(); await srv.stop()


async def test_oversize_frame_reconnects_and_resumes():
    evs = make_events(50)
    big = p.make_event(21, 1.0, p.COMMENT, {"nick": "n", "text": "x" * (p.MAX_FRAME_BYTES + 10)})
    frames = [frame(evs[:20]), frame([big] + evs[21:])]
    srv = await FakeServer(evs, first_frames=frames).start()
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == 50, timeout=10)
    assert sink.seqs() == list(range(1, 51))
    assert c.status.counters.oversize == 1
    assert srv.connections == 2 and srv.hellos[1]["last_seq"] == 20
    assert srv.hellos[1]["session_id"] == "s-test"
    await c.stop(); await srv.stop()


async def test_server_killed_and_restarted_exactly_once():
    evs = make_events(3000)
    srv = await FakeServer(evs[:1200], batch=100).start()
    port = srv.port
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == 1200)
    await srv.stop()
    await until(lambda: c.status.state == "reconnecting")
    await asyncio.sleep(0.2)
    srv2 = await FakeServer(evs, batch=100).start(port)
    await until(lambda: len(sink.events) == 3000, timeout=10)
    assert sink.seqs() == list(range(1, 3001))
    assert srv2.hellos[0]["last_seq"] == 1200
    assert c.status.counters.reconnects >= 1
    await c.stop(); await srv2.stop()


async def test_receive_timeout_reconnects():
    evs = make_events(10)
    srv = await FakeServer(evs).start()
    sink = Sink()
    c = sink.client(srv.url, receive_timeout=0.3)
    await c.start()
    await until(lambda: srv.connections >= 2, timeout=5)
    assert sink.seqs() == list(range(1, 11))
    await c.stop(); await srv.stop()


async def test_wrong_token_unauthorized_no_storm():
    srv = await FakeServer(make_events(5), token="secret").start()
    sink = Sink()
    c = sink.client(srv.url, token="wrong")
    await c.start()
    await until(lambda: c.status.state == "unauthorized")
    await asyncio.sleep(0.5)
    assert srv.connections == 1 and sink.events == []
    await c.stop(); await srv.stop()
    ok = Sink()
    srv = await FakeServer(make_events(5), token="secret").start()
    c = ok.client(srv.url, token="secret")
    await c.start()
    await until(lambda: len(ok.events) == 5)
    await c.stop(); await srv.stop()


async def test_commands_ack_error_and_queued():
    sink = Sink()
    c = sink.client("ws://127.0.0.1:1", command_timeout=5)
    # queued while disconnected (not started yet)
    c.send_command("q1", p.CMD_CARD_PUSH, {"sku": "A1"})
    srv = await FakeServer(make_events(5)).start()
    c.url = srv.url
    await c.start()
    await until(lambda: "q1" in sink.results)
    assert sink.results["q1"][0] is True
    c.send_command("c2", p.CMD_CARD_CLEAR, {})
    c.send_command("c3", p.CMD_FLASH_START, {"sku": "A1"})
    await until(lambda: "c2" in sink.results and "c3" in sink.results)
    assert sink.results["c2"][0] is True and sink.results["c2"][1]["seq"] == 5
    ok, payload = sink.results["c3"]
    assert not ok and payload["code"] == "bad_command"
    await c.stop(); await srv.stop()


async def test_command_times_out_when_disconnected():
    sink = Sink()
    c = sink.client("ws://127.0.0.1:9", command_timeout=0.3, policy=FixedPolicy(0.05))
    c.tick = 0.05
    c.send_command("t1", p.CMD_CARD_CLEAR, {})
    await c.start()
    await until(lambda: "t1" in sink.results)
    ok, payload = sink.results["t1"]
    assert not ok and payload["code"] == "timeout"
    assert c.status.state == "reconnecting"
    await c.stop()


async def test_large_batched_stream_in_order():
    # speed is measured by bench/ingest.py; this checks a long stream of big frames
    n = 60_000
    evs = make_events(n)
    srv = await FakeServer(evs, batch=1000).start()
    sink = Sink()
    c = sink.client(srv.url)
    await c.start()
    await until(lambda: len(sink.events) == n, timeout=20)
    assert sink.seqs() == list(range(1, n + 1))
    assert c.status.counters.duplicates == 0 and c.status.counters.malformed == 0
    await c.stop(); await srv.stop()


async def test_coalesced_single_event_frames_keep_callback_order():
    """1-event frames are handed over in lists, but never after a later callback."""
    evs = make_events(20)
    frames = [frame(e) for e in evs[:10]] + [frame({"op": "gap", "from": 11, "to": 12})] + \
        [frame(e) for e in evs[12:]]
    srv = await FakeServer(evs, first_frames=frames).start()
    calls = []
    c = FeedClient(srv.url, policy=FixedPolicy(0.05), relay=Sink.relay,
                   on_events=lambda evs_: calls.append(("events", [e["seq"] for e in evs_])),
                   on_local=lambda t, d: calls.append((t, d.get("from"))))
    await c.start()
    await until(lambda: c.last_seq == 20)
    await c.stop(); await srv.stop()
    flat = []
    for kind, what in calls:
        if kind == "events":
            flat.extend(what)
        elif kind == p.FEED_GAP:
            flat.append(("gap", what))
    assert flat == list(range(1, 11)) + [("gap", 11)] + list(range(13, 21))
    assert len([k for k, _ in calls if k == "events"]) < 20   # frames were coalesced
