"""Durable recording of session logs (SQLite by default, PostgreSQL by URL)."""

import os
from pathlib import Path
from typing import Any

from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from console.recorder.db import default_url, ensure_schema, make_engine
from console.recorder.process import ProcessRecorder, RecorderProcessError
from console.recorder.recorder import Recorder
from console.recorder.store import SessionExistsError, SessionInfo, Store


class RecorderStartError(RuntimeError):
    """The recording database cannot be opened (full disk, no permission, bad URL): a one-line
    reason in ``str``. A SQLite database that did not exist before is removed again."""


def open_recorder(url: str | None = None, **kwargs: Any) -> Recorder | ProcessRecorder:
    """The recorder ``livedesk record`` and the console use: in a process of its own
    (:class:`ProcessRecorder`), or in this one with ``LIVEDESK_RECORDER=thread``.

    Raises :class:`RecorderStartError` when the database cannot be opened; then the files a
    new SQLite database would have left (an empty database, its WAL, its lock) are removed."""
    url = url or default_url()
    created = _new_sqlite_files(url)
    try:
        if os.environ.get("LIVEDESK_RECORDER", "process").strip().lower() == "thread":
            return Recorder(url, **kwargs)
        return ProcessRecorder(url, **kwargs)
    except Exception as exc:  # one clear reason for the caller
        for path in created:
            try:
                path.unlink(missing_ok=True)
            except OSError:
                pass
        raise RecorderStartError(f"cannot record to {_shown(url)}: {_reason(exc)}") from exc


def _new_sqlite_files(url: str) -> list[Path]:
    """The files opening ``url`` would create, if it is a SQLite file that does not exist."""
    try:
        u = make_url(url)
    except Exception:  # noqa: BLE001 - a bad URL fails later with its own reason
        return []
    db = u.database
    if u.get_backend_name() != "sqlite" or not db or db == ":memory:" or db.startswith("file:"):
        return []
    path = Path(db)
    if path.exists():
        return []
    return [path] + [Path(str(path) + suffix)
                     for suffix in ("-wal", "-shm", "-journal", ".migrate.lock")]


def _shown(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # noqa: BLE001
        return url


def _reason(exc: BaseException) -> str:
    """The first line of the innermost useful message ("database or disk is full")."""
    # a database error carries the driver's own (shorter) message
    text = str((exc.orig if isinstance(exc, DBAPIError) else None) or exc)
    for prefix in ("cannot record to ",):
        if text.startswith(prefix) and ": " in text:
            text = text.split(": ", 1)[1]
    text = text.replace("(sqlite3.OperationalError) ", "").replace("OperationalError: ", "")
    return (text.strip().splitlines() or [type(exc).__name__])[0]


__all__ = ["Recorder", "ProcessRecorder", "RecorderProcessError", "RecorderStartError",
           "open_recorder", "Store",
           "SessionInfo", "SessionExistsError", "default_url", "ensure_schema", "make_engine"]
