"""`livedesk console`: QApplication + qasync loop, simulator or live feed, MainWindow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import asyncio
import logging
import sys
import threading
import traceback
from pathlib import Path
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QLocale, QObject, QTimer, QTranslator, Signal
from PySide6.QtWidgets import QApplication, QMessageBox

from console.support import startup_trace
from console.support.resources import i18n_dir, sample_plan_path

log = logging.getLogger("livedesk.console")
I18N_DIR = i18n_dir()


# ---- Translations -------------------------------------------------------------
class TsTranslator(QTranslator):
    """Reads a Qt Linguist .ts file directly (used when no compiled .qm is present)."""

    def __init__(self, path: Path, parent=None) -> None:
        super().__init__(parent)
        import xml.etree.ElementTree as ET
        self.table: dict[tuple[str, str], str] = {}
        root = ET.parse(path).getroot()
        for ctx in root.iter("context"):
            name = ctx.findtext("name", "")
            for msg in ctx.iter("message"):
                src, tr = msg.findtext("source", ""), msg.find("translation")
                if tr is not None and tr.text and tr.get("type") not in ("unfinished", "obsolete"):
                    self.table[(name, src)] = tr.text

    def translate(self, context, source, disambiguation=None, n=-1):  # noqa: D401
        return self.table.get((context, source)) or None

    def isEmpty(self) -> bool:  # noqa: N802
        return not self.table


def ui_language() -> str:
    """The interface language: LIVEDESK_LANG=en|zh_CN for one run, else the one chosen in
    Settings, else the system locale's."""
    lang = os.environ.get("LIVEDESK_LANG")
    if lang:
        return lang
    if QCoreApplication.instance() is not None:
        from console.gui.settings import AppSettings
        chosen = AppSettings.load().language
        if chosen:
            return chosen
    return "zh_CN" if QLocale.system().language() == QLocale.Chinese else "en"


def settings_database() -> str | None:
    """The recording database chosen in Settings (a path becomes a sqlite:/// URL), or None for
    the default; ``--db`` on the command line and ``LIVEDESK_DB_URL`` win over it."""
    from console.gui.settings import AppSettings
    if os.environ.get("LIVEDESK_DB_URL"):
        return None
    db = AppSettings.load().database
    if not db:
        return None
    return db if "://" in db else "sqlite:///" + str(Path(db).expanduser().resolve())


def install_translator(app: QCoreApplication, lang: str | None = None) -> QTranslator | None:
    lang = lang or ui_language()
    if lang.startswith("en"):
        return None
    qm, ts = I18N_DIR / f"livedesk_{lang}.qm", I18N_DIR / f"livedesk_{lang}.ts"
    translator: QTranslator | None = None
    if qm.exists():
        translator = QTranslator(app)
        if not translator.load(str(qm)):
            translator = None
    if translator is None and ts.exists():
        translator = TsTranslator(ts, app)
    if translator is not None:
        app.installTranslator(translator)
        app._livedesk_translator = translator  # keep a reference
    return translator


# ---- Errors -----------------------------------------------------------------------
def install_excepthook() -> None:
    """Log uncaught exceptions and show them in a non-modal message box."""
    boxes: list[QMessageBox] = []

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return  # handled by close_on_signals: the window closes and recording ends cleanly
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", text)
        print(text, file=sys.stderr)
        if QApplication.instance() is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Livedesk",
                          QCoreApplication.translate("Livedesk", "An internal error occurred")
                          + f":\n{exc_type.__name__}: {exc}")
        box.setDetailedText(text)
        box.setModal(False)
        box.show()
        boxes[:] = boxes[-4:] + [box]

    sys.excepthook = hook


# ---- Entry point -----------------------------------------------------------------------
def default_plan_path_sample() -> Path:
    """The bundled sample plan (the CLI's --plan default)."""
    from console.cli import parser as cli
    return Path(cli.SAMPLE_PLAN).resolve()


