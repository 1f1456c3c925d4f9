"""Review numbers on the hand-computed session, and the exports."""

import csv
import io
import subprocess
import types
import zipfile
from pathlib import Path

import openpyxl
import pytest

from console.cli.report import run_report
from console.review.report import build_review, export_csv, export_html, export_xlsx
from console.review.pdf import export_pdf
from tests.replay.fakes import FakeStore
from tests.replay.sessions import T0, hand_session

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def store():
    st = FakeStore()
    hand_session(st, sid="s1", started=T0 - 86400)          # earlier session, same room
    hand_session(st, sid="x1", started=T0 - 3600, room="别的直播间")   # other room: not compared
    hand_session(st, sid="s2", started=T0)
    return st


def test_summary_and_funnel(store):
    r = build_review(store, "s2")
    s = r.summary
    assert (s["gmv"], s["orders"], s["units"], s["buyers"]) == (1492.0, 4, 8, 3)
    assert (s["refunds"], s["refund_amount"], s["viewers"], s["peak_online"]) == (1, 399.0, 500, 300)
    assert s["gpm"] == 2984.0 and s["uv_value"] == 2.98 and s["aov"] == round(1492 / 3, 2)
    assert r.weakest.name == "ctor" and r.weakest.value == pytest.approx(3 / 80)
    assert r.weakest_owner.startswith("货品与主播")
    assert r.duration_s == 180


def test_minutes(store):
    m = build_review(store, "s2").minutes
    assert m["online"] == [100, 300, 120]
    assert m["entering"] == [200, 200, 100]
    assert m["gmv"] == [495, 997, 0]
    assert m["orders"] == [2, 2, 0]
    assert m["clicks"] == [20, 40, 20]
    assert m["refunds"] == [0, 0, 399]


def test_product_scorecard(store):
    rows = {p.sku: p for p in build_review(store, "s2").products}
    a, b, c = rows["A"], rows["B"], rows["C"]
    assert list(rows) == ["A", "B", "C"]
    assert (a.title, a.on_air_s, a.explanations, a.impressions, a.clicks) == ("轻薄羽绒服", 90, 1, 80, 16)
    assert (a.orders, a.units, a.buyers, a.gmv, a.views) == (2, 3, 2, 997.0, 100)
    assert (a.ctr, a.ctor, a.gpm) == (0.2, 0.125, 9970.0)
    assert (a.refunds, a.refund_amount, a.plan_stock, a.stock_left, a.sold_out_at) == (1, 399.0, 10, 10, None)
    assert (b.on_air_s, b.orders, b.units, b.gmv, b.views, b.gpm) == (60, 2, 5, 495.0, 200, 2475.0)
    assert b.ctor == pytest.approx(2 / 30) and b.sold_out_at == 31 and b.stock_left == 0
    assert (c.on_air_s, c.orders, c.explanations, c.plan_stock) == (0, 0, 0, 50)


def test_segment_scorecard(store):
    sb, sa = build_review(store, "s2").segments
    assert (sb.sku, sb.start_s, sb.duration_s, sb.impressions, sb.clicks, sb.views) == ("B", 10, 60, 130, 25, 200)
    assert (sb.orders, sb.units, sb.gmv, sb.buyers, sb.refunds) == (2, 5, 495.0, 2, 0)
    assert sb.ctr == pytest.approx(25 / 130) and sb.ctor == 0.08 and sb.gpm == 2475.0
    assert (sa.sku, sa.start_s, sa.duration_s, sa.impressions, sa.clicks, sa.views) == ("A", 70, 90, 70, 14, 100)
    assert (sa.orders, sa.units, sa.gmv, sa.buyers, sa.refunds) == (2, 3, 997.0, 2, 1)
    assert sa.ctor == pytest.approx(2 / 14) and sa.gpm == 9970.0


def test_plan_vs_actual(store):
    rows = {p.sku: p for p in build_review(store, "s2").plan}
    assert (rows["A"].planned_pos, rows["A"].actual_pos, rows["A"].planned_min, rows["A"].actual_min) == (1, 2, 2.0, 1.5)
    assert (rows["B"].planned_pos, rows["B"].actual_pos, rows["B"].units_sold, rows["B"].plan_stock) == (2, 1, 5, 5)
    assert rows["B"].sold_out_at == 31 and "售罄" in rows["B"].note
    assert rows["C"].actual_pos is None and "未讲解" in rows["C"].note
    assert "moved 1→2" in rows["A"].note


def test_peaks_and_drops(store):
    ms = build_review(store, "s2").moments
    gmv = [(m.minute, m.value) for m in ms if m.kind == "gmv_peak"]
    assert gmv == [(0, 495), (1, 997)]                      # the top ones, in time order
    assert [(m.minute, m.value) for m in ms if m.kind == "online_peak"] == [(0, 100), (1, 300), (2, 120)]
    assert [m.minute for m in ms] == sorted(m.minute for m in ms)
    (drop,) = [m for m in ms if m.kind == "online_drop"]
    assert (drop.minute, drop.value, drop.change, drop.card) == (2, 120, -180, "轻薄羽绒服")
    assert "在线人数下跌 60%" in drop.cause and "秒杀结束" in drop.cause


def test_comparison(store):
    rows = build_review(store, "s2").comparison
    assert [r.session_id for r in rows] == ["s2", "s1"]
    assert rows[0].current and rows[1].gmv == 1492.0 and rows[1].viewers == 500 and rows[1].gpm == 2984.0
    assert rows[1].peak_online == 300 and rows[1].uv_value == pytest.approx(2.984)


