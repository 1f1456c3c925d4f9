"""The one-time upgrade of the recordings database at start, with a busy dialog meanwhile."""

from __future__ import annotations

from typing import Any, Callable

from PySide6.QtCore import QCoreApplication, QEventLoop, Qt
from PySide6.QtWidgets import QProgressDialog

from console.gui import tasks

UPGRADING = "upgrading"


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def _upgrade(url: str, report: Callable[[Any], None]) -> bool:
    """On a worker thread: upgrade the database if it needs it (saying so first); True if it did."""
    from console.recorder.db import ensure_schema, make_engine, pending_upgrade

    engine = make_engine(url)
    try:
        if pending_upgrade(engine) is None:
            return False
        report(UPGRADING)
        ensure_schema(engine)
        return True
    finally:
        engine.dispose()


def busy_dialog() -> QProgressDialog:
    """"Upgrading the recordings database (only once)…", without a cancel button."""
    dialog = QProgressDialog(_tr("Upgrading the recordings database (only once)…"), "", 0, 0)
    dialog.setCancelButton(None)
    dialog.setWindowTitle("Livedesk")
    dialog.setWindowModality(Qt.WindowModality.ApplicationModal)
    dialog.setMinimumDuration(0)
    dialog.setMinimumWidth(380)
    return dialog


def upgrade_database(url: str | None) -> bool:
    """Upgrade the recording database now if it needs it, with a busy dialog; True if it did.

    A one-time migration of a large database takes seconds (about 12 for 10 million events). It
    runs off the UI thread (``console.gui.tasks``) while this call waits in an event loop of its
    own, so the dialog paints instead of the app seeming not to start. Nothing else is on screen
    yet: the app calls this before it opens its windows."""
    from console.support.db_quickcheck import default_url, surely_current
    if url is None:
        url = default_url()
    if surely_current(url):
        return False              # a new SQLite file, or one at the head revision (the usual case)

    outcome: dict[str, Any] = {}
    dialogs: list[QProgressDialog] = []
    waiting = QEventLoop()

    def on_progress(_step: Any) -> None:
        dialog = busy_dialog()
        dialog.show()
        dialogs.append(dialog)

    def finish(key: str, value: Any) -> None:
        outcome[key] = value
        waiting.quit()

    tasks.run(lambda report: _upgrade(url, report), lambda done: finish("done", done),
              lambda exc: finish("error", exc), progress=on_progress)
    if not outcome:
        waiting.exec()
    for dialog in dialogs:
        dialog.close()
        dialog.deleteLater()
    if "error" in outcome:
        raise outcome["error"]
    return bool(outcome["done"])


__all__ = ["upgrade_database"]
