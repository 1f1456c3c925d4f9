"""Keyboard, layout, recording target, alert sound and the ticker view of the main window."""

import types

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from console.core import protocol as p
from console.gui.main_window import MainWindow
from console.gui.session_window import recording_target
from console.live.alerts import SessionAlerts
from tests.gui.conftest import order
from widgets.alerts_panel import AlertSound
from widgets.order_ticker import OrderTicker


def make_window(session, qtbot, show=True):
    session.log_events = []
    session.log.subscribe(session.log_events.extend)
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win._stopped = True
    win.clock.tick(force=True)
    if show:
        win.show()
        qtbot.waitExposed(win)
        with qtbot.waitActive(win):
            win.activateWindow()
        assert QApplication.activeWindow() is win       # window shortcuts need it
    return win


def test_hotkeys_push_next_prev_clear_flash(session, qtbot):
    win = make_window(session, qtbot)
    qtbot.keyClick(win, Qt.Key_3)
    assert session.commands[-1] == ("card.push", {"sku": "LD-003"})
    session.script.feed(session.script.ev(5, p.CARD_PUSHED, sku="LD-003"))
    win.clock.tick()
    qtbot.keyClick(win, Qt.Key_PageDown)
    assert session.commands[-1] == ("card.push", {"sku": "LD-004"})
    qtbot.keyClick(win, Qt.Key_PageUp)
    assert session.commands[-1] == ("card.push", {"sku": "LD-002"})
    session.script.feed(session.script.ev(6, p.CARD_PUSHED, sku="LD-002"))
    win.clock.tick()
    qtbot.keyClick(win, Qt.Key_Delete, Qt.ControlModifier)      # asks first (issue 16)
    qtbot.mouseClick(win.run_of_show.confirm_box.ok_button, Qt.LeftButton)
    assert session.commands[-1] == ("card.clear", {})
    session.script.feed(session.script.ev(7, p.CARD_PUSHED, sku="LD-001"))
    win.clock.tick()
    qtbot.keyClick(win, Qt.Key_F, Qt.ControlModifier)            # asks first, names the product
    qtbot.mouseClick(win.run_of_show.flash_dialog.start_button, Qt.LeftButton)
    assert session.commands[-1][0] == "flash.start"
    recorded = [e.data["name"] for e in session.log_events if e.type == p.OPERATOR_COMMAND]
    assert recorded == ["card.push", "card.push", "card.push", "card.clear", "flash.start"]


def test_digits_typed_into_a_field_do_not_push_cards(session, qtbot):
    win = make_window(session, qtbot)
    spin = win.inventory.rows["LD-001"].spin
    spin.setFocus()
    spin.lineEdit().selectAll()
    qtbot.keyClicks(spin, "45")
    assert spin.value() == 45 and session.commands == []
    qtbot.keyClick(win, Qt.Key_I, Qt.ControlModifier)           # focus inventory
    assert QApplication.focusWidget() is win.inventory.rows["LD-001"].spin.lineEdit() or \
        win.inventory.rows["LD-001"].spin.hasFocus()


def test_undo_reorder_by_keyboard_is_recorded(session, qtbot):
    win = make_window(session, qtbot)
    model = win.run_of_show.list.model()
    root = model.index(0, 0).parent()
    model.moveRows(root, 0, 1, root, 3)
    win.clock.tick()
    assert session.state.run_of_show[:3] == ["LD-002", "LD-003", "LD-001"]
    assert win.run_of_show.btn_undo.isEnabled()
    qtbot.keyClick(win, Qt.Key_Z, Qt.ControlModifier)
    orders = [e.data["order"][:3] for e in session.log_events if e.type == p.OPERATOR_REORDER]
    assert orders == [["LD-002", "LD-003", "LD-001"], ["LD-001", "LD-002", "LD-003"]]
    assert session.state.run_of_show[:3] == ["LD-001", "LD-002", "LD-003"]


def test_default_layout_gives_the_ticker_room_and_reset_restores_it(session, qtbot):
    win = make_window(session, qtbot)
    win.resize(1600, 1000)
    qtbot.wait(50)
    ticker = win.orders.table
    assert ticker.visible_rows() >= 10, ticker.visible_rows()
    # the alerts share their place with the comment stream, which is in front
    assert win.docks["orders"].height() > win.docks["comments"].height()
    assert not win.docks["comments"].visibleRegion().isEmpty()
    assert win.height() <= 1000
    win.docks["orders"].setFloating(True)
    win.docks["funnel"].hide()
    win.save_layout()
    win._on_reset_layout()
    qtbot.wait(50)
    assert not win.docks["orders"].isFloating() and win.docks["funnel"].isVisible()
    assert win.dockWidgetArea(win.docks["orders"]) == Qt.RightDockWidgetArea
    assert win.orders.table.visible_rows() >= 10


def test_alert_thresholds_are_a_dock_not_a_modal_dialog(session, qtbot):
    win = make_window(session, qtbot)
    view = next(a.menu() for a in win.menuBar().actions() if a.text() == "&View")
    next(a for a in view.actions() if a.text() == "Alert thresholds…").trigger()
    dock = win.docks["alert_settings"]
    assert dock.isVisible() and not dock.isFloating()
    assert QApplication.activeModalWidget() is None


