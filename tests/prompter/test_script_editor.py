"""Cue-card editor: banned terms flagged in place, replacements, apply -> operator.script_edit."""

from __future__ import annotations

import pytest

from console.core import protocol as p
from console.compliance import load_words
from widgets.script_editor import ScriptEditor

pytestmark = pytest.mark.gui


@pytest.fixture
def editor(qtbot, driver):
    ed = ScriptEditor(load_words())
    qtbot.addWidget(ed)
    ed.set_state(driver.state)
    applied = []
    ed.sig_apply.connect(lambda sku, card, script: applied.append((sku, card, script)))
    ed.applied = applied
    return ed


def underlined(edit, line: int) -> list[tuple[int, int]]:
    block = edit.document().findBlockByNumber(line)
    return [(r.start, r.start + r.length) for r in block.layout().formats()
            if r.format.underlineStyle() != r.format.underlineStyle().NoUnderline]


def test_loads_the_plan_card_of_the_chosen_product(editor, driver):
    first = driver.plan["products"][0]
    assert editor.sku == first["sku"]
    assert editor.card()[0]["selling_points"] == first["cue_card"]["selling_points"]
    editor.select(driver.skus[1])
    assert editor.card()[0]["pitch_lines"] == driver.plan["products"][1]["cue_card"]["pitch_lines"]
    assert not editor.dirty and not editor.apply_button.isEnabled()


def test_banned_terms_are_listed_underlined_and_replaced(qtbot, editor):
    edit = editor.edits["pitch_lines"]
    edit.setPlainText("今天全网最低价\n质量很好")
    editor.run_check()
    terms = [(fh.field, fh.line, fh.hit.term) for fh in editor.hits]
    assert ("pitch_lines", 0, "全网最低") in terms
    assert underlined(edit, 0), "the hit is underlined in the editor"
    assert not underlined(edit, 1)
    assert "banned" in editor.summary.text()
    row = next(i for i, fh in enumerate(editor.hits) if fh.hit.term == "全网最低")
    editor.hit_list.setCurrentRow(row)
    assert editor.suggestion_box.count() >= 1
    editor.suggestion_box.setCurrentText("直播间专属价")
    editor.replace_button.click()
    assert edit.toPlainText().splitlines()[0] == "今天直播间专属价"   # not 今天直播间专属价价
    assert not any(fh.hit.term == "全网最低" for fh in editor.hits)


def test_card_banned_phrases_are_checked_and_cautions_are_not(editor):
    editor.edits["banned_phrases"].setPlainText("保暖之王")
    editor.edits["selling_points"].setPlainText("冬天的保暖之王")
    editor.edits["cautions"].setPlainText("不要说最便宜")
    editor.run_check()
    assert [(fh.field, fh.hit.term) for fh in editor.hits] == [("selling_points", "保暖之王")]


def test_allow_listed_text_is_clean(editor):
    editor.edits["script"].setPlainText("最近天气冷了\n第一次来直播间的家人点点关注")
    editor.edits["selling_points"].setPlainText("轻")
    editor.edits["pitch_lines"].setPlainText("看一下")
    editor.run_check()
    assert editor.hits == []
    assert editor.summary.text() == "No banned terms"


def test_apply_emits_the_edit_and_the_log_folds_it(editor, driver):
    sku = editor.sku
    editor.edits["selling_points"].setPlainText("白鹅绒\n\n  可收纳  ")
    assert editor.dirty and editor.apply_button.isEnabled()
    editor.apply_button.click()
    (got_sku, card, script), = editor.applied
    assert got_sku == sku and card["selling_points"] == ["白鹅绒", "可收纳"]
    driver.local(p.OPERATOR_SCRIPT_EDIT, {"sku": got_sku, "cue_card": card, "script": script})
    editor.refresh()
    assert not editor.dirty
    assert editor.edits["selling_points"].toPlainText() == "白鹅绒\n可收纳"


def test_unsaved_edits_survive_other_plan_changes(editor, driver):
    editor.edits["script"].setPlainText("正在写的脚本")
    driver.local(p.OPERATOR_SCRIPT_EDIT, {"sku": driver.skus[2], "script": "别人的修改"})
    editor.refresh()
    assert editor.edits["script"].toPlainText() == "正在写的脚本"
    editor.revert_button.click()
    assert editor.edits["script"].toPlainText() != "正在写的脚本"
