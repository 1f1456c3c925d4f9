"""A session without a network: the simulator as the feed, one log, one fold, a fake clock."""
from __future__ import annotations

from pathlib import Path

import pytest

from console.api import FeedStatusView, Recorder
from console.core import protocol as p
from console.core.eventlog import SessionLog
from console.core.plan import ShowPlan, load_plan
from console.live.alerts import Thresholds
from console.live.lag import FeedLag
from plugins.simulator.model import Simulator
from console.fold.state import SessionState

PLAN_PATH = Path(__file__).resolve().parents[2] / "resources" / "sample_plan.yaml"
T0 = 1_760_000_000.0


class SimSession:
    """The LiveSession face (console.api.Session) over an in-process simulator, on a clock the
    test advances (``t``)."""

    def __init__(self, plan, *, seed: int = 3, autopilot: bool = False, comments: bool = True) -> None:
        self.t = T0
        self.sim = Simulator(plan, seed=seed, start_ts=T0, autopilot=autopilot, comments=comments)
        self.log = SessionLog(clock=lambda: self.t)
        self.state = SessionState()
        self.status: FeedStatusView | None = None
        self.lag: FeedLag | None = None
        self.plan: ShowPlan | None = plan
        self.recorder: Recorder | None = None
        self.switched: tuple[str, str] | None = None
        self.thresholds = Thresholds()
        self.log.subscribe(self.state.apply)
        self.events = []
        self.log.subscribe(self.events.extend)
        self.errors: list[str] = []
        self.log.append_local(p.PLAN_LOADED, {"plan": plan.to_dict()}, "system")
        self.advance(0)

    def now(self) -> float:
        return self.t

    def set_thresholds(self, thresholds: Thresholds) -> None:
        self.thresholds = thresholds

    async def stop(self) -> None:
        pass

    def advance(self, seconds: float) -> None:
        self.t += seconds
        out = self.sim.step(self.t)
        if out:
            self.log.append_feed(out)

    def feed(self, type_: str, data: dict) -> None:
        """One extra feed event from the simulator's numbering (a scripted comment or order)."""
        ev = self.sim._emit([], self.t, type_, data)
        if type_ == p.COMMENT:
            self.sim._remember_comment(data)      # so that it can be pinned or answered
        self.log.append_feed([ev])

    def send_command(self, name: str, args: dict, source: str = "operator") -> str:
        cid = f"c{len(self.events)}"
        self.log.append_local(p.OPERATOR_COMMAND, {"command_id": cid, "name": name, "args": args},
                              source)
        events, error = self.sim.handle_command(name, args, self.t)
        if events:
            self.log.append_feed(events)
        if error:
            self.errors.append(error)
            self.log.append_local(p.OPERATOR_ERROR, {"command_id": cid, "code": "rejected",
                                                     "message": error}, "system")
        else:
            self.log.append_local(p.OPERATOR_ACK, {"command_id": cid,
                                                   "feed_seq": self.sim.seq}, "system")
        return cid

    def append_local(self, type_: str, data: dict, source: str = "operator"):
        return self.log.append_local(type_, data, source)

    def of_type(self, type_: str) -> list:
        return [e for e in self.events if e.type == type_]


@pytest.fixture(scope="session")
def plan():
    return load_plan(PLAN_PATH)


@pytest.fixture
def session(plan):
    return SimSession(plan, comments=False)