def _load_plan(path: str | None):
    from console.core.plan import PlanError, load_plan
    if not path:
        return None
    try:
        return load_plan(path)
    except PlanError as exc:
        print(f"livedesk: plan {exc.source} is not valid:", file=sys.stderr)
        for problem in exc.problems:
            print(f"  - {problem}", file=sys.stderr)
        raise SystemExit(2)


# ---- The live session as the console runs it ----------------------------------------
def make_session(url: str, *, plan=None, token: str | None = None, recorder=None):
    """The console's :class:`console.live.session.LiveSession`: feed events reach the session log in
    one batch per event-loop turn instead of one call per websocket frame (see
    :class:`CoalescingSession`)."""
    from console.live.session import LiveSession

    class CoalescingSession(LiveSession):
        """Feed events received in one turn of the (UI thread's) event loop are appended to the
        log as one batch: the fold, the recorder queue and the listeners pay their per-batch
        cost once per turn rather than once per frame (a feed sending one event per frame at
        5,000 events/s would otherwise cost 5,000 listener rounds a second). Any local event
        (command, ack, alert, status, welcome) first flushes the pending feed events, so the log
        order is exactly the order of arrival."""

        def __init__(self, *a, **kw) -> None:
            self._inbox: list[dict] = []
            self._flush_handle: asyncio.Handle | None = None
            self._big_reads = False       # reading 128 KiB at a time while catching up
            super().__init__(*a, **kw)

        def flush_feed(self) -> None:
            """Append the feed events received so far (also runs on its own every loop turn)."""
            handle, self._flush_handle = self._flush_handle, None
            if handle is not None:
                handle.cancel()
            if self._inbox:
                batch, self._inbox = self._inbox, []
                LiveSession._on_feed_events(self, batch)
                if self.lag.behind != self._big_reads:
                    self._big_reads = self.lag.behind
                    _cap_reads(self.client, CATCH_UP_CHUNK if self._big_reads else READ_CHUNK)

        def _on_feed_events(self, events: list[dict]) -> None:
            self._inbox.extend(events)
            if self._flush_handle is None:
                try:
                    loop = asyncio.get_running_loop()
                except RuntimeError:
                    self.flush_feed()
                    return
                self._flush_handle = loop.call_soon(self.flush_feed)

        def _on_welcome(self, msg: dict) -> None:
            self.flush_feed()
            self._big_reads = False
            _cap_reads(self.client)
            super()._on_welcome(msg)

        def append_local(self, type_: str, data: dict, source: str = "operator"):
            self.flush_feed()
            return super().append_local(type_, data, source)

        async def stop(self) -> None:
            self.flush_feed()
            await super().stop()
            self.flush_feed()

    return CoalescingSession(url, plan=plan, token=token, recorder=recorder)


READ_CHUNK = 32 * 1024
#: while the console is behind the feed (console.live.lag) it reads this much at a time: ~4x fewer
#: loop turns, listener rounds and recorder hand-offs per event, at ~20 ms per turn
CATCH_UP_CHUNK = 128 * 1024


def _cap_reads(client, size: int = READ_CHUNK) -> None:
    """Read the feed socket in 32 KiB chunks instead of asyncio's 256 KiB.

    The websocket library parses every frame of a read at once, and the feed client then handles
    every parsed frame without returning to the event loop: after a busy frame a 256 KiB read is
    ~1,000 events, 50-100 ms during which nothing is painted. With 32 KiB reads the same backlog
    is worked off in slices of ~130 events with paints and timers in between; the cost per event
    is the same."""
    transport = getattr(getattr(client, "_ws", None), "transport", None)
    if transport is not None and hasattr(transport, "max_size"):
        transport.max_size = size


_GC_TIMER = None
GC_FREEZE_EVERY_S = 10.0
#: net allocations between two young-generation collections (CPython: 700). A busy feed allocates
#: hundreds of thousands of short-lived containers a second, almost none of them in cycles: at
#: 20,000 events/s the default ran ~33 young collections a second (2 % of the UI thread).
GC_YOUNG = 10_000


