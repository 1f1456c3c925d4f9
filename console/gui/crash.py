"""Uncaught exceptions: logged, printed, and shown in a non-modal message box."""

from __future__ import annotations

import logging
import sys
import traceback

from PySide6.QtCore import QCoreApplication
from PySide6.QtWidgets import QApplication, QMessageBox

log = logging.getLogger("livedesk.console")


def install_excepthook() -> None:
    """Log uncaught exceptions and show them in a non-modal message box."""
    boxes: list[QMessageBox] = []

    def hook(exc_type, exc, tb):
        if issubclass(exc_type, KeyboardInterrupt):
            return  # handled by close_on_signals: the window closes and recording ends cleanly
        text = "".join(traceback.format_exception(exc_type, exc, tb))
        log.error("uncaught exception:\n%s", text)
        print(text, file=sys.stderr)
        if QApplication.instance() is None:
            return
        box = QMessageBox(QMessageBox.Warning, "Livedesk",
                          QCoreApplication.translate("Livedesk", "An internal error occurred")
                          + f":\n{exc_type.__name__}: {exc}")
        box.setDetailedText(text)
        box.setModal(False)
        box.show()
        boxes[:] = boxes[-4:] + [box]

    sys.excepthook = hook


__all__ = ["install_excepthook"]
