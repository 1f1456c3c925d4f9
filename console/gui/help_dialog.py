"""Help → Keyboard shortcuts (F1): every key of the console and the prompt panel, as set now."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QHeaderView, QTableWidget,
                               QTableWidgetItem, QVBoxLayout, QWidget)

from console.gui.settings import AppSettings


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def shortcut_rows(settings: AppSettings) -> list[tuple[str, str, str]]:
    """(section, keys, what) for every shortcut; the air keys as the settings bind them."""
    k = settings.hotkeys

    def native(keys: str) -> str:
        return QKeySequence(keys).toString(QKeySequence.NativeText)

    on_air = _tr("On air (never while typing in a text field)")
    window, prompter = _tr("Console"), _tr("Prompt panel")
    rows = [
        (on_air, "Enter / " + _tr("double-click"), _tr("Push the selected card")),
        (on_air, native(k["next"]), _tr("Push next card")),
        (on_air, native(k["prev"]), _tr("Push previous card")),
        (on_air, native(k["clear"]), _tr("Take card off air (asks first)")),
        (on_air, native(k["flash"]), _tr("Flash sale on the product on air (asks first)")),
        (on_air, native("Ctrl+Up") + " / " + native("Ctrl+Down"), _tr("Move the selected card")),
        (on_air, native("Ctrl+Z"), _tr("Undo reorder")),
    ]
    if settings.digit_keys:
        rows.insert(1, (on_air, "1 … 9", _tr("Push the card at that position")))
    rows += [
        (window, native("Ctrl+L"), _tr("Focus cue box")),
        (window, native("Ctrl+R"), _tr("Focus run of show")),
        (window, native("Ctrl+I"), _tr("Focus inventory")),
        (window, native("Ctrl+Shift+A"), _tr("Show alerts")),
        (window, native("Ctrl+E"), _tr("Edit cue cards")),
        (window, native("Ctrl+Return"), _tr("Send the edited cue card to the prompt panel")),
        (window, native("Ctrl+S"), _tr("Save plan as…")),
        (window, "F10", _tr("Open prompt panel")),
        (window, native("Ctrl+,"), _tr("Settings…")),
        (window, native("Ctrl+Shift+N"), _tr("New session…")),
        (window, native("Ctrl+Q"), _tr("Quit (asks while live)")),
        (window, "F1", _tr("Keyboard shortcuts")),
        (prompter, _tr("Space / Enter"), _tr("Acknowledge the operator's cue")),
        (prompter, "↑ / ↓", _tr("Scroll speed")),
        (prompter, "PgUp / PgDown", _tr("Step a page (foot pedals)")),
        (prompter, "P", _tr("Pause or resume scrolling")),
        (prompter, "M", _tr("Mirror")),
        (prompter, "+ / -", _tr("Font size")),
        (prompter, "Esc / F11", _tr("Leave or enter full screen")),
    ]
    return rows


class ShortcutsDialog(QDialog):
    """A read-only table of the shortcuts (non-modal: the show goes on behind it)."""

    def __init__(self, settings: AppSettings, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Livedesk — " + _tr("Keyboard shortcuts"))
        self.resize(640, 620)
        self.setMinimumSize(480, 360)
        rows = shortcut_rows(settings)
        self.table = QTableWidget(len(rows), 3)
        self.table.setHorizontalHeaderLabels([_tr("Where"), _tr("Keys"), _tr("Action")])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.NoEditTriggers)
        self.table.setWordWrap(True)
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                item = QTableWidgetItem(text)
                if c == 1:
                    item.setTextAlignment(Qt.AlignCenter)
                self.table.setItem(r, c, item)
        head = self.table.horizontalHeader()
        head.setSectionResizeMode(0, QHeaderView.ResizeToContents)
        head.setSectionResizeMode(1, QHeaderView.ResizeToContents)
        head.setSectionResizeMode(2, QHeaderView.Stretch)
        lay = QVBoxLayout(self)
        lay.addWidget(self.table)
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.close)
        buttons.button(QDialogButtonBox.Close).setText(_tr("Close"))
        lay.addWidget(buttons)

    def texts(self) -> list[tuple[str, str, str]]:
        return [tuple(self.table.item(r, c).text() for c in range(3))
                for r in range(self.table.rowCount())]


__all__ = ["ShortcutsDialog", "shortcut_rows"]
