"""LiveSession: feed client -> session log -> state fold -> recorder (headless).

See docs/dev/contracts.md. The log's listeners are, in order: ``state.apply``,
then ``recorder.submit``. Feed events, operator commands and results, feed
status changes, gaps, alerts and snapshots all go through the one log. The
session evaluates its alert conditions itself once a second (console/live/alerts.py),
so a headless ``livedesk record`` records alerts as the console does.
"""

from __future__ import annotations

import asyncio
import gc
import logging
import time
import uuid
from typing import Any

import orjson

from console.api import Recorder
from console.core import protocol as p
from console.core.eventlog import Event, SessionLog, feed_speed
from console.core.plan import ShowPlan
from console.feed.client import FeedClient, FeedStatus
from console.feed.reconnect import ReconnectPolicy
from console.fold.state import MemoryBuyers, SessionState
from console.live.alerts import SessionAlerts, Thresholds
from console.live.lag import FeedLag

log = logging.getLogger(__name__)

SUMMARY_INTERVAL = 1.0
EXIT_REFUSED = 3        # livedesk record: the feed refused the login (wrong or missing token)
EXIT_NO_RECORDING = 4   # livedesk record: the database cannot be opened (full disk, ...)
#: Feed events the recorder may have queued before the feed client stops reading for a
#: moment (flow control: memory stays bounded when the feed outpaces the database).
MAX_BACKLOG = 20_000
#: Events kept in memory at most while the recorder is failing (a full disk, a lost database):
#: up to this many the live view goes on; then reading the feed pauses (reported once, in the
#: log and the summary line) until the recording recovers, and the feed keeps the rest (a feed
#: that drops us meanwhile is resumed from the last event read; docs/session-log.md).
#: Measured: about 0.35 KB per simulator event as encoded rows, held in this process and again
#: in the recording process; with larger events 200,000 is some 100 to 200 MB in all.
MAX_UNRECORDED = 200_000
RESTORE_CHUNK = 5_000      # events read per query when rebuilding a resumed session
#: A state snapshot is recorded every this many log events: a replay seek folds at most this
#: many events after the nearest snapshot (bench/replay.py measures with the same spacing).
SNAPSHOT_EVERY = 2_000
#: The session row's summary (and so its ``updated_at``) is rewritten at least this often while
#: a session is open, events or not: the library tells a session whose recorder is gone
#: (``console.recorder.store.RECORDER_GONE_S`` without a heartbeat) from one still recording.
HEARTBEAT_S = 10.0
#: Session statuses kept in the session row's summary (``meta.summary.status``).
ENDED, INTERRUPTED = "ended", "interrupted"
#: The alert conditions are evaluated this often (wall seconds) while the session runs.
ALERT_EVERY_S = 1.0


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


class RecordingUnavailable(ConnectionError):
    """The recorder cannot open the session (a full disk): the feed client drops the
    connection and reconnects later, when opening it is tried again."""


