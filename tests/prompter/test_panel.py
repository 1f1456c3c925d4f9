"""PrompterPanel: follows card pushes and stock, cues flash and are acknowledged, settings persist."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QSettings, Qt

from console.core import protocol as p
from widgets.prompter_panel import PrompterPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, qsettings, driver):
    w = PrompterPanel(settings=qsettings, clock=lambda: driver.t)
    w.resize(1280, 720)
    qtbot.addWidget(w)
    w.set_state(driver.state)
    return w


def test_follows_card_pushes_and_stock(panel, driver):
    a, b, c = driver.skus[:3]
    driver.feed(p.CARD_PUSHED, {"sku": a})
    panel.refresh()
    texts = panel.displayed_texts()
    title_a = driver.state.products[a].title
    assert texts["title"] == title_a
    assert title_a in texts["script"]
    assert texts["next"] == driver.state.products[b].title
    assert texts["stock"] == f"{driver.state.products[a].stock:,}"
    driver.feed(p.INVENTORY_SET, {"sku": a, "available": 12})
    panel.refresh()
    assert panel.displayed_texts()["stock"] == "12"
    assert "ff4d4f" in panel.stock_label.styleSheet()        # low stock is red
    driver.feed(p.INVENTORY_SET, {"sku": a, "available": 0})
    panel.refresh()
    texts = panel.displayed_texts()
    assert texts["stock"] == "SOLD OUT"
    assert "sold out" in texts["host_alert"]
    driver.feed(p.CARD_PUSHED, {"sku": b})
    panel.refresh()
    texts = panel.displayed_texts()
    assert texts["title"] == driver.state.products[b].title
    assert texts["next"] == driver.state.products[c].title
    # the script jumped to b's section
    assert panel.script_area.verticalScrollBar().value() == min(
        panel.script_area.verticalScrollBar().maximum(), panel._sections[b].y())


def test_refresh_only_on_change(panel, driver, monkeypatch):
    driver.feed(p.CARD_PUSHED, {"sku": driver.skus[0]})
    panel.refresh()
    calls = []
    monkeypatch.setattr(panel, "_update_from_state", lambda st: calls.append(st.version))
    for _ in range(5):
        panel.refresh()
    assert calls == []
    driver.feed(p.INVENTORY_SET, {"sku": driver.skus[0], "available": 50})
    panel.refresh()
    assert calls == [driver.state.version]


def test_cue_card_offer_and_countdown(panel, driver):
    a = driver.skus[0]
    driver.feed(p.CARD_PUSHED, {"sku": a})
    driver.feed(p.FLASH_STARTED, {"flash_id": "f1", "sku": a, "deal_price": 299.0, "stock": 80,
                                  "ends_at": driver.t + 125})
    panel.refresh()
    texts = panel.displayed_texts()
    assert texts["countdown"] == "02:04"
    assert "¥299" in texts["price"]
    assert "80" in texts["stock"]
    plan_prod = driver.plan["products"][0]
    for line in plan_prod["cue_card"]["selling_points"] + plan_prod["cue_card"]["pitch_lines"]:
        assert " ".join(line.split()) in texts["script"]
    driver.t += 110                     # time passes without events: countdown still ticks
    panel.refresh()
    texts = panel.displayed_texts()
    assert texts["countdown"] == "00:14"
    assert "Flash sale ending" in texts["host_alert"]


def test_cue_flashes_until_acknowledged(qtbot, panel, driver):
    driver.local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
    panel.refresh()
    assert panel.cue_flashing()
    assert "上链接" in panel.displayed_texts()["cue"]
    cue_seq = driver.state.cue["seq"]
    # the banner alternates colours on the frame timer
    seen = set()
    qtbot.waitUntil(lambda: (seen.add(panel.cue_label.styleSheet()), len(seen) >= 2)[1], timeout=2000)
    with qtbot.waitSignal(panel.sig_cue_acknowledged, timeout=1000) as blocker:
        qtbot.keyClick(panel, Qt.Key.Key_Space)
    assert blocker.args == [cue_seq]
    assert not panel.cue_flashing()
    # a new cue replaces it and flashes again; a click acknowledges it
    driver.local(p.OPERATOR_CUE, {"text": "库存只剩 20", "kind": "stock"})
    panel.refresh()
    assert panel.cue_flashing() and "库存只剩 20" in panel.displayed_texts()["cue"]
    with qtbot.waitSignal(panel.sig_cue_acknowledged, timeout=1000) as blocker:
        qtbot.mouseClick(panel.cue_label, Qt.MouseButton.LeftButton)
    assert blocker.args == [driver.state.cue["seq"]]
    # an ack in the log (e.g. from the remote prompter) also stops the flash
    driver.local(p.OPERATOR_CUE, {"text": "催单"})
    panel.refresh()
    assert panel.cue_flashing()
    driver.local(p.OPERATOR_CUE_ACK, {"cue_seq": driver.state.cue["seq"]})
    panel.refresh()
    assert not panel.cue_flashing()


def test_host_and_operator_alerts_are_separate(panel, driver):
    driver.feed(p.CARD_PUSHED, {"sku": driver.skus[0]})
    driver.local(p.ALERT_RAISED, {"key": "online", "kind": "viewers_drop", "message": "在线人数下降 30%"})
    driver.local(p.ALERT_RAISED, {"key": "feed", "kind": "feed_lag", "message": "数据延迟 5 秒"})
    panel.refresh()
    texts = panel.displayed_texts()
    assert "在线人数下降" in texts["host_alert"] and "数据延迟" not in texts["host_alert"]
    assert "数据延迟" in texts["operator_alert"]
    driver.local(p.ALERT_CLEARED, {"key": "online"})
    panel.refresh()
    assert panel.displayed_texts()["host_alert"] == ""


def test_keyboard_and_settings_persist(qtbot, tmp_path, driver):
    path = str(tmp_path / "s.ini")
    qs = QSettings(path, QSettings.Format.IniFormat)
    w = PrompterPanel(settings=qs)
    qtbot.addWidget(w)
    w.resize(800, 450)
    w.set_state(driver.state)
    scale = w.settings.font_scale
    speed = w.settings.scroll_speed
    qtbot.keyClick(w, Qt.Key.Key_M)
    qtbot.keyClick(w, Qt.Key.Key_Plus)
    qtbot.keyClick(w, Qt.Key.Key_Plus)
    qtbot.keyClick(w, Qt.Key.Key_Down)
    assert w.settings.mirror is True
    assert w._overlay.isVisibleTo(w)
    w.set_theme("amber")
    del w, qs
    w2 = PrompterPanel(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(w2)
    assert w2.settings.mirror is True
    assert w2.settings.font_scale == pytest.approx(scale + 0.2)
    assert w2.settings.scroll_speed == speed + 10
    assert w2.settings.theme == "amber"
    qtbot.keyClick(w2, Qt.Key.Key_M)
    qtbot.keyClick(w2, Qt.Key.Key_Minus)
    w3 = PrompterPanel(settings=QSettings(path, QSettings.Format.IniFormat))
    qtbot.addWidget(w3)
    assert w3.settings.mirror is False
    assert w3.settings.font_scale == pytest.approx(scale + 0.1)


def test_mirror_paints_flipped(qtbot, qsettings, driver):
    driver.feed(p.CARD_PUSHED, {"sku": driver.skus[0]})
    w = PrompterPanel(settings=qsettings)
    qtbot.addWidget(w)
    w.resize(640, 360)
    w.set_state(driver.state)
    w.show()
    qtbot.waitExposed(w)
    plain = w.grab().toImage()
    w.set_mirror(True)
    w.refresh(force=True)
    mirrored = w.grab().toImage()
    # a column near the left edge of the mirrored image matches the right edge of the plain one
    y = plain.height() // 2
    row_plain = [plain.pixel(x, y) for x in range(plain.width())]
    row_mirror = [mirrored.pixel(plain.width() - 1 - x, y) for x in range(plain.width())]
    same = sum(a == b for a, b in zip(row_plain, row_mirror))
    assert same > 0.95 * len(row_plain)


def test_scrolling_pauses_and_steps(qtbot, qsettings, driver):
    w = PrompterPanel(settings=qsettings)
    qtbot.addWidget(w)
    w.resize(640, 360)
    w.set_state(driver.state)
    w.show()
    qtbot.waitExposed(w)
    bar = w.script_area.verticalScrollBar()
    assert bar.maximum() > 0
    assert w.paused
    qtbot.keyClick(w, Qt.Key.Key_PageDown)
    assert bar.value() > 0
    qtbot.keyClick(w, Qt.Key.Key_PageUp)
    assert bar.value() == 0
    w.set_scroll_speed(200)
    qtbot.keyClick(w, Qt.Key.Key_P)
    assert not w.paused
    qtbot.waitUntil(lambda: bar.value() > 10, timeout=2000)


def test_a_new_state_with_the_same_plan_keeps_the_script_sections(panel, driver):
    """A replay seek hands the panel a new state object; the sections (thirty rich-text labels
    in a real plan) are rebuilt only when the plan or the products' scripts differ."""
    import copy

    import orjson

    from console.fold.state import SessionState

    a, b = driver.skus[:2]
    driver.feed(p.CARD_PUSHED, {"sku": a})
    panel.refresh()
    before = dict(panel._sections)
    copy_of = SessionState.from_snapshot(orjson.loads(orjson.dumps(driver.state.to_snapshot())))
    assert copy_of.plan is not driver.state.plan and copy_of.plan == driver.state.plan
    panel.set_state(copy_of)
    assert panel._sections == before                    # same label objects, not rebuilt
    assert "border-left: 10px solid" in panel._sections[a].styleSheet()
    assert panel.displayed_texts()["title"] == driver.state.products[a].title
    edited = copy.deepcopy(copy_of.plan)
    edited["products"][0]["script"] = "新的讲解脚本：先讲面料"
    other = SessionState.from_snapshot(orjson.loads(orjson.dumps(copy_of.to_snapshot())))
    other.plan = edited
    panel.set_state(other)
    assert panel._sections[a] is not before[a]            # a changed plan rebuilds them
    assert "新的讲解脚本" in panel.displayed_texts()["script"]
    panel.set_state(copy_of)
    driver_state_b = SessionState.from_snapshot(orjson.loads(orjson.dumps(copy_of.to_snapshot())))
    driver_state_b.current_sku = b
    panel.set_state(driver_state_b)                      # the highlight follows the card
    accent = panel._sections[b].styleSheet()
    assert accent != panel._sections[a].styleSheet()
    assert panel._sections[a].styleSheet() == panel._sections[driver.skus[2]].styleSheet()
