"""The Help menu every Livedesk window shares (About: version, log file, recordings)."""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMainWindow, QMenu

from console import __version__
from console.api import Database
from console.support.logs import configured_log_file, log_file
from widgets.about_dialog import AboutDialog


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def add_help_menu(window: QMainWindow, database: str) -> QMenu:
    """Append a Help menu to ``window``'s menu bar; ``database`` is shown as where recordings go."""
    menu = window.menuBar().addMenu(_tr("&Help"))
    about = QAction(_tr("About Livedesk…"), window)
    about.setMenuRole(QAction.AboutRole)
    about.triggered.connect(lambda: show_about(window, database))
    menu.addAction(about)
    return menu


def describe_database(holder: Database | None) -> str:
    """The database a recorder or store writes to, password hidden ('' when there is none)."""
    url = holder.database_url if holder is not None else None
    return url.render_as_string(hide_password=True) if url is not None else ""


def show_about(window: QMainWindow, database: str) -> AboutDialog:
    path = configured_log_file() or log_file()
    dialog = AboutDialog(__version__, path, database, window)
    dialog.open()
    return dialog
