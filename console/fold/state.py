"""Session state: a pure fold over the session log.

``SessionState.apply(events)`` is the only way state changes. Live view,
replay, reports and tests all fold the same log through this code. The fold
never raises on bad input: unknown types and malformed events are counted
and ignored (they stay in the log).

The state is one object made of parts, one per concern (see :mod:`console.fold`); readers use
the state's own attributes (``state.gmv``, ``state.segments``, ``state.desk`` ...), which are
the parts' attributes under the same names. State is bounded: per-second series keep the last
``SECOND_WINDOW`` seconds, order statuses keep a window of recent orders, comment/alert/cue
histories are capped. Everything else grows with the plan (products, segments, minutes).
``to_snapshot``/``from_snapshot`` serialise it for the recorder's periodic snapshots so a
replay can start anywhere.
"""

from __future__ import annotations

from operator import attrgetter
from typing import Any, Iterator

from console.core import metrics, protocol as p
from console.core.eventlog import Event
from console.fold import (catalog, comment_fold, feed_meta, flash, operator, orders, segments,
                          snapshot, traffic)
from console.fold.catalog import Catalog, ProductState
from console.fold.comment_fold import Comments
from console.fold.feed_meta import Counters, FeedMeta
from console.fold.flash import FlashSale, FlashSales
from console.fold.operator import Operator
from console.fold.orders import (BuyerRegistry, IndexedBuyers, MemoryBuyers, OrderBook,
                                 paid_order_keys)
from console.fold.parts import HISTORY, Handler, Part
from console.fold.segments import CardSegments, Segment, card_pusher
from console.fold.timeline import MINUTE_FIELDS, SECOND_WINDOW, SecondSeries, Timeline
from console.fold.traffic import Audience, funnel, funnel_stages


def _handlers(*tables: dict[str, Handler]) -> dict[str, Handler]:
    out: dict[str, Handler] = {}
    for table in tables:
        taken = out.keys() & table.keys()
        if taken:
            raise RuntimeError(f"event types folded twice: {sorted(taken)}")
        out.update(table)
    return out


#: Event type -> fold handler ``(state, event)``. A module-level table, not bound methods on
#: each instance: a state then holds no reference cycle and a replaced one (every replay
#: seek) is freed at once instead of waiting for the garbage collector.
HANDLERS = _handlers(feed_meta.HANDLERS, catalog.HANDLERS, orders.HANDLERS, traffic.HANDLERS,
                     segments.HANDLERS, flash.HANDLERS, comment_fold.HANDLERS,
                     operator.HANDLERS)


#: One quick field check: (name, the exact types accepted, minimum or None).
FieldCheck = tuple[str, frozenset[type], "int | None"]


def _field_checks(required: dict[str, tuple[type, ...]]) -> tuple[FieldCheck, ...]:
    """:func:`console.core.protocol.check_fields` as quick checks (exact types only: a
    subclass, a bool or NaN falls through to the full check)."""
    return tuple((name, frozenset(types) - {bool}, p.FIELD_MINIMUMS.get(name))
                 for name, types in required.items())


#: Event type -> (handler, quick field checks) for ``apply``: one lookup per event.
_DISPATCH: dict[str, tuple[Handler, tuple[FieldCheck, ...]]] = {
    type_: (handler, _field_checks(p.REQUIRED_FIELDS.get(type_) or {}))
    for type_, handler in HANDLERS.items()}


def _part(part: str, name: str) -> Any:
    """The state's attribute ``name`` is the part's attribute of that name."""
    def set_(st: SessionState, value: Any) -> None:
        setattr(getattr(st, part), name, value)
    return property(attrgetter(f"{part}.{name}"), set_, doc=f"``{part}.{name}``")


