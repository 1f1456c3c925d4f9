"""Help → About: the version, and where the log file and the recordings are (for support)."""

from __future__ import annotations

import platform
import sys
from pathlib import Path

from PySide6.QtCore import QCoreApplication, Qt, QUrl
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import (QDialog, QDialogButtonBox, QFormLayout, QLabel, QPushButton,
                               QVBoxLayout, QWidget)


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class AboutDialog(QDialog):
    """Version, log file and database location; the paths can be selected and copied."""

    def __init__(self, version: str, log_file: Path | None, database: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle(_tr("About Livedesk"))
        self.log_file = log_file
        title = QLabel(f"<b>Livedesk {version}</b>")
        title.setTextFormat(Qt.RichText)
        blurb = QLabel(_tr("Control console for brand self-broadcast live commerce."))
        form = QFormLayout()
        self.log_label = self._path_label(str(log_file) if log_file else _tr("(no log file)"))
        self.db_label = self._path_label(database)
        form.addRow(_tr("Log file:"), self.log_label)
        form.addRow(_tr("Recordings:"), self.db_label)
        form.addRow(_tr("Runtime:"), QLabel(f"Python {platform.python_version()} · {sys.platform}"))
        buttons = QDialogButtonBox(QDialogButtonBox.Close)
        buttons.rejected.connect(self.reject)
        self.open_logs = QPushButton(_tr("Open log folder"))
        self.open_logs.setEnabled(log_file is not None)
        self.open_logs.clicked.connect(self._on_open_logs)
        buttons.addButton(self.open_logs, QDialogButtonBox.ActionRole)
        layout = QVBoxLayout(self)
        layout.addWidget(title)
        layout.addWidget(blurb)
        layout.addLayout(form)
        layout.addWidget(buttons)
        self.setMinimumWidth(520)

    @staticmethod
    def _path_label(text: str) -> QLabel:
        label = QLabel(text)
        label.setTextInteractionFlags(Qt.TextSelectableByMouse)
        label.setWordWrap(True)
        return label

    def _on_open_logs(self) -> None:
        if self.log_file is not None:
            QDesktopServices.openUrl(QUrl.fromLocalFile(str(self.log_file.parent)))
