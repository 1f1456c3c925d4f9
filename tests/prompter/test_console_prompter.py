"""The console's prompt-panel tools: editor dock, local panel, relay, cue acks, plan saving."""

from __future__ import annotations

import asyncio

import pytest

from console.core import protocol as p
from tests.support.demo import FakeSession
from console.core.plan import load_plan
from console.live.relay import RelayClient

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, tmp_path, driver):
    from PySide6.QtCore import QCoreApplication, QSettings
    from console.gui.main_window import MainWindow
    QCoreApplication.setOrganizationName("LivedeskTest")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    session = FakeSession(log=driver.log, state=driver.state)
    win = MainWindow(session, now=lambda: driver.t, sound=False, start_clock=False)
    qtbot.addWidget(win)
    yield win
    win._stopped = True
    if win.prompter_host.panel_window is not None:
        win.prompter_host.panel_window.close()


def local_types(win) -> list[tuple[str, dict, str]]:
    return win.session.locals


def test_editor_dock_edits_reach_the_log_and_the_prompt_panel(qtbot, window, driver):
    host = window.prompter_host
    assert "script_editor" in window.docks
    sku = driver.skus[0]
    driver.feed(p.CARD_PUSHED, {"sku": sku})
    window.clock.tick(force=True)
    panel = host.open_panel().panel
    panel.refresh(force=True)
    host.editor.select(sku)
    host.editor.edits["pitch_lines"].setPlainText("新的话术：今天下单送收纳袋")
    host.editor.apply()
    type_, data, source = local_types(window)[-1]
    assert (type_, data["sku"], source) == (p.OPERATOR_SCRIPT_EDIT, sku, "operator")
    assert data["cue_card"]["pitch_lines"] == ["新的话术：今天下单送收纳袋"]
    panel.refresh(force=True)
    assert "新的话术：今天下单送收纳袋" in panel._sections[sku].text()


def test_cue_ack_from_the_local_panel_is_recorded_as_host_action(qtbot, window, driver):
    host = window.prompter_host
    panel = host.open_panel().panel
    cue = window.session.append_local(p.OPERATOR_CUE, {"text": "上链接", "kind": "link"})
    panel.refresh(force=True)
    assert panel.cue_flashing
    assert panel.acknowledge_cue()
    type_, data, source = local_types(window)[-1]
    assert (type_, data["cue_seq"], source) == (p.OPERATOR_CUE_ACK, cue.seq, "host")
    assert driver.state.cue["acked_at"] is not None


def test_save_plan_keeps_the_edits(window, driver, tmp_path, qtbot, monkeypatch):
    """Written off the UI thread; the outcome comes back as a message."""
    import threading

    import console.gui.prompter_host as ph
    host = window.prompter_host
    sku = driver.skus[1]
    window.session.append_local(p.OPERATOR_SCRIPT_EDIT, {"sku": sku, "script": "第一句\n第二句"})
    messages = []
    host.sig_message.connect(messages.append)
    writers = []
    real_save = ph.save_plan
    monkeypatch.setattr(ph, "save_plan", lambda *a: (writers.append(threading.current_thread()),
                                                     real_save(*a))[1])
    host.save_plan_to(str(tmp_path / "edited.yaml"))
    qtbot.waitUntil(lambda: bool(messages), timeout=5000)
    assert "edited.yaml" in messages[-1] and "not saved" not in messages[-1]
    assert writers and writers[0] is not threading.main_thread()
    saved = load_plan(tmp_path / "edited.yaml")
    assert next(x for x in saved.products if x.sku == sku).script == "第一句\n第二句"
    host.save_plan_to(str(tmp_path / "missing-dir" / "x.yaml"))
    qtbot.waitUntil(lambda: len(messages) == 2, timeout=5000)
    assert "not saved" in messages[-1]


async def test_relay_served_by_the_console_feeds_a_remote_panel(qtbot, window, driver):
    host = window.prompter_host
    url = await host.start_relay("127.0.0.1", 0, "tok-123")
    assert url.startswith("ws://127.0.0.1:")
    assert host.remote_command == f"livedesk prompter --connect {url} --token tok-123"
    assert host.copy_action.isEnabled()
    client = RelayClient(url, "tok-123", reconnect=False)
    task = asyncio.ensure_future(client.run())
    try:
        await asyncio.wait_for(client.snapshot_received.wait(), 5)
        window.session.append_local(p.OPERATOR_SCRIPT_EDIT, {"sku": driver.skus[0], "script": "远程可见"})
        for _ in range(200):
            if client.state.last_seq == driver.state.last_seq:
                break
            await asyncio.sleep(0.01)
        remote = next(x for x in client.state.plan["products"] if x["sku"] == driver.skus[0])
        assert remote["script"] == "远程可见"
        assert await client.send_cue_ack(None)
        for _ in range(200):
            if any(t == p.OPERATOR_CUE_ACK for t, _, _ in local_types(window)):
                break
            await asyncio.sleep(0.01)
        assert any(t == p.OPERATOR_CUE_ACK and s == "host" for t, _, s in local_types(window))
    finally:
        await client.close()
        task.cancel()
        await host.stop()
    assert host.relay is None
