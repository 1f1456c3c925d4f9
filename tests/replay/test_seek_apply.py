"""A replay seek's panels refresh in frame-sized slices (console/gui/seek_apply.py) through the
frame clock's budget (widgets/frame_clock.py)."""

from __future__ import annotations

import types

import pytest

import widgets.frame_clock as frame_clock
from console.gui.seek_apply import SeekApply
from widgets.frame_clock import FrameClock


class FakeTime:
    """perf_counter for the frame clock: advanced by the panels' refreshes only."""

    def __init__(self) -> None:
        self.now = 100.0

    def perf_counter(self) -> float:
        return self.now


class State:
    def __init__(self, version: int = 1) -> None:
        self.version = version


class Panel:
    """A panel whose refresh takes ``cost`` seconds of the fake clock; records what it drew."""

    time_dependent = False

    def __init__(self, clock_time: FakeTime, cost: float = 0.004) -> None:
        self.t = clock_time
        self.cost = cost
        self.state = None
        self.drawn: list = []

    def set_state(self, state) -> None:
        self.state = state

    def refresh(self) -> None:
        self.t.now += self.cost
        self.drawn.append(self.state)


@pytest.fixture
def fake_time(monkeypatch):
    ft = FakeTime()
    monkeypatch.setattr(frame_clock, "time", types.SimpleNamespace(perf_counter=ft.perf_counter))
    return ft


def make_clock(fake_time, n: int = 6, budget: float | None = 0.010) -> tuple[FrameClock, list[Panel]]:
    clock = FrameClock(State(1))
    clock.budget_s = budget
    panels = [Panel(fake_time) for _ in range(n)]
    for w in panels:
        clock.add(w)
    return clock, panels


def test_a_frame_stops_at_its_budget_and_the_next_goes_on(fake_time, qapp):
    clock, panels = make_clock(fake_time)
    clock.tick()
    # 4 ms each against 10 ms: the third refresh ends the frame at 12 ms
    assert [len(w.drawn) for w in panels] == [1, 1, 1, 0, 0, 0] and clock.behind
    clock.tick()
    assert [len(w.drawn) for w in panels] == [1] * 6 and not clock.behind
    clock.tick()
    assert [len(w.drawn) for w in panels] == [1] * 6        # nothing stale, nothing drawn


def test_without_a_budget_or_forced_everything_refreshes(fake_time, qapp):
    clock, panels = make_clock(fake_time, budget=None)
    clock.tick()
    assert [len(w.drawn) for w in panels] == [1] * 6 and not clock.behind
    clock.budget_s = 0.001
    clock.tick(force=True)
    assert [len(w.drawn) for w in panels] == [2] * 6 and not clock.behind


def test_no_panel_starves_when_every_frame_runs_out(fake_time, qapp):
    clock, panels = make_clock(fake_time, n=5, budget=0.001)   # one refresh per frame
    for i in range(10):
        clock.state.version += 1          # playing: the state changes before every frame
        clock.tick()
    assert [len(w.drawn) for w in panels] == [2] * 5      # taken in turn, from where it stopped


def test_seek_apply_spreads_the_refresh_over_slices(fake_time, qtbot):
    clock, panels = make_clock(fake_time)
    applier = SeekApply(clock, budget_s=0.010)
    assert clock.budget_s == 0.010
    done: list = []
    applier.sig_applied.connect(done.append)
    new = State(7)
    applier.apply(new)
    assert all(w.state is new for w in panels)              # rebound at once
    assert applier.busy and sum(len(w.drawn) for w in panels) == 3     # the first slice only
    qtbot.waitUntil(lambda: not applier.busy, timeout=2000)
    assert done == [new] and applier.slices == 2 and applier.applied == 1
    assert all(w.drawn == [new] for w in panels)           # each panel drew the new state once


def test_a_newer_state_replaces_one_being_applied(fake_time, qtbot):
    clock, panels = make_clock(fake_time)
    applier = SeekApply(clock, budget_s=0.010)
    done: list = []
    applier.sig_applied.connect(done.append)
    first, second = State(3), State(4)
    applier.apply(first)
    assert applier.busy
    applier.apply(second)                  # a drag: the next position arrives meanwhile
    qtbot.waitUntil(lambda: not applier.busy, timeout=2000)
    assert done == [second] and applier.applied == 1
    assert all(w.drawn[-1] is second for w in panels)
    assert sum(w.drawn.count(first) for w in panels) == 3    # only the first slice drew it


class SlowPanel(Panel):
    """A panel that spreads its work over refreshes: ``pending`` until ``parts`` refreshes."""

    def __init__(self, clock_time: FakeTime, parts: int) -> None:
        super().__init__(clock_time, cost=0.001)
        self.parts = parts
        self.pending = False

    def set_state(self, state) -> None:
        super().set_state(state)
        self.left = self.parts
        self.pending = True

    def refresh(self) -> None:
        super().refresh()
        self.left -= 1
        self.pending = self.left > 0


def test_seek_apply_waits_for_a_pending_panel(fake_time, qtbot):
    clock, panels = make_clock(fake_time, n=2)
    slow = SlowPanel(fake_time, parts=4)
    clock.add(slow)
    applier = SeekApply(clock, budget_s=0.010)
    done: list = []
    applier.sig_applied.connect(done.append)
    new = State(9)
    applier.apply(new)
    qtbot.waitUntil(lambda: not applier.busy, timeout=2000)
    assert done == [new] and not slow.pending and slow.drawn.count(new) == 4
    assert applier.slices == 4 and all(w.drawn == [new] for w in panels)
