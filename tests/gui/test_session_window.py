"""The session window both the live console and the replay build on."""

from __future__ import annotations

from PySide6.QtWidgets import QTabBar

from console.gui.main_window import MainWindow
from console.gui.session_window import SessionWindow


def tab_titles(win, dock_name: str) -> list[str]:
    """The titles of the tab bar holding ``dock_name``'s dock, in tab order."""
    title = win.docks[dock_name].windowTitle()
    for bar in win.findChildren(QTabBar):
        titles = [bar.tabText(i) for i in range(bar.count())]
        if bar.isVisible() and title in titles:
            return titles
    return []


def test_the_live_console_adds_its_parts_to_the_session_window(qtbot, session):
    win = MainWindow(session, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    qtbot.wait(20)
    assert isinstance(win, SessionWindow)
    assert set(win.docks) >= {"run_of_show", "orders", "funnel", "alerts", "comments", "inventory",
                              "alert_settings", "script_editor", "plugins", "automation"}
    # the default layout keeps its tab order: thresholds next to the alerts, then the rest
    assert tab_titles(win, "alerts") == ["Alerts", "Alert settings", "Comments", "Plugins",
                                         "Automation"]
    assert tab_titles(win, "run_of_show") == ["Run of show", "Cue cards"]
    assert [a.text() for a in win.menuBar().actions()] == [
        "&File", "&Live", "&View", "&Prompter", "P&lan", "&Help"]
    assert win.docks["comments"].visibleRegion().isEmpty() is False      # in front
    win._stopped = True
    win.close()


def test_reset_layout_puts_every_dock_back_in_its_tab_group(qtbot, session):
    win = MainWindow(session, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.resize(1600, 1000)
    win.show()
    win.docks["plugins"].close()
    win.docks["comments"].setFloating(True)
    win._on_reset_layout()
    qtbot.wait(20)
    assert not win.docks["comments"].isFloating()
    assert tab_titles(win, "alerts") == ["Alerts", "Alert settings", "Comments", "Plugins",
                                         "Automation"]
    win._stopped = True
    win.close()
