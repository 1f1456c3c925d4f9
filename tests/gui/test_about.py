"""Help → About shows the version, the log file and the recordings database."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMainWindow

from console import __version__
from console.gui.help_menu import add_help_menu, describe_database
from widgets.about_dialog import AboutDialog


class _Holder:
    """What a recorder or store exposes (console.api.Database)."""

    import sqlalchemy as sa
    database_url = sa.make_url("postgresql+psycopg://studio:hunter2@127.0.0.1/livedesk")


def test_help_menu_opens_about(qtbot, tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEDESK_LOG_DIR", str(tmp_path))
    window = QMainWindow()
    qtbot.addWidget(window)
    menu = add_help_menu(window, describe_database(_Holder()))
    about = menu.actions()[0]
    about.trigger()
    dialogs = window.findChildren(AboutDialog)
    assert len(dialogs) == 1
    dialog = dialogs[0]
    text = " ".join(label.text() for label in (dialog.log_label, dialog.db_label))
    assert dialog.log_file is not None and dialog.log_file.name == "livedesk.log"
    assert str(dialog.log_file) in text
    assert "hunter2" not in dialog.db_label.text() and "127.0.0.1/livedesk" in dialog.db_label.text()
    assert __version__ in dialog.findChildren(type(dialog.log_label))[0].text()
    dialog.grab().save(str(tmp_path / "about.png"))


def test_about_without_log_file(qtbot):
    dialog = AboutDialog("9.9", None, "sqlite:///x.db")
    qtbot.addWidget(dialog)
    assert not dialog.open_logs.isEnabled()
    assert Path("x.db").name in dialog.db_label.text()
