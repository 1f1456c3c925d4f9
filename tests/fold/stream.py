"""A rich session log for fold tests: every event type the fold handles, in one stream.

The simulator (autopilot on: card pushes, re-pops, flash sales, orders paid, cancelled and
refunded, comments, per-product traffic) is the feed; around it come the console's own events
(plan, operator commands with their acks and errors, cues, script and plan edits, a reorder,
alerts, automation, feed status, a gap, an invalid event, a feed snapshot), a reply and a pin,
plus events the fold must count and ignore (an unknown type, a malformed order). Deterministic:
the same list every time.
"""

from __future__ import annotations

from pathlib import Path

from console.core import protocol as p
from console.core.eventlog import Event, SessionLog
from console.core.plan import load_plan
from plugins.simulator.model import Simulator

PLAN_PATH = Path(__file__).resolve().parents[2] / "resources" / "sample_plan.yaml"
T0 = 1_760_000_000.0
STEP_S = 5.0


class _Session:
    def __init__(self, seed: int) -> None:
        self.plan = load_plan(PLAN_PATH)
        self.now = T0
        self.sim = Simulator(self.plan, seed=seed, start_ts=T0, audience=800)
        self.log = SessionLog(session_id="rich", clock=lambda: self.now)
        self.events: list[Event] = []
        self.log.subscribe(self.events.extend)
        self._n = 0

    def local(self, type_: str, data: dict, source: str = "operator") -> None:
        self.log.append_local(type_, data, source)

    def feed(self, wire: list[dict]) -> None:
        if wire:
            self.log.append_feed(wire)

    def command(self, name: str, args: dict) -> None:
        """An operator command as the live session logs it: the command, the feed's events,
        then its ack or error."""
        self._n += 1
        cid = f"cmd{self._n}"
        self.local(p.OPERATOR_COMMAND, {"command_id": cid, "name": name, "args": args})
        out, error = self.sim.handle_command(name, args, self.now)
        self.feed(out)
        if error is None:
            self.local(p.OPERATOR_ACK, {"command_id": cid, "feed_seq": self.sim.last_seq}, "system")
        else:
            self.local(p.OPERATOR_ERROR, {"command_id": cid, "code": "rejected", "message": error},
                       "system")

    def advance(self, seconds: float) -> None:
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + STEP_S)
            self.feed(self.sim.step(self.now))

    def question_id(self) -> str:
        """The newest simulated comment (for a reply and a pin)."""
        for ev in reversed(self.events):
            if ev.type == p.COMMENT and ev.data.get("comment_id"):
                return ev.data["comment_id"]
        raise AssertionError("no comment yet")

    def next_feed_seq(self) -> int:
        return self.sim.last_seq + 1


