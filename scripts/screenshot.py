"""Console screenshots (offscreen; LIVEDESK_LANG picks the language, zh_CN by default).

    .venv/bin/python scripts/screenshot.py [PATH]          scripted mid-session -> docs/screenshots/console.png
    .venv/bin/python scripts/screenshot.py --live [PATH]   the real app on the built-in simulator
                                                           -> docs/screenshots/console-live.png
    .venv/bin/python scripts/screenshot.py --sizes         the scripted session on a 1366x768 and a
                                                           1920x1080 screen, in English and Chinese,
                                                           with the cue-card editor, Plugins dock,
                                                           flash-sale and settings dialogs
                                                           -> docs/screenshots/sizes/*.png

The scripted one is deterministic (tests/support/demo.py). The live one runs exactly what
``livedesk console --simulate`` runs (simulator, LiveSession, recorder into a temporary database,
MainWindow) at 30x simulated speed, pushes a card from the run of show like an operator, and
grabs the window mid-session; its numbers change from run to run.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ.setdefault("LIVEDESK_LANG", "zh_CN")


def virtual_screen(width: int, height: int) -> None:
    """Give the offscreen platform one screen of this size (its default is 800x800, and the
    console fits itself to the screen it opens on). Call before the QApplication exists."""
    import json
    if os.environ.get("QT_QPA_PLATFORM", "offscreen") != "offscreen":
        return                                  # a real display, or a configured one
    config = Path(tempfile.mkdtemp(prefix="livedesk-screen-")) / "screen.json"
    config.write_text(json.dumps({"screens": [{
        "name": f"{width}x{height}", "x": 0, "y": 0, "width": width, "height": height,
        "logicalDpi": 96, "logicalBaseDpi": 96, "dpr": 1}]}))
    os.environ["QT_QPA_PLATFORM"] = f"offscreen:configfile={config}"


def main(out: str | None = None, size: tuple[int, int] = (1600, 1000), extras: bool = False) -> Path:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from console.core import protocol as p
    from console.gui.i18n import install_translator
    from tests.support.demo import demo_session
    from console.gui.main_window import MainWindow
    from console.gui.theme import apply_theme

    QCoreApplication.setOrganizationName("LivedeskScreenshot")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.IniFormat)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app)
    install_translator(app)
    sess = demo_session()
    now = sess.state.last_ts
    win = MainWindow(sess, now=lambda: now, sound=False, start_clock=False)
    sess.send_command(p.CMD_CARD_PUSH, {"sku": "LD-003"})
    sess.log.append_local(p.OPERATOR_ACK, {"command_id": "c1"})
    sess.append_local(p.OPERATOR_CUE, {"text": "库存只剩 20", "kind": "stock"})
    from console.live.alerts import SessionAlerts
    SessionAlerts(sess, win.thresholds).check(now)      # what the live session does each second
    if size == (1600, 1000):
        win.resize(*size)
    # else: opened at its default size on the virtual screen --size gives it (it fits itself)
    win.show()
    for _ in range(3):
        app.processEvents()
        win.clock.tick(force=True)
    app.processEvents()
    path = Path(out) if out else ROOT / "docs" / "screenshots" / "console.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(path))
    print(path)
    if extras:
        _extras(app, win, path)
    from console.gui.closing import dispose
    win._stopped = True
    win.close()
    dispose(win)
    return path


def _extras(app, win, path: Path) -> None:
    """The docks and dialogs that were squashed before issue 16, at the same window size."""
    def shot(widget, name: str) -> None:
        for _ in range(3):
            app.processEvents()
        out = path.with_name(path.stem + f"-{name}.png")
        widget.grab().save(str(out))
        print(out)

    host = win.prompter_host
    host.editor.select("LD-003")
    dock = win.docks["script_editor"]
    dock.show()
    dock.raise_()
    shot(win, "cue-cards")
    plugins = win.docks.get("plugins")
    if plugins is not None:
        plugins.show()
        plugins.raise_()
        shot(win, "plugins")
    win.run_of_show._on_flash()
    shot(win.run_of_show.flash_dialog, "flash-dialog")
    win.run_of_show.flash_dialog.reject()
    win._on_settings()
    for i, tab in enumerate(("settings", "settings-hotkeys", "settings-alerts")):
        win.settings_dialog.tabs.setCurrentIndex(i)
        shot(win.settings_dialog, tab)
    win.settings_dialog.reject()


def live(out: str | None = None, seconds: float = 12.0) -> Path:
    import asyncio
    import types

    import qasync
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from console.gui.app import shutdown, start_console
    from console.gui.closing import dispose
    from console.gui.i18n import install_translator
    from console.gui.theme import apply_theme
    from console.core.plan import load_plan

    tmp = Path(tempfile.mkdtemp(prefix="livedesk-shot-"))
    QCoreApplication.setOrganizationName("LivedeskScreenshot")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp))
    QSettings.setDefaultFormat(QSettings.IniFormat)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    install_translator(app)
    plan_path = ROOT / "resources" / "sample_plan.yaml"
    args = types.SimpleNamespace(simulate=True, url=None, token=None, plan=str(plan_path),
                                 db=f"sqlite:///{tmp / 'shot.db'}", seed=7, speed=30.0)
    path = Path(out) if out else ROOT / "docs" / "screenshots" / "console-live.png"
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    held: dict = {}

    async def scenario() -> None:
        win, session, feed, recorder = await start_console(args, load_plan(plan_path),
                                                           str(plan_path), True, sound=False)
        held["win"] = win
        win.resize(1600, 1000)
        win.show()
        await asyncio.sleep(seconds / 2)
        win.run_of_show._on_push_position(2)             # the operator pushes card 2
        await asyncio.sleep(seconds / 2)
        session.check_alerts()
        await asyncio.sleep(0.5)
        path.parent.mkdir(parents=True, exist_ok=True)
        win.grab().save(str(path))
        closed = asyncio.Event()
        win.sig_closed.connect(closed.set)
        win.close_now()
        await asyncio.wait_for(closed.wait(), 20)
        await win.prompter_host.stop()
        await shutdown(feed, recorder)

    with loop:
        loop.run_until_complete(scenario())
    dispose(held.pop("win", None))
    print(path)
    return path


if __name__ == "__main__":
    argv = sys.argv[1:]
    if argv and argv[0] == "--sizes":
        import subprocess
        folder = ROOT / "docs" / "screenshots" / "sizes"
        for lang in ("en", "zh_CN"):
            for w, h in ((1366, 768), (1920, 1080)):
                subprocess.run([sys.executable, __file__, "--size", f"{w}x{h}",
                                str(folder / f"console-{w}x{h}-{lang}.png")], check=True,
                               env=dict(os.environ, LIVEDESK_LANG=lang))
    elif argv and argv[0] == "--size":
        w, h = (int(v) for v in argv[1].split("x"))
        virtual_screen(w, h)                    # the window opens on a screen of that size
        main(argv[2] if len(argv) > 2 else None, size=(w, h), extras=True)
    elif argv and argv[0] == "--live":
        virtual_screen(1920, 1080)
        live(argv[1] if len(argv) > 1 else None)
    else:
        virtual_screen(1920, 1080)
        main(argv[0] if argv else None)

