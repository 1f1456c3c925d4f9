"""Session state: a pure fold over the session log.

``SessionState.apply(events)`` is the only way state changes. Live view,
replay, reports and tests all fold the same log through this code. The fold
never raises on bad input: unknown types and malformed events are counted
and ignored (they stay in the log).

State is bounded: per-second series keep the last ``SECOND_WINDOW`` seconds,
order statuses keep a window of recent orders, comment/alert/cue histories
are capped. Everything else grows with the plan (products, segments,
minutes). ``to_snapshot``/``from_snapshot`` serialise it for the recorder's
periodic snapshots so a replay can start anywhere.
"""

from __future__ import annotations

import math
from collections import deque
from itertools import islice
from dataclasses import asdict, dataclass, field, fields
from typing import Callable, Iterable, Protocol

from console.core import metrics, protocol as p
from console.live.automation import AutomationLog
from console.fold.comments import CommentBook, buyer_id
from console.core.eventlog import Event

SECOND_WINDOW = 600          # per-second series kept (10 minutes)
#: Order statuses kept for duplicate and transition checks (the most recent orders). Snapshots
#: store the whole window, so a replay started from a snapshot sees exactly the orders the live
#: fold saw at that point and both treat every later event the same way.
ORDER_WINDOW = 20_000
HISTORY = 500                # comments, alerts, cues, command results kept
SELL_RATE_TAU = 120.0        # seconds; time constant of the sell-rate average
TRAFFIC_KEYS = ("online", "room_impressions", "viewers", "product_impressions",
                "product_clicks", "likes", "comments", "shares", "new_followers")
MINUTE_FIELDS = ("online", "entering", "gmv", "orders", "units", "clicks",
                 "impressions", "comments", "refunds")
SECOND_FIELDS = ("online", "gmv", "orders", "clicks")


class BuyerRegistry(Protocol):
    """Answers "is this the first paid order of this key?" for distinct counts."""

    def first(self, key: str, seq: int) -> bool: ...


class MemoryBuyers:
    """Live registry: a set of keys seen so far (``b:<buyer>`` and ``b:<buyer>|<sku>``)."""

    def __init__(self) -> None:
        self.keys: set[str] = set()
        self.new_keys: list[tuple[str, int]] = []  # drained by the recorder

    def first(self, key: str, seq: int) -> bool:
        if key in self.keys:
            return False
        self.keys.add(key)
        self.new_keys.append((key, seq))
        return True


class IndexedBuyers:
    """Replay registry: first-purchase log seq per key, loaded from the recording."""

    def __init__(self, first_seq: dict[str, int]) -> None:
        self.first_seq = first_seq

    def first(self, key: str, seq: int) -> bool:
        return self.first_seq.get(key) == seq


@dataclass
class ProductState:
    sku: str
    title: str = ""
    price: float = 0.0
    list_price: float = 0.0
    image_url: str = ""
    selling_points: list = field(default_factory=list)
    script: str = ""
    stock: int | None = None          # available now (from inventory.set)
    stock_initial: int | None = None  # first stock seen
    stock_max: int = 0                # largest stock seen (bar scale)
    sold_out_at: float | None = None
    orders: int = 0
    units: int = 0
    gmv: float = 0.0
    buyers: int = 0
    refunds: int = 0
    refund_amount: float = 0.0
    impressions: int = 0              # cumulative product-impression viewers (feed by_sku)
    clicks: int = 0                   # cumulative product-click viewers (feed by_sku)
    explanations: int = 0
    on_air_s: float = 0.0             # closed segments only; see on_air()
    rate: float = 0.0                 # units per second, exponentially averaged
    rate_ts: float = 0.0

    def sell_rate(self, now: float) -> float:
        """Units per minute at ``now``."""
        if self.rate_ts == 0.0:
            return 0.0
        return self.rate * math.exp(-max(0.0, now - self.rate_ts) / SELL_RATE_TAU) * 60.0

    def sell_out_eta(self, now: float) -> float | None:
        """Seconds until sold out at the current sell rate, or None."""
        rate = self.sell_rate(now)
        if self.stock is None or rate <= 0:
            return None
        return self.stock / rate * 60.0


@dataclass
class Segment:
    """One explanation segment: a card push until the next push or clear."""

    index: int
    sku: str
    start_seq: int
    start_ts: float
    end_ts: float | None = None
    repops: int = 0
    clicks: int = 0
    impressions: int = 0
    views: int = 0                    # viewers entered during the segment
    orders: int = 0
    units: int = 0
    gmv: float = 0.0
    buyers: int = 0
    room_gmv: float = 0.0             # all products, for context
    refunds: int = 0
    pushed_by: str = ""               # operator | automation | platform | simulator (card_pusher)
    _click_base: int = 0              # the product's own by_sku counters at the push
    _impr_base: int = 0
    _views_base: int = 0
    _room_click_base: int = 0         # the room counters at the push (feeds without by_sku)
    _room_impr_base: int = 0
    _buyer_keys: dict = field(default_factory=dict)  # distinct buyers, ordered (a set in order)

    def duration(self, now: float) -> float:
        return (self.end_ts if self.end_ts is not None else now) - self.start_ts

    @property
    def ctr(self) -> float:
        return metrics.ratio(self.clicks, self.impressions)

    @property
    def ctor(self) -> float:
        return metrics.ratio(self.buyers, self.clicks)

    @property
    def gpm(self) -> float:
        return metrics.gpm(self.gmv, self.views)


@dataclass
class FlashSale:
    flash_id: str
    sku: str
    deal_price: float
    stock: int
    started_at: float
    ends_at: float
    sold: int = 0
    ended_at: float | None = None
    reason: str = ""

    @property
    def remaining(self) -> int:
        return max(0, self.stock - self.sold)

    def seconds_left(self, now: float) -> float:
        return max(0.0, self.ends_at - now) if self.ended_at is None else 0.0


