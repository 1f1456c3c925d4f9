"""The cue-card editor's one-click replacement gives correct text (issue 16 item 11).

Before the fix, replacing 全网最低 in "全网最低价" with 超值价 gave "超值价价"; the editor now runs
``compliance.apply_replacement`` on the hit's phrase.
"""

from __future__ import annotations

import pytest

from console.compliance import load_words, words_from_dict

pytestmark = pytest.mark.gui


def one_click(qtbot, words, text, term, suggestion):
    from widgets.script_editor import ScriptEditor

    ed = ScriptEditor(words)
    qtbot.addWidget(ed)
    ed.edits["pitch_lines"].setPlainText(text)
    ed.run_check()
    row = next(i for i, fh in enumerate(ed.hits) if fh.hit.term == term)
    ed.hit_list.setCurrentRow(row)
    offered = [ed.suggestion_box.itemText(i) for i in range(ed.suggestion_box.count())]
    assert suggestion in offered, offered
    ed.suggestion_box.setCurrentText(suggestion)
    ed.replace_button.click()
    return ed.edits["pitch_lines"].toPlainText(), ed


@pytest.mark.parametrize("text, term, suggestion, expected", [
    ("全网最低价", "全网最低", "超值价", "超值价"),
    ("今天全网最低价，只有直播间有\n这是最好看的一款", "全网最低", "直播间专属价",
     "今天直播间专属价，只有直播间有\n这是最好看的一款"),
    ("这是最好看的一款", "最好", "很好看", "这是很好看的一款"),
    ("１００％好评，放心拍", "１００％", "好评很多", "好评很多，放心拍"),
])
def test_one_click_gives_correct_text(qtbot, text, term, suggestion, expected):
    got, ed = one_click(qtbot, load_words(), text, term, suggestion)
    assert got == expected
    assert not any(fh.hit.term == term and fh.line == 0 for fh in ed.hits)


def test_one_click_with_a_user_list_without_forms(qtbot):
    words = words_from_dict({"terms": [{"term": "全网最低", "suggest": ["超值价"]}]})
    got, _ = one_click(qtbot, words, "全网最低价", "全网最低", "超值价")
    assert got == "超值价"
