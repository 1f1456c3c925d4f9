"""Session generators for replay and report tests."""

from __future__ import annotations

import random

from console.core import protocol as p
from tests.replay.fakes import FakeRecorder, FakeStore, SessionInfo

T0 = 1_700_000_000.0
PLAN = {"title": "双11 羽绒服专场", "products": [
    {"sku": "A", "title": "轻薄羽绒服", "price": 399.0, "list_price": 699.0, "stock": 10, "planned_minutes": 2},
    {"sku": "B", "title": "羊绒围巾", "price": 99.0, "stock": 5, "planned_minutes": 1},
    {"sku": "C", "title": "保暖手套", "price": 59.0, "stock": 50, "planned_minutes": 1},
]}


def order(oid, sku, qty, amount, buyer):
    return {"order_id": oid, "sku": sku, "qty": qty, "unit_price": amount / qty, "amount": amount,
            "buyer": {"id": buyer, "nick": buyer}}


class Wire:
    def __init__(self):
        self.seq = 0
        self.out = []

    def __call__(self, dt, type_, **data):
        self.seq += 1
        self.out.append({"seq": self.seq, "ts": T0 + dt, "type": type_, "data": data})


def hand_session(store: FakeStore | None = None, sid="s2", started=T0, room="官方旗舰店", k=4):
    """A small session with hand-computable numbers (see tests/review/test_scorecard.py)."""
    store = store or FakeStore()
    rec = FakeRecorder(store, SessionInfo(sid, "双11 羽绒服专场", room, "douyin", started), snapshot_every=k)
    w = Wire()
    w(0, p.SESSION_STARTED, room=room, title="双11 羽绒服专场", started_at=T0)
    w(0, p.PLAN_LOADED, plan=PLAN)
    w(1, p.PRODUCT_UPSERT, sku="A", title="轻薄羽绒服", price=399.0, list_price=699.0, stock=10)
    w(1, p.PRODUCT_UPSERT, sku="B", title="羊绒围巾", price=99.0, stock=5)
    w(1, p.PRODUCT_UPSERT, sku="C", title="保暖手套", price=59.0, stock=50)
    w(5, p.TRAFFIC_TICK, online=100, room_impressions=1000, viewers=200, product_impressions=100,
      product_clicks=20, by_sku={"A": {"impressions": 10, "clicks": 2},
                                 "B": {"impressions": 20, "clicks": 5}})
    w(10, p.CARD_PUSHED, sku="B")                        # B first (plan said A first)
    w(20, p.ORDER_PAID, **order("o1", "B", 1, 99.0, "u1"))
    w(30, p.ORDER_PAID, **order("o2", "B", 4, 396.0, "u2"))
    w(31, p.INVENTORY_SET, sku="B", available=0)         # B sold out at 00:31
    w(40, p.OPERATOR_CUE, text="上链接", kind="free")
    w(65, p.TRAFFIC_TICK, online=300, room_impressions=2000, viewers=400, product_impressions=300,
      product_clicks=60, by_sku={"A": {"impressions": 10, "clicks": 2},
                                 "B": {"impressions": 150, "clicks": 30}})
    w(70, p.CARD_PUSHED, sku="A")                        # B on air 60 s
    w(80, p.FLASH_STARTED, flash_id="f1", sku="A", deal_price=299.0, stock=3, ends_at=T0 + 140)
    w(90, p.ORDER_PAID, **order("o3", "A", 2, 598.0, "u3", ) | {"flash_id": "f1"})
    w(100, p.ORDER_PAID, **order("o4", "A", 1, 399.0, "u1"))
    w(125, p.TRAFFIC_TICK, online=120, room_impressions=3000, viewers=500, product_impressions=400,
      product_clicks=80, by_sku={"A": {"impressions": 80, "clicks": 16},
                                 "B": {"impressions": 150, "clicks": 30}})
    w(130, p.ALERT_RAISED, key="online_drop", kind="online_drop", message="在线人数下跌 60%")
    w(140, p.FLASH_ENDED, flash_id="f1", sku="A", reason="time", sold=2)
    w(150, p.ORDER_REFUNDED, **order("o4", "A", 1, 399.0, "u1"))
    w(160, p.CARD_CLEARED)                               # A on air 90 s
    w(180, p.SESSION_ENDED)
    rec.feed(w.out)
    rec.info.ended_at = T0 + 180
    rec.info.duration_s = 180.0
    return store, rec


