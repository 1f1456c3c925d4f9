"""The comment panel and the automation controls in the console window (offscreen)."""
from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")
os.environ["LIVEDESK_LANG"] = "en"

import pytest
from PySide6.QtCore import Qt

from console.core import protocol as p
from tests.comments.conftest import SimSession


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskCommentsTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def live(plan, qtbot):
    from console.gui.main_window import MainWindow
    s = SimSession(plan, seed=5, autopilot=True)
    win = MainWindow(s, now=s.now, sound=False, start_clock=False)
    win.desk_host.timer.stop()              # the test drives the engine's clock
    qtbot.addWidget(win)
    win._stopped = True
    win.resize(1600, 1000)
    win.show()
    s.advance(300)
    win.clock.tick(force=True)
    return s, win


def test_stream_filters_and_scroll_lock(live):
    s, win = live
    panel = win.comments
    desk = s.state.desk
    assert len(panel.model.rows) == len(desk.items) > 50
    assert f"{desk.count:,} comments" in panel.counts.text()
    view = panel.view
    assert view.follow and view.top_row() == view.verticalScrollBar().maximum()
    panel.questions_box.setChecked(True)
    assert 0 < len(panel.model.shown) < len(panel.model.rows)
    assert all(r["q"] for r in panel.model.shown)
    panel.kind_combo.setCurrentIndex(panel.kind_combo.findData("shipping"))
    assert panel.model.shown and all("shipping" in r["q"] for r in panel.model.shown)
    panel.questions_box.setChecked(False)
    panel.kind_combo.setCurrentIndex(0)
    panel.search.setText("发货")
    assert panel.model.shown and all("发货" in r["text"] for r in panel.model.shown)
    panel.search.setText("")
    # scroll up: the view stays on what the operator reads; "N new" counts what arrives
    bar = view.verticalScrollBar()
    bar.setValue(bar.maximum() - 20)
    assert not view.follow
    first = panel.model.shown[view.top_row()]["seq"]
    s.advance(60)
    win.clock.tick()
    assert panel.model.shown[view.top_row()]["seq"] == first
    assert panel.new_button.isVisible() and "new" in panel.new_button.text()
    panel.new_button.click()
    assert view.follow and not panel.new_button.isVisible()
    assert view.top_row() == bar.maximum()


def test_the_panel_stays_bounded(live, monkeypatch):
    from widgets import comment_panel
    monkeypatch.setattr(comment_panel, "MAX_ROWS", 120)
    monkeypatch.setattr(comment_panel, "TRIM_TO", 100)
    s, win = live
    for _ in range(10):
        s.advance(60)
        win.clock.tick()
    assert len(win.comments.model.rows) <= 120
    assert win.comments.model.rows[-1]["seq"] == s.state.desk.items[-1]["seq"]


def test_pin_reply_template_and_send_to_host(live, qtbot):
    s, win = live
    panel = win.comments
    question = next(r for r in reversed(panel.model.rows) if r["q"] and r["id"])
    panel._on_selected(question)
    panel.pin_button.click()
    assert s.of_type(p.COMMENT_PINNED)[-1].data["comment_id"] == question["id"]
    # a quick reply filled from the state, sent as a reply
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-PT-003"})
    idx = next(i for i in range(panel.template_combo.count())
               if "{link_no}" in (panel.template_combo.itemData(i) or ""))
    panel._on_template(idx)
    assert "3号链接" in panel.reply_box.text() and "{" not in panel.reply_box.text()
    qtbot.keyClick(panel.reply_box, Qt.Key_Return)
    sent = s.of_type(p.COMMENT_SENT)[-1]
    assert sent.data["reply_to"] == question["id"] and "3号链接" in sent.data["text"]
    win.clock.tick()
    assert panel.model.rows[-1]["text"] == sent.data["text"]          # in the stream
    # banned words: shown with the reason, nothing sent
    n = len(s.of_type(p.OPERATOR_COMMAND))
    panel.reply_box.setText("全网最低价")
    assert not panel.send_button.isEnabled() and "全网最低" in panel.message.text()
    qtbot.keyClick(panel.reply_box, Qt.Key_Return)
    assert len(s.of_type(p.OPERATOR_COMMAND)) == n
    # send to host: a cue on the prompter
    panel._on_selected(question)
    panel.host_button.click()
    cue = s.of_type(p.OPERATOR_CUE)[-1]
    assert cue.data["kind"] == "comment" and question["text"] in cue.data["text"]
    assert s.state.cue["text"] == cue.data["text"]


