"""In-memory stand-in for console.recorder.Store (same read methods) plus a
tiny recorder that folds events live and keeps snapshots every K events."""

from __future__ import annotations

import bisect
import copy
from dataclasses import dataclass

from console.core.eventlog import Event, SessionLog
from console.fold.state import SessionState

LANE_CAP = 10_000


@dataclass
class SessionInfo:
    id: str
    title: str = ""
    room: str = ""
    platform: str = ""
    started_at: float | None = None
    ended_at: float | None = None
    duration_s: float = 0.0
    events: int = 0
    gmv: float = 0.0
    orders: int = 0
    buyers: int = 0
    peak_online: int = 0


class FakeStore:
    def __init__(self) -> None:
        self._events: dict[str, list[Event]] = {}
        self._ts: dict[str, list[float]] = {}
        self._snaps: dict[str, list[tuple[int, dict]]] = {}
        self._first: dict[str, dict[str, int]] = {}
        self._info: dict[str, SessionInfo] = {}
        self.reads = 0          # events handed out (to check we never read everything)

    # write side (what the Recorder would do)
    def add_session(self, info: SessionInfo) -> None:
        self._info[info.id] = info
        self._events.setdefault(info.id, [])
        self._ts.setdefault(info.id, [])
        self._snaps.setdefault(info.id, [])
        self._first.setdefault(info.id, {})

    def add_events(self, sid: str, events: list[Event]) -> None:
        self._events[sid].extend(events)
        self._ts[sid].extend(max(e.ts, self._ts[sid][-1] if self._ts[sid] else e.ts) for e in events)

    def add_snapshot(self, sid: str, seq: int, snap: dict) -> None:
        self._snaps[sid].append((seq, copy.deepcopy(snap)))

    def add_first_purchases(self, sid: str, keys) -> None:
        for k, s in keys:
            self._first[sid].setdefault(k, s)

    # read side (contract)
    def sessions(self):
        return sorted(self._info.values(), key=lambda i: i.started_at or 0)

    def session(self, session_id):
        return self._info.get(session_id)

    def last_seq(self, session_id) -> int:
        evs = self._events.get(session_id) or []
        return evs[-1].seq if evs else 0

    def events(self, session_id, from_seq=1, to_seq=None, limit=None):
        evs = self._events.get(session_id) or []
        lo = max(0, from_seq - 1)
        hi = len(evs) if to_seq is None else min(len(evs), to_seq)
        if limit is not None:
            hi = min(hi, lo + limit)
        out = evs[lo:hi]
        self.reads += len(out)
        return out

    def seq_at_time(self, session_id, ts: float) -> int:
        return bisect.bisect_right(self._ts.get(session_id) or [], ts)

    def snapshot_at_or_before(self, session_id, seq):
        snaps = self._snaps.get(session_id) or []
        i = bisect.bisect_right([s for s, _ in snaps], seq)
        if i == 0:
            return None
        s, snap = snaps[i - 1]
        return s, copy.deepcopy(snap)

    def first_purchases(self, session_id):
        return dict(self._first.get(session_id) or {})

    def first_purchases_between(self, session_id, from_seq, to_seq):
        firsts = self._first.get(session_id) or {}
        return {k: s for k, s in firsts.items() if from_seq <= s <= to_seq}

    def lane_events(self, session_id, types):
        t = set(types)
        return [e for e in self._events.get(session_id) or [] if e.type in t][:LANE_CAP]


class FakeRecorder:
    """Folds events live (MemoryBuyers), stores them, snapshots every K events."""

    def __init__(self, store: FakeStore, info: SessionInfo, snapshot_every: int = 50) -> None:
        self.store = store
        self.info = info
        store.add_session(info)
        self.log = SessionLog(session_id=info.id)
        self.state = SessionState()
        self.k = snapshot_every
        self._since = 0
        self.log.subscribe(self._on_events)

    def _on_events(self, events) -> None:
        self.state.apply(events)
        self.store.add_events(self.info.id, events)
        self.store.add_first_purchases(self.info.id, self.state.buyers_registry.new_keys)
        self.state.buyers_registry.new_keys.clear()
        self._since += len(events)
        if self.k and self._since >= self.k:
            self._since = 0
            self.store.add_snapshot(self.info.id, self.state.last_seq, self.state.to_snapshot())
        s = self.state
        self.info.gmv, self.info.orders, self.info.buyers = round(s.gmv, 2), s.orders, s.buyers
        self.info.peak_online, self.info.events = s.peak_online, s.last_seq
        if self.info.started_at is None:
            self.info.started_at = s.started_at

    def feed(self, wire_events: list[dict]) -> None:
        # one event per batch so snapshots can land on any seq
        for w in wire_events:
            if w["type"].split(".")[0] in ("operator", "alert", "plan"):
                self.log.append_local(w["type"], w.get("data") or {}, ts=w["ts"])
            else:
                self.log.append_feed([w])
