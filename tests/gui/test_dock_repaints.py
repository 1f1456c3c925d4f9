"""Issue 19: figures changing in every frame repaint their panel, not the dock around it (the
docks' contents are opaque), and do not lay the window out again (steady labels)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QApplication, QDockWidget

from console.core import protocol as p
from console.gui.main_window import MainWindow
from tests.gui.conftest import order


class _Events(QObject):
    """Counts paint and layout-request events per watched object."""

    def __init__(self) -> None:
        super().__init__()
        self.paints: dict[str, int] = {}
        self.layouts = 0

    def eventFilter(self, obj, event) -> bool:  # noqa: N802 (Qt API)
        if event.type() == QEvent.Paint:
            name = obj.objectName() or type(obj).__name__
            self.paints[name] = self.paints.get(name, 0) + 1
        elif event.type() == QEvent.LayoutRequest:
            self.layouts += 1
        return False


def _shown_window(session, qtbot) -> MainWindow:
    """The console's window on (offscreen) screen, its frame clock driven by the test."""
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    win.resize(1400, 900)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_new_figures_repaint_the_panels_only(session, qtbot):
    win = _shown_window(session, qtbot)
    sc = session.script
    # a while of orders first: figures of the width they keep below, and digits each label has
    # seen (a wider text, or a first glyph, may grow a label once)
    for i in range(120):
        sc.feed(sc.ev(4 + i * 0.01, p.ORDER_PAID, **order(f"p{i}", "LD-006", 1, 19.9, buyer=f"p{i}")))
        if i % 6 == 5:
            win.clock.tick(force=True)
            QApplication.processEvents()
    for _ in range(5):
        QApplication.processEvents()
    events = _Events()
    docks = [win.docks[name] for name in ("orders", "funnel", "inventory")]
    for w in (win, *docks):
        w.installEventFilter(events)
    headline = win.orders.values["orders"]
    before = headline.text()
    for i in range(1, 6):      # five frames, each with new orders: new totals, counts, stock
        sc.feed(sc.ev(5 + i, p.ORDER_PAID, **order(f"o{i}", "LD-006", 1, 19.9, buyer=f"b{i}")))
        win.clock.tick()
        QApplication.processEvents()
    assert headline.text() != before            # the figures did change on screen
    assert all(isinstance(d, QDockWidget) for d in docks)
    assert not any(events.paints.get(d.objectName(), 0) for d in docks), events.paints
    assert events.layouts == 0


def test_the_age_badge_follows_its_dock_without_being_placed_every_frame(session, qtbot):
    from widgets.data_age import TITLE_BUTTONS_W
    win = _shown_window(session, qtbot)
    dock, badge = win.docks["orders"], win.data_age["orders"]

    class Live:                              # a feed that sent something a second ago
        state = "live"

        @staticmethod
        def data_age() -> float:
            return 1.0

    badge._status = Live()
    win.clock.tick(force=True)

    def in_title_bar() -> bool:
        return (badge.parentWidget() is dock and badge.isVisible()
                and badge.geometry().right() + 1 == dock.width() - TITLE_BUTTONS_W
                and badge.geometry().bottom() < dock.widget().geometry().top())

    qtbot.waitUntil(in_title_bar)
    win.resize(1100, 800)                    # the dock narrows: the badge moves with it
    qtbot.waitUntil(lambda: dock.width() < 1100 and in_title_bar())
    placed = badge._placed_at
    for _ in range(3):
        win.clock.tick(force=True)
    assert badge._placed_at == placed        # unchanged text: not placed again every frame
