"""Show plan loading and validation."""

import json

import pytest

from console.core.plan import PlanError, load_plan, plan_from_dict

GOOD = {"session": {"room": "官方旗舰店", "title": "冬季上新"},
        "products": [{"sku": "A", "title": "羽绒服", "price": 399, "list_price": 699, "stock": 100,
                      "planned_minutes": 8, "offer": {"flash_price": 299, "flash_stock": 20},
                      "cue_card": {"selling_points": ["轻", "暖"], "pitch_lines": "现在下单"}}]}


def test_good_plan(tmp_path):
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(GOOD, ensure_ascii=False), encoding="utf-8")
    plan = load_plan(path)
    assert plan.skus == ["A"]
    assert plan.products[0].cue_card.pitch_lines == ["现在下单"]
    assert plan.to_dict()["products"][0]["offer"]["flash_price"] == 299


def test_every_problem_is_reported_with_its_location():
    bad = {"session": {"room": "r"},
           "products": [{"sku": "A", "title": "t", "price": -1, "stock": 5},
                        {"sku": "A", "title": "t", "price": 10, "stock": "many"},
                        {"sku": "B", "title": "t", "price": 10, "stock": 1,
                         "offer": {"flash_price": 12}},
                        "oops"]}
    with pytest.raises(PlanError) as err:
        plan_from_dict(bad, "bad.yaml")
    problems = "\n".join(err.value.problems)
    assert "session.title: required" in problems
    assert "products[0].price: must be positive" in problems
    assert "products[1].stock: must be a whole number" in problems
    assert "products[2].offer.flash_price: 12.0 is not below price 10.0" in problems
    assert "products[3]: must be a mapping" in problems


def test_duplicate_sku_and_unreadable_file(tmp_path):
    dup = {"session": {"room": "r", "title": "t"},
           "products": [GOOD["products"][0], GOOD["products"][0]]}
    with pytest.raises(PlanError, match="duplicate SKU"):
        plan_from_dict(dup)
    with pytest.raises(PlanError, match="cannot read file"):
        load_plan(tmp_path / "missing.yaml")
    broken = tmp_path / "broken.yaml"
    broken.write_text("products: [", encoding="utf-8")
    with pytest.raises(PlanError, match="not valid YAML"):
        load_plan(broken)
