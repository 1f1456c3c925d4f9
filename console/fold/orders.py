"""Orders: the session's sales totals, the status of recent orders (for duplicate and
transition checks), the order ticker's recent orders, and distinct buyers.

Handles ``order.created``, ``order.paid``, ``order.cancelled`` and ``order.refunded``. A paid
order also adds to its product, the open segment, its flash sale and the series; every order
tells the comment desk that its buyer ordered (comment_fold.py)."""

from __future__ import annotations

import math
from collections import deque
from itertools import islice
from typing import TYPE_CHECKING, Protocol

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.catalog import SELL_RATE_TAU
from console.fold.comments import order_buyer
from console.fold.parts import HISTORY, Handler

if TYPE_CHECKING:
    from console.fold.state import SessionState

#: Order statuses kept for duplicate and transition checks (the most recent orders). Snapshots
#: store the whole window, so a replay started from a snapshot sees exactly the orders the live
#: fold saw at that point and both treat every later event the same way.
ORDER_WINDOW = 20_000
TOTALS = ("gmv", "orders", "units", "buyers", "created", "cancelled", "refunds", "refund_amount")
#: An order's status in the order window: one letter, as snapshots store it (a snapshot joins
#: the window's 20,000 statuses into one string in C).
CREATED, PAID, CANCELLED, REFUNDED = "c", "p", "x", "r"
STATUS_CODE = {"created": CREATED, "paid": PAID, "cancelled": CANCELLED, "refunded": REFUNDED}
_CODES = frozenset(STATUS_CODE.values())


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


def paid_order_keys(data: dict) -> tuple[str, str]:
    """The buyer-registry keys an ``order.paid`` asks about: the buyer (distinct paying
    buyers) and the buyer with the SKU (distinct buyers per product). Replay loads the
    first purchases of exactly these keys, so both must come from here."""
    return buyer_keys(order_buyer(data), data)


def buyer_keys(bid: str | None, data: dict) -> tuple[str, str]:
    """:func:`paid_order_keys` with the order's buyer id already read (:func:`order_buyer`)."""
    buyer = bid or f"order:{data.get('order_id')}"
    return "b:" + buyer, f"b:{buyer}|{data.get('sku')}"


class OrderBook:
    """Sales totals, the order window and the recent orders."""

    def __init__(self, buyers: BuyerRegistry | None = None) -> None:
        #: distinct buyers (not snapshotted: live sessions bring a MemoryBuyers, replay an
        #: IndexedBuyers loaded from the recording)
        self.buyers_registry: BuyerRegistry = buyers if buyers is not None else MemoryBuyers()
        self.gmv = 0.0
        self.orders = 0             # paid orders
        self.units = 0
        self.buyers = 0
        self.created = 0
        self.cancelled = 0
        self.refunds = 0
        self.refund_amount = 0.0
        self.order_status: dict[str, str] = {}  # order id -> status letter (CREATED ...)
        self._order_fifo: deque[str] = deque()  # order_status keys, oldest first
        self.recent_orders: deque = deque(maxlen=HISTORY)  # (seq, ts, status, order data)

    def add(self, order_id: str, status: str) -> None:
        """A new order (not in the window): the oldest leaves the window if it is full. An
        order already in the window changes status in ``order_status`` directly."""
        self.order_status[order_id] = status
        fifo = self._order_fifo
        fifo.append(order_id)
        if len(fifo) > ORDER_WINDOW:
            # not `del statuses[next(iter(statuses))]`: a dict keeps deleted slots at
            # its front until it resizes, so that lookup gets slower with every order
            # (quadratic once the window is full)
            self.order_status.pop(fifo.popleft(), None)

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        """The order window as ids plus one status letter per order (a snapshot every 2000
        events on the fold thread: no per-order Python work beyond the status letters)."""
        return {"totals": {k: getattr(self, k) for k in TOTALS},
                "order_status": {"ids": list(self.order_status),
                                 "st": "".join(self.order_status.values())},
                "recent_orders": list(islice(reversed(self.recent_orders), keep))[::-1]}

    def load(self, snap: dict) -> None:
        totals = snap["totals"]
        for k in TOTALS:
            if k in totals:
                setattr(self, k, totals[k])
        orders, w = snap["order_status"], ORDER_WINDOW   # a wider window: its newest part
        codes = orders["st"][-w:]
        if not set(codes) <= _CODES:
            raise KeyError(f"order statuses {sorted(set(codes) - _CODES)} in a snapshot")
        self.order_status = dict(zip(orders["ids"][-w:], codes))
        self._order_fifo = deque(self.order_status)
        self.recent_orders.extend(tuple(o) for o in snap["recent_orders"])


