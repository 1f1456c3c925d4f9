"""Read side: sessions, events, snapshots; export / import / delete."""

from __future__ import annotations

import gzip
import time
import zlib
from dataclasses import dataclass
from pathlib import Path

import orjson
import sqlalchemy as sa

from console.core.eventlog import Event
from console.recorder import schema
from console.recorder.db import ensure_schema, make_engine

EXPORT_FORMAT = "livedesk-session"
EXPORT_VERSION = 1
_CHUNK = 5000
#: A session without ``ended_at`` whose row has not been refreshed for this long (wall seconds)
#: has lost its recorder (crash, killed, power cut): it is shown *interrupted*, not recording.
#: A live session refreshes it at least every ``console.live.session.HEARTBEAT_S`` (10 s).
RECORDER_GONE_S = 60.0
#: Repairing an older recording's clock: a local event more than this far (seconds) outside
#: the times of the feed events around it was stamped on another clock.
CLOCK_TOLERANCE_S = 5.0
RECORDING, ENDED, INTERRUPTED = "recording", "ended", "interrupted"
#: The parts of a state snapshot that can hold a local event's time (console.fold.state: alerts,
#: cues, command results, lane marks, feed status, gaps); the rest comes from feed events.
_LOCAL_TIME_KEYS = ("started_at", "ended_at", "pending_commands", "command_results", "cue",
                    "cues", "active_alerts", "alerts", "feed_status", "gaps", "marks",
                    "recent_comments", "pinned_comment")


class SessionExistsError(ValueError):
    """import_session found a session with the same id in the target database."""

    def __init__(self, message: str, session_id: str = "") -> None:
        super().__init__(message)
        self.session_id = session_id


@dataclass
class SessionInfo:
    id: str
    title: str | None
    room: str | None
    platform: str | None
    started_at: float | None
    ended_at: float | None
    duration_s: float
    events: int
    gmv: float
    orders: int
    buyers: int
    peak_online: int
    #: ``recording``, ``ended`` or ``interrupted`` (the feed restarted, or the recorder is gone)
    status: str = ENDED
    #: how the events' times were taken: ``session`` (one clock), ``repaired`` (an older
    #: recording whose local events were moved onto the feed's clock), None (older, unchecked)
    clock: str | None = None


def session_status(ended_at: float | None, meta: dict | None, updated_at: float | None,
                   now: float | None = None) -> str:
    """What a session row says about its recording (see :class:`SessionInfo` ``status``)."""
    summary = (meta or {}).get("summary") or {}
    if ended_at:
        return INTERRUPTED if summary.get("status") == INTERRUPTED else ENDED
    now = time.time() if now is None else now
    if updated_at is None or now - float(updated_at) > RECORDER_GONE_S:
        return INTERRUPTED
    return RECORDING


def _info(r, last_ts: float | None = None) -> SessionInfo:
    # still recording: up to the last recorded event (session time), not the wall clock
    end = r.ended_at or last_ts or r.updated_at or r.started_at
    dur = max(0.0, (end or 0.0) - (r.started_at or end or 0.0))
    meta = r.meta if isinstance(r.meta, dict) else {}
    return SessionInfo(r.id, r.title, r.room, r.platform, r.started_at, r.ended_at, dur,
                       int(r.events or 0), float(r.gmv or 0.0), int(r.orders or 0),
                       int(r.buyers or 0), int(r.peak_online or 0),
                       session_status(r.ended_at, meta, r.updated_at), meta.get("clock"))


def _decode(payloads) -> list[Event]:
    loads, from_json = orjson.loads, Event.from_json
    return [from_json(loads(p)) for p in payloads]


