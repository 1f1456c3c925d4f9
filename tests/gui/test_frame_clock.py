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
