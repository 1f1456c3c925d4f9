"""The automation engine on a fake clock: re-pop, run-of-show timer, scheduled messages,
keyword auto-reply with cooldowns and limits, the advertising-law block; plan validation."""
from __future__ import annotations

import random

import pytest

from console.core import protocol as p
from console.live.automation import Automation, MissingValue, render, template_values
from console.core.plan import PlanError, automation_from_dict, plan_from_dict
from tests.comments.conftest import SimSession


def make(plan, config: dict, *, seed: int = 1) -> tuple[SimSession, Automation]:
    s = SimSession(plan, comments=False)
    problems: list[str] = []
    auto = Automation(s.state, s, automation_from_dict(config, "automation", problems),
                      clock=s.now, rng=random.Random(seed))
    assert problems == []
    auto.enable(True)
    return s, auto


def run(s: SimSession, auto: Automation, seconds: int) -> list:
    out = []
    for _ in range(seconds):
        s.advance(1)
        out += auto.tick()
    return out


def actions(s: SimSession, kind: str | None = None) -> list:
    return [e for e in s.of_type(p.AUTOMATION_ACTION) if kind is None or e.data["kind"] == kind]


def test_nothing_runs_until_enabled_and_pause_stops_it(plan):
    s = SimSession(plan, comments=False)
    auto = Automation(s.state, s, automation_from_dict({"repop": {"enabled": True, "every_s": 10}},
                                                       "automation", []), clock=s.now)
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    run(s, auto, 60)
    assert actions(s) == []                       # opt-in: off by default
    auto.enable(True)
    run(s, auto, 25)
    assert len(actions(s, "repop")) == 2
    assert auto.pause() is True and s.state.automation.paused
    run(s, auto, 60)
    assert len(actions(s, "repop")) == 2
    auto.pause(False)
    run(s, auto, 11)
    assert len(actions(s, "repop")) == 3
    states = s.of_type(p.AUTOMATION_STATE)
    assert [e.source for e in states] == ["operator"] * 3


def test_repop_every_n_seconds_with_a_safe_minimum(plan):
    s, auto = make(plan, {"repop": {"enabled": True, "every_s": 15}})
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    run(s, auto, 61)
    repops = actions(s, "repop")
    assert [round(e.ts - repops[0].ts) for e in repops] == [0, 15, 30, 45]
    assert all(e.source == "automation" for e in repops)
    cmds = [e for e in s.of_type(p.OPERATOR_COMMAND) if e.source == "automation"]
    assert len(cmds) == 4 and cmds[0].data["name"] == p.CMD_CARD_PUSH
    assert s.state.current_segment.repops == 4    # pushes of the same card: one segment
    # a manual push restarts the interval
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    before = len(actions(s, "repop"))
    run(s, auto, 14)
    assert len(actions(s, "repop")) == before
    # below the minimum: refused by validation, and clamped by the engine anyway
    problems: list[str] = []
    automation_from_dict({"repop": {"enabled": True, "every_s": 3}}, "automation", problems)
    assert "platform-safe minimum" in problems[0]
    auto.plan.repop.every_s = 1
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-KN-002"})
    n = len(actions(s, "repop"))
    run(s, auto, 30)
    assert len(actions(s, "repop")) - n == 2