def rich_events(seed: int = 5) -> list[Event]:
    """The stream (see the module docstring)."""
    s = _Session(seed)
    plan = s.plan.to_dict()
    plan["automation"] = {"enabled": False, "rules": []}
    s.local(p.PLAN_LOADED, {"plan": plan}, "system")
    s.local(p.FEED_STATUS, {"state": "connecting", "attempt": 0, "speed": 1.0}, "system")
    s.advance(0)
    s.local(p.FEED_STATUS, {"state": "live", "attempt": 0, "speed": 1.0}, "system")
    s.advance(120)
    skus = [prod.sku for prod in s.plan.products]
    s.command(p.CMD_CARD_PUSH, {"sku": skus[2]})
    s.local(p.OPERATOR_CUE, {"text": "讲一下尺码", "kind": "free"})
    s.advance(60)
    s.local(p.OPERATOR_CUE_ACK, {"cue_seq": s.events[-1].seq})
    s.command(p.CMD_FLASH_START, {"sku": skus[2], "deal_price": 1.0, "stock": 5, "duration_s": 60})
    s.command(p.CMD_CARD_PUSH, {"sku": "NO-SUCH-SKU"})             # rejected: an error result
    s.advance(40)
    qid = s.question_id()
    s.command(p.CMD_COMMENT_SEND, {"text": "有的，M码", "reply_to": qid, "source": "operator"})
    s.command(p.CMD_COMMENT_PIN, {"comment_id": qid})
    s.local(p.OPERATOR_SCRIPT_EDIT, {"sku": skus[2], "cue_card": {"selling_points": ["轻", "暖"]},
                                     "script": "新的讲稿"})
    s.local(p.PLAN_PRODUCT_UPSERTED, {"product": {"sku": "NEW-1", "title": "新品", "price": 59.0,
                                                   "list_price": 99.0, "script": "加播",
                                                   "cue_card": {"selling_points": ["便宜"]}},
                                      "index": 1})
    s.local(p.OPERATOR_REORDER, {"order": [skus[3], "NEW-1", skus[0]]})
    s.local(p.ALERT_RAISED, {"key": "stock:" + skus[2], "kind": "low_stock", "severity": "warn",
                             "message": "库存不足", "sku": skus[2]}, "system")
    s.local(p.ALERT_RAISED, {"key": "behind", "kind": "behind", "message": "落后"}, "system")
    s.local(p.AUTOMATION_CONFIG, {"config": {"enabled": True, "rules": [{"kind": "repop"}]}})
    s.local(p.AUTOMATION_STATE, {"enabled": True, "paused": False})
    s.local(p.AUTOMATION_ACTION, {"kind": "timer_warning", "sku": skus[2], "text": "还剩1分钟"},
            "automation")
    s.local(p.AUTOMATION_BLOCKED, {"kind": "repop", "reason": "operator_busy"}, "automation")
    s.advance(90)
    s.local(p.ALERT_CLEARED, {"key": "behind"}, "system")
    s.local(p.OPERATOR_COMMAND, {"command_id": "pending1", "name": p.CMD_CARD_CLEAR, "args": {}})
    # the feed's odd events: an unknown type, a malformed order, one kept as invalid
    seq = s.next_feed_seq()
    s.sim.seq += 2
    s.feed([{"seq": seq, "ts": s.now, "type": "mystery.event", "data": {"x": 1}},
            {"seq": seq + 1, "ts": s.now, "type": p.ORDER_PAID,
             "data": {"order_id": "bad1", "sku": skus[0], "qty": 0, "amount": 1.0}}])
    s.local(p.FEED_INVALID, {"reason": "seq far ahead", "event": {"seq": 10**9}}, "system")
    # a refund, then orders the fold must refuse: a duplicate and two bad transitions
    paid = next(ev.data for ev in s.events if ev.type == p.ORDER_PAID)
    odd = [(p.ORDER_REFUNDED, dict(paid, reason="quality")), (p.ORDER_PAID, paid),
           (p.ORDER_CANCELLED, paid), (p.ORDER_CREATED, paid),
           (p.FLASH_ENDED, {"flash_id": "F-none", "sku": skus[0]})]
    seq = s.next_feed_seq()
    s.sim.seq += len(odd)
    s.feed([{"seq": seq + i, "ts": s.now, "type": t, "data": d} for i, (t, d) in enumerate(odd)])
    # a gap the feed could not fill, then its snapshot (a card change and totals ahead)
    s.local(p.FEED_GAP, {"from": s.sim.last_seq + 1, "to": s.sim.last_seq + 40,
                         "reason": "resend_timeout"}, "system")
    s.sim.seq += 40
    s.local(p.FEED_SNAPSHOT, {"products": [{"sku": skus[1], "title": "快照标题", "price": 188.0,
                                            "stock": 77}],
                              "traffic": {"online": 999, "viewers": 10**6},
                              "current_sku": skus[1],
                              "totals": {"gmv": 10**7, "orders": 10**5, "units": 10**5,
                                         "buyers": 10**4}}, "system")
    s.advance(150)
    s.local(p.AUTOMATION_STATE, {"paused": True})
    s.command(p.CMD_CARD_CLEAR, {})
    s.advance(60)
    s.command(p.CMD_CARD_PUSH, {"sku": skus[4]})
    s.advance(120)
    s.feed(s.sim.end(s.now))
    return s.events


__all__ = ["rich_events", "T0"]