class SessionState:
    """Everything the console, the prompt panel and the review show."""

    #: the parts, in snapshot order (attribute names)
    PARTS = ("feed_meta", "timeline", "catalog", "order_book", "audience", "card", "flash",
             "comments", "operator")

    def __init__(self, buyers: BuyerRegistry | None = None) -> None:
        self.version = 0            # increments on every applied batch (widgets poll it)
        self.last_seq = 0
        self.last_feed_seq = 0
        self.last_ts = 0.0
        self.feed_meta = FeedMeta()
        self.timeline = Timeline()
        self.catalog = Catalog()
        self.order_book = OrderBook(buyers)
        self.audience = Audience()
        self.card = CardSegments()
        self.flash = FlashSales()
        self.comments = Comments()
        self.operator = Operator()

    # ---- The parts' attributes ------------------------------------------------------------
    session = _part("feed_meta", "session")
    ended_at = _part("feed_meta", "ended_at")
    feed_status = _part("feed_meta", "feed_status")
    gaps = _part("feed_meta", "gaps")
    problems = _part("feed_meta", "problems")
    counters = _part("feed_meta", "counters")
    started_at = _part("timeline", "started_at")
    minutes = _part("timeline", "minutes")
    seconds = _part("timeline", "seconds")
    marks = _part("timeline", "marks")
    products = _part("catalog", "products")
    run_of_show = _part("catalog", "run_of_show")
    buyers_registry = _part("order_book", "buyers_registry")
    gmv = _part("order_book", "gmv")
    orders = _part("order_book", "orders")
    units = _part("order_book", "units")
    buyers = _part("order_book", "buyers")
    created = _part("order_book", "created")
    cancelled = _part("order_book", "cancelled")
    refunds = _part("order_book", "refunds")
    refund_amount = _part("order_book", "refund_amount")
    order_status = _part("order_book", "order_status")
    recent_orders = _part("order_book", "recent_orders")
    traffic = _part("audience", "traffic")
    peak_online = _part("audience", "peak_online")
    per_product_counts = _part("audience", "per_product_counts")
    current_sku = _part("card", "current_sku")
    card_by = _part("card", "card_by")
    cleared_by = _part("card", "cleared_by")
    segments = _part("card", "segments")
    legacy_segment_baselines = _part("card", "legacy_segment_baselines")
    flash_sales = _part("flash", "flash_sales")
    comment_count = _part("comments", "comment_count")
    recent_comments = _part("comments", "recent_comments")
    pinned_comment = _part("comments", "pinned_comment")
    desk = _part("comments", "desk")
    plan = _part("operator", "plan")
    pending_commands = _part("operator", "pending_commands")
    command_results = _part("operator", "command_results")
    cue = _part("operator", "cue")
    cues = _part("operator", "cues")
    active_alerts = _part("operator", "active_alerts")
    alerts = _part("operator", "alerts")
    automation = _part("operator", "automation")

    # ---- Public API ---------------------------------------------------------
    def parts(self) -> Iterator[Part]:
        return (getattr(self, name) for name in self.PARTS)

    def adopt(self, other: "SessionState") -> None:
        """Take over ``other``'s contents in place, so observers holding this object
        (the console's widgets) follow; used when a session is restored or replaced."""
        version = max(self.version, other.version) + 1
        for name, value in vars(other).items():
            setattr(self, name, value)
        self.version = version

    def apply(self, events: list[Event]) -> None:
        """Fold a batch of log events (in log order) into the state."""
        dispatch = _DISPATCH
        last_seq, last_feed_seq, last_ts = self.last_seq, self.last_feed_seq, self.last_ts
        try:
            for ev in events:
                seq = ev.seq
                if seq <= last_seq:
                    continue  # already folded (snapshot overlap, replay restart)
                last_seq = seq
                if ev.feed_seq is not None:
                    last_feed_seq = ev.feed_seq
                if ev.ts > last_ts:
                    last_ts = ev.ts
                entry = dispatch.get(ev.type)
                if entry is None:
                    self.feed_meta.counters.unknown_types += 1
                    continue
                handler, checks = entry
                if checks:
                    # the quick check passes what protocol.check_fields passes for the
                    # exact types a decoder gives; anything else gets the full check
                    data = ev.data
                    fits = type(data) is dict
                    if fits:
                        for name, exact, low in checks:
                            value = data.get(name)
                            if type(value) not in exact or (low is not None and not value >= low):  # type: ignore[operator]  # type(value) is one of the exact number types here
                                fits = False
                                break
                    if not fits:
                        reason = p.check_fields(data, p.REQUIRED_FIELDS[ev.type], ev.type)
                        if reason:
                            self.feed_meta.problem(ev, reason)
                            continue
                try:
                    handler(self, ev)
                except (TypeError, ValueError, KeyError, AttributeError) as exc:
                    self.feed_meta.problem(ev, f"{ev.type}: {exc!r}")
        finally:
            self.last_seq, self.last_feed_seq, self.last_ts = last_seq, last_feed_seq, last_ts
        self.version += 1

    def product(self, sku: str) -> ProductState:
        return self.catalog.product(sku)

    @property
    def current_segment(self) -> Segment | None:
        return self.card.current_segment

    def next_sku(self) -> str | None:
        """The product after the current one in the run-of-show."""
        order = self.catalog.run_of_show
        if not order:
            return None
        current = self.card.current_sku
        if current not in order:
            return order[0]
        i = order.index(current)
        return order[i + 1] if i + 1 < len(order) else None

    def active_flash(self, sku: str | None = None) -> FlashSale | None:
        return self.flash.active(sku)

    def on_air(self, sku: str, now: float | None = None) -> float:
        """Seconds the product's card has been on air, including a running segment."""
        prod = self.catalog.products.get(sku)
        total = prod.on_air_s if prod else 0.0
        seg = self.card.current_segment
        if seg is not None and seg.sku == sku:
            total += seg.duration(self.last_ts if now is None else now)
        return total

    def card_pusher(self, ev: Event, command: str) -> str:
        """Who did a card or flash-sale event (see :func:`console.fold.segments.card_pusher`)."""
        return card_pusher(self, ev, command)

    def funnel_stages(self) -> dict[str, float]:
        return funnel_stages(self.audience.traffic, self.order_book.buyers)

    def funnel(self) -> list[metrics.FunnelRate]:
        return funnel(self.audience.traffic, self.order_book.buyers)

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
        counters = self.counters
        return {"seq": self.last_seq, "feed_seq": self.last_feed_seq, "gmv": round(self.gmv, 2),
                "orders": self.orders, "units": self.units, "buyers": self.buyers,
                "online": self.traffic["online"], "peak_online": self.peak_online,
                "viewers": self.traffic["viewers"], "card": self.current_sku,
                "unknown": counters.unknown_types, "invalid": counters.invalid,
                "gaps": counters.gaps}

    # ---- Snapshots ------------------------------------------------------------
    def to_snapshot(self, keep: int = 100) -> dict:
        """Serialise everything needed to continue the fold (JSON-compatible; see
        :mod:`console.fold.snapshot`). ``keep``: the newest entries of each history to
        include. Shares containers with the state: serialise it before the state changes."""
        return snapshot.encode(self, keep)

    @classmethod
    def from_snapshot(cls, snap: dict, buyers: BuyerRegistry | None = None) -> "SessionState":
        """The state a snapshot (version 1 or 2) describes."""
        return snapshot.decode(cls, snap, buyers)


__all__ = ["SessionState", "ProductState", "Segment", "FlashSale", "MemoryBuyers",
           "IndexedBuyers", "BuyerRegistry", "Counters", "SecondSeries", "paid_order_keys",
           "HISTORY", "SECOND_WINDOW", "MINUTE_FIELDS", "HANDLERS"]
