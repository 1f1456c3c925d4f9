"""Session start dialog: feed choice and show-plan validation with clear errors."""

import types
from pathlib import Path

import pytest

from console.gui.start_dialog import StartDialog, feed_url_problem

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "resources" / "sample_plan.yaml"


def make(qtbot, **kw):
    dlg = StartDialog(**kw)
    qtbot.addWidget(dlg)
    return dlg


def problems(dlg):
    return [dlg.problems.item(i).text() for i in range(dlg.problems.count())]


@pytest.mark.skipif(not SAMPLE.exists(), reason="no sample plan")
def test_simulator_with_valid_plan_is_ready(qtbot):
    dlg = make(qtbot, plan_path=str(SAMPLE))
    assert dlg.radio_sim.isChecked() and dlg.btn_start.isEnabled()
    assert dlg.plan is not None and dlg.plan_summary.text().startswith("✓")
    assert not dlg.url.isEnabled()
    choice = dlg.choice()
    assert choice.simulate and choice.url is None and choice.plan is dlg.plan
    assert choice.plan_path == str(SAMPLE)


def test_invalid_plan_lists_every_problem_and_blocks_start(qtbot, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("session: {room: 直播间, title: 测试}\nproducts:\n"
                   "  - {sku: A1, title: 羽绒服, price: -5, list_price: 10, stock: 3, planned_minutes: 2}\n"
                   "  - {sku: A1, price: 10}\n", encoding="utf-8")
    dlg = make(qtbot, plan_path=str(bad))
    found = problems(dlg)
    assert len(found) >= 2 and all(p.startswith("✗") for p in found)
    assert any("A1" in p or "products" in p for p in found)
    assert not dlg.btn_start.isEnabled() and dlg.plan is None
    dlg._on_start()
    assert dlg.result() == 0                         # not accepted


def test_missing_and_unparseable_plan(qtbot, tmp_path):
    dlg = make(qtbot, plan_path=str(tmp_path / "nope.yaml"))
    assert "cannot read file" in problems(dlg)[0]
    broken = tmp_path / "broken.json"
    broken.write_text("{not json", encoding="utf-8")
    dlg.plan_path.setText(str(broken))
    dlg.plan_path.editingFinished.emit()
    assert "not valid JSON" in problems(dlg)[0] and not dlg.btn_start.isEnabled()


@pytest.mark.skipif(not SAMPLE.exists(), reason="no sample plan")
def test_url_feed_needs_a_ws_url(qtbot):
    dlg = make(qtbot, plan_path=str(SAMPLE))
    with qtbot.waitSignal(dlg.sig_validated) as blocker:
        dlg.radio_url.setChecked(True)
    assert blocker.args == [False] and dlg.url.isEnabled()
    assert dlg.url_problem.text() == feed_url_problem("")
    dlg.url.setText("http://example.com")
    assert "ws://" in dlg.url_problem.text() and not dlg.btn_start.isEnabled()
    dlg.url.setText("wss://feed.example.com/live")
    dlg.token.setText("s3cret")
    assert dlg.btn_start.isEnabled()
    choice = dlg.choice()
    assert not choice.simulate and choice.url == "wss://feed.example.com/live"
    assert choice.token == "s3cret"
    dlg._on_start()
    assert dlg.result() == 1


def test_url_feed_without_plan_is_allowed_but_simulator_is_not(qtbot):
    dlg = make(qtbot, plan_path="")
    assert not dlg.btn_start.isEnabled()             # the simulator needs a plan
    dlg.radio_url.setChecked(True)
    dlg.url.setText("ws://127.0.0.1:9000")
    assert dlg.btn_start.isEnabled() and dlg.choice().plan is None


def test_console_without_feed_asks_and_quits_cleanly(qapp, monkeypatch):
    import sys

    import console.gui.start_dialog as sd
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    from console.gui import app as gui_app
    asked = []
    monkeypatch.setattr(sd, "ask_start", lambda args: asked.append(args) or None)
    monkeypatch.setattr(gui_app, "start_console", None)   # must not be reached
    args = types.SimpleNamespace(simulate=False, url=None, token=None, plan=str(SAMPLE), db=None)
    assert gui_app.run_console(args) == 0 and len(asked) == 1
