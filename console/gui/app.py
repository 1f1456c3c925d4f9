"""`livedesk console`: QApplication + qasync loop, simulator or live feed, MainWindow."""

from __future__ import annotations

import os

os.environ.setdefault("QT_API", "pyside6")

import asyncio
import logging
import sys
import traceback
from pathlib import Path

from PySide6.QtCore import QCoreApplication, QLocale, QSettings, QTranslator
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("livedesk.console")
I18N_DIR = Path(__file__).resolve().parents[2] / "resources" / "i18n"


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
    """LIVEDESK_LANG=en|zh_CN overrides the system locale."""
    lang = os.environ.get("LIVEDESK_LANG")
    if lang:
        return lang
    return "zh_CN" if QLocale.system().language() == QLocale.Chinese else "en"


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
def _load_plan(path: str | None):
    from console.plan import PlanError, load_plan
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
    sample = Path(__file__).resolve().parents[2] / "resources" / "sample_plan.yaml"
    return str(sample) if sample.exists() else None


async def start_console(args, plan, plan_path: str | None, simulate: bool, **window_kw):
    """Start the feed (built-in simulator if asked), the LiveSession and its recorder; build the window."""
    from console.gui.main_window import MainWindow
    from console.pipeline import LiveSession
    from console.recorder import Recorder

    feed = None
    url = getattr(args, "url", None)
    if simulate:
        from plugins.simulator import SimulatorFeed
        feed = SimulatorFeed()
        url = await feed.start(plan_path, getattr(args, "seed", None) or 7,
                               getattr(args, "speed", None) or 1.0)
    recorder = Recorder(getattr(args, "db", None))
    session = LiveSession(url, plan=plan, token=getattr(args, "token", None), recorder=recorder)
    await session.start()
    win = MainWindow(session, **window_kw)
    win.prompter_host.plan_path = plan_path
    host = getattr(args, "relay_host", None) or "127.0.0.1"
    try:
        await win.prompter_host.start_relay(host, getattr(args, "relay_port", None) or 0,
                                            getattr(args, "relay_token", None))
    except OSError as exc:
        log.warning("prompter relay not started on %s: %s", host, exc)
        win.prompter_host.sig_message.emit(f"prompter relay not started on {host}: {exc}")
    return win, session, feed, recorder


async def shutdown(feed, recorder) -> None:
    """After the window closed (which stopped the session): stop the simulator, close the recorder."""
    if feed is not None:
        await feed.stop()
    if recorder is not None:
        await asyncio.get_running_loop().run_in_executor(None, recorder.close)


def dispose(widget) -> None:
    """Delete a top-level window before interpreter teardown (pyqtgraph + PySide6 crash otherwise)."""
    import gc
    if widget is None:
        return
    widget.deleteLater()
    QCoreApplication.sendPostedEvents(None, 0)  # 0 = QEvent.DeferredDelete handled by sendPostedEvents
    QCoreApplication.processEvents()
    gc.collect()


def run_console(args) -> int:
    """Run the operator console until the window closes; returns the exit code."""
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    plan_path = getattr(args, "plan", None)
    url = getattr(args, "url", None)
    simulate = bool(getattr(args, "simulate", False)) or not url
    if simulate and not plan_path:
        plan_path = default_plan_path()
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
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    done = asyncio.Event()
    state: dict = {"rc": 0, "window": None}

    async def main() -> None:
        win, session, feed, recorder = await start_console(args, plan, plan_path, simulate)
        state["window"] = win
        win.sig_closed.connect(done.set)
        win.show()
        await done.wait()
        await win.prompter_host.stop()
        await shutdown(feed, recorder)

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
