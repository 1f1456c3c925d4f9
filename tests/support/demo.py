"""A deterministic scripted session (Chinese products) and a FakeSession, for screenshots and tests."""

from __future__ import annotations

import itertools
import random

from console.api import FeedStatusView, Recorder
from console.core import protocol as p
from console.core.eventlog import Event, SessionLog
from console.core.plan import ShowPlan
from console.fold.state import SessionState
from console.live.alerts import Thresholds
from console.live.lag import FeedLag

T0 = 1_763_800_000.0

PLAN = {
    "session": {"room": "轻羽官方旗舰店", "title": "双11 暖冬专场", "currency": "CNY", "platform": "douyin"},
    "products": [
        {"sku": "LD-001", "title": "轻薄羽绒服 男女同款", "price": 399.0, "list_price": 699.0, "stock": 300,
         "planned_minutes": 8, "offer": {"coupon": "满300减50", "flash_price": 299.0, "flash_stock": 80,
                                         "flash_minutes": 3}},
        {"sku": "LD-002", "title": "羊绒围巾 礼盒装", "price": 129.0, "list_price": 259.0, "stock": 150,
         "planned_minutes": 5, "offer": {"coupon": "第二件半价", "flash_price": 99.0, "flash_stock": 40,
                                         "flash_minutes": 2}},
        {"sku": "LD-003", "title": "加绒保暖打底裤", "price": 79.0, "list_price": 139.0, "stock": 500,
         "planned_minutes": 6, "offer": {"coupon": "满2件9折"}},
        {"sku": "LD-004", "title": "冲锋衣三合一", "price": 599.0, "list_price": 1299.0, "stock": 80,
         "planned_minutes": 10, "offer": {"coupon": "店铺券100", "flash_price": 499.0, "flash_stock": 20,
                                          "flash_minutes": 5}},
        {"sku": "LD-005", "title": "儿童雪地靴", "price": 159.0, "list_price": 299.0, "stock": 120,
         "planned_minutes": 5, "offer": {}},
        {"sku": "LD-006", "title": "暖宝宝 20片装", "price": 19.9, "list_price": 39.9, "stock": 1000,
         "planned_minutes": 3, "offer": {"coupon": "拍3件送1"}},
    ],
}

NICKS = ["张小凡", "李雪", "王大锤", "赵敏", "陈晨", "刘洋", "杨过", "周芷若", "吴邪", "孙悟空",
         "郑爽快", "冯宝宝", "何以琛", "林夕", "高圆"]


class FakeSession:
    """Records send_command/append_local like LiveSession; commands land in a real SessionLog.
    Implements :class:`console.api.Session` (no feed, no recorder; tests set ``status``,
    ``lag`` or ``recorder`` when they need one)."""

    def __init__(self, log: SessionLog | None = None, state: SessionState | None = None) -> None:
        self.log: SessionLog = log or SessionLog(session_id="fake")
        self.state: SessionState = state or SessionState()
        if state is None:
            self.log.subscribe(self.state.apply)
        self.status: FeedStatusView | None = None
        self.lag: FeedLag | None = None
        self.plan: ShowPlan | None = None
        self.recorder: Recorder | None = None
        self.switched: tuple[str, str] | None = None
        self.thresholds = Thresholds()     # as the console last set them
        self.commands: list[tuple[str, dict]] = []
        self.locals: list[tuple[str, dict, str]] = []
        self.stopped = False
        self._ids = itertools.count(1)

    def now(self) -> float:
        return self.log.now()

    def send_command(self, name: str, args: dict, source: str = "operator") -> str:
        cid = f"c{next(self._ids)}"
        self.commands.append((name, args))
        self.log.append_local(p.OPERATOR_COMMAND, {"command_id": cid, "name": name, "args": args},
                              source)
        return cid

    def append_local(self, type_: str, data: dict, source: str = "operator") -> Event | None:
        self.locals.append((type_, data, source))
        return self.log.append_local(type_, data, source)

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    async def stop(self) -> None:
        self.stopped = True


