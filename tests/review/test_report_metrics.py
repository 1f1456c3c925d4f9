"""The review's refund rate, the fold's counters, rounding, per-product rates and attribution
(docs/metrics.md)."""

from __future__ import annotations

import csv
import io
import zipfile

import openpyxl
import pytest

from console.core import metrics, protocol as p
from console.review.report import build_review, export_csv, export_html, export_xlsx
from tests.replay.fakes import FakeRecorder, FakeStore, SessionInfo
from tests.replay.sessions import T0, Wire, hand_session, order


def quality_session(by_sku: bool = True, k: int = 3):
    """Refunds, duplicate and impossible order transitions, an order paid a segment later."""
    store = FakeStore()
    rec = FakeRecorder(store, SessionInfo("q", "t", "room", "douyin", T0), snapshot_every=k)
    w = Wire()
    extra = (lambda **kw: {"by_sku": kw}) if by_sku else (lambda **kw: {})
    w(0, p.SESSION_STARTED, room="room", started_at=T0)
    w(1, p.PRODUCT_UPSERT, sku="A", title="羽绒服", price=200.0, stock=100)
    w(1, p.PRODUCT_UPSERT, sku="B", title="围巾", price=100.0, stock=100)
    w(2, p.TRAFFIC_TICK, online=10, room_impressions=400, viewers=100, product_impressions=0,
      product_clicks=0, **extra(A={"impressions": 0, "clicks": 0}))
    w(5, p.CARD_PUSHED, sku="A")
    w(10, p.ORDER_CREATED, **order("o1", "A", 1, 200.0, "u1"))
    w(11, p.ORDER_PAID, **order("o1", "A", 1, 200.0, "u1"))
    w(12, p.ORDER_PAID, **order("o1", "A", 1, 200.0, "u1"))        # duplicate payment
    w(13, p.ORDER_CREATED, **order("o2", "A", 2, 400.0, "u2"))      # created during A ...
    w(14, p.ORDER_CREATED, **order("o3", "A", 1, 200.0, "u3"))
    w(15, p.ORDER_CANCELLED, **order("o3", "A", 1, 200.0, "u3"))
    w(16, p.ORDER_PAID, **order("o3", "A", 1, 200.0, "u3"))        # paid after cancelled: bad
    w(20, p.TRAFFIC_TICK, online=12, room_impressions=500, viewers=150, product_impressions=140,
      product_clicks=26, **extra(A={"impressions": 128, "clicks": 20},
                                 B={"impressions": 12, "clicks": 6}))
    w(30, p.CARD_PUSHED, sku="B")
    w(35, p.ORDER_PAID, **order("o2", "A", 2, 400.0, "u2"))         # ... paid during B
    w(36, p.ORDER_PAID, **order("o4", "B", 1, 100.0, "u1"))
    w(40, p.ORDER_REFUNDED, **order("o1", "A", 1, 200.0, "u1"))
    w(41, p.ORDER_REFUNDED, **order("o1", "A", 1, 200.0, "u1"))     # duplicate refund
    w(42, p.ORDER_CANCELLED, **order("o4", "B", 1, 100.0, "u1"))               # cancelled after paid: bad
    w(50, p.TRAFFIC_TICK, online=12, room_impressions=600, viewers=200, product_impressions=170,
      product_clicks=33, **extra(A={"impressions": 130, "clicks": 21},
                                 B={"impressions": 40, "clicks": 12}))
    w(60, p.SESSION_ENDED, gmv=700.0, orders=3)
    rec.feed(w.out)
    return store


def test_refund_rate_and_fold_counters_in_the_summary():
    r = build_review(quality_session(), "q")
    s = r.summary
    assert (s["gmv"], s["refund_amount"]) == (700.0, 200.0)
    assert s["refund_rate"] == 0.2857                      # 200 / 700 = 0.285714...
    assert (s["duplicate_orders"], s["bad_transitions"]) == (2, 2)
    assert (s["invalid_events"], s["unknown_types"], s["gaps"]) == (0, 0, 0)
    rows = {k: v for k, v in r.tables()[0][3]}
    assert rows["退款率 refund rate"] == 0.2857
    assert rows["重复订单事件 duplicate order events"] == 2
    assert rows["异常状态变更 bad status transitions"] == 2
    prods = {pr.sku: pr for pr in r.products}
    assert prods["A"].refund_rate == pytest.approx(200 / 600) and prods["B"].refund_rate == 0


def test_exports_carry_the_refund_rate_and_counters(tmp_path):
    r = build_review(quality_session(), "q")
    wb = openpyxl.load_workbook(export_xlsx(r, tmp_path / "q.xlsx"))
    summ = {row[0]: row[1] for row in wb["概览 Summary"].iter_rows(values_only=True)}
    assert summ["退款率 refund rate"] == 0.2857 and summ["异常状态变更 bad status transitions"] == 2
    prod = list(wb["商品 Products"].iter_rows(values_only=True))
    a = dict(zip(prod[0], prod[1]))
    assert a["退款率 refund rate"] == 0.3333
    with zipfile.ZipFile(export_csv(r, tmp_path / "q.zip")) as zf:
        text = zf.read("summary.csv").decode("utf-8-sig")
    summary = {row[0]: row[1] for row in csv.reader(io.StringIO(text))}
    assert summary["重复订单事件 duplicate order events"] == "2"
    assert "退款率 refund rate" in export_html(r)


