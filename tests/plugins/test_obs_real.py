"""Optional: obs_overlay against a REAL OBS Studio (obs-websocket v5).

Skipped unless LIVEDESK_REAL_OBS="host:port:password" is set, e.g. with OBS 29 under Xvfb:
    HOME=/tmp/obs xvfb-run -a obs --disable-shutdown-check --minimize-to-tray &
    LIVEDESK_REAL_OBS=127.0.0.1:4455:pw .venv/bin/python -m pytest -q tests/plugins/test_obs_real.py
It creates the four LD text inputs in the current program scene when they are missing.
"""

import asyncio
import os
import time

import pytest

pytestmark = pytest.mark.slow
REAL = os.environ.get("LIVEDESK_REAL_OBS")
if not REAL:
    pytest.skip("LIVEDESK_REAL_OBS not set (no real OBS Studio)", allow_module_level=True)
simpleobsws = pytest.importorskip("simpleobsws")

from console import protocol as p  # noqa: E402
from console.eventlog import SessionLog  # noqa: E402
from console.plugins import PluginManager  # noqa: E402
from console.state import SessionState  # noqa: E402
from plugins.obs_overlay import ObsOverlay, set_password  # noqa: E402

INPUTS = ["LD Product", "LD Price", "LD Stock", "LD Countdown"]


async def test_real_obs(tmp_path, memory_keyring):
    host, port, password = REAL.split(":", 2)
    ws = simpleobsws.WebSocketClient(url=f"ws://{host}:{port}", password=password)
    await ws.connect()
    assert await ws.wait_until_identified(5)
    version = (await ws.call(simpleobsws.Request("GetVersion"))).responseData
    print(f"[real-obs] OBS {version['obsVersion']} obs-websocket {version['obsWebSocketVersion']}")
    scene = (await ws.call(simpleobsws.Request("GetCurrentProgramScene"))).responseData[
        "currentProgramSceneName"]
    existing = {i["inputName"] for i in
                (await ws.call(simpleobsws.Request("GetInputList"))).responseData["inputs"]}
    for name in INPUTS:
        if name not in existing:
            r = await ws.call(simpleobsws.Request("CreateInput", {
                "sceneName": scene, "inputName": name, "inputKind": "text_ft2_source_v2",
                "inputSettings": {"text": ""}, "sceneItemEnabled": True}))
            assert r.ok(), r.requestStatus

    set_password(host, int(port), password)
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("obs_overlay", ObsOverlay())
    m.set_enabled("obs_overlay", True)
    m.set_settings("obs_overlay", {"host": host, "port": int(port), "scene": scene})
    log, state = SessionLog(session_id="real"), SessionState()
    log.subscribe(state.apply)
    log.subscribe(m.listener(state))
    await m.start_all()
    assert m.entries["obs_overlay"].status == "running", m.problems
    now = time.time()
    log.append_feed([p.make_event(1, now, p.PRODUCT_UPSERT, {"sku": "A1", "title": "羊绒围巾", "price": 199}),
                     p.make_event(2, now, p.INVENTORY_SET, {"sku": "A1", "available": 42}),
                     p.make_event(3, now, p.CARD_PUSHED, {"sku": "A1"})])

    async def text(name):
        r = await ws.call(simpleobsws.Request("GetInputSettings", {"inputName": name}))
        return r.responseData["inputSettings"].get("text")

    deadline = time.monotonic() + 5
    while await text("LD Stock") != "仅剩 42":
        assert time.monotonic() < deadline
        await asyncio.sleep(0.05)
    assert await text("LD Product") == "羊绒围巾"
    assert await text("LD Price") == "¥199"
    await m.stop_all()
    await ws.disconnect()
    assert m.problems == []