def random_session(seed: int, n: int, store: FakeStore | None = None, sid="r1", k=25):
    """Random orders, ticks, card pushes, flash sales, stock, cues, alerts, junk."""
    rnd = random.Random(seed)
    store = store or FakeStore()
    rec = FakeRecorder(store, SessionInfo(sid, "random", "room", "douyin", T0), snapshot_every=k)
    w = Wire()
    skus = ["A", "B", "C", "D"]
    w(0, p.SESSION_STARTED, room="room", started_at=T0)
    w(0, p.PLAN_LOADED, plan={"products": [{"sku": s, "title": "商品" + s, "price": 10.0 + i,
                                            "stock": 20, "planned_minutes": 1} for i, s in enumerate(skus)]})
    t = 0.0
    traffic = {"room_impressions": 0, "viewers": 0, "product_impressions": 0, "product_clicks": 0}
    by_sku = {s: {"impressions": 0, "clicks": 0} for s in skus}
    oid = 0
    paid: list[tuple[str, str, int, float]] = []
    flash = 0
    for _ in range(n):
        t += rnd.choice([0.0, 0.5, 1.0, 3.0, 10.0, 40.0])
        r = rnd.random()
        if r < 0.30:
            for key in traffic:
                traffic[key] += rnd.randint(0, 20)
            s = rnd.choice(skus)
            by_sku[s]["impressions"] += rnd.randint(0, 5)
            by_sku[s]["clicks"] += rnd.randint(0, 2)
            w(t, p.TRAFFIC_TICK, online=rnd.randint(0, 500), **traffic,
              by_sku={k2: dict(v) for k2, v in by_sku.items()})
        elif r < 0.55:
            oid += 1
            s, q = rnd.choice(skus), rnd.randint(1, 3)
            o = order(f"o{oid}", s, q, q * 10.0, f"u{rnd.randint(1, 15)}")
            if rnd.random() < 0.3:
                w(t, p.ORDER_CREATED, **o)
            w(t, p.ORDER_PAID, **o)
            paid.append((o["order_id"], s, q, q * 10.0))
        elif r < 0.60 and paid:
            o_id, s, q, a = rnd.choice(paid)
            # mostly refunds; sometimes the platform re-sends an old payment (a duplicate)
            w(t, p.ORDER_PAID if rnd.random() < 0.25 else p.ORDER_REFUNDED, **order(o_id, s, q, a, "x"))
        elif r < 0.70:
            w(t, p.CARD_PUSHED, sku=rnd.choice(skus))
        elif r < 0.73:
            w(t, p.CARD_CLEARED)
        elif r < 0.80:
            w(t, p.INVENTORY_SET, sku=rnd.choice(skus), available=rnd.choice([0, 0, 5, 20]))
        elif r < 0.84:
            flash += 1
            w(t, p.FLASH_STARTED, flash_id=f"f{flash}", sku=rnd.choice(skus), deal_price=9.9, stock=5,
              ends_at=T0 + t + 60)
        elif r < 0.87 and flash:
            w(t, p.FLASH_ENDED, flash_id=f"f{rnd.randint(1, flash)}", sku="A")
        elif r < 0.91:
            w(t, p.OPERATOR_CUE, text=rnd.choice(["催单", "库存只剩 20"]), kind="free")
        elif r < 0.94:
            w(t, p.ALERT_RAISED, key="k", kind="drop", message="在线下跌")
        elif r < 0.97:
            w(t, p.COMMENT, nick="n", text="多少钱", comment_id=f"c{_}")
        else:
            w(t, rnd.choice(["mystery", p.ORDER_PAID]), bad=True)   # junk: unknown / invalid
    rec.feed(w.out)
    return store, rec
