"""Hostile sequences and payloads (issue 17, items 5 and 6): nothing lost, nothing silenced."""

import asyncio

import orjson
import pytest

from console.core import protocol as p
from console.feed import FixedPolicy
from console.live.session import LiveSession
from tests.feed.fakeserver import FakeServer, make_events
from tests.feed.test_client import Sink, until

pytestmark = [pytest.mark.timeout(30), pytest.mark.usefixtures("feed_route")]
FEED_INVALID = getattr(p, "FEED_INVALID", "feed.invalid")   # (so the test ran before it existed)


def frame(obj):
    return orjson.dumps(obj).decode()


# ---- item 5: one corrupt far-future seq ------------------------------------------------------
async def test_one_far_future_seq_does_not_silence_the_session():
    evs = make_events(100)
    corrupt = p.make_event(1_000_000, evs[39]["ts"], p.COMMENT, {"nick": "x", "text": "corrupt"})
    frames = [frame(evs[:40]), frame(corrupt)] + [frame(e) for e in evs[40:]]
    srv = await FakeServer(evs, first_frames=frames).start()
    sink = Sink()
    c = sink.client(srv.url, gap_wait=0.05, resend_timeout=0.3)
    await c.start()
    await until(lambda: len(sink.events) == 100 and sink.of(FEED_INVALID))
    await asyncio.sleep(0.4)                       # longer than gap_wait and resend_timeout
    assert sink.seqs() == list(range(1, 101))      # every real event after the corrupt one
    assert srv.resends == [] and not sink.of(p.FEED_GAP)
    assert c.last_seq == 100 and c.status.counters.missed == 0
    (bad,) = sink.of(FEED_INVALID)
    assert bad["event"]["seq"] == 1_000_000 and "implausibly far ahead" in bad["reason"]
    assert c.status.counters.invalid == 1
    await c.stop(); await srv.stop()


async def test_far_jump_corroborated_by_following_events_is_accepted():
    evs = make_events(10) + make_events(10, start=50_001)
    frames = [frame(evs[:10])] + [frame(e) for e in evs[10:]]
    # the feed's welcome says it is at 10: the jump is believed only on its followers
    srv = await FakeServer(evs, first_frames=frames, unavailable=set(range(11, 50_001)),
                           welcome_extra={"last_seq": 10}).start()
    sink = Sink()
    c = sink.client(srv.url, gap_wait=0.05, resend_timeout=0.3)
    await c.start()
    await until(lambda: len(sink.events) == 20)
    assert sink.seqs() == list(range(1, 11)) + list(range(50_001, 50_011))
    assert srv.resends == [(11, 50_000)]
    (gap,) = sink.of(p.FEED_GAP)
    assert (gap["from"], gap["to"]) == (11, 50_000)
    assert not sink.of(FEED_INVALID)
    await c.stop(); await srv.stop()


async def test_far_seq_within_the_feeds_last_seq_is_ordinary_reordering():
    evs = make_events(30_000)
    frames = [frame(evs[:10]), frame(evs[25_000:25_005]), frame(evs[10:])]
    srv = await FakeServer(evs, first_frames=frames).start()   # welcome last_seq 30,000
    sink = Sink()
    c = sink.client(srv.url, gap_wait=5)
    await c.start()
    await until(lambda: len(sink.events) == 30_000, timeout=20)
    assert sink.seqs() == list(range(1, 30_001)) and not sink.of(FEED_INVALID)
    await c.stop(); await srv.stop()


async def test_corrupt_seq_is_kept_in_the_log_and_counted_invalid_by_the_fold():
    evs = make_events(100)
    corrupt = p.make_event(1_000_000, evs[39]["ts"], p.ORDER_PAID,
                           {"order_id": "bogus", "sku": "A1", "qty": 1, "amount": 1e9})
    frames = [frame(evs[:40]), frame(corrupt)] + [frame(e) for e in evs[40:]]
    srv = await FakeServer(evs, first_frames=frames).start()
    live = LiveSession(srv.url, policy=FixedPolicy(0.05), gap_wait=0.05, resend_timeout=0.3,
                       relay=Sink.relay)
    logged = []
    live.log.subscribe(logged.extend)
    await live.start()
    await until(lambda: live.state.last_feed_seq == 100 and live.state.counters.invalid == 1)
    await live.stop(); await srv.stop()
    (kept,) = [e for e in logged if e.type == FEED_INVALID]
    assert kept.data["event"] == corrupt and kept.feed_seq is None and kept.source == "system"
    assert [e.feed_seq for e in logged if e.feed_seq is not None] == list(range(1, 101))
    assert live.state.gmv == pytest.approx(sum(e["data"]["amount"] for e in evs
                                               if e["type"] == p.ORDER_PAID))
    assert live.state.counters.gaps == 0 and "seq 1000000" in live.state.problems[-1][1]


