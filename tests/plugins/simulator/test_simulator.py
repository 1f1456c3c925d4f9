from __future__ import annotations

from collections import Counter

import pytest

from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.core.plan import load_plan
from plugins.simulator.model import Simulator
from console.fold.state import SessionState
from tests.plugins.simulator.conftest import PLAN_PATH, T0

BANNED = ("最", "第一", "唯一", "顶级", "100%", "永久", "万能", "国家级", "独家", "首个")


def run(sim: Simulator, seconds: int, start: float = T0) -> list[dict]:
    out: list[dict] = []
    for s in range(seconds + 1):
        out += sim.step(start + s)
    return out


def fold(events: list[dict]) -> SessionState:
    log, st = SessionLog(), SessionState()
    log.subscribe(st.apply)
    log.append_feed(events)
    return st


def test_sample_plan_loads_and_scripts_are_clean(plan):
    assert len(plan.products) == 12
    for prod in plan.products:
        assert prod.script.strip() and prod.cue_card.selling_points
        for word in BANNED:
            assert word not in prod.script, (prod.sku, word)


def test_deterministic(plan):
    a = run(Simulator(plan, seed=7, start_ts=T0), 300)
    b = run(Simulator(load_plan(PLAN_PATH), seed=7, start_ts=T0), 300)
    c = run(Simulator(plan, seed=8, start_ts=T0), 300)
    assert a == b
    assert a != c


def test_seq_and_validity(plan):
    events = run(Simulator(plan, seed=3, start_ts=T0), 600)
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert all(p.check_event(e) is None for e in events)
    assert all(b["ts"] >= a["ts"] for a, b in zip(events, events[1:]))
    types = [e["type"] for e in events]
    assert types[0] == p.SESSION_STARTED
    assert types[1:13] == [p.PRODUCT_UPSERT] * 12
    assert types[13:25] == [p.INVENTORY_SET] * 12
    assert all("stock" in e["data"] for e in events[1:13])
    assert types.count(p.TRAFFIC_TICK) == 600


def test_funnel_plausible_after_ten_minutes(plan):
    events = run(Simulator(plan, seed=7, start_ts=T0), 600)
    st = fold(events)
    assert st.counters.invalid == 0 and st.counters.bad_transitions == 0
    assert st.counters.duplicate_orders == 0
    rates = {f.name: f.value for f in st.funnel()}
    assert 0.20 <= rates["entry_rate"] <= 0.35, rates
    assert 0.50 <= rates["impression_rate"] <= 0.70, rates
    assert 0.08 <= rates["ctr"] <= 0.15, rates
    assert 0.05 <= rates["ctor"] <= 0.15, rates
    assert st.orders > 50 and st.gmv > 0 and st.buyers <= st.orders
    assert st.peak_online > 1000
    kinds = Counter(e["type"] for e in events)
    assert kinds[p.ORDER_CANCELLED] > 0 and kinds[p.COMMENT] > 100
    assert kinds[p.ORDER_PAID] > kinds[p.ORDER_CANCELLED]
    # cumulative counters never decrease
    ticks = [e["data"] for e in events if e["type"] == p.TRAFFIC_TICK]
    for key in ("room_impressions", "viewers", "product_clicks", "comments"):
        assert all(b[key] >= a[key] for a, b in zip(ticks, ticks[1:]))
    assert ticks[-1]["comments"] == kinds[p.COMMENT]
    assert ticks[-1]["by_sku"]
    # stock in inventory.set is consistent with the fold
    for sku, prod in st.products.items():
        assert prod.stock is not None and prod.stock >= 0
    # buyers repeat sometimes (opaque ids from a pool)
    paid = [e["data"] for e in events if e["type"] == p.ORDER_PAID]
    assert len({d["buyer"]["id"] for d in paid}) < len(paid)
    assert all(d["buyer"]["nick"] for d in paid)


def test_refunds_happen_over_a_longer_session(plan):
    events = run(Simulator(plan, seed=11, start_ts=T0), 2400)
    kinds = Counter(e["type"] for e in events)
    assert kinds[p.ORDER_REFUNDED] > 0
    assert kinds[p.ORDER_REFUNDED] < 0.1 * kinds[p.ORDER_PAID]
    assert fold(events).counters.bad_transitions == 0


