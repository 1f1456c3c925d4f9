"""Prompter relay: a remote panel fed by the relay shows what the local one shows."""

from __future__ import annotations

import asyncio

import pytest
import websockets

from console.core import protocol as p
from console.live.relay import CLOSE_UNAUTHORIZED, PrompterRelay, RelayClient, RelayError
from widgets.prompter_panel import PrompterPanel

pytestmark = pytest.mark.gui


async def _until(pred, timeout=5.0):
    deadline = asyncio.get_running_loop().time() + timeout
    while not pred():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.01)


async def test_remote_panel_matches_local(qtbot, tmp_path, driver):
    from PySide6.QtCore import QSettings
    a, b = driver.skus[:2]
    driver.feed(p.CARD_PUSHED, {"sku": a})
    acks = []
    relay = PrompterRelay(driver.log, state=driver.state, token="s3cret", on_cue_ack=acks.append)
    await relay.start()
    client = RelayClient(relay.url, "s3cret", reconnect=False)
    task = asyncio.ensure_future(client.run())
    try:
        await asyncio.wait_for(client.snapshot_received.wait(), 5)
        # later events are forwarded and folded the same way
        driver.feed(p.INVENTORY_SET, {"sku": a, "available": 17})
        driver.feed(p.FLASH_STARTED, {"flash_id": "f1", "sku": a, "deal_price": 299.0,
                                      "stock": 80, "ends_at": driver.t + 95})
        driver.local(p.OPERATOR_CUE, {"text": "上链接"})
        driver.local(p.ALERT_RAISED, {"key": "online", "kind": "viewers_drop", "message": "在线下降"})
        await _until(lambda: client.state.last_seq == driver.state.last_seq)
        driver.feed(p.CARD_PUSHED, {"sku": b})
        await _until(lambda: client.state.last_seq == driver.state.last_seq)

        clock = lambda: driver.t  # noqa: E731
        local = PrompterPanel(settings=QSettings(str(tmp_path / "l.ini"), QSettings.Format.IniFormat),
                              clock=clock)
        remote = PrompterPanel(settings=QSettings(str(tmp_path / "r.ini"), QSettings.Format.IniFormat),
                               clock=clock)
        for w in (local, remote):
            qtbot.addWidget(w)
            w.resize(1280, 720)
        local.set_state(driver.state)
        remote.set_state(client.state)
        lt, rt = local.displayed_texts(), remote.displayed_texts()
        assert lt == rt
        assert lt["title"] == driver.state.products[b].title
        assert "上链接" in rt["cue"]
        assert client.state.products[a].stock == 17

        # the remote host acknowledges the cue: it comes back to the console's callback
        remote.sig_cue_acknowledged.connect(lambda seq: asyncio.ensure_future(client.send_cue_ack(seq)))
        assert remote.acknowledge_cue()
        await _until(lambda: acks == [driver.state.cue["seq"]])
        driver.local(p.OPERATOR_CUE_ACK, {"cue_seq": acks[0]})
        await _until(lambda: client.state.last_seq == driver.state.last_seq)
        local.refresh()
        remote.refresh()
        assert not local.cue_flashing() and not remote.cue_flashing()
    finally:
        await client.close()
        await asyncio.wait_for(task, 5)
        await relay.stop()


async def test_wrong_token_refused(driver):
    relay = PrompterRelay(driver.log, state=driver.state, token="right")
    await relay.start()
    try:
        client = RelayClient(relay.url, "wrong")
        await asyncio.wait_for(client.run(), 5)      # returns: no reconnect after 4401
        assert client.status == "unauthorized"
        assert client.close_code == CLOSE_UNAUTHORIZED
        assert client.state is None
        # hello-message auth: wrong token refused, right token gets the snapshot
        async with websockets.connect(relay.url) as ws:
            await ws.send(p.dumps_text({"op": "hello", "token": "nope"}))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == CLOSE_UNAUTHORIZED
        async with websockets.connect(relay.url) as ws:     # no token at all
            await ws.send(p.dumps_text({"op": "ping"}))
            with pytest.raises(websockets.ConnectionClosed):
                await asyncio.wait_for(ws.recv(), 5)
            assert ws.close_code == CLOSE_UNAUTHORIZED
        good = RelayClient(relay.url, "right", token_in_header=False, reconnect=False)
        task = asyncio.ensure_future(good.run())
        await asyncio.wait_for(good.snapshot_received.wait(), 5)
        assert good.state.last_seq == driver.state.last_seq
        await good.close()
        await asyncio.wait_for(task, 5)
    finally:
        await relay.stop()


def test_binds_loopback_unless_asked(driver):
    with pytest.raises(RelayError):
        PrompterRelay(driver.log, host="0.0.0.0", state=driver.state)
    relay = PrompterRelay(driver.log, host="0.0.0.0", state=driver.state, allow_remote=True)
    assert relay.token  # a token is generated when none is given
