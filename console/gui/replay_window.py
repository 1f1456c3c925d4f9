"""`livedesk replay [SESSION] [--db URL]`: the session library and the replay window.

The replay window *is* the live console's window (:class:`MainWindow`, same panels, same
docks, same frame clock), driven by a :class:`console.replay.replay.ReplayFeed` instead of a
LiveSession, with the operator controls read-only and a timeline at the bottom.

Nothing touches the database on the UI thread: opening, seeking, stepping, playback reads,
following a session that is still being recorded, the library's list / delete / export /
import, and report exports all run on worker threads (small operations that report back
on the UI thread through a queued signal, Anki style). The UI thread only folds the events
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
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMainWindow, QTabBar, QToolBar, QWidget

from console.gui.main_window import MainWindow
from console.recorder.store import SessionExistsError
from console.replay.replay import Replay, ReplayFeed, SessionNotFound
from console.gui.help_menu import add_help_menu, describe_database
from console.replay.seeker import SeekProcess, SeekUnavailable, store_url
from console.gui.seek_apply import BindWhenShown, SeekApply
from console.fold.state import SessionState
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


# ---- Worker ------------------------------------------------------------------------------
class _Bridge(QObject):
    """Carries a finished future back to the UI thread (queued connection)."""

    sig_done = Signal(object)
    """(callback, future): the operation finished on the worker thread."""


class Worker(QObject):
    """One background thread for store operations; results are delivered on the UI thread."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)
        self._bridge = _Bridge()
        self._bridge.sig_done.connect(self._on_done)
        self.closed = False
        self.running = 0

    def submit(self, fn: Callable[..., Any], done: Callable[[Any], None],
               error: Callable[[BaseException], None] | None = None, *args: Any) -> Future:
        self.running += 1
        fut = self._pool.submit(fn, *args)
        fut.add_done_callback(lambda f: self._bridge.sig_done.emit((done, error, f)))
        return fut

    def close(self) -> None:
        self.closed = True
        self._pool.shutdown(wait=False, cancel_futures=True)

    def _on_done(self, payload) -> None:
        done, error, fut = payload
        self.running -= 1
        if self.closed or fut.cancelled():
            return
        exc = fut.exception()
        if exc is not None:
            if error is not None:
                error(exc)
            else:
                log.error("background operation failed: %r", exc, exc_info=exc)
            return
        done(fut.result())


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
        self.worker = Worker("replay", self)
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

        self.worker.submit(self._open_feed, done, self._on_failed)

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
        self._closed = True
        self._frame.stop()
        self._refresh_timer.stop()
        self.worker.close()
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
    def _is_recording(self) -> bool:
        info = self.replay.info if self.replay is not None else None
        if info is None:
            return False
        status = getattr(info, "status", None)   # a session whose recorder is gone: not followed
        return status == "recording" if status is not None else not getattr(info, "ended_at", None)

    def _pump(self) -> None:
        """Start the next operation: a seek beats a refresh beats playback reads."""
        if self._busy or self._closed or self.feed is None:
            return
        if self._pending_seek is not None:
            kind, value = self._pending_seek
            self._pending_seek = None
            self._busy = True
            self.worker.submit(self._seek_state, self._on_seek_done, self._on_failed, kind, value)
        elif self._want_refresh:
            self._want_refresh = False
            self._busy = True
            self.worker.submit(self.replay.refresh, self._on_refresh_done, self._on_failed)
        elif self.feed.clock.playing:
            self._busy = True
            self.worker.submit(self.feed.fetch, self._on_fetch_done, self._on_failed,
                               self.feed.clock.position(), self.feed.cursor)

    def _on_seek_done(self, state: SessionState) -> None:
        self._busy = False
        self.seeks_done += 1
        old = self.feed.state
        self.feed.adopt(state)               # emits sig_reset through feed.on_reset
        self._pump()
        # the panels let go of the replaced state in sig_reset: free its hundred thousand
        # objects on the worker thread (3-4 ms of the UI thread otherwise)
        self.worker.submit(_let_go, _let_go, None, old)

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

    def data_age(self) -> float | None:
        return None