def settle_gc(every_s: float | None = GC_FREEZE_EVERY_S, young: int | None = GC_YOUNG) -> None:
    """Keep the cyclic garbage collector's full passes short on the UI thread.

    Collect once, then move everything alive (modules, Qt wrappers, the window) out of the
    collector's sight (``gc.freeze``); then every ``every_s`` seconds collect the young
    generations and freeze what survived (the session state grows by long-lived order and buyer
    records). A full collection then scans only what was allocated since the last freeze instead of
    the whole heap: measured at 5,000 events/s, full passes of 300 ms before, under 25 ms after.
    The price: a reference cycle that was still alive at a freeze and dies later is not reclaimed
    (the state's records are never freed during a session anyway)."""
    import gc
    global _GC_TIMER
    gc.collect()
    gc.freeze()
    if young is not None:
        gc.set_threshold(young, *gc.get_threshold()[1:])
    if every_s and _GC_TIMER is None and QCoreApplication.instance() is not None:
        from PySide6.QtCore import QTimer

        def refreeze() -> None:
            gc.collect(1)
            gc.freeze()

        _GC_TIMER = QTimer(QCoreApplication.instance())
        _GC_TIMER.setInterval(int(every_s * 1000))
        _GC_TIMER.timeout.connect(refreeze)
        _GC_TIMER.start()


def default_plan_path() -> str | None:
    sample = sample_plan_path()
    return str(sample) if sample.exists() else None


async def start_console(args, plan, plan_path: str | None, simulate: bool, **window_kw):
    """Build and show the window first, then start what its first frame does not need: the
    feed (built-in simulator or Douyin connector), the recorder (its own process, started on a
    thread while the window is built), the LiveSession and the prompter relay.

    Until the session starts the window shows the plan (the session previews it) with the
    feed banner saying it is connecting; operator actions taken meanwhile are held by the
    session until the feed's welcome, as with any slow feed (docs/performance.md, "Start-up")."""
    from console.gui.main_window import MainWindow, recording_target
    from console.recorder import open_recorder
    startup_trace.mark("gui_imported")

    loop = asyncio.get_running_loop()
    recorder_future = None
    douyin = bool(getattr(args, "douyin", False)) and not simulate
    session = make_session(getattr(args, "url", None) or "", plan=plan,
                           token=getattr(args, "token", None))
    window_kw.setdefault("defer_graphs", True)     # pyqtgraph after the first frame
    # until the session starts, the feed is being started: the banner says "connecting" (not
    # "closed"), and alerts wait for the session (no "feed lost" alert before it ever ran)
    session.status.state = "connecting"
    win = MainWindow(session, **window_kw)
    alerts_on = win.alert_timer.isActive()
    win.alert_timer.stop()
    win.prompter_host.plan_path = plan_path
    startup_trace.mark("window_built")
    feed = recorder = None
    try:
        await show_first(win)
        # the recording process (spawn, its imports, opening or creating the database: most of
        # a CPU for 0.5-1 s) starts once the window is on screen, on a thread, while the feed
        # starts; the session waits for it before it connects to the feed
        recorder_future = loop.run_in_executor(None, open_recorder, getattr(args, "db", None))
        if douyin:
            feed, url = await start_douyin()
        elif simulate:
            from plugins.simulator import SimulatorFeed
            feed = SimulatorFeed()
            url = await feed.open(plan_path, getattr(args, "seed", None) or 7,
                                   getattr(args, "speed", None) or 1.0,
                                   autopilot=getattr(args, "autopilot", True) is not False)
        else:
            url = getattr(args, "url", None)
        startup_trace.mark("feed_started")
        if win.install_graphs():          # while the recording process starts
            startup_trace.mark("graphs_ready")
        recorder = await recorder_future
        startup_trace.mark("recorder_opened")
        session.attach(url=url, recorder=recorder)
        win.status.set_recording(recording_target(session))
        if douyin:
            feed.attach(session)          # the connector's status becomes alerts in the session log
            add_browser_toggle(win, feed)
        session.status.state = "closed"   # the client reports its own "connecting" now
        _mark_first_feed_event(session)
        await session.start()
        if alerts_on:
            win.alert_timer.start()
        startup_trace.mark("session_started")
    except BaseException:
        # nothing is live yet: drop the window, stop what started, report as before
        win.hide()
        win._stopped = True
        win.clock.stop()
        win.alert_timer.stop()
        win.desk_host.stop()
        await win.plugins_host.stop()
        if recorder is None and recorder_future is not None:
            try:                          # (a thread cannot be cancelled: wait, then close it)
                recorder = await recorder_future
            except Exception:  # noqa: BLE001 - the first error is the one reported
                recorder = None
        if feed is not None:
            try:
                await feed.stop()
            except Exception:  # noqa: BLE001
                log.exception("stopping the feed after a failed start")
        if recorder is not None:
            await loop.run_in_executor(None, recorder.close)
        dispose(win)
        raise
    host = getattr(args, "relay_host", None) or "127.0.0.1"
    try:
        await win.prompter_host.start_relay(host, getattr(args, "relay_port", None) or 0,
                                            getattr(args, "relay_token", None))
    except OSError as exc:
        log.warning("prompter relay not started on %s: %s", host, exc)
        win.prompter_host.sig_message.emit(f"prompter relay not started on {host}: {exc}")
    startup_trace.mark("relay_started")
    return win, session, feed, recorder


