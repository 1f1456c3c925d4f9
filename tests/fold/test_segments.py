"""Per-segment attribution (讲解分段): a hand-computed session and properties over random ones.

A segment's clicks and impressions are the increase of its product's own ``by_sku`` counters
when the feed carries per-product counts at all, else the increase of the room counters
(docs/metrics.md, "Explanation segments").
"""

from __future__ import annotations

import orjson
from hypothesis import HealthCheck, given, settings, strategies as st

from console.core import protocol as p
from console.core.eventlog import Event, SessionLog
from console.fold.state import SessionState

T0 = 1_700_000_000.0


def feed(seq, dt, type_, **data):
    return {"seq": seq, "ts": T0 + dt, "type": type_, "data": data}


def paid(seq, dt, oid, sku, qty, amount, buyer):
    return feed(seq, dt, p.ORDER_PAID, order_id=oid, sku=sku, qty=qty, unit_price=amount / qty,
                amount=amount, buyer={"id": buyer, "nick": buyer})


def tick(seq, dt, viewers, impr, clicks, by_sku=None):
    data = dict(online=100, room_impressions=viewers * 4, viewers=viewers,
                product_impressions=impr, product_clicks=clicks)
    if by_sku is not None:
        data["by_sku"] = {sku: {"impressions": i, "clicks": c} for sku, (i, c) in by_sku.items()}
    return feed(seq, dt, p.TRAFFIC_TICK, **data)


def fold(events):
    log = SessionLog()
    state = SessionState()
    log.subscribe(state.apply)
    log.append_feed(events)
    return state


def by_sku_session():
    """A feeds per-product counts; A is pushed before it has any impression of its own.

    Hand-computed (see the expected numbers in the tests below):
    seg 0 (A, 10 s-60 s): A's counters 0/0 at the push, 62/21 at the last tick inside -> 62, 21;
        views 420 - 300 = 120; order o1 (199) paid inside; o3 of B created inside, paid later.
    seg 1 (B, 60 s-90 s): B 140/25 -> 190/40 -> 50, 15; views 500 - 420 = 80; o3 (B, 99) paid
        here counts here; o2 (A, 398) paid here counts only in its room GMV (99 + 398 = 497).
    seg 2 (A, 90 s-110 s): A 70/24 -> 90/30 -> 20, 6; views 540 - 500 = 40.
    """
    return [
        feed(1, 0, p.SESSION_STARTED, room="r", title="t", currency="CNY", started_at=T0),
        feed(2, 1, p.PRODUCT_UPSERT, sku="A", title="羽绒服", price=199.0, stock=50),
        feed(3, 1, p.PRODUCT_UPSERT, sku="B", title="围巾", price=99.0, stock=50),
        tick(4, 5, 300, 100, 20, {"B": (100, 20)}),
        feed(5, 10, p.CARD_PUSHED, sku="A"),
        tick(6, 20, 380, 180, 35, {"A": (50, 12), "B": (130, 23)}),
        feed(7, 25, p.ORDER_CREATED, order_id="o1", sku="A", qty=1, amount=199.0),
        paid(8, 30, "o1", "A", 1, 199.0, "u1"),
        tick(9, 40, 420, 202, 46, {"A": (62, 21), "B": (140, 25)}),
        feed(10, 45, p.ORDER_CREATED, order_id="o2", sku="A", qty=2, amount=398.0),
        feed(11, 50, p.ORDER_CREATED, order_id="o3", sku="B", qty=1, amount=99.0),
        feed(12, 60, p.CARD_PUSHED, sku="B"),
        paid(13, 65, "o3", "B", 1, 99.0, "u3"),
        tick(14, 70, 500, 260, 64, {"A": (70, 24), "B": (190, 40)}),
        paid(15, 75, "o2", "A", 2, 398.0, "u2"),
        feed(16, 90, p.CARD_PUSHED, sku="A"),
        tick(17, 100, 540, 285, 71, {"A": (90, 30), "B": (195, 41)}),
        feed(18, 110, p.SESSION_ENDED, session_id="s", ended_at=T0 + 110, gmv=696.0, orders=3),
    ]


def seg_numbers(seg):
    return {"sku": seg.sku, "impressions": seg.impressions, "clicks": seg.clicks, "views": seg.views,
            "orders": seg.orders, "units": seg.units, "gmv": seg.gmv, "buyers": seg.buyers,
            "room_gmv": seg.room_gmv, "duration": seg.duration(T0 + 110)}


