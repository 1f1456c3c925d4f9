"""flash.end (issue 16): the operator ends a running flash sale early; the simulator answers with
flash.ended reason "operator", refuses unknown or finished sales, and marks who did what."""

from __future__ import annotations

import asyncio
import json

from websockets.asyncio.client import connect

from console.core import protocol as p
from plugins.simulator.server import SimServer
from plugins.simulator.model import Simulator
from tests.plugins.simulator.conftest import T0
from tests.plugins.simulator.test_simulator import fold, run


def test_flash_end_command_ends_the_sale_with_reason_operator(plan):
    assert p.CMD_FLASH_END in p.COMMANDS
    assert p.check_command(p.command("c1", "flash.end", {"flash_id": "F0001"})) is None
    assert "flash_id" in p.check_command(p.command("c2", "flash.end", {}))
    sim = Simulator(plan, seed=3, start_ts=T0, autopilot=False)
    events = run(sim, 60)
    ev, err = sim.handle_command("flash.start", {"sku": "QM-FW-001", "deal_price": 329, "stock": 200,
                                                 "duration_s": 600}, T0 + 60)
    assert err is None
    events += ev
    fid = ev[-1]["data"]["flash_id"]
    assert ev[-1]["data"]["by"] == "operator"
    events += run(sim, 10, T0 + 61)
    assert fid in sim.flashes                                  # still running
    ev, err = sim.handle_command("flash.end", {"flash_id": fid}, T0 + 72)
    assert err is None and [e["type"] for e in ev] == [p.FLASH_ENDED]
    assert ev[0]["data"]["reason"] == "operator" and ev[0]["data"]["flash_id"] == fid
    events += ev
    # no more flash-price orders after it ended, and it cannot be ended twice
    later = run(sim, 60, T0 + 73)
    assert not [e for e in later if e["type"] == p.ORDER_CREATED and e["data"].get("flash_id") == fid]
    _, err = sim.handle_command("flash.end", {"flash_id": fid}, T0 + 160)
    assert err and "no running flash sale" in err
    _, err = sim.handle_command("flash.end", {"flash_id": "F9999"}, T0 + 160)
    assert err
    st = fold(events + later)
    fs = st.flash_sales[fid]
    assert fs.ended_at == ev[0]["ts"] and fs.reason == "operator"
    assert st.active_flash("QM-FW-001") is None


def test_card_events_say_who_did_them(plan):
    sim = Simulator(plan, seed=3, start_ts=T0, autopilot=True)
    events = run(sim, 40)                                      # autopilot pushes the first card
    auto = [e for e in events if e["type"] == p.CARD_PUSHED]
    assert auto and all(e["data"]["by"] == "autopilot" for e in auto)
    ev, _ = sim.handle_command("card.push", {"sku": "QM-KN-002"}, T0 + 41)
    assert ev[-1]["data"]["by"] == "operator"
    ev2, _ = sim.handle_command("card.clear", {}, T0 + 42)
    assert ev2[-1]["data"]["by"] == "operator"
    st = fold(events + ev + ev2)
    assert [s.pushed_by for s in st.segments] == ["simulator", "operator"]
    assert st.cleared_by == "operator"


def test_simserver_serves_flash_end(plan):
    async def go() -> list[dict]:
        server = SimServer(plan, seed=5, speed=1.0, autopilot=False)
        await server.start()
        try:
            async with connect(server.url) as ws:
                await ws.send(p.dumps_text(p.hello("test")))
                got: list = []

                async def until(pred):
                    while True:
                        msg = json.loads(await asyncio.wait_for(ws.recv(), 5))
                        got.extend(msg if isinstance(msg, list) else [msg])
                        if pred(msg):
                            return msg

                await until(lambda m: isinstance(m, dict) and m.get("op") == "welcome")
                await ws.send(p.dumps_text(p.command("a", "flash.start", {
                    "sku": "QM-FW-001", "deal_price": 329, "stock": 5, "duration_s": 300})))
                await until(lambda m: isinstance(m, dict) and m.get("op") == "ack")
                fid = next(e["data"]["flash_id"] for e in got if e.get("type") == p.FLASH_STARTED)
                await ws.send(p.dumps_text(p.command("b", "flash.end", {"flash_id": fid})))
                await until(lambda m: isinstance(m, dict) and m.get("op") == "ack" and m["id"] == "b")
                await ws.send(p.dumps_text(p.command("c", "flash.end", {"flash_id": fid})))
                await until(lambda m: isinstance(m, dict) and m.get("op") == "error")
                return got
        finally:
            await server.stop()

    got = asyncio.run(go())
    ended = [e for e in got if e.get("type") == p.FLASH_ENDED]
    assert len(ended) == 1 and ended[0]["data"]["reason"] == "operator"
    err = [m for m in got if m.get("op") == "error"]
    assert err[0]["id"] == "c" and err[0]["code"] == "rejected"