class SecondSeries:
    """Per-second buckets for the last ``window`` seconds (absolute second index)."""

    def __init__(self, names: Iterable[str], window: int = SECOND_WINDOW) -> None:
        self.names = tuple(names)
        self.window = window
        self.base = 0  # absolute second of index 0
        self.data: dict[str, list[float]] = {n: [] for n in self.names}

    def bucket(self, second: int) -> int | None:
        """Index for an absolute second, extending and trimming as needed."""
        data = self.data
        first = self.names[0]
        length = len(data[first])
        if length == 0:
            self.base = second
        idx = second - self.base
        if idx < 0:
            return None
        if idx >= length:
            grow = idx - length + 1
            for name in self.names:
                col = data[name]
                col.extend([col[-1] if (name == "online" and col) else 0.0] * grow)
            length = idx + 1
            if length > self.window * 2:
                cut = length - self.window
                for name in self.names:
                    del data[name][:cut]
                self.base += cut
                idx -= cut
        return idx

    def to_json(self) -> dict:
        return {"base": self.base, "data": self.data}

    def load(self, obj: dict) -> None:
        self.base = obj["base"]
        self.data = {n: list(obj["data"].get(n, [])) for n in self.names}


@dataclass
class Counters:
    """What the fold ignored, and why (kept for status and diagnostics)."""

    unknown_types: int = 0
    invalid: int = 0
    duplicate_orders: int = 0
    bad_transitions: int = 0
    gaps: int = 0
    missed_feed_events: int = 0
    snapshots: int = 0


