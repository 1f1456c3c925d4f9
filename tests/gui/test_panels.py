"""Each panel driven by a scripted event sequence; operator actions emit the right intents."""

from PySide6.QtCore import Qt

from console.core import protocol as p
from tests.support.demo import T0
from tests.gui.conftest import order
from widgets.conversion_graphs import ConversionGraphs
from widgets.funnel_view import FunnelView
from widgets.inventory_panel import InventoryPanel, stock_level
from widgets.order_ticker import MAX_ROWS, OrderTicker, mask_nick
from widgets.run_of_show import RunOfShow
from widgets.alerts_panel import AlertsPanel


def make(widget_cls, session, qtbot, **kw):
    w = widget_cls(**kw)
    qtbot.addWidget(w)
    w.now = lambda: session.state.last_ts
    w.set_state(session.state)
    return w


def test_order_ticker_rows_headline_and_cap(session, qtbot):
    sc = session.script
    w = make(OrderTicker, session, qtbot)
    sc.feed(sc.ev(10, p.ORDER_CREATED, **order("o1", "LD-001", 1, 399.0, nick="张三丰")),
            sc.ev(11, p.ORDER_PAID, **order("o1", "LD-001", 1, 399.0, nick="张三丰")),
            sc.ev(12, p.ORDER_PAID, **order("o2", "LD-002", 2, 258.0, nick="李四", buyer="u2")),
            sc.ev(13, p.ORDER_REFUNDED, **order("o1", "LD-001", 1, 399.0, nick="张三丰")))
    w.refresh()
    assert w.values["gmv"].text() == "¥657"
    assert w.values["orders"].text() == "2" and w.values["buyers"].text() == "2"
    assert w.values["aov"].text() == "¥328.5"
    m = w.model
    assert m.rowCount() == 4
    first = [m.data(m.index(0, c)) for c in range(6)]
    assert first[1] == "张**" and first[2] == "轻薄羽绒服 男女同款" and first[5] == "refunded"
    assert m.data(m.index(0, 5), Qt.ForegroundRole).color().name() == "#ff4040"
    sc.feed(*[sc.ev(20, p.ORDER_PAID, **order(f"n{i}", "LD-006", 1, 19.9, buyer=f"b{i}"))
              for i in range(MAX_ROWS + 50)])
    w.refresh()
    assert m.rowCount() == MAX_ROWS
    assert mask_nick("王") == "王**" and mask_nick("") == "***"


def test_inventory_low_soldout_and_restock(session, qtbot):
    sc = session.script
    w = make(InventoryPanel, session, qtbot)
    sc.feed(sc.ev(5, p.INVENTORY_SET, sku="LD-001", available=12),
            sc.ev(6, p.INVENTORY_SET, sku="LD-002", available=0))
    w.refresh()
    assert w.rows["LD-002"].stock.text() == "SOLD OUT"
    assert w.rows["LD-002"].level == "out"
    assert w.rows["LD-001"].level == "low" and w.rows["LD-001"].stock.text() == "12"
    assert w.rows["LD-003"].level == "ok"
    assert stock_level(25, 300) == "low" and stock_level(50, 300) == "ok"
    sc.feed(sc.ev(7, p.FLASH_STARTED, flash_id="F1", sku="LD-004", deal_price=499.0, stock=20,
                  ends_at=T0 + 7 + 180))
    w.refresh()
    assert "3:00" in w.rows["LD-004"].flash.text() and "20/20" in w.rows["LD-004"].flash.text()
    with qtbot.waitSignal(w.sig_set_stock) as blocker:
        w.rows["LD-002"].spin.setValue(60)
        qtbot.mouseClick(w.rows["LD-002"].button, Qt.LeftButton)
    assert blocker.args == ["LD-002", 60]


def test_run_of_show_push_keys_flash_reorder_undo(session, qtbot):
    sc = session.script
    w = make(RunOfShow, session, qtbot)
    w.show()
    sc.feed(sc.ev(10, p.CARD_PUSHED, sku="LD-002"))
    w.refresh()
    assert "ON AIR" in w.list.item(1).text() and "NEXT" in w.list.item(2).text()
    pushes = []
    w.sig_push_card.connect(pushes.append)
    w.list.setCurrentRow(3)
    qtbot.mouseClick(w.btn_push, Qt.LeftButton)
    w._on_next()
    w._on_prev()
    w._on_push_position(5)
    assert pushes == ["LD-004", "LD-003", "LD-001", "LD-005"]
    qtbot.mouseClick(w.btn_clear, Qt.LeftButton)                 # asks first (issue 16)
    with qtbot.waitSignal(w.sig_clear_card):
        qtbot.mouseClick(w.confirm_box.ok_button, Qt.LeftButton)
    sc.feed(sc.ev(11, p.CARD_CLEARED, sku="LD-002"))
    w.list.setCurrentRow(0)                    # no card on air: the selected row is the target
    qtbot.mouseClick(w.btn_flash, Qt.LeftButton)
    with qtbot.waitSignal(w.sig_start_flash) as blocker:
        qtbot.mouseClick(w.flash_dialog.start_button, Qt.LeftButton)
    assert blocker.args == ["LD-001", 299.0, 80, 180.0]
    # drag-reorder equivalent: move row 0 to the end through the model
    reorders = []
    w.sig_reorder.connect(reorders.append)
    model = w.list.model()
    model.moveRows(model.index(0, 0).parent(), 0, 1, model.index(0, 0).parent(), 6)
    assert reorders[-1] == ["LD-002", "LD-003", "LD-004", "LD-005", "LD-006", "LD-001"]
    w._on_undo()
    assert reorders[-1] == ["LD-001", "LD-002", "LD-003", "LD-004", "LD-005", "LD-006"]
    assert w.undo_stack == []