class ReplaySession:
    """The LiveSession face MainWindow expects, over a ReplayController. Sends nothing."""

    def __init__(self) -> None:
        self.controller: ReplayController | None = None
        self.status = _ReplayStatus()
        self.log = None
        self.refused: list[tuple[str, dict]] = []
        self._placeholder = SessionState()

    @property
    def state(self) -> SessionState:
        return self.controller.state if self.controller is not None else self._placeholder

    def position(self) -> float:
        return self.controller.position() if self.controller is not None else time.time()

    def send_command(self, name: str, args: dict) -> str:
        """Replays are read-only: nothing is sent to a platform."""
        self.refused.append((name, dict(args)))
        log.warning("replay is read-only: command %s not sent", name)
        return ""

    def append_local(self, type_: str, data: dict, source: str = "operator"):
        """Replays are read-only: the recorded log is never appended to."""
        self.refused.append((type_, dict(data)))
        return None

    def stop(self) -> None:
        if self.controller is not None:
            self.controller.close()


# ---- Replay window ------------------------------------------------------------------------------
class ReplayWindow(MainWindow):
    """The live console's panels on a recorded session, with a timeline and report exports."""

    # ---- Signals
    sig_show_library = Signal()
    """The user asked for the session library."""
    sig_report_done = Signal(str)
    """A report export finished: the path written (or an error message)."""

    SETTINGS_GROUP = "replay_window"
    LIVE = False       # no File/Live/Help session menus, closing never asks
    HIDDEN_DOCKS = ("alert_settings", "script_editor", "plugins")   # live-only, if present

    def __init__(self, store, session_id: str, *, start: bool = True, refresh_ms: int = 1000,
                 parent: QWidget | None = None) -> None:
        session = ReplaySession()
        super().__init__(session, now=session.position, sound=False, start_clock=False, parent=parent)
        self.setObjectName("livedesk_replay")
        self.store = store
        self.session_id = session_id
        self.controller = ReplayController(store, session_id, refresh_ms=refresh_ms, parent=self)
        session.controller = self.controller
        self.report_worker = Worker("report", self)
        self.exports: list[str] = []
        # ---- Read-only operator controls
        self.run_of_show.set_read_only(True)
        self.run_of_show.results.hide()      # "No commands sent yet" / "1 pending": live only
        self.inventory.set_read_only(True)
        self.comments.set_read_only(True)
        self.cue_bar.setEnabled(False)
        self.cue_bar.hide()
        self.cue_bar.toggleViewAction().setVisible(False)
        self.alert_timer.stop()
        self._remove_live_only_docks()
        for name in ("age", "rate", "target"):      # feed health does not apply to a replay
            w = getattr(self.status, name, None)
            if w is not None:
                w.hide()
        # ---- Prompt panel (what the host saw) and the timeline
        self.prompter = PrompterPanel(clock=session.position)
        self.prompter.blockSignals(True)      # no cue acknowledgements from a replay
        self._dock("prompter", _tr("Prompt panel"), self.prompter, Qt.RightDockWidgetArea)
        self.docks["prompter"].hide()         # tabified with the alerts on first show
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
        self._build_replay_menu()
        self._restored = self.restore_layout()
        self._remove_live_only_docks()
        self._update_title()
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
        self.report_worker.submit(work, done, failed)

    # ---- Internals
    def _add_live_hosts(self) -> None:
        """No prompter relay, cue-card editor or plugins: a replay sends and runs nothing."""

    def _remove_live_only_docks(self) -> None:
        titles = set()
        for name in self.HIDDEN_DOCKS:
            dock = self.docks.get(name)
            if dock is not None:
                dock.widget().setEnabled(False)
                dock.widget().blockSignals(True)
                self.removeDockWidget(dock)
                titles.add(dock.windowTitle())
        # Qt keeps the tab bar of a tab group a removed dock belonged to; hide it
        for tabs in self.findChildren(QTabBar):
            if tabs.parent() is self and titles & {tabs.tabText(i) for i in range(tabs.count())}:
                tabs.hide()

    def _build_replay_menu(self) -> None:
        bar = self.menuBar()
        bar.clear()                           # the live menus (cues, prompter relay) do not apply
        view = bar.addMenu(_tr("&View"))
        for name, dock in self.docks.items():
            if name not in self.HIDDEN_DOCKS:
                view.addAction(dock.toggleViewAction())
        view.addSeparator()
        reset = QAction(_tr("Reset layout"), self)
        reset.triggered.connect(self._on_reset_layout)
        view.addAction(reset)
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
        ctl = getattr(self, "controller", None)
        info = ctl.replay.info if ctl is not None and ctl.replay is not None else None
        name = (getattr(info, "title", None) or getattr(info, "room", None)
                or getattr(self, "session_id", ""))
        self.setWindowTitle("Livedesk — " + _tr("Replay") + (f" — {name}" if name else ""))

    # ---- Slots
    def _on_step(self, kind: str, direction: int) -> None:
        if self.controller.step(kind, direction) is None:
            self.statusBar().showMessage(_tr("No more events of this kind"), 3000)

    def _on_reset(self, state: SessionState) -> None:
        self.seek_apply.apply(state)

    def _on_opened(self) -> None:
        from console.fold.comments import returning_buyers
        self.report_worker.submit(returning_buyers, self.comments.set_returning, None,
                                  self.store, self.session_id)
        self._update_title()
        info = self.controller.replay.info
        note = ""
        if getattr(info, "clock", None) == "repaired":    # docs/session-log.md, "One clock"
            note = " · " + _tr("an older recording: its operator and alert times were put on "
                               "the feed's clock")
        if getattr(info, "status", None) == "interrupted":
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
    def showEvent(self, event) -> None:  # noqa: N802
        first = not self._sized and not self._restored
        super().showEvent(event)
        if first:      # tabify once the live layout is sized (earlier leaves a stray tab bar)
            self._place_prompter()
            # the timeline takes the bottom; give the inventory's height back to the columns
            self.resizeDocks([self.docks["inventory"]], [150], Qt.Vertical)

    def _place_prompter(self) -> None:
        """The prompt panel (what the host saw) shares a tab group with the alerts."""
        self.tabifyDockWidget(self.docks["alerts"], self.docks["prompter"])
        self.docks["prompter"].show()
        self.docks["alerts"].raise_()

    def _on_reset_layout(self) -> None:
        super()._on_reset_layout()
        self.cue_bar.hide()
        self._remove_live_only_docks()
        self._place_prompter()

    def closeEvent(self, event) -> None:  # noqa: N802
        self.report_worker.close()
        super().closeEvent(event)


