"""Issue 16, items 1-5: on-air actions never fire from a stray key, name their product before
they act, and say who did them. Each test drives the real main window with keys and clicks."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox

from console.core import protocol as p
from console.gui.main_window import MainWindow


def make_window(session, qtbot) -> MainWindow:
    win = MainWindow(session, now=lambda: session.state.last_ts, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.clock.tick(force=True)
    win.show()
    qtbot.waitExposed(win)
    with qtbot.waitActive(win):
        win.activateWindow()
    return win


def push(session, win, sku: str, dt: float = 5, **data) -> None:
    session.script.feed(session.script.ev(dt, p.CARD_PUSHED, sku=sku, **data))
    win.clock.tick()


def teardown_window(win) -> None:
    win._stopped = True


# ---- 1. Esc and the other air keys never act from a text field; clearing asks first
def test_esc_and_air_keys_typed_in_text_fields_do_not_touch_the_card(session, qtbot):
    win = make_window(session, qtbot)
    push(session, win, "LD-002")
    editor = win.prompter_host.editor
    win.docks["script_editor"].show()
    win.docks["script_editor"].raise_()
    for field in (win.cue_bar.free, editor.edits["selling_points"], editor.edits["script"]):
        field.setFocus()
        qtbot.waitUntil(field.hasFocus, timeout=2000)
        for key, mod in ((Qt.Key_Escape, Qt.NoModifier), (Qt.Key_PageDown, Qt.NoModifier),
                         (Qt.Key_PageUp, Qt.NoModifier), (Qt.Key_F, Qt.ControlModifier),
                         (Qt.Key_Delete, Qt.ControlModifier), (Qt.Key_3, Qt.NoModifier)):
            qtbot.keyClick(QApplication.focusWidget(), key, mod)
        assert session.commands == [], f"an air key acted from {field.objectName() or field}"
        assert QApplication.activeModalWidget() is None
    # Esc outside any text field does nothing either: the card stays on air
    win.run_of_show.list.setFocus()
    qtbot.keyClick(win.run_of_show.list, Qt.Key_Escape)
    assert session.commands == []
    # out of the text fields the air keys work again
    qtbot.keyClick(win.run_of_show.list, Qt.Key_3)
    assert session.commands == [("card.push", {"sku": "LD-003"})]
    teardown_window(win)


def test_clearing_the_card_asks_first_and_names_it(session, qtbot):
    win = make_window(session, qtbot)
    push(session, win, "LD-002")
    win.run_of_show.list.setFocus()
    qtbot.keyClick(win.run_of_show.list, Qt.Key_Delete, Qt.ControlModifier)
    box = win.run_of_show.confirm_box
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "羊绒围巾 礼盒装" in box.text() and "LD-002" in box.text()
    assert session.commands == []                      # nothing sent while it asks
    qtbot.mouseClick(box.cancel_button, Qt.LeftButton)
    assert session.commands == []
    qtbot.mouseClick(win.run_of_show.btn_clear, Qt.LeftButton)
    qtbot.mouseClick(win.run_of_show.confirm_box.ok_button, Qt.LeftButton)
    assert session.commands == [("card.clear", {})]
    teardown_window(win)


# ---- 2. The flash sale targets the product on air, asks with the figures, can be ended
def test_flash_sale_targets_the_product_on_air_not_the_selected_row(session, qtbot):
    win = make_window(session, qtbot)
    push(session, win, "LD-002")
    win.run_of_show.list.setCurrentRow(0)               # the selection moved elsewhere
    win.run_of_show.list.setFocus()
    qtbot.keyClick(win.run_of_show.list, Qt.Key_F, Qt.ControlModifier)
    assert session.commands == []                       # asks first
    dialog = win.run_of_show.flash_dialog
    assert dialog is not None and dialog.isVisible() and dialog.sku() == "LD-002"
    head = dialog.headline.text()
    for figure in ("羊绒围巾 礼盒装", "LD-002", "¥99", "40", "2 min"):
        assert figure in head, figure
    assert not dialog.warning.isVisible()               # it is the product on air
    # picking another product is explicit and the dialog says it is not the one on air
    dialog.product.setCurrentIndex(dialog.product.findData("LD-001"))
    assert dialog.warning.isVisible() and "Not the product on air" in dialog.warning.text()
    dialog.product.setCurrentIndex(dialog.product.findData("LD-002"))
    qtbot.mouseClick(dialog.start_button, Qt.LeftButton)
    assert session.commands == [("flash.start", {"sku": "LD-002", "deal_price": 99.0, "stock": 40,
                                                 "duration_s": 120.0})]
    teardown_window(win)


def test_flash_dialog_refuses_impossible_sales(session, qtbot):
    win = make_window(session, qtbot)
    push(session, win, "LD-003")                        # no flash offer in the plan
    qtbot.mouseClick(win.run_of_show.btn_flash, Qt.LeftButton)
    dialog = win.run_of_show.flash_dialog
    assert not dialog.start_button.isEnabled() and "deal price" in dialog.warning.text()
    dialog.price.setValue(79.0)                         # not below the price
    assert not dialog.start_button.isEnabled()
    dialog.price.setValue(59.0)
    dialog.stock.setValue(501)                          # more than the 500 in stock
    assert not dialog.start_button.isEnabled() and "stock" in dialog.warning.text()
    dialog.stock.setValue(100)
    assert dialog.start_button.isEnabled()
    dialog.reject()
    assert session.commands == []
    teardown_window(win)


def test_a_running_flash_sale_can_be_ended_early(session, qtbot):
    win = make_window(session, qtbot)
    push(session, win, "LD-002")
    session.script.feed(session.script.ev(6, p.FLASH_STARTED, flash_id="F0007", sku="LD-002",
                                          deal_price=99.0, stock=40, ends_at=session.state.last_ts + 120))
    win.clock.tick()
    row = win.inventory.rows["LD-002"]
    assert row.end_flash.isVisible() and not win.inventory.rows["LD-001"].end_flash.isVisible()
    qtbot.mouseClick(row.end_flash, Qt.LeftButton)
    box = win.inventory.confirm_box
    assert "羊绒围巾 礼盒装" in box.text() and session.commands == []
    qtbot.mouseClick(box.ok_button, Qt.LeftButton)
    assert session.commands == [("flash.end", {"flash_id": "F0007"})]
    session.script.feed(session.script.ev(7, p.FLASH_ENDED, flash_id="F0007", sku="LD-002",
                                          reason="operator", sold=3))
    win.clock.tick()
    assert not row.end_flash.isVisible()
    teardown_window(win)


# ---- 3. Ctrl+Q asks while live; File: End session, New session; Help: the shortcuts
def test_ctrl_q_asks_while_live_and_file_menu_ends_the_session(session, qtbot):
    win = make_window(session, qtbot)
    win._stopped = False
    qtbot.keyClick(win, Qt.Key_Q, Qt.ControlModifier)
    assert win.isVisible() and not session.stopped
    box = win.confirm_box
    assert box.isVisible() and box.defaultButton() is box.cancel_button
    qtbot.mouseClick(box.cancel_button, Qt.LeftButton)
    assert win.isVisible() and not session.stopped
    file_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&File")
    texts = [a.text() for a in file_menu.actions()]
    assert "New session…" in texts and "End session…" in texts and "Quit" in texts
    win.file_actions["end"].trigger()
    qtbot.mouseClick(win.confirm_box.ok_button, Qt.LeftButton)
    assert session.stopped and win.isVisible() and win.session_ended
    assert not win.run_of_show.btn_push.isVisible()      # nothing more goes on air
    assert "session ended" in win.windowTitle()
    qtbot.keyClick(win, Qt.Key_Q, Qt.ControlModifier)    # ended: quits without asking
    assert not win.isVisible()


def test_new_session_asks_then_closes_for_a_new_start(session, qtbot):
    win = make_window(session, qtbot)
    win._stopped = False
    win.file_actions["new"].trigger()
    assert win.isVisible() and not win.new_session_requested
    qtbot.mouseClick(win.confirm_box.ok_button, Qt.LeftButton)
    assert win.new_session_requested and session.stopped and not win.isVisible()


def test_help_menu_lists_the_shortcuts_as_bound(session, qtbot):
    win = make_window(session, qtbot)
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    assert "Keyboard shortcuts" in [a.text() for a in help_menu.actions()]
    win.help_actions["shortcuts"].trigger()
    rows = win.shortcuts_dialog.texts()
    keys = {what: k for _where, k, what in rows}
    assert keys["Take card off air (asks first)"] == "Ctrl+Del"
    assert keys["Flash sale on the product on air (asks first)"] == "Ctrl+F"
    assert keys["Quit (asks while live)"] == "Ctrl+Q"
    teardown_window(win)


# ---- 4. Restock: Enter applies; "add N" beside "set to N"
def test_restock_enter_applies_and_add_adds(session, qtbot):
    win = make_window(session, qtbot)
    row = win.inventory.rows["LD-003"]
    row.spin.setFocus()
    row.spin.lineEdit().selectAll()
    qtbot.keyClicks(row.spin, "450")
    qtbot.keyClick(row.spin, Qt.Key_Return)
    assert session.commands == [("inventory.set", {"sku": "LD-003", "available": 450})]
    session.script.feed(session.script.ev(5, p.INVENTORY_SET, sku="LD-003", available=450))
    win.clock.tick()
    row.mode.setCurrentIndex(row.mode.findData("add"))
    assert row.mode.currentText() == "add" and row.spin.value() == 0
    row.spin.setFocus()
    row.spin.lineEdit().selectAll()
    qtbot.keyClicks(row.spin, "30")
    qtbot.keyClick(row.spin, Qt.Key_Enter)
    assert session.commands[-1] == ("inventory.set", {"sku": "LD-003", "available": 480})
    teardown_window(win)


# ---- 5. Who pushed each card; --no-autopilot
def test_run_of_show_and_status_bar_say_who_pushed_the_card(session, qtbot):
    win = make_window(session, qtbot)
    win.run_of_show._on_push_position(2)                 # the operator pushes LD-002 ...
    push(session, win, "LD-002")                         # ... and the feed confirms it
    assert "ON AIR (by operator)" in win.run_of_show.list.item(1).text()
    assert session.state.segments[-1].pushed_by == "operator"
    push(session, win, "LD-003", dt=8, by="autopilot")   # the simulator takes the card back
    item = win.run_of_show.list.item(2).text()
    assert "ON AIR (by simulator autopilot)" in item
    assert "Simulator autopilot put 「加绒保暖打底裤」 on air" in win.status.currentMessage()
    push(session, win, "LD-004", dt=9)                   # pushed in the platform's own tools
    assert "ON AIR (by platform)" in win.run_of_show.list.item(3).text()
    assert [s.pushed_by for s in session.state.segments] == ["operator", "simulator", "platform"]
    tip = win.run_of_show.list.item(1).toolTip()            # each card's pushes, with who
    assert "Pushed (who)" in tip and tip.rstrip().endswith("operator")
    assert win.run_of_show.list.item(2).toolTip().rstrip().endswith("simulator autopilot")
    teardown_window(win)


def test_console_has_no_autopilot_option(monkeypatch):
    import asyncio

    from console.cli.parser import build_parser
    from console.gui import app
    from plugins.simulator import SimulatorFeed

    args = build_parser().parse_args(["console", "--simulate", "--no-autopilot"])
    assert args.autopilot is False
    assert build_parser().parse_args(["console", "--simulate"]).autopilot is True
    seen = {}

    async def fake_start(self, plan_path=None, seed=7, speed=1.0, **options):
        seen.update(options)
        raise RuntimeError("stop here")

    monkeypatch.setattr(SimulatorFeed, "open", fake_start)
    try:
        asyncio.run(app.start_console(args, None, None, True))
    except RuntimeError:
        pass
    assert seen == {"autopilot": False}


def test_new_session_asks_for_the_feed_again_without_a_nested_loop(qapp, qtbot):
    """File → New session: after the window closed, the start dialog is opened and awaited on
    the running event loop (the console then starts the chosen session in a new window)."""
    import asyncio
    import types

    import qasync

    from console.gui.start_dialog import StartDialog, ask_start_async
    from plugins.simulator.server import default_plan_path

    args = types.SimpleNamespace(plan=str(default_plan_path()), url=None, token=None,
                                 autopilot=False)
    quit_on_last = qapp.quitOnLastWindowClosed()
    qapp.setQuitOnLastWindowClosed(False)        # as the console sets it
    loop = qasync.QEventLoop(qapp)
    asyncio.set_event_loop(loop)

    async def go():
        task = asyncio.ensure_future(ask_start_async(args))
        await asyncio.sleep(0.2)
        dialog = next(w for w in qapp.topLevelWidgets() if isinstance(w, StartDialog) and w.isVisible())
        assert not dialog.autopilot.isChecked()           # --no-autopilot carries over
        dialog._on_start()
        return await asyncio.wait_for(task, 5)

    try:
        choice = loop.run_until_complete(go())
    finally:
        asyncio.set_event_loop(None)
        loop.close()
        qapp.setQuitOnLastWindowClosed(quit_on_last)
    assert choice is not None and choice.simulate and choice.plan is not None
    assert choice.autopilot is False