def test_run_of_show_timer_warns_and_auto_advances(plan):
    minutes = plan.products[0].planned_minutes            # 8 in the sample plan
    s, auto = make(plan, {"run_timer": {"enabled": True, "warn_before_s": 60,
                                        "auto_advance": True}})
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    run(s, auto, int(minutes * 60) - 61)
    assert actions(s) == []
    run(s, auto, 2)
    warn = actions(s, "timer_warning")
    assert len(warn) == 1 and warn[0].data["sku"] == "QM-FW-001"
    assert s.state.automation.warning["kind"] == "timer_warning"
    run(s, auto, 60 - 15)
    notice = actions(s, "advance_notice")
    assert len(notice) == 1 and notice[0].data["next_sku"] == "QM-KN-002"   # names it first
    assert s.state.current_sku == "QM-FW-001"
    run(s, auto, 16)
    assert s.state.current_sku == "QM-KN-002"
    adv = actions(s, "advance")
    assert len(adv) == 1 and adv[0].source == "automation"
    assert adv[0].ts - notice[0].ts == pytest.approx(15, abs=1.01)
    # without auto-advance only the warning comes
    s2, auto2 = make(plan, {"run_timer": {"enabled": True, "warn_before_s": 0}})
    s2.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    run(s2, auto2, int(minutes * 60) + 120)
    assert [e.data["kind"] for e in actions(s2)] == ["timer_warning"]
    assert s2.state.current_sku == "QM-FW-001"


def test_scheduled_messages_rotate_with_jitter_never_twice_in_a_row(plan):
    texts = ["欢迎来到{room}", "{product}今天到手价{price}元", "点关注不迷路"]
    s, auto = make(plan, {"messages": {"enabled": True, "every_s": 60, "jitter_s": 20,
                                       "texts": texts}}, seed=4)
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-FW-001"})
    run(s, auto, 1800)
    sent = actions(s, "message")
    assert 20 <= len(sent) <= 45
    gaps = [b.ts - a.ts for a, b in zip(sent, sent[1:])]
    assert min(gaps) >= 39 and max(gaps) <= 81 and len({round(g) for g in gaps}) > 3
    words = [e.data["text"] for e in sent]
    assert all(a != b for a, b in zip(words, words[1:]))
    assert "轻薄鹅绒羽绒服 女款短款今天到手价399元" in words
    assert "欢迎来到栖木生活官方旗舰店" in words
    # what was sent appears in the comment stream, from the room, marked automatic
    own = [r for r in s.state.desk.items if "s" in r["tags"]]
    assert len(own) == len(sent) and all(r["source"] == "automation" for r in own)


def test_message_with_missing_values_is_skipped_not_sent_raw(plan):
    s, auto = make(plan, {"messages": {"enabled": True, "every_s": 30, "jitter_s": 0,
                                       "texts": ["{product} {price}元", "{product}库存{stock}"]}})
    run(s, auto, 100)                       # no card on air: no {product}
    assert actions(s, "message") == []
    blocked = s.of_type(p.AUTOMATION_BLOCKED)
    assert blocked and "no message can be sent" in blocked[0].data["reason"]


def reply_config(**rule) -> dict:
    base = {"name": "size", "keywords": ["什么码", "尺码"], "replies": ["@{nick} 看详情页尺码表哦"],
            "cooldown_s": 30}
    base.update(rule)
    return {"auto_reply": {"enabled": True, "max_per_minute": 3, "same_text_minutes": 10,
                           "rules": [base]}}


def ask(s, cid, text="穿什么码", uid="u1", nick="小鹿"):
    s.feed(p.COMMENT, {"comment_id": cid, "nick": nick, "text": text, "user_id": uid})


def test_auto_reply_cooldown_and_rate_limit(plan):
    s, auto = make(plan, reply_config(replies=["@{nick} 尺码看详情页", "{nick} 按身高体重选哦",
                                               "@{nick} 偏小一码"], cooldown_s=10))
    ask(s, "a1")
    auto.tick()
    replies = actions(s, "auto_reply")
    assert len(replies) == 1 and replies[0].data["reply_to"] == "a1"
    assert replies[0].data["rule"] == "size" and "小**" in replies[0].data["text"]
    sent = s.of_type(p.COMMENT_SENT)
    assert sent[-1].data["reply_to"] == "a1" and sent[-1].data["source"] == "automation"
    assert s.state.desk.replies[-1]["latency_s"] == pytest.approx(0.0, abs=0.01)
    ask(s, "a2", uid="u2")
    s.advance(5)
    auto.tick()
    assert len(actions(s, "auto_reply")) == 1             # the rule is cooling down
    s.advance(6)
    ask(s, "a3", uid="u3")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 2
    s.advance(11)
    ask(s, "a4", uid="u4")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 3
    s.advance(11)                                       # 3 in the last minute: the limit
    ask(s, "a5", uid="u5")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 3
    limited = [e for e in s.of_type(p.AUTOMATION_BLOCKED) if "rate limit" in e.data["reason"]]
    assert len(limited) == 1
    s.advance(40)                                       # the first reply is over a minute old
    ask(s, "a6", uid="u6")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 4


