"""When the feed outruns the console it says so (status bar, an alert in the session log) and
catches up (fewer paints meanwhile), never falling behind silently (issue 19)."""

from __future__ import annotations

from console.core import protocol as p
from console.live.alerts import SessionAlerts
from tests.support.demo import FakeSession
from console.live.lag import FeedLag


class Clock:
    def __init__(self) -> None:
        self.t = 100.0

    def __call__(self) -> float:
        return self.t


def _window(qtbot, lag):
    from console.gui.main_window import MainWindow

    session = FakeSession()
    session.lag = lag
    win = MainWindow(session, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.show()
    return win, session


def _fall_behind(lag: FeedLag, clock: Clock) -> None:
    """A backlog: 3 s of feed time read over 6 s, 5,000 events a read."""
    lag.observe(1000.0, 5000)                       # on time (the baseline)
    for k in range(1, 7):
        clock.t += 1.0
        lag.observe(1000.0 + k * 0.5, 5000)
    assert lag.behind and lag.lag_s > 2.5


def test_backlog_shows_in_the_status_bar_and_the_log_and_clears_when_caught_up(qtbot):
    clock = Clock()
    lag = FeedLag(monotonic=clock)
    win, session = _window(qtbot, lag)
    log: list = []
    session.log.subscribe(log.extend)                       # everything appended to the log
    alerts = SessionAlerts(session)                         # what the live session runs
    win.clock.tick(force=True)
    assert win.status.behind.text() == ""                   # on time: nothing shown
    assert alerts.check() == []

    _fall_behind(lag, clock)
    win.clock.tick(force=True)
    assert win.status.behind.isVisible()
    text = win.status.behind.text()
    assert text.startswith("⚠")
    assert "falling behind the feed" in text
    assert f"{lag.behind_events}" in text and f"{lag.lag_s:.1f} s" in text
    assert lag.behind_events > 10_000                      # about 3 s at 5,000 a second

    out = alerts.check()
    raised = [d for t, d in out if t == p.ALERT_RAISED and d["kind"] == "behind"]
    assert len(raised) == 1
    assert raised[0]["events"] == lag.behind_events and raised[0]["value"] == round(lag.lag_s, 1)
    logged = [e for e in log if e.type == p.ALERT_RAISED and e.data.get("kind") == "behind"]
    assert len(logged) == 1 and logged[0].source == "system"
    assert alerts.check() == []                            # said once, not every second
    from widgets.alerts_panel import alert_text
    assert "Falling behind the feed by about" in alert_text(raised[0])

    # caught up: the indicator goes, the alert is cleared in the log
    clock.t += 0.5
    lag.observe(1000.0 + 3.0 + 6.0 + 0.5 - 0.2, 5000)     # read 0.2 s after on-time again
    assert not lag.behind
    win.clock.tick(force=True)
    assert win.status.behind.text() == ""
    out = alerts.check()
    assert [d["kind"] for t, d in out if t == p.ALERT_CLEARED] == ["behind"]
    assert [e.data["kind"] for e in log if e.type == p.ALERT_CLEARED] == ["behind"]


def test_the_frame_clock_paints_less_while_catching_up(qtbot):
    clock = Clock()
    lag = FeedLag(monotonic=clock)
    win, session = _window(qtbot, lag)
    refreshed = []
    win.clock.sig_frame.connect(refreshed.append)

    def frames(n: int) -> int:
        refreshed.clear()
        for _ in range(n):
            session.state.version += 1                     # new data every frame
            win.clock.tick()
        return len(refreshed)

    assert frames(16) == 16                                 # keeping up: every frame
    _fall_behind(lag, clock)
    assert frames(16) == 16 // win.clock.catch_up_every     # behind: every 4th frame
    assert win.clock.tick(force=True) is True               # a forced frame still paints
    clock.t += 0.5
    lag.observe(1000.0 + 9.5 - 0.2, 5000)
    assert not lag.behind
    assert frames(16) == 16                                 # caught up: every frame again
