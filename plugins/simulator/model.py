"""Deterministic live-session simulator: produces protocol v1 wire events.

``Simulator(plan, seed)`` is a pure engine: it never reads the wall clock.
Time is passed in (``step(now)``, ``handle_command(..., now)``), so the same
plan, seed and sequence of calls always produce the same events.

The model, per simulated second:

* online viewers follow a target curve (ramp-up, plateau, slow waves, a lift
  while a flash sale runs); entries and exits are Poisson draws;
* room impressions ~ entries / entry rate (20-35 %), new unique viewers ~85 %
  of entries, product exposure ~50-70 % of new viewers, clicks ~8-15 % of
  product impressions (higher while a card is pushed, higher still during a
  flash sale), order attempts ~ clicks x CTOR (5-15 %);
* the product on the explanation card and the product on flash sale take most
  orders; a fresh card push or flash opening creates a burst that decays;
* orders are created (stock is reserved: ``inventory.set``), then paid (most)
  or cancelled (stock returned); ~4 % of paid orders are refunded later;
* a SKU at zero stock takes no more orders; a flash sale ends when its window
  closes, its flash stock sells out, or the SKU's stock runs out (voided);
* comments in Chinese ask about size, price and shipping.

No Qt here (headless).
"""

from __future__ import annotations

import hashlib
import heapq
import math
import random
from typing import Iterator

from console.core import protocol as p
from console.core.plan import PlanProduct, ShowPlan

#: The share of simulated comments written by someone who already ordered in the session
#: (so that the comment desk's buyer tags have something to show), and of followers.
BUYER_COMMENT_SHARE = 0.2
FOLLOWER_SHARE = 0.3

_NICK_HEADS = ["小鹿", "橘子", "阿杰", "糖糖", "木木", "一只", "晴天", "柚子", "Momo", "大白",
               "小雨", "七七", "阿雅", "星星", "可乐", "小熊", "南风", "饭团", "Coco", "青柠"]
_NICK_TAILS = ["爱吃草", "汽水", "的猫", "不加糖", "同学", "在路上", "酱", "呀", "2023", "妈妈",
               "宝宝", "吖", "很忙", "_", "想买", "要早睡", "666", "小号", "本人", ""]
_QUESTIONS = [
    "身高160体重110穿什么码", "{short}有{size}码吗", "主播身上穿的是什么码", "这个多少钱",
    "{short}能再便宜点吗", "什么时候发货", "发什么快递", "包邮吗", "有运费险吗",
    "{short}还有货吗", "有没有{color}", "洗了会缩水吗", "会起球吗", "已拍", "已拍两件",
    "券在哪里领", "秒杀什么时候开始", "{short}和上次那款有什么区别", "偏大还是偏小",
    "能看一下细节吗", "新疆能发吗", "主播转一圈看看", "拍了什么时候到", "上链接", "想要{color}的",
]
_SIZES = ["S", "M", "L", "XL", "XXL", "1.5米", "1.8米"]
_COLORS = ["黑色", "白色", "燕麦色", "驼色", "雾霾蓝", "灰色", "米白"]

START_DELAY_S = 20.0          # autopilot pushes the first card after this
REPOP_S = 45.0                # autopilot re-pops the card this often
MANUAL_PAUSE_S = 300.0        # autopilot steps aside this long after a manual card command


def default_session_id(plan: ShowPlan, seed: int) -> str:
    """A deterministic session id from the plan and the seed."""
    h = hashlib.sha1()
    h.update(f"{plan.room}|{plan.title}|{seed}|".encode())
    h.update("|".join(plan.skus).encode())
    return "sim-" + h.hexdigest()[:12]


class _Product:
    __slots__ = ("plan", "sku", "title", "price", "stock", "appeal", "impr", "clicks", "limit")

    def __init__(self, plan: PlanProduct) -> None:
        self.plan = plan
        self.sku = plan.sku
        self.title = plan.title
        self.price = float(plan.price)
        self.stock = int(plan.stock)
        self.appeal = float(plan.sim.get("appeal", 1.0) or 1.0) if isinstance(plan.sim, dict) else 1.0
        self.impr = 0
        self.clicks = 0
        self.limit = plan.offer.limit_per_buyer or 5


