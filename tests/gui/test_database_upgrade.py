"""A recording database that needs a one-time upgrade is upgraded before the console or the
replay opens, on a thread, with a busy dialog on screen meanwhile."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QProgressDialog

from console.gui.db_upgrade import upgrade_database
from console.recorder import Store
from console.recorder.db import current_revision, head_revision, make_engine, pending_upgrade
from tests.recorder.test_migrations import _database_at_0002


def test_upgrade_runs_with_a_busy_dialog(qapp, tmp_path):
    url = _database_at_0002(tmp_path / "old.db", 300_000)
    seen: list[str] = []

    def look() -> None:                  # runs while the upgrade is under way
        for w in QApplication.topLevelWidgets():
            if isinstance(w, QProgressDialog) and w.isVisible():
                seen.append(w.labelText())

    probe = QTimer()
    probe.setInterval(20)
    probe.timeout.connect(look)
    probe.start()
    try:
        assert upgrade_database(url) is True
    finally:
        probe.stop()
    assert seen and "database" in seen[0]
    engine = make_engine(url)
    try:
        assert pending_upgrade(engine) is None
        with engine.connect() as c:
            assert current_revision(c) == head_revision()
    finally:
        engine.dispose()
    store = Store(url)
    try:
        assert len(store.first_purchases("s1")) == 300_000
    finally:
        store.close()
    assert upgrade_database(url) is False            # nothing left to do: no dialog


def test_new_database_needs_no_dialog(qapp, tmp_path):
    assert upgrade_database(f"sqlite:///{tmp_path / 'new.db'}") is False


def test_a_failing_upgrade_is_raised(qapp, tmp_path, monkeypatch):
    import alembic.op

    url = _database_at_0002(tmp_path / "old.db", 10)
    monkeypatch.setattr(alembic.op, "drop_table", lambda *a, **k: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        upgrade_database(url)
    assert not [w for w in QApplication.topLevelWidgets()
                if isinstance(w, QProgressDialog) and w.isVisible()]


def test_the_upgrade_runs_off_the_ui_thread_while_the_ui_thread_keeps_turning(qapp, tmp_path,
                                                                               monkeypatch):
    import threading
    import time

    import console.recorder.db as db

    url = _database_at_0002(tmp_path / "old.db", 10)
    ran_on: list[threading.Thread] = []
    real = db.ensure_schema

    def slow_upgrade(engine) -> None:
        ran_on.append(threading.current_thread())
        time.sleep(0.4)
        real(engine)

    monkeypatch.setattr(db, "ensure_schema", slow_upgrade)
    ticks: list[float] = []
    probe = QTimer()
    probe.setInterval(10)
    probe.timeout.connect(lambda: ticks.append(time.monotonic()))
    probe.start()
    try:
        assert upgrade_database(url) is True
    finally:
        probe.stop()
    assert ran_on and ran_on[0] is not threading.main_thread()
    assert len(ticks) >= 15                      # timers kept firing during the 0.4 s upgrade