class SessionState:
    """Everything the console, the prompt panel and the review show."""

    def __init__(self, buyers: BuyerRegistry | None = None) -> None:
        self.buyers_registry: BuyerRegistry = buyers if buyers is not None else MemoryBuyers()
        self.version = 0            # increments on every applied batch (widgets poll it)
        self.last_seq = 0
        self.last_feed_seq = 0
        self.last_ts = 0.0
        self.session: dict = {}
        self.started_at: float | None = None
        self.ended_at: float | None = None
        self.plan: dict | None = None
        self.run_of_show: list[str] = []
        self.products: dict[str, ProductState] = {}
        # Orders
        self.gmv = 0.0
        self.orders = 0             # paid orders
        self.units = 0
        self.buyers = 0
        self.created = 0
        self.cancelled = 0
        self.refunds = 0
        self.refund_amount = 0.0
        self.order_status: dict[str, str] = {}
        self._order_fifo: deque[str] = deque()  # order_status keys, oldest first
        self.recent_orders: deque = deque(maxlen=HISTORY)  # (seq, ts, status, order data)
        # Traffic (cumulative counters from the latest tick)
        self.traffic: dict[str, int] = {k: 0 for k in TRAFFIC_KEYS}
        self.peak_online = 0
        # Card and segments
        self.current_sku: str | None = None
        self.card_by: str | None = None    # who put the current card on air (card_pusher)
        self.cleared_by: str | None = None # who took the last card off air
        self.segments: list[Segment] = []
        #: Whether the feed carries per-product counts (``by_sku`` in ``traffic.tick``): then a
        #: segment's clicks and impressions are its product's own, else the room's.
        self.per_product_counts = False
        #: Set by ``from_snapshot`` for a snapshot written before segment baselines were kept
        #: apart (its segments' clicks and impressions may be wrong; refold from the start).
        self.legacy_segment_baselines = False
        # Flash sales
        self.flash_sales: dict[str, FlashSale] = {}
        # Comments
        self.comment_count = 0
        self.recent_comments: deque = deque(maxlen=HISTORY)
        self.pinned_comment: dict | None = None
        # Operator and system
        self.pending_commands: dict[str, dict] = {}
        self.command_results: deque = deque(maxlen=HISTORY)
        self.cue: dict | None = None
        self.cues: deque = deque(maxlen=HISTORY)
        self.active_alerts: dict[str, dict] = {}
        self.alerts: deque = deque(maxlen=HISTORY)
        self.feed_status: dict = {}
        self.gaps: list[dict] = []
        self.problems: deque = deque(maxlen=50)  # (seq, reason) of ignored events
        self.counters = Counters()
        # Series
        self.minutes: dict[str, list[float]] = {n: [] for n in MINUTE_FIELDS}
        self.seconds = SecondSeries(SECOND_FIELDS)
        self.marks: list[tuple[float, str, str]] = []  # (ts, kind, label) for event lanes
        # Comment desk and show automation (console/fold/comments.py, console/live/automation.py)
        self.desk = CommentBook()
        self.automation = AutomationLog()

    # ---- Public API ---------------------------------------------------------
    def adopt(self, other: "SessionState") -> None:
        """Take over ``other``'s contents in place, so observers holding this object
        (the console's widgets) follow; used when a session is restored or replaced."""
        version = max(self.version, other.version) + 1
        for name, value in vars(other).items():
            setattr(self, name, value)
        self.version = version

    def apply(self, events: list[Event]) -> None:
        """Fold a batch of log events (in log order) into the state."""
        handlers = _HANDLERS
        required = p.REQUIRED_FIELDS
        for ev in events:
            if ev.seq <= self.last_seq:
                continue  # already folded (snapshot overlap, replay restart)
            self.last_seq = ev.seq
            if ev.feed_seq is not None:
                self.last_feed_seq = ev.feed_seq
            if ev.ts > self.last_ts:
                self.last_ts = ev.ts
            handler = handlers.get(ev.type)
            if handler is None:
                self.counters.unknown_types += 1
                continue
            fields_ = required.get(ev.type)
            if fields_:
                reason = p.check_fields(ev.data, fields_, ev.type)
                if reason:
                    self._problem(ev, reason)
                    continue
            try:
                handler(self, ev)
            except (TypeError, ValueError, KeyError, AttributeError) as exc:
                self._problem(ev, f"{ev.type}: {exc!r}")
        self.version += 1

    def product(self, sku: str) -> ProductState:
        prod = self.products.get(sku)
        if prod is None:
            prod = self.products[sku] = ProductState(sku=sku, title=sku)
            if sku not in self.run_of_show:
                self.run_of_show.append(sku)
        return prod

    @property
    def current_segment(self) -> Segment | None:
        seg = self.segments[-1] if self.segments else None
        return seg if seg is not None and seg.end_ts is None else None

    def next_sku(self) -> str | None:
        """The product after the current one in the run-of-show."""
        order = self.run_of_show
        if not order:
            return None
        if self.current_sku not in order:
            return order[0]
        i = order.index(self.current_sku)
        return order[i + 1] if i + 1 < len(order) else None

    def active_flash(self, sku: str | None = None) -> FlashSale | None:
        for fs in reversed(list(self.flash_sales.values())):
            if fs.ended_at is None and (sku is None or fs.sku == sku):
                return fs
        return None

    def on_air(self, sku: str, now: float | None = None) -> float:
        """Seconds the product's card has been on air, including a running segment."""
        prod = self.products.get(sku)
        total = prod.on_air_s if prod else 0.0
        seg = self.current_segment
        if seg is not None and seg.sku == sku:
            total += seg.duration(self.last_ts if now is None else now)
        return total

    def funnel_stages(self) -> dict[str, float]:
        t = self.traffic
        return {"room_impressions": t["room_impressions"], "viewers": t["viewers"],
                "product_impressions": t["product_impressions"],
                "product_clicks": t["product_clicks"], "buyers": self.buyers}

    def funnel(self) -> list[metrics.FunnelRate]:
        return metrics.funnel(self.funnel_stages())

    @property
    def gpm(self) -> float:
        return metrics.gpm(self.gmv, self.traffic["viewers"])

    @property
    def uv_value(self) -> float:
        return metrics.uv_value(self.gmv, self.traffic["viewers"])

    @property
    def average_order_value(self) -> float:
        return metrics.average_order_value(self.gmv, self.buyers)

    @property
    def view_to_pay_rate(self) -> float:
        return metrics.ratio(self.buyers, self.traffic["viewers"])

    @property
    def create_to_pay_rate(self) -> float:
        return metrics.ratio(self.orders, self.created)

    def summary(self) -> dict:
        """A small dict of headline numbers (CLI summary line, sessions table)."""
        return {"seq": self.last_seq, "feed_seq": self.last_feed_seq, "gmv": round(self.gmv, 2),
                "orders": self.orders, "units": self.units, "buyers": self.buyers,
                "online": self.traffic["online"], "peak_online": self.peak_online,
                "viewers": self.traffic["viewers"], "card": self.current_sku,
                "unknown": self.counters.unknown_types, "invalid": self.counters.invalid,
                "gaps": self.counters.gaps}

    # ---- Snapshots ------------------------------------------------------------
    def to_snapshot(self, keep: int = 100) -> dict:
        """Serialise everything needed to continue the fold (JSON-compatible).

        ``keep``: the newest entries of each history (orders, comments, cues, alerts, command
        results, gaps) to include; the recorder stores 100, a replay seek process sends all.

        Version 2 is built for speed, because the live pipeline takes one every 2000
        events on its fold thread and every replay seek decodes one: dataclasses go
        out as column names plus rows of values, the order window as a list of ids plus
        one status letter per order. The dict shares lists with the state; serialise it
        before the state changes again.
        """
        return {
            "v": SNAPSHOT_VERSION, "version": self.version, "last_seq": self.last_seq,
            "last_feed_seq": self.last_feed_seq, "last_ts": self.last_ts,
            "session": self.session, "started_at": self.started_at, "ended_at": self.ended_at,
            "plan": self.plan, "run_of_show": self.run_of_show,
            "products": _rows(ProductState, self.products.values()),
            "totals": {k: getattr(self, k) for k in _TOTALS},
            "order_status": {"ids": list(self.order_status),
                             "st": "".join(map(_STATUS_CODE.__getitem__,
                                               self.order_status.values()))},
            "recent_orders": list(islice(reversed(self.recent_orders), keep))[::-1],
            "traffic": self.traffic, "peak_online": self.peak_online,
            "current_sku": self.current_sku, "card_by": self.card_by,
            "cleared_by": self.cleared_by, "segments": _rows(Segment, self.segments),
            "per_product_counts": self.per_product_counts,
            "flash_sales": _rows(FlashSale, self.flash_sales.values()),
            "comment_count": self.comment_count,
            "recent_comments": list(islice(reversed(self.recent_comments), keep))[::-1],
            "pinned_comment": self.pinned_comment,
            "pending_commands": self.pending_commands,
            "command_results": list(self.command_results)[-keep:],
            "cue": self.cue, "cues": list(self.cues)[-keep:],
            "active_alerts": self.active_alerts, "alerts": list(self.alerts)[-keep:],
            "feed_status": self.feed_status, "gaps": self.gaps[-keep:],
            "counters": asdict(self.counters),
            "minutes": self.minutes, "seconds": self.seconds.to_json(), "marks": self.marks,
            "desk": self.desk.to_json(keep), "automation": self.automation.to_json(keep),
        }

    @classmethod
    def from_snapshot(cls, snap: dict, buyers: BuyerRegistry | None = None) -> "SessionState":
        """The state a snapshot (version 1 or 2) describes."""
        st = cls(buyers)
        st.version = snap["version"]
        st.last_seq = snap["last_seq"]
        st.last_feed_seq = snap["last_feed_seq"]
        st.last_ts = snap["last_ts"]
        st.session = snap["session"]
        st.started_at = snap["started_at"]
        st.ended_at = snap["ended_at"]
        st.plan = snap["plan"]
        st.run_of_show = list(snap["run_of_show"])
        if snap.get("v", 1) >= 2:
            products = _from_rows(ProductState, snap["products"])
            st.products = {prod.sku: prod for prod in products}
            orders, w = snap["order_status"], ORDER_WINDOW   # a wider window: its newest part
            st.order_status = dict(zip(orders["ids"][-w:],
                                       map(_STATUS_NAME.__getitem__, orders["st"][-w:])))
            st.segments = _from_rows(Segment, snap["segments"])
            st.flash_sales = {f.flash_id: f for f in _from_rows(FlashSale, snap["flash_sales"])}
        else:
            st.products = {k: ProductState(**v) for k, v in snap["products"].items()}
            st.order_status = dict(snap["order_status"][-ORDER_WINDOW:])
            st.segments = [Segment(**s) for s in snap["segments"]]
            st.flash_sales = {k: FlashSale(**v) for k, v in snap["flash_sales"].items()}
        for seg in st.segments:
            seg._buyer_keys = dict.fromkeys(seg._buyer_keys)
        if "per_product_counts" in snap:
            st.per_product_counts = bool(snap["per_product_counts"])
        else:  # written before the baselines were kept apart: one base held either counter
            st.legacy_segment_baselines = True
            st.per_product_counts = any(prod.clicks or prod.impressions
                                        for prod in st.products.values())
            for seg in st.segments:
                seg._room_click_base, seg._room_impr_base = seg._click_base, seg._impr_base
        st._order_fifo = deque(st.order_status)
        for k, v in snap["totals"].items():
            setattr(st, k, v)
        st.recent_orders.extend(tuple(o) for o in snap["recent_orders"])
        st.traffic = dict(snap["traffic"])
        st.peak_online = snap["peak_online"]
        st.current_sku = snap["current_sku"]
        seg = st.current_segment
        st.card_by = snap.get("card_by", seg.pushed_by if seg is not None else None)
        st.cleared_by = snap.get("cleared_by")
        st.comment_count = snap["comment_count"]
        st.recent_comments.extend(snap["recent_comments"])
        st.pinned_comment = snap["pinned_comment"]
        st.pending_commands = dict(snap["pending_commands"])
        st.command_results.extend(snap["command_results"])
        st.cue = snap["cue"]
        st.cues.extend(snap["cues"])
        st.active_alerts = dict(snap["active_alerts"])
        st.alerts.extend(snap["alerts"])
        st.feed_status = snap["feed_status"]
        st.gaps = list(snap["gaps"])
        st.counters = Counters(**snap["counters"])
        st.minutes = {n: list(snap["minutes"].get(n, [])) for n in MINUTE_FIELDS}
        st.seconds.load(snap["seconds"])
        st.marks = [tuple(m) for m in snap["marks"]]
        st.desk = CommentBook.from_json(snap.get("desk"), snap["recent_comments"])
        st.automation = AutomationLog.from_json(snap.get("automation"))
        return st

    # ---- Helpers ------------------------------------------------------------
    def _problem(self, ev: Event, reason: str) -> None:
        self.counters.invalid += 1
        self.problems.append((ev.seq, reason))

    def _minute(self, ts: float) -> int | None:
        if self.started_at is None:
            self.started_at = ts
        idx = int((ts - self.started_at) // 60)
        if idx < 0:
            return None
        minutes = self.minutes
        have = len(minutes["gmv"])
        if idx >= have:
            online = minutes["online"][-1] if have else 0.0
            for name in MINUTE_FIELDS:
                minutes[name].extend([online if name == "online" else 0.0] * (idx - have + 1))
        return idx

    def _add_series(self, ts: float, name: str, value: float) -> None:
        m = self._minute(ts)
        if m is not None:
            self.minutes[name][m] += value
        if name in self.seconds.names:
            s = self.seconds.bucket(int(ts))
            if s is not None:
                self.seconds.data[name][s] += value

    def _add_sale(self, ts: float, amount: float, qty: int) -> None:
        """``_add_series`` for a paid order's gmv, orders and units (one minute index and one
        second bucket instead of three of each: this runs for every paid order)."""
        m = self._minute(ts)
        if m is not None:
            minutes = self.minutes
            minutes["gmv"][m] += amount
            minutes["orders"][m] += 1
            minutes["units"][m] += qty
        seconds = self.seconds
        s = seconds.bucket(int(ts))
        if s is not None:
            data = seconds.data
            data["gmv"][s] += amount
            data["orders"][s] += 1

    def _mark(self, ts: float, kind: str, label: str) -> None:
        self.marks.append((ts, kind, label))

    def _remember_order(self, order_id: str, status: str) -> None:
        statuses = self.order_status
        n = len(statuses)
        statuses[order_id] = status
        if len(statuses) > n:  # a new order
            fifo = self._order_fifo
            fifo.append(order_id)
            if n >= ORDER_WINDOW:
                # not `del statuses[next(iter(statuses))]`: a dict keeps deleted slots at
                # its front until it resizes, so that lookup gets slower with every order
                # (quadratic once the window is full)
                statuses.pop(fifo.popleft(), None)

    # ---- Feed event handlers ---------------------------------------------------
    def _on_session_started(self, ev: Event) -> None:
        d = ev.data
        self.session.update({k: d[k] for k in ("session_id", "room", "title", "currency",
                                                "platform", "simulated") if k in d})
        started = d.get("started_at", ev.ts)
        if self.started_at is None or not self.minutes["gmv"]:
            self.started_at = float(started)
        self._mark(ev.ts, "session", "started")

    def _on_session_ended(self, ev: Event) -> None:
        self.ended_at = ev.ts
        self._close_segment(ev.ts)
        self.current_sku = None
        self._mark(ev.ts, "session", "ended")

    def _on_product_upsert(self, ev: Event) -> None:
        d = ev.data
        prod = self.product(d["sku"])
        prod.title = d["title"]
        prod.price = float(d["price"])
        prod.list_price = float(d.get("list_price") or d["price"])
        prod.image_url = d.get("image_url") or prod.image_url
        if "selling_points" in d:
            prod.selling_points = list(d["selling_points"])
        if "script" in d:
            prod.script = d["script"] or ""
        if d.get("stock") is not None:
            self._set_stock(prod, int(d["stock"]), ev.ts)

    def _on_order_created(self, ev: Event) -> None:
        oid = ev.data["order_id"]
        if oid in self.order_status:
            self.counters.duplicate_orders += 1
            return
        self._remember_order(oid, "created")
        self.created += 1
        self.recent_orders.append((ev.seq, ev.ts, "created", ev.data))

    def _on_order_paid(self, ev: Event) -> None:
        d = ev.data
        oid = d["order_id"]
        status = self.order_status.get(oid)
        if status == "paid" or status == "refunded":
            self.counters.duplicate_orders += 1
            return
        if status == "cancelled":
            self.counters.bad_transitions += 1
            return
        # everything that can fail on odd input first: an event is applied fully or not at all
        sku, qty, amount, ts = d["sku"], d["qty"], float(d["amount"]), ev.ts
        buyer_key, buyer_sku_key = paid_order_keys(d)
        buyer = buyer_key[2:]
        flash_id = d.get("flash_id")
        flash = self.flash_sales.get(flash_id) if isinstance(flash_id, str) else None
        if status is None:
            self.created += 1  # paid without a created event: count it created too
        self._remember_order(oid, "paid")
        self.gmv += amount
        self.orders += 1
        self.units += qty
        registry = self.buyers_registry
        if registry.first(buyer_key, ev.seq):
            self.buyers += 1
        prod = self.product(sku)
        prod.orders += 1
        prod.units += qty
        prod.gmv += amount
        sku_first = registry.first(buyer_sku_key, ev.seq)
        if sku_first:
            prod.buyers += 1
        # exponentially averaged sell rate (units per second)
        if prod.rate_ts:
            prod.rate *= math.exp(-max(0.0, ts - prod.rate_ts) / SELL_RATE_TAU)
        prod.rate += qty / SELL_RATE_TAU
        prod.rate_ts = ts
        seg = self.current_segment
        if seg is not None:
            seg.room_gmv += amount
            if seg.sku == sku:
                seg.orders += 1
                seg.units += qty
                seg.gmv += amount
                seen = seg._buyer_keys
                if buyer not in seen:
                    seen[buyer] = None
                    seg.buyers += 1
        if flash is not None:
            flash.sold += qty
        self.recent_orders.append((ev.seq, ts, "paid", d))
        self._add_sale(ts, amount, qty)

    def _on_order_cancelled(self, ev: Event) -> None:
        oid = ev.data["order_id"]
        status = self.order_status.get(oid)
        if status == "cancelled":
            self.counters.duplicate_orders += 1
            return
        if status in ("paid", "refunded"):
            self.counters.bad_transitions += 1
            return
        self._remember_order(oid, "cancelled")
        self.cancelled += 1
        self.recent_orders.append((ev.seq, ev.ts, "cancelled", ev.data))

    def _on_order_refunded(self, ev: Event) -> None:
        d = ev.data
        oid = d["order_id"]
        status = self.order_status.get(oid)
        if status == "refunded":
            self.counters.duplicate_orders += 1
            return
        if status in ("created", "cancelled"):
            self.counters.bad_transitions += 1
            return
        self._remember_order(oid, "refunded")
        amount = float(d["amount"])
        self.refunds += 1
        self.refund_amount += amount
        prod = self.product(d["sku"])
        prod.refunds += 1
        prod.refund_amount += amount
        seg = self.current_segment
        if seg is not None and seg.sku == d["sku"]:
            seg.refunds += 1
        self.recent_orders.append((ev.seq, ev.ts, "refunded", d))
        self._add_series(ev.ts, "refunds", amount)

    def _on_inventory_set(self, ev: Event) -> None:
        prod = self.product(ev.data["sku"])
        self._set_stock(prod, ev.data["available"], ev.ts)

    def _set_stock(self, prod: ProductState, available: int, ts: float) -> None:
        available = max(0, int(available))
        if prod.stock_initial is None:
            prod.stock_initial = available
        prod.stock_max = max(prod.stock_max, available)
        was = prod.stock
        prod.stock = available
        if available == 0 and (was is None or was > 0):
            prod.sold_out_at = ts
            self._mark(ts, "stockout", prod.title)
        elif available > 0:
            prod.sold_out_at = None

    def card_pusher(self, ev: Event, command: str) -> str:
        """Who did a card or flash-sale event: ``operator`` (this console's command, or a feed
        that says ``by: operator``), ``automation`` (a platform rule), ``simulator`` (the
        simulator's autopilot) or ``platform`` (done outside Livedesk, in the platform's tools)."""
        by = ev.data.get("by")
        if by == "operator":
            return "operator"
        if by == "autopilot":
            return "simulator"
        if by in ("automation", "platform"):
            return by
        sku = ev.data.get("sku")
        for cmd in self.pending_commands.values():   # sent here, not acknowledged yet
            if cmd.get("name") == command and (command == p.CMD_CARD_CLEAR
                                               or (cmd.get("args") or {}).get("sku") == sku):
                return "operator"
        return "simulator" if self.session.get("simulated") else "platform"

    def _on_card_pushed(self, ev: Event) -> None:
        sku = ev.data["sku"]
        seg = self.current_segment
        self.card_by = self.card_pusher(ev, p.CMD_CARD_PUSH)
        if seg is not None and seg.sku == sku:
            seg.repops += 1  # re-popping the same card keeps the segment going
            return
        self._close_segment(ev.ts)
        prod = self.product(sku)
        prod.explanations += 1
        t = self.traffic
        # Both baselines are kept: which one counts is decided per tick by whether the feed
        # carries per-product counts at all, never by whether this product's are still zero
        # (a product pushed before its first impression would otherwise get the room's
        # counters as its baseline and negative clicks once its own counters rise).
        new = Segment(index=len(self.segments), sku=sku, start_seq=ev.seq, start_ts=ev.ts,
                      _click_base=prod.clicks, _impr_base=prod.impressions,
                      _views_base=t["viewers"], _room_click_base=t["product_clicks"],
                      _room_impr_base=t["product_impressions"], pushed_by=self.card_by)
        self.segments.append(new)
        self.current_sku = sku
        self._mark(ev.ts, "card", prod.title)

    def _on_card_cleared(self, ev: Event) -> None:
        if self._close_segment(ev.ts):
            self._mark(ev.ts, "card_clear", "")
        self.current_sku = None
        self.card_by = None
        self.cleared_by = self.card_pusher(ev, p.CMD_CARD_CLEAR)

    def _close_segment(self, ts: float) -> bool:
        seg = self.current_segment
        if seg is None:
            return False
        seg.end_ts = ts
        seg._buyer_keys = {}
        self.product(seg.sku).on_air_s += seg.duration(ts)
        return True

    def _on_flash_started(self, ev: Event) -> None:
        d = ev.data
        fs = FlashSale(flash_id=d["flash_id"], sku=d["sku"], deal_price=float(d["deal_price"]),
                       stock=d["stock"], started_at=ev.ts, ends_at=float(d["ends_at"]))
        self.flash_sales[fs.flash_id] = fs
        self._mark(ev.ts, "flash", self.product(fs.sku).title)

    def _on_flash_ended(self, ev: Event) -> None:
        fs = self.flash_sales.get(ev.data["flash_id"])
        if fs is None or fs.ended_at is not None:
            self.counters.bad_transitions += 1
            return
        fs.ended_at = ev.ts
        fs.reason = ev.data.get("reason", "")
        if "sold" in ev.data and isinstance(ev.data["sold"], int):
            fs.sold = ev.data["sold"]
        self._mark(ev.ts, "flash_end", self.product(fs.sku).title)

    def _on_traffic_tick(self, ev: Event) -> None:
        d = ev.data
        t = self.traffic
        prev_viewers, prev_clicks, prev_impr = t["viewers"], t["product_clicks"], t["product_impressions"]
        prev_comments = t["comments"]
        for key in TRAFFIC_KEYS:
            value = d.get(key)
            if type(value) is int and value >= 0:
                t[key] = value if key == "online" else max(t[key], value)
        online = t["online"]
        if online > self.peak_online:
            self.peak_online = online
        ts = ev.ts
        m = self._minute(ts)
        if m is not None:
            mins = self.minutes
            mins["online"][m] = online
            mins["entering"][m] += t["viewers"] - prev_viewers
            mins["clicks"][m] += t["product_clicks"] - prev_clicks
            mins["impressions"][m] += t["product_impressions"] - prev_impr
            mins["comments"][m] += t["comments"] - prev_comments
        s = self.seconds.bucket(int(ts))
        if s is not None:
            self.seconds.data["online"][s] = online
            self.seconds.data["clicks"][s] += t["product_clicks"] - prev_clicks
        by_sku = d.get("by_sku")
        if isinstance(by_sku, dict):
            self.per_product_counts = True
            for sku, counts in by_sku.items():
                if isinstance(counts, dict):
                    prod = self.product(sku)
                    prod.impressions = max(prod.impressions, int(counts.get("impressions", 0) or 0))
                    prod.clicks = max(prod.clicks, int(counts.get("clicks", 0) or 0))
        seg = self.current_segment
        if seg is not None:
            # increases since the push; never below 0 (a feed snapshot may set counters back)
            if self.per_product_counts:
                prod = self.products[seg.sku]
                seg.clicks = max(0, prod.clicks - seg._click_base)
                seg.impressions = max(0, prod.impressions - seg._impr_base)
            else:
                seg.clicks = max(0, t["product_clicks"] - seg._room_click_base)
                seg.impressions = max(0, t["product_impressions"] - seg._room_impr_base)
            seg.views = max(0, t["viewers"] - seg._views_base)

    def _on_comment(self, ev: Event) -> None:
        self.comment_count += 1
        d = ev.data
        self.recent_comments.append({"seq": ev.seq, "ts": ev.ts, "id": d.get("comment_id", ""),
                                     "nick": d["nick"], "text": d["text"]})

    def _on_comment_pinned(self, ev: Event) -> None:
        cid = ev.data["comment_id"]
        found = next((c for c in reversed(self.recent_comments) if c["id"] == cid), None)
        self.pinned_comment = found or {"id": cid, "nick": "", "text": ev.data.get("text", "")}

    # ---- Local event handlers ------------------------------------------------
    def _on_plan_loaded(self, ev: Event) -> None:
        plan = ev.data.get("plan")
        if not isinstance(plan, dict):
            raise ValueError("plan.loaded without a plan object")
        self.plan = plan
        order = [prod["sku"] for prod in plan.get("products", []) if isinstance(prod, dict)]
        extra = [s for s in self.run_of_show if s not in order]
        self.run_of_show = order + extra
        for prod in plan.get("products", []):
            ps = self.product(prod["sku"])
            if ps.title == ps.sku:
                ps.title = prod.get("title", ps.sku)
                ps.price = float(prod.get("price", 0.0))
                ps.list_price = float(prod.get("list_price", ps.price))

    def _on_operator_command(self, ev: Event) -> None:
        d = ev.data
        self.pending_commands[d["command_id"]] = {"name": d["name"], "args": d.get("args", {}),
                                                 "ts": ev.ts}

    def _on_operator_result(self, ev: Event) -> None:
        d = ev.data
        cmd = self.pending_commands.pop(d.get("command_id"), None)
        ok = ev.type == p.OPERATOR_ACK
        self.command_results.append({"command_id": d.get("command_id"), "ok": ok, "ts": ev.ts,
                                     "name": (cmd or {}).get("name", d.get("name", "")),
                                     "message": d.get("message", "")})
        if not ok:
            self._mark(ev.ts, "operator_error", d.get("message", ""))

    def _on_operator_reorder(self, ev: Event) -> None:
        order = ev.data.get("order")
        if not isinstance(order, list) or not all(isinstance(s, str) for s in order):
            raise ValueError("operator.reorder needs a list of SKUs")
        known = [s for s in order if s in self.products or s in self.run_of_show]
        rest = [s for s in self.run_of_show if s not in known]
        self.run_of_show = known + rest
        self._mark(ev.ts, "operator", "reorder")

    def _on_operator_cue(self, ev: Event) -> None:
        cue = {"seq": ev.seq, "ts": ev.ts, "text": ev.data.get("text", ""),
               "kind": ev.data.get("kind", "free"), "acked_at": None}
        self.cue = cue
        self.cues.append(cue)
        self._mark(ev.ts, "cue", cue["text"])

    def _on_operator_cue_ack(self, ev: Event) -> None:
        if self.cue is not None and ev.data.get("cue_seq") in (None, self.cue["seq"]):
            self.cue = dict(self.cue, acked_at=ev.ts)

    def _on_operator_script_edit(self, ev: Event) -> None:
        """The operator edited a product's cue card or script in the console.

        The plan is replaced (not mutated), so observers keyed on it re-render and
        a snapshot taken before the edit keeps the old text.
        """
        d = ev.data
        sku = d["sku"]
        card = d.get("cue_card")
        script = d.get("script")
        if card is not None and not isinstance(card, dict):
            raise ValueError("operator.script_edit: cue_card must be an object")
        if script is not None and not isinstance(script, str):
            raise ValueError("operator.script_edit: script must be a string")
        plan = dict(self.plan or {})
        products = [dict(prod) if isinstance(prod, dict) else prod
                    for prod in plan.get("products") or []]
        entry = next((prod for prod in products
                      if isinstance(prod, dict) and prod.get("sku") == sku), None)
        if entry is None:
            entry = {"sku": sku, "title": self.product(sku).title or sku}
            products.append(entry)
        if card is not None:
            merged = dict(entry.get("cue_card") or {})
            merged.update({k: [str(x) for x in v] for k, v in card.items() if isinstance(v, list)})
            entry["cue_card"] = merged
        if script is not None:
            entry["script"] = script
        plan["products"] = products
        self.plan = plan
        prod = self.product(sku)
        if card is not None and "selling_points" in entry.get("cue_card", {}):
            prod.selling_points = list(entry["cue_card"]["selling_points"])
        if script is not None:
            prod.script = script
        self._mark(ev.ts, "script_edit", sku)

    def _on_plan_product_upserted(self, ev: Event) -> None:
        """The operator added or changed a product of the plan during the show (plan editor).

        ``product`` is the whole plan entry (validated by the editor); an entry with that SKU
        is replaced, a new one is appended (or put at ``index``). The plan is replaced, not
        mutated, as for ``operator.script_edit``.
        """
        entry = dict(ev.data["product"])
        sku = entry.get("sku")
        if not isinstance(sku, str) or not sku or not isinstance(entry.get("title", ""), str):
            raise ValueError("plan.product_upserted: product needs a text sku and title")
        plan = dict(self.plan or {})
        products = [prod for prod in plan.get("products") or []
                    if not (isinstance(prod, dict) and prod.get("sku") == sku)]
        old = next((i for i, prod in enumerate(plan.get("products") or [])
                    if isinstance(prod, dict) and prod.get("sku") == sku), None)
        index = ev.data.get("index")
        at = old if old is not None else (index if type(index) is int and index >= 0 else len(products))
        products.insert(min(at, len(products)), entry)
        plan["products"] = products
        self.plan = plan
        new = sku not in self.products
        prod = self.product(sku)
        prod.title = str(entry.get("title") or prod.title)
        if isinstance(entry.get("price"), (int, float)):
            prod.price = float(entry["price"])
            prod.list_price = float(entry.get("list_price") or entry["price"])
        prod.image_url = str(entry.get("image_url") or prod.image_url)
        card = entry.get("cue_card") if isinstance(entry.get("cue_card"), dict) else {}
        if isinstance(card.get("selling_points"), list):
            prod.selling_points = [str(x) for x in card["selling_points"]]
        if isinstance(entry.get("script"), str):
            prod.script = entry["script"]
        if new and old is None and type(index) is int and 0 <= index < len(self.run_of_show) - 1:
            self.run_of_show.remove(sku)
            self.run_of_show.insert(index, sku)
        self._mark(ev.ts, "plan_edit", sku)

    def _on_alert_raised(self, ev: Event) -> None:
        alert = dict(ev.data, seq=ev.seq, ts=ev.ts)
        self.active_alerts[ev.data.get("key", ev.data.get("kind", "alert"))] = alert
        self.alerts.append(alert)
        self._mark(ev.ts, "alert", ev.data.get("message", ""))

    def _on_alert_cleared(self, ev: Event) -> None:
        self.active_alerts.pop(ev.data.get("key", ""), None)

    def _on_feed_status(self, ev: Event) -> None:
        self.feed_status = dict(ev.data, ts=ev.ts)

    def _on_feed_gap(self, ev: Event) -> None:
        d = ev.data
        self.counters.gaps += 1
        first, last = int(d.get("from", 0)), int(d.get("to", 0))
        self.counters.missed_feed_events += max(0, last - first + 1)
        self.gaps.append({"seq": ev.seq, "ts": ev.ts, "from": first, "to": last,
                          "reason": d.get("reason", "")})
        self._mark(ev.ts, "gap", f"{first}-{last}")

    def _on_feed_invalid(self, ev: Event) -> None:
        """A feed event kept in the log but not folded (docs/protocol.md): count it."""
        self._problem(ev, str(ev.data.get("reason", "invalid feed event")))

    def _on_feed_snapshot(self, ev: Event) -> None:
        """Adopt the feed's absolute state after a resume it could not replay."""
        d = ev.data
        self.counters.snapshots += 1
        for prod in d.get("products", []):
            ps = self.product(prod["sku"])
            ps.title = prod.get("title", ps.title)
            ps.price = float(prod.get("price", ps.price))
            if prod.get("stock") is not None:
                self._set_stock(ps, int(prod["stock"]), ev.ts)
        for key, value in (d.get("traffic") or {}).items():
            if key in self.traffic and type(value) is int:
                self.traffic[key] = value
        card = d.get("current_sku")
        if card != self.current_sku:
            if card:
                self._on_card_pushed(Event(ev.seq, ev.ts, p.CARD_PUSHED, {"sku": card}))
            else:
                self._on_card_cleared(ev)
        totals = d.get("totals") or {}
        # Orders missed in the gap: adopt the feed's totals where they are ahead.
        if isinstance(totals.get("gmv"), (int, float)) and totals["gmv"] > self.gmv:
            self._add_series(ev.ts, "gmv", totals["gmv"] - self.gmv)
            self.gmv = float(totals["gmv"])
        for key in ("orders", "units", "buyers"):
            if type(totals.get(key)) is int and totals[key] > getattr(self, key):
                setattr(self, key, totals[key])
        self._mark(ev.ts, "gap", "snapshot")


# ---- Comment desk and automation (kept together: console/fold/comments.py, console/live/automation.py) ----
def _desk_comment(st: SessionState, ev: Event) -> None:
    SessionState._on_comment(st, ev)
    st.desk.on_comment(ev.seq, ev.ts, ev.data, st._minute(ev.ts))


def _desk_comment_sent(st: SessionState, ev: Event) -> None:
    row = st.desk.on_sent(ev.seq, ev.ts, ev.data, st._minute(ev.ts))
    st._mark(ev.ts, "reply" if row.get("reply_to") else "message", row["text"])


def _desk_order_created(st: SessionState, ev: Event) -> None:
    SessionState._on_order_created(st, ev)
    st.desk.on_order(ev.data, paid=False)


def _desk_order_paid(st: SessionState, ev: Event) -> None:
    SessionState._on_order_paid(st, ev)
    st.desk.on_order(ev.data, paid=True)


def _automation_state(st: SessionState, ev: Event) -> None:
    st.automation.on_state(ev.ts, ev.data)
    st._mark(ev.ts, "automation", st.automation.label())


def _automation_config(st: SessionState, ev: Event) -> None:
    st.automation.on_config(ev.ts, ev.data)
    if isinstance(st.plan, dict):   # replaced, not mutated: saving the plan keeps the edit
        st.plan = dict(st.plan, automation=st.automation.config)


def _automation_action(st: SessionState, ev: Event) -> None:
    st.automation.on_action(ev.seq, ev.ts, ev.data)
    st._mark(ev.ts, "automation", str(ev.data.get("text") or ev.data.get("kind", "")))


def _automation_blocked(st: SessionState, ev: Event) -> None:
    st.automation.on_blocked(ev.seq, ev.ts, ev.data)


_DESK_HANDLERS: dict[str, Callable[[SessionState, Event], None]] = {
    p.COMMENT: _desk_comment,
    p.COMMENT_SENT: _desk_comment_sent,
    p.ORDER_CREATED: _desk_order_created,
    p.ORDER_PAID: _desk_order_paid,
    p.AUTOMATION_STATE: _automation_state,
    p.AUTOMATION_CONFIG: _automation_config,
    p.AUTOMATION_ACTION: _automation_action,
    p.AUTOMATION_BLOCKED: _automation_blocked,
}


#: Event type -> fold handler. A class-level table, not bound methods on each instance: a
#: state then holds no reference cycle and a replaced one (every replay seek) is freed at
#: once instead of waiting for the garbage collector.
_HANDLERS: dict[str, Callable[[SessionState, Event], None]] = {
    p.SESSION_STARTED: SessionState._on_session_started,
    p.SESSION_ENDED: SessionState._on_session_ended,
    p.PRODUCT_UPSERT: SessionState._on_product_upsert,
    p.ORDER_CREATED: SessionState._on_order_created,
    p.ORDER_PAID: SessionState._on_order_paid,
    p.ORDER_CANCELLED: SessionState._on_order_cancelled,
    p.ORDER_REFUNDED: SessionState._on_order_refunded,
    p.INVENTORY_SET: SessionState._on_inventory_set,
    p.CARD_PUSHED: SessionState._on_card_pushed,
    p.CARD_CLEARED: SessionState._on_card_cleared,
    p.FLASH_STARTED: SessionState._on_flash_started,
    p.FLASH_ENDED: SessionState._on_flash_ended,
    p.TRAFFIC_TICK: SessionState._on_traffic_tick,
    p.COMMENT: SessionState._on_comment,
    p.COMMENT_PINNED: SessionState._on_comment_pinned,
    p.PLAN_LOADED: SessionState._on_plan_loaded,
    p.OPERATOR_COMMAND: SessionState._on_operator_command,
    p.OPERATOR_ACK: SessionState._on_operator_result,
    p.OPERATOR_ERROR: SessionState._on_operator_result,
    p.OPERATOR_REORDER: SessionState._on_operator_reorder,
    p.OPERATOR_CUE: SessionState._on_operator_cue,
    p.OPERATOR_CUE_ACK: SessionState._on_operator_cue_ack,
    p.OPERATOR_SCRIPT_EDIT: SessionState._on_operator_script_edit,
    p.PLAN_PRODUCT_UPSERTED: SessionState._on_plan_product_upserted,
    p.ALERT_RAISED: SessionState._on_alert_raised,
    p.ALERT_CLEARED: SessionState._on_alert_cleared,
    p.FEED_STATUS: SessionState._on_feed_status,
    p.FEED_GAP: SessionState._on_feed_gap,
    p.FEED_INVALID: SessionState._on_feed_invalid,
    p.FEED_SNAPSHOT: SessionState._on_feed_snapshot,
}
_HANDLERS.update(_DESK_HANDLERS)


def paid_order_keys(data: dict) -> tuple[str, str]:
    """The buyer-registry keys an ``order.paid`` asks about: the buyer (distinct paying
    buyers) and the buyer with the SKU (distinct buyers per product). Replay loads the
    first purchases of exactly these keys, so both must come from here."""
    buyer = buyer_id(data.get("buyer")) or f"order:{data.get('order_id')}"
    return "b:" + buyer, f"b:{buyer}|{data.get('sku')}"




SNAPSHOT_VERSION = 2
_STATUS_CODE = {"created": "c", "paid": "p", "cancelled": "x", "refunded": "r"}
_STATUS_NAME = {v: k for k, v in _STATUS_CODE.items()}


def _rows(cls: type, objs: Iterable) -> dict:
    """Dataclass instances as {"cols": field names, "rows": [[values...], ...]}."""
    names = _FIELD_NAMES[cls]
    rows = [[getattr(o, n) for n in names] for o in objs]
    if cls is Segment:  # the open segment's buyers: an ordered set, stored as a list
        k = names.index("_buyer_keys")
        for row in rows:
            row[k] = list(row[k])
    return {"cols": names, "rows": rows}


def _from_rows(cls: type, table: dict) -> list:
    cols = table["cols"]
    return [cls(**dict(zip(cols, row))) for row in table["rows"]]


_TOTALS = ("gmv", "orders", "units", "buyers", "created", "cancelled", "refunds", "refund_amount",
           "comment_count")

_FIELD_NAMES = {cls: [f.name for f in fields(cls)] for cls in (ProductState, Segment, FlashSale)}

__all__ = ["SessionState", "ProductState", "Segment", "FlashSale", "MemoryBuyers",
           "IndexedBuyers", "BuyerRegistry", "SECOND_WINDOW", "MINUTE_FIELDS", "fields"]
