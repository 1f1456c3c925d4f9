"""Issue 16 item 7: a dead feed must look dead. With an unreachable URL the run of show shows
the validated plan at once, a banner says why nothing is live, every panel of figures shows
its data age and is greyed out, and "Active alerts: 0" is not green. After a drop mid-session
the stale figures are greyed out too."""

from __future__ import annotations

import asyncio
import socket
import time

import pytest

from console.core import protocol as p
from console.core.plan import load_plan
from tests.replay.recorded import SAMPLE_PLAN

pytestmark = pytest.mark.gui


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def test_an_unreachable_feed_shows_the_plan_a_banner_and_grey_figures(qtbot, tmp_path):
    from console.feed.reconnect import FixedPolicy
    from console.gui.coalescing_session import make_session
    from console.gui.main_window import MainWindow

    plan = load_plan(SAMPLE_PLAN)
    shots: dict = {}

    async def go():
        url = f"ws://127.0.0.1:{_closed_port()}/feed"
        live = make_session(url, plan=plan)
        live.client.policy = FixedPolicy(0.2)
        win = MainWindow(live, sound=False, start_clock=False)
        qtbot.addWidget(win)
        win.resize(1366, 768)
        win.show()
        win.clock.tick(force=True)
        # the validated plan is there at once, before the feed has answered anything
        assert win.run_of_show.list.count() == len(plan.products)
        await live.start()
        end = time.monotonic() + 10
        while not live.status.last_error and time.monotonic() < end:
            await asyncio.sleep(0.05)
        win.clock.tick(force=True)
        shots["state"] = live.status.state
        shots["banner"] = win.feed_banner.text
        shots["banner_visible"] = win.feed_banner.isVisible()
        shots["badges"] = {k: (b.stale, b.text(), b.panel.graphicsEffect() is not None)
                           for k, b in win.data_age.items()}
        shots["alerts"] = (win.alerts.header.text(), win.alerts.header.styleSheet())
        shots["rows"] = win.run_of_show.list.count()
        win.grab().save(str(tmp_path / "dead_feed.png"))
        closed = asyncio.Event()
        win.sig_closed.connect(closed.set)
        win.close_now()                 # stops the session on this loop, then closes
        await asyncio.wait_for(closed.wait(), 10)

    asyncio.run(go())
    assert shots["state"] in ("connecting", "reconnecting")
    assert shots["banner_visible"]
    assert "Not connected to the feed ws://127.0.0.1:" in shots["banner"]
    assert "Reason:" in shots["banner"] and "No data has arrived yet." in shots["banner"]
    for name, (stale, text, grey) in shots["badges"].items():
        assert stale and grey and text == "⚠ no data", name
    header, style = shots["alerts"]
    assert "no live data" in header and "#35c27a" not in style
    assert shots["rows"] == len(plan.products)


def _frames(win, n: int = 10) -> None:
    """Frames as the frame clock runs them (time-dependent widgets every few frames; widgets
    hidden in the shown window skipped unless they ask to be refreshed)."""
    for _ in range(n):
        win.clock.tick()


def test_figures_go_grey_with_their_age_when_a_live_feed_goes_quiet(qtbot, session):
    """A drop mid-session: the feed was live, then nothing for 12 s."""
    from console.feed.client import FeedStatus
    from console.gui.main_window import MainWindow

    status = FeedStatus(target="ws://feed", state="live", last_data_monotonic=time.monotonic())
    session.status = status
    win = MainWindow(session, sound=False, start_clock=False)
    qtbot.addWidget(win)
    win.show()
    win.clock.tick(force=True)
    assert not win.feed_banner.isVisible()
    for badge in win.data_age.values():
        assert badge.stale is False and badge.text().startswith("● ")
        assert badge.panel.graphicsEffect() is None
    assert "#35c27a" in win.alerts.header.styleSheet()          # live and no alerts: green
    status.last_data_monotonic = time.monotonic() - 12.0           # the feed went quiet
    _frames(win)                                                   # ordinary frames, not forced
    assert win.feed_banner.isVisible() and "for 12 s" in win.feed_banner.text
    for badge in win.data_age.values():
        assert badge.stale and badge.text() == "⚠ 12 s old" and badge.panel.graphicsEffect()
    assert "#35c27a" not in win.alerts.header.styleSheet()
    status.state, status.last_error = "reconnecting", "ConnectionRefusedError: refused"
    status.attempt = 3
    _frames(win)
    assert "lost" in win.feed_banner.text and "attempt 3" in win.feed_banner.text
    assert "ConnectionRefusedError" in win.feed_banner.text
    # back: data flows again, everything live
    status.state, status.last_data_monotonic = "live", time.monotonic()
    _frames(win)
    assert not win.feed_banner.isVisible()
    assert all(not b.stale and b.panel.graphicsEffect() is None for b in win.data_age.values())
    session.log.append_local(p.OPERATOR_CUE, {"text": "x", "kind": "free"})
    win.close_now()                   # a live window asks before closing: close as confirmed
