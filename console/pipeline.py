"""LiveSession: feed client -> session log -> state fold -> recorder (headless).

See docs/dev/contracts.md. The log's listeners are, in order: ``state.apply``,
then ``recorder.submit``. Feed events, operator commands and results, feed
status changes, gaps and snapshots all go through the one log.
"""

from __future__ import annotations

import asyncio
import gc
import importlib
import logging
import signal
import sys
import time
import uuid
from typing import Any

import orjson

from console import protocol as p
from console.eventlog import Event, SessionLog
from console.feed.client import FeedClient, FeedStatus
from console.feed.reconnect import ReconnectPolicy
from console.state import MemoryBuyers, SessionState

log = logging.getLogger(__name__)

SUMMARY_INTERVAL = 1.0
#: Feed events the recorder may have queued before the feed client stops reading for a
#: moment (flow control: memory stays bounded when the feed outpaces the database).
MAX_BACKLOG = 20_000
RESTORE_CHUNK = 5_000      # events read per query when rebuilding a resumed session
#: A state snapshot is recorded every this many log events: a replay seek folds at most this
#: many events after the nearest snapshot (bench/replay.py measures with the same spacing).
SNAPSHOT_EVERY = 2_000


def tune_gc() -> tuple[int, int, int]:
    """Garbage-collector settings for a long-running ingest process (``livedesk record``).

    A busy feed allocates hundreds of thousands of short-lived containers a second
    (decoded frames, log events waiting for the recorder). With CPython's default
    thresholds the collector then runs full collections over the whole heap (imports
    included) many times a second: a third or more of the ingest thread's time. Freeze
    what exists at start-up (modules, engine, plan) and collect the young generation
    every 50,000 net allocations instead of 700: the fold and the recorder create
    almost no reference cycles, so nothing accumulates. Returns the previous thresholds
    for :func:`restore_gc`.
    """
    previous = gc.get_threshold()
    gc.collect()
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    return previous


def restore_gc(previous: tuple[int, int, int]) -> None:
    gc.unfreeze()
    gc.set_threshold(*previous)