class _Flash:
    __slots__ = ("flash_id", "sku", "deal_price", "stock", "sold", "started_at", "ends_at")

    def __init__(self, flash_id: str, sku: str, deal_price: float, stock: int,
                 started_at: float, ends_at: float) -> None:
        self.flash_id = flash_id
        self.sku = sku
        self.deal_price = deal_price
        self.stock = stock
        self.sold = 0
        self.started_at = started_at
        self.ends_at = ends_at


class Simulator:
    """Deterministic event engine for one simulated live session."""

    def __init__(self, plan: ShowPlan, seed: int = 7, start_ts: float | None = None, *,
                 autopilot: bool = True, audience: int = 3000, session_id: str | None = None,
                 comments: bool = True) -> None:
        self.plan = plan
        self.seed = seed
        self.rng = random.Random(seed)
        self.start_ts = start_ts
        self.autopilot = autopilot
        self.audience = max(10, int(audience))
        self.session_id = session_id or default_session_id(plan, seed)
        self.comments_enabled = comments
        self.seq = 0
        self.last_ts = 0.0
        self.started = False
        self.ended = False
        self.products: dict[str, _Product] = {pp.sku: _Product(pp) for pp in plan.products}
        self.order = [pp.sku for pp in plan.products]
        # traffic (cumulative) and current online
        self.online = 0
        self.c = {k: 0 for k in ("room_impressions", "viewers", "product_impressions",
                                 "product_clicks", "likes", "comments", "shares", "new_followers")}
        self._tick_s = 0              # last simulated whole second (absolute)
        # card and flash
        self.current_sku: str | None = None
        self.card_since = 0.0
        self.flashes: dict[str, _Flash] = {}   # active only
        self._flash_n = 0
        # orders
        self._order_n = 0
        self._pending: list[tuple[float, int, str, dict]] = []  # (due, n, kind, order)
        self._pending_n = 0
        self.gmv = 0.0
        self.orders_paid = 0
        self.units = 0
        self._paid_buyers: set[str] = set()
        self._buyers: list[tuple[str, str]] = []
        self._bought: dict[tuple[str, str], int] = {}
        # comments
        self._comment_n = 0
        self._sent_n = 0
        self._recent_comments: dict[str, dict] = {}
        # who writes a comment (a buyer or not, a follower or not) is drawn from a generator of
        # its own, so the main one, and with it every other event of a seed, stays as it was
        self._who = random.Random(seed * 7919 + 17)
        # autopilot
        self._ap_index = -1
        self._ap_next = 0.0
        self._ap_flash_at: float | None = None
        self._ap_repop_at = 0.0
        self._ap_pause_until = 0.0

    # ---- public API ----------------------------------------------------------
    @property
    def last_seq(self) -> int:
        return self.seq

    def step(self, now: float) -> list[dict]:
        """Advance simulated time to ``now``; return the events produced."""
        out: list[dict] = []
        if not self.started:
            self._start(now, out)
        if self.ended:
            return out
        while self._tick_s + 1 <= now:  # second [s, s+1) is simulated once it has passed
            s = self._tick_s
            self._tick_s += 1
            self._second(float(s), out)
        return out

    def end(self, now: float) -> list[dict]:
        """End the session: close flash sales and the card, emit ``session.ended``."""
        out: list[dict] = []
        if not self.started:
            self._start(now, out)
        if self.ended:
            return out
        ts = self._ts(now)
        for fl in list(self.flashes.values()):
            self._end_flash(fl, ts, "session_ended", out)
        self._emit(out, ts, p.SESSION_ENDED, {"session_id": self.session_id, "ended_at": ts,
                                              "gmv": round(self.gmv, 2), "orders": self.orders_paid})
        self.ended = True
        return out

    def handle_command(self, name: str, args: dict, now: float) -> tuple[list[dict], str | None]:
        """Apply an operator command. Returns (events, None) or ([], error message)."""
        args = args or {}
        out: list[dict] = []
        if not self.started:
            self._start(now, out)
        if self.ended:
            return out, "the session has ended"
        reason = p.check_fields(args, p.COMMAND_ARGS.get(name, {}), f"command {name}") \
            if name in p.COMMAND_ARGS else f"unknown command {name!r}"
        if reason:
            return out, reason
        ts = self._ts(now)
        if name == p.CMD_CARD_PUSH:
            prod = self.products.get(args["sku"])
            if prod is None:
                return out, f"unknown SKU {args['sku']!r}"
            self._ap_pause_until = ts + MANUAL_PAUSE_S
            self._ap_index = self.order.index(prod.sku)
            self._ap_next = ts + MANUAL_PAUSE_S
            self._ap_flash_at = None
            self._ap_repop_at = ts + MANUAL_PAUSE_S
            self._push(prod.sku, ts, out, by="operator")
        elif name == p.CMD_CARD_CLEAR:
            self._ap_pause_until = ts + MANUAL_PAUSE_S
            self._ap_next = ts + MANUAL_PAUSE_S
            self._ap_flash_at = None
            self._clear(ts, out, by="operator")
        elif name == p.CMD_FLASH_START:
            prod = self.products.get(args["sku"])
            if prod is None:
                return out, f"unknown SKU {args['sku']!r}"
            deal, stock, dur = float(args["deal_price"]), int(args["stock"]), float(args["duration_s"])
            if not 0 < deal < prod.price:
                return out, f"deal_price {deal} must be above 0 and below the price {prod.price}"
            if stock <= 0:
                return out, "flash stock must be positive"
            if stock > prod.stock:
                return out, f"flash stock {stock} exceeds available stock {prod.stock}"
            if not 0 < dur <= 3600:
                return out, "duration_s must be between 0 and 3600 seconds"
            if any(f.sku == prod.sku for f in self.flashes.values()):
                return out, f"a flash sale is already running for {prod.sku}"
            self._start_flash(prod.sku, deal, stock, dur, ts, out, by="operator")
        elif name == p.CMD_FLASH_END:
            fl = self.flashes.get(args["flash_id"])
            if fl is None:
                return out, f"no running flash sale {args['flash_id']!r}"
            self._end_flash(fl, ts, "operator", out)
        elif name == p.CMD_INVENTORY_SET:
            prod = self.products.get(args["sku"])
            if prod is None:
                return out, f"unknown SKU {args['sku']!r}"
            available = int(args["available"])
            if available < 0:
                return out, "available must be zero or more"
            prod.stock = available
            self._emit(out, ts, p.INVENTORY_SET, {"sku": prod.sku, "available": available,
                                                  "reason": "operator"})
            self._check_flash_stock(prod, ts, out)
        elif name == p.CMD_COMMENT_PIN:
            c = self._recent_comments.get(args["comment_id"])
            if c is None:
                return out, f"unknown comment {args['comment_id']!r}"
            self._emit(out, ts, p.COMMENT_PINNED, {"comment_id": c["comment_id"],
                                                   "nick": c["nick"], "text": c["text"]})
        elif name == p.CMD_COMMENT_SEND:
            return self._send_comment(args, ts, out)
        return out, None

    def snapshot(self) -> dict:
        """Absolute state for clients that resume from a seq no longer retained."""
        return {
            "session_id": self.session_id,
            "products": [{"sku": pr.sku, "title": pr.title, "price": pr.price,
                          "list_price": pr.plan.list_price, "stock": pr.stock}
                         for pr in self.products.values()],
            "traffic": self.traffic(),
            "current_sku": self.current_sku,
            "flash_sales": [{"flash_id": f.flash_id, "sku": f.sku, "deal_price": f.deal_price,
                             "stock": f.stock, "sold": f.sold, "ends_at": f.ends_at}
                            for f in self.flashes.values()],
            "totals": {"gmv": round(self.gmv, 2), "orders": self.orders_paid,
                       "units": self.units, "buyers": len(self._paid_buyers)},
            "last_seq": self.seq,
        }

    def catalog(self) -> list[dict]:
        return [self._product_data(pr) for pr in self.products.values()]

    def session_info(self) -> dict:
        return {"id": self.session_id, "room": self.plan.room, "title": self.plan.title,
                "currency": self.plan.currency, "platform": self.plan.platform,
                "started_at": self.start_ts}

    def traffic(self) -> dict:
        d = {"online": self.online}
        d.update(self.c)
        return d

    def load(self, rate_eps: float, start_ts: float | None = None,
             chunk: int | None = None, comments_per_s: float | None = None) -> Iterator[list[dict]]:
        """Benchmark mode: yield the events of each simulated second.

        Each second holds ``rate_eps`` events on average (fractional rates are
        accumulated), with timestamps spread over that second: one
        ``traffic.tick``, then mostly order.created/order.paid pairs with
        ``inventory.set`` and some comments. The first list starts with the
        session preamble. Every event passes :func:`protocol.check_event`.

        Without ``chunk`` one list per second is yielded; with ``chunk`` a second
        comes as lists of at most ``chunk`` events, so a caller on an event loop
        never waits for a whole second of a high rate to be generated at once.
        ``comments_per_s``: that many of the events are comments (on average; some of
        them from buyers of earlier orders); by default about 8 %.
        """
        rng = self.rng
        out: list[dict] = []
        t = float(start_ts if start_ts is not None else (self.start_ts or 0.0))
        if not self.started:
            self._start(t, out)
        skus = self.order
        prods = self.products
        budget = 0.0
        sec = int(t)
        nicks = [self._nick() for _ in range(64)]
        online = self.audience
        step = max(1, int(chunk)) if chunk else None
        share = 0.08   # of the draws below; an order draw makes 2.5 events on average
        if comments_per_s is not None:
            f = min(1.0, max(0.0, float(comments_per_s)) / max(1.0, float(rate_eps)))
            share = 2.5 * f / (1.0 + 1.5 * f)
        while True:
            sec += 1
            budget += rate_eps
            n = int(budget)
            budget -= n
            base = float(sec)
            k = 0
            if n > 0 and len(out) < n:
                online = max(10, online + rng.randint(-20, 20))
                self.online = online
                c = self.c
                c["room_impressions"] += 40
                c["viewers"] += 10
                c["product_impressions"] += 6
                c["product_clicks"] += 1
                c["likes"] += 20
                tick = dict(self.traffic())
                self._emit(out, base, p.TRAFFIC_TICK, tick)
            done = 0  # events of this second already yielded
            while done < n:
                want = n - done if step is None else min(step, n - done)
                while len(out) < want:
                    frac = min(0.999, (k + 1) / (n + 1))
                    ts = base + frac
                    k += 1
                    r = rng.random()
                    left = want - len(out)
                    if left < 2 and comments_per_s is not None and r >= share:
                        pr = prods[skus[rng.randrange(len(skus))]]   # one slot left: a stock change
                        pr.stock = pr.stock - 1 if pr.stock > 1 else 100_000
                        self._emit(out, ts, p.INVENTORY_SET, {"sku": pr.sku, "available": pr.stock})
                        continue
                    if r < share or left < 2:
                        self._comment_n += 1
                        cid = f"c{self._comment_n}"
                        self.c["comments"] += 1
                        self._emit(out, ts, p.COMMENT, {"comment_id": cid, "nick": nicks[k % 64],
                                                        "text": _QUESTIONS[k % len(_QUESTIONS)]
                                                        .format(short="这款", size="M", color="黑色"),
                                                        "user_id": f"u{k % 9973:05d}"})
                        continue
                    sku = skus[rng.randrange(len(skus))]
                    pr = prods[sku]
                    self._order_n += 1
                    oid = f"LD{self._order_n:010d}"
                    buyer = {"id": f"u{rng.randrange(50_000):05d}", "nick": nicks[self._order_n % 64]}
                    order = {"order_id": oid, "sku": sku, "qty": 1, "unit_price": pr.price,
                             "amount": pr.price, "buyer": buyer}
                    self._emit(out, ts, p.ORDER_CREATED, order)
                    self._emit(out, ts, p.ORDER_PAID, dict(order, paid_at=ts))
                    self.gmv += pr.price
                    self.orders_paid += 1
                    self.units += 1
                    if len(out) < want and rng.random() < 0.5:
                        pr.stock = pr.stock - 1 if pr.stock > 1 else 100_000
                        self._emit(out, ts, p.INVENTORY_SET, {"sku": sku, "available": pr.stock})
                yield out[:want]
                out = out[want:]
                done += want

    # ---- internals -------------------------------------------------------------
    def _ts(self, now: float) -> float:
        return max(float(now), self.last_ts)

    def _emit(self, out: list[dict], ts: float, type_: str, data: dict) -> dict:
        ts = max(ts, self.last_ts)
        self.last_ts = ts
        self.seq += 1
        ev = p.make_event(self.seq, round(ts, 3), type_, data)
        out.append(ev)
        return ev

    @staticmethod
    def _product_data(pr: _Product) -> dict:
        pp = pr.plan
        return {"sku": pr.sku, "title": pr.title, "price": pr.price, "list_price": pp.list_price,
                "stock": pr.stock, "image_url": pp.image_url,
                "selling_points": list(pp.cue_card.selling_points),
                "coupon": pp.offer.coupon, "limit_per_buyer": pp.offer.limit_per_buyer}

    def _start(self, now: float, out: list[dict]) -> None:
        self.started = True
        if self.start_ts is None:
            self.start_ts = float(now)
        t0 = self.start_ts
        self.last_ts = t0
        self._tick_s = int(math.floor(t0))
        pl = self.plan
        self._emit(out, t0, p.SESSION_STARTED, {
            "session_id": self.session_id, "room": pl.room, "title": pl.title,
            "currency": pl.currency, "platform": pl.platform, "started_at": t0,
            "simulated": True})
        for pr in self.products.values():
            self._emit(out, t0, p.PRODUCT_UPSERT, self._product_data(pr))
        for pr in self.products.values():
            self._emit(out, t0, p.INVENTORY_SET, {"sku": pr.sku, "available": pr.stock})
        self._ap_next = t0 + START_DELAY_S

    def _poisson(self, lam: float) -> int:
        if lam <= 0:
            return 0
        if lam > 30:
            return max(0, int(round(self.rng.gauss(lam, math.sqrt(lam)))))
        limit, k, prod = math.exp(-lam), 0, self.rng.random()
        while prod > limit:
            k += 1
            prod *= self.rng.random()
        return k

    def _binom(self, n: int, prob: float) -> int:
        if n <= 0 or prob <= 0:
            return 0
        if n > 40:
            mean = n * prob
            sd = math.sqrt(mean * (1 - prob))
            return min(n, max(0, int(round(self.rng.gauss(mean, sd)))))
        return sum(1 for _ in range(n) if self.rng.random() < prob)

    def _nick(self) -> str:
        rng = self.rng
        return rng.choice(_NICK_HEADS) + rng.choice(_NICK_TAILS) + (
            str(rng.randrange(100)) if rng.random() < 0.3 else "")

    def _buyer(self) -> dict:
        rng = self.rng
        if self._buyers and rng.random() < 0.12:
            bid, nick = self._buyers[rng.randrange(len(self._buyers))]
        else:
            bid, nick = f"u{rng.getrandbits(48):012x}", self._nick()
            self._buyers.append((bid, nick))
            if len(self._buyers) > 50_000:
                del self._buyers[:10_000]
        return {"id": bid, "nick": nick}

    def _target_online(self, t: float) -> float:
        el = t - (self.start_ts or 0.0)
        a = self.audience
        ramp = min(1.0, el / 180.0)
        wave = 1.0 + 0.12 * math.sin(el / 240.0) + 0.06 * math.sin(el / 53.0 + 1.3)
        lift = 1.25 if self.flashes else 1.0
        if self.current_sku and el - (self.card_since - (self.start_ts or 0.0)) < 60:
            lift += 0.05
        return a * (0.15 + 0.85 * ramp) * wave * lift

    def _second(self, t: float, out: list[dict]) -> None:
        # due order transitions first
        self._due(t, out)
        # flash windows
        for fl in list(self.flashes.values()):
            if t >= fl.ends_at:
                self._end_flash(fl, fl.ends_at, "expired", out)
        if self.autopilot:
            self._autopilot(t, out)
        # viewers
        stay = 110.0
        target = self._target_online(t)
        entries = self._poisson(target / stay + max(0.0, target - self.online) * 0.04)
        exits = min(self.online, self._poisson(self.online / stay + max(0.0, self.online - target) * 0.02))
        self.online = max(0, self.online + entries - exits)
        c = self.c
        entry_rate = 0.27 + 0.05 * math.sin((t - (self.start_ts or 0)) / 300.0)
        c["room_impressions"] += entries + self._poisson(entries * (1.0 / entry_rate - 1.0))
        new_viewers = self._binom(entries, 0.85)
        c["viewers"] += new_viewers
        c["new_followers"] += self._binom(new_viewers, 0.03)
        c["likes"] += self._poisson(self.online * 0.015)
        c["shares"] += self._poisson(self.online * 0.0004)
        # product exposure and clicks
        exposure = 0.62 if self.current_sku else 0.52
        impr = self._binom(new_viewers, exposure)
        c["product_impressions"] += impr
        ctr = 0.09 + (0.025 if self.current_sku else 0.0) + (0.025 if self.flashes else 0.0)
        clicks = self._binom(impr, ctr)
        c["product_clicks"] += clicks
        weights = self._weights(t)
        skus = self.order
        total_w = sum(weights)
        if impr and total_w > 0:
            for _ in range(min(impr, 20)):
                self.products[self._pick(skus, weights, total_w)].impr += max(1, impr // 20)
        if clicks and total_w > 0:
            for _ in range(clicks):
                self.products[self._pick(skus, weights, total_w)].clicks += 1
        # orders: attempts ~ clicks x CTOR, with bursts after a push / flash open
        burst = 1.0
        if self.current_sku:
            burst += 1.5 * math.exp(-(t - self.card_since) / 45.0)
        for fl in self.flashes.values():
            burst += 2.5 * math.exp(-(t - fl.started_at) / 30.0)
        lam = (clicks + 0.3) * 0.09 * burst
        attempts = self._poisson(lam)
        for i in range(attempts):
            if total_w <= 0:
                break
            sku = self._pick(skus, weights, total_w)
            self._create_order(sku, t + (i + 1) / (attempts + 2), out)
            weights = self._weights(t)
            total_w = sum(weights)
        # comments
        if self.comments_enabled:
            n = self._poisson(self.online * 0.0008)
            for i in range(n):
                self._comment(t + (i + 1) / (n + 2) * 0.9, out)
        # tick at the end of the second
        tick = self.traffic()
        tick["by_sku"] = {pr.sku: {"impressions": pr.impr, "clicks": pr.clicks}
                          for pr in self.products.values() if pr.impr or pr.clicks}
        self._emit(out, t + 0.999, p.TRAFFIC_TICK, tick)

    def _pick(self, skus: list[str], weights: list[float], total: float) -> str:
        x = self.rng.random() * total
        for sku, w in zip(skus, weights):
            x -= w
            if x < 0:
                return sku
        for sku, w in zip(reversed(skus), reversed(weights)):
            if w > 0:
                return sku
        return skus[-1]

    def _weights(self, t: float) -> list[float]:
        ws = []
        flash_skus = {f.sku for f in self.flashes.values()}
        for sku in self.order:
            pr = self.products[sku]
            if pr.stock <= 0:
                ws.append(0.0)
                continue
            w = pr.appeal * 0.12
            if sku == self.current_sku:
                w += pr.appeal * 3.0
            if sku in flash_skus:
                w += pr.appeal * 3.0
            ws.append(w)
        return ws

    def _create_order(self, sku: str, ts: float, out: list[dict]) -> None:
        rng = self.rng
        pr = self.products[sku]
        if pr.stock <= 0:
            return
        flash = next((f for f in self.flashes.values() if f.sku == sku and f.sold < f.stock), None)
        buyer = self._buyer()
        limit = pr.limit
        have = self._bought.get((buyer["id"], sku), 0)
        if have >= limit:
            return
        r = rng.random()
        qty = 1 if r < 0.8 else (2 if r < 0.95 else 3)
        qty = min(qty, limit - have, pr.stock)
        unit = pr.price
        flash_id = None
        if flash is not None and rng.random() < 0.92:
            qty = min(qty, flash.stock - flash.sold)
            unit = flash.deal_price
            flash_id = flash.flash_id
        if qty <= 0:
            return
        self._order_n += 1
        order = {"order_id": f"LD{self._order_n:010d}", "sku": sku, "qty": qty,
                 "unit_price": unit, "amount": round(unit * qty, 2), "buyer": buyer}
        if flash_id:
            order["flash_id"] = flash_id
            flash.sold += qty  # type: ignore[union-attr]
        self._bought[(buyer["id"], sku)] = have + qty
        self._emit(out, ts, p.ORDER_CREATED, order)
        pr.stock -= qty
        self._emit(out, ts, p.INVENTORY_SET, {"sku": sku, "available": pr.stock})
        if rng.random() < 0.88:
            self._schedule(ts + rng.uniform(2.0, 25.0), "paid", order)
        else:
            self._schedule(ts + rng.uniform(30.0, 120.0), "cancelled", order)
        if flash is not None and flash.sold >= flash.stock:
            self._end_flash(flash, ts, "sold_out", out)
        self._check_flash_stock(pr, ts, out)

    def _schedule(self, due: float, kind: str, order: dict) -> None:
        self._pending_n += 1
        heapq.heappush(self._pending, (due, self._pending_n, kind, order))

    def _due(self, t: float, out: list[dict]) -> None:
        pend = self._pending
        while pend and pend[0][0] <= t:
            due, _, kind, order = heapq.heappop(pend)
            if kind == "paid":
                self._emit(out, due, p.ORDER_PAID, dict(order, paid_at=round(due, 3)))
                self.gmv += order["amount"]
                self.orders_paid += 1
                self.units += order["qty"]
                self._paid_buyers.add(order["buyer"]["id"])
                if self.rng.random() < 0.04:
                    self._schedule(due + self.rng.uniform(60.0, 900.0), "refunded", order)
            elif kind == "cancelled":
                self._emit(out, due, p.ORDER_CANCELLED, dict(order, reason="unpaid_timeout"))
                key = (order["buyer"]["id"], order["sku"])
                self._bought[key] = max(0, self._bought.get(key, 0) - order["qty"])
                pr = self.products[order["sku"]]
                pr.stock += order["qty"]
                self._emit(out, due, p.INVENTORY_SET, {"sku": pr.sku, "available": pr.stock})
                fid = order.get("flash_id")
                if fid and fid in self.flashes:
                    self.flashes[fid].sold -= order["qty"]
            elif kind == "refunded":
                self._emit(out, due, p.ORDER_REFUNDED,
                           dict(order, reason=self.rng.choice(["尺码不合适", "不想要了", "颜色与图片不符",
                                                               "发货太慢", "买多了"])))

    def _check_flash_stock(self, pr: _Product, ts: float, out: list[dict]) -> None:
        if pr.stock <= 0:
            for fl in list(self.flashes.values()):
                if fl.sku == pr.sku:
                    self._end_flash(fl, ts, "voided_stock_out", out)

    def _start_flash(self, sku: str, deal: float, stock: int, duration: float, ts: float,
                     out: list[dict], by: str = "autopilot") -> None:
        self._flash_n += 1
        fid = f"F{self._flash_n:04d}"
        fl = _Flash(fid, sku, deal, stock, ts, round(ts + duration, 3))
        self.flashes[fid] = fl
        self._emit(out, ts, p.FLASH_STARTED, {"flash_id": fid, "sku": sku, "deal_price": deal,
                                              "stock": stock, "ends_at": fl.ends_at,
                                              "started_at": ts, "duration_s": duration,
                                              "by": by})

    def _end_flash(self, fl: _Flash, ts: float, reason: str, out: list[dict]) -> None:
        if self.flashes.pop(fl.flash_id, None) is None:
            return
        self._emit(out, ts, p.FLASH_ENDED, {"flash_id": fl.flash_id, "sku": fl.sku,
                                            "reason": reason, "sold": max(0, fl.sold)})

    def _push(self, sku: str, ts: float, out: list[dict], by: str = "autopilot") -> None:
        if sku != self.current_sku:
            self.card_since = ts
        self.current_sku = sku
        pr = self.products[sku]
        self._emit(out, ts, p.CARD_PUSHED, {"sku": sku, "title": pr.title, "price": pr.price,
                                            "by": by})

    def _clear(self, ts: float, out: list[dict], by: str = "autopilot") -> None:
        prev = self.current_sku
        self.current_sku = None
        self._emit(out, ts, p.CARD_CLEARED, dict({"sku": prev} if prev else {}, by=by))

    def _autopilot(self, t: float, out: list[dict]) -> None:
        if t < self._ap_pause_until:
            return
        if t >= self._ap_next:
            n = len(self.order)
            for _ in range(n):  # next product with stock left
                self._ap_index = (self._ap_index + 1) % n
                if self.products[self.order[self._ap_index]].stock > 0:
                    break
            pr = self.products[self.order[self._ap_index]]
            slot = max(60.0, pr.plan.planned_minutes * 60.0)
            self._ap_next = t + slot
            self._ap_repop_at = t + REPOP_S
            self._push(pr.sku, t, out)
            off = pr.plan.offer
            self._ap_flash_at = t + slot * 0.3 if off.flash_price and off.flash_stock else None
            return
        if self._ap_flash_at is not None and t >= self._ap_flash_at:
            self._ap_flash_at = None
            pr = self.products[self.order[self._ap_index]]
            off = pr.plan.offer
            stock = min(int(off.flash_stock or 0), pr.stock)
            if stock > 0 and not any(f.sku == pr.sku for f in self.flashes.values()):
                dur = min(off.flash_minutes * 60.0, max(30.0, self._ap_next - t))
                self._start_flash(pr.sku, float(off.flash_price), stock, dur, t, out)
            return
        if self.current_sku and t >= self._ap_repop_at:
            self._ap_repop_at = t + REPOP_S
            self._push(self.current_sku, t, out)

    def _send_comment(self, args: dict, ts: float, out: list[dict]) -> tuple[list[dict], str | None]:
        """``comment.send``: the room's own comment (a reply with ``reply_to``), or a reason."""
        text = args["text"].strip()
        reply_to, source = args.get("reply_to"), args.get("source", "operator")
        if reply_to is not None and not isinstance(reply_to, str):
            return out, "reply_to must be a comment id (text)"
        if not isinstance(source, str):
            return out, "source must be text"
        if not text:
            return out, "the comment is empty"
        if len(text) > p.MAX_COMMENT_CHARS:
            return out, f"the comment has {len(text)} characters; at most {p.MAX_COMMENT_CHARS} are allowed"
        from console.compliance import check_text   # the platform's filter: advertising-law terms
        hits = check_text(text)
        if hits:
            return out, "banned words: " + "、".join(dict.fromkeys(h.term for h in hits))
        if reply_to and reply_to not in self._recent_comments:
            return out, f"unknown comment {reply_to!r}"
        self._sent_n += 1
        data = {"comment_id": f"s{self._sent_n}", "text": text, "nick": self.plan.room,
                "source": source}
        if reply_to:
            data["reply_to"] = reply_to
        self._emit(out, ts, p.COMMENT_SENT, data)
        self._remember_comment(data)
        return out, None

    def _remember_comment(self, data: dict) -> None:
        rc = self._recent_comments
        rc[data["comment_id"]] = data
        if len(rc) > 2000:
            del rc[next(iter(rc))]

    def _comment(self, ts: float, out: list[dict]) -> None:
        rng = self.rng
        self._comment_n += 1
        cid = f"c{self._comment_n}"
        sku = self.current_sku or self.order[rng.randrange(len(self.order))]
        short = self.products[sku].title.split(" ")[0][-4:]
        text = rng.choice(_QUESTIONS).format(short=short, size=rng.choice(_SIZES),
                                             color=rng.choice(_COLORS))
        nick = self._nick()
        user_id = f"u{rng.getrandbits(48):012x}"
        who = self._who
        if self._paid_buyers and who.random() < BUYER_COMMENT_SHARE:
            user_id, nick = self._buyers[who.randrange(len(self._buyers))]
        data = {"comment_id": cid, "nick": nick, "text": text, "user_id": user_id}
        if who.random() < FOLLOWER_SHARE:
            data["follower"] = True
        self.c["comments"] += 1
        self._emit(out, ts, p.COMMENT, data)
        self._remember_comment(data)


__all__ = ["Simulator", "default_session_id"]
