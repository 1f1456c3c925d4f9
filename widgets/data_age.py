"""DataAgeBadge: the age of a panel's figures, and the panel greyed out when they are stale.

A small badge over the top-right corner of a panel (a dock's contents or the central graphs)
says how old the figures are ("● 1 s"); when the feed is not live or nothing arrived for more
than ``STALE_AFTER_S`` seconds it turns into "⚠ 12 s old" / "⚠ no data" and the panel is drawn
at reduced opacity, so a dropped or dead feed never looks live. The badge observes the
session's :class:`console.feed.client.FeedStatus` (``data_age()``, ``state``) on the frame
clock; it does no I/O.
"""

from __future__ import annotations

import time
from typing import Callable

from PySide6.QtCore import QCoreApplication, QEvent, QObject, QPoint, Qt
from PySide6.QtWidgets import QDockWidget, QGraphicsOpacityEffect, QLabel, QWidget

from console.api import FeedStatusView
from widgets.frame_clock import set_text

#: Figures older than this (seconds since the feed last sent anything) are shown as stale.
STALE_AFTER_S = 5.0
STALE_OPACITY = 0.38
TITLE_BUTTONS_W = 52      # a dock title bar's float and close buttons
FRESH_STYLE = ("color: #8a92a6; background: rgba(20, 22, 28, 170); border-radius: 3px;"
               " padding: 0 4px; font-size: 11px;")
STALE_STYLE = ("color: #1b1d23; background: #ffb020; border-radius: 3px; padding: 0 5px;"
               " font-size: 11px; font-weight: bold;")


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def feed_freshness(status: FeedStatusView | None) -> tuple[bool, float | None]:
    """(stale, age in seconds or None when nothing arrived yet) for a FeedStatus; a missing
    status (replay, tests) is never stale."""
    if status is None:
        return False, None
    age = status.data_age()
    live = status.state == "live"
    return (not live or age is None or age > STALE_AFTER_S), age


def age_text(stale: bool, age: float | None) -> str:
    if age is None:
        return "⚠ " + _tr("no data") if stale else ""
    secs = int(age)
    if not stale:
        return f"● {secs} s"
    if secs >= 3600:
        return "⚠ " + _tr("{n} h old").format(n=secs // 3600)
    if secs >= 120:
        return "⚠ " + _tr("{n} min old").format(n=secs // 60)
    return "⚠ " + _tr("{n} s old").format(n=secs)


class DataAgeBadge(QLabel):
    """Badge over ``panel``'s top-right corner; greys ``panel`` out while its data is stale."""

    time_dependent = True
    refresh_hidden = True     # it shows itself: refreshed while hidden too

    def __init__(self, panel: QWidget, status: Callable[[], object] | object) -> None:
        super().__init__(_dock_of(panel) or panel.parentWidget() or panel)
        self.setObjectName("dataAge")
        self.setAttribute(Qt.WA_TransparentForMouseEvents)
        self.panel = panel
        self._status = status
        self.state = None
        self.now = None
        self.stale: bool | None = None
        self.age: float | None = None
        self._effect: QGraphicsOpacityEffect | None = None
        self._placed_at = 0.0            # time.monotonic() of the last _place
        self._follow = _Follow(self)
        panel.installEventFilter(self._follow)
        self.setToolTip(_tr("Age of these figures: time since the feed last sent data"))
        self._place()

    # ---- frame-clock protocol
    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        status = self._status() if callable(self._status) else self._status
        stale, age = feed_freshness(status)
        self.age = age
        text = self.text()
        set_text(self, age_text(stale, age), STALE_STYLE if stale else FRESH_STYLE)
        changed = self.text() != text or stale != self.stale
        if changed:
            self.adjustSize()
        if stale != self.stale:
            self.stale = stale
            self._set_grey(stale)
        # placed again when its size changed (the panel's moves and resizes place it through
        # _Follow), and once a second whatever happens: not in every frame (~50 µs each, five
        # badges)
        mono = time.monotonic()
        if changed or mono - self._placed_at >= 1.0:
            self._place()

    # ---- Internals
    def _set_grey(self, grey: bool) -> None:
        if grey:
            self._effect = QGraphicsOpacityEffect(self.panel)
            self._effect.setOpacity(STALE_OPACITY)
            self.panel.setGraphicsEffect(self._effect)      # the panel owns it from here
        else:
            self.panel.setGraphicsEffect(None)
            self._effect = None

    def _place(self) -> None:
        self._placed_at = time.monotonic()
        host = self.parentWidget()
        g = self.panel.rect() if host is self.panel else self.panel.geometry()
        contents = host.widget() if isinstance(host, QDockWidget) else None
        title_h = contents.geometry().top() if contents is not None else 0
        if contents is not None and title_h >= self.height():
            # in the dock's title bar, left of its float and close buttons: no figure covered
            # (also for a panel inside a scroll area in the dock)
            at = QPoint(host.width() - self.width() - TITLE_BUTTONS_W, (title_h - self.height()) // 2)
        else:
            at = QPoint(g.right() - self.width() - 4, g.top() + 4)
        # each call below repaints the badge's corner of the dock even when nothing changes
        # (raise_ most of all): only when needed, or the docks repaint in every frame
        if self.pos() != at:
            self.move(at)
        visible = self.panel.isVisible() and bool(self.text())
        if self.isVisibleTo(host) != visible:
            self.setVisible(visible)
        if visible and _top_widget(host) is not self:
            self.raise_()


def _top_widget(host: QWidget) -> QObject | None:
    """The child widget of ``host`` stacked on top (children are listed bottom to top)."""
    return next((c for c in reversed(host.children()) if c.isWidgetType()), None)


def _dock_of(widget: QWidget) -> QDockWidget | None:
    """The dock ``widget`` sits in (directly or inside a scroll area), if any."""
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QDockWidget):
        parent = parent.parentWidget()
    return parent


class _Follow(QObject):
    """Keeps the badge on its panel's corner as the panel moves, resizes, shows or hides."""

    def __init__(self, badge: DataAgeBadge) -> None:
        super().__init__(badge)
        self.badge = badge

    def eventFilter(self, obj, event) -> bool:  # noqa: N802
        if event.type() in (QEvent.Move, QEvent.Resize, QEvent.Show, QEvent.Hide):
            self.badge._place()
        return False
