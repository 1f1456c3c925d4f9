"""The plan editor, the column-mapping dialog and their hooks in the console (offscreen Qt)."""

from __future__ import annotations

import gc
import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import pytest

pytest.importorskip("PySide6")

from console.core import protocol as p
from console.cli.parser import SAMPLE_PLAN
from console.compliance import load_words
from console.core.plan import load_plan
from console.plans.importer import auto_mapping, load_remembered, read_table
from tests.plans.sheets import write_messy_xlsx, write_unknown_headers_xlsx


@pytest.fixture(autouse=True)
def _isolated(tmp_path, monkeypatch, qapp):
    from PySide6.QtCore import QCoreApplication, QSettings
    monkeypatch.setenv("LIVEDESK_MAPPING_FILE", str(tmp_path / "mapping.json"))
    monkeypatch.setenv("LIVEDESK_IMAGE_CACHE", str(tmp_path / "images"))
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))


@pytest.fixture
def editor(qtbot):
    from widgets.plan_editor import PlanEditor
    ed = PlanEditor(load_words(), load_plan(SAMPLE_PLAN).to_dict())
    ed.show()
    yield ed
    ed.undo.setClean()          # closing a changed plan asks (modal) whether to save
    ed.close()
    gc.collect()                # collect here, not in the middle of a later test's event loop


def _errors(ed):
    return [t for _i, _f, level, t in ed.problems if level == "error"]


def test_problems_shown_as_you_type_and_undo(editor, qtbot):
    ed = editor
    assert ed.problems == [] and "valid" in ed.summary.text()
    ed.select(2)
    ed.set_field("price", "abc")
    qtbot.waitUntil(lambda: bool(_errors(ed)), timeout=2000)
    assert _errors(ed) == ["products[2].price: must be a number, got 'abc'"]
    assert "border" in ed.edits["price"].styleSheet() and "abc" in ed.edits["price"].toolTip()
    assert ed.product_list.item(2).text().startswith("✗ ")
    ed.set_field("price", "¥159")                    # currency typed: read as a number
    assert ed.plan["products"][2]["price"] == 159
    ed.set_field("list_price", "99")
    qtbot.waitUntil(lambda: any("list_price" in t for t in _errors(ed)), timeout=2000)
    ed.set_field("cue_card.pitch_lines", "小个子看过来\n全网最低价 最后一波")
    qtbot.waitUntil(lambda: any(lvl == "law" for _i, _f, lvl, _t in ed.problems), timeout=2000)
    law = [t for _i, f, lvl, t in ed.problems if lvl == "law"]
    assert any("最低价" in t or "最" in t for t in law)
    # undo walks back field by field (typing in one field is one step)
    ed.undo.undo()
    assert ed.plan["products"][2]["cue_card"]["pitch_lines"] == load_plan(SAMPLE_PLAN).products[2].cue_card.pitch_lines
    ed.undo.undo()
    ed.undo.undo()
    assert ed.plan["products"][2]["price"] == 169 and ed.edits["price"].text() == "169"
    ed.undo.redo()
    assert ed.plan["products"][2]["price"] == 159
    ed.run_check()
    assert not ed.undo.isClean() and ed.windowTitle().startswith("* ")


def test_add_duplicate_remove_reorder(editor, qtbot):
    ed = editor
    skus = [x["sku"] for x in ed.plan["products"]]
    ed.select(0)
    ed.add_product()
    assert ed.current == 1 and ed.plan["products"][1]["sku"] == "NEW-001"
    ed.set_field("title", "加播 保温杯")
    ed.duplicate_product()
    assert [x["sku"] for x in ed.plan["products"][1:3]] == ["NEW-001", "NEW-001-2"]
    assert ed.plan["products"][2]["title"] == "加播 保温杯"
    ed.move_product(-1)
    assert ed.plan["products"][1]["sku"] == "NEW-001-2" and ed.current == 1
    ed.remove_product()
    assert [x["sku"] for x in ed.plan["products"]] == [skus[0], "NEW-001"] + skus[1:]
    ed.run_check()
    assert ed.problems == []
    while ed.undo.canUndo():
        ed.undo.undo()
    assert [x["sku"] for x in ed.plan["products"]] == skus
    # dragging in the list is the same move (the model signals what a drop does)
    model = ed.product_list.model()
    assert model.moveRow(model.index(0, 0).parent(), 0, model.index(0, 0).parent(), 3)
    qtbot.waitUntil(lambda: ed.plan["products"][2]["sku"] == skus[0], timeout=2000)
    assert [x["sku"] for x in ed.plan["products"]][:3] == [skus[1], skus[2], skus[0]]
    ed.undo.undo()
    assert [x["sku"] for x in ed.plan["products"]] == skus