def test_new_alert_raises_the_panel_and_shows_a_message(session, qtbot):
    win = make_window(session, qtbot)
    win.docks["alert_settings"].raise_()
    session.script.feed(session.script.ev(3, p.INVENTORY_SET, sku="LD-005", available=0))
    SessionAlerts(session).check()             # the session's alert check (console.live.alerts)
    win.clock.tick()
    assert win.docks["alerts"].isVisible() and "儿童雪地靴" in win.status.currentMessage()
    assert QApplication.activeModalWidget() is None


def test_alert_sound_never_fails_without_audio():
    assert AlertSound(None).play() in ("beep", "none")
    assert AlertSound("/nonexistent/tone.wav").play() in ("effect", "beep", "none")


def test_recording_target_is_the_database_with_password_masked(session, qtbot):
    import sqlalchemy as sa

    def fake(url):
        return types.SimpleNamespace(recorder=types.SimpleNamespace(
            database_url=sa.make_url(url)))

    assert recording_target(fake("sqlite:////data/livedesk.db")) == "/data/livedesk.db"
    masked = recording_target(fake("postgresql://ops:hunter2@db.local:5432/livedesk"))
    assert "hunter2" not in masked and "db.local:5432/livedesk" in masked
    assert recording_target(session) is None
    win = make_window(session, qtbot, show=False)
    win.status.set_recording("/data/livedesk.db")
    win.clock.tick(force=True)
    assert win.status.target.text().endswith("/data/livedesk.db")
    assert "ws://" not in win.status.target.text()


def test_ticker_view_paints_and_keeps_scroll_position(session, qtbot):
    sc = session.script
    w = OrderTicker()
    qtbot.addWidget(w)
    w.set_state(session.state)
    w.resize(520, 400)
    w.show()
    sc.feed(*[sc.ev(10 + i, p.ORDER_PAID, **order(f"o{i}", "LD-006", 1, 19.9, buyer=f"b{i}"))
              for i in range(60)])
    w.refresh()
    view = w.table
    assert view.top_row() == 0 and view.verticalScrollBar().maximum() > 0
    view.verticalScrollBar().setValue(5)
    shown = w.model.row(5)
    sc.feed(*[sc.ev(80 + i, p.ORDER_PAID, **order(f"n{i}", "LD-001", 1, 399.0, buyer=f"c{i}"))
              for i in range(3)])
    w.refresh()
    assert w.model.row(view.top_row()) == shown         # still looking at the same order
    image = view.viewport().grab().toImage()
    assert not image.isNull() and image.width() > 100


def test_keyboard_reorder_and_enter_pushes_the_selected_card(session, qtbot):
    win = make_window(session, qtbot)
    lst = win.run_of_show.list
    lst.setFocus()
    lst.setCurrentRow(1)
    qtbot.keyClick(win, Qt.Key_Down, Qt.ControlModifier)
    assert session.state.run_of_show[:3] == ["LD-001", "LD-003", "LD-002"]
    assert lst.currentRow() == 2
    qtbot.keyClick(lst, Qt.Key_Return)
    assert session.commands[-1] == ("card.push", {"sku": "LD-002"})
    qtbot.keyClick(win, Qt.Key_Z, Qt.ControlModifier)
    assert session.state.run_of_show[:3] == ["LD-001", "LD-002", "LD-003"]
    reorders = [e.data["order"][:3] for e in session.log_events if e.type == p.OPERATOR_REORDER]
    assert reorders == [["LD-001", "LD-003", "LD-002"], ["LD-001", "LD-002", "LD-003"]]


def test_run_of_show_shows_plan_images_or_placeholders(session, qtbot, tmp_path):
    from PySide6.QtGui import QColor, QPixmap

    from console.gui.session_window import plan_images
    from console.core.plan import plan_from_dict
    from tests.support.demo import PLAN
    img = tmp_path / "ld001.png"
    pix = QPixmap(20, 20)
    pix.fill(QColor("#00ff00"))
    pix.save(str(img))
    raw = {"session": PLAN["session"], "products": [dict(p) for p in PLAN["products"]]}
    raw["products"][0]["image_url"] = str(img)
    raw["products"][1]["image_url"] = "https://cdn.example.com/x.png"     # not fetched
    images = plan_images(plan_from_dict(raw))
    assert list(images) == ["LD-001"]
    win = make_window(session, qtbot, show=False)
    win.run_of_show.set_images(images)
    win.clock.tick(force=True)
    icons = [win.run_of_show.list.item(i).icon() for i in range(3)]
    assert all(not icon.isNull() for icon in icons)
    first = icons[0].pixmap(44, 44).toImage()
    assert first.pixelColor(22, 22).green() > 200               # the plan's image, not a tile


def test_level_bar_levels_and_pixels(qtbot):
    from widgets.level_bar import LevelBar
    bar = LevelBar()
    qtbot.addWidget(bar)
    bar.resize(200, 12)
    bar.setMaximum(1000)
    bar.setValue(500)
    assert bar.fraction() == 0.5 and bar._filled_px() == 100
    bar.setValue(0)
    assert bar._filled_px() == 0
    bar.set_level("out")
    assert bar.level() == "out"
    assert not bar.grab().toImage().isNull()