def demo_events(minutes: float = 24.0, seed: int = 7) -> list[dict]:
    """Wire events of a scripted mid-session (deterministic)."""
    rnd = random.Random(seed)
    evs: list[dict] = []
    seq = itertools.count(1)

    def add(t, type_, **data):
        evs.append(p.make_event(next(seq), T0 + t, type_, data))

    add(0, p.SESSION_STARTED, session_id="demo", room=PLAN["session"]["room"],
        title=PLAN["session"]["title"], currency="CNY", started_at=T0)
    stock = {}
    for prod in PLAN["products"]:
        add(0.5, p.PRODUCT_UPSERT, sku=prod["sku"], title=prod["title"], price=prod["price"],
            list_price=prod["list_price"], stock=prod["stock"])
        stock[prod["sku"]] = prod["stock"]
    schedule = [(0.3, "LD-001"), (7.5, "LD-002"), (12.0, "LD-004"), (19.5, "LD-003")]
    flash = {"LD-004": (14.0, 499.0, 20, 5 * 60)}
    traffic = dict(online=800, room_impressions=0, viewers=0, product_impressions=0,
                   product_clicks=0, likes=0, comments=0)
    total_s = int(minutes * 60)
    card = None
    oid = itertools.count(1)
    flash_id = None
    for s in range(1, total_s + 1):
        t = float(s)
        for at, sku in schedule:
            if int(at * 60) == s:
                add(t, p.CARD_PUSHED, sku=sku)
                card = sku
        for sku, (at, price, fstock, dur) in flash.items():
            if int(at * 60) == s:
                flash_id = f"F-{sku}"
                add(t, p.FLASH_STARTED, flash_id=flash_id, sku=sku, deal_price=price, stock=fstock,
                    ends_at=T0 + t + dur)
        # traffic: a rise, a dip around minute 17, then recovery
        target = 1500 + 900 * min(1, s / 600) - (700 if 1000 < s < 1150 else 0)
        traffic["online"] = max(50, int(traffic["online"] + (target - traffic["online"]) * 0.05
                                        + rnd.randint(-25, 25)))
        traffic["room_impressions"] += rnd.randint(30, 45)
        traffic["viewers"] += rnd.randint(7, 11)
        traffic["product_impressions"] += rnd.randint(4, 7)
        traffic["product_clicks"] += rnd.randint(0, 2) if rnd.random() < 0.7 else 0
        if s % 2 == 0:
            add(t, p.TRAFFIC_TICK, **traffic)
        if card and rnd.random() < (0.55 if card != "LD-004" else 0.35):
            sku = card if rnd.random() < 0.8 else rnd.choice(list(stock))
            if stock[sku] <= 0:
                continue
            prod = next(x for x in PLAN["products"] if x["sku"] == sku)
            qty = min(stock[sku], 1 if rnd.random() < 0.8 else 2)
            fl = flash_id if sku == "LD-004" and flash_id else None
            price = 499.0 if fl else prod["price"]
            nick = rnd.choice(NICKS)
            order = {"order_id": f"O{next(oid)}", "sku": sku, "qty": qty, "unit_price": price,
                     "amount": round(price * qty, 2),
                     "buyer": {"id": f"u{rnd.randint(1, 4000)}", "nick": nick}}
            if fl:
                order["flash_id"] = fl
            add(t, p.ORDER_CREATED, **order)
            r = rnd.random()
            if r < 0.08:
                add(t + 0.5, p.ORDER_CANCELLED, **order)
                continue
            add(t + 0.5, p.ORDER_PAID, **order)
            stock[sku] -= qty
            add(t + 0.5, p.INVENTORY_SET, sku=sku, available=stock[sku])
            if r > 0.985:
                add(t + 0.7, p.ORDER_REFUNDED, **order)
    return evs


def demo_session(minutes: float = 24.0, seed: int = 7) -> FakeSession:
    """A FakeSession holding the plan and the scripted events, folded."""
    sess = FakeSession()
    sess.log.clock = lambda: sess.state.last_ts or T0
    sess.log.append_local(p.PLAN_LOADED, {"plan": PLAN}, source="system")
    events = demo_events(minutes, seed)
    for i in range(0, len(events), 500):
        sess.log.append_feed(events[i:i + 500])
    return sess
