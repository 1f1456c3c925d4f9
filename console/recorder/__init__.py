"""Durable recording of session logs (SQLite by default, PostgreSQL by URL)."""

import os

from console.recorder.db import default_url, ensure_schema, make_engine
from console.recorder.process import ProcessRecorder, RecorderProcessError
from console.recorder.recorder import Recorder
from console.recorder.store import SessionExistsError, SessionInfo, Store


def open_recorder(url: str | None = None, **kwargs):  # noqa: ANN201 - Recorder-like
    """The recorder ``livedesk record`` and the console use: in a process of its own
    (:class:`ProcessRecorder`), or in this one with ``LIVEDESK_RECORDER=thread``."""
    if os.environ.get("LIVEDESK_RECORDER", "process").strip().lower() == "thread":
        return Recorder(url, **kwargs)
    return ProcessRecorder(url, **kwargs)


__all__ = ["Recorder", "ProcessRecorder", "RecorderProcessError", "open_recorder", "Store",
           "SessionInfo", "SessionExistsError", "default_url", "ensure_schema", "make_engine"]
