from hypothesis import given, settings, strategies as st, HealthCheck

from console.replay.replay import Replay, ReplayClock, ReplayFeed
from console.fold.state import SessionState
from tests.replay.fakes import FakeRecorder, FakeStore, SessionInfo
from tests.replay.sessions import T0, Wire, hand_session, order, random_session
from console.core import protocol as p


def snap(state):
    d = state.to_snapshot()
    d.pop("version")
    return d


def full_fold(store, sid, seq):
    st_ = SessionState()
    st_.apply(store.events(sid, 1, seq))
    return st_


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), n=st.integers(1, 250), k=st.integers(1, 60), data=st.data())
def test_state_at_equals_full_fold(seed, n, k, data):
    store, rec = random_session(seed, n, k=k)
    rp = Replay(store, "r1").open()
    assert snap(rp.final_state) == snap(rec.state) | {}
    for _ in range(5):
        seq = data.draw(st.integers(0, rp.last_seq))
        assert snap(rp.state_at(seq)) == snap(full_fold(store, "r1", seq))


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(seed=st.integers(0, 10_000), k=st.integers(3, 40), window=st.integers(1, 12), data=st.data())
def test_state_at_equals_full_fold_past_the_order_window(seed, k, window, data):
    """Snapshots keep the whole order window, so refunds and re-sent payments of orders that
    left the window are treated alike by the live fold and by a replay from any snapshot."""
    import pytest
    import console.fold.orders as orders_mod
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(orders_mod, "ORDER_WINDOW", window)
        store, rec = random_session(seed, 300, k=k)
        rp = Replay(store, "r1").open()
        assert snap(rp.final_state) == snap(rec.state)
        assert len(rec.state.order_status) <= window
        for _ in range(6):
            seq = data.draw(st.integers(0, rp.last_seq))
            assert snap(rp.state_at(seq)) == snap(full_fold(store, "r1", seq))


def test_state_at_starts_from_snapshot_not_from_start():
    store, _ = random_session(3, 2000, k=100)
    rp = Replay(store, "r1").open()
    store.reads = 0
    rp.state_at(1950)
    assert store.reads <= 100


def test_feed_ticks_reach_same_state_as_fold():
    store, rec = random_session(11, 400, k=30)
    rp = Replay(store, "r1").open()
    now = [0.0]
    feed = ReplayFeed(rp, rate=60, chunk=7, now=lambda: now[0])
    seen = []
    feed.log.subscribe(lambda evs: seen.extend(e.seq for e in evs))
    feed.clock.play(0.0)
    while feed.cursor < rp.last_seq:
        now[0] += 0.5
        feed.tick(now[0])
        assert snap(feed.state) == snap(full_fold(store, "r1", feed.cursor))
    assert seen == list(range(seen[0], rp.last_seq + 1))
    assert snap(feed.state) == snap(rec.state)
    assert not feed.clock.playing


def test_fetches_applied_in_pieces_reach_the_same_state():
    store, rec = random_session(12, 400, k=30)
    rp = Replay(store, "r1").open()
    now = [0.0]
    feed = ReplayFeed(rp, rate=60, chunk=7, now=lambda: now[0])
    feed.clock.play(0.0)
    pieces_seen = 0
    while feed.cursor < rp.last_seq:
        now[0] += 0.5
        fetched = feed.fetch(feed.clock.position(now[0]), feed.cursor)
        pieces = fetched.pieces()
        assert fetched.state is None
        if fetched.batches:
            assert [pc.batches for pc in pieces] == [[b] for b in fetched.batches]
        else:
            assert pieces == [fetched]        # nothing new this tick
        pieces_seen = max(pieces_seen, len(pieces))
        for piece in pieces:                  # one per turn of a GUI's event loop
            assert piece.cursor == feed.cursor
            feed.apply_fetch(piece, now[0])
            assert snap(feed.state) == snap(full_fold(store, "r1", feed.cursor))
    assert pieces_seen > 1
    assert snap(feed.state) == snap(rec.state)
    # a seek between two pieces makes the rest stale: dropped, not folded onto the new state
    feed.seek_seq(100)
    fetched = feed.fetch(rp.start_ts + 10**6, feed.cursor)
    first, *rest = fetched.pieces()
    assert rest
    feed.apply_fetch(first)
    feed.seek_seq(50)
    assert [feed.apply_fetch(pc) for pc in rest] == [0] * len(rest)
    assert feed.cursor == 50 and snap(feed.state) == snap(full_fold(store, "r1", 50))


def test_clock_rate_and_pause():
    clock = ReplayClock(1000.0, 5000.0, rate=1.0, now=lambda: 0.0)
    assert clock.position(0.0) == 1000.0
    clock.play(0.0)
    assert clock.position(10.0) == 1010.0
    clock.set_rate(10, 10.0)
    assert clock.position(12.0) == 1030.0
    clock.pause(12.0)
    assert clock.position(100.0) == 1030.0
    clock.set_rate(500, 100.0)
    assert clock.rate == 60.0
    clock.set_rate(0.1, 100.0)
    assert clock.rate == 1.0
    clock.set_rate(60, 100.0)
    clock.play(100.0)
    assert clock.position(101.0) == 1090.0
    assert clock.position(1000.0) == 5000.0    # clamped at the end
    clock.seek(2000.0, 1000.0)
    assert clock.position(1001.0) == 2060.0


