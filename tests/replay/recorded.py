"""A simulated session written by the real Recorder, the way `livedesk record` writes it.

Used by the replay GUI tests and scripts/screenshot_replay.py: the built-in simulator
(plugins.simulator.model, sample plan with Chinese product names) produces the feed, a
SessionLog folds it, and console.recorder.Recorder commits events, snapshots every
``snapshot_every`` events, first purchases and the session summary to a real database.
``advance`` can be called again later: a session that is still being recorded.
"""

from __future__ import annotations

from pathlib import Path

import orjson

from console.core import protocol as p
from console.live.alerts import AlertEngine, Thresholds
from console.core.eventlog import SessionLog
from console.core.plan import load_plan
from console.recorder import Recorder
from plugins.simulator.model import Simulator
from console.fold.state import SessionState

ROOT = Path(__file__).resolve().parents[2]
SAMPLE_PLAN = ROOT / "resources" / "sample_plan.yaml"
T0 = 1_700_000_000.0


class SimRecording:
    def __init__(self, url: str, sid: str = "sim", *, seed: int = 7, start_ts: float = T0,
                 snapshot_every: int = 500, room: str = "官方旗舰店", title: str | None = None,
                 audience: int = 3000) -> None:
        self.plan = load_plan(SAMPLE_PLAN)
        self.sid = sid
        self.sim = Simulator(self.plan, seed=seed, start_ts=start_ts, session_id=sid, audience=audience)
        self.rec = Recorder(url, flush_interval=0.01)
        self.rec.open_session(sid, {"title": title or self.plan.title, "room": room,
                                    "platform": "douyin", "started_at": start_ts})
        self.snapshot_every = snapshot_every
        self.log = SessionLog(session_id=sid)
        self.log.clock = lambda: self.now
        self.state = SessionState()
        self.log.subscribe(self.state.apply)
        self.log.subscribe(self._after)
        self._since = 0
        self.alerts = AlertEngine(Thresholds())
        self.start_ts = self.now = start_ts
        self.log.append_local(p.PLAN_LOADED, {"plan": self.plan.to_dict()}, ts=start_ts)

    def _after(self, events) -> None:
        self.rec.submit(events)
        keys = self.state.buyers_registry.new_keys
        if keys:
            self.rec.submit_first_purchases(list(keys))
            keys.clear()
        self._since += len(events)
        if self._since >= self.snapshot_every:
            self.snapshot()

    def snapshot(self) -> None:
        self._since = 0
        self.rec.submit_snapshot(self.state.last_seq, orjson.dumps(self.state.to_snapshot()))

    def advance(self, seconds: float, step: float = 5.0, cue_every: float = 300.0) -> int:
        """Simulate ``seconds`` more of the session; returns the log's last seq."""
        end = self.now + seconds
        while self.now < end:
            self.now = min(end, self.now + step)
            self.log.append_feed(self.sim.step(self.now))
            for type_, data in self.alerts.evaluate(self.state, self.now):   # as the live console does
                self.log.append_local(type_, data, source="system", ts=self.now)
            if int(self.now - self.start_ts) % int(cue_every) == 0:
                self.log.append_local(p.OPERATOR_CUE, {"text": "催单", "kind": "free"}, ts=self.now)
        self.summary()
        assert self.rec.flush(), self.rec.last_error
        return self.state.last_seq

    def summary(self, ended: bool = False) -> None:
        s = dict(self.state.summary())
        s["started_at"] = self.start_ts
        if ended:
            s["ended_at"] = self.state.ended_at or self.state.last_ts
        self.rec.update_summary(s)

    def end(self) -> int:
        self.log.append_feed(self.sim.end(self.now))
        self.snapshot()
        self.summary(ended=True)
        assert self.rec.flush(), self.rec.last_error
        return self.state.last_seq

    def close(self) -> None:
        self.rec.close()