def test_never_the_same_text_to_the_same_buyer(plan):
    s, auto = make(plan, reply_config(cooldown_s=0, replies=["尺码看详情页"]))
    for i in range(3):
        ask(s, f"b{i}", uid="u7")
        auto.tick()
        s.advance(61)
    assert len(actions(s, "auto_reply")) == 1           # one text, one buyer: once in 10 min
    ask(s, "b9", uid="u8")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 2
    s.advance(600)
    ask(s, "b10", uid="u7")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 3           # ten minutes later it may repeat


def test_only_buyers_who_ordered(plan):
    s, auto = make(plan, reply_config(only_buyers=True, cooldown_s=0))
    ask(s, "c1", uid="u1")
    auto.tick()
    assert actions(s, "auto_reply") == []
    s.feed(p.ORDER_CREATED, {"order_id": "LD-9", "sku": "QM-FW-001", "qty": 1, "amount": 399.0,
                             "buyer": {"id": "u1", "nick": "小鹿"}})
    ask(s, "c2", uid="u1")
    auto.tick()
    assert len(actions(s, "auto_reply")) == 1


def test_pattern_rules_and_own_comments_ignored(plan):
    s, auto = make(plan, reply_config(keywords=[], pattern=r"\d{3}\s*斤", cooldown_s=0))
    ask(s, "d1", text="120斤穿啥")
    ask(s, "d2", text="穿啥", uid="u2")
    auto.tick()
    assert [e.data["reply_to"] for e in actions(s, "auto_reply")] == ["d1"]
    n = len(actions(s, "auto_reply"))
    s.send_command(p.CMD_COMMENT_SEND, {"text": "150斤也能穿"})   # the room's own comment
    auto.tick()
    assert len(actions(s, "auto_reply")) == n


def test_banned_text_is_blocked_with_the_reason(plan):
    s, auto = make(plan, {"messages": {"enabled": True, "every_s": 30, "jitter_s": 0,
                                       "texts": ["全网最低价，快拍", "欢迎来到直播间"]},
                          **reply_config(replies=["这是最好的尺码"], cooldown_s=0)})
    ask(s, "e1")
    run(s, auto, 31)
    blocked = s.of_type(p.AUTOMATION_BLOCKED)
    reasons = {e.data["kind"]: e.data for e in blocked}
    assert "全网最低" in reasons["message"]["reason"] and reasons["message"]["terms"]
    assert "最好" in reasons["auto_reply"]["reason"]
    assert all(e.source == "automation" for e in blocked)
    assert s.of_type(p.COMMENT_SENT) == []              # nothing banned left Livedesk
    assert s.state.automation.blocked_count == 2
    run(s, auto, 31)
    assert [e.data["text"] for e in s.of_type(p.COMMENT_SENT)] == ["欢迎来到直播间"]