def test_rates_round_half_up_on_their_decimal_value():
    # A's CTR is 20 / 128 = 0.15625: round() gives 0.1562 (binary value, halves to even)
    r = build_review(quality_session(), "q")
    headers, rows = r.tables()[2][2], r.tables()[2][3]
    a = dict(zip(headers, rows[0]))
    assert (a["曝光 impressions"], a["点击 clicks"]) == (130, 21)
    seg_headers, seg_rows = r.tables()[3][2], r.tables()[3][3]
    seg_a = dict(zip(seg_headers, seg_rows[0]))
    assert (seg_a["曝光 impressions"], seg_a["点击 clicks"]) == (128, 20)
    assert seg_a["点击率 CTR"] == 0.1563
    assert metrics.round_rate(0.15625) == 0.1563 and round(0.15625, 4) == 0.1562
    assert metrics.round_money(2.675) == 2.68 and metrics.round_money(1.005) == 1.01
    assert metrics.round_rate(0.00125) == 0.0013 and metrics.round_rate(-0.00125) == -0.0013
    assert metrics.round_money(-0.001) == 0.0 and str(metrics.round_money(-0.001)) == "0.0"
    assert metrics.round_rate(float("inf")) == float("inf")


def test_order_paid_in_a_later_segment_counts_where_it_is_paid():
    seg_a, seg_b = build_review(quality_session(), "q").segments
    assert (seg_a.sku, seg_a.orders, seg_a.gmv) == ("A", 1, 200.0)          # o1 only
    assert (seg_b.sku, seg_b.orders, seg_b.gmv) == ("B", 1, 100.0)          # o4; o2 is A's
    products = {pr.sku: pr for pr in build_review(quality_session(), "q").products}
    assert (products["A"].orders, products["A"].gmv) == (2, 600.0)         # o1 + o2


def test_per_product_rates():
    prods = {pr.sku: pr for pr in build_review(quality_session(), "q").products}
    a, b = prods["A"], prods["B"]
    assert (a.impressions, a.clicks, a.buyers, a.views) == (130, 21, 2, 50)
    assert a.ctr == 21 / 130 and a.ctor == 2 / 21 and a.gpm == 600.0 / 50 * 1000
    assert (b.impressions, b.clicks, b.buyers, b.views) == (40, 12, 1, 50)
    assert b.ctr == 12 / 40 and b.ctor == 1 / 12 and b.gpm == 100.0 / 50 * 1000


def test_per_product_counts_from_segments_when_the_feed_has_none():
    prods = {pr.sku: pr for pr in build_review(quality_session(by_sku=False), "q").products}
    # room product counters: 0/0 at A's push, 140/26 at the last tick of A's segment;
    # 140/26 at B's push, 170/33 at the end
    assert (prods["A"].impressions, prods["A"].clicks) == (140, 26)
    assert (prods["B"].impressions, prods["B"].clicks) == (30, 7)
    assert prods["B"].ctr == 7 / 30


def test_a_recording_with_snapshots_from_before_separate_baselines_is_refolded():
    store, _ = hand_session(FakeStore(), sid="s2", k=4)
    fresh = build_review(store, "s2").segments
    for _seq, snap in store._snaps["s2"]:           # as written by the older fold
        del snap["per_product_counts"]
        cols = snap["segments"]["cols"]
        for row in snap["segments"]["rows"]:
            row[cols.index("clicks")] = -37        # what the old attribution could store
        keep = [i for i, c in enumerate(cols) if not c.startswith("_room_")]
        snap["segments"] = {"cols": [cols[i] for i in keep],
                            "rows": [[row[i] for i in keep] for row in snap["segments"]["rows"]]}
    old = build_review(store, "s2").segments
    assert [(s.sku, s.clicks, s.impressions) for s in old] == \
        [(s.sku, s.clicks, s.impressions) for s in fresh]
    assert all(s.clicks >= 0 for s in old)


def test_pdf_shows_the_refund_rate_and_counters(tmp_path):
    import shutil
    import subprocess

    from console.review.pdf import export_pdf
    pdf = export_pdf(build_review(quality_session(), "q"), tmp_path / "q.pdf")
    assert pdf.read_bytes().startswith(b"%PDF")
    if not shutil.which("pdftotext"):
        pytest.skip("pdftotext (poppler-utils) not installed")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True).stdout
    if "成交金额" not in text:
        pytest.skip("poppler cannot map the CJK font here (poppler-data missing)")
    for label in ("退款率 refund rate", "28.57%", "重复订单事件 duplicate order events",
                  "异常状态变更 bad status transitions"):
        assert label in text, label
