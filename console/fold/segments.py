"""The explanation card and its segments: which product is on air, who put it there or took
it off, and one :class:`Segment` per card push with what happened while it was up.

Handles ``card.pushed`` and ``card.cleared``. Orders, refunds and traffic ticks add to the
open segment (orders.py, traffic.py); the session's end closes it (feed_meta.py)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from console.core import metrics, protocol as p
from console.core.eventlog import Event
from console.fold.parts import Handler, from_rows, rows

if TYPE_CHECKING:
    from console.fold.state import SessionState


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


class CardSegments:
    """The card on air and the segments so far (the last one is open while a card is up)."""

    def __init__(self) -> None:
        self.current_sku: str | None = None
        self.card_by: str | None = None    # who put the current card on air (card_pusher)
        self.cleared_by: str | None = None # who took the last card off air
        self.segments: list[Segment] = []
        #: Set by ``from_snapshot`` for a snapshot written before segment baselines were kept
        #: apart (its segments' clicks and impressions may be wrong; refold from the start).
        self.legacy_segment_baselines = False

    @property
    def current_segment(self) -> Segment | None:
        seg = self.segments[-1] if self.segments else None
        return seg if seg is not None and seg.end_ts is None else None

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        table = rows(Segment, self.segments)
        k = table["cols"].index("_buyer_keys")   # the open segment's buyers: a list
        for row in table["rows"]:
            row[k] = list(row[k])
        return {"current_sku": self.current_sku, "card_by": self.card_by,
                "cleared_by": self.cleared_by, "segments": table}

    def load(self, snap: dict) -> None:
        self.segments = from_rows(Segment, snap["segments"])
        for seg in self.segments:
            seg._buyer_keys = dict.fromkeys(seg._buyer_keys)
        self.current_sku = snap["current_sku"]
        current = self.current_segment
        self.card_by = snap.get("card_by", current.pushed_by if current is not None else None)
        self.cleared_by = snap.get("cleared_by")


def card_pusher(st: SessionState, ev: Event, command: str) -> str:
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
    for cmd in st.operator.pending_commands.values():   # sent here, not acknowledged yet
        if cmd.get("name") == command and (command == p.CMD_CARD_CLEAR
                                           or (cmd.get("args") or {}).get("sku") == sku):
            return "operator"
    return "simulator" if st.feed_meta.session.get("simulated") else "platform"


def close_segment(st: SessionState, ts: float) -> bool:
    """End the open segment at ``ts`` (its time goes to its product); False if none."""
    seg = st.card.current_segment
    if seg is None:
        return False
    seg.end_ts = ts
    seg._buyer_keys = {}
    st.catalog.product(seg.sku).on_air_s += seg.duration(ts)
    return True


# ---- Handlers ------------------------------------------------------------------------------
def on_card_pushed(st: SessionState, ev: Event) -> None:
    sku = ev.data["sku"]
    card = st.card
    seg = card.current_segment
    card.card_by = card_pusher(st, ev, p.CMD_CARD_PUSH)
    if seg is not None and seg.sku == sku:
        seg.repops += 1  # re-popping the same card keeps the segment going
        return
    close_segment(st, ev.ts)
    prod = st.catalog.product(sku)
    prod.explanations += 1
    t = st.audience.traffic
    # Both baselines are kept: which one counts is decided per tick by whether the feed
    # carries per-product counts at all, never by whether this product's are still zero
    # (a product pushed before its first impression would otherwise get the room's
    # counters as its baseline and negative clicks once its own counters rise).
    new = Segment(index=len(card.segments), sku=sku, start_seq=ev.seq, start_ts=ev.ts,
                  _click_base=prod.clicks, _impr_base=prod.impressions,
                  _views_base=t["viewers"], _room_click_base=t["product_clicks"],
                  _room_impr_base=t["product_impressions"], pushed_by=card.card_by)
    card.segments.append(new)
    card.current_sku = sku
    st.timeline.mark(ev.ts, "card", prod.title)


def on_card_cleared(st: SessionState, ev: Event) -> None:
    if close_segment(st, ev.ts):
        st.timeline.mark(ev.ts, "card_clear", "")
    card = st.card
    card.current_sku = None
    card.card_by = None
    card.cleared_by = card_pusher(st, ev, p.CMD_CARD_CLEAR)


HANDLERS: dict[str, Handler] = {
    p.CARD_PUSHED: on_card_pushed,
    p.CARD_CLEARED: on_card_cleared,
}

__all__ = ["CardSegments", "Segment", "card_pusher", "close_segment", "HANDLERS"]
