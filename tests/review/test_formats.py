"""Issue 16 item 15: rates and money formatted in every export (number formats in XLSX), SKUs
never wrapped mid-code in the PDF, and `livedesk report` taking `latest` or an id prefix."""

from __future__ import annotations

import csv
import io
import types
import zipfile

import openpyxl
import pytest

from console.cli.report import run_report
from console.review.model import fmt_cell, table_kinds
from console.review.report import (build_review, export_csv, export_html, export_xlsx,
                                   resolve_session, SessionLookupError)
from console.review.pdf import CELL_PAD, CELL_SIZE, _font, column_widths
from tests.replay.fakes import FakeStore
from tests.replay.sessions import T0, hand_session


@pytest.fixture
def store():
    st = FakeStore()
    hand_session(st, sid="sim-cf06e75ceb16-20261201-101500-aa01", started=T0 - 86400)
    hand_session(st, sid="sim-cf06e75ceb16-20261202-101500-bb02", started=T0)
    hand_session(st, sid="other-room-1", started=T0 - 3600, room="别的直播间")
    return st


SID = "sim-cf06e75ceb16-20261202-101500-bb02"


def test_cells_are_formatted_by_kind():
    assert fmt_cell(0.13333, "rate") == "13.3 %" and fmt_cell(0.13333, "rate", csv=True) == "13.3%"
    assert fmt_cell(1492.0, "money") == "1,492.00" and fmt_cell(1492.0, "money", csv=True) == "1492.00"
    assert fmt_cell(7, None) == "7" and fmt_cell(None, "rate") == "" and fmt_cell("x", "rate") == "x"
    kinds = table_kinds(["SKU", "点击率 CTR", "成交金额 GMV", "件数 units"], [["A", 0.2, 9.0, 3]])
    assert kinds == [[None, "rate", "money", None]]
    # the summary: by each row's label
    rows = [["观看-成交转化率 view-to-pay", 0.006], ["成交金额 GMV", 1492.0], ["订单 orders", 4],
            ["退款率 refund rate", 0.25]]
    assert [k for _, k in table_kinds(["项目 item", "数值 value"], rows)] == ["rate", "money", None, "rate"]


def test_html_and_csv_show_rates_as_percentages(store, tmp_path):
    review = build_review(store, SID)
    doc = export_html(review, tmp_path / "r.html")
    assert "20.0 %" in doc and "12.5 %" in doc            # product A: CTR 0.2, CTOR 0.125
    assert ">0.2<" not in doc and ">0.125<" not in doc and "0.1333" not in doc
    assert "9,970.00" in doc                                 # GPM as money
    z = export_csv(review, tmp_path / "r.zip")
    with zipfile.ZipFile(z) as zf:
        prods = list(csv.DictReader(io.StringIO(zf.read("products.csv").decode("utf-8-sig"))))
        summ = list(csv.reader(io.StringIO(zf.read("summary.csv").decode("utf-8-sig"))))
    a = prods[0]
    assert (a["点击率 CTR"], a["转化率 CTOR"], a["成交金额 GMV"]) == ("20.0%", "12.5%", "997.00")
    funnel = [v for k, v in summ[1:] if "率" in k]
    assert funnel and all(v.endswith("%") for v in funnel)


def test_xlsx_has_number_formats(store, tmp_path):
    path = export_xlsx(build_review(store, SID), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb["商品 Products"]
    hdr = [c.value for c in ws[1]]
    row = {h: c for h, c in zip(hdr, ws[2])}
    assert row["点击率 CTR"].value == 0.2 and row["点击率 CTR"].number_format == "0.0%"
    assert row["成交金额 GMV"].value == 997 and row["成交金额 GMV"].number_format == "#,##0.00"
    assert row["GPM"].number_format == "#,##0.00"
    summ = {r[0].value: r[1] for r in wb["概览 Summary"].iter_rows()}
    assert summ["成交金额 GMV"].number_format == "#,##0.00"
    assert summ["观看-成交转化率 view-to-pay"].number_format == "0.0%"
    assert isinstance(summ["观看-成交转化率 view-to-pay"].value, float)


def test_pdf_never_wraps_a_sku(store, tmp_path):
    from reportlab.pdfbase import pdfmetrics
    font = _font()
    long_sku = "QM-FW-001-LONGCODE-XL"
    headers = ["SKU", "商品 title", "讲解时长 on-air (min)", "成交金额 GMV", "点击率 CTR"] + \
        [f"列 {i}" for i in range(14)]
    rows = [[long_sku, "轻薄鹅绒羽绒服 女款短款", "8.5", "12,345.00", "13.3 %"] + ["1"] * 14]
    width = 270 * 2.834645669                                    # A4 landscape minus margins
    widths = column_widths(headers, rows, width, font)
    need = pdfmetrics.stringWidth(long_sku, font, CELL_SIZE) + CELL_PAD
    assert widths[0] >= need                                     # one line for the code
    assert sum(widths) == pytest.approx(width, rel=0.01)
    # before: every column width / 19 (about 40 pt), narrower than the code
    assert width / len(headers) < need
    # and the exported PDF builds with the real review
    from console.review.pdf import export_pdf
    path = export_pdf(build_review(store, SID), tmp_path / "r.pdf")
    assert path.read_bytes().startswith(b"%PDF")


def test_peaks_are_in_time_order(store):
    ms = build_review(store, SID).moments
    assert [m.minute for m in ms] == sorted(m.minute for m in ms)


def test_report_accepts_latest_and_unique_prefixes(store, tmp_path, capsys):
    assert resolve_session(store, "latest") == SID
    assert resolve_session(store, "sim-cf06e75ceb16-20261201") == "sim-cf06e75ceb16-20261201-101500-aa01"
    assert resolve_session(store, "other") == "other-room-1"
    assert resolve_session(store, SID) == SID
    with pytest.raises(SessionLookupError) as ambiguous:
        resolve_session(store, "sim-cf06")
    text = str(ambiguous.value)
    assert "matches 2 sessions" in text and SID in text and "aa01" in text
    with pytest.raises(SessionLookupError, match="no session 'zzz'"):
        resolve_session(store, "zzz")
    args = types.SimpleNamespace(session="latest", format="xlsx", output=str(tmp_path / "o.xlsx"),
                                 db=None, store=store)
    assert run_report(args) == 0 and (tmp_path / "o.xlsx").exists()
    args = types.SimpleNamespace(session="sim-", format="xlsx", output=str(tmp_path / "p.xlsx"),
                                 db=None, store=store)
    assert run_report(args) == 2
    err = capsys.readouterr().err
    assert "matches 2 sessions" in err and "aa01" in err and "bb02" in err
    assert not (tmp_path / "p.xlsx").exists()