def test_hand_computed_session_with_per_product_counts():
    state = fold(by_sku_session())
    got = [seg_numbers(s) for s in state.segments]
    assert got == [
        {"sku": "A", "impressions": 62, "clicks": 21, "views": 120, "orders": 1, "units": 1,
         "gmv": 199.0, "buyers": 1, "room_gmv": 199.0, "duration": 50.0},
        # o3 (B) was created during A's segment and paid during B's: it counts where it is paid;
        # o2 (A) paid during B's segment counts in B's room GMV only, never in A's segments
        {"sku": "B", "impressions": 50, "clicks": 15, "views": 80, "orders": 1, "units": 1,
         "gmv": 99.0, "buyers": 1, "room_gmv": 497.0, "duration": 30.0},
        {"sku": "A", "impressions": 20, "clicks": 6, "views": 40, "orders": 0, "units": 0,
         "gmv": 0.0, "buyers": 0, "room_gmv": 0.0, "duration": 20.0},
    ]
    a, b, a2 = state.segments
    assert a.ctr == 21 / 62 and a.ctor == 1 / 21 and a.gpm == 199.0 / 120 * 1000
    assert b.ctr == 15 / 50 and b.ctor == 1 / 15
    prod_a = state.products["A"]
    assert (prod_a.impressions, prod_a.clicks, prod_a.orders, prod_a.gmv) == (90, 30, 2, 597.0)
    assert prod_a.explanations == 2 and prod_a.on_air_s == 70.0
    assert state.per_product_counts


def test_room_counters_when_the_feed_has_no_per_product_counts():
    events = [e for e in by_sku_session()]
    for e in events:
        e["data"].pop("by_sku", None)
    state = fold(events)
    a, b, a2 = state.segments
    # room product counters: 100/20 at the push of A, 202/46 at the last tick inside
    assert (a.impressions, a.clicks) == (102, 26)
    assert (b.impressions, b.clicks) == (58, 18)       # 202/46 -> 260/64
    assert (a2.impressions, a2.clicks) == (25, 7)      # 260/64 -> 285/71
    assert state.products["A"].clicks == 0             # no per-product counts from this feed
    assert not state.per_product_counts


def test_push_before_the_first_tick_of_a_by_sku_feed():
    events = [
        feed(1, 0, p.SESSION_STARTED, started_at=T0),
        feed(2, 1, p.CARD_PUSHED, sku="A"),
        tick(3, 5, 50, 40, 9, {"A": (30, 7), "B": (10, 2)}),
        tick(4, 9, 60, 60, 15, {"A": (44, 11), "B": (16, 4)}),
    ]
    [seg] = fold(events).segments
    assert (seg.impressions, seg.clicks, seg.views) == (44, 11, 60)


def test_snapshot_mid_segment_continues_identically():
    events = by_sku_session()
    full = fold(events)
    for cut in range(1, len(events)):
        head = fold(events[:cut])
        resumed = SessionState.from_snapshot(orjson.loads(orjson.dumps(head.to_snapshot())))
        resumed.apply([Event(i + 1, e["ts"], e["type"], e["data"], "feed", e["seq"])
                       for i, e in enumerate(events)][cut:])
        assert [seg_numbers(s) for s in resumed.segments] == [seg_numbers(s) for s in full.segments]
        assert resumed.per_product_counts == full.per_product_counts


def test_a_snapshot_from_before_the_fix_is_flagged_and_keeps_room_baselines():
    events = by_sku_session()
    for e in events:
        e["data"].pop("by_sku", None)
    head = fold(events[:10])
    snap = orjson.loads(orjson.dumps(head.to_snapshot()))
    del snap["per_product_counts"]
    cols = snap["segments"]["cols"]
    keep = [i for i, c in enumerate(cols) if not c.startswith("_room_")]
    snap["segments"] = {"cols": [cols[i] for i in keep],
                        "rows": [[row[i] for i in keep] for row in snap["segments"]["rows"]]}
    old = SessionState.from_snapshot(snap)
    assert old.legacy_segment_baselines and not old.per_product_counts
    old.apply([Event(i + 1, e["ts"], e["type"], e["data"], "feed", e["seq"])
               for i, e in enumerate(events)][10:])
    assert [seg_numbers(s) for s in old.segments] == [seg_numbers(s) for s in fold(events).segments]
    assert not fold(events).legacy_segment_baselines


# ---- Properties over random sessions ------------------------------------------------------
SKUS = ("A", "B", "C")

step = st.one_of(
    st.tuples(st.just("tick"), st.integers(0, 30), st.lists(st.integers(0, 12), min_size=3, max_size=3),
              st.lists(st.integers(0, 5), min_size=3, max_size=3), st.booleans()),
    st.tuples(st.just("push"), st.sampled_from(SKUS)),
    st.tuples(st.just("clear")),
    st.tuples(st.just("paid"), st.sampled_from(SKUS), st.integers(1, 3), st.integers(1, 500),
              st.integers(0, 6)),
    st.tuples(st.just("refund")),
    st.tuples(st.just("repaid")),
)


