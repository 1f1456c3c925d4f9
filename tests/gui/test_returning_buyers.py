"""The live console tags returning buyers: read from the recording store off the UI thread."""

from __future__ import annotations

import threading
from types import SimpleNamespace

from console.core import protocol as p
from sqlalchemy.engine import make_url
from tests.replay.recorded import T0 as RECORDED_T0
from tests.replay.recorded import SimRecording
from tests.support.demo import FakeSession

ROOM = "官方旗舰店"


def test_returning_buyers_are_read_off_the_ui_thread_and_reach_the_comments(qtbot, tmp_path,
                                                                           monkeypatch):
    from console.gui import desk_host
    from console.gui.main_window import MainWindow
    url = f"sqlite:///{tmp_path / 'rec.db'}"
    earlier = SimRecording(url, "earlier", seed=3, room=ROOM)
    earlier.advance(4 * 60)
    earlier.end()
    earlier.close()
    readers: list[threading.Thread] = []
    real = desk_host.returning_buyers
    monkeypatch.setattr(desk_host, "returning_buyers", lambda *a: (
        readers.append(threading.current_thread()), real(*a))[1])
    sess = FakeSession()
    sess.recorder = SimpleNamespace(database_url=make_url(url))   # what the desk reads (console.api.Database)
    later = RECORDED_T0 + 86400
    sess.log.append_feed([p.make_event(1, later, p.SESSION_STARTED, {
        "session_id": "later", "room": ROOM, "title": "t", "started_at": later})])
    win = MainWindow(sess, sound=False, start_clock=False)
    qtbot.addWidget(win)
    try:
        win.desk_host.tick()
        qtbot.waitUntil(lambda: bool(win.comments.view.returning), timeout=10000)
        assert readers and readers[0] is not threading.main_thread()
        assert len(win.comments.view.returning) > 10          # the earlier session's payers
        win.desk_host.tick()                                  # once per session id
        qtbot.wait(50)
        assert len(readers) == 1
    finally:
        win._stopped = True
        win.close()
