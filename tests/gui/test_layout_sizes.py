"""Issue 16, item 9: usable minimum sizes and a window that fits the screen it opens on
(1366×768 and 1920×1080, English and Chinese): tall panels scroll in their docks instead of
squashing their fields, the order list never cuts its status words."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtCore import QRect
from PySide6.QtWidgets import QLabel

from console.gui.main_window import MainWindow
from console.gui.session_window import DockScroll

ROOT = Path(__file__).resolve().parents[2]
LAPTOP = QRect(0, 0, 1366, 728)          # 1366×768 less a 40-pixel task bar


@pytest.fixture(params=["en", "zh_CN"])
def lang(request, qapp):
    translator = None
    if request.param != "en":
        from console.gui.i18n import install_translator
        translator = install_translator(qapp, request.param)
    yield request.param
    if translator is not None:
        qapp.removeTranslator(translator)


def make_window(session, qtbot) -> MainWindow:
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    win.clock.tick(force=True)
    return win


def settle(qtbot, win) -> None:
    for _ in range(3):
        qtbot.wait(20)
        win.clock.tick(force=True)


def overlapping(widgets) -> list:
    boxes = [(w, QRect(w.mapTo(w.window(), w.rect().topLeft()), w.size()))
             for w in widgets if w.isVisible()]
    return [(a.text()[:30], b.text()[:30]) for i, (a, ra) in enumerate(boxes)
            for b, rb in boxes[i + 1:] if ra.intersects(rb)]


def test_window_fits_a_1366_screen_and_panels_keep_their_minimum(session, qtbot, lang):
    win = make_window(session, qtbot)
    win.show()
    hint = win.minimumSizeHint()
    assert hint.width() <= LAPTOP.width() and hint.height() <= LAPTOP.height(), hint
    win.resize(1600, 1000)
    win.move(300, 200)
    win.fit_to(LAPTOP)
    settle(qtbot, win)
    assert LAPTOP.contains(win.frameGeometry()), win.frameGeometry()
    # the funnel scrolls in its dock: its rate lines are never drawn over each other
    assert isinstance(win.docks["funnel"].widget(), DockScroll)
    assert overlapping(win.funnel.findChildren(QLabel)) == []
    for lab in win.funnel.rate_labels.values():
        assert lab.height() >= lab.minimumSizeHint().height()


def test_cue_card_editor_and_plugins_dock_are_not_squashed(session, qtbot, lang):
    win = make_window(session, qtbot)
    win.show()
    win.resize(LAPTOP.size())
    editor = win.prompter_host.editor
    win.docks["script_editor"].show()
    win.docks["script_editor"].raise_()
    settle(qtbot, win)
    line = editor.fontMetrics().lineSpacing()
    for key, edit in editor.edits.items():
        assert edit.height() >= 2 * line, key
    script = editor.edits["script"]
    check = next(lab for lab in editor.findChildren(QLabel)
                 if lab.text() in ("Advertising-law check", "广告法违禁词检查"))
    assert check.geometry().top() >= script.geometry().bottom()
    panel = win.plugins_host.panel.settings_widgets["obs_overlay"]   # the OBS plugin's form
    win.docks["plugins"].show()
    win.docks["plugins"].raise_()
    settle(qtbot, win)
    for field in (panel.obs_host, panel.obs_port, panel.obs_password, panel.obs_save):
        assert field.height() >= field.minimumSizeHint().height()
        assert field.width() >= min(160, field.minimumSizeHint().width())
    panel.set_obs_message("No system keyring: the OBS password cannot be stored (see docs/plugins.md)",
                          error=True)
    settle(qtbot, win)
    msg = panel.obs_message
    assert msg.height() >= msg.heightForWidth(msg.width())          # wrapped, not cut


def test_order_list_status_column_fits_its_words(session, qtbot, lang):
    win = make_window(session, qtbot)
    win.show()
    settle(qtbot, win)
    view = win.orders.table
    fm = view.fontMetrics()
    status_w = view._columns(view.viewport().width())[5][1]
    for word in view.model._status_text.values():
        assert fm.horizontalAdvance(word) + 12 <= status_w, word


@pytest.mark.parametrize("size", [(1366, 768), (1920, 1080)])
def test_the_console_opens_inside_the_screen(tmp_path, size):
    """The real window on a virtual screen of that size (the offscreen platform's config)."""
    w, h = size
    config = tmp_path / "screen.json"
    config.write_text(json.dumps({"screens": [{"name": "s", "x": 0, "y": 0, "width": w,
                                               "height": h, "logicalDpi": 96}]}))
    code = textwrap.dedent(f"""
        import sys, tempfile
        sys.path.insert(0, {str(ROOT)!r})
        from PySide6.QtCore import QCoreApplication, QSettings
        from PySide6.QtWidgets import QApplication
        QCoreApplication.setOrganizationName("LivedeskFit")
        QSettings.setDefaultFormat(QSettings.IniFormat)
        QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, tempfile.mkdtemp())
        app = QApplication([])
        from tests.support.demo import demo_session
        from console.gui.main_window import MainWindow
        s = demo_session(minutes=2)
        win = MainWindow(s, now=lambda: s.state.last_ts, sound=False, start_clock=False)
        win.show()
        app.processEvents()
        g, screen = win.frameGeometry(), win.screen().availableGeometry()
        print(screen.contains(g), g.width(), g.height())
        win._stopped = True
    """)
    env = dict(os.environ, QT_QPA_PLATFORM=f"offscreen:configfile={config}", LIVEDESK_LANG="en")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                         timeout=120)
    inside, gw, gh = out.stdout.split()[-3:]
    assert inside == "True", (out.stdout, out.stderr[-2000:])
    assert int(gw) <= w and int(gh) <= h
