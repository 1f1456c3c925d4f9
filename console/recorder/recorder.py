"""Write side: a dedicated writer thread commits the session log in batches."""

from __future__ import annotations

import functools
import itertools
import logging
import queue
import re
import sqlite3
import threading
import time
import zlib
from dataclasses import dataclass, field
from typing import Callable

import orjson
import sqlalchemy as sa

from console.core.eventlog import Event
from console.recorder import schema
from console.recorder.db import ensure_schema, make_engine

log = logging.getLogger(__name__)

_STOP = object()
_SESSION_COLUMNS = ("room", "title", "platform", "currency", "started_at", "ended_at", "source_url")
# summary key -> sessions column (state.summary() names first, explicit names too)
_SUMMARY_MAP = {"seq": "events", "events": "events", "gmv": "gmv", "orders": "orders",
                "buyers": "buyers", "peak_online": "peak_online", "ended_at": "ended_at",
                "started_at": "started_at", "title": "title", "room": "room",
                "platform": "platform", "currency": "currency"}


_EVENT_COLS = ("session_id", "seq", "feed_seq", "ts", "type", "source", "payload")
#: SQLite: at most this many rows per INSERT statement. sqlite3 releases the GIL around every
#: statement step and reset and has to win it back afterwards, which takes up to the switch
#: interval (5 ms) whenever the feed thread is busy; so a batch is written with as few
#: statements as the parameter limit allows (32766 since SQLite 3.32, 999 before).
MAX_ROWS_PER_INSERT = 1000 if sqlite3.sqlite_version_info >= (3, 32) else 140


@functools.lru_cache(maxsize=64)
def _multi_row(sql: str, k: int) -> str:
    """``INSERT ... VALUES (?, ...) <tail>`` -> the same with ``k`` value groups."""
    head, sep, tail = sql.partition(" VALUES ")
    end = tail.index(")") + 1
    return head + sep + ", ".join([tail[:end]] * k) + tail[end:]


def encode_rows(events: list[Event]) -> list[tuple]:
    """Events as rows (seq, feed_seq, ts, type, source, payload) with their stored payloads."""
    dumps = orjson.dumps
    out = []
    for e in events:
        fs = e.feed_seq
        # Event.to_json() inlined: orjson writes a dict about twice as fast as the same
        # slots dataclass (0.7 against 1.4 µs), and this runs for every event on the feed thread
        obj = {"seq": e.seq, "ts": e.ts, "type": e.type, "data": e.data, "source": e.source}
        if fs is not None:
            obj["feed_seq"] = fs
        try:
            payload = dumps(obj)
        except TypeError:  # odd data (non-str keys, custom types): keep it anyway
            payload = dumps(obj, default=repr, option=orjson.OPT_NON_STR_KEYS)
        # copy: orjson's result keeps a >= 4 KiB buffer; the copy is its size
        out.append((e.seq, fs, e.ts, e.type, e.source, memoryview(payload).tobytes()))
    return out


def last_feed_seq_of(events: list[Event]) -> int:
    """The feed seq of the last feed event in ``events`` (0 if none)."""
    return next((e.feed_seq for e in reversed(events) if e.feed_seq is not None), 0)


