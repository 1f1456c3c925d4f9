"""Comment desk screenshots (offscreen): the comment panel and the automation panel mid-session,
and the whole console, in zh_CN and en.

    .venv/bin/python scripts/screenshot_comments.py [OUT_DIR]     -> docs/screenshots/

A simulated session (sample plan, seed 5) runs for eight minutes with show automation on
(scheduled messages, a keyword auto-reply, card re-pop); one question is answered by hand, one
comment is pinned and one reply with an advertising-law term is held back.
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

CONFIG = {
    "repop": {"enabled": True, "every_s": 30},
    "run_timer": {"enabled": True, "warn_before_s": 60, "auto_advance": False},
    "messages": {"enabled": True, "every_s": 90, "jitter_s": 20,
                 "texts": ["欢迎来到{room}，点点关注不迷路", "{product}直播间到手价{price}元，{link_no}号链接",
                           "全网最低价，错过今天等一年"]},
    "auto_reply": {"enabled": True, "max_per_minute": 4, "same_text_minutes": 10, "rules": [
        {"name": "尺码", "keywords": ["什么码", "偏大", "偏小"], "replies": ["@{nick} 按平时尺码拍，详情页有尺码表"],
         "cooldown_s": 40},
        {"name": "发货", "keywords": ["发货", "什么时候到"], "replies": ["@{nick} 付款后48小时内发货"],
         "cooldown_s": 60}]},
    "templates": [{"name": "价格", "text": "{product} 到手价{price}元，{link_no}号链接"},
                  {"name": "库存", "text": "{product}还剩{stock}件"}],
}


def shoot(lang: str, out: Path) -> list[Path]:
    os.environ["LIVEDESK_LANG"] = lang
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication

    from console.core import protocol as p
    from console.gui.i18n import install_translator
    from console.gui.main_window import MainWindow
    from console.gui.theme import apply_theme
    from console.core.plan import load_plan
    from tests.comments.conftest import PLAN_PATH, SimSession

    QCoreApplication.setOrganizationName("LivedeskScreenshot")
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
    QSettings.setDefaultFormat(QSettings.IniFormat)
    app = QApplication.instance() or QApplication(sys.argv)
    apply_theme(app)
    install_translator(app)
    s = SimSession(load_plan(PLAN_PATH), seed=5, autopilot=True)
    win = MainWindow(s, now=lambda: s.now, sound=False, start_clock=False)
    win.desk_host.timer.stop()
    win._stopped = True
    host = win.desk_host
    host.apply_config(CONFIG)
    s.advance(60)
    host.engine.enable(True)
    for _ in range(420):
        s.advance(1)
        host.tick()
    panel = win.comments
    win.resize(1600, 1000)
    win.show()
    for _ in range(3):
        app.processEvents()
        win.clock.tick(force=True)
    question = next(r for r in reversed(s.state.desk.items) if r["q"] and "s" not in r["tags"]
                    and "shipping" not in r["q"] and "size" not in r["q"])
    s.send_command(p.CMD_COMMENT_SEND, {"text": "今天直播间有券，领券更划算", "reply_to": question["id"]})
    s.send_command(p.CMD_COMMENT_PIN, {"comment_id": question["id"]})
    for _ in range(20):
        s.advance(1)
        host.tick()
    win.clock.tick(force=True)
    app.processEvents()
    buyer_row = next(r for r in reversed(panel.model.rows) if "p" in r["tags"] and r["q"])
    panel.view.selected_seq = buyer_row["seq"]
    panel._on_selected(buyer_row)
    panel.reply_box.setText("这是最好的面料")
    bar = panel.view.verticalScrollBar()
    bar.setValue(bar.maximum() - 6)
    for _ in range(15):
        s.advance(1)
        host.tick()
    win.clock.tick(force=True)
    app.processEvents()
    out.mkdir(parents=True, exist_ok=True)
    paths = []
    dock = win.docks["comments"]
    dock.setFloating(True)
    dock.resize(620, 760)
    app.processEvents()
    win.clock.tick(force=True)
    app.processEvents()
    paths.append(out / f"comments-{lang}.png")
    panel.grab().save(str(paths[-1]))
    auto = win.docks["automation"]
    auto.setFloating(True)
    auto.resize(620, 520)
    auto.show()
    app.processEvents()
    win.clock.tick(force=True)
    app.processEvents()
    paths.append(out / f"automation-{lang}.png")
    auto.widget().grab().save(str(paths[-1]))
    win.close()
    return paths


def main(argv: list[str]) -> int:
    out = Path(argv[1]) if len(argv) > 1 else ROOT / "docs" / "screenshots"
    langs = argv[2:] or ["zh_CN", "en"]
    if len(langs) > 1:       # one process per language: a translator installed once stays
        import subprocess
        return max(subprocess.call([sys.executable, __file__, str(out), lang]) for lang in langs)
    for path in shoot(langs[0], out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
