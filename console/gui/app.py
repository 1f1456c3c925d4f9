"""`livedesk console`: the entry point. Starts the Qt application, asks for the feed and the
plan when the command line did not give them, upgrades the database if needed, then runs the
live console (the window, the feed, the recorder, the session) on a qasync loop until the window
closes, and again for File -> New session.

The jobs around it live in modules of their own: ``i18n`` (the translation), ``crash`` (the
excepthook), ``coalescing_session`` (the session the console runs), ``gc_tuning``, ``closing``
(signals, disposing windows), ``db_upgrade`` (the busy dialog), ``first_paint``.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import asyncio
import logging
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication

from console.gui.closing import close_on_signals, dispose
from console.gui.crash import install_excepthook
from console.gui.db_upgrade import upgrade_database
from console.gui.first_paint import show_first
from console.gui.gc_tuning import settle_gc
from console.gui.i18n import install_translator
from console.gui.settings import settings_database
from console.support import startup_trace
from console.support.resources import sample_plan_path

log = logging.getLogger("livedesk.console")


# ---- Plans ----------------------------------------------------------------------------------
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


def default_plan_path() -> str | None:
    sample = sample_plan_path()
    return str(sample) if sample.exists() else None


# ---- The live console: start and stop -------------------------------------------------------
async def start_console(args, plan, plan_path: str | None, simulate: bool, **window_kw):
    """Build and show the window first, then start what its first frame does not need: the
    feed (built-in simulator or Douyin connector), the recorder (its own process, started on a
    thread while the window is built), the LiveSession and the prompter relay.

    Until the session starts the window shows the plan (the session previews it) with the
    feed banner saying it is connecting; operator actions taken meanwhile are held by the
    session until the feed's welcome, as with any slow feed (docs/performance.md, "Start-up")."""
    from console.gui.coalescing_session import make_session
    from console.gui.main_window import MainWindow
    from console.gui.session_window import recording_target
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
    win.prompter_host.plan_path = plan_path
    startup_trace.mark("window_built")
    feed = recorder = None
    try:
        await show_first(win)
        if session.client.relay is not None:     # the feed relay's process starts meanwhile too
            asyncio.ensure_future(session.client.relay.address())
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
        await session.start()             # alerts are checked from now on (console.live.alerts)
        startup_trace.mark("session_started")
    except BaseException:
        # nothing is live yet: drop the window, stop what started, report as before
        win.hide()
        win._stopped = True
        win.clock.stop()
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


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


# ---- Entry point ------------------------------------------------------------------------------
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


__all__ = ["run_console", "start_console", "shutdown", "start_douyin"]
