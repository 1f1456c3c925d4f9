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
    total changing in every frame, the console spent about 6 % of a core at 20,000 events/s
    laying out a window whose geometry did not change (docs/performance.md, issue 19,
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
        self._known: set[str] = set()    # characters whose glyphs the label's height fits
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
        if metrics is not None and self._known.issuperset(text):
            # plain text of characters already measured (so of fonts whose height the label
            # has): its advance (about 2 µs) instead of the label's size hint, which goes
            # through the style sheet (about 25 µs in the console)
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
        if metrics is not None and self._plain(text):
            self._known.update(text)  # a new glyph may come from a taller fallback font: now measured

    def refit(self) -> None:
        """Size the label to its current text (it may shrink: one relayout)."""
        self.setMinimumSize(0, 0)
        self.setMaximumSize(QWIDGETSIZE_MAX, QWIDGETSIZE_MAX)
        # QLabel keeps its size hint until its text or font changes, and that hint includes the
        # fixed size it had (a style change keeps it): setting the indent drops it
        self.setIndent(self.indent())
        hint = self.sizeHint()
        text = self.text()
        self._metrics = None
        self._known = set()
        if self._plain(text):
            # what the hint adds to the text's advance (margins, indent, frame): later plain
            # texts of the same characters are measured with the font alone
            self._metrics = QFontMetrics(self.font())
            self._chrome = max(0, hint.width() - self._metrics.horizontalAdvance(text))
            self._known.update(text)
        self._fix(max(self._floor, hint.width() + self._spare()), hint.height())

    def _plain(self, text: str) -> bool:
        """One line of plain text (no markup for Qt to lay out)."""
        return (self.textFormat() != Qt.RichText and "\n" not in text
                and ("<" not in text or not GuiQt.mightBeRichText(text)))

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
