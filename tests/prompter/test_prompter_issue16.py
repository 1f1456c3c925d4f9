"""Issue 16, item 12: the prompt panel keeps the host on the card being read when the font size
changes, says "no card on air" after a clear, drops the key hint once a cue is acknowledged, and
does not move the product and script down when a cue appears."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from console.core import protocol as p
from console.fold.state import SessionState
from widgets.prompter_panel import PrompterPanel

pytestmark = pytest.mark.gui


@pytest.fixture
def panel(qtbot, qsettings, driver):
    w = PrompterPanel(settings=qsettings, clock=lambda: driver.t)
    w.resize(1280, 720)
    qtbot.addWidget(w)
    w.set_state(driver.state)
    w.show()
    qtbot.waitExposed(w)
    return w


def section_on_top(panel) -> str | None:
    value = panel.script_area.verticalScrollBar().value()
    for sku, lab in panel._sections.items():
        if lab.y() <= value < lab.y() + lab.height() + panel._script_layout.spacing():
            return sku
    return None


def settle(qtbot) -> None:
    qtbot.wait(300)          # a few frames of the panel's 30 Hz timer


def test_font_size_keys_keep_the_card_on_air_at_the_top(qtbot, panel, driver):
    sku = driver.skus[3]
    driver.feed(p.CARD_PUSHED, {"sku": sku})
    settle(qtbot)
    assert section_on_top(panel) == sku
    for key in (Qt.Key.Key_Plus, Qt.Key.Key_Plus, Qt.Key.Key_Minus, Qt.Key.Key_Minus,
                Qt.Key.Key_Minus):
        qtbot.keyClick(panel, key)
        settle(qtbot)
        assert section_on_top(panel) == sku, f"after {key} the script shows another product"
        assert panel._sections[sku].y() == panel.script_area.verticalScrollBar().value()


def test_after_a_clear_it_does_not_wait_for_the_first_card(qtbot, panel, driver):
    panel.refresh()
    assert "Waiting for the first product card" in panel.displayed_texts()["title"]
    driver.feed(p.CARD_PUSHED, {"sku": driver.skus[0]})
    driver.feed(p.CARD_CLEARED, {"sku": driver.skus[0]})
    panel.refresh()
    title = panel.displayed_texts()["title"]
    assert "Waiting for the first" not in title and "No card on air" in title


def test_an_acknowledged_cue_no_longer_asks_for_a_key(qtbot, panel, driver):
    hint = "Space / Enter = got it"
    driver.local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
    panel.refresh()
    assert hint in panel.displayed_texts()["cue"]
    qtbot.keyClick(panel, Qt.Key.Key_Space)                       # the host's key
    settle(qtbot)
    assert "上链接" in panel.displayed_texts()["cue"] and hint not in panel.displayed_texts()["cue"]
    driver.local(p.OPERATOR_CUE, {"text": "催单", "kind": "urge"})
    settle(qtbot)
    qtbot.mouseClick(panel.cue_label, Qt.MouseButton.LeftButton)  # a click on the banner
    settle(qtbot)
    assert hint not in panel.displayed_texts()["cue"]
    driver.local(p.OPERATOR_CUE, {"text": "讲福利", "kind": "perks"})
    settle(qtbot)
    driver.local(p.OPERATOR_CUE_ACK, {"cue_seq": driver.state.cue["seq"]})   # the remote panel
    settle(qtbot)
    assert hint not in panel.displayed_texts()["cue"] and "讲福利" in panel.displayed_texts()["cue"]
    # a remote panel gets a rebuilt state with the acknowledged cue: still no hint
    copy = SessionState.from_snapshot(driver.state.to_snapshot())
    panel.set_state(copy)
    settle(qtbot)
    assert hint not in panel.displayed_texts()["cue"]


def test_the_layout_does_not_jump_when_a_cue_appears(qtbot, panel, driver):
    driver.feed(p.CARD_PUSHED, {"sku": driver.skus[0]})
    settle(qtbot)
    before = (panel.title_label.mapTo(panel, panel.title_label.rect().topLeft()).y(),
              panel.script_area.mapTo(panel, panel.script_area.rect().topLeft()).y())
    driver.local(p.OPERATOR_CUE, {"text": "库存只剩 20，赶紧下单！" * 3, "kind": "free"})
    settle(qtbot)
    assert panel.cue_flashing()
    after = (panel.title_label.mapTo(panel, panel.title_label.rect().topLeft()).y(),
             panel.script_area.mapTo(panel, panel.script_area.rect().topLeft()).y())
    assert after == before
    qtbot.keyClick(panel, Qt.Key.Key_Return)
    settle(qtbot)
    assert (panel.title_label.mapTo(panel, panel.title_label.rect().topLeft()).y(),
            panel.script_area.mapTo(panel, panel.script_area.rect().topLeft()).y()) == before
