"""Showing and hiding the browser window from the console (a real, headed Chromium under Xvfb)."""

from __future__ import annotations

import asyncio
import os
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from plugins.douyin.bridge import BrowserBridge
from tests.plugins.douyin.conftest import fake_profile, needs_chromium
from tests.plugins.douyin.fake_console import FakeConsole

pytestmark = [needs_chromium, pytest.mark.timeout(90),
              pytest.mark.skipif(shutil.which("Xvfb") is None,
                                 reason="needs Xvfb for a headed browser (scripts/setup.sh installs xvfb)")]


@pytest.fixture
def display(monkeypatch):
    for num in range(187, 220):
        if not Path(f"/tmp/.X11-unix/X{num}").exists() and not Path(f"/tmp/.X{num}-lock").exists():
            break
    proc = subprocess.Popen(["Xvfb", f":{num}", "-screen", "0", "1280x800x24", "-nolisten", "tcp"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 10
    while not Path(f"/tmp/.X11-unix/X{num}").exists():
        if time.monotonic() > deadline or proc.poll() is not None:
            proc.kill()
            pytest.skip("Xvfb did not start")
        time.sleep(0.05)
    monkeypatch.setenv("DISPLAY", f":{num}")
    yield f":{num}"
    proc.terminate()
    proc.wait(5)


async def window_state(bridge: BrowserBridge) -> str:
    """normal, minimized, or "offscreen" (moved away where the desktop cannot minimise)."""
    cdp = await bridge._ctx.new_cdp_session(bridge.control)
    try:
        win = await cdp.send("Browser.getWindowForTarget")
        bounds = (await cdp.send("Browser.getWindowBounds", {"windowId": win["windowId"]}))["bounds"]
        if bounds["windowState"] == "normal" and bounds.get("left", 0) + bounds.get("width", 0) <= 0:
            return "offscreen"
        return bounds["windowState"]
    finally:
        await cdp.detach()


async def test_browser_window_can_be_hidden_and_shown(display, tmp_path):
    fake = FakeConsole(auto_login=True).start()
    bridge = BrowserBridge(fake_profile(fake), user_data_dir=tmp_path / "browser", headless=False)
    await bridge.start()
    try:
        assert await window_state(bridge) == "normal"
        assert await bridge.set_visible(False) and not bridge.visible
        for _ in range(50):
            if await window_state(bridge) in ("minimized", "offscreen"):
                break
            await asyncio.sleep(0.1)
        assert await window_state(bridge) in ("minimized", "offscreen")
        assert await bridge.set_visible(True) and bridge.visible
        for _ in range(50):
            if await window_state(bridge) == "normal":
                break
            await asyncio.sleep(0.1)
        assert await window_state(bridge) == "normal"
        assert os.environ["DISPLAY"] == display
    finally:
        await bridge.stop()
        fake.stop()
