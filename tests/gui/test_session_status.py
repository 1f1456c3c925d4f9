"""Issue 16 item 8 in the GUI: a dead session never looks like it is recording, and quitting
after the feed restarted (a new session) raises nothing from the plugin list."""

from __future__ import annotations

import asyncio
import logging

import pytest

from console.core import protocol as p
from console.recorder.store import SessionInfo

pytestmark = pytest.mark.gui


def _info(sid: str, status: str, ended_at=None) -> SessionInfo:
    return SessionInfo(sid, f"title {sid}", "room", "douyin", 1_700_000_000.0, ended_at, 600.0,
                       100, 1000.0, 10, 9, 300, status)


def test_the_library_shows_interrupted_sessions_as_interrupted(qtbot, tmp_path):
    from widgets.session_library import ID_ROLE, SessionLibrary
    lib = SessionLibrary()
    qtbot.addWidget(lib)
    lib.set_sessions([_info("live", "recording"), _info("dead", "interrupted"),
                      _info("cut", "interrupted", 1_700_000_600.0),
                      _info("done", "ended", 1_700_000_600.0)])
    model = lib.proxy
    cols = lib.model.COLUMNS
    rows = {model.index(r, 0).data(ID_ROLE): r for r in range(model.rowCount())}
    dur, status = cols.index("duration_s"), cols.index("status")

    def text(sid, col):
        return model.index(rows[sid], col).data()

    assert text("live", dur).endswith("●") and text("live", status) == "● recording"
    for sid in ("dead", "cut"):
        assert "●" not in text(sid, dur) and "recording" not in text(sid, status)
        assert text(sid, status) == "⚠ interrupted"
    assert text("done", status) == "ended"
    lib.resize(1100, 300)
    lib.show()
    shot = tmp_path / "library_status.png"
    assert lib.grab().save(str(shot))


def test_quitting_after_a_feed_restart_raises_nothing_from_the_plugin_list(qtbot, caplog):
    from console.gui.main_window import MainWindow
    from console.live.session import LiveSession
    live = LiveSession("ws://127.0.0.1:9/feed")         # never started: welcomes are fed by hand
    win = MainWindow(live, sound=False, start_clock=False)
    qtbot.addWidget(win)
    live._on_welcome({"session": {"id": "show-1", "started_at": 1_700_000_000.0}, "speed": 1.0})
    live.log.append_feed([p.make_event(1, 1_700_000_001.0, p.TRAFFIC_TICK, {"online": 10})])
    # the feed restarts: a welcome with another session id
    live._on_welcome({"session": {"id": "show-2", "started_at": 1_700_001_000.0}, "speed": 1.0})
    live.log.append_feed([p.make_event(1, 1_700_001_001.0, p.TRAFFIC_TICK, {"online": 20})])
    # the console says so: a banner naming both sessions
    import time
    live.status.state, live.status.last_data_monotonic = "live", time.monotonic()
    win.feed_banner.refresh()
    assert win.feed_banner.level == "info" and "show-2" in win.feed_banner.text
    assert "show-1" in win.feed_banner.text and "interrupted" in win.feed_banner.text
    host = win.plugins_host
    assert host._listener in live.log._listeners          # the plugins still follow the log
    assert live.state.traffic["online"] == 20 and live.switched == ("show-1", "show-2")
    with caplog.at_level(logging.ERROR):
        asyncio.run(host.stop())                          # what quitting does
    assert host._listener is None
    assert not [r for r in caplog.records if "list.remove" in r.getMessage()]
