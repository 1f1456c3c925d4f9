"""Render the console with a scripted mid-session to docs/screenshots/console.png (offscreen)."""

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


def main(out: str | None = None) -> Path:
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from console import protocol as p
    from console.gui.app import install_translator
    from console.gui.demo import demo_session
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
    win.check_alerts(now)
    win.resize(1600, 1000)
    win.show()
    for _ in range(3):
        app.processEvents()
        win.clock.tick(force=True)
    app.processEvents()
    path = Path(out) if out else ROOT / "docs" / "screenshots" / "console.png"
    path.parent.mkdir(parents=True, exist_ok=True)
    win.grab().save(str(path))
    print(path)
    from console.gui.app import dispose
    win._stopped = True
    win.close()
    dispose(win)
    return path


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else None)

