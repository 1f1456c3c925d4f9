"""SteadyLabel: a one-line label for a value that changes many times a second, without
relaying out its window each time."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QFontMetrics
from PySide6.QtGui import Qt as GuiQt
from PySide6.QtWidgets import QLabel, QWidget

#: Qt's largest widget size (QWIDGETSIZE_MAX): no maximum
QWIDGETSIZE_MAX = (1 << 24) - 1


class SteadyLabel(QLabel):
    """A one-line QLabel of fixed size that only grows.

    A QLabel asks its parent's layout to recompute whenever its text changes, and that
    recomputation runs up through the dock to the main window. With a count, a rate and a
    total changing in every frame, the console spent about a tenth of its UI thread at 20,000
    events/s laying out a window whose geometry did not change (docs/performance.md, issue 19,
    sixth pass). Qt skips that request for a widget whose minimum and maximum sizes are equal,
    so this label keeps a fixed size: a new text that fits is only repainted; a wider or taller
    one grows the label to fit (one relayout), with ``slack`` characters to spare so that a
    number gaining a digit does not relayout again at once. It shrinks back to its text only
    when its font or style changes (a language or theme switch) or on :meth:`refit`.

    Not for wrapped text (its height would be wrong) or a label a layout must stretch; give a
    right-aligned label in a wider grid cell the layout alignment too
    (``grid.addWidget(label, r, c, Qt.AlignRight | Qt.AlignVCenter)``), since a fixed-size
    widget sits at the start of its cell.
    """

    def __init__(self, text: str = "", parent: QWidget | None = None, *, min_width: int = 0,
                 slack: int = 2) -> None:
        super().__init__(parent)
        self._floor = min_width
        self._slack = slack
        self.relayouts = 0       # how often the label was resized (tests, benchmarks)
        self._fixed = False
        self._metrics: QFontMetrics | None = None   # plain text: measured with these
        self._chrome = 0
        super().setText(text)
        self.refit()

    def setText(self, text: str) -> None:  # type: ignore[override]  # noqa: N802 (Qt API)
        if text == self.text():
            return
        super().setText(text)        # fixed size: Qt does not invalidate the parent's layout
        if not self._fixed:
            self.refit()
            return
        metrics = self._metrics
        if metrics is not None and "<" not in text and "\n" not in text:
            # one line of plain text: its advance (about 2 µs) instead of the label's size
            # hint, which goes through the style sheet (about 25 µs in the console)
            need = metrics.horizontalAdvance(text) + self._chrome
            if need <= self.maximumWidth():
                return
            self._fix(need + self._spare(), self.maximumHeight())
            return
        hint = self.sizeHint()       # at least the label's size (QLabel's hint includes it)
        if hint.width() > self.maximumWidth() or hint.height() > self.maximumHeight():
            width = self.maximumWidth()
            if hint.width() > width:
                width = hint.width() + self._spare()
            self._fix(width, max(hint.height(), self.maximumHeight()))

    def refit(self) -> None:
        """Size the label to its current text (it may shrink: one relayout)."""
        self.setMinimumSize(0, 0)
        self.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        hint = self.sizeHint()
        text = self.text()
        self._metrics = None
        if self.textFormat() != Qt.RichText and not GuiQt.mightBeRichText(text) and "\n" not in text:
            # what the hint adds to the text's advance (margins, indent, frame): later plain
            # texts are measured with the font alone
            self._metrics = QFontMetrics(self.font())
            self._chrome = max(0, hint.width() - self._metrics.horizontalAdvance(text))
        self._fix(max(self._floor, hint.width() + self._spare()), hint.height())

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 (Qt API)
        super().changeEvent(event)
        if event.type() in (QEvent.FontChange, QEvent.StyleChange):
            self.refit()

    def _spare(self) -> int:
        return self._slack * self.fontMetrics().horizontalAdvance("0")

    def _fix(self, width: int, height: int) -> None:
        self._fixed = True
        self.relayouts += 1
        self.setFixedSize(width, height)
