"""Plan export (XLSX read back, PDF with an embedded font), merge by SKU, the session-log event."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from console.cli import parser as cli
from console.core import protocol as p
from console.core.eventlog import Event
from console.core.plan import load_plan, plan_from_dict
from console.plans.export import export_pdf, export_xlsx
from console.plans.importer import (import_sheet, merge_products, products_from_events,
                                 products_from_state)
from console.fold.state import SessionState
from console.cli.parser import SAMPLE_PLAN


@pytest.fixture(autouse=True)
def _own_mapping_file(tmp_path, monkeypatch):
    monkeypatch.setenv("LIVEDESK_MAPPING_FILE", str(tmp_path / "mapping.json"))


def _comparable(prod: dict) -> dict:
    prod = dict(prod)
    prod.pop("sim", None)
    prod["script"] = prod["script"].strip()      # a cell keeps no trailing newline
    return prod


def test_xlsx_export_reads_back_as_the_same_plan(tmp_path):
    plan = load_plan(SAMPLE_PLAN)
    out = export_xlsx(plan, tmp_path / "plan.xlsx")
    result = import_sheet(out)
    assert not result.problems
    again = plan_from_dict(result.plan)
    assert (again.room, again.title) == (plan.room, plan.title)
    assert [_comparable(x) for x in again.to_dict()["products"]] == \
        [_comparable(x) for x in plan.to_dict()["products"]]


def test_pdf_run_of_show_embeds_a_cjk_font(tmp_path, monkeypatch):
    plan = load_plan(SAMPLE_PLAN)
    image = tmp_path / "img.png"
    from tests.plans.test_image_cache import png_bytes
    image.write_bytes(png_bytes(40, 40))
    asked = []
    out = export_pdf(plan, tmp_path / "ros.pdf",
                     image_for=lambda url: asked.append(url) or image)
    data = out.read_bytes()
    assert data.startswith(b"%PDF") and not (tmp_path / "ros.pdf.part").exists()
    assert asked == []                          # the sample plan has no image URLs
    assert b"/FontFile2" in data                # an embedded TrueType font program
    if shutil.which("pdffonts") and shutil.which("pdftotext"):
        fonts = subprocess.run(["pdffonts", str(out)], capture_output=True, text=True).stdout
        cjk = [ln for ln in fonts.splitlines() if "CJK" in ln]
        assert cjk and all(" yes " in ln for ln in cjk), fonts
        text = subprocess.run(["pdftotext", "-layout", str(out), "-"], capture_output=True,
                              text=True).stdout
        for prod in plan.products:
            assert prod.title.split()[0] in text
        assert "满300减40" in text and "禁用" in text


def test_pdf_shows_cached_images(tmp_path):
    from tests.plans.test_image_cache import png_bytes
    plan = load_plan(SAMPLE_PLAN).to_dict()
    plan["products"][0]["image_url"] = "http://shop.example/1.png"
    image = tmp_path / "img.png"
    image.write_bytes(png_bytes(64, 64))
    plain = export_pdf(plan, tmp_path / "a.pdf").read_bytes()
    with_image = export_pdf(plan, tmp_path / "b.pdf", image_for=lambda url: image).read_bytes()
    assert b"/Subtype /Image" in with_image and b"/Subtype /Image" not in plain


def test_cli_export(tmp_path, capsys):
    assert cli.main(["plan", "export", str(SAMPLE_PLAN), "-o", str(tmp_path / "x.xlsx")]) == 0
    assert cli.main(["plan", "export", str(SAMPLE_PLAN), "-o", str(tmp_path / "x.pdf")]) == 0
    assert cli.main(["plan", "export", str(SAMPLE_PLAN), "-o", str(tmp_path / "x.doc")]) == 2
    bad = tmp_path / "bad.yaml"
    bad.write_text("session: {}\nproducts: []\n", encoding="utf-8")
    assert cli.main(["plan", "export", str(bad), "-o", str(tmp_path / "y.xlsx")]) == 2
    assert not (tmp_path / "y.xlsx").exists()


def _feed_state(plan: dict) -> SessionState:
    st = SessionState()
    events = [Event(1, 100.0, p.PLAN_LOADED, {"plan": plan}, source="system"),
              Event(2, 101.0, p.PRODUCT_UPSERT, {"sku": "QM-FW-001", "title": "羽绒服(平台名)",
                                                  "price": 429, "image_url": "https://cdn/1.jpg",
                                                  "stock": 280}, feed_seq=1),
              Event(3, 101.5, p.PRODUCT_UPSERT, {"sku": "NEW-1", "title": "新品 保温杯",
                                                  "price": 59, "list_price": 99, "stock": 50,
                                                  "selling_points": ["316不锈钢"]}, feed_seq=2),
              Event(4, 102.0, p.PRODUCT_UPSERT, {"sku": "NEW-2", "product_id": "QM-KN-002",
                                                  "title": "针织衫", "price": 199,
                                                  "coupon": "满199减20"}, feed_seq=3)]
    st.apply(events)
    return st


def test_merge_by_sku_never_duplicates():
    plan = load_plan(SAMPLE_PLAN).to_dict()
    st = _feed_state(plan)
    products = products_from_state(st)
    merged, report = merge_products(plan, products)
    skus = [x["sku"] for x in merged["products"]]
    assert len(skus) == len(set(skus))
    assert skus[:12] == [x["sku"] for x in plan["products"]]
    assert "NEW-1" in report.added
    first = merged["products"][0]
    assert first["title"] == plan["products"][0]["title"]          # the plan's name stays
    assert first["price"] == 399 and first["image_url"] == "https://cdn/1.jpg"
    assert any("平台名" in n for n in report.notes) and any("429" in n for n in report.notes)
    new = next(x for x in merged["products"] if x["sku"] == "NEW-1")
    assert (new["price"], new["list_price"], new["stock"]) == (59, 99, 50)
    assert new["cue_card"]["selling_points"] == ["316不锈钢"]
    plan_from_dict(merged)
    again, report2 = merge_products(merged, products)               # idempotent
    assert again["products"] == merged["products"] and not report2.added
    # by product id, from the log: NEW-2 is the platform's id for the plan's QM-KN-002
    from_log = products_from_events(Event(i, 0.0, p.PRODUCT_UPSERT, d) for i, d in
                                    enumerate([{"sku": "NEW-2", "product_id": "QM-KN-002",
                                                "title": "针织衫", "price": 199}], 1))
    merged3, report3 = merge_products(plan, from_log)
    assert report3.added == [] and len(merged3["products"]) == 12
    assert merge_products(plan, [{"sku": "X", "title": "", "price": 1}])[1].notes


def test_product_upserted_event_folds_into_plan_and_run_of_show():
    plan = load_plan(SAMPLE_PLAN).to_dict()
    st = SessionState()
    st.apply([Event(1, 100.0, p.PLAN_LOADED, {"plan": plan}, source="system")])
    old_plan = st.plan
    new = {"sku": "ADD-1", "title": "加播 保温杯", "price": 59, "list_price": 99, "stock": 50,
           "planned_minutes": 3, "image_url": "https://cdn/cup.png",
           "cue_card": {"selling_points": ["316不锈钢"]}}
    st.apply([Event(2, 101.0, p.PLAN_PRODUCT_UPSERTED, {"product": new, "index": 1}, source="operator")])
    assert st.run_of_show[1] == "ADD-1"
    assert st.products["ADD-1"].title == "加播 保温杯" and st.products["ADD-1"].price == 59
    assert st.products["ADD-1"].image_url == "https://cdn/cup.png"
    assert [x["sku"] for x in st.plan["products"]][1] == "ADD-1"
    assert len(old_plan["products"]) == 12                    # replaced, not mutated
    changed = dict(plan["products"][0], title="羽绒服 改名", price=379)
    st.apply([Event(3, 102.0, p.PLAN_PRODUCT_UPSERTED, {"product": changed}, source="operator")])
    assert st.products["QM-FW-001"].title == "羽绒服 改名" and st.plan["products"][0]["price"] == 379
    assert len(st.plan["products"]) == 13 and st.marks[-1][1] == "plan_edit"
    st.apply([Event(4, 103.0, p.PLAN_PRODUCT_UPSERTED, {"product": {"title": "x"}}, source="operator"),
              Event(5, 103.0, p.PLAN_PRODUCT_UPSERTED, {"product": "x"}, source="operator")])
    assert st.counters.invalid == 2 and len(st.plan["products"]) == 13
    snap = SessionState.from_snapshot(st.to_snapshot())
    assert snap.run_of_show == st.run_of_show and snap.plan == st.plan


def test_cli_merge_from_a_recorded_session(tmp_path, capsys):
    from console.recorder import Recorder
    db = f"sqlite:///{tmp_path / 'rec.db'}"
    plan = load_plan(SAMPLE_PLAN).to_dict()
    rec = Recorder(db, flush_interval=0.01)
    try:
        rec.open_session("s1", {"title": "t", "room": "r", "platform": "douyin", "started_at": 100.0})
        rec.submit([Event(1, 100.0, p.PLAN_LOADED, {"plan": plan}, source="system"),
                    Event(2, 101.0, p.PRODUCT_UPSERT, {"sku": "NEW-1", "title": "新品 保温杯",
                                                        "price": 59, "stock": 50}, feed_seq=1),
                    Event(3, 102.0, p.PRODUCT_UPSERT, {"sku": "QM-FW-001", "title": "羽绒服",
                                                        "price": 399, "image_url": "https://c/1.jpg"},
                          feed_seq=2)])
        assert rec.flush()
    finally:
        rec.close()
    src = tmp_path / "plan.yaml"
    src.write_text(SAMPLE_PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    out = tmp_path / "merged.yaml"
    assert cli.main(["plan", "merge", str(src), "s1", "--db", db, "-o", str(out)]) == 0
    assert "1 added, 1 updated" in capsys.readouterr().out
    merged = load_plan(out)
    assert merged.skus[-1] == "NEW-1" and len(merged.products) == 13
    assert merged.product("QM-FW-001").image_url == "https://c/1.jpg"
    assert cli.main(["plan", "merge", str(src), "nope", "--db", db]) == 2


def test_review_html_shows_cached_product_images(tmp_path, monkeypatch):
    """The report shows the images the cache holds (it never fetches); none cached: no gallery."""
    from console.plans.images import ImageCache
    from console.review.report import build_review, export_html
    from tests.plans.test_image_cache import _Server, png_bytes
    from tests.replay.fakes import FakeStore
    from tests.replay.sessions import T0, hand_session
    monkeypatch.setenv("LIVEDESK_IMAGE_CACHE", str(tmp_path / "images"))
    store = FakeStore()
    hand_session(store, sid="s2", started=T0)
    review = build_review(store, "s2")
    assert review.images == {} and "Product images" not in export_html(review)
    sku = review.products[0].sku
    # the product's image, fetched into the cache by the console during the show
    server = _Server()
    server.files["/a.png"] = (200, "image/png", png_bytes(30, 30))
    try:
        url = server.url + "/a.png"
        assert ImageCache().get(url) is not None
    finally:
        server.stop()
    from console.replay.replay import Replay
    from console.review.report import plan_images
    st = Replay(store, "s2").open().final_state
    st.products[sku].image_url = url
    images = plan_images(st)
    assert list(images) == [sku]
    review.images = images
    page = export_html(review)
    assert "Product images" in page and "data:image/png;base64," in page
