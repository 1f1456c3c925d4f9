"""The session and its feed: what the feed says about the session (start, end, room), the
connection status, gaps and the feed's own snapshots, and what the fold had to ignore
(counters, the latest problems)."""

from __future__ import annotations

from collections import deque
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.catalog import set_stock
from console.fold.parts import Handler
from console.fold.segments import close_segment, on_card_cleared, on_card_pushed

if TYPE_CHECKING:
    from console.fold.state import SessionState

PROBLEMS = 50                # (seq, reason) of the latest ignored events kept


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


class FeedMeta:
    """Session facts, feed status and gaps, and the fold's counters."""

    def __init__(self) -> None:
        self.session: dict = {}
        self.ended_at: float | None = None
        self.feed_status: dict = {}
        self.gaps: list[dict] = []
        self.problems: deque[tuple[int, str]] = deque(maxlen=PROBLEMS)
        self.counters = Counters()

    def problem(self, ev: Event, reason: str) -> None:
        """``ev`` was not folded (kept in the log): count it and remember why."""
        self.counters.invalid += 1
        self.problems.append((ev.seq, reason))

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        return {"session": self.session, "ended_at": self.ended_at,
                "feed_status": self.feed_status, "gaps": self.gaps[-keep:],
                "counters": asdict(self.counters), "problems": list(self.problems)}

    def load(self, snap: dict) -> None:
        self.session = snap["session"]
        self.ended_at = snap["ended_at"]
        self.feed_status = snap["feed_status"]
        self.gaps = list(snap["gaps"])
        self.counters = Counters(**snap["counters"])
        self.problems.extend((seq, reason) for seq, reason in snap.get("problems") or ())


# ---- Handlers ------------------------------------------------------------------------------
def on_session_started(st: SessionState, ev: Event) -> None:
    d = ev.data
    st.feed_meta.session.update({k: d[k] for k in ("session_id", "room", "title", "currency",
                                                   "platform", "simulated") if k in d})
    started = d.get("started_at", ev.ts)
    timeline = st.timeline
    if timeline.started_at is None or not timeline.minutes["gmv"]:
        timeline.started_at = float(started)
    timeline.mark(ev.ts, "session", "started")


def on_session_ended(st: SessionState, ev: Event) -> None:
    st.feed_meta.ended_at = ev.ts
    close_segment(st, ev.ts)
    st.card.current_sku = None
    st.timeline.mark(ev.ts, "session", "ended")


def on_feed_status(st: SessionState, ev: Event) -> None:
    st.feed_meta.feed_status = dict(ev.data, ts=ev.ts)


def on_feed_gap(st: SessionState, ev: Event) -> None:
    d = ev.data
    meta = st.feed_meta
    meta.counters.gaps += 1
    first, last = int(d.get("from", 0)), int(d.get("to", 0))
    meta.counters.missed_feed_events += max(0, last - first + 1)
    meta.gaps.append({"seq": ev.seq, "ts": ev.ts, "from": first, "to": last,
                      "reason": d.get("reason", "")})
    st.timeline.mark(ev.ts, "gap", f"{first}-{last}")


def on_feed_invalid(st: SessionState, ev: Event) -> None:
    """A feed event kept in the log but not folded (docs/protocol.md): count it."""
    st.feed_meta.problem(ev, str(ev.data.get("reason", "invalid feed event")))


def on_feed_snapshot(st: SessionState, ev: Event) -> None:
    """Adopt the feed's absolute state after a resume it could not replay."""
    d = ev.data
    st.feed_meta.counters.snapshots += 1
    catalog = st.catalog
    for prod in d.get("products", []):
        ps = catalog.product(prod["sku"])
        ps.title = prod.get("title", ps.title)
        ps.price = float(prod.get("price", ps.price))
        if prod.get("stock") is not None:
            set_stock(st, ps, int(prod["stock"]), ev.ts)
    traffic = st.audience.traffic
    for key, value in (d.get("traffic") or {}).items():
        if key in traffic and type(value) is int:
            traffic[key] = value
    card = d.get("current_sku")
    if card != st.card.current_sku:
        if card:
            on_card_pushed(st, Event(ev.seq, ev.ts, p.CARD_PUSHED, {"sku": card}))
        else:
            on_card_cleared(st, ev)
    totals = d.get("totals") or {}
    book = st.order_book
    # Orders missed in the gap: adopt the feed's totals where they are ahead.
    if isinstance(totals.get("gmv"), (int, float)) and totals["gmv"] > book.gmv:
        st.timeline.add(ev.ts, "gmv", totals["gmv"] - book.gmv)
        book.gmv = float(totals["gmv"])
    for key in ("orders", "units", "buyers"):
        if type(totals.get(key)) is int and totals[key] > getattr(book, key):
            setattr(book, key, totals[key])
    st.timeline.mark(ev.ts, "gap", "snapshot")


HANDLERS: dict[str, Handler] = {
    p.SESSION_STARTED: on_session_started,
    p.SESSION_ENDED: on_session_ended,
    p.FEED_STATUS: on_feed_status,
    p.FEED_GAP: on_feed_gap,
    p.FEED_INVALID: on_feed_invalid,
    p.FEED_SNAPSHOT: on_feed_snapshot,
}

__all__ = ["FeedMeta", "Counters", "HANDLERS"]