def _statement_sizes(n: int) -> list[int]:
    """Rows per statement for ``n`` rows: full statements, then the rest in powers of two.

    A few statement shapes (so SQLite's statement cache keeps them prepared) and a few
    steps per batch: 5,537 rows are 5 x 1000 + 512 + 16 + 8 + 1.
    """
    sizes = [MAX_ROWS_PER_INSERT] * (n // MAX_ROWS_PER_INSERT)
    rest = n % MAX_ROWS_PER_INSERT
    bit = 1 << rest.bit_length()
    while rest:
        bit >>= 1
        if rest >= bit:
            sizes.append(bit)
            rest -= bit
    return sizes


def _insert_many(conn: sa.Connection, one: str, rows: list) -> None:
    """Positional INSERT of ``rows`` with multi-row statements (SQLite)."""
    chain = itertools.chain.from_iterable
    i = 0
    for k in _statement_sizes(len(rows)):
        conn.exec_driver_sql(_multi_row(one, k), tuple(chain(rows[i:i + k])))
        i += k


@dataclass(slots=True)
class _Prepared:
    """One encoded batch, ready for a single transaction."""

    rows: list = field(default_factory=list)
    snaps: list = field(default_factory=list)
    firsts: list = field(default_factory=list)
    summaries: dict = field(default_factory=dict)
    markers: list = field(default_factory=list)
    tops: dict = field(default_factory=dict)
    n_events: int = 0


def _count(item: tuple) -> int:
    """Events in one submit-queue item."""
    kind = item[0]
    return len(item[2]) if kind == "e" else (item[2][1] if kind == "r" else 0)


#: A failure that goes on (a full disk) is reported when it starts, when its reason changes and
#: then at most once a minute, not at every retry.
REPORT_EVERY_S = 60.0
_KEPT = re.compile(r"\s*\(\d+ events kept in memory\)")


class RetryReports:
    """Decides which of a run of retry messages is worth a log line."""

    def __init__(self, every: float = REPORT_EVERY_S) -> None:
        self.every = every
        self._key: str | None = None
        self._at = 0.0

    def due(self, message: str) -> bool:
        key = _KEPT.sub("", message)
        now = time.monotonic()
        if key != self._key or now - self._at >= self.every:
            self._key, self._at = key, now
            return True
        return False

    def reset(self) -> None:
        self._key = None


def _insert(engine: sa.Engine, table: sa.Table) -> sa.Insert:
    """INSERT ... that skips rows already there (a resent batch, a resumed session)."""
    name = engine.dialect.name
    if name == "sqlite":
        from sqlalchemy.dialects import sqlite
        return sqlite.insert(table).on_conflict_do_nothing()
    if name == "postgresql":
        from sqlalchemy.dialects import postgresql
        return postgresql.insert(table).on_conflict_do_nothing()
    raise RuntimeError(f"unsupported database dialect {name!r}")  # pragma: no cover


class Recorder:
    """Durable, batched recorder of one session log at a time (implements
    :class:`console.api.Recorder`)."""

    def __init__(self, url: str | None = None, *, batch_max: int = 5000,
                 flush_interval: float = 0.05, cache_mib: int = 64) -> None:
        self.engine = make_engine(url, cache_mib=cache_mib)
        ensure_schema(self.engine)
        self.batch_max = batch_max
        self.flush_interval = flush_interval
        self.committed_seq = 0
        self.last_error: str | None = None
        #: called with every retry message; when set, the owner reports them (the recording
        #: process sends them to its parent) and this recorder logs nothing itself
        self.on_error: Callable[[str], None] | None = None
        self._reports = RetryReports()
        self.session_id: str | None = None
        self._q: queue.SimpleQueue = queue.SimpleQueue()
        self._lock = threading.Lock()
        self._submitted = 0
        self._committed = 0
        self._last: dict[str, list[int]] = {}  # session -> [last_seq, last_feed_seq]
        self._ins_events = _insert(self.engine, schema.events)
        self._ins_snapshots = _insert(self.engine, schema.snapshots)
        self._ins_first = _insert(self.engine, schema.first_purchases)
        self._events_sql = (str(self._ins_events.compile(dialect=self.engine.dialect))
                            if self.engine.dialect.name == "sqlite" else None)
        self._first_sql = (str(self._ins_first.compile(dialect=self.engine.dialect))
                           if self.engine.dialect.name == "sqlite" else None)
        self._prepared: queue.Queue = queue.Queue(maxsize=2)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name="livedesk-recorder", daemon=True)
        self._thread.start()

    # ---- public API -------------------------------------------------------------
    @property
    def queued(self) -> int:
        return self._submitted - self._committed

    @property
    def database_url(self) -> sa.URL:
        return self.engine.url

    def last_feed_seq(self, session_id: str) -> int:
        """The last feed seq recorded for an opened session (0 if none)."""
        return self._last.get(session_id, [0, 0])[1]

    def open_session(self, session_id: str, meta: dict) -> int:
        """Create or resume the session row; returns the last committed log seq (0 if new)."""
        if self.session_id is not None and self.session_id != session_id:
            self.flush()
        meta = dict(meta or {})
        cols = {k: meta.pop(k) for k in _SESSION_COLUMNS if k in meta}
        cols.setdefault("started_at", time.time())
        t = schema.sessions
        with self.engine.begin() as conn:
            conn.execute(_insert(self.engine, t).values(
                id=session_id, meta=meta, updated_at=time.time(), **cols))
            last_seq = conn.execute(sa.select(sa.func.max(schema.events.c.seq)).where(
                schema.events.c.session_id == session_id)).scalar() or 0
            last_feed = conn.execute(sa.select(sa.func.max(schema.events.c.feed_seq)).where(
                schema.events.c.session_id == session_id)).scalar() or 0
        self._last[session_id] = [int(last_seq), int(last_feed)]
        self.session_id = session_id
        self.committed_seq = int(last_seq)
        return int(last_seq)

    def _sid(self) -> str:
        if self.session_id is None or self._closed:
            raise RuntimeError("Recorder is closed" if self._closed
                               else "Recorder.open_session() must be called first")
        return self.session_id

    def submit(self, events: list[Event]) -> None:
        """Queue events for recording (thread-safe, never blocks on I/O)."""
        if events:
            sid = self._sid()
            with self._lock:
                self._submitted += len(events)
            self._q.put(("e", sid, events))

    def submit_rows(self, rows: list[tuple], last_feed_seq: int) -> None:
        """Queue events given as rows (:func:`encode_rows`), in log order."""
        if rows:
            sid = self._sid()
            with self._lock:
                self._submitted += len(rows)
            self._q.put(("r", sid, (rows, len(rows), rows[-1][0], last_feed_seq)))

    def mark(self, marker) -> None:
        """Call ``marker.set()`` once everything submitted before it is committed."""
        self._q.put(("m", None, marker))

    def submit_snapshot(self, seq: int, payload: bytes, ts: float | None = None) -> None:
        """payload = orjson.dumps(state.to_snapshot()); stored zlib-compressed."""
        self._q.put(("s", self._sid(), (seq, time.time() if ts is None else ts, payload)))

    def submit_first_purchases(self, keys: list[tuple[str, int]]) -> None:
        if keys:
            self._q.put(("f", self._sid(), list(keys)))

    def update_summary(self, summary: dict) -> None:
        self._q.put(("u", self._sid(), dict(summary)))

    def flush(self, timeout: float = 10.0) -> bool:
        """Wait until everything submitted so far is committed."""
        if not self._thread.is_alive():
            return self.queued == 0
        done = threading.Event()
        self._q.put(("m", None, done))
        return done.wait(timeout)

    def close(self, timeout: float = 30.0) -> None:
        if self._closed:
            return
        self._closed = True
        if not self.flush(timeout):
            log.error("recorder closed with %d events not committed: %s", self.queued,
                      self.last_error)
        self._q.put(_STOP)
        self._thread.join(timeout=5)
        self.engine.dispose()

    # ---- writer threads ---------------------------------------------------------
    # Two stages so that encoding (orjson, GIL-bound) overlaps the database work
    # (sqlite3 releases the GIL while stepping): the collector drains the submit
    # queue and encodes one batch while the writer commits the previous one.
    def _run(self) -> None:
        q = self._q
        writer = threading.Thread(target=self._write_loop, name="livedesk-recorder-db",
                                  daemon=True)
        writer.start()
        try:
            while True:
                item = q.get()
                if item is _STOP:
                    return
                batch = [item]
                n = _count(item)
                deadline = time.monotonic() + self.flush_interval
                stop = False
                # a mark (a commit confirmation) waits for the batch like an event: the
                # recording process asks for one whenever its pipe is idle, and ending the batch
                # there made a transaction per hand-over at a busy feed's pace
                while n < self.batch_max:
                    try:
                        item = q.get_nowait()
                    except queue.Empty:
                        left = deadline - time.monotonic()
                        if left <= 0:
                            break
                        try:
                            item = q.get(timeout=left)
                        except queue.Empty:
                            break
                    if item is _STOP:
                        stop = True
                        break
                    batch.append(item)
                    n += _count(item)
                self._prepared.put(self._encode(batch))
                if stop:
                    return
        finally:
            self._prepared.put(_STOP)
            writer.join()

    def _write_loop(self) -> None:
        while True:
            prep = self._prepared.get()
            if prep is _STOP:
                return
            self._commit_with_retry(prep)

    def _commit_with_retry(self, prep: "_Prepared") -> None:
        delay = 0.05
        while True:
            try:
                self._commit(prep)
            except Exception as exc:  # noqa: BLE001 - keep the data, report, retry
                msg = f"recording failed, retrying ({self.queued} events kept in memory): {exc}"
                msg = msg.splitlines()[0]
                self.last_error = msg
                if self.on_error is not None:
                    try:
                        self.on_error(msg)
                    except Exception:
                        log.exception("on_error callback failed")
                elif self._reports.due(msg):
                    log.warning("%s", msg)
                time.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if self.last_error is not None and self.on_error is None:
                log.info("recording recovered")
            self._reports.reset()
            self.last_error = None
            return

    def _encode(self, batch: list) -> "_Prepared":
        p = _Prepared()
        rows = p.rows
        for kind, sid, obj in batch:
            if kind == "e":                       # Event objects: encode them here
                kind, obj = "r", (encode_rows(obj), len(obj), obj[-1].seq, last_feed_seq_of(obj))
            if kind == "r":                       # rows already encoded (ProcessRecorder)
                rows_in, n, last_seq, last_feed = obj
                p.n_events += n
                rows.extend([(sid, *r) for r in rows_in])
                top = p.tops.setdefault(sid, [0, 0])
                top[0] = max(top[0], last_seq)
                top[1] = max(top[1], last_feed)
            elif kind == "s":
                seq, ts, payload = obj
                p.snaps.append({"session_id": sid, "seq": seq, "ts": ts,
                                "payload": zlib.compress(payload, 1)})
            elif kind == "f":
                p.firsts.extend((sid, s, k) for k, s in obj)   # the table's column order
            elif kind == "u":
                p.summaries.setdefault(sid, {}).update(obj)
            elif kind == "m":
                p.markers.append(obj)
        return p

    def _commit(self, p: "_Prepared") -> None:
        now = time.time()
        tops = {sid: [max(top[0], self._last.get(sid, [0, 0])[0]),
                      max(top[1], self._last.get(sid, [0, 0])[1])]
                for sid, top in p.tops.items()}
        if p.rows or p.snaps or p.firsts or p.summaries:
            t = schema.sessions
            with self.engine.begin() as conn:
                if p.rows:
                    if self._events_sql is not None:  # sqlite: positional, multi-row
                        _insert_many(conn, self._events_sql, p.rows)
                    else:
                        cols = _EVENT_COLS
                        conn.execute(self._ins_events, [dict(zip(cols, r)) for r in p.rows])
                if p.snaps:
                    conn.execute(self._ins_snapshots, p.snaps)
                if p.firsts:
                    if self._first_sql is not None:  # sqlite: positional, multi-row
                        _insert_many(conn, self._first_sql, p.firsts)
                    else:
                        conn.execute(self._ins_first, [{"session_id": a, "seq": s, "key": k}
                                                       for a, s, k in p.firsts])
                for sid, (last_seq, last_feed) in tops.items():
                    values = {"last_seq": last_seq, "last_feed_seq": last_feed,
                              "updated_at": now}
                    summ = p.summaries.get(sid)
                    if summ is None or ("seq" not in summ and "events" not in summ):
                        values["events"] = last_seq
                    conn.execute(sa.update(t).where(t.c.id == sid).values(**values))
                for sid, summ in p.summaries.items():
                    values = {_SUMMARY_MAP[k]: v for k, v in summ.items() if k in _SUMMARY_MAP}
                    extra = {k: v for k, v in summ.items()
                             if k not in _SUMMARY_MAP and k != "feed_seq"}
                    values["updated_at"] = now
                    if extra:
                        values["meta"] = self._merged_meta(conn, sid, extra)
                    conn.execute(sa.update(t).where(t.c.id == sid).values(**values))
        for sid, top in tops.items():
            self._last[sid] = top
            if sid == self.session_id and top[0] > self.committed_seq:
                self.committed_seq = top[0]
        with self._lock:
            self._committed += p.n_events
        for m in p.markers:
            m.set()

    @staticmethod
    def _merged_meta(conn: sa.Connection, sid: str, extra: dict) -> dict:
        t = schema.sessions
        cur = conn.execute(sa.select(t.c.meta).where(t.c.id == sid)).scalar() or {}
        cur = dict(cur)
        summ = dict(cur.get("summary") or {})
        summ.update(extra)
        cur["summary"] = summ
        return cur
