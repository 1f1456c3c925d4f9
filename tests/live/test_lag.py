"""console.live.lag.FeedLag: how far reading is behind the feed, from the feed's own event times."""

from __future__ import annotations

import pytest

from console.cli.record import _summary_line
from console.core import protocol as p
from console.live.lag import FeedLag


def test_on_time_reading_is_not_behind_whatever_the_clock_offset():
    lag = FeedLag()
    for i in range(100):                     # the feed's clock 1,000 s off ours, 50 ms jitter
        lag.observe(5000.0 + i * 0.1, 10, now=100.0 + i * 0.1 + (0.05 if i % 3 else 0.0))
    assert lag.lag_s <= 0.05 + 1e-9
    assert not lag.behind and lag.episodes == 0
    assert lag.rate == pytest.approx(100.0, rel=0.1)      # 10 events every 0.1 s


def test_a_growing_delay_is_behind_then_caught_up_with_hysteresis():
    lag = FeedLag(behind_s=1.5, caught_up_s=0.5)
    lag.observe(1000.0, 100, now=10.0)                   # on time: the baseline
    changes = []
    # the reader falls behind: events of feed time t read at 10 + 1.5 (t - 1000)
    for k in range(1, 9):
        t = 1000.0 + k
        changes.append(lag.observe(t, 2000, now=10.0 + 1.5 * k))
    assert lag.behind and changes.count(True) == 1 and lag.episodes == 1
    assert lag.lag_s == pytest.approx(4.0)
    assert lag.behind_events == pytest.approx(4.0 * lag.rate, abs=1)
    assert lag.behind_events > 1000
    # catching up: still behind at 1 s, back under 0.5 s clears it
    assert lag.observe(1008.0, 100, now=10.0 + 8 + 1.0) is False and lag.behind
    assert lag.observe(1009.0, 100, now=10.0 + 9 + 0.3) is True and not lag.behind
    assert lag.max_lag_s == pytest.approx(4.0)


def test_speed_and_reset():
    lag = FeedLag(speed=10.0)                           # ten feed seconds per wall second
    lag.observe(1000.0, 1, now=0.0)
    lag.observe(1100.0, 1, now=10.0)                    # on time at speed 10
    assert lag.lag_s == pytest.approx(0.0)
    lag.observe(1110.0, 1, now=13.0)                    # 2 s late
    assert lag.behind
    lag.reset(speed=1.0)                                # a new connection: a new baseline
    assert not lag.behind and lag.lag_s == 0.0
    lag.observe(2000.0, 1, now=20.0)
    assert lag.lag_s == 0.0


def test_bad_times_are_ignored():
    lag = FeedLag()
    assert lag.observe(None, 5, now=1.0) is False
    assert lag.observe("x", 5, now=1.0) is False
    assert lag.lag_s == 0.0 and not lag.behind


def test_the_live_session_measures_every_feed_batch():
    from console.live.session import LiveSession

    session = LiveSession("ws://127.0.0.1:9")
    clock = iter([50.0, 53.0])
    session.lag = FeedLag(monotonic=lambda: next(clock))
    session._on_feed_events([p.make_event(1, 1000.0, p.TRAFFIC_TICK, {"online": 5})])
    session._on_feed_events([p.make_event(2, 1001.0, p.TRAFFIC_TICK, {"online": 6})])
    assert session.lag.lag_s == pytest.approx(2.0)       # read 3 s later, 1 s of feed time
    assert session.lag.behind


def test_the_record_command_says_it_is_behind():
    from console.live.session import LiveSession

    session = LiveSession("ws://127.0.0.1:9")
    assert "BEHIND" not in _summary_line(session)
    clock = iter([50.0, 53.0])
    session.lag = FeedLag(monotonic=lambda: next(clock))
    session._on_feed_events([p.make_event(1, 1000.0, p.TRAFFIC_TICK, {"online": 5})])
    session._on_feed_events([p.make_event(2, 1001.0, p.TRAFFIC_TICK, {"online": 6})])
    assert "BEHIND THE FEED by ~" in _summary_line(session)
    assert "(2.0 s)" in _summary_line(session)
