"""LevelBar: a light horizontal bar (stock, funnel stages) that repaints with the frame.

``QProgressBar.setValue`` repaints synchronously whenever the chunk moves and goes through the
style sheet each time; at 30 frames/s over a dozen bars that is most of a frame. This bar only
calls ``update()`` (the paint is coalesced into the window's next repaint) and only when the
value, maximum or level actually changed.
"""

from __future__ import annotations

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

LEVEL_COLOURS = {"ok": "#35c27a", "low": "#ffb020", "out": "#ff4040", "accent": "#3fa7ff"}
TRACK = "#222630"


class LevelBar(QWidget):
    """A filled bar: ``value / maximum`` in the colour of ``level`` (ok, low, out, accent)."""

    def __init__(self, level: str = "ok", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._value = 0
        self._maximum = 100
        self._level = level
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setAttribute(Qt.WA_OpaquePaintEvent, False)

    # ---- Public API (a subset of QProgressBar's)
    def value(self) -> int:
        return self._value

    def maximum(self) -> int:
        return self._maximum

    def level(self) -> str:
        return self._level

    def setValue(self, value: int) -> None:  # noqa: N802 (QProgressBar-compatible)
        value = int(value)
        if value != self._value:
            before = self._filled_px()
            self._value = value
            if self._filled_px() != before:       # repaint only when a pixel changes
                self.update()

    def setMaximum(self, maximum: int) -> None:  # noqa: N802
        maximum = max(1, int(maximum))
        if maximum != self._maximum:
            before = self._filled_px()
            self._maximum = maximum
            if self._filled_px() != before:
                self.update()

    def set_level(self, level: str) -> None:
        if level != self._level:
            self._level = level
            self.update()

    def fraction(self) -> float:
        return max(0.0, min(1.0, self._value / self._maximum))

    def _filled_px(self) -> int:
        frac = self.fraction()
        return 0 if frac <= 0 else max(3, round(self.width() * frac))

    # ---- Qt
    def sizeHint(self) -> QSize:  # noqa: N802
        return QSize(120, 12)

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        return QSize(40, 10)

    def paintEvent(self, event) -> None:  # noqa: N802
        h = min(12, self.height())
        r = QRectF(0, (self.height() - h) / 2, self.width(), h)
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing, True)
        p.setPen(Qt.NoPen)
        p.setBrush(QColor(TRACK))
        p.drawRoundedRect(r, 3, 3)
        frac = self.fraction()
        if frac > 0:
            p.setBrush(QColor(LEVEL_COLOURS.get(self._level, LEVEL_COLOURS["ok"])))
            p.drawRoundedRect(QRectF(r.x(), r.y(), self._filled_px(), h), 3, 3)
        p.end()
