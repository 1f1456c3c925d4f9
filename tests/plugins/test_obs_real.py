"""obs_overlay against a REAL OBS Studio (obs-websocket v5), started by this test.

The ``obs_peer`` fixture (tests/plugins/obs_server.py) starts Debian's obs-studio under
its own Xvfb with a throwaway config dir and obs-websocket enabled on a free port with
a generated password, waits for the port, and stops OBS afterwards. Where OBS cannot
start (not installed, no display), it falls back to the protocol-faithful fake and the
test output says so, with the reason (also in the summary at the end of the run).
``LIVEDESK_REAL_OBS=host:port:password`` uses an OBS you started yourself instead;
``LIVEDESK_OBS=real`` turns "OBS cannot start" into an error.

The texts are read back from OBS through obs-websocket (GetInputSettings), the program
scene with GetCurrentProgramScene, the shown item with GetSceneItemEnabled.
"""

import asyncio
import secrets
import time

import simpleobsws

from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.plugin_host import PluginManager
from console.fold.state import SessionState
from plugins.obs_overlay import ObsOverlay, set_password

INPUTS = ["LD Product", "LD Price", "LD Stock", "LD Countdown"]


async def obs_client(peer):
    ws = simpleobsws.WebSocketClient(url=f"ws://{peer.host}:{peer.port}", password=peer.password)
    deadline = time.monotonic() + 20
    while True:   # the port may answer a moment before OBS accepts requests
        try:
            await ws.connect()
            if await ws.wait_until_identified(5):
                return ws
        except OSError:
            pass
        await ws.disconnect()
        assert time.monotonic() < deadline, "cannot identify with the OBS peer"
        await asyncio.sleep(0.5)


async def call(ws, request_type, data=None):
    res = await ws.call(simpleobsws.Request(request_type, data))
    assert res.ok(), (request_type, data, res.requestStatus)
    return res.responseData or {}


async def prepare_scene(ws, tag):
    """A selling scene with the four LD text inputs and a hidden badge; returns names."""
    idle = (await call(ws, "GetCurrentProgramScene"))["currentProgramSceneName"]
    selling, badge = f"带货 {tag}", f"LD Badge {tag}"
    await call(ws, "CreateScene", {"sceneName": selling})
    existing = {i["inputName"] for i in (await call(ws, "GetInputList"))["inputs"]}
    names = {k: f"{n} {tag}" for k, n in zip(
        ("product_source", "price_source", "stock_source", "countdown_source"), INPUTS)}
    for name in names.values():
        assert name not in existing
        await call(ws, "CreateInput", {"sceneName": selling, "inputName": name,
                                       "inputKind": "text_ft2_source_v2",
                                       "inputSettings": {"text": ""}, "sceneItemEnabled": True})
    created = await call(ws, "CreateInput", {"sceneName": selling, "inputName": badge,
                                             "inputKind": "text_ft2_source_v2",
                                             "inputSettings": {"text": "限时秒杀"},
                                             "sceneItemEnabled": False})
    return idle, selling, badge, created["sceneItemId"], names


def session_with(m):
    log, state = SessionLog(session_id="obs-it", clock=time.time), SessionState()
    log.subscribe(state.apply)
    log.subscribe(m.listener(state))
    return log, state


def feed(log, *events):
    seq, out = log.last_feed_seq, []
    for type_, data in events:
        seq += 1
        out.append(p.make_event(seq, time.time(), type_, data))
    log.append_feed(out)