def test_save_writes_a_plan_check_plan_accepts(editor, tmp_path):
    from console.cli import parser as cli
    ed = editor
    out = tmp_path / "edited.yaml"
    ed.select(0)
    ed.set_field("offer.flash_price", "999")           # not below the price: refused on save
    saved = []
    ed.sig_saved.connect(saved.append)
    assert not ed.save_to(str(out)) and not out.exists()
    ed.set_field("offer.flash_price", "319")
    ed.set_field("cue_card.selling_points", "白鹅绒 含绒量90%\n\n可收纳\n")
    assert ed.save_to(str(out)) and saved == [str(out)] and ed.undo.isClean()
    plan = load_plan(out)
    assert plan.products[0].offer.flash_price == 319
    assert plan.products[0].cue_card.selling_points == ["白鹅绒 含绒量90%", "可收纳"]
    assert cli.main(["check-plan", str(out)]) == 0


def test_import_sheet_through_the_mapping_dialog(editor, qtbot, tmp_path, monkeypatch):
    from widgets.column_mapping_dialog import ColumnMappingDialog
    ed = editor
    path = write_unknown_headers_xlsx(tmp_path / "list.xlsx")
    table = read_table(path)
    mapping, unknown = auto_mapping(table.headers)
    dialog = ColumnMappingDialog(table, mapping, unknown)
    qtbot.addWidget(dialog)
    assert not dialog.btn_import.isEnabled()            # no price column yet
    assert "no column for price" in dialog.problems.item(0).text()
    dialog.set_field(table.headers.index("主推价位"), "price")
    assert dialog.btn_import.isEnabled() and "2" in dialog.summary.text()
    assert any("no stock" in dialog.problems.item(i).text() for i in range(dialog.problems.count()))
    dialog.set_field(table.headers.index("本场投放"), "stock")
    assert dialog.mapping()[table.headers.index("本场投放")] == "stock"
    dialog.set_field(table.headers.index("SKU"), "title")   # a field goes to one column only
    assert table.headers.index("商品名称") not in dialog.mapping()
    # the editor's import: the dialog is accepted as chosen, the mapping remembered
    chosen = {table.headers.index("主推价位"): "price", table.headers.index("本场投放"): "stock"}

    def fake_exec(self):
        for col, fld in chosen.items():
            self.set_field(col, fld)
        return ColumnMappingDialog.Accepted
    monkeypatch.setattr(ColumnMappingDialog, "exec", fake_exec)
    n = len(ed.plan["products"])
    assert ed.import_sheet(str(path))
    assert len(ed.plan["products"]) == n                 # both SKUs are in the plan already
    candle = next(x for x in ed.plan["products"] if x["sku"] == "QM-HM-012")
    assert candle["cue_card"]["selling_points"] == ["大豆蜡"]          # from the sheet
    assert candle["cue_card"]["pitch_lines"] == ["今天收尾的福利款", "下播前抓紧下单"]  # kept
    assert candle["offer"]["flash_price"] == 59
    assert load_remembered()["主推价位"] == "price"
    ed.undo.undo()
    assert len(ed.plan["products"]) == n


def test_mapping_dialog_reports_bad_rows(qtbot, tmp_path):
    from widgets.column_mapping_dialog import ColumnMappingDialog
    table = read_table(write_messy_xlsx(tmp_path / "s.xlsx"))
    mapping, unknown = auto_mapping(table.headers)
    dialog = ColumnMappingDialog(table, mapping, unknown)
    qtbot.addWidget(dialog)
    texts = [dialog.problems.item(i).text() for i in range(dialog.problems.count())]
    for row in (11, 12, 15):
        assert any(t.startswith("✗ Row " + str(row) + ":") for t in texts), texts
    assert "4 product(s)" in dialog.summary.text()


