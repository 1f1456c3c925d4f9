"""The built-in simulator feed: a Simulator as the source of a protocol v1 FeedServer.

:class:`SimServer` is a :class:`console.feed.server.FeedServer` (which does the protocol:
handshake, tokens, resume, retention, batching, resend, ping, command checks) whose
source is a :class:`plugins.simulator.model.Simulator`: it publishes the simulator's
events on a clock that runs ``speed`` times wall time (or, in load mode, as fast as
``load_eps`` and the fastest client allow), gives the welcome its catalog and ``speed``,
the snapshot for a client whose position is no longer retained, and carries out
operator commands. ``livedesk simulate`` is ``plugins/simulator/cli.py``. No Qt here.
"""

from __future__ import annotations

import asyncio
import contextlib
import secrets
import time
from pathlib import Path

from console.core.plan import ShowPlan, load_plan
from console.feed.server import FeedServer, Rejected, Unsupported
from console.support.resources import sample_plan_path
from plugins.simulator.model import Simulator, default_session_id

DEFAULT_RETENTION = 1_000_000
STEP_INTERVAL_S = 0.05
#: load mode generates at most this many events between yields to the event loop
LOAD_CHUNK = 500
#: load mode runs at most this many events ahead of the most advanced client: the rate
#: is EPS or what the fastest client takes, whichever is lower (slower clients fall
#: behind in the ring as they would on a real feed)
LOAD_LEAD = 20_000


def default_plan_path() -> Path:
    """The bundled sample plan (``resources/sample_plan.yaml``)."""
    return sample_plan_path()


class SimServer(FeedServer):
    """A feed server whose source is a simulated session.

    The event loop is never held for long: load mode generates events in chunks of at
    most ``LOAD_CHUNK`` and yields between them (and the feed server's senders yield
    every few frames), so new connections, hellos, resumes, resends and pings are served
    while under full load.

    In load mode the generator starts when the first client has been welcomed
    (``wait_for_client``), so a benchmark measures the live stream rather than a replay of
    a backlog; the session preamble is there from the start. Load mode takes no commands.
    """

    def __init__(self, plan: ShowPlan | str | Path | None = None, *, seed: int = 7,
                 speed: float = 1.0, host: str = "127.0.0.1", port: int = 0,
                 token: str | None = None, batch: int = 1, load_eps: float | None = None,
                 retention: int | None = DEFAULT_RETENTION, duration: float | None = None,
                 total: int | None = None, session_id: str | None = None,
                 autopilot: bool = True, start_ts: float | None = None,
                 audience: int = 3000, wait_for_client: bool | None = None,
                 load_comments: float | None = None) -> None:
        if plan is None:
            plan = default_plan_path()
        self.plan = plan if isinstance(plan, ShowPlan) else load_plan(plan)
        self.seed = seed
        self.speed = float(speed) if speed and speed > 0 else 1.0
        self.load_eps = load_eps
        self.load_comments = load_comments
        self.duration = duration
        self.total = total
        self.start_ts = start_ts
        self.wait_for_client = bool(load_eps) if wait_for_client is None else wait_for_client
        if session_id is None:
            # Each run of the server is a new live session (a second run with the same plan
            # and seed must not resume the first one's recording); the events stay seeded.
            session_id = (f"{default_session_id(self.plan, seed)}-"
                          f"{time.strftime('%Y%m%d-%H%M%S')}-{secrets.token_hex(2)}")
        self.sim = Simulator(self.plan, seed=seed, start_ts=start_ts, autopilot=autopilot,
                             audience=audience, session_id=session_id)
        super().__init__(self.sim.session_info, host=host, port=port,
                         retention=retention or DEFAULT_RETENTION, batch=batch or 1,
                         token=token, hook=self._on_operator_command, catalog=self.sim.catalog,
                         snapshot=self.sim.snapshot, welcome_extra={"speed": self.speed})
        self.finished = asyncio.Event()
        self._driver: asyncio.Task | None = None
        self._wall0 = 0.0
        self._sim0 = 0.0

    # ---- lifecycle -----------------------------------------------------------
    def sim_now(self) -> float:
        return self._sim0 + (time.monotonic() - self._wall0) * self.speed

    async def start(self) -> str:
        self.finished = asyncio.Event()
        url = await super().start()
        self._wall0 = time.monotonic()
        self._sim0 = self.start_ts if self.start_ts is not None else time.time()
        self.publish(self.sim.step(self._sim0))
        self._driver = asyncio.create_task(self._drive_load() if self.load_eps else self._drive())
        return url

    async def stop(self) -> None:
        if self._driver is not None:
            self._driver.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._driver
            self._driver = None
        await super().stop()
        self.finished.set()

    # ---- the source ------------------------------------------------------------
    async def _drive(self) -> None:
        try:
            while True:
                now = self.sim_now()
                if self.duration is not None and now - self._sim0 >= self.duration * self.speed:
                    self.publish(self.sim.end(self._sim0 + self.duration * self.speed))
                    break
                self.publish(self.sim.step(now))
                await asyncio.sleep(STEP_INTERVAL_S)
        finally:
            self.finished.set()

    async def _drive_load(self) -> None:
        """Emit ``load_eps`` events per second, in chunks, yielding to the loop after each."""
        eps = float(self.load_eps or 0)
        lead = min(LOAD_LEAD, max(1, self.retention // 2))   # never outrun the ring
        try:
            if self.wait_for_client:
                await self.wait_for_first_client()
            gen = self.sim.load(eps, start_ts=self._sim0, chunk=LOAD_CHUNK,
                                comments_per_s=self.load_comments)
            total = self.total
            budget = int(round(eps * self.duration)) if self.duration is not None else None
            produced = 0
            t0 = time.monotonic()
            for events in gen:
                if budget is not None:
                    if produced >= budget:
                        break
                    events = events[:budget - produced]
                if total is not None:
                    room = total - 1 - self.emitted  # keep one seq for session.ended
                    if room <= 0:
                        break
                    if len(events) > room:
                        events = events[:room]
                        self.sim.seq = events[-1]["seq"]  # drop the unsent tail's numbers
                self.publish(events)
                produced += len(events)
                if total is not None and self.emitted >= total - 1:
                    break
                await self.wait_for_readers(lead)
                # pace: event number `produced` is due at t0 + produced / eps
                delay = t0 + produced / eps - time.monotonic()
                await asyncio.sleep(delay if delay > 0 else 0)
            # events generated but cut off above are dropped: continue after the last sent
            self.sim.seq = self.last_seq
            self.publish(self.sim.end(self.sim.last_ts))
        finally:
            self.finished.set()

    def _on_operator_command(self, name: str, args: dict) -> list[dict]:
        """The source hook: apply an operator command at the simulated now."""
        if self.load_eps:
            raise Unsupported("commands are not available in load mode")
        now = self.sim_now()
        self.publish(self.sim.step(now))
        events, error = self.sim.handle_command(name, args, now)
        if error:
            self.publish(events)
            raise Rejected(error)
        return events
