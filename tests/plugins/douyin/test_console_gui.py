"""The operator console (MainWindow) running on the fake Douyin consoles, and the start dialog."""

from __future__ import annotations

import asyncio
import json
import os
import time
import types
from pathlib import Path

import pytest
import yaml

from tests.plugins.douyin.conftest import needs_chromium
from tests.plugins.douyin.fake_console import FakeConsole

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

pytestmark = pytest.mark.gui
SHOTS = os.environ.get("LIVEDESK_SHOTS")     # a directory: save screenshots there


@pytest.fixture(autouse=True)
def temp_settings(tmp_path, qapp):
    if SHOTS:
        from console.gui.i18n import install_translator
        install_translator(qapp)          # LIVEDESK_LANG=zh_CN for the Chinese screenshots
    from PySide6.QtCore import QCoreApplication, QSettings
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    yield


def test_start_dialog_offers_douyin(qapp, tmp_path):
    from console.gui.start_dialog import StartDialog

    dlg = StartDialog(plan_path="", simulate=True)
    assert "抖音" in dlg.radio_douyin.text()
    assert not dlg.btn_start.isEnabled()                 # the simulator needs a plan
    dlg.radio_douyin.setChecked(True)
    assert dlg.btn_start.isEnabled()                     # Douyin brings its own products
    choice = dlg.choice()
    assert choice.douyin and not choice.simulate and choice.url is None and choice.token is None
    assert not dlg.url.isEnabled()
    if SHOTS:
        dlg.show()
        qapp.processEvents()
        dlg.grab().save(str(Path(SHOTS) / f"start_dialog_douyin_{os.environ.get('LIVEDESK_LANG', 'en')}.png"))
    dlg.close()
    dlg2 = StartDialog(plan_path="", douyin=True)
    assert dlg2.radio_douyin.isChecked()
    dlg2.close()


@needs_chromium
@pytest.mark.timeout(180)
def test_console_runs_on_the_fake_douyin_consoles(qapp, tmp_path, monkeypatch):
    qasync = pytest.importorskip("qasync")
    from console.gui.app import shutdown, start_console
    from console.gui.closing import dispose

    fake = FakeConsole(poll_ms=250, auto_login=True).start()
    profile = tmp_path / "douyin.yaml"
    profile.write_text(yaml.safe_dump({"version": 1, "pages": fake.pages(),
                                       "behaviour": {"poll_s": 0.3}}), encoding="utf-8")
    config = tmp_path / "plugins.json"
    config.write_text(json.dumps({"plugins": {"douyin": {"settings": {
        "headless": True, "user_data_dir": str(tmp_path / "browser"),
        "capture_dir": str(tmp_path / "captures"), "session_id": "douyin-gui"}}}}), encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_DOUYIN_PROFILE", str(profile))
    monkeypatch.setenv("LIVEDESK_PLUGINS_CONFIG", str(config))
    args = types.SimpleNamespace(simulate=False, douyin=True, url=None, token=None, plan=None,
                                 db=f"sqlite:///{tmp_path / 'rec.db'}")
    qapp.setQuitOnLastWindowClosed(False)   # as run_console sets it: closing a window is not quitting
    loop = qasync.QEventLoop(qapp, already_running=False)
    asyncio.set_event_loop(loop)
    result: dict = {}

    async def until(cond, timeout=20.0):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if cond():
                return True
            await asyncio.sleep(0.01)
        raise AssertionError("timed out")

    async def scenario():
        win, session, feed, recorder = await start_console(args, None, None, False, sound=False)
        win.resize(1600, 1000)
        win.show()
        try:
            st = session.state
            await until(lambda: len(st.products) == 12)
            with fake.lock:
                fs = fake.state
                for i in range(6):
                    fs.add_order(i % 4, qty=1 + i % 2, status=3, nick=f"买家{i}")
                fs.add_message("comment", "小鹿", "这件有M码吗")
                fs.add_message("comment", "橘子汽水", "已拍, 求快点发货")
                fs.core.update(online_user_cnt=856, watch_ucnt=4210, live_show_cnt=52000)
            await until(lambda: st.orders == 6 and st.traffic["online"] == 856)
            # the time from the fake's answer to the order table on screen (one frame later)
            with fake.lock:
                oid = fs.add_order(9, qty=2, status=3, nick="计时")
            await until(lambda: st.orders == 7)
            frames = win.clock.frames
            await until(lambda: win.clock.frames > frames)
            shown = time.time()
            with fake.lock:
                served = fs.served[f"{oid}:3"]
            result["latency"] = shown - served
            result["rows"] = win.orders.model.rowCount()
            result["toggle"] = getattr(win, "douyin_browser_action", None) is not None
            session.send_command("card.push", {"sku": "QM-002"})
            await until(lambda: st.current_sku == "QM-002")
            with fake.lock:
                result["card_call"] = dict(fs.card_calls[-1])
            await asyncio.sleep(1.0)
            if SHOTS:
                win.grab().save(str(Path(SHOTS) / f"console_douyin_{os.environ.get('LIVEDESK_LANG', 'en')}.png"))
            closed = asyncio.Event()
            win.sig_closed.connect(closed.set)
            win.close_now()                 # a confirmed quit (Ctrl+Q asks while live)
            await asyncio.wait_for(closed.wait(), 10)
        finally:
            await win.prompter_host.stop()
            await win.plugins_host.stop()
            await shutdown(feed, recorder)
            result["win"] = win

    try:
        with loop:
            loop.run_until_complete(asyncio.wait_for(scenario(), 150))
    finally:
        asyncio.set_event_loop(None)
        fake.stop()
    dispose(result.pop("win"))
    print(f"\nfake answer -> console frame: {result['latency'] * 1000:.0f} ms")
    assert result["latency"] < 1.0
    assert result["rows"] >= 7 and result["toggle"]
    assert result["card_call"]["promotion_id"] == "3600002"


def test_a_missing_browser_is_told_to_the_operator(qapp, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from console.gui.app import start_douyin
    from plugins.douyin.bridge import BrowserMissing

    config = tmp_path / "plugins.json"
    config.write_text(json.dumps({"plugins": {"douyin": {"settings": {
        "browser_path": str(tmp_path / "no-such-browser"), "capture_dir": str(tmp_path / "c"),
        "user_data_dir": str(tmp_path / "b")}}}}), encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_PLUGINS_CONFIG", str(config))
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a[2]))
    with pytest.raises(BrowserMissing):
        asyncio.run(start_douyin())
    assert shown and "no-such-browser" in shown[0] and "Douyin" in shown[0]


def test_console_douyin_flag_skips_the_demo_plan(qapp, tmp_path, monkeypatch):
    """`livedesk console --douyin`: no start dialog, and the simulator's sample plan (the --plan
    default) is not used: the products come from Douyin."""
    import sys

    from console.cli import parser as cli
    from console.gui import app as gui_app
    import console.gui.start_dialog as sd

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(sd, "ask_start", lambda args: pytest.fail("the dialog must not show"))
    seen = {}

    async def fake_start(args, plan, plan_path, simulate, **kw):
        seen.update(plan=plan, plan_path=plan_path, simulate=simulate, douyin=args.douyin)
        raise RuntimeError("stop here")

    monkeypatch.setattr(gui_app, "start_console", fake_start)
    args = cli.build_parser().parse_args(["console", "--douyin", "--db",
                                          f"sqlite:///{tmp_path / 'r.db'}"])
    assert gui_app.run_console(args) == 1
    assert seen == {"plan": None, "plan_path": None, "simulate": False, "douyin": True}