# ---- Handlers ------------------------------------------------------------------------------
def on_order_created(st: SessionState, ev: Event) -> None:
    d = ev.data
    book = st.order_book
    oid = d["order_id"]
    if oid in book.order_status:
        st.feed_meta.counters.duplicate_orders += 1
    else:
        book.add(oid, CREATED)
        book.created += 1
        book.recent_orders.append((ev.seq, ev.ts, "created", d))
    st.comments.desk.on_buyer(order_buyer(d), paid=False)


def on_order_paid(st: SessionState, ev: Event) -> None:
    bid = order_buyer(ev.data)
    _fold_paid(st, ev, bid)
    st.comments.desk.on_buyer(bid, paid=True)


def _fold_paid(st: SessionState, ev: Event, bid: str | None) -> None:
    d = ev.data
    book = st.order_book
    oid = d["order_id"]
    status = book.order_status.get(oid)
    if status == PAID or status == REFUNDED:
        st.feed_meta.counters.duplicate_orders += 1
        return
    if status == CANCELLED:
        st.feed_meta.counters.bad_transitions += 1
        return
    # everything that can fail on odd input first: an event is applied fully or not at all
    sku, qty, amount, ts = d["sku"], d["qty"], float(d["amount"]), ev.ts
    buyer_key, buyer_sku_key = buyer_keys(bid, d)
    buyer = buyer_key[2:]
    flash_id = d.get("flash_id")
    flash = st.flash.flash_sales.get(flash_id) if isinstance(flash_id, str) else None
    if status is None:
        book.created += 1  # paid without a created event: count it created too
        book.add(oid, PAID)
    else:
        book.order_status[oid] = PAID
    book.gmv += amount
    book.orders += 1
    book.units += qty
    registry = book.buyers_registry
    if registry.first(buyer_key, ev.seq):
        book.buyers += 1
    catalog = st.catalog
    prod = catalog.products.get(sku) or catalog.product(sku)
    prod.orders += 1
    prod.units += qty
    prod.gmv += amount
    if registry.first(buyer_sku_key, ev.seq):
        prod.buyers += 1
    # exponentially averaged sell rate (units per second)
    if prod.rate_ts:
        prod.rate *= math.exp(-max(0.0, ts - prod.rate_ts) / SELL_RATE_TAU)
    prod.rate += qty / SELL_RATE_TAU
    prod.rate_ts = ts
    seg = st.card.current_segment
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
    book.recent_orders.append((ev.seq, ts, "paid", d))
    st.timeline.add_sale(ts, amount, qty)


def _move(st: SessionState, order_id: str, to: str, not_from: tuple[str, ...]) -> bool:
    """Put an order in status ``to``; False (and counted) for a duplicate or a move from a
    status in ``not_from`` (a paid order cannot be cancelled, an unpaid one not refunded)."""
    book = st.order_book
    status = book.order_status.get(order_id)
    if status == to:
        st.feed_meta.counters.duplicate_orders += 1
        return False
    if status in not_from:
        st.feed_meta.counters.bad_transitions += 1
        return False
    if status is None:
        book.add(order_id, to)
    else:
        book.order_status[order_id] = to
    return True


def on_order_cancelled(st: SessionState, ev: Event) -> None:
    if not _move(st, ev.data["order_id"], CANCELLED, (PAID, REFUNDED)):
        return
    book = st.order_book
    book.cancelled += 1
    book.recent_orders.append((ev.seq, ev.ts, "cancelled", ev.data))


def on_order_refunded(st: SessionState, ev: Event) -> None:
    d = ev.data
    if not _move(st, d["order_id"], REFUNDED, (CREATED, CANCELLED)):
        return
    book = st.order_book
    amount = float(d["amount"])
    book.refunds += 1
    book.refund_amount += amount
    prod = st.catalog.product(d["sku"])
    prod.refunds += 1
    prod.refund_amount += amount
    seg = st.card.current_segment
    if seg is not None and seg.sku == d["sku"]:
        seg.refunds += 1
    book.recent_orders.append((ev.seq, ev.ts, "refunded", d))
    st.timeline.add(ev.ts, "refunds", amount)


HANDLERS: dict[str, Handler] = {
    p.ORDER_CREATED: on_order_created,
    p.ORDER_PAID: on_order_paid,
    p.ORDER_CANCELLED: on_order_cancelled,
    p.ORDER_REFUNDED: on_order_refunded,
}

__all__ = ["OrderBook", "BuyerRegistry", "MemoryBuyers", "IndexedBuyers", "paid_order_keys", "buyer_keys",
           "ORDER_WINDOW", "HANDLERS"]