def test_step_between_lane_events():
    store, rec = hand_session()
    rp = Replay(store, "s2").open()
    kinds = [(le.kind, le.ts - T0) for le in rp.lanes]
    assert kinds == [("card", 10), ("stockout", 31), ("operator", 40), ("card", 70), ("flash", 80),
                     ("alert", 130), ("flash", 140)]
    feed = ReplayFeed(rp, now=lambda: 0.0)
    le = feed.step("card", +1, 0.0)
    assert le.ts == T0 + 10 and feed.state.current_sku == "B"
    le = feed.step("card", +1, 0.0)
    assert le.ts == T0 + 70 and feed.state.current_sku == "A"
    assert feed.step("card", +1, 0.0) is None
    assert feed.step("flash", -1, 0.0) is None
    le = feed.step("flash", +1, 0.0)
    assert le.ts == T0 + 80 and feed.state.active_flash() is not None
    le = feed.step("card", -1, 0.0)
    assert le.ts == T0 + 70
    le = feed.step("card", -1, 0.0)
    assert le.ts == T0 + 10 and feed.state.gmv == 0
    le = feed.step("alert", +1, 0.0)
    assert feed.state.active_alerts and feed.state.gmv == 99 + 396 + 598 + 399
    le = feed.step("operator", -1, 0.0)
    assert le.label == "上链接" and feed.clock.position(0.0) == T0 + 40
    le = feed.step("stockout", -1, 0.0)
    assert feed.state.products["B"].stock == 0


def test_seek_time():
    store, rec = hand_session()
    rp = Replay(store, "s2").open()
    st_ = rp.seek_time(T0 + 35)
    assert st_.gmv == 99 + 396 and st_.products["B"].sold_out_at == T0 + 31
    feed = ReplayFeed(rp, now=lambda: 0.0)
    feed.seek_time(T0 + 95, 0.0)
    assert feed.state.gmv == 99 + 396 + 598


def test_growing_session_refresh():
    store = FakeStore()
    rec = FakeRecorder(store, SessionInfo("g", "grow", "room", "douyin", T0), snapshot_every=3)
    w = Wire()
    w(0, p.SESSION_STARTED, started_at=T0)
    w(1, p.CARD_PUSHED, sku="A")
    w(2, p.ORDER_PAID, **order("o1", "A", 1, 10.0, "u1"))
    rec.feed(w.out)
    rp = Replay(store, "g").open()
    now = [0.0]
    feed = ReplayFeed(rp, rate=10, now=lambda: now[0])
    feed.clock.play(0.0)
    now[0] = 1.0
    feed.tick(now[0])
    assert feed.state.gmv == 10.0 and rp.last_seq == 3
    assert not feed.refresh()
    w.out.clear()
    w(30, p.ORDER_PAID, **order("o2", "A", 2, 20.0, "u2"))
    w(31, p.CARD_PUSHED, sku="B")
    w(40, p.ORDER_PAID, **order("o3", "B", 1, 5.0, "u1"))
    rec.feed(w.out)
    assert feed.refresh()
    assert rp.last_seq == 6 and feed.clock.end == T0 + 40
    assert [le.kind for le in rp.lanes] == ["card", "card"]
    feed.clock.play(now[0])
    now[0] += 10.0
    feed.tick(now[0])
    assert feed.state.gmv == 35.0 and feed.state.buyers == 2
    assert snap(feed.state) == snap(rec.state)


@settings(max_examples=100, deadline=None)
@given(ops=st.lists(st.tuples(st.sampled_from(["play", "pause", "rate", "wait"]),
                              st.floats(0.0, 30.0), st.integers(1, 60)), max_size=30))
def test_clock_position_is_integral_of_rate(ops):
    clock = ReplayClock(0.0, 1e9, now=lambda: 0.0)
    now, expected, playing, rate = 0.0, 0.0, False, 1.0
    for op, dt, r in ops:
        now += dt
        if playing:
            expected += dt * rate
        if op == "play":
            clock.play(now)
            playing = True
        elif op == "pause":
            clock.pause(now)
            playing = False
        elif op == "rate":
            clock.set_rate(r, now)
            rate = float(r)
        assert abs(clock.position(now) - expected) < 1e-6 * max(1.0, expected)


def test_buyer_keys_cover_every_key_the_fold_asks():
    """Replay loads first purchases only for buyer_keys(batch): the fold must ask no others."""
    from console.replay.replay import buyer_keys

    class Spy:
        def __init__(self):
            self.asked = []
            self.seen = set()

        def first(self, key, seq):
            self.asked.append(key)
            new = key not in self.seen
            self.seen.add(key)
            return new

    for seed in (1, 2, 3):
        store, _ = random_session(seed, 400)
        events = store.events("r1", 1, None)
        spy = Spy()
        SessionState(spy).apply(events)
        assert spy.asked and set(spy.asked) <= set(buyer_keys(events))


def test_open_does_not_load_every_first_purchase():
    store, rec = random_session(4, 600, k=40)
    calls = []
    store.first_purchases = lambda sid: calls.append(sid) or {}
    rp = Replay(store, "r1").open()
    rp.state_at(rp.last_seq // 2)
    assert calls == []
    assert snap(rp.final_state) == snap(rec.state)


def test_buyer_keys_tolerate_what_the_fold_tolerates():
    """A recorded order.paid with an odd buyer must not crash replay's key lookup."""
    from console.core.eventlog import Event
    from console.replay.replay import buyer_keys
    from console.fold.state import paid_order_keys

    odd = [Event(1, 1.0, p.ORDER_PAID, {"order_id": "o1", "sku": "A", "buyer": "u7"}),
           Event(2, 2.0, p.ORDER_PAID, {"order_id": "o2", "sku": "A", "buyer": 42}),
           Event(3, 3.0, p.ORDER_PAID, {"order_id": "o3", "sku": "B", "buyer": ["x"]})]
    assert buyer_keys(odd) == ["b:u7", "b:u7|A", "b:42", "b:42|A", "b:order:o3", "b:order:o3|B"]
    assert paid_order_keys({"order_id": "o4", "sku": "C", "buyer": {"id": "u1"}}) == ("b:u1", "b:u1|C")