class LiveSession:
    """One live session (implements :class:`console.api.Session`); ``thresholds``: the alert
    thresholds it starts with (:meth:`set_thresholds` changes them)."""

    def __init__(self, url: str, *, plan: ShowPlan | None = None, token: str | None = None,
                 recorder: Recorder | None = None, snapshot_every: int = SNAPSHOT_EVERY,
                 policy: ReconnectPolicy | None = None, max_backlog: int = MAX_BACKLOG,
                 max_unrecorded: int = MAX_UNRECORDED, thresholds: Thresholds | None = None,
                 **client_options: Any) -> None:
        self.url = url
        self.plan = plan
        self.token = token
        self.recorder = recorder
        self.snapshot_every = snapshot_every
        self.max_backlog = max_backlog
        self.max_unrecorded = max(max_backlog, max_unrecorded)
        #: True while reading is paused because the failing recorder holds max_unrecorded
        self.recording_overflow = False
        self.log = SessionLog()
        self.state = SessionState()
        self.client = FeedClient(url, token=token, on_events=self._on_feed_events,
                                 on_local=self._on_feed_local,
                                 on_command_result=self._on_command_result,
                                 on_welcome=self._on_welcome, policy=policy,
                                 read_gate=self._may_read if recorder is not None else None,
                                 **client_options)
        self.status: FeedStatus = self.client.status
        #: how far reading is behind the feed (console.live.lag): the status bar, the "falling
        #: behind" alert and the frame clock's catch-up mode read it
        self.lag = FeedLag()
        self.welcome: dict | None = None
        #: the feed's clock speed (welcome ``speed``); local events are stamped on that clock
        self.speed = 1.0
        #: (earlier session id, new session id) when the feed switched sessions under us
        self.switched: tuple[str, str] | None = None
        #: the alert conditions, checked every ALERT_EVERY_S while the session runs
        self.alerts = SessionAlerts(self, thresholds)
        self._started = False
        self._heartbeat: asyncio.Task | None = None
        self._alert_task: asyncio.Task | None = None
        self._carry: tuple | None = None    # what a switch to a new feed session carries over
        self._session_open: str | None = None
        self._plan_logged_for: str | None = None
        self._since_snapshot = 0
        self._summary_at = 0.0
        self._early_local: list[tuple[str, dict, str]] = []  # before the first welcome
        self._restoring: asyncio.Future | None = None        # rebuilding a resumed state
        self._local_ids: dict[str, str] = {}                  # feed session id -> recorded id
        self._subscribe()
        self._preview_plan()

    def _preview_plan(self) -> None:
        """Show the validated plan at once, before any feed answers (an unreachable feed must
        not leave the run of show empty). The state folds the same ``plan.loaded`` the log
        will carry once the session is known (seq 0, not recorded, no time): folding it again
        then gives the same state, and a resumed session's state replaces it."""
        if self.plan is not None:
            preview = SessionState(self.state.buyers_registry)
            preview.apply([Event(1, 0.0, p.PLAN_LOADED, {"plan": self.plan.to_dict()}, "system")])
            preview.last_seq = 0          # nothing of the log is folded yet
            self.state.adopt(preview)

    def _subscribe(self) -> None:
        self.log.subscribe(self.state.apply)
        self.log.subscribe(self._after_batch)

    # ---- lifecycle --------------------------------------------------------------
    def attach(self, *, url: str | None = None, recorder: Recorder | None = None) -> None:
        """Before :meth:`start`: the feed URL and the recorder, when they were not known yet
        at construction (the console shows its window while the simulator and the recording
        process are still starting)."""
        if self._started:
            raise RuntimeError("attach() after start()")
        if url is not None:
            self.url = self.client.url = url
        if recorder is not None:
            self.recorder = recorder
            self.client.read_gate = self._may_read

    async def start(self) -> None:
        self._started = True
        if self.recorder is not None and self.client.session_id is None:
            await self._resume_from_recording()
        await self.client.start()
        if self.recorder is not None and self._heartbeat is None:
            self._heartbeat = asyncio.ensure_future(self._beat())
        if self._alert_task is None:
            self._alert_task = asyncio.ensure_future(self._watch_alerts())

    @property
    def watching_alerts(self) -> bool:
        """Whether the alert conditions are being checked (from start() until stop())."""
        return self._alert_task is not None

    def set_thresholds(self, thresholds: Thresholds) -> None:
        """Alert thresholds from the next check on (the console's settings)."""
        self.alerts.set_thresholds(thresholds)

    def check_alerts(self, now: float | None = None) -> list[tuple[str, dict]]:
        """Evaluate the alert conditions now and log what was raised or cleared."""
        return self.alerts.check(now)

    async def _watch_alerts(self) -> None:
        """Check the alerts once a second of wall time: a feed that went quiet or dropped is
        noticed while nothing arrives. Not while a resumed session's state is being rebuilt."""
        while True:
            await asyncio.sleep(ALERT_EVERY_S)
            if self._restoring is not None:
                continue
            try:
                self.check_alerts()
            except Exception:
                log.exception("checking the alerts failed")

    async def _resume_from_recording(self) -> None:
        """Say hello with the recording's own session id and last feed seq (a restarted
        recorder or console): a feed that still holds the events after it replays them."""
        url = self.recorder.database_url if self.recorder is not None else None
        if url is None:
            return
        store_url = url.render_as_string(hide_password=False)

        def read() -> tuple[str, int, str] | None:
            from console.recorder import Store
            store = Store(store_url)
            try:
                return store.resume_point(self.url)
            finally:
                store.close()
        try:
            point = await asyncio.get_running_loop().run_in_executor(None, read)
        except Exception as exc:  # noqa: BLE001 - resuming is an optimisation; start fresh
            log.warning("could not read the resume point from the recording (%s); "
                        "starting fresh", exc)
            return
        if point is not None:
            sid, last_feed, recorded_as = point
            log.info("resuming recorded session %s after feed seq %d", recorded_as, last_feed)
            self._local_ids[sid] = recorded_as
            self.client.session_id = self.client.status.session_id = sid
            self.client.last_seq = self.client.status.last_seq = last_feed

    async def stop(self) -> None:
        if self._alert_task is not None:
            self._alert_task.cancel()
            self._alert_task = None
        await self.client.stop()
        if self._heartbeat is not None:
            self._heartbeat.cancel()
            self._heartbeat = None
        if self._restoring is not None:
            await asyncio.wait([self._restoring])   # its callback appends the held events
        if self.recorder is not None and self._session_open:
            self._snapshot()
            self._drain_buyers()
            self._update_summary(ended=True)
            await asyncio.get_running_loop().run_in_executor(None, self.recorder.flush)

    def now(self) -> float:
        """The session's current time: the feed's clock (see :class:`console.core.eventlog.SessionClock`).
        Widgets, alerts and the prompt panel use this, never the wall clock."""
        return self.log.now()

    async def _beat(self) -> None:
        """Keep the session row fresh while the session is open, even when nothing arrives."""
        while True:
            await asyncio.sleep(HEARTBEAT_S)
            if self._session_open is not None and self._restoring is None:
                try:
                    self._update_summary()
                except Exception as exc:  # noqa: BLE001 - the recorder reports its own errors
                    log.debug("heartbeat: %r", exc)

    def _may_read(self) -> bool:
        """Flow control for the feed client: hold reading while the recorder is behind.

        Not while the recorder is failing (full disk, lost database): then the live
        view keeps going and the recorder keeps the events in memory until it recovers.
        """
        if self._restoring is not None:
            return False   # rebuilding a resumed session's state: nothing may fold meanwhile
        rec = self.recorder
        queued = rec.queued if rec is not None else 0
        if queued < self.max_backlog:
            if self.recording_overflow:
                self._overflow_over()
            return True
        error = rec.last_error if rec is not None else None
        if error is None:
            if self.recording_overflow:
                self._overflow_over()
            return False   # ordinary flow control: the recorder is only behind
        if queued < self.max_unrecorded:
            return True
        if not self.recording_overflow:
            self.recording_overflow = True
            log.error("recording is failing (%s) and %s events are kept in memory, the limit: "
                      "reading the feed is paused until the recording recovers (the feed "
                      "keeps the rest)", error, f"{self.max_unrecorded:,}")
        return False

    def _overflow_over(self) -> None:
        self.recording_overflow = False
        log.warning("recording recovered; reading the feed again")

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
        registry = self.state.buyers_registry
        keys = registry.new_keys if isinstance(registry, MemoryBuyers) else None
        if keys and self.recorder is not None:
            drained = list(keys)
            keys.clear()
            self.recorder.submit_first_purchases(drained)

    def _snapshot(self) -> None:
        self._since_snapshot = 0
        if self.recorder is not None and self.state.last_seq:
            self.recorder.submit_snapshot(self.state.last_seq, orjson.dumps(self.state.to_snapshot()))

    def _update_summary(self, ended: bool = False, status: str | None = None) -> None:
        self._summary_at = time.monotonic()
        if self.recorder is None:
            return
        summary = dict(self.state.summary())
        summary["started_at"] = self.state.started_at
        if ended:
            summary["ended_at"] = self.state.ended_at or self.state.last_ts or self.log.now()
            summary["status"] = status or ENDED
        self.recorder.update_summary(summary)

    # ---- feed callbacks -------------------------------------------------------------
    def _on_welcome(self, msg: dict) -> None:
        self.welcome = msg
        self.speed = feed_speed(msg)
        self.lag.reset(self.speed)              # a new connection: a new on-time baseline
        session = msg.get("session") or {}
        sid = self._local_session_id(str(session.get("id")))
        if self._session_open is not None and sid != self._session_open:
            self._carry = carry = self._switch_session(self._session_open, sid)
        else:
            carry = None
        self.log.session_id = sid
        clock = self.log.session_clock
        clock.speed = self.speed
        started = session.get("started_at")
        if not clock.anchored and isinstance(started, (int, float)) and not isinstance(started, bool):
            # Until the first feed event arrives, the feed's time is known only from its
            # session start: the events held until now (plan, status) are stamped with it.
            clock.hold(float(started))
        if self._session_open != sid:
            last_feed = last_seq = 0
            if self.recorder is not None:
                meta = {k: session.get(k) for k in ("room", "title", "currency", "platform",
                                                    "started_at")}
                meta["url"] = meta["source_url"] = self.url
                meta["feed_session"] = str(session.get("id"))
                meta["clock"] = "session"   # every event on the feed's clock (one clock)
                meta["speed"] = self.speed
                if carry is not None:
                    meta["continues"] = carry[0]
                try:
                    last_seq = self.recorder.open_session(sid, meta)
                except Exception as exc:  # e.g. a full disk: retried, not silent
                    reason = (str(exc).splitlines() or [type(exc).__name__])[0]
                    log.error("cannot open the recording of session %s (%s); trying again "
                              "when the feed reconnects", sid, reason)
                    raise RecordingUnavailable(reason) from exc
                if last_seq:
                    self.log.next_seq = last_seq + 1
                last_feed = self.recorder.last_feed_seq(sid)
            self._session_open = sid
            if last_feed:
                self.log.last_feed_seq = last_feed
                self.client.resume_from(last_feed)
            if last_seq and self.recorder is not None and self.recorder.database_url is not None:
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

    def _local_session_id(self, feed_sid: str) -> str:
        """The id this process records the feed's session under: the feed's own, unless the
        feed restarted its numbering of it (a hello ahead of the feed, docs/protocol.md); then
        what follows is a new session ``<id>~<date-time>`` and the earlier recording stays."""
        if self.client.numbering_restarted:
            local = f"{feed_sid}~{time.strftime('%Y%m%d-%H%M%S')}"
            log.warning("feed session %s restarted its numbering; recording what follows as %s",
                        feed_sid, local)
            self._local_ids[feed_sid] = local
        return self._local_ids.get(feed_sid, feed_sid)

    def _switch_session(self, old: str, new: str) -> tuple[str, dict | None, list[str]]:
        """The feed answered with another session id: the feed restarted (its session and its
        seqs begin anew), so this is a new session, never a continuation of the old log.

        The rule (docs/session-log.md, "A feed that restarts"): the earlier session is closed
        as *interrupted* in the recording (the feed never said it ended), a new session is
        recorded from the feed's first event, and the operator's working plan (cue-card edits
        and run-of-show order) carries over into it. ``self.switched`` tells the console,
        which says so on screen. Returns (old id, plan, run-of-show order) to carry over."""
        log.warning("feed switched session %s -> %s: %s is closed as interrupted and a new "
                    "session is recorded", old, new, old)
        plan = self.state.plan if isinstance(self.state.plan, dict) and self.state.plan else None
        order = list(self.state.run_of_show)
        if self.recorder is not None:
            self._snapshot()
            self._drain_buyers()
            self._update_summary(ended=True, status=INTERRUPTED)
        # In place: the log's listeners (fold, recorder, relay, plugins) and the console's
        # widgets keep following. A new feed session has its own seqs and its own clock.
        self.log.restart(new)
        self.state.adopt(SessionState())
        self.alerts.reset()            # alerts are raised anew in the new session's log
        self._since_snapshot = 0
        self._plan_logged_for = None
        self.switched = (old, new)
        return old, plan, order

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
            self.alerts.adopt(state.active_alerts)   # raised in the recording: not again
            if state.last_ts > self.log.last_ts:
                self.log.last_ts = state.last_ts   # local events never go back in time
            if state.last_ts:
                self.log.session_clock.observe(state.last_ts)
            log.info("resumed recorded session %s at log seq %d (%d orders, GMV %.2f)",
                     session_id, state.last_seq, state.orders, state.gmv)
        self._finish_welcome(session_id)

    def _finish_welcome(self, sid: str) -> None:
        carry, self._carry = self._carry, None
        early, self._early_local = self._early_local, []
        for type_, data, source in early:
            self.log.append_local(type_, data, source)
        plan = carry[1] if carry is not None and carry[1] else (
            self.plan.to_dict() if self.plan is not None else None)
        if plan is not None and self._plan_logged_for != sid:
            self._plan_logged_for = sid
            self.log.append_local(p.PLAN_LOADED, {"plan": plan}, "system")
            if carry is not None and carry[2] and carry[2] != list(self.state.run_of_show):
                self.log.append_local(p.OPERATOR_REORDER, {"order": carry[2]}, "operator")

    def _read_recorded_state(self, session_id: str, last_seq: int) -> SessionState:
        """Resuming a session that is already recorded (the console or recorder restarted):
        the state from the nearest snapshot and the events after it, so the live view and the
        summary carry on from where the recording stands, not from zero. Runs on a worker
        thread with its own database connection."""
        from console.recorder import Store

        url = self.recorder.database_url if self.recorder is not None else None
        if url is None:
            raise RuntimeError("the recorder cannot be read back")
        store = Store(url.render_as_string(hide_password=False))
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
        if events:
            self.lag.observe(events[-1]["ts"], len(events))   # (checked by the feed client)
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
        if type_ == p.FEED_STATUS:
            # the clock's speed goes into the log, so readers of the log (a remote prompt
            # panel, replay) run the same clock (console.core.eventlog.StateClock)
            data = dict(data, speed=self.speed)
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
        """Log the command (``source``: operator, or automation for console/live/automation.py) and
        send it to the feed; its ack or error is logged when it comes."""
        command_id = uuid.uuid4().hex[:12]
        self.append_local(p.OPERATOR_COMMAND, {"command_id": command_id, "name": name,
                                               "args": args}, source)
        self.client.send_command(command_id, name, args)
        return command_id