def test_the_editor_asks_for_exports_and_writes_nothing_itself(editor, tmp_path):
    ed = editor
    asked = []
    ed.sig_export.connect(lambda fmt, path, plan: asked.append((fmt, path, plan)))
    assert ed.export("xlsx", str(tmp_path / "p.xlsx"))
    assert [(f, p_) for f, p_, _plan in asked] == [("xlsx", str(tmp_path / "p.xlsx"))]
    assert asked[0][2] == ed.plan and asked[0][2] is not ed.plan      # a copy to write
    assert not (tmp_path / "p.xlsx").exists()                         # widgets do no I/O
    ed.select(0)
    ed.set_field("price", "abc")
    ed.run_check()
    assert ed.export("pdf", str(tmp_path / "p.pdf")) is False         # problems: not asked
    assert len(asked) == 1


def test_export_from_the_editor(tmp_path, qtbot, monkeypatch):
    """The host (open_plan_editor) writes the exports off the UI thread; the editor says so."""
    import threading

    from console.gui import plan_host
    from console.plans import export as plan_export
    ed = plan_host.open_plan_editor(None, str(SAMPLE_PLAN))
    qtbot.addWidget(ed)
    messages = []
    ed.sig_message.connect(messages.append)
    writers = []
    real_xlsx = plan_export.export_xlsx
    monkeypatch.setattr(plan_export, "export_xlsx", lambda *a, **k: (
        writers.append(threading.current_thread()), real_xlsx(*a, **k))[1])
    assert ed.export("xlsx", str(tmp_path / "p.xlsx"))
    assert ed.export("pdf", str(tmp_path / "p.pdf"))
    assert ed.export("xlsx", str(tmp_path / "no-such-dir" / "p.xlsx"))
    qtbot.waitUntil(lambda: len(messages) >= 3, timeout=30000)
    assert sorted(m.split(":")[0] for m in messages) == ["Export failed", "Exported", "Exported"]
    assert writers and all(t is not threading.main_thread() for t in writers)
    assert (tmp_path / "p.pdf").read_bytes().startswith(b"%PDF")
    from console.plans.importer import import_sheet
    assert len(import_sheet(tmp_path / "p.xlsx").plan["products"]) == 12
    ed.undo.setClean()
    ed.close()
    gc.collect()


def test_live_apply_and_import_from_the_session(qtbot):
    """In the console: applied products become plan.product_upserted events; the feed's
    products are imported by SKU without duplicates."""
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow
    sess = FakeSession()
    plan = load_plan(SAMPLE_PLAN).to_dict()
    sess.log.append_local(p.PLAN_LOADED, {"plan": plan}, source="system")
    sess.log.append_feed([p.make_event(1, 1000.0, p.PRODUCT_UPSERT,
                                       {"sku": "FEED-9", "title": "小黄车 新品", "price": 49, "stock": 30})])
    win = MainWindow(sess, sound=False, start_clock=False)
    qtbot.addWidget(win)
    menus = [a.text() for a in win.menuBar().actions()]
    assert "P&lan" in menus
    ed = win.plan_host.open_editor()
    assert ed.actions["import_live"].isEnabled() and ed.actions["apply"].isVisible()
    assert ed.import_live_products() == 1
    assert [x["sku"] for x in ed.plan["products"]].count("FEED-9") == 1
    assert ed.import_live_products() == 0                  # never twice
    ed.select(0)
    ed.set_field("title", "轻薄鹅绒羽绒服 新色")
    assert ed.apply_to_show() == 2                          # the changed one and FEED-9
    upserts = [d for t, d, _s in sess.locals if t == p.PLAN_PRODUCT_UPSERTED]
    assert [d["product"]["sku"] for d in upserts] == ["QM-FW-001", "FEED-9"]
    assert sess.state.products["QM-FW-001"].title == "轻薄鹅绒羽绒服 新色"
    assert sess.state.plan["products"][0]["title"] == "轻薄鹅绒羽绒服 新色"
    assert ed.apply_to_show() == 0
    ed.set_field("price", "")                               # a product with a problem stays back
    assert ed.apply_to_show() == 0
    assert len([t for t, _d, _s in sess.locals if t == p.PLAN_PRODUCT_UPSERTED]) == 2
    ed.undo.setClean()
    ed.close()
    assert win.plan_host.open_editor() is ed                # shown again, not a second window
    assert ed.plan["products"][0]["title"] == "轻薄鹅绒羽绒服 新色"   # the show's plan now
    ed.close()
    gc.collect()


