"""Spreadsheet import: header detection, spellings, currency strings, bad rows, the CLI."""

from __future__ import annotations

import datetime as dt

import pytest
import yaml

from console.cli import parser as cli
from console.compliance import check_plan
from console.core.plan import load_plan, plan_from_dict
from console.plans.importer import (ImportError_, auto_mapping, build_plan, guess_field, import_sheet,
                                 load_remembered, parse_int, parse_list, parse_minutes, parse_money,
                                 read_table, remember_mapping)
from tests.plans.sheets import (BAD_ROWS, GOOD_SKUS, write_gbk_csv, write_messy_xlsx,
                               write_unknown_headers_xlsx)


@pytest.fixture(autouse=True)
def _own_mapping_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEDESK_MAPPING_FILE", str(tmp_path / "mapping.json"))


@pytest.mark.parametrize("header,field", [
    ("商品名称", "title"), ("品名", "title"), ("商品", "title"), ("产品名称", "title"),
    ("到手价", "price"), ("直播价", "price"), ("活动价", "price"), ("直播到手价（元）", "price"),
    ("划线价", "list_price"), ("原价", "list_price"), ("日常价", "list_price"), ("吊牌价", "list_price"),
    ("库存", "stock"), ("备货", "stock"), ("库存数", "stock"), ("备货量(件)", "stock"),
    ("讲解时长", "planned_minutes"), ("时长", "planned_minutes"), ("讲解时间(分钟)", "planned_minutes"),
    ("卖点", "selling_points"), ("核心卖点", "selling_points"), ("话术", "pitch_lines"),
    ("主播话术", "pitch_lines"), ("福利", "coupon"), ("机制", "coupon"), ("优惠", "coupon"),
    ("福利机制", "coupon"), ("SKU", "sku"), ("货号", "sku"), ("商品编码", "sku"), ("商品ID", "sku"),
    ("秒杀价", "flash_price"), ("秒杀库存", "flash_stock"), ("限购", "limit_per_buyer"),
    ("注意事项", "cautions"), ("禁用语", "banned_phrases"), ("主图链接", "image_url"),
    ("Ｓｋｕ", "sku"), (" 到手价 ", "price"),
])
def test_header_spellings(header, field):
    assert guess_field(header) == field


@pytest.mark.parametrize("header", ["序号", "负责人备注", "", None, "商品链接", "链接"])
def test_headers_not_guessed(header):
    assert guess_field(header) is None


@pytest.mark.parametrize("text,value", [
    ("¥199", 199.0), ("199元", 199.0), ("￥1,299.00", 1299.0), ("RMB 59.9", 59.9), (199, 199.0),
    (59.9, 59.9), ("１９９", 199.0), ("  ¥ 88 ", 88.0), (None, None), ("", None),
])
def test_prices(text, value):
    assert parse_money(text) == value


@pytest.mark.parametrize("text", ["面议", "199-299", "¥", "-5", True])
def test_bad_prices(text):
    with pytest.raises(ValueError):
        parse_money(text)


def test_counts_minutes_and_lists():
    assert parse_int("1,000件") == 1000
    assert parse_int(300.0) == 300
    assert parse_int("限购2") == 2
    with pytest.raises(ValueError):
        parse_int("不限")
    assert parse_minutes("8分钟") == 8
    assert parse_minutes("6min") == 6
    assert parse_minutes("7分30秒") == 7.5
    assert parse_minutes("00:08:00") == 8
    assert parse_minutes("08:30") == 8.5
    assert parse_minutes("5-8分钟") == 8
    assert parse_minutes(dt.time(0, 4, 30)) == 4.5
    with pytest.raises(ValueError):
        parse_minutes("很久")
    assert parse_list("1. 家人们看\n2. 小黄车1号") == ["家人们看", "小黄车1号"]
    assert parse_list("① 双面呢\n② 羊毛70%") == ["双面呢", "羊毛70%"]
    assert parse_list("含羊毛30%；六色可选") == ["含羊毛30%", "六色可选"]


def test_messy_xlsx_header_rows_and_bad_rows(tmp_path):
    path = write_messy_xlsx(tmp_path / "双11直播脚本.xlsx")
    table = read_table(path)
    assert table.sheet == "直播脚本"          # the sheet with a header, not 说明
    assert table.header_row == 4
    assert table.title_text.splitlines()[0] == "栖木生活 双11 直播脚本"
    assert table.sections == {5: "【引流款】"}
    mapping, unknown = auto_mapping(table.headers)
    assert {table.headers[c]: f for c, f in mapping.items()} == {
        "货号": "sku", "品名": "title", "直播价（元）": "price", "日常价": "list_price",
        "备货": "stock", "讲解时长": "planned_minutes", "核心卖点": "selling_points",
        "主播话术": "pitch_lines", "福利机制": "coupon", "注意事项": "cautions"}
    assert [table.headers[c] for c in unknown] == ["负责人备注"]
    result = build_plan(table, mapping)
    plan = result.plan
    assert [p["sku"] for p in plan["products"]] == GOOD_SKUS
    assert result.products_rows == [6, 9, 10, 14]
    assert {p.row: p.message for p in result.errors}.keys() == BAD_ROWS.keys()
    for prob in result.errors:
        assert BAD_ROWS[prob.row] in prob.message
    assert plan["session"] == {"room": "栖木生活官方旗舰店", "title": "栖木生活 双11 直播脚本",
                               "currency": "CNY", "platform": "douyin"}
    first, second, third, fourth = plan["products"]
    assert (first["price"], first["list_price"], first["stock"], first["planned_minutes"]) == (399, 699, 300, 8)
    assert first["offer"] == {"coupon": "满300减40 每人限购2件", "limit_per_buyer": 2}
    assert first["cue_card"]["pitch_lines"] == ["家人们看一下这个蓬松度", "左上角小黄车1号链接"]
    assert second["offer"]["coupon"] == third["offer"]["coupon"] == "第二件半价"   # merged down
    assert second["cue_card"]["selling_points"] == ["含羊毛30%", "六色可选"]
    assert (third["price"], third["list_price"], third["planned_minutes"]) == (1299, 1599, 8)
    assert (fourth["price"], fourth["list_price"], fourth["stock"], fourth["planned_minutes"]) \
        == (299, 599, 200, 7.5)
    checked = plan_from_dict(plan)
    assert len(checked.products) == 4
    assert check_plan(checked) == []


