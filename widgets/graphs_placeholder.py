"""GraphsPlaceholder: stands where the conversion graphs go until they are loaded."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QLabel, QWidget


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


class GraphsPlaceholder(QLabel):
    """A quiet "Loading the graphs…" in the graphs' place: the console shows its window before
    it imports pyqtgraph (a third of a second), then swaps the real graphs in
    (``MainWindow.install_graphs``). Follows the frame-clock protocol and shows nothing else."""

    placeholder = True

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(_tr("Loading the graphs…"), parent)
        self.setObjectName("muted")
        self.setAlignment(Qt.AlignCenter)
        self.setMinimumSize(200, 200)
        self.state = None
        self.now = None

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        """Nothing to show: the graphs replace this widget."""
