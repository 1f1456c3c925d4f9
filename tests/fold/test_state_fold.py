"""Fold correctness on a hand-computed session."""

from console.core import protocol as p
from console.core.eventlog import Event, SessionLog
from console.fold.orders import STATUS_CODE
from console.fold.state import SessionState, IndexedBuyers

T0 = 1_700_000_000.0


def feed(seq, dt, type_, **data):
    return {"seq": seq, "ts": T0 + dt, "type": type_, "data": data}


def order(oid, sku, qty, amount, buyer):
    return {"order_id": oid, "sku": sku, "qty": qty, "unit_price": amount / qty, "amount": amount,
            "buyer": {"id": buyer, "nick": buyer + "某"}}


def hand_session():
    return [
        feed(1, 0, p.SESSION_STARTED, room="官方旗舰店", title="双11", currency="CNY", started_at=T0),
        feed(2, 1, p.PRODUCT_UPSERT, sku="A", title="羽绒服", price=399.0, list_price=699.0, stock=10),
        feed(3, 1, p.PRODUCT_UPSERT, sku="B", title="围巾", price=99.0, stock=5),
        feed(4, 5, p.TRAFFIC_TICK, online=100, room_impressions=1000, viewers=200,
             product_impressions=120, product_clicks=30),
        feed(5, 10, p.CARD_PUSHED, sku="A"),
        feed(6, 20, p.ORDER_CREATED, **order("o1", "A", 1, 399.0, "u1")),
        feed(7, 21, p.ORDER_PAID, **order("o1", "A", 1, 399.0, "u1")),
        feed(8, 22, p.INVENTORY_SET, sku="A", available=9),
        feed(9, 30, p.ORDER_PAID, **order("o2", "A", 2, 798.0, "u2")),
        feed(10, 31, p.ORDER_PAID, **order("o2", "A", 2, 798.0, "u2")),   # duplicate order id
        feed(11, 40, p.ORDER_PAID, **order("o3", "B", 1, 99.0, "u1")),    # same buyer again
        feed(12, 65, p.TRAFFIC_TICK, online=150, room_impressions=2000, viewers=400,
             product_impressions=300, product_clicks=60),
        feed(13, 70, p.CARD_PUSHED, sku="B"),
        feed(14, 80, p.ORDER_REFUNDED, **order("o1", "A", 1, 399.0, "u1")),
        feed(15, 90, "mystery.event", x=1),                                # unknown type
        feed(16, 91, p.ORDER_PAID, order_id="o9", sku="B", qty="two", amount=1.0),  # wrong type
        feed(17, 100, p.INVENTORY_SET, sku="B", available=0),
    ]


def fold(events):
    log = SessionLog()
    state = SessionState()
    log.subscribe(state.apply)
    log.append_feed(events)
    return state, log


def test_totals_and_distinct_buyers():
    state, _ = fold(hand_session())
    assert state.gmv == 399.0 + 798.0 + 99.0
    assert state.orders == 3
    assert state.units == 4
    assert state.buyers == 2
    assert state.refunds == 1 and state.refund_amount == 399.0
    assert state.counters.duplicate_orders == 1
    assert state.counters.unknown_types == 1
    assert state.counters.invalid == 1
    assert state.average_order_value == (399.0 + 798.0 + 99.0) / 2


def test_funnel_rates_and_gpm():
    state, _ = fold(hand_session())
    rates = {r.name: r.value for r in state.funnel()}
    assert rates["entry_rate"] == 400 / 2000
    assert rates["impression_rate"] == 300 / 400
    assert rates["ctr"] == 60 / 300
    assert rates["ctor"] == 2 / 60
    assert state.gpm == 1296.0 / 400 * 1000
    assert state.uv_value == 1296.0 / 400


def test_segments_and_products():
    state, _ = fold(hand_session())
    a, b = state.segments
    assert (a.sku, a.start_ts, a.end_ts) == ("A", T0 + 10, T0 + 70)
    assert a.orders == 2 and a.gmv == 1197.0 and a.buyers == 2
    assert a.clicks == 30 and a.impressions == 180 and a.views == 200
    assert b.sku == "B" and b.end_ts is None and b.refunds == 0
    assert state.products["A"].on_air_s == 60.0
    assert state.on_air("B", now=T0 + 100) == 30.0
    assert state.products["B"].sold_out_at == T0 + 100
    assert state.products["A"].stock == 9 and state.products["A"].stock_initial == 10
    assert state.current_sku == "B"


def test_minute_series():
    state, _ = fold(hand_session())
    assert state.minutes["gmv"][0] == 399.0 + 798.0 + 99.0
    assert state.minutes["orders"] == [3, 0]
    assert state.minutes["entering"] == [200, 200]
    assert state.minutes["online"] == [100, 150]
    assert state.minutes["units"] == [4, 0]
    assert state.minutes["refunds"][1] == 399.0