def test_templates_fill_from_the_state(plan):
    s, _ = make(plan, {})
    s.send_command(p.CMD_CARD_PUSH, {"sku": "QM-PT-003"})
    values = template_values(s.state, {"nick": "小*"})
    assert values["product"] == "高腰直筒加绒休闲裤" and values["price"] == "169"
    assert values["link_no"] == "3" and values["stock"] == "350" and values["coupon"] == "满150减15"
    assert values["flash_price"] == "139" and values["nick"] == "小*"
    assert render("{link_no}号链接 {product} {price}元", values) == "3号链接 高腰直筒加绒休闲裤 169元"
    s.send_command(p.CMD_FLASH_START, {"sku": "QM-PT-003", "deal_price": 129.0, "stock": 20,
                                       "duration_s": 60.0})
    assert template_values(s.state)["price"] == "129" and template_values(s.state)["stock"] == "20"
    with pytest.raises(MissingValue):
        render("{nick}", template_values(s.state))
    with pytest.raises(ValueError):
        render("{nope}", values)


def test_plan_automation_section_is_validated(plan):
    raw = plan.to_dict()
    raw["automation"] = {
        "repop": {"enabled": "yes", "every_s": 5},
        "messages": {"enabled": True, "every_s": 10, "jitter_s": 20, "texts": ["只有一条{oops}"]},
        "auto_reply": {"max_per_minute": 99, "rules": [{"name": "x", "pattern": "(", "replies": []},
                                                       {"name": "y", "replies": ["好"]}]},
        "templates": [{"name": "t", "text": "{price"}],
        "extra": 1}
    with pytest.raises(PlanError) as exc:
        plan_from_dict(raw)
    text = "\n".join(exc.value.problems)
    for needle in ("automation.repop.enabled", "automation.repop.every_s", "platform-safe",
                   "automation.messages.jitter_s", "at least two different texts",
                   "unknown variable {oops}", "automation.auto_reply.max_per_minute",
                   "rules[0].pattern: bad regular expression", "rules[0].replies",
                   "rules[1]: needs keywords or a pattern", "templates[0].text: broken braces",
                   "automation.extra: unknown section"):
        assert needle in text, needle
    raw["automation"] = {"templates": [{"name": "发货", "text": "{product}48小时内发货"}]}
    ok = plan_from_dict(raw)
    assert ok.automation.templates[0].name == "发货"
    assert plan_from_dict(ok.to_dict()).automation == ok.automation    # round trip


def test_set_config_logs_and_applies_or_refuses(plan):
    s, auto = make(plan, {})
    with pytest.raises(PlanError):
        auto.set_config({"repop": {"enabled": True, "every_s": 2}})
    assert s.of_type(p.AUTOMATION_CONFIG) == []
    auto.set_config({"repop": {"enabled": True, "every_s": 12}})
    assert s.state.automation.config["repop"]["every_s"] == 12 and auto.plan.repop.enabled


def test_check_plan_validates_the_automation_section(plan, tmp_path, capsys):
    import types

    import yaml

    from console.cli.check_plan import run_check_plan
    raw = plan.to_dict()
    raw["automation"] = {"messages": {"enabled": True, "every_s": 60, "jitter_s": 5,
                                      "texts": ["全网最低价", "欢迎"]},
                         "templates": [{"name": "好", "text": "这是最好的"}]}
    path = tmp_path / "plan.yaml"
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    assert run_check_plan(types.SimpleNamespace(file=str(path), words=None)) == 1
    out = capsys.readouterr().out
    assert "automation.messages.texts[0]: 「全网最低" in out and "automation.templates[0] (好)" in out
    raw["automation"] = {"repop": {"enabled": True, "every_s": 1}, "templates": [{"text": "{x}"}]}
    path.write_text(yaml.safe_dump(raw, allow_unicode=True), "utf-8")
    assert run_check_plan(types.SimpleNamespace(file=str(path), words=None)) == 2
    err = capsys.readouterr().err
    assert "automation.repop.every_s" in err and "automation.templates[0].name: required" in err
    assert "unknown variable {x}" in err


def test_the_sample_plan_has_a_valid_automation_section(plan):
    auto = plan.automation
    assert auto is not None and auto.repop.every_s >= 10 and len(auto.templates) >= 5
    assert {r.name for r in auto.auto_reply.rules} >= {"尺码", "发货"}
