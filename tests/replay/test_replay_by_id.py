"""Issue 16 item 14: a replay opened by id shows its run of show and inventory; live-only
texts stay out of replay; the live console's View menu brings back Cue cards and Plugins."""

from __future__ import annotations

import pytest

from console.core.plan import load_plan
from console.recorder import Store
from tests.replay.recorded import SAMPLE_PLAN, SimRecording

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('byid')}/rec.db"
    r = SimRecording(url, "byid", snapshot_every=400)
    r.advance(240)
    r.end()
    r.close()
    return url


def _open(qtbot, url, monkeypatch=None, fail_seeker=False):
    from console.gui import replay_window
    if fail_seeker:
        def refuse(self):
            raise RuntimeError("cannot start a process here")
        monkeypatch.setattr(replay_window.SeekProcess, "start", refuse)
    store = Store(url)
    win = replay_window.ReplayWindow(store, "byid")        # as `livedesk replay byid` does
    qtbot.addWidget(win)
    win.show()
    qtbot.waitUntil(lambda: win.controller.idle, timeout=10000)
    win.clock.tick(force=True)
    return win, store


def test_a_replay_opened_by_id_shows_run_of_show_and_inventory(qtbot, qt_settings, recorded,
                                                               monkeypatch):
    # the seek process cannot start (frozen build, missing main-module guard): the replay
    # still opens, seeks run on the worker thread
    win, store = _open(qtbot, recorded, monkeypatch, fail_seeker=True)
    try:
        plan_skus = [prod.sku for prod in load_plan(SAMPLE_PLAN).products]
        assert win.run_of_show.list.count() == len(plan_skus)
        assert set(win.inventory.rows) == set(plan_skus)
        assert win.controller.seeker is None
        win.controller.seek_time(win.controller.end_ts)            # seeking still works
        qtbot.waitUntil(lambda: win.controller.idle and win.controller.state.orders > 0,
                        timeout=10000)
    finally:
        win.close()
        store.close()


def test_live_only_texts_do_not_show_in_replay(qtbot, qt_settings, recorded):
    win, store = _open(qtbot, recorded)
    try:
        results = win.run_of_show.results
        assert not results.isVisible()
        shown = [w.text() for w in win.findChildren(type(results)) if w.isVisible()]
        assert not any("No commands sent yet" in t or "pending" in t for t in shown)
    finally:
        win.close()
        store.close()


def test_view_menu_has_cue_cards_and_plugins_and_brings_a_closed_dock_back(qtbot, qt_settings):
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow
    win = MainWindow(FakeSession(), sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.show()
    actions = {a.text(): a for a in win.view_menu.actions()}
    assert "Cue cards" in actions and "Plugins" in actions
    plugins = win.docks["plugins"]
    plugins.close()
    assert not plugins.isVisible()
    actions["Plugins"].trigger()
    assert plugins.isVisible()
    win.docks["script_editor"].close()
    actions["Cue cards"].trigger()
    assert win.docks["script_editor"].isVisible()


def test_run_replay_names_the_candidates_of_an_ambiguous_prefix(qt_settings, tmp_path, capsys):
    from types import SimpleNamespace

    from console.gui.replay_window import run_replay
    from console.recorder import Recorder
    url = f"sqlite:///{tmp_path}/x.db"
    rec = Recorder(url)
    for sid in ("sim-abc-1", "sim-abc-2"):
        rec.open_session(sid, {"title": sid, "started_at": 1_700_000_000.0})
    rec.close()
    rc = run_replay(SimpleNamespace(session="sim-abc", db=url))
    err = capsys.readouterr().err
    assert rc == 2 and "matches 2 sessions" in err and "sim-abc-1" in err and "sim-abc-2" in err


def test_an_older_two_clock_recording_says_so_when_opened(qtbot, qt_settings, tmp_path):
    from console.gui.replay_window import ReplayWindow
    from tests.replay.test_one_clock import _old_style_recording
    url = f"sqlite:///{tmp_path / 'old.db'}"
    _old_style_recording(url)
    store = Store(url)
    win = ReplayWindow(store, "old")
    qtbot.addWidget(win)
    win.show()
    try:
        qtbot.waitUntil(lambda: win.controller.idle, timeout=10000)
        assert "put on the feed's clock" in win.statusBar().currentMessage()
        assert store.session("old").clock == "repaired"
    finally:
        win.close()
        store.close()
