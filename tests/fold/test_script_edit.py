"""operator.script_edit: cue-card edits are folded like any other event, and plans save."""

from __future__ import annotations

import pytest
import yaml

from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.core.plan import PlanError, load_plan, plan_from_dict, save_plan
from console.fold.state import SessionState

PLAN = {"session": {"room": "栖木", "title": "秋冬上新"},
        "products": [{"sku": "A", "title": "羽绒服", "price": 399, "list_price": 699, "stock": 10,
                      "cue_card": {"selling_points": ["轻"], "pitch_lines": ["看一下"],
                                   "cautions": ["偏小"], "banned_phrases": ["最保暖"]},
                      "script": "旧脚本"},
                     {"sku": "B", "title": "围巾", "price": 99, "list_price": 199, "stock": 5}]}


def folded(*edits: dict) -> tuple[SessionLog, SessionState]:
    log = SessionLog(session_id="t", clock=lambda: 1_700_000_000.0)
    state = SessionState()
    log.recorded = []
    log.subscribe(log.recorded.extend)
    log.subscribe(state.apply)
    log.append_local(p.PLAN_LOADED, {"plan": plan_from_dict(PLAN).to_dict()})
    for data in edits:
        log.append_local(p.OPERATOR_SCRIPT_EDIT, data)
    return log, state


def product(state: SessionState, sku: str) -> dict:
    return next(prod for prod in state.plan["products"] if prod["sku"] == sku)


def test_edit_replaces_card_and_script_and_keeps_other_fields():
    _, st = folded({"sku": "A", "cue_card": {"selling_points": ["白鹅绒 90%", "可收纳"]},
                    "script": "新脚本"})
    entry = product(st, "A")
    assert entry["cue_card"]["selling_points"] == ["白鹅绒 90%", "可收纳"]
    assert entry["cue_card"]["pitch_lines"] == ["看一下"]          # untouched fields kept
    assert entry["cue_card"]["banned_phrases"] == ["最保暖"]
    assert entry["script"] == "新脚本"
    assert st.products["A"].selling_points == ["白鹅绒 90%", "可收纳"]
    assert st.products["A"].script == "新脚本"
    assert product(st, "B").get("script", "") == ""
    assert any(kind == "script_edit" for _, kind, _ in st.marks)


def test_plan_object_is_replaced_so_earlier_snapshots_keep_old_text():
    log, st = folded()
    before = st.to_snapshot()
    old_plan = st.plan
    log.append_local(p.OPERATOR_SCRIPT_EDIT, {"sku": "A", "script": "改过"})
    assert st.plan is not old_plan
    assert product(SessionState.from_snapshot(before), "A")["script"] == "旧脚本"


def test_replay_of_the_same_log_gives_the_same_edited_state():
    log, st = folded({"sku": "A", "cue_card": {"pitch_lines": ["上链接"]}})
    again = SessionState()
    again.apply(log.recorded)
    assert product(again, "A")["cue_card"]["pitch_lines"] == ["上链接"]


def test_bad_edit_is_counted_not_fatal():
    _, st = folded({"sku": "A", "cue_card": "not a mapping"}, {"script": "no sku"})
    assert product(st, "A")["cue_card"]["selling_points"] == ["轻"]
    assert st.counters.invalid == 2


def test_save_plan_round_trip_and_rejects_invalid(tmp_path):
    _, st = folded({"sku": "A", "cue_card": {"selling_points": ["白鹅绒"]}, "script": "第一行\n第二行"})
    path = save_plan(st.plan, tmp_path / "plan.yaml")
    text = path.read_text(encoding="utf-8")
    assert "白鹅绒" in text                       # readable UTF-8, not \u escapes
    again = load_plan(path)
    assert again.products[0].cue_card.selling_points == ["白鹅绒"]
    assert again.products[0].script.splitlines() == ["第一行", "第二行"]
    json_path = save_plan(st.plan, tmp_path / "plan.json")
    assert load_plan(json_path).products[1].sku == "B"
    with pytest.raises(PlanError):
        save_plan({"session": {}, "products": []}, tmp_path / "bad.yaml")
    assert not (tmp_path / "bad.yaml").exists()
    assert yaml.safe_load(text)["session"]["room"] == "栖木"