class LiveSession:
    def __init__(self, url: str, *, plan: Any = None, token: str | None = None,
                 recorder: Any = None, snapshot_every: int = SNAPSHOT_EVERY,
                 policy: ReconnectPolicy | None = None, max_backlog: int = MAX_BACKLOG,
                 **client_options: Any) -> None:
        self.url = url
        self.plan = plan
        self.token = token
        self.recorder = recorder
        self.snapshot_every = snapshot_every
        self.max_backlog = max_backlog
        self.log = SessionLog()
        self.state = SessionState()
        self.client = FeedClient(url, token=token, on_events=self._on_feed_events,
                                 on_local=self._on_feed_local,
                                 on_command_result=self._on_command_result,
                                 on_welcome=self._on_welcome, policy=policy,
                                 read_gate=self._may_read if recorder is not None else None,
                                 **client_options)
        self.status: FeedStatus = self.client.status
        self.welcome: dict | None = None
        self._session_open: str | None = None
        self._plan_logged_for: str | None = None
        self._since_snapshot = 0
        self._summary_at = 0.0
        self._early_local: list[tuple[str, dict, str]] = []  # before the first welcome
        self._restoring: asyncio.Future | None = None        # rebuilding a resumed state
        self._subscribe()

    def _subscribe(self) -> None:
        self.log.subscribe(self.state.apply)
        self.log.subscribe(self._after_batch)

    # ---- lifecycle --------------------------------------------------------------
    async def start(self) -> None:
        await self.client.start()

    async def stop(self) -> None:
        await self.client.stop()
        if self._restoring is not None:
            await asyncio.wait([self._restoring])   # its callback appends the held events
        if self.recorder is not None and self._session_open:
            self._snapshot()
            self._drain_buyers()
            self._update_summary(ended=True)
            await asyncio.get_running_loop().run_in_executor(None, self.recorder.flush)

    def _may_read(self) -> bool:
        """Flow control for the feed client: hold reading while the recorder is behind.

        Not while the recorder is failing (full disk, lost database): then the live
        view keeps going and the recorder keeps the events in memory until it recovers.
        """
        if self._restoring is not None:
            return False   # rebuilding a resumed session's state: nothing may fold meanwhile
        rec = self.recorder
        if rec is None or getattr(rec, "queued", 0) < self.max_backlog:
            return True
        return getattr(rec, "last_error", None) is not None

    # ---- log plumbing -------------------------------------------------------------
    def append_local(self, type_: str, data: dict, source: str = "operator") -> Event | None:
        """Append a local event; before the session is known it is held and appended on welcome."""
        if self._session_open is None or self._restoring is not None:
            self._early_local.append((type_, data, source))
            if len(self._early_local) > 200:   # bounded: e.g. status flips while never welcomed
                del self._early_local[:-100]
            return None
        return self.log.append_local(type_, data, source)

    def _after_batch(self, events: list[Event]) -> None:
        rec = self.recorder
        if rec is None:
            return
        rec.submit(events)
        self._drain_buyers()
        self._since_snapshot += len(events)
        if self._since_snapshot >= self.snapshot_every:
            self._snapshot()
        now = time.monotonic()
        if now - self._summary_at >= SUMMARY_INTERVAL:
            self._update_summary()

    def _drain_buyers(self) -> None:
        keys = getattr(self.state.buyers_registry, "new_keys", None)
        if keys and self.recorder is not None:
            drained = list(keys)
            keys.clear()
            self.recorder.submit_first_purchases(drained)

    def _snapshot(self) -> None:
        self._since_snapshot = 0
        if self.recorder is not None and self.state.last_seq:
            self.recorder.submit_snapshot(self.state.last_seq, orjson.dumps(self.state.to_snapshot()))

    def _update_summary(self, ended: bool = False) -> None:
        self._summary_at = time.monotonic()
        if self.recorder is None:
            return
        summary = dict(self.state.summary())
        summary["started_at"] = self.state.started_at
        if ended:
            summary["ended_at"] = self.state.ended_at or self.state.last_ts or time.time()
        self.recorder.update_summary(summary)

    # ---- feed callbacks -------------------------------------------------------------
    def _on_welcome(self, msg: dict) -> None:
        self.welcome = msg
        session = msg.get("session") or {}
        sid = str(session.get("id"))
        if self._session_open is not None and sid != self._session_open:
            log.warning("feed switched session %s -> %s; starting a new log", self._session_open, sid)
            self.log = SessionLog()
            self.state.adopt(SessionState())   # in place: the console's widgets keep following
            self._subscribe()
            self._since_snapshot = 0
        self.log.session_id = sid
        if self._session_open != sid:
            last_feed = last_seq = 0
            if self.recorder is not None:
                meta = {k: session.get(k) for k in ("room", "title", "currency", "platform",
                                                    "started_at")}
                meta["url"] = self.url
                last_seq = self.recorder.open_session(sid, meta)
                if last_seq:
                    self.log.next_seq = last_seq + 1
                last_feed = _recorder_last_feed(self.recorder, sid)
            self._session_open = sid
            if last_feed:
                self.log.last_feed_seq = last_feed
                self.client.resume_from(last_feed)
            if last_seq and getattr(self.recorder, "engine", None) is not None:
                # Read the recording off the event loop (the console's UI thread); meanwhile
                # the client holds reading and local events wait in _early_local.
                loop = asyncio.get_running_loop()
                self._restoring = loop.run_in_executor(None, self._read_recorded_state, sid,
                                                       last_seq)
                self._restoring.add_done_callback(lambda f: self._restored(sid, f))
                return
            if last_seq:
                log.warning("session %s resumes at log seq %d without its earlier state "
                            "(the recorder cannot be read back)", sid, last_seq)
        self._finish_welcome(sid)

    def _restored(self, session_id: str, future: "asyncio.Future[SessionState]") -> None:
        self._restoring = None
        if future.cancelled():
            return
        try:
            state = future.result()
        except Exception as exc:  # noqa: BLE001 - the live session goes on without history
            log.error("could not rebuild session %s from its recording (%s); the view starts "
                      "from the resume point, the recording itself is intact", session_id, exc)
        else:
            self.state.adopt(state)
            log.info("resumed recorded session %s at log seq %d (%d orders, GMV %.2f)",
                     session_id, state.last_seq, state.orders, state.gmv)
        self._finish_welcome(session_id)

    def _finish_welcome(self, sid: str) -> None:
        early, self._early_local = self._early_local, []
        for type_, data, source in early:
            self.log.append_local(type_, data, source)
        if self.plan is not None and self._plan_logged_for != sid:
            self._plan_logged_for = sid
            self.log.append_local(p.PLAN_LOADED, {"plan": self.plan.to_dict()}, "system")

    def _read_recorded_state(self, session_id: str, last_seq: int) -> SessionState:
        """Resuming a session that is already recorded (the console or recorder restarted):
        the state from the nearest snapshot and the events after it, so the live view and the
        summary carry on from where the recording stands, not from zero. Runs on a worker
        thread with its own database connection."""
        from console.recorder import Store

        store = Store(self.recorder.engine.url.render_as_string(hide_password=False))
        try:
            buyers = MemoryBuyers()
            buyers.keys.update(store.first_purchases(session_id))
            snap = store.snapshot_at_or_before(session_id, last_seq)
            state = SessionState.from_snapshot(snap[1], buyers) if snap else SessionState(buyers)
            while state.last_seq < last_seq:
                batch = store.events(session_id, state.last_seq + 1, last_seq, limit=RESTORE_CHUNK)
                if not batch:
                    break
                state.apply(batch)
        finally:
            store.close()
        return state

    def _on_feed_events(self, events: list[dict]) -> None:
        every = self.snapshot_every
        if self.recorder is None or self._since_snapshot + len(events) < every:
            self.log.append_feed(events)
            return
        # a long list (the client coalesces frames): cut it where a snapshot is due
        i, n = 0, len(events)
        while i < n:
            room = max(1, every - self._since_snapshot)
            self.log.append_feed(events[i:i + room])
            i += room

    def _on_feed_local(self, type_: str, data: dict) -> None:
        self.append_local(type_, data, "system")

    def _on_command_result(self, command_id: str, ok: bool, payload: dict) -> None:
        if ok:
            self.append_local(p.OPERATOR_ACK, {"command_id": command_id,
                                               "feed_seq": payload.get("seq")}, "system")
        else:
            self.append_local(p.OPERATOR_ERROR, {"command_id": command_id,
                                                 "code": payload.get("code", "error"),
                                                 "message": payload.get("message", "")}, "system")

    # ---- commands -------------------------------------------------------------------
    def send_command(self, name: str, args: dict, source: str = "operator") -> str:
        """Log the command (``source``: operator, or automation for console/automation.py) and
        send it to the feed; its ack or error is logged when it comes."""
        command_id = uuid.uuid4().hex[:12]
        self.append_local(p.OPERATOR_COMMAND, {"command_id": command_id, "name": name,
                                               "args": args}, source)
        self.client.send_command(command_id, name, args)
        return command_id