def test_card_push_changes_what_sells(plan):
    sim = Simulator(plan, seed=5, start_ts=T0, autopilot=False)
    run(sim, 200)

    def window(sku: str, start: float) -> Counter:
        ev, err = sim.handle_command("card.push", {"sku": sku}, start)
        assert err is None and ev[-1]["type"] == p.CARD_PUSHED
        c = Counter()
        for s in range(1, 301):
            for e in sim.step(start + s):
                if e["type"] == p.ORDER_CREATED:
                    c[e["data"]["sku"]] += e["data"]["qty"]
        return c

    a = window("QM-SW-006", T0 + 200)
    b = window("QM-HM-010", T0 + 500)
    assert a["QM-SW-006"] > 3 * max(1, a["QM-HM-010"]), a
    assert b["QM-HM-010"] > 3 * max(1, b["QM-SW-006"]), b


def test_flash_sale_start_end_and_sellout(plan):
    sim = Simulator(plan, seed=9, start_ts=T0, autopilot=False)
    run(sim, 120)
    ev, err = sim.handle_command("card.push", {"sku": "QM-FW-001"}, T0 + 120)
    assert err is None
    ev, err = sim.handle_command("flash.start", {"sku": "QM-FW-001", "deal_price": 329,
                                                 "stock": 10, "duration_s": 600}, T0 + 120)
    assert err is None
    started = ev[-1]
    assert started["type"] == p.FLASH_STARTED
    fid = started["data"]["flash_id"]
    assert started["data"]["ends_at"] == pytest.approx(started["ts"] + 600)
    events = []
    for s in range(1, 601):
        events += sim.step(T0 + 120 + s)
    flash_orders = [e for e in events if e["type"] == p.ORDER_CREATED and e["data"].get("flash_id") == fid]
    assert flash_orders and all(e["data"]["unit_price"] == 329 for e in flash_orders)
    ended = [e for e in events if e["type"] == p.FLASH_ENDED]
    assert len(ended) == 1 and ended[0]["data"]["reason"] == "sold_out"
    # expiry
    ev, err = sim.handle_command("flash.start", {"sku": "QM-HM-010", "deal_price": 79,
                                                 "stock": 100, "duration_s": 30},
                                 T0 + 800)
    assert err is None
    fid2 = ev[-1]["data"]["flash_id"]
    later = []
    for s in range(1, 40):
        later += sim.step(T0 + 800 + s)
    ends = [e for e in later if e["type"] == p.FLASH_ENDED and e["data"]["flash_id"] == fid2]
    assert ends and ends[0]["data"]["reason"] in ("expired", "sold_out")
    assert ends[0]["ts"] <= T0 + 832


def test_stock_out_voids_flash_and_stops_orders(plan):
    sim = Simulator(plan, seed=4, start_ts=T0, autopilot=False)
    run(sim, 60)
    sim.handle_command("card.push", {"sku": "QM-SW-006"}, T0 + 60)
    ev, err = sim.handle_command("flash.start", {"sku": "QM-SW-006", "deal_price": 69,
                                                 "stock": 100, "duration_s": 600}, T0 + 60)
    assert err is None
    ev, err = sim.handle_command("inventory.set", {"sku": "QM-SW-006", "available": 0}, T0 + 61)
    assert err is None
    types = [e["type"] for e in ev]
    assert types == [p.INVENTORY_SET, p.FLASH_ENDED]
    assert ev[-1]["data"]["reason"].startswith("voided")
    events = []
    for s in range(2, 200):
        events += sim.step(T0 + 60 + s)
    assert not [e for e in events if e["type"] == p.ORDER_CREATED and e["data"]["sku"] == "QM-SW-006"]