def test_start_dialog_opens_the_editor_and_takes_the_saved_plan(qtbot, tmp_path):
    from console.gui.start_dialog import StartDialog
    dialog = StartDialog(plan_path=str(SAMPLE_PLAN))
    qtbot.addWidget(dialog)
    dialog.btn_edit_plan.click()
    ed = dialog.plan_editor
    assert ed.isVisible() and len(ed.plan["products"]) == 12 and ed.path == str(SAMPLE_PLAN)
    out = tmp_path / "mine.yaml"
    ed.set_field("title", "改过的标题")
    assert ed.save_to(str(out))
    assert dialog.plan_path.text() == str(out) and dialog.plan is not None
    assert dialog.plan.products[0].title == "改过的标题" and dialog.is_ready()
    ed.close()
    dialog.btn_edit_plan.click()
    assert dialog.plan_editor is ed and ed.isVisible() and ed.path == str(out)
    ed.close()
    gc.collect()


def test_product_images_by_url_reach_the_run_of_show_and_the_prompt_panel(qtbot, tmp_path):
    """Fetched off the UI thread through the cache (loopback HTTP); offline: letter tile."""
    from tests.support.demo import FakeSession
    from console.gui.main_window import MainWindow
    from tests.plans.test_image_cache import _Server, png_bytes
    server = _Server()
    server.files["/coat.png"] = (200, "image/png", png_bytes(120, 90))
    try:
        sess = FakeSession()
        sess.log.append_local(p.PLAN_LOADED, {"plan": load_plan(SAMPLE_PLAN).to_dict()}, source="system")
        sess.log.append_feed([
            p.make_event(1, 1000.0, p.PRODUCT_UPSERT, {"sku": "QM-CT-007", "title": "双面羊毛大衣",
                                                       "price": 899, "image_url": server.url + "/coat.png"}),
            p.make_event(2, 1000.5, p.PRODUCT_UPSERT, {"sku": "QM-AC-009", "title": "羊绒混纺围巾",
                                                       "price": 129, "image_url": "http://127.0.0.1:9/x.png"}),
            p.make_event(3, 1001.0, p.CARD_PUSHED, {"sku": "QM-CT-007"})])
        win = MainWindow(sess, sound=False, start_clock=False)
        qtbot.addWidget(win)
        host = win.plan_host
        failed = []
        host.loader.sig_failed.connect(lambda url, why: failed.append(url))
        host.refresh()
        qtbot.waitUntil(lambda: "QM-CT-007" in win.run_of_show.images and bool(failed), timeout=8000)
        assert win.run_of_show.images["QM-CT-007"].width() == 88
        assert "QM-AC-009" not in win.run_of_show.images      # offline: the letter tile stays
        assert server.hits == ["/coat.png"]
        assert list((tmp_path / "images").glob("*.png"))      # kept in the cache directory
        bad = "http://127.0.0.1:9/x.png"
        host._failed[bad] -= 61                               # a minute later: asked again
        host.refresh()
        qtbot.waitUntil(lambda: failed.count(bad) == 2, timeout=8000)
        panel_window = win.prompter_host.open_panel()
        host.refresh()
        assert "QM-CT-007" in panel_window.panel.images
        panel_window.panel.refresh(force=True)
        assert panel_window.panel.image_label.isVisibleTo(panel_window.panel)
        panel_window.close()
    finally:
        server.stop()