# ---- Library window ----------------------------------------------------------------------------------
class LibraryWindow(QMainWindow):
    """The session library; opens replay windows. Store work runs on a worker thread."""

    # ---- Signals
    sig_loaded = Signal()
    """The list of sessions was (re)loaded."""

    def __init__(self, store, *, reload_ms: int = 5000, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("livedesk_library")
        self.setWindowTitle("Livedesk — " + _tr("Session library"))
        self.resize(1200, 640)
        self.store = store
        self.worker = Worker("library", self)
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

        self.worker.submit(self.store.sessions, done, failed)

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

        self.worker.submit(work, done, failed)

    def _run(self, fn: Callable[[], Any], message: str, reload: bool = True) -> None:
        def done(_result) -> None:
            self.library.set_message(message)
            if reload:
                self.reload()

        self.worker.submit(fn, done, self._on_failed)

    def _on_failed(self, exc: BaseException) -> None:
        self.library.set_message(_tr("Failed") + f": {exc}")

    # ---- Qt events
    def closeEvent(self, event) -> None:  # noqa: N802
        self.timer.stop()
        self.worker.close()
        super().closeEvent(event)


# ---- Entry point ------------------------------------------------------------------------------------
def run_replay(args) -> int:
    """Open the library, or the given session directly; run until the last window closes."""
    from console.gui.app import (dispose, install_excepthook, install_translator,
                                 quit_on_signals, settle_gc, upgrade_database)
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
        from console.gui.app import settings_database
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


__all__ = ["run_replay", "ReplayWindow", "ReplayController", "ReplaySession", "LibraryWindow", "Worker"]
