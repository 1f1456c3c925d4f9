"""广告法 §9 check: positives, negatives, allow-list, plan locations, CLI exit codes."""

from __future__ import annotations

import argparse

import pytest
import yaml

from console.cli.check_plan import run_check_plan
from console.compliance import (check_plan, check_text, load_words, words_from_dict)
from console.core.plan import plan_from_dict


def terms(text):
    return [h.term for h in check_text(text)]


@pytest.mark.parametrize("text, expected", [
    ("这是全网最低价", ["全网最低"]),
    ("最好的面料，顶级工艺", ["最好", "顶级"]),
    ("国家级认证，100%好评", ["国家级", "100%"]),
    ("销量第一，独家配方", ["销量第一", "独家"]),
    ("唯一指定供应商", ["唯一指定"]),
    ("永久保修，万能百搭", ["永久", "万能"]),
    ("绝对史无前例的力度", ["绝对", "史无前例"]),
    ("首选好物，首个上市", ["首选", "首个"]),
    ("No.1 热销", ["No.1"]),
    ("这款最轻", ["最"]),
])
def test_positives(text, expected):
    assert terms(text) == expected


@pytest.mark.parametrize("text", [
    "最近很多姐妹问尺码",          # 最近: time, not a claim
    "最后二十件",                  # 最后
    "第一次来直播间的宝宝点关注",  # 第一次
    "第一步先领券",
    "每人最多限购 2 件",           # purchase limit
    "面料是100%纯棉",              # material content
    "比上一代最轻的还轻 20%",      # self-comparison
    "最生活毛巾今天有活动",        # trademark
    "这款羽绒服很轻很暖",          # clean
    "",
])
def test_negatives_and_allowed(text):
    assert check_text(text) == []


def test_hit_fields_and_context():
    [hit] = check_text("姐妹们这是我见过最好的一件")
    assert (hit.term, hit.start, hit.end) == ("最好", 8, 10)
    assert hit.category == "最高级"
    assert "很好" in hit.suggestions
    assert "最好" in hit.context


def test_context_cannot_excuse_hard_terms():
    # 我们家 (shop-internal comparison) would excuse 最, but never 全网最低
    assert terms("我们家全网最低") == ["全网最低"]
    assert terms("我们家最好卖的一款") == []


def test_user_word_list(tmp_path):
    words = words_from_dict({"terms": [{"term": "神器", "category": "夸大", "suggest": ["好用"]}],
                             "allow": {"phrases": ["收纳神器"]}})
    assert [h.term for h in check_text("护肤神器", words)] == ["神器"]
    assert check_text("收纳神器", words) == []
    assert check_text("最好", words) == []          # only the user's terms apply


PLAN = {
    "session": {"room": "r", "title": "冬季专场"},
    "products": [
        {"sku": "LD-001", "title": "轻薄羽绒服", "price": 399, "stock": 10,
         "cue_card": {"selling_points": ["比上一代最轻"], "pitch_lines": ["最近好多人问"]}},
        {"sku": "LD-002", "title": "羊绒围巾", "price": 199, "stock": 10,
         "cue_card": {"pitch_lines": ["第一次来的点关注", "这是全网最低价"],
                      "cautions": ["不要说最好"], "banned_phrases": ["闭眼入"]},
         "script": "开场\n闭眼入，顶级羊绒"},
    ],
}


def test_check_plan_locations():
    hits = check_plan(plan_from_dict(PLAN))
    got = [(h.location, h.hit.term) for h in hits]
    assert got == [
        ("products[1] (LD-002 羊绒围巾).cue_card.pitch_lines[1]", "全网最低"),
        ("products[1] (LD-002 羊绒围巾).script (line 2)", "闭眼入"),
        ("products[1] (LD-002 羊绒围巾).script (line 2)", "顶级"),
    ]


def _write(tmp_path, data, name="plan.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return str(path)


def test_cli_exit_codes(tmp_path, capsys):
    dirty = _write(tmp_path, PLAN)
    assert run_check_plan(argparse.Namespace(file=dirty, words=None)) == 1
    out = capsys.readouterr().out
    assert "products[1] (LD-002 羊绒围巾).cue_card.pitch_lines[1]" in out
    assert "全网最低" in out and "超值价" in out
    clean = dict(PLAN, products=[PLAN["products"][0]])
    assert run_check_plan(argparse.Namespace(file=_write(tmp_path, clean, "clean.yaml"), words=None)) == 0
    bad = _write(tmp_path, {"session": {"room": "r"}, "products": [{"sku": "X"}]}, "bad.yaml")
    assert run_check_plan(argparse.Namespace(file=bad, words=None)) == 2
    err = capsys.readouterr().err
    assert "session.title: required" in err and "products[0].price: required" in err
    # --words: a user list replaces the default one
    words = tmp_path / "words.yaml"
    words.write_text("terms: [{term: 羊绒, suggest: [羊毛混纺]}]\n", encoding="utf-8")
    assert run_check_plan(argparse.Namespace(file=_write(tmp_path, clean, "c2.yaml"),
                                             words=str(words))) == 0
    assert run_check_plan(argparse.Namespace(file=dirty, words=str(words))) == 1


def test_default_list_loads():
    words = load_words()
    assert {"最", "第一", "唯一", "国家级", "100%", "永久", "万能"} <= {t.term for t in words.terms}
