"""Issue 16, item 13 (and the language choice of item 10): a Settings dialog (language, sounds,
hotkeys, database, prompter screen, alert thresholds as percentages) that is saved and applied."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QDialogButtonBox

from console.core import protocol as p
from console.gui.main_window import MainWindow
from console.gui.settings import AppSettings


def make_window(session, qtbot) -> MainWindow:
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=True, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    win.clock.tick(force=True)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitActive(win):
        win.activateWindow()
    return win


# ---- 13. Settings
def test_settings_dialog_saves_and_applies(session, qtbot, monkeypatch):
    win = make_window(session, qtbot)
    qtbot.keyClick(win, Qt.Key_Comma, Qt.ControlModifier)
    dialog = win.settings_dialog
    assert dialog.isVisible()
    # thresholds are percentages, not raw fractions such as 0.10
    low = dialog.alerts.editors["low_stock_fraction"]
    assert low.value() == 10 and low.suffix() == " %"
    assert dialog.alerts.editors["online_drop"].value() == 30
    low.setValue(25)
    dialog.alerts.editors["rate_drop"].setValue(55)
    dialog.sound.setChecked(False)
    dialog.language.setCurrentIndex(dialog.language.findData("zh_CN"))
    dialog.hotkeys["clear"].setKeySequence(QKeySequence("Ctrl+K"))
    dialog.database.setText("postgresql+psycopg://live@db.example/livedesk")
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    assert ok.isEnabled()
    qtbot.mouseClick(ok, Qt.LeftButton)
    # applied now ...
    assert win.thresholds.low_stock_fraction == 0.25 and win.thresholds.rate_drop == 0.55
    assert session.thresholds == win.thresholds          # the session evaluates with them
    assert win.alert_settings.editors["low_stock_fraction"].value() == 25   # the dock follows
    assert win.alerts.sound is False
    assert win.run_of_show.keys["clear"].key().toString() == "Ctrl+K"
    # ... and kept for the next start
    saved = AppSettings.load()
    assert saved.language == "zh_CN" and saved.sound is False
    assert saved.thresholds["low_stock_fraction"] == 0.25 and saved.hotkeys["clear"] == "Ctrl+K"
    assert saved.database == "postgresql+psycopg://live@db.example/livedesk"
    monkeypatch.delenv("LIVEDESK_LANG")
    from console.gui.i18n import ui_language
    assert ui_language() == "zh_CN"
    # the rebound key clears (after asking); the old one no longer does
    session.script.feed(session.script.ev(5, p.CARD_PUSHED, sku="LD-001"))
    win.clock.tick()
    win.run_of_show.list.setFocus()
    qtbot.keyClick(win.run_of_show.list, Qt.Key_Delete, Qt.ControlModifier)
    assert win.run_of_show.confirm_box is None
    qtbot.keyClick(win.run_of_show.list, Qt.Key_K, Qt.ControlModifier)
    qtbot.mouseClick(win.run_of_show.confirm_box.ok_button, Qt.LeftButton)
    assert session.commands == [("card.clear", {})]
    # a new window starts with the saved settings
    win2 = MainWindow(session, now=lambda: session.state.last_ts, sound=True, start_clock=False)
    qtbot.addWidget(win2)
    win2._stopped = True
    assert win2.thresholds.low_stock_fraction == 0.25 and win2.alerts.sound is False


def test_settings_dialog_refuses_bad_entries(session, qtbot):
    win = make_window(session, qtbot)
    win.file_actions["settings"].trigger()
    dialog = win.settings_dialog
    ok = dialog.buttons.button(QDialogButtonBox.Ok)
    dialog.database.setText("mysql://x/y")
    assert not ok.isEnabled() and dialog.db_problem.isVisible()
    dialog.database.setText("")
    assert ok.isEnabled()
    dialog.hotkeys["flash"].setKeySequence(QKeySequence("PgDown"))        # same as "next"
    assert not ok.isEnabled() and "same key" in dialog.key_problem.text()
    dialog.hotkeys["flash"].setKeySequence(QKeySequence("5"))             # a digit key
    assert not ok.isEnabled()
    dialog.digits.setChecked(False)
    assert ok.isEnabled()
    dialog.reject()
    assert AppSettings.load().hotkeys["flash"] == "Ctrl+F"                 # nothing saved


def test_prompter_screen_setting_is_used(session, qtbot):
    win = make_window(session, qtbot)
    settings = AppSettings.load()
    settings.prompter_screen = 0
    win._on_settings_applied(settings)
    assert win.prompter_host.screen == 0
    panel = win.prompter_host.open_panel()
    try:
        from PySide6.QtGui import QGuiApplication
        screen = QGuiApplication.screens()[0].geometry()
        assert screen.intersects(panel.geometry())
    finally:
        panel.close()
        win.prompter_host.panel_window = None


def test_database_setting_is_where_console_and_replay_record_and_read(tmp_path, monkeypatch):
    from console.gui.settings import settings_database
    monkeypatch.delenv("LIVEDESK_DB_URL", raising=False)
    assert settings_database() is None                          # default: the user data folder
    settings = AppSettings.load()
    settings.database = str(tmp_path / "shows.db")
    settings.save()
    assert settings_database() == f"sqlite:///{tmp_path / 'shows.db'}"
    settings.database = "postgresql+psycopg://live@db.example/livedesk"
    settings.save()
    assert settings_database() == "postgresql+psycopg://live@db.example/livedesk"
    monkeypatch.setenv("LIVEDESK_DB_URL", "sqlite:///elsewhere.db")
    assert settings_database() is None                          # the environment wins
