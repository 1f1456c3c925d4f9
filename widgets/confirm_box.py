"""A window-modal confirmation that never blocks the event loop (the feed keeps streaming)."""

from __future__ import annotations

from typing import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QMessageBox, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def confirm(parent: QWidget, title: str, text: str, ok_text: str, on_ok: Callable[[], None], *,
            informative: str = "", default_ok: bool = True,
            icon: QMessageBox.Icon = QMessageBox.Question) -> QMessageBox:
    """Ask before an action; ``on_ok`` runs only when the operator picks ``ok_text``.

    Shown with ``open()`` (window-modal, no nested event loop): frames, the feed and the
    recorder carry on while it is up. Returns the box (tests press its buttons)."""
    box = QMessageBox(icon, title, text, QMessageBox.NoButton, parent)
    box.setObjectName("confirm_box")
    box.setTextFormat(Qt.PlainText)
    if informative:
        box.setInformativeText(informative)
    ok = box.addButton(ok_text, QMessageBox.AcceptRole)
    cancel = box.addButton(_tr("Cancel"), QMessageBox.RejectRole)
    box.setDefaultButton(ok if default_ok else cancel)
    box.setEscapeButton(cancel)
    box.setAttribute(Qt.WA_DeleteOnClose)
    box.ok_button, box.cancel_button = ok, cancel

    def done(_result: int) -> None:
        if box.clickedButton() is ok:
            on_ok()

    box.finished.connect(done)
    box.open()
    return box


__all__ = ["confirm"]
