"""The inventory panel's product lines: built a few per frame on screen, in the run of show's
order, hidden for products the state does not have (a replay seeking back), prepared ahead."""

from __future__ import annotations

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.state import SessionState
from widgets.frame_clock import FrameClock
from widgets.inventory_panel import InventoryPanel

T0 = 1_700_000_000.0


def state_with(skus: list[str], order: list[str] | None = None) -> SessionState:
    plan = {"products": [{"sku": s, "title": f"商品{s}", "price": 10.0 + i, "stock": 100}
                         for i, s in enumerate(skus)]}
    events = [Event(1, T0, p.SESSION_STARTED, {"room": "r", "started_at": T0}, "feed", 1),
              Event(2, T0 + 1, p.PLAN_LOADED, {"plan": plan}, "operator", None)]
    if order is not None:
        events.append(Event(3, T0 + 2, p.OPERATOR_REORDER, {"order": order}, "operator", None))
    st = SessionState()
    st.apply(events)
    return st


def shown_panel(qtbot, read_only: bool = False) -> InventoryPanel:
    panel = InventoryPanel()
    panel.now = lambda: T0 + 5
    panel.set_read_only(read_only)
    qtbot.addWidget(panel)
    panel.resize(900, 500)
    panel.show()
    qtbot.waitExposed(panel)
    return panel


def on_screen(panel: InventoryPanel) -> list[str]:
    """SKUs of the visible lines, top to bottom."""
    rows = [r for r in panel.rows.values() if r.title.isVisible()]
    return [r.sku for r in sorted(rows, key=lambda r: r.title.geometry().y())]


def settle(qtbot, panel: InventoryPanel) -> None:
    qtbot.waitUntil(lambda: all(r.title.geometry().height() > 0 for r in panel.rows.values()
                                if r.title.isVisible()), timeout=2000)


def test_lines_are_built_a_few_per_refresh_on_screen(qtbot):
    panel = shown_panel(qtbot)
    panel.BUILD_BUDGET_S = 0.0                 # one line per refresh
    skus = [f"S{i}" for i in range(5)]
    panel.set_state(state_with(skus))
    built = []
    for _ in range(10):
        panel.refresh()
        built.append(len(panel.rows))
        if not panel.pending:
            break
    assert built == [1, 2, 3, 4, 5] and not panel.pending
    settle(qtbot, panel)
    assert on_screen(panel) == skus


def test_off_screen_or_forced_it_builds_every_line_at_once(qtbot):
    panel = InventoryPanel()
    qtbot.addWidget(panel)
    panel.BUILD_BUDGET_S = 0.0
    panel.set_state(state_with(["A", "B", "C"]))
    panel.refresh()                            # not on screen: nothing to stall
    assert len(panel.rows) == 3 and not panel.pending
    shown = shown_panel(qtbot)
    shown.BUILD_BUDGET_S = 0.0
    clock = FrameClock()
    clock.add(shown)
    clock.set_state(state_with(["A", "B", "C", "D"]))
    clock.tick(force=True)                     # a forced frame finishes what is pending
    assert len(shown.rows) == 4 and not shown.pending and not clock.pending
    clock.set_state(state_with(["A", "B", "C", "D", "E", "F"]))
    clock.tick()
    assert len(shown.rows) == 5 and clock.pending       # the next line on the next frame
    clock.tick()
    assert len(shown.rows) == 6 and not clock.pending


def test_lines_follow_the_run_of_show_and_a_seek_back_hides_them(qtbot):
    panel = shown_panel(qtbot, read_only=True)
    full = state_with(["A", "B", "C", "D"])
    panel.set_state(full)
    panel.refresh()
    settle(qtbot, panel)
    assert on_screen(panel) == ["A", "B", "C", "D"]
    stock = panel.rows["C"].stock.text()
    panel.set_state(state_with(["A", "B"]))    # a replay seeks back before C and D were planned
    panel.refresh()
    settle(qtbot, panel)
    assert on_screen(panel) == ["A", "B"]
    assert not panel.rows["C"].stock.isVisible() and panel.rows["C"].stock.text() == stock
    panel.set_state(state_with(["A", "B", "C", "D"], order=["D", "B", "A", "C"]))
    panel.refresh()
    settle(qtbot, panel)
    assert on_screen(panel) == ["D", "B", "A", "C"]     # the operator's new order
    assert len(panel.rows) == 4                          # shown again, not built again


def test_prepared_lines_are_built_hidden_and_only_shown_by_a_seek(qtbot):
    panel = shown_panel(qtbot, read_only=True)
    panel.set_state(state_with([]))
    panel.prepare(["A", "B", "C"])
    assert panel.pending
    panel.refresh()
    assert set(panel.rows) == {"A", "B", "C"} and not panel.pending
    assert on_screen(panel) == []
    assert all(r.title.isVisibleTo(panel) is False for r in panel.rows.values())
    made = dict(panel.rows)
    panel.set_state(state_with(["A", "B", "C"]))
    panel.refresh()
    settle(qtbot, panel)
    assert on_screen(panel) == ["A", "B", "C"] and panel._built_now == 0
    assert all(panel.rows[s] is made[s] for s in made)


def test_read_only_lines_have_no_controls_and_a_live_panel_gets_them_back(qtbot):
    panel = shown_panel(qtbot, read_only=True)
    panel.set_state(state_with(["A", "B"]))
    panel.refresh()
    assert all(r.controls() == () and r.end_flash is None for r in panel.rows.values())
    assert not panel._restock_head.isVisible()
    panel.set_read_only(False)
    panel.refresh()
    settle(qtbot, panel)
    for row in panel.rows.values():
        assert len(row.controls()) == 3 and all(w.isVisible() for w in row.controls())
        assert row.flash.isVisible() and not row.end_flash.isVisible()
    assert panel._restock_head.isVisible()
    assert on_screen(panel) == ["A", "B"]
