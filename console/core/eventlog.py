"""The session log: one sequenced, immutable stream of events per session.

Feed events and Livedesk's own events (operator actions, alerts, cues, feed
status) are appended here and get the log's ``seq`` (1, 2, 3 ...). Feed
events keep the feed's own sequence number as ``feed_seq``. Everything
downstream (session state, recorder, widgets, replay) consumes this stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Callable

from console.core import protocol

if TYPE_CHECKING:                   # (the fold reads this module)
    from console.fold.state import SessionState


@dataclass(slots=True)
class Event:
    """One entry in the session log. Treat as immutable once appended."""

    seq: int
    ts: float
    type: str
    data: dict
    source: str = "feed"  # "feed" | "operator" | "system"
    feed_seq: int | None = None

    def to_json(self) -> dict:
        """The stored payload (what the recorder keeps as the raw event)."""
        out = {"seq": self.seq, "ts": self.ts, "type": self.type, "data": self.data,
               "source": self.source}
        if self.feed_seq is not None:
            out["feed_seq"] = self.feed_seq
        return out

    @classmethod
    def from_json(cls, obj: dict) -> "Event":
        return cls(obj["seq"], obj["ts"], obj["type"], obj.get("data") or {},
                   obj.get("source", "feed"), obj.get("feed_seq"))


Listener = Callable[[list[Event]], None]


def feed_speed(welcome: dict | None) -> float:
    """The feed's announced clock speed (welcome ``speed``: feed seconds per wall second);
    1.0 when absent or not a positive number."""
    value = (welcome or {}).get("speed", 1.0)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return 1.0
    value = float(value)
    return value if 0.0 < value < 1e6 else 1.0


class SessionClock:
    """The session's one clock: the feed's time.

    Every feed event anchors it (its ``ts`` and the monotonic instant it arrived); between
    feed events it advances by the wall time elapsed since the anchor times the feed's
    announced speed (``--speed 10``: ten feed seconds per wall second). Once anchored it never
    goes back. Before the first anchor it reads the wall clock (what it read then does not
    hold the feed's clock back). Local events (operator actions, alerts,
    feed status) take their ``ts`` from it, so a session recorded at any speed has every event
    on the same clock (docs/session-log.md, "One clock").
    """

    __slots__ = ("speed", "_ts", "_mono", "_floor", "_held", "_monotonic", "_wall")

    def __init__(self, speed: float = 1.0, *, monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.speed = speed
        self._ts: float | None = None
        self._mono = 0.0
        self._floor = float("-inf")
        self._held = False
        self._monotonic = monotonic
        self._wall = wall

    @property
    def anchored(self) -> bool:
        return self._ts is not None

    def observe(self, ts: float) -> None:
        """A feed event with this time arrived now."""
        self._ts = float(ts)
        self._mono = self._monotonic()
        self._held = False

    def hold(self, ts: float) -> None:
        """Read ``ts`` until the first feed event arrives (a session's start from the feed's
        welcome: the feed then sends its events from there, and the log stays in time order)."""
        self.observe(ts)
        self._held = True

    def now(self) -> float:
        """The current time on the feed's clock (never earlier than a value it returned)."""
        if self._ts is None:
            return self._wall()     # not the feed's clock yet: sets no floor for it
        if self._held:
            t = self._ts
        else:
            t = self._ts + max(0.0, self._monotonic() - self._mono) * self.speed
        if t < self._floor:
            return self._floor
        self._floor = t
        return t

    __call__ = now


class StateClock:
    """The session clock as a reader of the folded state sees it (prompt panels, remote ones
    too): the state's latest event time advanced by the wall time since it changed, times the
    feed's speed (recorded in the ``feed.status`` events, 1.0 when unknown). ``state`` is a
    state or a callable returning the current one (a panel that is handed new states)."""

    def __init__(self, state: SessionState | Callable[[], SessionState | None] | None, *,
                 monotonic: Callable[[], float] = time.monotonic,
                 wall: Callable[[], float] = time.time) -> None:
        self.state = state
        self._clock = SessionClock(monotonic=monotonic, wall=wall)
        self._seen: float | None = None

    def now(self) -> float:
        st = self.state() if callable(self.state) else self.state
        last = (st.last_ts or 0.0) if st is not None else 0.0
        if last and last != self._seen:
            self._seen = last
            self._clock.observe(last)
        self._clock.speed = feed_speed(st.feed_status if st is not None else None)
        return self._clock.now()

    __call__ = now


@dataclass
class SessionLog:
    """Assigns log sequence numbers and fans batches of events out to listeners.

    Listeners are called synchronously with each appended batch, in the order
    they subscribed (typically: session state fold, then recorder queue).
    """

    session_id: str = ""
    next_seq: int = 1
    last_feed_seq: int = 0
    #: where local events take their time; by default the session clock, which every feed
    #: event appended here anchors (docs/session-log.md, "One clock")
    clock: Callable[[], float] | None = None
    session_clock: SessionClock = field(default_factory=SessionClock)
    #: the latest event time in the log: a local event is never stamped earlier
    last_ts: float = float("-inf")
    _listeners: list[Listener] = field(default_factory=list)

    def now(self) -> float:
        """The session's current time (what a local event appended now would carry)."""
        t = self.clock() if self.clock is not None else self.session_clock.now()
        return t if t >= self.last_ts else self.last_ts

    def restart(self, session_id: str = "") -> None:
        """Start the log of a new session in this same object (seq 1, a new clock), keeping
        its listeners: whoever follows the log (fold, recorder, relay, plugins) goes on
        following it, and can still unsubscribe."""
        self.session_id = session_id
        self.next_seq = 1
        self.last_feed_seq = 0
        self.last_ts = float("-inf")
        self.session_clock = SessionClock(self.session_clock.speed)

    def subscribe(self, listener: Listener) -> None:
        self._listeners.append(listener)

    def unsubscribe(self, listener: Listener) -> None:
        self._listeners.remove(listener)

    def append_feed(self, wire_events: list[dict]) -> list[Event]:
        """Append feed events that are already in feed-seq order and deduplicated."""
        seq = self.next_seq
        out = []
        for w in wire_events:
            out.append(Event(seq, w["ts"], w["type"], w.get("data") or {}, "feed", w["seq"]))
            seq += 1
        if out:
            self.next_seq = seq
            self.last_feed_seq = out[-1].feed_seq  # type: ignore[assignment]
            last = out[-1].ts
            self.session_clock.observe(last)
            if last > self.last_ts:
                self.last_ts = last
            self._emit(out)
        return out

    def append_local(self, type_: str, data: dict, source: str = "operator",
                     ts: float | None = None) -> Event:
        """Append one event that Livedesk itself produced."""
        ev = Event(self.next_seq, self.now() if ts is None else ts, type_, data, source, None)
        self.next_seq += 1
        if ev.ts > self.last_ts:
            self.last_ts = ev.ts
        self._emit([ev])
        return ev

    def append_events(self, events: list[Event]) -> None:
        """Append events that already have log sequence numbers (replay)."""
        if events:
            self.next_seq = events[-1].seq + 1
            for ev in events:
                if ev.feed_seq is not None:
                    self.last_feed_seq = ev.feed_seq
                if ev.ts > self.last_ts:
                    self.last_ts = ev.ts
            self._emit(events)

    def _emit(self, events: list[Event]) -> None:
        for listener in self._listeners:
            listener(events)


def is_local(type_: str) -> bool:
    return type_ in protocol.LOCAL_EVENT_TYPES
