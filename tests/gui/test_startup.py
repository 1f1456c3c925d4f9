"""Cold start (issue 19): the console shows its window before the feed, the recorder and the
graphs; the fast database check; the start-up milestones."""

from __future__ import annotations

import asyncio
import sqlite3
import subprocess
import sys

import pytest

from console.support import db_quickcheck

from console.support import startup_trace
from console.recorder.db import ensure_schema, head_revision, make_engine


# ---- the database check without SQLAlchemy -------------------------------------------------
def test_quick_head_revision_is_alembics():
    assert db_quickcheck.head_revision() == head_revision()


def test_a_new_sqlite_file_needs_no_upgrade(tmp_path):
    assert db_quickcheck.surely_current(f"sqlite:///{tmp_path / 'new.db'}") is True
    assert not (tmp_path / "new.db").exists()          # the check creates nothing


def test_a_database_at_head_needs_no_upgrade_and_an_older_one_is_not_sure(tmp_path):
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    engine = make_engine(url)
    try:
        ensure_schema(engine)
    finally:
        engine.dispose()
    assert db_quickcheck.surely_current(url) is True
    with sqlite3.connect(tmp_path / "rec.db") as conn:
        conn.execute("UPDATE alembic_version SET version_num = '0002'")
    assert db_quickcheck.surely_current(url) is False


def test_anything_else_is_not_sure(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"not a database at all" * 100)
    assert db_quickcheck.surely_current(f"sqlite:///{junk}") is False
    empty = tmp_path / "empty.db"
    sqlite3.connect(empty).close()                      # no alembic_version table
    assert db_quickcheck.surely_current(f"sqlite:///{empty}") is False
    assert db_quickcheck.surely_current("postgresql://u@h/db") is False
    assert db_quickcheck.surely_current("sqlite:///:memory:") is False
    assert db_quickcheck.surely_current("sqlite://") is False


def test_upgrade_database_skips_sqlalchemy_for_a_current_file(tmp_path):
    """The console's check before the window: no SQLAlchemy import for a new SQLite file."""
    url = "sqlite:///" + (tmp_path / "x.db").as_posix()
    code = ("import sys; from PySide6.QtWidgets import QApplication; app = QApplication([]); "
            "from console.gui.db_upgrade import upgrade_database; "
            f"assert upgrade_database({url!r}) is False; "
            "print('sqlalchemy' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "False"


# ---- the window first, the graphs after ---------------------------------------------------
def test_deferred_graphs_are_swapped_in(qtbot):
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow
    from widgets.conversion_graphs import ConversionGraphs
    from widgets.graphs_placeholder import GraphsPlaceholder

    session = FakeSession()
    win = MainWindow(session, sound=False, start_clock=False, defer_graphs=True)
    qtbot.addWidget(win)
    win.show()
    assert isinstance(win.graphs, GraphsPlaceholder)
    assert win.centralWidget() is win.graphs
    placeholder = win.graphs
    assert win.install_graphs() is True
    assert isinstance(win.graphs, ConversionGraphs)
    assert win.centralWidget() is win.graphs
    assert win.data_age["graphs"].panel is win.graphs
    clocked = win.clock._widgets
    assert win.graphs in clocked and win.data_age["graphs"] in clocked
    assert not any(w is placeholder for w in clocked)
    qtbot.waitUntil(win.graphs.isVisible)              # the layout shows it on the next loop turn
    win.clock.tick()
    assert win.clock._seen.get(id(win.graphs)) == session.state.version   # refreshed by the clock
    assert win.install_graphs() is False               # once


def test_eager_graphs_by_default(qtbot):
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow
    from widgets.conversion_graphs import ConversionGraphs

    win = MainWindow(FakeSession(), sound=False, start_clock=False)
    qtbot.addWidget(win)
    assert isinstance(win.graphs, ConversionGraphs)
    assert win.install_graphs() is False


def test_the_window_is_on_screen_before_the_feed_starts(qapp, tmp_path, monkeypatch):
    """start_console shows the window, then starts the simulator; a feed that fails to start
    takes the window down again and closes the recorder it had opened."""
    from console.cli.parser import build_parser
    from console.gui import app
    from console.gui.main_window import MainWindow
    from plugins.simulator import SimulatorFeed
    from PySide6.QtWidgets import QApplication

    args = build_parser().parse_args(["console", "--simulate", "--db",
                                      f"sqlite:///{tmp_path / 'rec.db'}"])
    seen = {}

    async def fake_start(self, plan_path=None, seed=7, speed=1.0, **options):
        wins = [w for w in QApplication.topLevelWidgets()
                if isinstance(w, MainWindow) and w.isVisible()]
        seen["visible"] = [w.isVisible() for w in wins]
        seen["placeholder"] = [getattr(w.graphs, "placeholder", False) for w in wins]
        seen["banner"] = [w.session.status.state for w in wins]
        seen["alerts"] = [w.session.watching_alerts for w in wins]
        raise RuntimeError("stop here")

    closed = []
    from console.recorder import process as rec_process
    real_close = rec_process.ProcessRecorder.close
    monkeypatch.setattr(rec_process.ProcessRecorder, "close",
                        lambda self, *a, **kw: (closed.append(1), real_close(self, *a, **kw)))
    monkeypatch.setattr(SimulatorFeed, "open", fake_start)
    with pytest.raises(RuntimeError, match="stop here"):
        asyncio.run(app.start_console(args, None, None, True))
    assert seen["visible"] == [True]
    assert seen["placeholder"] == [True]
    assert seen["banner"] == ["connecting"]          # not "closed" while the feed starts
    assert seen["alerts"] == [False]                 # no "feed lost" alert before the session ran
    assert closed == [1]                                 # the recorder started meanwhile is closed
    assert not any(isinstance(w, MainWindow) and w.isVisible()
                   for w in QApplication.topLevelWidgets())


# ---- milestones -----------------------------------------------------------------------------
def test_milestones_are_printed_when_traced(monkeypatch, capsys):
    monkeypatch.setenv("LIVEDESK_STARTUP_TRACE", "1")
    t = startup_trace.mark("test_step")
    err = capsys.readouterr().err
    assert f"livedesk-startup test_step {t:.6f}" in err
    assert startup_trace.since_first("test_step") is not None
    monkeypatch.delenv("LIVEDESK_STARTUP_TRACE")
    startup_trace.mark("quiet_step")
    assert "quiet_step" not in capsys.readouterr().err
