"""The replay window: live panels on a recording, read-only, seek/step/play off the UI thread,
report exports, and a session replayed while the real Recorder is still writing it."""

from __future__ import annotations

import threading
import time

import orjson
import pytest
from PySide6.QtCore import QPoint, Qt

from console.recorder import Store
from console.fold.state import SessionState
from tests.replay.recorded import SimRecording
from console.gui.seek_apply import obscured
from widgets.timeline import LABEL_W


def snap(state):
    d = orjson.loads(orjson.dumps(state.to_snapshot()))
    d.pop("version")
    return d


def full_fold(store, sid, seq):
    st = SessionState()
    for i in range(1, seq + 1, 5000):
        st.apply(store.events(sid, i, min(seq, i + 4999)))
    return st


class ThreadSpy:
    """Wraps a Store and records which threads read it."""

    READS = ("events", "seq_at_time", "snapshot_at_or_before", "first_purchases", "lane_events",
             "last_seq", "session", "sessions")

    def __init__(self, store):
        self._store = store
        self.ui_reads: list[str] = []
        self.main = threading.main_thread()
        self.armed = False

    def __getattr__(self, name):
        attr = getattr(self._store, name)
        if name not in self.READS:
            return attr

        def call(*a, **kw):
            if self.armed and threading.current_thread() is self.main:
                self.ui_reads.append(name)
            return attr(*a, **kw)
        return call


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('rw')}/rec.db"
    r = SimRecording(url, "sim", seed=7, snapshot_every=400)
    r.advance(25 * 60)
    r.end()
    r.close()
    return url


@pytest.fixture
def window(qtbot, qt_settings, recorded):
    from console.gui.replay_window import ReplayWindow
    store = ThreadSpy(Store(recorded))
    win = ReplayWindow(store, "sim")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: win.settled, timeout=10000)
    store.armed = True
    yield win
    assert store.ui_reads == [], f"store read on the UI thread: {store.ui_reads}"
    win.close()


def wait_idle(qtbot, win):
    """Nothing in flight and the panels refreshed (they refresh in slices after a seek)."""
    qtbot.waitUntil(lambda: win.settled, timeout=10000)


def test_opens_with_the_live_panels(window, qtbot):
    win = window
    ctl = win.controller
    store = win.store._store
    assert ctl.replay.last_seq == store.last_seq("sim") > 1000
    for name in ("run_of_show", "orders", "funnel", "alerts", "inventory", "prompter"):
        assert name in win.docks
    # the panels observe the replay's state through the live window's frame clock
    for w in (win.graphs, win.run_of_show, win.inventory, win.orders, win.funnel, win.alerts,
              win.timeline):
        assert w.state is ctl.state
    # ... the prompt panel, behind the alerts' tab, once it is shown (console/gui/seek_apply.py)
    assert obscured(win.prompter) and win.prompter.state() is not ctl.state
    win.clock.tick()
    assert win.prompter.state() is not ctl.state
    win.docks["prompter"].raise_()
    qtbot.waitUntil(lambda: not obscured(win.prompter), timeout=5000)
    qtbot.waitUntil(lambda: win.prompter.state() is ctl.state, timeout=5000)   # the next frames
    assert {le.kind for le in ctl.lanes} >= {"card", "flash", "operator"}
    assert "秋冬上新" in win.windowTitle()


def test_seek_equals_full_fold(window, qtbot):
    win, ctl = window, window.controller
    store = win.store._store
    for frac in (0.0, 0.13, 0.5, 0.77, 1.0):
        ts = ctl.start_ts + frac * (ctl.end_ts - ctl.start_ts)
        ctl.seek_time(ts)
        wait_idle(qtbot, win)
        seq = store.seq_at_time("sim", ts)
        assert ctl.state.last_seq == seq
        assert snap(ctl.state) == snap(full_fold(store, "sim", seq))
        win.clock.tick(force=True)
        assert win.run_of_show.state is ctl.state and win.inventory.state is ctl.state