# ---- item 6: a known type with data not an object, or ts a string ------------------------------
async def test_broken_envelope_is_kept_counted_and_a_resent_copy_is_no_gap():
    evs = make_events(30)
    evs[9] = {"seq": 10, "ts": 1.0, "type": p.ORDER_PAID, "data": ["not", "an", "object"]}
    evs[14] = {"seq": 15, "ts": "2025-01-01 12:00", "type": p.ORDER_PAID,
               "data": {"order_id": "o15", "sku": "A1", "qty": 1, "amount": 50.0}}
    # the broken ones come, then come again (a re-send), then the rest
    frames = [frame(evs[:16]), frame(evs[9]), frame(evs[14]), frame(evs[16:])]
    srv = await FakeServer(evs, first_frames=frames).start()
    live = LiveSession(srv.url, policy=FixedPolicy(0.05), gap_wait=0.05, resend_timeout=0.3,
                       relay=Sink.relay)
    recorded = []
    live.log.subscribe(recorded.extend)
    await live.start()
    await until(lambda: live.state.last_feed_seq == 30)
    await asyncio.sleep(0.2)
    await live.stop(); await srv.stop()
    feed = [e for e in recorded if e.feed_seq is not None]
    assert [e.feed_seq for e in feed] == list(range(1, 31))       # kept, in place, once
    bad = {e.feed_seq: e for e in feed if e.type == FEED_INVALID}
    assert set(bad) == {10, 15}
    assert bad[10].data["event"]["data"] == ["not", "an", "object"]
    assert bad[15].data["event"]["ts"] == "2025-01-01 12:00"
    assert isinstance(bad[15].ts, float)                          # the log's own ts stays a number
    assert live.state.counters.invalid == 2 and live.state.counters.gaps == 0
    assert live.status.counters.malformed == 0 and live.status.counters.duplicates == 2
    assert live.status.counters.invalid == 2                       # the copies are duplicates
    good_paid = [e for e in evs if e["type"] == p.ORDER_PAID and isinstance(e["data"], dict)
                 and e["seq"] != 15]
    assert live.state.gmv == pytest.approx(sum(e["data"]["amount"] for e in good_paid))


def test_negative_qty_or_amount_fails_validation_and_does_not_lower_gmv():
    from console.core.eventlog import Event
    from console.fold.state import SessionState

    base = {"order_id": "o1", "sku": "A1", "qty": 2, "amount": 100.0}
    for bad in ({"qty": -1}, {"amount": -50.0}, {"qty": 0}, {"amount": float("nan")}):
        ev = p.make_event(3, 1.0, p.ORDER_PAID, {**base, **bad, "order_id": "x"})
        assert p.check_event(ev), bad
    assert p.check_event(p.make_event(3, 1.0, p.ORDER_PAID, base)) is None
    assert p.check_event(p.make_event(3, 1.0, p.ORDER_PAID, {**base, "amount": 0})) is None
    st = SessionState()
    st.apply([Event(1, 1.0, p.ORDER_PAID, dict(base), "feed", 1),
              Event(2, 2.0, p.ORDER_PAID, {**base, "order_id": "o2", "amount": -80.0}, "feed", 2),
              Event(3, 3.0, p.ORDER_REFUNDED, {**base, "order_id": "o1", "qty": -2}, "feed", 3),
              Event(4, 4.0, p.ORDER_PAID, {**base, "order_id": "o3", "qty": -1}, "feed", 4)])
    assert st.gmv == pytest.approx(100.0) and st.orders == 1
    assert st.counters.invalid == 3