def _mark_first_feed_event(session) -> None:
    """Start-up milestone ``live``: the first feed event folded (bench/startup.py)."""
    done = [False]            # (stays subscribed: removing a listener while the log emits
                              # would skip the next one for that batch)

    def first(events) -> None:
        if not done[0] and any(ev.feed_seq is not None for ev in events):
            done[0] = True
            startup_trace.mark("live")
    session.log.subscribe(first)


FIRST_PAINT_WAIT_S = 1.0


async def show_first(win) -> None:
    """Show ``win`` and, on a Qt-driven event loop, wait (at most ``FIRST_PAINT_WAIT_S``) until
    its first frame is on screen, so what starts next does not delay it."""
    watch_first_paint(win)
    win.show()
    startup_trace.mark("window_shown")
    loop = asyncio.get_running_loop()
    if not type(loop).__module__.startswith("qasync"):
        return                        # a plain asyncio loop (tests) paints nothing meanwhile
    painted = asyncio.Event()
    win._first_paint_watch.sig_painted.connect(painted.set)
    try:
        await asyncio.wait_for(painted.wait(), FIRST_PAINT_WAIT_S)
    except asyncio.TimeoutError:
        pass


async def start_douyin():
    """The Douyin connector with the settings kept in plugins.json (``douyin``); (feed, url)."""
    from console.plugin_host import PluginManager
    from plugins.douyin import DouyinFeed

    feed = DouyinFeed()
    saved = PluginManager(discover=False).settings("douyin")   # plugins.json, may be empty
    try:
        url = await feed.open(dict(DouyinFeed.settings, **saved))
    except Exception as exc:
        from PySide6.QtWidgets import QMessageBox
        log.error("the Douyin connector did not start: %s", exc)
        QMessageBox.critical(None, "Livedesk", _tr("The Douyin connector could not start") +
                             f":\n{exc}")
        raise
    return feed, url


def add_browser_toggle(win, feed) -> None:
    """View menu: show / minimise the Douyin browser window (it keeps running either way)."""
    from PySide6.QtGui import QAction

    act = QAction(_tr("Show the Douyin browser window"), win)
    act.setCheckable(True)
    act.setChecked(True)
    act.toggled.connect(lambda on: asyncio.ensure_future(feed.set_browser_visible(on)))
    menus = [a.menu() for a in win.menuBar().actions() if a.menu() is not None]
    if menus:
        menus[0].addSeparator()
        menus[0].addAction(act)
    win.douyin_browser_action = act