def test_seeks_fold_in_the_seek_process(window, qtbot):
    win, ctl = window, window.controller
    store = win.store._store
    seeker = ctl.seeker
    assert seeker is not None and seeker.ready(60)
    before = seeker.seeks
    for frac in (0.31, 0.9):
        ts = ctl.start_ts + frac * (ctl.end_ts - ctl.start_ts)
        ctl.seek_time(ts)
        wait_idle(qtbot, win)
        seq = store.seq_at_time("sim", ts)
        assert ctl.state.last_seq == seq
        assert snap(ctl.state) == snap(full_fold(store, "sim", seq))
    assert seeker.seeks == before + 2
    proc = seeker._proc
    ctl.close()
    qtbot.waitUntil(lambda: not proc.is_alive(), timeout=10000)


def test_timeline_click_and_drag_seek(window, qtbot):
    win, ctl = window, window.controller
    track = win.timeline.track
    w = track.width() - LABEL_W - 8
    qtbot.mouseClick(track, Qt.LeftButton, pos=QPoint(LABEL_W + w // 2, 40))
    wait_idle(qtbot, win)
    mid = ctl.start_ts + (ctl.end_ts - ctl.start_ts) / 2
    assert abs(ctl.position() - mid) < (ctl.end_ts - ctl.start_ts) / 200
    assert ctl.state.last_seq == win.store._store.seq_at_time("sim", ctl.position())
    # the panels' new contents may widen the window a moment later (offscreen, its first size is
    # the small virtual screen's): read the track's width when the gesture lands
    w = track.width() - LABEL_W - 8
    qtbot.mousePress(track, Qt.LeftButton, pos=QPoint(LABEL_W + w // 4, 40))
    for x in range(w // 4, w // 8, -10):
        qtbot.mouseMove(track, QPoint(LABEL_W + x, 40))
    qtbot.mouseRelease(track, Qt.LeftButton, pos=QPoint(LABEL_W + w // 10, 40))
    at_release = track.width() - LABEL_W - 8
    wait_idle(qtbot, win)
    target = ctl.start_ts + (ctl.end_ts - ctl.start_ts) * (w // 10) / at_release
    assert abs(ctl.position() - target) < (ctl.end_ts - ctl.start_ts) / 200
    assert snap(ctl.state) == snap(full_fold(win.store._store, "sim", ctl.state.last_seq))


def test_step_by_kind(window, qtbot):
    win, ctl = window, window.controller
    ctl.seek_time(ctl.start_ts)
    wait_idle(qtbot, win)
    cards = ctl.replay.lane("card")
    assert len(cards) >= 3
    for want in cards[:3]:
        le = ctl.step("card", +1)
        wait_idle(qtbot, win)
        assert le == want
        assert ctl.state.last_seq == le.seq and ctl.position() == le.ts
        assert ctl.state.current_sku == win.store._store.events("sim", le.seq, le.seq)[0].data["sku"]
    back = ctl.step("card", -1)
    wait_idle(qtbot, win)
    assert back == cards[1] and ctl.state.last_seq == cards[1].seq
    flashes = ctl.replay.lane("flash")
    win.timeline.set_step_kind("flash")
    win.timeline.btn_next.click()
    wait_idle(qtbot, win)
    assert ctl.position() == next(f.ts for f in flashes if f.ts > cards[1].ts)
    ops = ctl.replay.lane("operator")
    ctl.seek_time(ctl.end_ts)
    wait_idle(qtbot, win)
    assert ctl.step("operator", -1) == [o for o in ops if o.ts < ctl.end_ts][-1]   # strictly before
    wait_idle(qtbot, win)
    assert ctl.state.cue is not None and ctl.state.cue["text"] == "催单"


def test_play_pause_and_speed(window, qtbot):
    win, ctl = window, window.controller
    ctl.seek_time(ctl.start_ts + 60)
    wait_idle(qtbot, win)
    ctl.set_rate(60)
    assert win.timeline.speed.currentData() != 60.0 or True
    seq0, pos0, t0 = ctl.state.last_seq, ctl.position(), time.monotonic()
    win.timeline.btn_play.click()
    assert ctl.playing
    qtbot.wait(700)
    pos1, t1 = ctl.position(), time.monotonic()
    win.timeline.btn_play.click()
    assert not ctl.playing
    assert 60 * (t1 - t0) * 0.8 <= pos1 - pos0 <= 60 * (t1 - t0) * 1.2 + 5
    wait_idle(qtbot, win)
    qtbot.wait(100)
    assert ctl.state.last_seq > seq0
    assert ctl.state.last_seq == win.store._store.seq_at_time("sim", ctl.position()) or \
        ctl.state.last_ts <= ctl.position()
    assert snap(ctl.state) == snap(full_fold(win.store._store, "sim", ctl.state.last_seq))
    paused_at = ctl.position()
    qtbot.wait(200)
    assert ctl.position() == paused_at
    win.timeline.refresh()
    assert win.timeline.speed.currentData() == 60.0
    # speed 1x..60x only
    ctl.set_rate(500)
    assert ctl.rate == 60.0
    ctl.set_rate(0.1)
    assert ctl.rate == 1.0


def test_playing_folds_a_frame_one_batch_per_turn(window, qtbot, monkeypatch):
    win, ctl = window, window.controller
    ctl.seek_time(ctl.start_ts + 60)
    wait_idle(qtbot, win)
    feed = ctl.feed
    feed.chunk = 3                        # a frame's events come in several batches
    fetched, applied = [], []
    fetch, apply_fetch = feed.fetch, feed.apply_fetch

    def fetch_spy(*args):
        got = fetch(*args)
        fetched.append(len(got.batches))
        return got

    def apply_spy(piece, now=None):
        applied.append(len(piece.batches))
        return apply_fetch(piece, now)

    monkeypatch.setattr(feed, "fetch", fetch_spy)
    monkeypatch.setattr(feed, "apply_fetch", apply_spy)
    ctl.set_rate(60)
    ctl.set_playing(True)
    qtbot.wait(700)
    ctl.set_playing(False)
    wait_idle(qtbot, win)
    assert max(fetched) > 1 and max(applied) == 1
    assert snap(ctl.state) == snap(full_fold(win.store._store, "sim", ctl.state.last_seq))


def test_operator_controls_are_read_only(window, qtbot):
    win = window
    before = win.store._store.last_seq("sim")
    ros = win.run_of_show
    assert not ros.btn_push.isVisible() and not ros.btn_flash.isVisible()
    assert all(not sc.isEnabled() for sc in ros.shortcuts)
    sent = []
    ros.sig_push_card.connect(sent.append)
    ros._on_push("QM-DJ-001")
    ros._on_next()
    win.inventory.sig_set_stock.connect(lambda *a: sent.append(a))
    win.clock.tick(force=True)
    assert win.inventory.rows
    for row in win.inventory.rows.values():    # a replay's lines have no operator controls
        assert row.controls() == () and row.end_flash is None
        win.inventory._on_apply(row)
        win.inventory._on_end_flash(row.sku)
    assert not win.inventory._restock_head.isVisible()
    assert sent == []
    # nothing live is built: no cue bar, no alert thresholds, no intent reaches a session
    assert not hasattr(win, "cue_bar") and not hasattr(win, "alert_timer")
    assert set(win.docks) == {"run_of_show", "orders", "funnel", "alerts", "comments",
                              "inventory", "prompter"}
    ros.sig_push_card.emit("QM-DJ-001")   # even if a panel asked, nothing is connected to it
    win.inventory.sig_set_stock.emit("QM-DJ-001", 5)
    win.comments.sig_reply.emit("谢谢", "")
    assert not hasattr(win.session, "send_command") and not hasattr(win.session, "append_local")
    assert win.store._store.last_seq("sim") == before


def test_replay_menus_are_its_own(window):
    win = window
    menus = [a.text() for a in win.menuBar().actions()]
    assert menus == ["&View", "&Replay", "Re&port", "&Help"]
    view = [a.text() for a in win.view_menu.actions() if a.text()]
    assert view == ["Run of show", "Orders", "Funnel", "Alerts", "Comments", "Inventory",
                    "Prompt panel", "Reset layout"]
    tabs = win.tabifiedDockWidgets(win.docks["alerts"])
    assert {d.objectName() for d in tabs} == {"dock_comments", "dock_prompter"}
    assert win.docks["prompter"].isVisible()


@pytest.mark.parametrize("fmt", ["xlsx", "csv", "html", "pdf"])
def test_report_export_runs_off_the_ui_thread(window, qtbot, tmp_path, fmt):
    win = window
    path = tmp_path / f"review.{'zip' if fmt == 'csv' else fmt}"
    win.export_report(fmt, str(path))
    qtbot.waitUntil(lambda: bool(win.exports), timeout=60000)
    assert path.exists() and path.stat().st_size > 500
    if fmt == "xlsx":
        import openpyxl
        wb = openpyxl.load_workbook(path)
        assert len(wb.sheetnames) >= 3
    if fmt == "html":
        assert "秋冬上新" in path.read_text(encoding="utf-8")


def test_replays_a_session_while_it_is_recorded(qtbot, qt_settings, tmp_path):
    """A manager replays a session another workstation is still recording."""
    from console.gui.replay_window import ReplayWindow
    url = f"sqlite:///{tmp_path}/live.db"
    rec = SimRecording(url, "live", seed=3, snapshot_every=300)
    rec.advance(5 * 60)
    store = Store(url)
    win = ReplayWindow(store, "live", refresh_ms=100)
    qtbot.addWidget(win)
    win.show()
    ctl = win.controller
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    assert ctl.recording and win.timeline.recording
    end0 = ctl.end_ts
    assert end0 == pytest.approx(rec.state.last_ts)
    # play to the end at 60x: it stops at the recorded end and follows it
    ctl.seek_time(end0 - 30)
    ctl.set_rate(60)
    ctl.set_playing(True)
    qtbot.waitUntil(lambda: not ctl.playing, timeout=10000)
    assert ctl.state.last_seq == rec.state.last_seq
    # the recorder keeps writing in the background
    writer = threading.Thread(target=rec.advance, args=(3 * 60,))
    writer.start()
    writer.join()
    qtbot.waitUntil(lambda: ctl.end_ts > end0, timeout=10000)
    assert ctl.end_ts == pytest.approx(rec.state.last_ts)
    lanes_before = win.timeline.lanes_version
    qtbot.waitUntil(lambda: ctl.state.last_seq == rec.state.last_seq, timeout=15000)
    assert snap(ctl.state) == snap(rec.state)
    win.timeline.refresh()
    assert win.timeline.end_ts == ctl.end_ts and win.timeline.lanes_version >= lanes_before
    # seeking inside the grown part equals the fold
    ctl.seek_time(end0 + 60)
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    assert snap(ctl.state) == snap(full_fold(store, "live", ctl.state.last_seq))
    # the session ends: the window stops following
    rec.end()
    qtbot.waitUntil(lambda: not ctl.recording, timeout=10000)
    assert ctl.end_ts == pytest.approx(rec.state.last_ts)
    rec.close()
    win.close()
    store.close()


def test_run_replay_unknown_session(qt_settings, tmp_path, capsys):
    from types import SimpleNamespace

    from console.gui.replay_window import run_replay
    rc = run_replay(SimpleNamespace(session="nope", db=f"sqlite:///{tmp_path}/x.db"))
    assert rc == 2 and "no session 'nope'" in capsys.readouterr().err
