"""The frame clock coalesces: many events between frames cost one refresh."""

import time

from console.core import protocol as p
from widgets.frame_clock import FrameClock
from widgets.order_ticker import OrderTicker
from tests.gui.conftest import order


class Counter:
    """A panel (console.api.Panel) that counts its refreshes."""

    time_dependent = False

    def __init__(self):
        self.refreshes = 0
        self.state = None
        self.now = time.time

    def set_state(self, state):
        self.state = state

    def refresh(self):
        self.refreshes += 1


def test_many_events_one_refresh(session, qtbot):
    clock = FrameClock(session.state)
    w = Counter()
    clock.add(w)
    clock.tick()
    base = w.refreshes
    sc = session.script
    for i in range(500):       # 500 separate batches -> 500 state versions
        sc.feed(sc.ev(10 + i * 0.01, p.ORDER_PAID, **order(f"o{i}", "LD-006", 1, 19.9, buyer=f"b{i}")))
    assert w.refreshes == base  # nothing pushed per event
    clock.tick()
    assert w.refreshes == base + 1
    clock.tick()
    clock.tick()
    assert w.refreshes == base + 1   # unchanged state: no refresh


def test_time_dependent_widgets_tick(session):
    clock = FrameClock(session.state, fps=30, tick_hz=10)
    w = Counter()
    w.time_dependent = True
    clock.add(w)
    for _ in range(30):
        clock.tick()
    assert 10 <= w.refreshes <= 12


def test_timer_drives_refresh(session, qtbot):
    clock = FrameClock(session.state)
    ticker = OrderTicker()
    qtbot.addWidget(ticker)
    clock.add(ticker)
    clock.start()
    sc = session.script
    sc.feed(*[sc.ev(10, p.ORDER_PAID, **order(f"x{i}", "LD-006", 1, 19.9, buyer=f"b{i}"))
              for i in range(50)])
    qtbot.waitUntil(lambda: ticker.model.rowCount() == 50, timeout=2000)
    clock.stop()
    assert ticker.refreshes <= 3


def test_a_panel_behind_another_docks_tab_waits_until_shown(qtbot):
    from PySide6.QtCore import Qt
    from PySide6.QtWidgets import QDockWidget, QLabel, QMainWindow

    class Label(QLabel):
        time_dependent = False

        def __init__(self, hidden_too: bool = False):
            super().__init__("x")
            self.refreshes = 0
            self.refresh_hidden = hidden_too

        def set_state(self, state):
            self.state = state

        def refresh(self):
            self.refreshes += 1

    class State:
        version = 1

    win = QMainWindow()
    qtbot.addWidget(win)
    win.setCentralWidget(QLabel("centre"))
    front, behind, loud = Label(), Label(), Label(hidden_too=True)
    docks = []
    for name, w in (("front", front), ("behind", behind), ("loud", loud)):
        dock = QDockWidget(name, win)
        dock.setObjectName(name)
        dock.setWidget(w)
        win.addDockWidget(Qt.RightDockWidgetArea, dock)
        docks.append(dock)
    win.tabifyDockWidget(docks[0], docks[1])
    win.tabifyDockWidget(docks[0], docks[2])
    docks[0].raise_()
    win.resize(800, 600)
    win.show()
    qtbot.waitExposed(win)
    qtbot.waitUntil(lambda: behind.visibleRegion().isEmpty(), timeout=3000)
    assert behind.isVisible()                  # Qt keeps a background tab "visible"
    clock = FrameClock(State())
    for w in (front, behind, loud):
        clock.add(w)
    clock.tick()
    assert (front.refreshes, behind.refreshes, loud.refreshes) == (1, 0, 1)
    docks[1].raise_()                          # the operator clicks its tab
    qtbot.waitUntil(lambda: not behind.visibleRegion().isEmpty(), timeout=3000)
    clock.tick()
    assert behind.refreshes == 1 and front.refreshes == 1     # caught up; nothing else stale
