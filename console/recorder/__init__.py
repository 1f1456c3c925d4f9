"""Durable recording of session logs (SQLite by default, PostgreSQL by URL)."""

from console.recorder.db import default_url, ensure_schema, make_engine
from console.recorder.recorder import Recorder
from console.recorder.store import SessionExistsError, SessionInfo, Store

__all__ = ["Recorder", "Store", "SessionInfo", "SessionExistsError", "default_url",
           "ensure_schema", "make_engine"]