def test_cli_import_then_check_plan(tmp_path, capsys):
    sheet = write_messy_xlsx(tmp_path / "sheet.xlsx")
    out = tmp_path / "plan.yaml"
    code = cli.main(["plan", "import", str(sheet), "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 1                              # written, but rows were left out
    for row in BAD_ROWS:
        assert f"error: row {row}:" in err
    assert "负责人备注" in err and "not mapped" in err
    assert [p.sku for p in load_plan(out).products] == GOOD_SKUS
    assert cli.main(["check-plan", str(out)]) == 0
    assert "clean (4 products checked)" in capsys.readouterr().out


def test_cli_map_option_and_gbk_csv(tmp_path, capsys):
    csv_path = write_gbk_csv(tmp_path / "小黄车.csv")
    out = tmp_path / "plan.json"
    assert cli.main(["plan", "import", str(csv_path), "-o", str(out), "--room", "栖木",
                     "--title", "周末专场"]) == 0
    plan = load_plan(out)
    assert plan.room == "栖木" and plan.title == "周末专场"
    shirt, pillow = plan.products
    assert (shirt.sku, shirt.price, shirt.list_price, shirt.stock) == ("QM-SW-006", 89, 159, 600)
    assert (shirt.offer.flash_price, shirt.offer.flash_stock, shirt.offer.limit_per_buyer) == (69, 150, 4)
    assert shirt.cue_card.selling_points == ["德绒面料 自发热", "半高领 不勒脖子"]
    assert (pillow.price, pillow.list_price, pillow.stock, pillow.planned_minutes) == (99, 199, 400, 4)
    unknown = write_unknown_headers_xlsx(tmp_path / "unknown.xlsx")
    capsys.readouterr()
    assert cli.main(["plan", "import", str(unknown), "-o", str(tmp_path / "u.yaml")]) == 2
    assert "no column for price" in capsys.readouterr().err
    assert cli.main(["plan", "import", str(unknown), "-o", str(tmp_path / "u.yaml"),
                     "--map", "主推价位=price", "--map", "本场投放=stock"]) == 0
    assert [p.price for p in load_plan(tmp_path / "u.yaml").products] == [79, 139]
    assert cli.main(["plan", "import", str(unknown), "-o", str(tmp_path / "u.yaml"),
                     "--map", "主推价位=cost"]) == 2


def test_remembered_mapping_is_used(tmp_path):
    path = write_unknown_headers_xlsx(tmp_path / "unknown.xlsx")
    table = read_table(path)
    mapping, unknown = auto_mapping(table.headers)
    assert sorted(table.headers[c] for c in unknown) == ["主推价位", "本场投放"]
    mapping.update({unknown[0]: "price", unknown[1]: "stock"})
    remember_mapping(table.headers, mapping)
    assert load_remembered()["主推价位"] == "price"
    result = import_sheet(path, remembered=load_remembered())
    assert not result.errors and [p["stock"] for p in result.plan["products"]] == [300, 300]


def test_unreadable_files(tmp_path):
    with pytest.raises(ImportError_, match="no such file"):
        read_table(tmp_path / "missing.xlsx")
    bad = tmp_path / "broken.xlsx"
    bad.write_bytes(b"not a zip")
    with pytest.raises(ImportError_, match="cannot read"):
        read_table(bad)
    with pytest.raises(ImportError_, match=r"\.xls format"):
        read_table(tmp_path / "old.xls")
    with pytest.raises(ImportError_, match="no sheet named"):
        read_table(write_messy_xlsx(tmp_path / "s.xlsx"), sheet="Sheet9")


def test_sheet_without_header(tmp_path):
    path = tmp_path / "notes.csv"
    path.write_text("今天的安排\n先讲羽绒服\n", encoding="utf-8")
    result = import_sheet(path)
    assert result.plan["products"] == []
    assert result.errors and "no header row" in result.errors[0].message


def test_warnings_keep_the_row(tmp_path):
    path = tmp_path / "w.csv"
    path.write_text("品名,直播价,划线价,秒杀价,库存\n羽绒服,399,299,499,\n", encoding="utf-8")
    result = import_sheet(path)
    prod, = result.plan["products"]
    assert prod["sku"] == "ROW-2" and prod["list_price"] == 399 and prod["stock"] == 0
    assert "offer" not in prod
    messages = " | ".join(p.message for p in result.warnings)
    assert "below the price" in messages and "flash-sale price" in messages and "no stock" in messages
    yaml.safe_dump(result.plan, allow_unicode=True)
    plan_from_dict(result.plan)