def test_automation_switch_pause_key_and_indicator(live, qtbot):
    s, win = live
    host = win.desk_host
    assert "AUTO off" in (win.automation_indicator.refresh() or win.automation_indicator.text())
    host.apply_config({"repop": {"enabled": True, "every_s": 12},
                       "messages": {"enabled": True, "every_s": 30, "jitter_s": 0,
                                    "texts": ["欢迎来到直播间", "关注主播不迷路"]}})
    assert s.state.automation.config["repop"]["every_s"] == 12
    assert s.state.plan["automation"]["repop"]["every_s"] == 12     # saved with the plan
    host.apply_config({"repop": {"enabled": True, "every_s": 2}})  # refused, with the reason
    assert "platform-safe minimum" in host.panel.problems.text()
    assert host.engine.plan.repop.every_s == 12
    host.panel.sig_enable.emit(True)
    win.clock.tick()
    assert "AUTO on" in win.automation_indicator.text()
    for _ in range(40):
        s.advance(1)
        host.tick()
    assert [e for e in s.of_type(p.AUTOMATION_ACTION) if e.data["kind"] == "message"]
    assert [e for e in s.of_type(p.OPERATOR_COMMAND) if e.source == "automation"]
    pause = next(a for a in win.actions() if a.shortcut().toString() == "F8")
    pause.trigger()
    win.clock.tick()
    assert s.state.automation.paused and "paused" in win.automation_indicator.text()
    n = len(s.of_type(p.AUTOMATION_ACTION))
    for _ in range(60):
        s.advance(1)
        host.tick()
    assert len(s.of_type(p.AUTOMATION_ACTION)) == n
    # the prompt panel shows it too
    from widgets.prompter_panel import PrompterPanel
    panel = PrompterPanel()
    qtbot.addWidget(panel)
    panel.set_state(s.state)
    assert "AUTO paused" in panel.displayed_texts()["auto"]
    win.clock.tick()
    assert "Held back" in host.panel.activity.text() or s.state.automation.blocked_count == 0


def test_returning_tag_and_focus_key(live, qtbot):
    s, win = live
    panel = win.comments
    row = next(r for r in reversed(panel.model.rows) if r["uid"] and "s" not in r["tags"])
    assert "r" not in panel.view._tags(row)
    panel.set_returning(frozenset({row["uid"]}))
    assert "r" in panel.view._tags(row)
    focus = next(a for a in win.actions() if a.shortcut().toString() == "Ctrl+Shift+C")
    focus.trigger()
    assert win.docks["comments"].isVisible()


def test_rules_editor_applies_or_lists_the_problems(live):
    s, win = live
    panel = win.desk_host.panel
    panel.editor.setPlainText("repop: [unclosed")
    panel._on_apply()
    assert "Not valid YAML" in panel.problems.text()
    panel.editor.setPlainText("repop: {enabled: true, every_s: 4}\nmessages: {texts: [a, a]}")
    panel._on_apply()
    assert "platform-safe minimum" in panel.problems.text()
    assert s.of_type(p.AUTOMATION_CONFIG) == []
    panel.editor.setPlainText("repop: {enabled: true, every_s: 15}")
    panel._on_apply()
    assert panel.problems.isHidden() and s.state.automation.config["repop"]["every_s"] == 15
    panel.rule_boxes["messages"].click()         # on without texts: refused, the box goes back
    assert "at least two different texts" in panel.problems.text()
    assert not panel.rule_boxes["messages"].isChecked()
    panel.rule_boxes["repop"].click()            # one click switches a rule off at once
    assert s.state.automation.config["repop"]["enabled"] is False


def test_held_back_text_shows_in_the_status_bar(live):
    s, win = live
    host = win.desk_host
    host.apply_config({"messages": {"enabled": True, "every_s": 30, "jitter_s": 0,
                                    "texts": ["全网最低价", "今天最好的福利"]}})
    host.engine.enable(True)
    for _ in range(31):
        s.advance(1)
        host.tick()
    assert "held back" in win.status.currentMessage() and "全网最低" in win.status.currentMessage()
    win.clock.tick()
    assert "× 1" in win.automation_indicator.text()