def test_xlsx(store, tmp_path):
    path = export_xlsx(build_review(store, "s2"), tmp_path / "r.xlsx")
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["概览 Summary", "分钟 Minutes", "商品 Products", "讲解 Segments",
                             "计划对比 Plan vs actual", "峰谷 Peaks", "对比 Comparison",
                             # the comment desk's part (console/review/model.py: CommentsReview)
                             "评论 Comments per minute", "问题 Top questions", "回复 Replies",
                             "自动化 Automation"]
    prod = list(wb["商品 Products"].iter_rows(values_only=True))
    hdr = prod[0]
    a = dict(zip(hdr, prod[1]))
    assert a["SKU"] == "A" and a["成交金额 GMV"] == 997 and a["讲解时长 on-air (min)"] == 1.5
    assert a["点击率 CTR"] == 0.2 and a["GPM"] == 9970
    summ = {r[0]: r[1] for r in wb["概览 Summary"].iter_rows(values_only=True)}
    assert summ["成交金额 GMV"] == 1492 and summ["成交人数 buyers"] == 3
    mins = list(wb["分钟 Minutes"].iter_rows(values_only=True))
    assert [r[4] for r in mins[1:]] == [495, 997, 0]


def test_csv_zip_and_folder(store, tmp_path):
    review = build_review(store, "s2")
    z = export_csv(review, tmp_path / "r.zip")
    with zipfile.ZipFile(z) as zf:
        assert set(zf.namelist()) >= {"summary.csv", "minutes.csv", "products.csv", "segments.csv",
                                      "plan_vs_actual.csv", "peaks.csv", "comparison.csv"}
        raw = zf.read("products.csv")
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[1]["SKU"] == "B" and rows[1]["商品 title"] == "羊绒围巾" and float(rows[1]["成交金额 GMV"]) == 495
    assert rows[1]["售罄时间 sold out at"] == "00:31"
    folder = export_csv(review, tmp_path / "csvs")
    assert (folder / "segments.csv").read_bytes().startswith(b"\xef\xbb\xbf")


def test_html(store, tmp_path):
    doc = export_html(build_review(store, "s2"), tmp_path / "r.html")
    for text in ("轻薄羽绒服", "羊绒围巾", "保暖手套", "<svg", "@media print", "1,492.00", "点击-成交转化率"):
        assert text in doc
    assert "http://" not in doc.replace('xmlns="http://www.w3.org/2000/svg"', "")


def _pdffonts(path: Path) -> list[dict]:
    """``pdffonts`` rows: name, type and whether each font is embedded."""
    out = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout
    lines = out.splitlines()
    cols = lines[1].split(" ")                      # the dashes under the header give the columns
    starts = [sum(len(c) + 1 for c in cols[:i]) for i in range(len(cols))]
    header = [lines[0][a:a + len(c)].strip() for a, c in zip(starts, cols)]
    rows = []
    for line in lines[2:]:
        rows.append({h: line[a:a + len(c)].strip() for h, a, c in zip(header, starts, cols)})
    return rows


def test_pdf(store, tmp_path):
    """Every font is embedded and the text (Chinese and numbers) comes back out of the file.

    The check must hold on a machine without poppler-data or any Adobe font pack: with the
    fonts embedded, pdftotext needs nothing from the system to map glyphs back to text.
    """
    review = build_review(store, "s2")
    path = export_pdf(review, tmp_path / "r.pdf")
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and data.count(b"/Type /Page\n") + data.count(b"/Type /Page>") + \
        data.count(b"/Type /Page ") >= 2
    fonts = _pdffonts(path)
    assert fonts, "the PDF uses no font at all"
    assert all(f["emb"] == "yes" for f in fonts), fonts
    assert not any("STSong" in f["name"] or "Helvetica" in f["name"] for f in fonts), fonts
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    for expected in ("直播复盘", "成交金额", "最弱环节", "双11 羽绒服专场", "轻薄羽绒服", "羊绒围巾",
                     f"{review.summary['gmv']:,.2f}", review.session_id):
        assert expected in text, expected
    subprocess.run(["pdftoppm", "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(path),
                    str(tmp_path / "page1")], check=True)
    assert (tmp_path / "page1.png").stat().st_size > 10_000


def test_pdf_without_poppler_data(store, tmp_path):
    """Nothing in the file needs poppler-data or an Adobe font pack to be read.

    A non-embedded CID font (STSong-Light with the UniGB-UCS2-H CMap, as before) can only be
    drawn and mapped back to text through poppler-data's CMaps; an embedded TrueType subset with
    a ToUnicode map needs nothing from the system. ``scripts/setup.sh`` does not install
    poppler-data, so ``test_pdf`` above runs pdftotext without it on a fresh machine; this test
    checks the file itself, wherever it runs.
    """
    import re

    path = export_pdf(build_review(store, "s2"), tmp_path / "r.pdf")
    data = path.read_bytes()
    assert b"/UniGB-UCS2-H" not in data and b"/Adobe-GB1" not in data
    fonts = re.findall(rb"/Type /Font\b(?!Descriptor)", data)
    assert fonts
    assert len(re.findall(rb"/FontFile2 ", data)) == len(fonts)     # a font program for each
    assert len(re.findall(rb"/ToUnicode ", data)) == len(fonts)     # and a map back to text
    assert b"/BaseFont /Helvetica" not in data


def test_run_report(store, tmp_path, capsys):
    args = types.SimpleNamespace(session="s2", format="xlsx", output=str(tmp_path / "o.xlsx"), db=None,
                                 store=store)
    assert run_report(args) == 0 and (tmp_path / "o.xlsx").exists()
    args = types.SimpleNamespace(session="nope", format="pdf", output=None, db=None, store=store)
    assert run_report(args) == 2
    assert "no session 'nope'" in capsys.readouterr().err