class Store:
    """Read access to recordings (own engine; safe while a Recorder writes)."""

    def __init__(self, url: str | None = None, *, cache_mib: int = 64) -> None:
        self.engine = make_engine(url, cache_mib=cache_mib)
        ensure_schema(self.engine)

    def close(self) -> None:
        self.engine.dispose()

    @property
    def database_url(self) -> sa.URL:
        return self.engine.url

    # ---- sessions -----------------------------------------------------------------
    def sessions(self) -> list[SessionInfo]:
        t = schema.sessions
        with self.engine.connect() as c:
            rows = c.execute(sa.select(t).order_by(t.c.started_at.desc(), t.c.id)).all()
            return [_info(r, self._last_ts(c, r)) for r in rows]

    def session(self, session_id: str) -> SessionInfo | None:
        t = schema.sessions
        with self.engine.connect() as c:
            r = c.execute(sa.select(t).where(t.c.id == session_id)).first()
            return _info(r, self._last_ts(c, r)) if r is not None else None

    @staticmethod
    def _last_ts(c, r) -> float | None:
        """Time of the last recorded event of a session without ended_at (index lookup)."""
        if r.ended_at:
            return None
        e = schema.events
        return c.execute(sa.select(sa.func.max(e.c.ts)).where(e.c.session_id == r.id)).scalar()

    def last_seq(self, session_id: str) -> int:
        e = schema.events
        with self.engine.connect() as c:
            return int(c.execute(sa.select(sa.func.max(e.c.seq)).where(
                e.c.session_id == session_id)).scalar() or 0)

    def resume_point(self, url: str, *, look_back: int = 50) -> tuple[str, int, str] | None:
        """(the feed's session id, last recorded feed seq, recorded session id) of the session
        most recently recorded from the feed at ``url``, or None: what a restarted recorder
        says in its hello, so the feed replays what it still holds instead of answering with
        a snapshot and a gap. The two ids differ when the feed restarted its numbering."""
        t = schema.sessions
        with self.engine.connect() as c:
            rows = c.execute(sa.select(t.c.id, t.c.source_url, t.c.meta)
                             .order_by(t.c.updated_at.desc().nulls_last(), t.c.id)
                             .limit(look_back)).all()
        for sid, source_url, meta in rows:
            if (source_url or (meta or {}).get("url")) == url:
                last = self.last_feed_seq(sid)
                feed_sid = (meta or {}).get("feed_session") or sid
                return (str(feed_sid), last, sid) if last else None
        return None

    def last_feed_seq(self, session_id: str) -> int:
        e = schema.events
        with self.engine.connect() as c:
            return int(c.execute(sa.select(sa.func.max(e.c.feed_seq)).where(
                e.c.session_id == session_id)).scalar() or 0)

    # ---- events ---------------------------------------------------------------------
    def events(self, session_id: str, from_seq: int = 1, to_seq: int | None = None,
               limit: int | None = None) -> list[Event]:
        e = schema.events
        q = sa.select(e.c.payload).where(e.c.session_id == session_id, e.c.seq >= from_seq)
        if to_seq is not None:
            q = q.where(e.c.seq <= to_seq)
        q = q.order_by(e.c.seq)
        if limit is not None:
            q = q.limit(limit)
        with self.engine.connect() as c:
            return _decode(c.execute(q).scalars())

    def seq_at_time(self, session_id: str, ts: float) -> int:
        e = schema.events
        q = (sa.select(e.c.seq).where(e.c.session_id == session_id, e.c.ts <= ts)
             .order_by(e.c.ts.desc(), e.c.seq.desc()).limit(1))
        with self.engine.connect() as c:
            return int(c.execute(q).scalar() or 0)

    def lane_events(self, session_id: str, types: list[str]) -> list[Event]:
        e = schema.events
        out: list[Event] = []
        # One query per type, each a range of ix_events_session_type_seq. A single
        # "type IN (...) ORDER BY seq" lets SQLite walk the whole session in seq order
        # instead (6 s on a 10,000,000-event session; milliseconds this way).
        with self.engine.connect() as c:
            for type_ in dict.fromkeys(types):
                q = (sa.select(e.c.payload)
                     .where(e.c.session_id == session_id, e.c.type == type_).order_by(e.c.seq))
                out.extend(_decode(c.execute(q).scalars()))
        out.sort(key=lambda ev: ev.seq)
        return out

    def snapshot_at_or_before(self, session_id: str, seq: int) -> tuple[int, dict] | None:
        s = schema.snapshots
        q = (sa.select(s.c.seq, s.c.payload).where(s.c.session_id == session_id, s.c.seq <= seq)
             .order_by(s.c.seq.desc()).limit(1))
        with self.engine.connect() as c:
            r = c.execute(q).first()
        if r is None:
            return None
        return int(r.seq), orjson.loads(zlib.decompress(r.payload))

    def first_purchases(self, session_id: str) -> dict[str, int]:
        f = schema.first_purchases
        with self.engine.connect() as c:
            # descending, so that a key recorded twice keeps its first seq
            return {k: int(s) for k, s in c.execute(
                sa.select(f.c.key, f.c.seq).where(f.c.session_id == session_id)
                .order_by(f.c.seq.desc()))}

    def first_purchases_between(self, session_id: str, from_seq: int, to_seq: int) -> dict[str, int]:
        """First purchases made by log events from_seq..to_seq (one primary-key range read).

        That is all a fold of exactly those events asks about: a key whose first purchase
        lies outside the range is not a first purchase at any event inside it.
        """
        f = schema.first_purchases
        q = sa.select(f.c.key, f.c.seq).where(f.c.session_id == session_id,
                                              f.c.seq >= from_seq, f.c.seq <= to_seq)
        with self.engine.connect() as c:
            return {k: int(s) for k, s in c.execute(q)}

    # ---- older recordings: one clock -------------------------------------------------
    def repair_clock(self, session_id: str) -> int:
        """Put an older recording's local events on the feed's clock; returns how many moved.

        Recordings made before Livedesk had one session clock stamped operator, alert and
        status events with the wall clock and feed events with the feed's time: at
        ``--speed 10`` they drift apart by minutes. The log order is the order of arrival, so
        each local event happened between the feed events around it: its time is clamped into
        [previous feed event's time, next one's] (at most one feed-event interval off). The
        original time is kept in the event as ``wall_ts``, the snapshots are folded again, and
        the session row is marked ``clock: repaired`` (``checked`` when nothing needed moving,
        so the check runs once). Recordings made with the session clock (``clock: session``)
        and sessions still recording are left alone. Runs in one transaction."""
        t, e = schema.sessions, schema.events
        with self.engine.connect() as c:
            r = c.execute(sa.select(t).where(t.c.id == session_id)).first()
        if r is None:
            return 0
        meta = dict(r.meta) if isinstance(r.meta, dict) else {}
        if meta.get("clock") in ("session", "repaired", "checked"):
            return 0
        if session_status(r.ended_at, meta, r.updated_at) == RECORDING:
            return 0
        moved = self._clock_corrections(session_id)
        with self.engine.begin() as c:
            old_to_new: dict[float, float] = {}
            refold = False
            for seq, ts in moved.items():
                payload = c.execute(sa.select(e.c.payload).where(
                    e.c.session_id == session_id, e.c.seq == seq)).scalar_one()
                obj = orjson.loads(payload)
                old = float(obj.get("ts"))
                obj.setdefault("wall_ts", old)
                obj["ts"] = ts
                old_to_new[old] = ts
                refold = refold or obj.get("type") == "feed.snapshot"   # it adds to the minutes
                c.execute(sa.update(e).where(e.c.session_id == session_id, e.c.seq == seq)
                          .values(ts=ts, payload=orjson.dumps(obj)))
            if moved and refold:
                self._refold_snapshots(c, session_id)
            elif moved:
                self._patch_snapshots(c, session_id, old_to_new)
                meta["clock"] = "repaired"
                meta["clock_repair"] = {"events": len(moved), "at": time.time()}
            else:
                meta["clock"] = "checked"
            c.execute(sa.update(t).where(t.c.id == session_id).values(meta=meta))
        return len(moved)

    def _clock_corrections(self, session_id: str) -> dict[int, float]:
        """{seq: new ts} for the local events off the feed's clock (empty if none is).

        Reads only the local events (through the type index) and the feed events just before
        and after each run of them (through the seq index): a few thousand rows however long
        the session, not all of its events."""
        from console.core import protocol as p

        e = schema.events
        local: list[tuple[int, float]] = []
        with self.engine.connect() as c:
            for type_ in sorted(p.LOCAL_EVENT_TYPES):
                local.extend((int(q), float(t)) for q, t in c.execute(
                    sa.select(e.c.seq, e.c.ts).where(e.c.session_id == session_id,
                                                     e.c.type == type_)))
            local.sort()
            runs: list[list[tuple[int, float]]] = []
            for seq, ts in local:
                if runs and runs[-1][-1][0] == seq - 1:
                    runs[-1].append((seq, ts))
                else:
                    runs.append([(seq, ts)])
            around: dict[int, float] = {}    # seq -> ts of the feed events next to each run
            wanted = sorted({q for run in runs for q in (run[0][0] - 1, run[-1][0] + 1) if q > 0})
            for i in range(0, len(wanted), 500):
                chunk = wanted[i:i + 500]
                around.update((int(q), float(t)) for q, t in c.execute(
                    sa.select(e.c.seq, e.c.ts).where(e.c.session_id == session_id,
                                                     e.c.seq.in_(chunk))))
        out: dict[int, float] = {}
        off = False
        for run in runs:
            before, after = around.get(run[0][0] - 1), around.get(run[-1][0] + 1)
            lo = before if before is not None else after
            hi = after
            if lo is None:
                continue        # no feed event at all: nothing to go by
            floor = lo
            for seq, ts in run:
                if ts < lo - CLOCK_TOLERANCE_S or (hi is not None and ts > hi + CLOCK_TOLERANCE_S):
                    off = True
                if hi is not None:
                    new = min(max(ts, floor), max(hi, floor))
                else:           # after the last feed event: not before it, never far after it
                    new = max(ts, floor) if ts <= lo + CLOCK_TOLERANCE_S else floor
                floor = new
                if new != ts:
                    out[seq] = new
        return out if off else {}

    def _patch_snapshots(self, c, session_id: str, old_to_new: dict[float, float]) -> None:
        """Put the moved times into the stored snapshots without folding the session again.

        A local event's time reaches the folded state only as a copy of the value (an alert's,
        a cue's or a command's ``ts``, a lane mark, the feed status, ``last_ts``); the one
        local event that adds to the per-minute series (``feed.snapshot``) makes the caller
        fold again instead. Wall-clock times are unique floats, so each copy is found by its
        value. ``last_ts`` is the latest time in the log up to the snapshot: recomputed."""
        s, e = schema.snapshots, schema.events

        def fix(obj):
            if isinstance(obj, float):
                return old_to_new.get(obj, obj)
            if isinstance(obj, list):
                return [fix(x) for x in obj]
            if isinstance(obj, dict):
                return {k: fix(v) for k, v in obj.items()}
            return obj

        rows = c.execute(sa.select(s.c.seq, s.c.payload).where(s.c.session_id == session_id)
                         .order_by(s.c.seq)).all()
        for seq, payload in rows:
            snap = orjson.loads(zlib.decompress(payload))
            last = snap.get("last_ts")
            for key in _LOCAL_TIME_KEYS:
                if key in snap:
                    snap[key] = fix(snap[key])
            if isinstance(last, float) and last in old_to_new:
                # the latest time was a moved local event's: now the latest feed event's or its
                # new time, whichever is later (a few rows back from the snapshot's seq)
                feed_ts = c.execute(sa.select(e.c.ts).where(
                    e.c.session_id == session_id, e.c.seq <= seq, e.c.source == "feed")
                    .order_by(e.c.seq.desc()).limit(1)).scalar()
                snap["last_ts"] = max(old_to_new[last], float(feed_ts or 0.0))
            c.execute(sa.update(s).where(s.c.session_id == session_id, s.c.seq == seq).values(
                ts=snap.get("last_ts") or 0.0, payload=zlib.compress(orjson.dumps(snap), 6)))

    def _refold_snapshots(self, c, session_id: str) -> None:
        """Fold the session again and rewrite its snapshots (their states hold event times)."""
        from console.fold.state import IndexedBuyers, SessionState

        s, e = schema.snapshots, schema.events
        seqs = [int(x) for x in c.execute(sa.select(s.c.seq).where(s.c.session_id == session_id)
                                          .order_by(s.c.seq)).scalars()]
        if not seqs:
            return
        f = schema.first_purchases
        firsts = {k: int(q) for k, q in c.execute(
            sa.select(f.c.key, f.c.seq).where(f.c.session_id == session_id)
            .order_by(f.c.seq.desc()))}
        state = SessionState(IndexedBuyers(firsts))
        for target in seqs:
            while state.last_seq < target:
                rows = c.execute(sa.select(e.c.payload).where(
                    e.c.session_id == session_id, e.c.seq > state.last_seq, e.c.seq <= target)
                    .order_by(e.c.seq).limit(_CHUNK)).scalars().all()
                if not rows:
                    break
                state.apply(_decode(rows))
            c.execute(sa.update(s).where(s.c.session_id == session_id, s.c.seq == target).values(
                ts=state.last_ts, payload=zlib.compress(orjson.dumps(state.to_snapshot()), 6)))

    # ---- maintenance ------------------------------------------------------------------
    def delete_session(self, session_id: str) -> None:
        with self.engine.begin() as c:
            for t in (schema.events, schema.snapshots, schema.first_purchases):
                c.execute(sa.delete(t).where(t.c.session_id == session_id))
            c.execute(sa.delete(schema.sessions).where(schema.sessions.c.id == session_id))

    def export_session(self, session_id: str, path) -> None:
        """Write one portable gzip'd JSON-lines file (header, events, snapshots, first purchases)."""
        t, e, s, f = schema.sessions, schema.events, schema.snapshots, schema.first_purchases
        path = Path(path)
        tmp = path.with_name(path.name + ".part")
        with self.engine.connect() as c, gzip.open(tmp, "wb", compresslevel=6) as out:
            r = c.execute(sa.select(t).where(t.c.id == session_id)).first()
            if r is None:
                raise KeyError(f"no such session: {session_id}")
            row = {str(k): v for k, v in r._asdict().items()}
            out.write(orjson.dumps({"kind": "header", "format": EXPORT_FORMAT,
                                    "version": EXPORT_VERSION, "exported_at": time.time(),
                                    "session": row}) + b"\n")
            res = c.execution_options(yield_per=_CHUNK).execute(
                sa.select(e.c.payload).where(e.c.session_id == session_id).order_by(e.c.seq))
            for (payload,) in res:
                out.write(b'{"kind":"event","event":' + bytes(payload) + b"}\n")
            for seq, ts, payload in c.execute(
                    sa.select(s.c.seq, s.c.ts, s.c.payload)
                    .where(s.c.session_id == session_id).order_by(s.c.seq)):
                out.write(b'{"kind":"snapshot","seq":%d,"ts":' % seq + orjson.dumps(ts)
                          + b',"state":' + zlib.decompress(payload) + b"}\n")
            for key, seq in c.execute(sa.select(f.c.key, f.c.seq)
                                      .where(f.c.session_id == session_id).order_by(f.c.seq)):
                out.write(orjson.dumps({"kind": "first_purchase", "key": key, "seq": seq})
                          + b"\n")
        tmp.replace(path)

    def free_session_id(self, session_id: str) -> str:
        """``session_id`` if unused here, else the first free ``<id>-2``, ``<id>-3``, ..."""
        candidate, n = session_id, 1
        while self.session(candidate) is not None:
            n += 1
            candidate = f"{session_id}-{n}"
        return candidate

    def import_session(self, path, new_id: str | None = None) -> str:
        """Load an exported file; refuses an existing id unless new_id is given."""
        from console.recorder.recorder import _insert
        t, e, s, f = schema.sessions, schema.events, schema.snapshots, schema.first_purchases
        with gzip.open(path, "rb") as fh:
            first = fh.readline()
            try:
                header = orjson.loads(first)
            except orjson.JSONDecodeError:
                header = {}
            if header.get("kind") != "header" or header.get("format") != EXPORT_FORMAT:
                raise ValueError(f"{path}: not a Livedesk session export")
            if header.get("version", 0) > EXPORT_VERSION:
                raise ValueError(f"{path}: export version {header['version']} is newer than "
                                 f"this Livedesk supports ({EXPORT_VERSION})")
            row = dict(header["session"])
            sid = new_id or row["id"]
            row["id"] = sid
            row = {k: v for k, v in row.items() if k in t.c}
            with self.engine.begin() as c:
                exists = c.execute(sa.select(t.c.id).where(t.c.id == sid)).first()
                if exists is not None:
                    raise SessionExistsError(
                        f"session {sid!r} already exists in this database; delete it first "
                        f"or import under a new id (new_id=...)", sid)
                c.execute(sa.insert(t).values(**row))
                ev_rows: list[dict] = []
                for line in fh:
                    if not line.strip():
                        continue
                    obj = orjson.loads(line)
                    kind = obj.get("kind")
                    if kind == "event":
                        ev = obj["event"]
                        ev_rows.append({"session_id": sid, "seq": ev["seq"],
                                        "feed_seq": ev.get("feed_seq"), "ts": ev["ts"],
                                        "type": ev["type"], "source": ev.get("source", "feed"),
                                        "payload": orjson.dumps(ev)})
                        if len(ev_rows) >= _CHUNK:
                            c.execute(sa.insert(e), ev_rows)
                            ev_rows = []
                    elif kind == "snapshot":
                        c.execute(sa.insert(s), [{
                            "session_id": sid, "seq": obj["seq"], "ts": obj["ts"],
                            "payload": zlib.compress(orjson.dumps(obj["state"]), 6)}])
                    elif kind == "first_purchase":
                        c.execute(_insert(self.engine, f),
                                  [{"session_id": sid, "key": obj["key"], "seq": obj["seq"]}])
                if ev_rows:
                    c.execute(sa.insert(e), ev_rows)
        return sid
