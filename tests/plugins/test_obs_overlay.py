"""obs_overlay against a protocol-faithful fake obs-websocket v5 server (tests/plugins/fake_obs.py).

A real OBS Studio was not used: every test here prints that the fake served it.
"""

import asyncio
import time

import pytest

pytest.importorskip("simpleobsws")
pytest.importorskip("keyring")

from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.plugin_host import PluginManager
from console.fold.state import SessionState
from plugins.obs_overlay import ObsOverlay, set_password
from plugins.obs_overlay.plugin import KEYRING_SERVICE, format_countdown, format_price
from tests.plugins.fake_obs import FakeObs, auth_string

INPUTS = ["LD Product", "LD Price", "LD Stock", "LD Countdown"]


async def until(pred, timeout=3.0):
    deadline = time.monotonic() + timeout
    while not pred():
        assert time.monotonic() < deadline, "condition not reached"
        await asyncio.sleep(0.01)


def setup(tmp_path, obs, **settings):
    m = PluginManager(tmp_path / "p.json", discover=False)
    plugin = ObsOverlay()
    m.register("obs_overlay", plugin)
    m.set_enabled("obs_overlay", True)
    m.set_settings("obs_overlay", {"host": "127.0.0.1", "port": obs.port, **settings})
    log = SessionLog(session_id="s", clock=time.time)
    state = SessionState()
    log.subscribe(state.apply)
    log.subscribe(m.listener(state))
    return m, plugin, log, state


def feed(log, *events):
    seq = log.last_feed_seq
    out = []
    for type_, data in events:
        seq += 1
        out.append(p.make_event(seq, time.time(), type_, data))
    log.append_feed(out)


def test_auth_string_matches_the_documented_example():
    # obs-websocket docs: secret = b64(sha256(password + salt)); auth = b64(sha256(secret + challenge))
    import base64, hashlib
    secret = base64.b64encode(hashlib.sha256(b"supersecretpassword" + b"salt").digest())
    expected = base64.b64encode(hashlib.sha256(secret + b"challenge").digest()).decode()
    assert auth_string("supersecretpassword", "salt", "challenge") == expected


def test_formatting():
    assert format_price(59.9) == "¥59.9" and format_price(100.0) == "¥100"
    assert format_price(9.99, "$") == "$9.99"
    assert format_countdown(61.2) == "01:02" and format_countdown(-3) == "00:00"


async def test_card_push_updates_text_sources_scene_and_item(tmp_path, memory_keyring):
    async with FakeObs("s3cret", inputs=INPUTS,
                       scenes={"Idle": [], "Selling": ["LD Card", "Cam"]}) as obs:
        set_password("127.0.0.1", obs.port, "s3cret")
        assert memory_keyring.store[(KEYRING_SERVICE, f"127.0.0.1:{obs.port}")] == "s3cret"
        m, plugin, log, state = setup(tmp_path, obs, scene="Selling", show_source="LD Card")
        await m.start_all()
        assert m.entries["obs_overlay"].status == "running", m.problems
        assert obs.identified == 1 and obs.auth_failures == 0
        assert obs.subprotocols_used == ["obswebsocket.msgpack"]   # what simpleobsws asks for

        feed(log, (p.PRODUCT_UPSERT, {"sku": "A1", "title": "羊绒围巾", "price": 199.0}),
             (p.INVENTORY_SET, {"sku": "A1", "available": 50}),
             (p.CARD_PUSHED, {"sku": "A1"}))
        await until(lambda: obs.scenes["Selling"]["LD Card"]["enabled"])
        assert obs.inputs["LD Product"]["text"] == "羊绒围巾"
        assert obs.inputs["LD Price"]["text"] == "¥199"
        assert obs.inputs["LD Stock"]["text"] == "仅剩 50"
        assert obs.inputs["LD Countdown"]["text"] == ""
        assert obs.program_scene == "Selling"

        # flash sale: deal price, countdown ticking, stock from the flash allotment
        feed(log, (p.FLASH_STARTED, {"flash_id": "f1", "sku": "A1", "deal_price": 99.0,
                                     "stock": 20, "ends_at": time.time() + 90}))
        await until(lambda: obs.inputs["LD Price"]["text"] == "¥99")
        await until(lambda: obs.inputs["LD Countdown"]["text"].startswith("01:"))
        await until(lambda: obs.inputs["LD Stock"]["text"] == "仅剩 20")
        feed(log, (p.FLASH_ENDED, {"flash_id": "f1", "sku": "A1"}))
        await until(lambda: obs.inputs["LD Price"]["text"] == "¥199")
        await until(lambda: obs.inputs["LD Countdown"]["text"] == "")

        feed(log, (p.CARD_CLEARED, {}))
        await until(lambda: obs.inputs["LD Product"]["text"] == "")
        await m.stop_all()
        assert m.problems == []
        print(f"[fake-obs] requests served by the fake: {len(obs.requests)}")