async def shutdown(feed, recorder) -> None:
    """After the window closed (which stopped the session): stop the simulator, close the recorder."""
    if feed is not None:
        await feed.stop()
    if recorder is not None:
        await asyncio.get_running_loop().run_in_executor(None, recorder.close)


class _FirstPaint(QObject):
    """Notes when a window is first on screen: its first paint, flushed (a zero-delay timer
    started in the paint fires after the backing store went to the screen)."""

    sig_painted = Signal()
    """The window's first frame is on screen."""

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() == QEvent.Paint and obj is self.parent():
            obj.removeEventFilter(self)
            QTimer.singleShot(0, self._on_painted)
        return False

    def _on_painted(self) -> None:
        startup_trace.mark("window_painted")
        took = startup_trace.since_first("window_painted")
        if took is not None:
            log.info("window on screen %.2f s after start", took)
        self.done = True
        self.sig_painted.emit()


def watch_first_paint(win) -> None:
    """Log (and mark for ``bench/startup.py``) when ``win`` is first painted on screen."""
    if getattr(win, "_first_paint_watch", None) is None:
        win._first_paint_watch = _FirstPaint(win)
        win._first_paint_watch.done = False
        win.installEventFilter(win._first_paint_watch)


def dispose(widget) -> None:
    """Delete a top-level window before interpreter teardown (pyqtgraph + PySide6 crash otherwise)."""
    import gc
    if widget is None:
        return
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)  # 0 = QEvent.DeferredDelete handled by sendPostedEvents
    QCoreApplication.processEvents()
    gc.collect()


def _close_on_signals(close: Callable[[], None], owner: object, what: str) -> None:
    """SIGINT and SIGTERM call ``close`` (on the event loop); a second one quits at once."""
    import signal

    def handler(signum, _frame) -> None:
        if getattr(owner, "_closing_by_signal", False):
            log.warning("second %s: quitting now", signal.Signals(signum).name)
            os._exit(128 + signum)
        owner._closing_by_signal = True
        log.info("%s: %s", signal.Signals(signum).name, what)
        QTimer.singleShot(0, close)

    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, handler)


def close_on_signals(window) -> None:
    """Ctrl-C (SIGINT) and SIGTERM close the window as the Quit action does: the session
    stops, the recorder flushes. A second signal while closing quits at once."""
    close = getattr(window, "close_now", window.close)    # asked in the terminal: no dialog
    _close_on_signals(close, window, "closing the console and ending the recording")


def quit_on_signals(app: QApplication) -> QTimer:
    """Ctrl-C (SIGINT) and SIGTERM close every window of a Qt-only app (no asyncio loop), as
    closing them by hand does; a second signal while closing quits at once.

    Python runs signal handlers only between bytecodes, and ``app.exec()`` is C++: the
    returned timer hands control to Python five times a second so the handler gets to run."""
    _close_on_signals(app.closeAllWindows, app, "closing")
    wake = QTimer(app)
    wake.setInterval(200)
    wake.timeout.connect(lambda: None)
    wake.start()
    return wake