def test_second_series():
    state, _ = fold(hand_session())
    sec = state.seconds
    at = {name: {i + sec.base - int(T0): v for i, v in enumerate(sec.data[name]) if v}
          for name in ("gmv", "orders")}
    assert at["gmv"] == {21: 399.0, 30: 798.0, 40: 99.0}
    assert at["orders"] == {21: 1, 30: 1, 40: 1}


def test_snapshot_round_trip_continues_identically():
    events = hand_session()
    full, _ = fold(events)
    head, log = fold(events[:9])
    snap = head.to_snapshot()
    import orjson
    resumed = SessionState.from_snapshot(orjson.loads(orjson.dumps(snap)),
                                         buyers=IndexedBuyers({"b:u1": 7, "b:u1|A": 7, "b:u2": 9,
                                                              "b:u2|A": 9, "b:u1|B": 11}))
    tail = [Event(i + 1, e["ts"], e["type"], e["data"], "feed", e["seq"]) for i, e in enumerate(events)][9:]
    resumed.apply(tail)
    assert resumed.summary() == full.summary()
    assert resumed.minutes == full.minutes
    assert {k: v.buyers for k, v in resumed.products.items()} == {"A": 2, "B": 1}
    assert {**resumed.to_snapshot(), "version": 0} == {**full.to_snapshot(), "version": 0}


def test_wrong_types_inside_an_order_never_half_apply():
    """Odd buyer / flash_id values must not leave an order.paid half folded."""
    events = [
        feed(1, 0, p.SESSION_STARTED, started_at=T0),
        feed(2, 1, p.ORDER_PAID, order_id="o1", sku="A", qty=1, amount=10.0, buyer="u7"),
        feed(3, 2, p.ORDER_PAID, order_id="o2", sku="A", qty=1, amount=10.0, buyer=["u8"]),
        feed(4, 3, p.ORDER_PAID, order_id="o3", sku="A", qty=2, amount=20.0,
             buyer={"id": "u7"}, flash_id=["F1"]),
        feed(5, 4, p.ORDER_PAID, order_id="o4", sku="A", qty=1, amount=10.0, buyer={"id": 5}),
        feed(6, 5, p.ORDER_PAID, order_id="o5", sku=["A"], qty=1, amount=10.0),  # rejected whole
    ]
    state, _ = fold(events)
    assert state.orders == 4 and state.units == 5 and state.gmv == 50.0
    assert state.products["A"].orders == 4 and state.products["A"].gmv == 50.0
    assert state.buyers == 3                 # u7 (twice), order:o2, 5
    assert state.counters.invalid == 1 and "o5" not in state.order_status
    assert state.created == 4


def test_order_window_evicts_oldest_orders_first(monkeypatch):
    import console.fold.orders as orders_mod
    monkeypatch.setattr(orders_mod, "ORDER_WINDOW", 5)
    events = [feed(1, 0, p.SESSION_STARTED, started_at=T0)]
    for i in range(1, 9):  # o1..o8 created, o2 also paid (a transition, not a new order)
        events.append(feed(len(events) + 1, i, p.ORDER_CREATED, **order(f"o{i}", "A", 1, 5.0, f"u{i}")))
        if i == 2:
            events.append(feed(len(events) + 1, i, p.ORDER_PAID, **order("o2", "A", 1, 5.0, "u2")))
    state, _ = fold(events)
    assert list(state.order_status) == ["o4", "o5", "o6", "o7", "o8"]
    again = SessionState.from_snapshot(state.to_snapshot())
    more = [feed(len(events) + 1, 20, p.ORDER_CREATED, **order("o9", "A", 1, 5.0, "u9"))]
    for s in (state, again):
        SessionLog(next_seq=len(events) + 1, _listeners=[s.apply]).append_feed(more)
        assert list(s.order_status) == ["o5", "o6", "o7", "o8", "o9"]


def test_version_1_snapshots_of_older_recordings_still_load():
    """Recordings made before snapshot format 2 keep seeking: a v1 snapshot (dataclasses as
    objects, the order window as pairs) loads into the same state."""
    from dataclasses import asdict

    import orjson

    events = hand_session()
    state, _ = fold(events)
    v2 = orjson.loads(orjson.dumps(state.to_snapshot()))
    v1 = dict(v2, v=1)
    v1["products"] = {k: asdict(pr) for k, pr in state.products.items()}
    v1["segments"] = [dict(asdict(sg), _buyer_keys=list(sg._buyer_keys)) for sg in state.segments]
    v1["flash_sales"] = {k: asdict(f) for k, f in state.flash_sales.items()}
    name = {code: status for status, code in STATUS_CODE.items()}   # v1 kept status names
    v1["order_status"] = [[oid, name[st]] for oid, st in state.order_status.items()]
    v1 = orjson.loads(orjson.dumps(v1))
    a, b = SessionState.from_snapshot(v1), SessionState.from_snapshot(v2)
    assert a.to_snapshot() == b.to_snapshot() == state.to_snapshot()
    assert a.order_status == state.order_status and a.segments == state.segments
