"""Replay tests: the headless ones need nothing; the Qt ones ask for ``qt_settings``."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import pytest


@pytest.fixture
def qt_settings(tmp_path, qapp):
    """A throwaway QSettings location and English UI for widget tests."""
    from PySide6.QtCore import QCoreApplication, QSettings
    os.environ["LIVEDESK_LANG"] = "en"
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskReplayTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield tmp_path / "settings"


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def any_db_url(request, tmp_path):
    """SQLite, and PostgreSQL when a server can be had (tests/recorder's pg_url)."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'rec.db'}"
    return request.getfixturevalue("pg_url")


from tests.recorder.conftest import pg_url  # noqa: E402,F401  (session-scoped server fixture)