async def test_stock_updates_are_throttled(tmp_path, memory_keyring):
    async with FakeObs("", inputs=INPUTS) as obs:
        m, plugin, log, state = setup(tmp_path, obs, stock_hz=2.0)
        await m.start_all()
        feed(log, (p.PRODUCT_UPSERT, {"sku": "B", "title": "T", "price": 10}),
             (p.INVENTORY_SET, {"sku": "B", "available": 1000}), (p.CARD_PUSHED, {"sku": "B"}))
        await until(lambda: obs.inputs["LD Stock"]["text"] == "仅剩 1000")
        t0 = time.monotonic()
        for left in range(999, 899, -1):           # 100 stock changes in ~1 s
            feed(log, (p.INVENTORY_SET, {"sku": "B", "available": left}))
            await asyncio.sleep(0.01)
        await until(lambda: obs.inputs["LD Stock"]["text"] == "仅剩 900")
        elapsed = time.monotonic() - t0
        sent = obs.text_history["LD Stock"]
        # at most 2 per second (+1 for the immediate card push, +1 for rounding)
        assert len(sent) <= 2 + int(elapsed * 2) + 1, (len(sent), elapsed)
        assert sent[-1] == "仅剩 900"
        feed(log, (p.INVENTORY_SET, {"sku": "OTHER", "available": 1}))
        await asyncio.sleep(0.05)
        assert obs.text_history["LD Stock"][-1] == "仅剩 900"   # other SKUs ignored
        await m.stop_all()


async def test_wrong_password_disables_plugin_with_clear_message(tmp_path, memory_keyring):
    async with FakeObs("right", inputs=INPUTS) as obs:
        set_password("127.0.0.1", obs.port, "wrong")
        m, plugin, log, state = setup(tmp_path, obs, connect_timeout_s=1.0)
        await m.start_all()                         # must not raise
        entry = m.entries["obs_overlay"]
        assert entry.status == "failed" and "did not identify" in entry.error
        assert obs.auth_failures == 1 and obs.identified == 0
        feed(log, (p.CARD_PUSHED, {"sku": "A1"}))   # nothing is sent anywhere
        await m.stop_all()


async def test_missing_obs_sources_are_logged_not_fatal(tmp_path, memory_keyring, caplog):
    async with FakeObs("", inputs=["LD Product"]) as obs:
        m, plugin, log, state = setup(tmp_path, obs)
        await m.start_all()
        feed(log, (p.PRODUCT_UPSERT, {"sku": "A", "title": "Tea", "price": 5}),
             (p.CARD_PUSHED, {"sku": "A"}))
        await until(lambda: obs.inputs["LD Product"]["text"] == "Tea")
        await until(lambda: plugin.errors >= 2)
        assert m.entries["obs_overlay"].status == "running"
        assert "No source was found" in caplog.text
        await m.stop_all()


async def test_obs_going_away_disables_plugin(tmp_path, memory_keyring):
    """Losing OBS disables the plugin by itself (no further event needed), with a clear error."""
    obs = FakeObs("", inputs=INPUTS)
    await obs.__aenter__()
    m, plugin, log, state = setup(tmp_path, obs)
    await m.start_all()
    assert m.entries["obs_overlay"].status == "running"
    await obs.__aexit__(None, None, None)
    await until(lambda: m.entries["obs_overlay"].status == "failed", timeout=5)
    assert "lost OBS" in m.entries["obs_overlay"].error
    assert m.problems[-1].stage == "run"
    feed(log, (p.PRODUCT_UPSERT, {"sku": "A", "title": "Tea", "price": 5}),
         (p.CARD_PUSHED, {"sku": "A"}))            # the state fold goes on; nothing raises
    assert state.products["A"].title == "Tea"
    await m.stop_all()
    assert plugin.ws is None


async def test_obs_not_running_fails_start_clearly(tmp_path, memory_keyring):
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]              # nothing listens there once closed
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("obs_overlay", ObsOverlay())
    m.set_enabled("obs_overlay", True)
    m.set_settings("obs_overlay", {"host": "127.0.0.1", "port": port, "connect_timeout_s": 2})
    await m.start_all()
    entry = m.entries["obs_overlay"]
    assert entry.status == "failed"
    assert f"cannot reach OBS at 127.0.0.1:{port}" in entry.error


async def test_password_required_but_none_stored(tmp_path, memory_keyring):
    async with FakeObs("pw", inputs=INPUTS) as obs:
        m, plugin, log, state = setup(tmp_path, obs, connect_timeout_s=2.0)
        await m.start_all()
        entry = m.entries["obs_overlay"]
        assert entry.status == "failed"
        assert "requires a password" in entry.error and "none is stored in the keyring" in entry.error


def test_obs_peer_falls_back_to_the_fake_and_says_why(monkeypatch):
    from tests.plugins import obs_server
    monkeypatch.delenv("LIVEDESK_REAL_OBS", raising=False)
    monkeypatch.setenv("LIVEDESK_OBS", "auto")
    monkeypatch.setattr(obs_server.shutil, "which", lambda name: None)
    peer = obs_server.obs_peer()
    try:
        assert peer.kind == "fake" and not peer.real
        assert "obs-studio" in peer.reason and "is not installed" in peer.reason
        assert "FAKE" in peer.describe() and "NOT a real OBS Studio" in peer.describe()
    finally:
        peer.stop()
    monkeypatch.setenv("LIVEDESK_OBS", "real")          # CI with OBS: no silent fallback
    with pytest.raises(obs_server.ObsUnavailable):
        obs_server.obs_peer()


def test_obs_config_files_enable_the_websocket_server(tmp_path):
    import configparser
    import json
    from tests.plugins.obs_server import write_obs_config
    write_obs_config(tmp_path, 4567, "pw")
    ini = configparser.ConfigParser()
    ini.optionxform = str
    ini.read(tmp_path / "global.ini")
    assert ini["OBSWebSocket"]["ServerEnabled"] == "true" and ini["OBSWebSocket"]["ServerPort"] == "4567"
    cfg = json.loads((tmp_path / "plugin_config" / "obs-websocket" / "config.json").read_text())
    assert cfg["server_enabled"] and cfg["server_port"] == 4567 and cfg["server_password"] == "pw"
