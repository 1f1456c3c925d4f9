"""MainWindow wiring: operator intents become commands / local events recorded in the log."""

import asyncio

from PySide6.QtCore import Qt

from console.core import protocol as p
from console.gui.main_window import MainWindow
from console.live.alerts import SessionAlerts


def events_of(session, type_):
    return [ev for ev in session.log_events if ev.type == type_]


def make_window(session, qtbot):
    session.log_events = []
    session.log.subscribe(session.log_events.extend)
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True      # closing in teardown must not need a loop
    win.clock.tick(force=True)
    return win


def test_intents_become_commands_and_recorded_events(session, qtbot):
    win = make_window(session, qtbot)
    win.run_of_show._on_push_position(2)
    session.script.feed(session.script.ev(2, p.CARD_PUSHED, sku="LD-002"))
    win.run_of_show._on_clear()                          # asks first (issue 16)
    qtbot.mouseClick(win.run_of_show.confirm_box.ok_button, Qt.LeftButton)
    session.script.feed(session.script.ev(3, p.CARD_CLEARED, sku="LD-002"))
    win.run_of_show.list.setCurrentRow(0)
    qtbot.mouseClick(win.run_of_show.btn_flash, Qt.LeftButton)
    qtbot.mouseClick(win.run_of_show.flash_dialog.start_button, Qt.LeftButton)
    win.inventory.rows["LD-003"].spin.setValue(777)
    qtbot.mouseClick(win.inventory.rows["LD-003"].button, Qt.LeftButton)
    assert session.commands == [
        ("card.push", {"sku": "LD-002"}),
        ("card.clear", {}),
        ("flash.start", {"sku": "LD-001", "deal_price": 299.0, "stock": 80, "duration_s": 180.0}),
        ("inventory.set", {"sku": "LD-003", "available": 777}),
    ]
    recorded = [ev.data["name"] for ev in events_of(session, p.OPERATOR_COMMAND)]
    assert recorded == ["card.push", "card.clear", "flash.start", "inventory.set"]
    assert len(session.state.pending_commands) == 4


def test_reorder_and_cues_are_local_events(session, qtbot):
    win = make_window(session, qtbot)
    model = win.run_of_show.list.model()
    root = model.index(0, 0).parent()
    model.moveRows(root, 2, 1, root, 0)
    (ev,) = events_of(session, p.OPERATOR_REORDER)
    assert ev.data["order"][:3] == ["LD-003", "LD-001", "LD-002"] and ev.source == "operator"
    assert session.state.run_of_show[:3] == ["LD-003", "LD-001", "LD-002"]
    win.run_of_show._on_undo()
    assert session.state.run_of_show[:3] == ["LD-001", "LD-002", "LD-003"]
    qtbot.mouseClick(win.cue_bar.buttons["link"], Qt.LeftButton)
    win.cue_bar.stock_spin.setValue(20)
    qtbot.mouseClick(win.cue_bar.btn_stock, Qt.LeftButton)
    win.cue_bar.free.setText("讲一下尺码")
    qtbot.keyClick(win.cue_bar.free, Qt.Key_Return)
    cues = [(e.data["text"], e.data["kind"]) for e in events_of(session, p.OPERATOR_CUE)]
    # English mode: the captions (上链接 … in Chinese); free text as typed
    assert cues == [("Put the link up", "link"), ("Only 20 left", "stock"), ("讲一下尺码", "free")]
    assert session.state.cue["text"] == "讲一下尺码"


def test_alerts_are_appended_as_system_events_once(session, qtbot):
    """The session evaluates the alerts (as LiveSession does); the window shows the log's."""
    win = make_window(session, qtbot)
    alerts = SessionAlerts(session)
    sc = session.script
    sc.feed(sc.ev(3, p.INVENTORY_SET, sku="LD-005", available=0))
    alerts.check()
    alerts.check()
    raised = events_of(session, p.ALERT_RAISED)
    assert [e.data["key"] for e in raised] == ["sold_out:LD-005"]
    assert raised[0].source == "system"
    assert "sold_out:LD-005" in session.state.active_alerts
    win.clock.tick()
    assert win.alerts.list.count() == 1
    sc.feed(sc.ev(4, p.INVENTORY_SET, sku="LD-005", available=200))
    alerts.check()
    assert [e.data["key"] for e in events_of(session, p.ALERT_CLEARED)] == ["sold_out:LD-005"]
    assert session.state.active_alerts == {}


def test_threshold_settings_go_to_the_session(session, qtbot):
    win = make_window(session, qtbot)
    assert session.thresholds == win.thresholds            # given when the window opens
    win.alert_settings.editors["low_stock_units"].setValue(500)
    assert session.thresholds.low_stock_units == 500
    assert session.thresholds is not win.thresholds        # a copy: the session owns its own
    out = SessionAlerts(session, session.thresholds).check()
    assert any(d["kind"] == "low_stock" for _, d in out)


def test_the_window_evaluates_no_alerts_itself(session, qtbot):
    """Alerts come from the session's log only: a window over a sold-out product that nobody
    evaluates shows no alert (the live session evaluates, console/live/session.py)."""
    win = make_window(session, qtbot)
    win.clock.start()
    sc = session.script
    sc.feed(sc.ev(3, p.INVENTORY_SET, sku="LD-005", available=0))
    qtbot.wait(1300)
    assert events_of(session, p.ALERT_RAISED) == [] and session.state.active_alerts == {}
    win.clock.stop()


def test_layout_saved_and_restored(session, qtbot):
    win = make_window(session, qtbot)
    win.show()
    win.docks["funnel"].hide()
    win.save_layout()
    win2 = make_window(session, qtbot)
    win2.show()
    assert win2._restored
    assert not win2.docks["funnel"].isVisible()
    assert win2.docks["orders"].isVisible()


def test_close_stops_session(session, qtbot):
    win = make_window(session, qtbot)
    win._stopped = False
    win.show()
    closed = []
    win.sig_closed.connect(lambda: closed.append(True))
    win.close()                       # live: asks first (issue 16)
    assert not session.stopped and win.isVisible()
    qtbot.mouseClick(win.confirm_box.ok_button, Qt.LeftButton)
    assert session.stopped and closed == [True]
    assert "双11" in win.windowTitle()


def test_close_with_running_loop(session, qtbot):
    win = make_window(session, qtbot)
    win._stopped = False
    win.show()

    async def go():
        win.close_now()               # a confirmed quit (or Ctrl-C in the terminal)
        for _ in range(5):
            await asyncio.sleep(0)
    asyncio.run(go())
    assert session.stopped and win._stopped