def test_commands_and_errors(plan):
    sim = Simulator(plan, seed=1, start_ts=T0)
    events = run(sim, 120)
    assert sim.handle_command("card.push", {"sku": "NOPE"}, T0 + 120)[1]
    assert sim.handle_command("card.push", {}, T0 + 120)[1]
    assert sim.handle_command("bogus", {}, T0 + 120)[1]
    assert sim.handle_command("flash.start", {"sku": "QM-FW-001", "deal_price": 999,
                                              "stock": 5, "duration_s": 60}, T0 + 120)[1]
    assert sim.handle_command("inventory.set", {"sku": "QM-FW-001", "available": -1}, T0 + 120)[1]
    assert sim.handle_command("comment.pin", {"comment_id": "zzz"}, T0 + 120)[1]
    ev, err = sim.handle_command("card.clear", {}, T0 + 120)
    assert err is None and ev[0]["type"] == p.CARD_CLEARED
    cid = next(e["data"]["comment_id"] for e in events if e["type"] == p.COMMENT)
    ev, err = sim.handle_command("comment.pin", {"comment_id": cid}, T0 + 121)
    assert err is None and ev[0]["type"] == p.COMMENT_PINNED and ev[0]["data"]["text"]
    ev, err = sim.handle_command("inventory.set", {"sku": "QM-FW-001", "available": 999}, T0 + 121)
    assert err is None and ev[0]["data"]["available"] == 999
    assert sim.snapshot()["products"][0]["stock"] == 999


def test_autopilot_runs_the_plan_and_steps_aside(plan):
    sim = Simulator(plan, seed=7, start_ts=T0)
    events = run(sim, 1200)
    pushes = [e["data"]["sku"] for e in events if e["type"] == p.CARD_PUSHED]
    distinct = list(dict.fromkeys(pushes))
    assert distinct[:3] == plan.skus[:3]
    assert any(e["type"] == p.FLASH_STARTED for e in events)
    # a manual push pauses the autopilot
    ev, _ = sim.handle_command("card.push", {"sku": "QM-HM-012"}, T0 + 1200)
    later = []
    for s in range(1, 200):
        later += sim.step(T0 + 1200 + s)
    assert {e["data"]["sku"] for e in later if e["type"] == p.CARD_PUSHED} <= {"QM-HM-012"}


def test_snapshot(plan):
    sim = Simulator(plan, seed=7, start_ts=T0)
    events = run(sim, 300)
    snap = sim.snapshot()
    assert snap["last_seq"] == events[-1]["seq"]
    assert len(snap["products"]) == 12 and {"sku", "title", "price", "stock"} <= set(snap["products"][0])
    st = fold(events)
    assert snap["totals"]["orders"] == st.orders
    assert snap["totals"]["gmv"] == pytest.approx(st.gmv)
    assert snap["totals"]["buyers"] == st.buyers
    assert snap["traffic"]["viewers"] == st.traffic["viewers"]
    assert snap["current_sku"] == st.current_sku


def test_end_session(plan):
    sim = Simulator(plan, seed=7, start_ts=T0)
    run(sim, 30)
    ev = sim.end(T0 + 31)
    assert ev[-1]["type"] == p.SESSION_ENDED
    assert sim.step(T0 + 100) == []


@pytest.mark.parametrize("eps", [50, 1000, 12.5])
def test_load_generator(plan, eps):
    sim = Simulator(plan, seed=7, start_ts=T0)
    gen = sim.load(eps)
    seconds = [next(gen) for _ in range(8)]
    flat = [e for s in seconds for e in s]
    assert abs(len(flat) - eps * 8) <= 1
    assert [e["seq"] for e in flat] == list(range(1, len(flat) + 1))
    assert all(p.check_event(e) is None for e in flat)
    kinds = Counter(e["type"] for e in flat)
    if eps >= 1000:
        assert kinds[p.ORDER_PAID] > 0.3 * len(flat)
        assert kinds[p.TRAFFIC_TICK] >= 7


def test_load_generator_in_chunks(plan):
    """chunk=N: a high rate comes as lists of at most N events (the server never holds
    its event loop for a whole second of events), still contiguous and valid."""
    sim = Simulator(plan, seed=7, start_ts=T0)
    gen = sim.load(25_000, chunk=1000)
    lists = [next(gen) for _ in range(60)]
    flat = [e for part in lists for e in part]
    assert all(0 < len(part) <= 1000 for part in lists)
    assert [e["seq"] for e in flat] == list(range(1, len(flat) + 1))
    assert all(p.check_event(e) is None for e in flat)
    ts = [e["ts"] for e in flat]
    assert ts == sorted(ts)