async def test_overlay_drives_obs(obs_peer, tmp_path, memory_keyring):
    t0 = time.monotonic()
    ws = await obs_client(obs_peer)
    version = await call(ws, "GetVersion")
    print(f"[obs] {obs_peer.kind} peer: OBS {version['obsVersion']}, obs-websocket "
          f"{version['obsWebSocketVersion']} -- {obs_peer.describe()}")
    idle, selling, badge, badge_id, names = await prepare_scene(ws, secrets.token_hex(3))

    # the password goes to the keyring only; the plugin config never holds it
    set_password(obs_peer.host, obs_peer.port, obs_peer.password)
    m = PluginManager(tmp_path / "p.json", discover=False)
    plugin = ObsOverlay()
    m.register("obs_overlay", plugin)
    m.set_enabled("obs_overlay", True)
    m.set_settings("obs_overlay", {"host": obs_peer.host, "port": obs_peer.port, "scene": selling,
                                   "show_source": badge, "stock_hz": 2.0, **names})
    assert obs_peer.password not in (tmp_path / "p.json").read_text()
    log, state = session_with(m)
    await m.start_all()
    assert m.entries["obs_overlay"].status == "running", m.problems
    assert plugin.obs_version == version["obsVersion"]

    async def text(key):
        return (await call(ws, "GetInputSettings", {"inputName": names[key]}))[
            "inputSettings"].get("text", "")

    async def until_text(key, want, timeout=5.0):
        deadline = time.monotonic() + timeout
        while (got := await text(key)) != want:
            assert time.monotonic() < deadline, (key, got, want)
            await asyncio.sleep(0.05)

    # card push: product, price, stock; program scene switched; badge shown
    feed(log, (p.PRODUCT_UPSERT, {"sku": "A1", "title": "羊绒围巾", "price": 199}),
         (p.INVENTORY_SET, {"sku": "A1", "available": 42}), (p.CARD_PUSHED, {"sku": "A1"}))
    await until_text("stock_source", "仅剩 42")
    assert await text("product_source") == "羊绒围巾"
    assert await text("price_source") == "¥199"
    assert (await call(ws, "GetCurrentProgramScene"))["currentProgramSceneName"] == selling
    deadline = time.monotonic() + 5
    while not (await call(ws, "GetSceneItemEnabled", {"sceneName": selling,
                                                      "sceneItemId": badge_id}))["sceneItemEnabled"]:
        assert time.monotonic() < deadline, "badge not shown"
        await asyncio.sleep(0.05)

    # flash sale: deal price and a countdown ticking once a second
    feed(log, (p.FLASH_STARTED, {"flash_id": "f1", "sku": "A1", "deal_price": 99.0, "stock": 20,
                                 "ends_at": time.time() + 65}))
    await until_text("price_source", "¥99")
    await until_text("stock_source", "仅剩 20")
    first = await text("countdown_source")
    assert first.startswith("01:0"), first
    deadline = time.monotonic() + 4
    while await text("countdown_source") == first:
        assert time.monotonic() < deadline, "countdown does not tick"
        await asyncio.sleep(0.1)
    feed(log, (p.FLASH_ENDED, {"flash_id": "f1", "sku": "A1"}))
    await until_text("countdown_source", "")
    await until_text("price_source", "¥199")

    # a burst of stock changes: at most stock_hz updates per second reach OBS, the last lands
    sent_before = sum(1 for r, d in plugin.sent if d.get("inputName") == names["stock_source"])
    t_burst = time.monotonic()
    for left in range(41, 1, -1):                      # 40 changes in ~1 s
        feed(log, (p.INVENTORY_SET, {"sku": "A1", "available": left}))
        await asyncio.sleep(0.025)
    await until_text("stock_source", "仅剩 2")
    elapsed = time.monotonic() - t_burst
    sent = sum(1 for r, d in plugin.sent if d.get("inputName") == names["stock_source"]) - sent_before
    assert sent <= 2 + int(elapsed * 2.0) + 1, (sent, elapsed)

    feed(log, (p.CARD_CLEARED, {}))
    await until_text("product_source", "")
    await m.stop_all()
    assert m.problems == [] and plugin.errors == 0
    assert m.entries["obs_overlay"].status == "stopped"
    await ws.disconnect()
    print(f"[obs] overlay test against the {obs_peer.kind} peer took {time.monotonic() - t0:.1f} s")


async def test_wrong_password_is_a_clear_failure(obs_peer, tmp_path, memory_keyring):
    set_password(obs_peer.host, obs_peer.port, obs_peer.password + "-wrong")
    m = PluginManager(tmp_path / "p.json", discover=False)
    m.register("obs_overlay", ObsOverlay())
    m.set_enabled("obs_overlay", True)
    m.set_settings("obs_overlay", {"host": obs_peer.host, "port": obs_peer.port,
                                   "connect_timeout_s": 5})
    await m.start_all()                                  # never raises
    entry = m.entries["obs_overlay"]
    assert entry.status == "failed"
    assert "authentication failed" in entry.error, entry.error
    await m.stop_all()


async def test_no_keyring_backend_is_a_clear_failure(obs_peer, tmp_path):
    import keyring
    from keyring.backends.fail import Keyring as NoKeyring

    previous = keyring.get_keyring()
    keyring.set_keyring(NoKeyring())
    try:
        m = PluginManager(tmp_path / "p.json", discover=False)
        m.register("obs_overlay", ObsOverlay())
        m.set_enabled("obs_overlay", True)
        m.set_settings("obs_overlay", {"host": obs_peer.host, "port": obs_peer.port,
                                       "connect_timeout_s": 5})
        await m.start_all()
        entry = m.entries["obs_overlay"]
        assert entry.status == "failed"
        assert "requires a password" in entry.error and "no usable system keyring" in entry.error
        await m.stop_all()
    finally:
        keyring.set_keyring(previous)
