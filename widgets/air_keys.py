"""Focus rules for keys that act on air (push, clear, flash sale, reorder).

A key that changes what viewers see must never fire while the operator is typing: a digit,
PageUp/PageDown, Ctrl+F or a clear key pressed in the cue box, the cue-card editor, a stock box
or any other text field belongs to that field. :class:`AirShortcuts` owns such shortcuts and
switches them off whenever the keyboard focus is in a text-entry widget (and checks again when
one fires), so the field gets the key as if the shortcut did not exist.
"""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QObject, Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractSpinBox, QApplication, QComboBox, QLineEdit,
                               QPlainTextEdit, QTextEdit, QWidget)


def is_text_field(widget: QWidget | None) -> bool:
    """True for widgets that take typed text: line edits, spin boxes, editable combo boxes,
    plain and rich text editors (read-only ones excepted)."""
    w = widget
    while w is not None:
        if isinstance(w, (QLineEdit, QAbstractSpinBox)):
            return not (isinstance(w, QLineEdit) and w.isReadOnly())
        if isinstance(w, (QPlainTextEdit, QTextEdit)):
            return not w.isReadOnly()
        if isinstance(w, QComboBox):
            return w.isEditable()
        # a text editor's viewport or a spin box's inner line edit has the focus itself
        parent = w.parentWidget()
        if parent is None or not isinstance(parent, (QAbstractSpinBox, QComboBox, QPlainTextEdit,
                                                     QTextEdit)):
            return False
        w = parent
    return False


def typing() -> bool:
    """The keyboard focus is in a text field right now."""
    return is_text_field(QApplication.focusWidget())


class AirShortcuts(QObject):
    """Window-wide shortcuts that are off while a text field has the keyboard focus."""

    def __init__(self, owner: QWidget) -> None:
        super().__init__(owner)
        self.owner = owner
        self.shortcuts: list[QShortcut] = []
        self.off: set[QShortcut] = set()      # switched off by a setting (e.g. digit keys)
        self._enabled = True
        app = QApplication.instance()
        if app is not None:
            app.focusChanged.connect(self._on_focus_changed)

    # ---- Public API
    def add(self, keys: str, slot: Callable[[], None]) -> QShortcut:
        sc = QShortcut(QKeySequence(keys), self.owner)
        sc.setContext(Qt.WindowShortcut)
        sc.activated.connect(lambda sc=sc, slot=slot: self._fire(sc, slot))
        sc.setEnabled(self._enabled and not typing())
        self.shortcuts.append(sc)
        return sc

    def set_enabled(self, on: bool) -> None:
        """Switch every shortcut on or off (replay: off for good)."""
        self._enabled = bool(on)
        self._apply(typing())

    def set_digits(self, on: bool) -> None:
        """Digit keys 1-9 (push by position) on or off."""
        digits = {sc for sc in self.shortcuts if sc.key().toString() in tuple("123456789")}
        self.off = (self.off - digits) if on else (self.off | digits)
        self._apply(typing())

    # ---- Internals
    def _apply(self, in_field: bool) -> None:
        for sc in self.shortcuts:
            sc.setEnabled(self._enabled and not in_field and sc not in self.off)

    def _fire(self, sc: QShortcut, slot: Callable[[], None]) -> None:
        if self._enabled and sc not in self.off and not typing():
            slot()

    # ---- Slots
    def _on_focus_changed(self, _old: QWidget | None, new: QWidget | None) -> None:
        self._apply(is_text_field(new))


__all__ = ["AirShortcuts", "is_text_field", "typing"]