def _recorder_last_feed(recorder: Any, session_id: str) -> int:
    """The last recorded feed seq of a session (0 if unknown)."""
    value = getattr(recorder, "last_feed_seq", None)
    if callable(value):
        value = value(session_id)
    if type(value) is int:
        return value
    # console.recorder.Recorder keeps {session: [last_seq, last_feed_seq]} after open_session.
    last = (getattr(recorder, "_last", None) or {}).get(session_id)
    try:
        return int(last[1]) if last else 0
    except (TypeError, ValueError, IndexError):
        return 0


# ---- CLI: livedesk record ------------------------------------------------------------
def _summary_line(session: LiveSession) -> str:
    st, status = session.state, session.status
    age = status.data_age()
    c = status.counters
    return (f"{status.state:<12} age {('-' if age is None else f'{age:4.1f}s'):>6} "
            f"{status.events_per_s:8.0f} ev/s  seq {st.last_seq} (feed {st.last_feed_seq})  "
            f"GMV {st.gmv:,.2f}  orders {st.orders}  buyers {st.buyers}  "
            f"online {st.traffic['online']}  card {st.current_sku or '-'}  gaps {c.gaps}")


async def _record(args: Any) -> int:
    recorder_mod = importlib.import_module("console.recorder")  # lazy: optional heavy deps

    plan = None
    if getattr(args, "plan", None):
        from console.plan import load_plan
        plan = load_plan(args.plan)
    recorder = recorder_mod.open_recorder(getattr(args, "db", None))
    session = LiveSession(args.url, plan=plan, token=getattr(args, "token", None),
                          recorder=recorder)
    gc_thresholds = tune_gc()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        try:
            loop.add_signal_handler(sig, stop.set)
        except (NotImplementedError, RuntimeError):  # pragma: no cover - Windows
            signal.signal(sig, lambda *_: loop.call_soon_threadsafe(stop.set))
    duration = getattr(args, "duration", None)
    deadline = time.monotonic() + duration if duration else None
    quiet = getattr(args, "quiet", False)
    await session.start()
    try:
        while not stop.is_set():
            try:
                await asyncio.wait_for(stop.wait(), 1.0)
            except asyncio.TimeoutError:
                pass
            if not quiet:
                print(_summary_line(session), flush=True)
            if deadline is not None and time.monotonic() >= deadline:
                break
            if session.status.state == "unauthorized":
                break
    finally:
        await session.stop()
        recorder.close()
        restore_gc(gc_thresholds)
        for sig in (signal.SIGINT, signal.SIGTERM):
            try:
                loop.remove_signal_handler(sig)
            except (NotImplementedError, RuntimeError):  # pragma: no cover
                pass
    if not quiet:
        print(_summary_line(session), flush=True)
    if recorder.last_error:
        print(f"recorder error: {recorder.last_error}", file=sys.stderr)
    return 0


def run_record(args: Any) -> int:
    """``livedesk record URL [--plan FILE] [--db URL] [--token T] [--duration S] [--quiet]``."""
    try:
        return asyncio.run(_record(args))
    except KeyboardInterrupt:  # pragma: no cover
        return 0
