"""`livedesk replay [SESSION] [--db URL]`: the session library and the replay window.

The replay window is a session window (:class:`console.gui.session_window.SessionWindow`: the
live console's panels, docks and frame clock), driven by a
:class:`console.replay.replay.ReplayFeed` instead of a LiveSession, with the operator controls
read-only; it adds the prompt panel (what the host saw), a timeline at the bottom, the session
library and report exports.

Nothing touches the database on the UI thread: opening, seeking, stepping, playback reads,
following a session that is still being recorded, the library's list / delete / export /
import, and report exports all run on worker threads (``console.gui.tasks``: an operation,
then its result on the UI thread, Anki style). The UI thread only folds the events
a frame needs (at most ``max_per_frame``) and adopts states built by the worker. Seeks fold
in a process of their own (:mod:`console.replay.seeker`), so dragging the play head does not
take the GIL from the UI thread; the worker seeks itself until that process is ready, or if
it fails.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import logging
import sys
import threading
import time
from functools import partial
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QToolBar, QWidget

from console.fold.state import SessionState
from console.gui import tasks
from console.gui.help_menu import add_help_menu, describe_database
from console.gui.session_window import SessionWindow
from console.recorder.store import SessionExistsError
from console.replay.replay import Replay, ReplayFeed, SessionNotFound
from console.replay.seeker import SeekProcess, SeekUnavailable, store_url
from console.gui.seek_apply import BindWhenShown, SeekApply
from widgets.prompter_panel import PrompterPanel
from widgets.session_library import SessionLibrary
from widgets.timeline import Timeline

log = logging.getLogger(__name__)

REPORT_FORMATS = ("xlsx", "csv", "html", "pdf")
#: GIL switch interval for the replay app. The worker thread's seeks are CPU-bound Python
#: (snapshot decode, fold); with the default 5 ms the UI thread queues behind it at every
#: return from Qt and a repaint stretches several-fold (bench/replay.py --gui measures it).
SWITCH_INTERVAL_S = 0.0005
#: Events folded on the UI thread in one go while playing (5-10 ms); a frame's fetch (up to
#: ``max_per_frame``) is folded in batches of this size, one per turn of the event loop.
FOLD_BATCH = 500


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def _let_go(_obj: Any) -> None:
    """Nothing: the last reference to its argument goes on the thread that runs it."""


# ---- Replay controller ----------------------------------------------------------------------
class ReplayController(QObject):
    """Owns the Replay and its ReplayFeed; the timeline's model. All reads on a worker thread."""

    # ---- Signals
    sig_opened = Signal()
    """The recording is open (bounds, lanes and the first state are known)."""
    sig_reset = Signal(object)
    """A seek or a jump made a new SessionState current (observers re-bind to it)."""
    sig_grew = Signal()
    """A session still being recorded grew (the timeline's end and lanes changed)."""
    sig_error = Signal(str)
    """An operation failed (message for the user)."""
    sig_playing_frame = Signal()
    """A frame passed while playing (the play head moved even if no event arrived)."""

    def __init__(self, store, session_id: str, *, frame_ms: int = 33, refresh_ms: int = 1000,
                 max_per_frame: int = 2000, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.store = store
        self.session_id = session_id
        self.max_per_frame = max_per_frame
        self.replay: Replay | None = None
        self.feed: ReplayFeed | None = None
        self.placeholder = SessionState()
        #: store reads, one at a time, on a thread of their own (console.gui.tasks)
        self._reads = tasks.serial_executor("replay")
        #: seeks fold in a process of their own (console.replay.seeker) on a real database
        self.seeker: SeekProcess | None = None
        self.lanes_version = 0
        self.recording = False
        self.opened = False
        self.seeks_done = 0
        self.refreshes_done = 0
        self.open_ms: float | None = None
        self._busy = False
        self._pending_seek: tuple[str, float] | None = None
        self._want_refresh = False
        self._follow = False
        self._closed = False
        self._frame = QTimer(self)
        self._frame.setInterval(frame_ms)
        self._frame.timeout.connect(self._on_frame)
        self._refresh_timer = QTimer(self)
        self._refresh_timer.setInterval(refresh_ms)
        self._refresh_timer.timeout.connect(self._on_refresh_timer)

    # ---- Timeline model
    @property
    def state(self) -> SessionState:
        return self.feed.state if self.feed is not None else self.placeholder

    @property
    def start_ts(self) -> float:
        return self.feed.clock.start if self.feed is not None else 0.0

    @property
    def end_ts(self) -> float:
        return self.feed.clock.end if self.feed is not None else 0.0

    @property
    def playing(self) -> bool:
        return self.feed is not None and self.feed.clock.playing

    @property
    def rate(self) -> float:
        return self.feed.clock.rate if self.feed is not None else 1.0

    @property
    def lanes(self) -> list:
        return self.replay.lanes if self.replay is not None else []

    def position(self) -> float:
        if self.feed is not None:
            return self.feed.clock.position()
        return self.placeholder.last_ts or time.time()

    @property
    def idle(self) -> bool:
        """Nothing in flight or queued (tests wait for this)."""
        return (self.opened and not self._busy and self._pending_seek is None
                and not self._want_refresh)

    # ---- Public API (intents from the timeline)
    def open(self) -> None:
        self._busy = True
        t0 = time.perf_counter()

        def done(feed: ReplayFeed) -> None:
            self.open_ms = (time.perf_counter() - t0) * 1000
            self._busy = False
            self.feed, self.replay = feed, feed.replay
            feed.on_reset.append(self.sig_reset.emit)
            self.recording = self._is_recording()
            self.opened = True
            self.lanes_version += 1
            self._frame.start()
            if self.recording:
                self._refresh_timer.start()
            self.sig_opened.emit()
            self.sig_reset.emit(feed.state)
            self._pump()

        self._submit(self._open_feed, done)

    def seek_time(self, ts: float) -> None:
        if self.feed is None:
            return
        self.feed.clock.seek(ts)             # the play head moves now; the state follows
        self._pending_seek = ("ts", self.feed.clock.position())
        self._pump()

    def seek_seq(self, seq: int) -> None:
        if self.feed is None:
            return
        self._pending_seek = ("seq", float(seq))
        self._pump()

    def step(self, kind: str, direction: int):
        """Jump to the previous/next lane event of ``kind`` ("" = any); returns it or None."""
        if self.feed is None or self.replay is None:
            return None
        le = self.replay.next_lane(kind or None, self.feed.clock.position(), direction)
        if le is None:
            return None
        self.feed.clock.seek(le.ts)
        self._pending_seek = ("seq", float(le.seq))
        self._pump()
        return le

    def set_playing(self, on: bool) -> None:
        if self.feed is None:
            return
        if on:
            self.feed.clock.play()
        else:
            self.feed.clock.pause()
            self._follow = False
        self._pump()

    def toggle(self) -> None:
        self.set_playing(not self.playing)

    def set_rate(self, rate: float) -> None:
        if self.feed is not None:
            self.feed.clock.set_rate(rate)

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._frame.stop()
        self._refresh_timer.stop()
        tasks.cancel_all(self)               # a result still coming is dropped
        self._reads.shutdown(wait=False, cancel_futures=True)
        if self.seeker is not None:      # may wait for a seek in flight: not on the UI thread
            threading.Thread(target=self.seeker.close, name="replay-seeks-close",
                             daemon=True).start()

    # ---- Worker side (no Qt, no UI state)
    def _open_feed(self) -> ReplayFeed:
        rp = Replay(self.store, self.session_id).open()
        url = store_url(self.store)
        if url is not None:
            try:
                self.seeker = SeekProcess(url, self.session_id).start()
            except Exception as exc:  # noqa: BLE001 - the worker seeks itself instead
                # Opening must not fail for want of the seek process (it left the window on an
                # empty run of show and inventory): seeks then fold on the worker thread.
                log.warning("replay: no seek process (%r); seeks run on the worker thread", exc)
                self.seeker = None
        # batches of FOLD_BATCH events: folded one per turn of the event loop (_apply_pieces)
        return ReplayFeed(rp, rate=1.0, chunk=FOLD_BATCH, max_per_tick=self.max_per_frame)

    def _seek_state(self, kind: str, value: float) -> SessionState:
        rp = self.replay
        seeker = self.seeker
        if seeker is not None and seeker.available:
            try:                                 # folded in the seek process: the GIL stays free
                return seeker.state_at_time(value) if kind == "ts" else seeker.state_at(int(value))
            except SeekUnavailable as exc:
                log.debug("seeking in this process: %s", exc)
        return rp.state_at(rp.seq_at_time(value) if kind == "ts" else int(value))

    # ---- Internals
    def _submit(self, operation: Callable[[], Any], on_success: Callable[[Any], None]) -> None:
        """Run a store operation on the controller's thread; back on the UI thread after."""
        tasks.run(operation, on_success, self._on_failed, owner=self, executor=self._reads)

    def _is_recording(self) -> bool:
        info = self.replay.info if self.replay is not None else None
        if info is None:
            return False
        return info.status == "recording"      # a session whose recorder is gone: not followed

    def _pump(self) -> None:
        """Start the next operation: a seek beats a refresh beats playback reads."""
        if self._busy or self._closed or self.feed is None:
            return
        if self._pending_seek is not None:
            kind, value = self._pending_seek
            self._pending_seek = None
            self._busy = True
            self._submit(partial(self._seek_state, kind, value), self._on_seek_done)
        elif self._want_refresh:
            self._want_refresh = False
            self._busy = True
            self._submit(self.replay.refresh, self._on_refresh_done)
        elif self.feed.clock.playing:
            self._busy = True
            self._submit(partial(self.feed.fetch, self.feed.clock.position(), self.feed.cursor),
                         self._on_fetch_done)

    def _on_seek_done(self, state: SessionState) -> None:
        self._busy = False
        self.seeks_done += 1
        old = self.feed.state
        self.feed.adopt(state)               # emits sig_reset through feed.on_reset
        self._pump()
        # the panels let go of the replaced state in sig_reset: free its hundred thousand
        # objects on the worker thread (3-4 ms of the UI thread otherwise)
        tasks.run(partial(_let_go, old), _let_go, owner=self, executor=self._reads)
        del old

    def _on_fetch_done(self, fetched) -> None:
        self._apply_pieces(fetched.pieces(), self.feed.clock.playing)

    def _apply_pieces(self, pieces: list, was_playing: bool) -> None:
        """Fold a fetch one batch per turn of the event loop (input and paints in between)."""
        feed = self.feed
        if self._closed or feed is None:
            return
        if self._pending_seek is None:       # a seek replaces the state anyway: drop the rest
            feed.apply_fetch(pieces[0])
            if len(pieces) > 1:
                QTimer.singleShot(0, lambda: self._apply_pieces(pieces[1:], was_playing))
                return
        self._busy = False
        if was_playing and not feed.clock.playing and self.recording:
            self._follow = True              # reached the recorded end: follow it as it grows
        if self._pending_seek is not None:
            self._pump()                     # the seek now, not at the next frame

    def _on_refresh_done(self, grew: bool) -> None:
        self._busy = False
        self.refreshes_done += 1
        if grew:
            self.feed.clock.set_end(self.replay.end_ts)
            self.lanes_version += 1
            if self._follow:
                self._follow = False
                self.feed.clock.play()
            self.sig_grew.emit()
        self.recording = self._is_recording()
        if not self.recording:
            self._refresh_timer.stop()
        self._pump()

    def _on_failed(self, exc: BaseException) -> None:
        self._busy = False
        log.error("replay operation failed: %r", exc, exc_info=exc)
        if isinstance(exc, SessionNotFound):
            self.sig_error.emit(_tr("No such session") + f": {self.session_id}")
        else:
            self.sig_error.emit(f"{type(exc).__name__}: {exc}")
        if self.opened:
            self._pump()

    # ---- Slots
    def _on_frame(self) -> None:
        self._pump()
        if self.playing:
            self.sig_playing_frame.emit()

    def _on_refresh_timer(self) -> None:
        self._want_refresh = True
        self._pump()


class _ReplayStatus:
    """What the status bar reads from ``session.status`` in a replay."""

    def __init__(self) -> None:
        self.state = _tr("replay")
        self.attempt = 0
        self.events_per_s = None
        self.target = None
        self.last_error = None

    def data_age(self) -> float | None:
        return None


class ReplaySession:
    """What the session window reads of a session, over a ReplayController: the current state
    (it changes on every seek), the status and the replay clock. Read-only: it has no way to
    send a command or append to the recorded log."""

    def __init__(self) -> None:
        self.controller: ReplayController | None = None
        self.status = _ReplayStatus()
        self.lag = None          # nothing is read from a feed
        self.plan = None
        self.recorder = None     # a replay records nothing
        self.switched = None
        self._placeholder = SessionState()

    @property
    def state(self) -> SessionState:
        return self.controller.state if self.controller is not None else self._placeholder

    def position(self) -> float:
        return self.controller.position() if self.controller is not None else time.time()

    def now(self) -> float:
        return self.position()


# ---- Replay window ------------------------------------------------------------------------------
class ReplayWindow(SessionWindow):
    """The session's panels on a recorded session, read-only, with the prompt panel, a timeline
    and report exports."""

    # ---- Signals
    sig_show_library = Signal()
    """The user asked for the session library."""
    sig_report_done = Signal(str)
    """A report export finished: the path written (or an error message)."""

    SETTINGS_GROUP = "replay_window"
    TAB_GROUPS = (("alerts", "comments"), ("alerts", "prompter"))
    FRONT = ("run_of_show", "alerts")
    INVENTORY_HEIGHT = 150     # px: the timeline takes the bottom; the columns get the rest

    def __init__(self, store, session_id: str, *, start: bool = True, refresh_ms: int = 1000,
                 parent: QWidget | None = None) -> None:
        session = ReplaySession()
        super().__init__(session, now=session.position, parent=parent)
        self.setObjectName("livedesk_replay")
        self.store = store
        self.session_id = session_id
        self.controller = ReplayController(store, session_id, refresh_ms=refresh_ms, parent=self)
        session.controller = self.controller
        self.exports: list[str] = []
        # ---- Read-only panels (their intents are not connected to anything either)
        self.run_of_show.set_read_only(True)
        self.run_of_show.results.hide()      # "No commands sent yet" / "1 pending": live only
        self.inventory.set_read_only(True)
        self.comments.set_read_only(True)
        for name in ("age", "rate", "target"):      # feed health does not apply to a replay
            w = getattr(self.status, name, None)
            if w is not None:
                w.hide()
        # ---- Prompt panel (what the host saw) and the timeline
        self.prompter = PrompterPanel(clock=session.position)
        self.prompter.blockSignals(True)      # no cue acknowledgements from a replay
        self._dock("prompter", _tr("Prompt panel"), self.prompter, Qt.RightDockWidgetArea)
        self.clock.add(BindWhenShown(self.prompter))   # behind the alerts' tab: bound when shown
        self.timeline = Timeline()
        self.timeline.set_model(self.controller)
        bar = QToolBar(_tr("Timeline"), self)
        bar.setObjectName("timeline_bar")
        bar.setMovable(False)
        bar.setFloatable(False)
        bar.addWidget(self.timeline)
        self.timeline_bar = bar
        self.addToolBar(Qt.BottomToolBarArea, bar)
        self.clock.add(self.timeline)
        # ---- Wiring
        self.timeline.sig_seek.connect(self.controller.seek_time)
        self.timeline.sig_play.connect(self.controller.set_playing)
        self.timeline.sig_rate.connect(self.controller.set_rate)
        self.timeline.sig_step.connect(self._on_step)
        self.seek_apply = SeekApply(self.clock, parent=self)   # panels refreshed in slices
        self.controller.sig_reset.connect(self._on_reset)
        self.controller.sig_opened.connect(self._on_opened)
        self.controller.sig_error.connect(self._on_error)
        self.controller.sig_playing_frame.connect(self.timeline.refresh)
        self.sig_report_done.connect(lambda text: self.statusBar().showMessage(text, 10000))
        self._build_view_menu()
        self._build_replay_menus()
        self._update_title()
        self._finish_layout()
        if start:
            self.clock.start()
            self.controller.open()

    # ---- Public API
    @property
    def settled(self) -> bool:
        """Nothing in flight and the shown panels drawn from the current state."""
        return self.controller.idle and not self.seek_apply.busy

    def export_report(self, fmt: str, path: str) -> None:
        """Build the review and write it (xlsx, csv, html or pdf) on a worker thread."""
        from console.review.report import build_review, export

        store, sid = self.store, self.session_id

        def work() -> str:
            return str(export(build_review(store, sid), fmt, path))

        def done(written: str) -> None:
            self.exports.append(written)
            self.sig_report_done.emit(_tr("Report written") + f": {written}")

        def failed(exc: BaseException) -> None:
            self.sig_report_done.emit(_tr("Report failed") + f": {exc}")

        self.statusBar().showMessage(_tr("Writing report…") + f" {path}")
        tasks.run(work, done, failed, owner=self)

    # ---- Internals
    def _build_replay_menus(self) -> None:
        """Replay (library, close), Report (exports) and Help, after View."""
        bar = self.menuBar()
        replay = bar.addMenu(_tr("&Replay"))
        lib = QAction(_tr("Session library…"), self)
        lib.setShortcut(QKeySequence("Ctrl+O"))
        lib.triggered.connect(self.sig_show_library.emit)
        replay.addAction(lib)
        close = QAction(_tr("Close replay"), self)
        close.setShortcut(QKeySequence.Close)
        close.triggered.connect(self.close)
        replay.addAction(close)
        report = bar.addMenu(_tr("Re&port"))
        labels = {"xlsx": _tr("Export XLSX…"), "csv": _tr("Export CSV (zip)…"),
                  "html": _tr("Export printable HTML…"), "pdf": _tr("Export PDF…")}
        self.report_actions: dict[str, QAction] = {}
        for fmt in REPORT_FORMATS:
            act = QAction(labels[fmt], self)
            act.triggered.connect(lambda _=False, f=fmt: self._on_export_report(f))
            report.addAction(act)
            self.report_actions[fmt] = act
        self.help_menu = add_help_menu(self, describe_database(self.store))

    def _update_title(self) -> None:
        replay = self.controller.replay
        info = replay.info if replay is not None else None
        name = (info.title or info.room if info is not None else None) or self.session_id
        self.setWindowTitle("Livedesk — " + _tr("Replay") + (f" — {name}" if name else ""))

    def _size_default(self) -> None:
        super()._size_default()
        self.resizeDocks([self.docks["inventory"]], [self.INVENTORY_HEIGHT], Qt.Vertical)

    # ---- Slots
    def _on_step(self, kind: str, direction: int) -> None:
        if self.controller.step(kind, direction) is None:
            self.statusBar().showMessage(_tr("No more events of this kind"), 3000)

    def _on_reset(self, state: SessionState) -> None:
        self.seek_apply.apply(state)

    def _on_opened(self) -> None:
        from console.fold.comments import returning_buyers
        tasks.run(partial(returning_buyers, self.store, self.session_id),
                  self.comments.set_returning, owner=self)
        self._update_title()
        final = self.controller.replay.final_state
        if final is not None:                 # lines built now, not at the first seek
            self.inventory.prepare(final.run_of_show)
        info = self.controller.replay.info
        note = ""
        if info is not None and info.clock == "repaired":    # docs/session-log.md, "One clock"
            note = " · " + _tr("an older recording: its operator and alert times were put on "
                               "the feed's clock")
        if info is not None and info.status == "interrupted":
            note += " · " + _tr("interrupted: the feed restarted or the recorder stopped without "
                                "ending the session")
        self.statusBar().showMessage(
            _tr("Opened") + f" {self.controller.replay.last_seq:,} " + _tr("events")
            + f" ({self.controller.open_ms:.0f} ms)" + note, 15000 if note else 5000)

    def _on_error(self, text: str) -> None:
        self.statusBar().showMessage(text, 15000)

    def _on_export_report(self, fmt: str) -> None:
        suffix = "zip" if fmt == "csv" else fmt
        default = str(Path.home() / f"review-{self.session_id}.{suffix}")
        path, _ = QFileDialog.getSaveFileName(self, _tr("Export report"), default, f"*.{suffix}")
        if path:
            self.export_report(fmt, path)

    # ---- Qt events
    def closeEvent(self, event) -> None:  # noqa: N802
        tasks.cancel_all(self)                # a report still being written is not announced
        self.controller.close()
        super().closeEvent(event)


# ---- Library window ----------------------------------------------------------------------------------
class LibraryWindow(QMainWindow):
    """The session library; opens replay windows. Store work runs on a worker thread, one
    operation at a time, in order."""

    # ---- Signals
    sig_loaded = Signal()
    """The list of sessions was (re)loaded."""

    def __init__(self, store, *, reload_ms: int = 5000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("livedesk_library")
        self.setWindowTitle("Livedesk — " + _tr("Session library"))
        self.resize(1200, 640)
        self.store = store
        self._store_ops = tasks.serial_executor("library")
        self.library = SessionLibrary()
        self.setCentralWidget(self.library)
        self.windows: dict[str, ReplayWindow] = {}
        self.loads = 0
        self._loading = False
        self.library.sig_open.connect(self.open_replay)
        self.library.sig_delete.connect(self._on_delete)
        self.library.sig_export.connect(self._on_export)
        self.library.sig_import.connect(self._on_import)
        self.library.sig_reload.connect(self.reload)
        self.timer = QTimer(self)
        self.timer.setInterval(reload_ms)
        self.timer.timeout.connect(self.reload)
        if reload_ms > 0:
            self.timer.start()
        self.reload()

    # ---- Public API
    def reload(self) -> None:
        if self._loading:
            return
        self._loading = True

        def done(sessions: list) -> None:
            self._loading = False
            self.loads += 1
            self.library.set_sessions(sessions)
            self.sig_loaded.emit()

        def failed(exc: BaseException) -> None:
            self._loading = False
            self.library.set_message(_tr("Could not read the sessions") + f": {exc}")

        self._submit(self.store.sessions, done, failed)

    def open_replay(self, session_id: str) -> ReplayWindow:
        win = self.windows.get(session_id)
        if win is None:
            win = ReplayWindow(self.store, session_id)
            win.sig_show_library.connect(self._on_show)
            win.sig_closed.connect(lambda sid=session_id: self.windows.pop(sid, None))
            self.windows[session_id] = win
        win.show()
        win.raise_()
        return win

    # ---- Slots
    def _on_show(self) -> None:
        self.show()
        self.raise_()
        self.reload()

    def _on_delete(self, session_id: str) -> None:
        win = self.windows.pop(session_id, None)
        if win is not None:
            win.close()
        self._run(lambda: self.store.delete_session(session_id),
                  _tr("Deleted") + f": {session_id}")

    def _on_export(self, session_id: str, path: str) -> None:
        self.library.set_message(_tr("Exporting…") + f" {path}")
        self._run(lambda: self.store.export_session(session_id, path),
                  _tr("Exported") + f": {session_id} → {path}", reload=False)

    def _on_import(self, path: str, as_copy_of: str | None = None) -> None:
        """Import one exported file; when its session is already here, offer a copy."""
        self.library.set_message(_tr("Importing…") + f" {path}")

        def work() -> str:
            if as_copy_of is None:
                return self.store.import_session(path)
            return self.store.import_session(path, new_id=self.store.free_session_id(as_copy_of))

        def done(sid: str) -> None:
            self.library.set_message(_tr("Imported") + f": {sid}")
            self._after_import = sid
            self.reload()

        def failed(exc: BaseException) -> None:
            if isinstance(exc, SessionExistsError) and as_copy_of is None:
                if self.library.confirm_import_copy(exc.session_id):
                    self._on_import(path, as_copy_of=exc.session_id)
                else:
                    self.library.set_message(_tr("Not imported") + f": {exc}")
                return
            self._on_failed(exc)

        self._submit(work, done, failed)

    def _run(self, fn: Callable[[], Any], message: str, reload: bool = True) -> None:
        def done(_result) -> None:
            self.library.set_message(message)
            if reload:
                self.reload()

        self._submit(fn, done, self._on_failed)

    def _submit(self, operation: Callable[[], Any], on_success: Callable[[Any], None],
                on_failure: Callable[[BaseException], None]) -> None:
        tasks.run(operation, on_success, on_failure, owner=self, executor=self._store_ops)

    def _on_failed(self, exc: BaseException) -> None:
        self.library.set_message(_tr("Failed") + f": {exc}")

    # ---- Qt events
    def closeEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        tasks.cancel_all(self)                # (the window may be shown again: its thread stays)
        self._loading = False
        super().closeEvent(event)


# ---- Entry point ------------------------------------------------------------------------------------
def run_replay(args) -> int:
    """Open the library, or the given session directly; run until the last window closes."""
    from console.gui.closing import dispose, quit_on_signals
    from console.gui.crash import install_excepthook
    from console.gui.db_upgrade import upgrade_database
    from console.gui.gc_tuning import settle_gc
    from console.gui.i18n import install_translator
    from console.gui.settings import settings_database
    from console.gui.theme import apply_theme
    from console.recorder import Store

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    QCoreApplication.setOrganizationName("Livedesk")
    QCoreApplication.setApplicationName("Livedesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    install_translator(app)
    install_excepthook()
    if getattr(args, "db", None) is None:             # Settings → Recording database
        args.db = settings_database()
    upgrade_database(getattr(args, "db", None))     # once, with a busy dialog, if needed
    store = Store(getattr(args, "db", None))
    sid = getattr(args, "session", None)
    windows: list[QWidget] = []
    if sid:
        from console.review.report import SessionLookupError, resolve_session
        try:
            sid = resolve_session(store, sid)      # an id, a unique prefix, or "latest"
        except SessionLookupError as exc:
            print(f"livedesk replay: {exc}", file=sys.stderr)
            store.close()
            return 2
        win = ReplayWindow(store, sid)
        library: list[LibraryWindow] = []

        def show_library() -> None:
            if not library:
                library.append(LibraryWindow(store))
                windows.append(library[0])
            library[0].show()

        win.sig_show_library.connect(show_library)
        windows.append(win)
        win.show()
    else:
        lib = LibraryWindow(store)
        windows.append(lib)
        lib.show()
    settle_gc()   # short full GC passes: a seek must not pay for scanning the whole heap
    quit_on_signals(app)
    rc = app.exec()
    for w in windows:
        for child in getattr(w, "windows", {}).values():
            dispose(child)
        dispose(w)
    store.close()
    return int(rc or 0)


__all__ = ["run_replay", "ReplayWindow", "ReplayController", "ReplaySession", "LibraryWindow"]
