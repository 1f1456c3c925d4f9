"""The session log: one sequenced, immutable stream of events per session.

Feed events and Livedesk's own events (operator actions, alerts, cues, feed
status) are appended here and get the log's ``seq`` (1, 2, 3 ...). Feed
events keep the feed's own sequence number as ``feed_seq``. Everything
downstream (session state, recorder, widgets, replay) consumes this stream.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Callable

from console import protocol


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


@dataclass
class SessionLog:
    """Assigns log sequence numbers and fans batches of events out to listeners.

    Listeners are called synchronously with each appended batch, in the order
    they subscribed (typically: session state fold, then recorder queue).
    """

    session_id: str = ""
    next_seq: int = 1
    last_feed_seq: int = 0
    clock: Callable[[], float] = time.time
    _listeners: list[Listener] = field(default_factory=list)

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
            self._emit(out)
        return out

    def append_local(self, type_: str, data: dict, source: str = "operator",
                     ts: float | None = None) -> Event:
        """Append one event that Livedesk itself produced."""
        ev = Event(self.next_seq, self.clock() if ts is None else ts, type_, data, source, None)
        self.next_seq += 1
        self._emit([ev])
        return ev

    def append_events(self, events: list[Event]) -> None:
        """Append events that already have log sequence numbers (replay)."""
        if events:
            self.next_seq = events[-1].seq + 1
            for ev in events:
                if ev.feed_seq is not None:
                    self.last_feed_seq = ev.feed_seq
            self._emit(events)

    def _emit(self, events: list[Event]) -> None:
        for listener in self._listeners:
            listener(events)


def is_local(type_: str) -> bool:
    return type_ in protocol.LOCAL_EVENT_TYPES