def test_run_of_show_command_results(session, qtbot):
    w = make(RunOfShow, session, qtbot)
    cid = session.send_command("card.push", {"sku": "LD-001"})
    w.refresh()
    assert "pending" in w.results.text()
    session.log.append_local(p.OPERATOR_ERROR, {"command_id": cid, "message": "not on shelf"})
    w.refresh()
    assert "Push card: not on shelf" in w.results.text()      # never the wire name card.push


def test_funnel_weakest_step(session, qtbot):
    sc = session.script
    w = make(FunnelView, session, qtbot)
    w.refresh()
    assert "waiting" in w.weak.text()
    sc.feed(sc.ev(5, p.TRAFFIC_TICK, online=500, room_impressions=10000, viewers=3000,
                  product_impressions=2000, product_clicks=60))
    w.refresh()
    assert w.weakest.name == "ctr"
    assert "Host" in w.weak.text() and w.stage_labels["room_impressions"].text() == "10,000"
    assert "Product click rate" in w.rate_labels["ctr"].text()    # English mode: no Chinese


def test_graphs_one_setdata_per_series(session, qtbot):
    sc = session.script
    w = make(ConversionGraphs, session, qtbot)
    sc.feed(*[sc.ev(1 + s, p.TRAFFIC_TICK, online=100 + s, product_clicks=s) for s in range(200)])
    sc.feed(sc.ev(30, p.CARD_PUSHED, sku="LD-001"))
    w.refresh()
    assert w.set_data_calls == 4
    x, y = w.curves["online"].getData()
    assert y[-1] == 299
    assert w._marks_done == len(session.state.marks)
    mx, _ = w._mark_curves["gmv"]["card"].getData()
    assert len(mx) == 2 and abs(mx[0] - 30 / 60) < 1e-9
    w.refresh()
    assert w.set_data_calls == 8 - 4     # unchanged state: no redraw
    sc.feed(sc.ev(300, p.TRAFFIC_TICK, online=5))
    w._drawn_at = 0.0                    # past the 10 Hz throttle
    w.refresh()
    assert w.set_data_calls == 8


def test_graph_ranges_change_one_plot_per_frame_and_settle_without_new_events(session, qtbot):
    """Each range change costs an axis redraw at the next paint; while live they are spread
    over frames (no 40 ms frame), and the frame clock keeps refreshing the graphs until all are
    applied even when no event arrives. A new state (a replay seek) gets them all at once."""
    from widgets.frame_clock import FrameClock
    sc = session.script
    w = make(ConversionGraphs, session, qtbot)
    clock = FrameClock(session.state)
    clock.add(w)
    w.now = lambda: session.state.last_ts
    sc.feed(sc.ev(1, p.TRAFFIC_TICK, online=10, product_clicks=1))
    clock.tick()                             # first draw after set_state: all ranges at once
    assert not w.pending
    sc.feed(*[sc.ev(2 + s, p.TRAFFIC_TICK, online=100 + 50 * s, product_clicks=7 * s)
              for s in range(900)])
    sc.feed(sc.ev(700, p.ORDER_PAID, **order("o1", "LD-001", 3, 897.0)))
    changed = []
    for _ in range(8):
        before = dict(w._ranges)
        w._drawn_at = 0.0                    # past the 10 Hz throttle
        clock.tick()
        changed.append(sum(1 for k, v in w._ranges.items() if before.get(k) != v))
    assert max(changed) == 1                 # never more than one range per frame
    assert sum(changed) == 5 and not w.pending   # x + four y ranges, then nothing pending
    for key, plot in w.plots.items():
        assert w._ranges[key] == w._span(key)
        assert plot.vb.viewRange()[1][1] == w._span(key)[1]
    assert w._ranges["x"][1] >= 900 / 60
    # a seek: a new state whose ranges all differ is drawn with every range right at once
    sc.feed(*[sc.ev(1000 + s, p.TRAFFIC_TICK, online=100_000 + s, product_clicks=50_000 + s)
              for s in range(10)])
    clock.set_state(session.state)
    w._drawn_at = 0.0
    clock.tick()
    assert not w.pending and all(w._ranges[k] == w._span(k) for k in w.plots)


def test_alerts_panel_beeps_once_per_new_warning(session, qtbot):
    w = make(AlertsPanel, session, qtbot, sound=True)
    session.append_local(p.ALERT_RAISED, {"key": "low_stock:LD-001", "kind": "low_stock",
                                          "level": "warning", "message": "库存低"}, source="system")
    w.refresh()
    w.refresh()
    assert w.beeps == 1 and w.list.count() == 1 and "1" in w.header.text()
    session.append_local(p.ALERT_CLEARED, {"key": "low_stock:LD-001"}, source="system")
    w.refresh()
    assert "0" in w.header.text() and w.beeps == 1