def upgrade_database(url: str | None) -> bool:
    """Upgrade the recording database now if it needs it, with a busy dialog; True if it did.

    A one-time migration of a large database takes seconds (about 12 for 10 million events);
    run on a thread, so the dialog paints instead of the app seeming not to start."""
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QProgressDialog

    from console.support.db_quickcheck import default_url, surely_current
    if url is None:
        url = default_url()
    if surely_current(url):
        return False              # a new SQLite file, or one at the head revision (the usual case)

    from console.recorder.db import ensure_schema, make_engine, pending_upgrade

    engine = make_engine(url)
    try:
        if pending_upgrade(engine) is None:
            return False
        dialog = QProgressDialog(_tr("Upgrading the recordings database (only once)…"), "", 0, 0)
        dialog.setCancelButton(None)
        dialog.setWindowTitle("Livedesk")
        dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
        dialog.setMinimumDuration(0)
        dialog.setMinimumWidth(380)
        dialog.show()
        failed: list[BaseException] = []

        def work() -> None:
            try:
                ensure_schema(engine)
            except BaseException as exc:  # noqa: BLE001 - raised again on the UI thread
                failed.append(exc)

        worker = threading.Thread(target=work, name="livedesk-db-upgrade", daemon=True)
        worker.start()
        while worker.is_alive():
            QApplication.processEvents()
            worker.join(0.03)
        dialog.close()
        dialog.deleteLater()
        if failed:
            raise failed[0]
        return True
    finally:
        engine.dispose()


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def run_console(args) -> int:
    """Run the operator console until the window closes; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    plan_path = getattr(args, "plan", None)
    url = getattr(args, "url", None)
    douyin = bool(getattr(args, "douyin", False))
    if douyin and plan_path and Path(plan_path).resolve() == default_plan_path_sample():
        plan_path = None      # the simulator's demo plan is only a default: Douyin lists its own products
    choose = not getattr(args, "simulate", False) and not url and not douyin
    simulate = bool(getattr(args, "simulate", False)) or (not url and not douyin)
    if simulate and not plan_path:
        plan_path = default_plan_path()
    plan = None
    if not choose:
        try:
            plan = _load_plan(plan_path)
        except SystemExit as exc:
            return int(exc.code or 2)

    import qasync

    from console.gui.theme import apply_theme

    QCoreApplication.setOrganizationName("Livedesk")
    QCoreApplication.setApplicationName("Livedesk")
    app = QApplication.instance() or QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    apply_theme(app)
    install_translator(app)
    install_excepthook()
    startup_trace.mark("qt_app")
    if getattr(args, "db", None) is None:
        args.db = settings_database()                      # Settings → Recording database
    if choose:
        # Neither --simulate nor --url: ask for the feed and the plan (nothing is live yet, so
        # this dialog may be modal); the plan is validated in the dialog.
        from console.gui.start_dialog import ask_start
        choice = ask_start(args)
        if choice is None:
            return 0
        simulate, plan, plan_path = choice.simulate, choice.plan, choice.plan_path
        args.url, args.token, args.autopilot = choice.url, choice.token, choice.autopilot
        args.douyin = choice.douyin
    try:
        upgrade_database(getattr(args, "db", None))
    except Exception as exc:  # noqa: BLE001 - the recorder reports the same database again
        log.error("could not upgrade the recording database: %s", exc)
    startup_trace.mark("database_checked")
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    done = asyncio.Event()
    state: dict = {"rc": 0, "window": None}

    async def main() -> None:
        nonlocal plan, plan_path, simulate
        while True:
            done.clear()
            win, session, feed, recorder = await start_console(args, plan, plan_path, simulate)
            state["window"] = win
            win.sig_closed.connect(done.set)
            close_on_signals(win)
            win.show()
            settle_gc()
            await done.wait()
            await win.prompter_host.stop()
            await win.plugins_host.stop()
            await shutdown(feed, recorder)
            if not win.new_session_requested:
                return
            # File → New session: ask for the feed and plan again, then a new window
            state["window"] = None
            dispose(win)
            del win
            from console.gui.start_dialog import ask_start_async
            choice = await ask_start_async(args)
            if choice is None:
                return
            simulate, plan, plan_path = choice.simulate, choice.plan, choice.plan_path
            args.url, args.token, args.autopilot = choice.url, choice.token, choice.autopilot

    try:
        with loop:
            loop.run_until_complete(main())
    except Exception:  # noqa: BLE001
        log.exception("console failed")
        state["rc"] = 1
    win = state.pop("window", None)
    dispose(win)
    del win
    return state["rc"]


__all__ = ["run_console", "start_console", "shutdown", "dispose", "install_translator", "install_excepthook", "TsTranslator", "ui_language"]