def random_session(steps, per_product: bool):
    """Events for ``steps``, plus the expected per-segment clicks/impressions from a model of
    the counters (the increase of the attributed counter between push and last tick inside)."""
    events = [feed(1, 0, p.SESSION_STARTED, started_at=T0)]
    viewers = room_i = room_c = 0
    prod = {s: [0, 0] for s in SKUS}
    paid_ids: list[tuple[str, str, int, float]] = []
    expected: list[list] = []      # [sku, impressions at push, clicks at push, impr, clicks]
    current = None
    n = 0
    for k, stp in enumerate(steps, start=1):
        dt = float(k)
        seq = len(events) + 1
        kind = stp[0]
        if kind == "tick":
            _, dv, di, dc, glitch = stp
            viewers += dv
            for s, i, c in zip(SKUS, di, dc):
                prod[s][0] += i
                prod[s][1] += min(c, i)
            room_i = max(room_i, sum(v[0] for v in prod.values()))
            room_c = max(room_c, sum(v[1] for v in prod.values()))
            if glitch:   # a stale tick with lower counters: ignored by the fold (max kept)
                events.append(tick(seq, dt, max(0, viewers - 5), max(0, room_i - 3), 0,
                                   {s: (0, 0) for s in SKUS} if per_product else None))
                seq += 1
            events.append(tick(seq, dt, viewers, room_i, room_c,
                               {s: tuple(v) for s, v in prod.items()} if per_product else None))
            if current is not None:
                base = expected[-1]
                now_i, now_c = (prod[base[0]] if per_product else (room_i, room_c))
                base[3], base[4] = now_i - base[1], now_c - base[2]
        elif kind == "push":
            sku = stp[1]
            events.append(feed(seq, dt, p.CARD_PUSHED, sku=sku))
            if current != sku:
                at_i, at_c = (prod[sku] if per_product else (room_i, room_c))
                expected.append([sku, at_i, at_c, 0, 0])
            current = sku
        elif kind == "clear":
            events.append(feed(seq, dt, p.CARD_CLEARED))
            current = None
        elif kind == "paid":
            _, sku, qty, amount, buyer = stp
            n += 1
            oid = f"o{n}"
            events.append(paid(seq, dt, oid, sku, qty, float(amount), f"u{buyer}"))
            paid_ids.append((oid, sku, qty, float(amount)))
        elif kind == "refund" and paid_ids:
            oid, sku, qty, amount = paid_ids[len(events) % len(paid_ids)]
            events.append(feed(seq, dt, p.ORDER_REFUNDED, order_id=oid, sku=sku, qty=qty,
                               amount=amount))
        elif kind == "repaid" and paid_ids:   # a duplicate payment: ignored and counted
            oid, sku, qty, amount = paid_ids[-1]
            events.append(paid(seq, dt, oid, sku, qty, amount, "u0"))
    return events, [(e[0], e[3], e[4]) for e in expected]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(steps=st.lists(step, max_size=60), per_product=st.booleans())
def test_random_sessions_never_negative_and_never_above_totals(steps, per_product):
    events, expected = random_session(steps, per_product)
    state = fold(events)
    segs = state.segments
    for s in segs:
        for name in ("impressions", "clicks", "views", "orders", "units", "buyers", "refunds"):
            assert getattr(s, name) >= 0, (name, s)
        assert s.gmv >= 0 and s.room_gmv >= s.gmv - 1e-9
        assert s.buyers <= s.orders and s.units >= s.orders
    for sku, prod in state.products.items():
        mine = [s for s in segs if s.sku == sku]
        assert sum(s.orders for s in mine) <= prod.orders
        assert sum(s.units for s in mine) <= prod.units
        assert sum(s.gmv for s in mine) <= prod.gmv + 1e-6
        assert sum(s.refunds for s in mine) <= prod.refunds
        if per_product:
            assert sum(s.impressions for s in mine) <= prod.impressions
            assert sum(s.clicks for s in mine) <= prod.clicks
    t = state.traffic
    assert sum(s.impressions for s in segs) <= t["product_impressions"]
    assert sum(s.clicks for s in segs) <= t["product_clicks"]
    assert sum(s.views for s in segs) <= t["viewers"]
    assert sum(s.room_gmv for s in segs) <= state.gmv + 1e-6
    # and exactly the increase of the attributed counter between the push and the last tick
    assert [(s.sku, s.impressions, s.clicks) for s in segs] == expected


def test_simulator_session_pushing_a_product_before_its_first_impression():
    """The same bug in a simulator session: the operator pushes, in the first seconds, a
    product that has no impressions of its own yet while the room already has some; its
    segment then started from the room's counters instead of its own zero."""
    from pathlib import Path

    from console.core.plan import load_plan
    from plugins.simulator.model import Simulator

    plan = load_plan(Path(__file__).resolve().parents[2] / "resources" / "sample_plan.yaml")
    sim = Simulator(plan, seed=2, start_ts=T0, autopilot=False)
    events = sim.step(T0 + 2)
    fresh = [s for s in sim.order if sim.products[s].impr == 0 and sim.products[s].clicks == 0]
    assert fresh and sim.c["product_impressions"] > 0, "a product without impressions yet"
    out, err = sim.handle_command(p.CMD_CARD_PUSH, {"sku": fresh[-1]}, T0 + 2.5)
    assert err is None
    events += out + sim.step(T0 + 300)
    state = fold(events)
    [seg] = state.segments
    prod = state.products[fresh[-1]]
    assert seg.sku == fresh[-1] and prod.impressions > 0 and prod.clicks > 0
    # the segment runs from the push to the end, and the product had nothing before the push
    assert (seg.impressions, seg.clicks) == (prod.impressions, prod.clicks)
