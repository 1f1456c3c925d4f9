"""Render the prompt panel (zh_CN) to docs/screenshots/prompter*.png, and the console's
cue-card editor with advertising-law hits to docs/screenshots/cue_card_editor.png.

    QT_QPA_PLATFORM=offscreen .venv/bin/python scripts/screenshot_prompter.py
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "prompter"), str(ROOT / "scripts")]
from screenshot import virtual_screen  # noqa: E402

virtual_screen(1920, 1080)            # the console window fits the screen it opens on

from PySide6.QtCore import QSettings  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from conftest import Driver  # noqa: E402
from console.core import protocol as p  # noqa: E402
from widgets.prompter_panel import PrompterPanel  # noqa: E402


def main() -> int:
    from PySide6.QtCore import QCoreApplication

    from console.gui.i18n import install_translator
    from console.gui.theme import apply_theme

    QCoreApplication.setOrganizationName("LivedeskScreenshot")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tempfile.mkdtemp())
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app)
    install_translator(app, "zh_CN")
    out = ROOT / "docs" / "screenshots"
    out.mkdir(parents=True, exist_ok=True)
    d = Driver().start()
    sku = d.skus[0]
    d.feed(p.CARD_PUSHED, {"sku": sku})
    d.feed(p.FLASH_STARTED, {"flash_id": "f1", "sku": sku, "deal_price": 299.0, "stock": 80,
                             "ends_at": d.t + 107})
    d.feed(p.INVENTORY_SET, {"sku": sku, "available": 230})
    d.local(p.OPERATOR_CUE, {"text": "上链接！库存只剩 18 件", "kind": "stock"})
    d.local(p.ALERT_RAISED, {"key": "feed", "kind": "feed_lag", "message": "数据延迟 3 秒"})
    tmp = tempfile.mkdtemp()
    for name, mirror in (("prompter.png", False), ("prompter_mirrored.png", True)):
        qs = QSettings(str(Path(tmp) / f"{name}.ini"), QSettings.Format.IniFormat)
        panel = PrompterPanel(settings=qs, clock=lambda: d.t)
        panel.resize(1920, 1080)
        panel.set_state(d.state)
        panel.show()
        panel.set_mirror(mirror)
        for _ in range(5):
            app.processEvents()
            panel.refresh(force=True)
        panel.grab().save(str(out / name))
        print(out / name)
        panel.close()
    print(editor_screenshot(d, out / "cue_card_editor.png"))
    return 0


def editor_screenshot(d: Driver, path: Path) -> Path:
    """The console's cue-card editor dock with two banned terms typed into a pitch line."""
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow

    win = MainWindow(FakeSession(log=d.log, state=d.state), now=lambda: d.t, sound=False,
                     start_clock=False)
    win.resize(1600, 1000)
    win.show()
    host = win.prompter_host
    host._on_edit_current()
    host.editor.edits["pitch_lines"].setPlainText("家人们看一下这个蓬松度\n全网最低价，今天买到就是赚到\n"
                                                  "左上角小黄车1号链接")
    host.editor.run_check()
    dock = win.docks["script_editor"]
    dock.resize(520, 900)
    for _ in range(3):
        QApplication.processEvents()
    host.editor.grab().save(str(path))     # the whole editor (the dock scrolls it when short)
    win._stopped = True
    win.close()
    return path


if __name__ == "__main__":
    raise SystemExit(main())
