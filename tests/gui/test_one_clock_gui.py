"""Issue 16 item 6 in the GUI: at --speed 20 the console's flash-sale countdown (inventory)
and the prompt panel's (local and remote) agree, on the feed's clock."""

from __future__ import annotations

import pytest

from console.core import protocol as p

pytestmark = pytest.mark.gui

T0 = 1_600_000_000.0          # the simulated clock: years before the wall clock
SKU = "QM-FW-001"


def _mmss(seconds: float) -> str:
    left = int(seconds + 0.999)
    return f"{left // 60:02d}:{left % 60:02d}"


def test_console_and_prompt_panels_count_down_on_the_same_clock(qtbot):
    from console.core.eventlog import StateClock, feed_speed
    from console.gui.main_window import MainWindow
    from console.gui.prompter import PrompterWindow
    from console.live.session import LiveSession
    from console.fold.state import SessionState

    live = LiveSession("ws://127.0.0.1:9/feed")
    win = MainWindow(live, sound=False, start_clock=False)
    qtbot.addWidget(win)
    live._on_welcome({"session": {"id": "s20", "started_at": T0}, "speed": 20.0})
    live._on_feed_local(p.FEED_STATUS, {"state": "live"})
    live.log.append_feed([
        p.make_event(1, T0, p.SESSION_STARTED, {"title": "t", "started_at": T0}),
        p.make_event(2, T0 + 1, p.PRODUCT_UPSERT, {"sku": SKU, "title": "羽绒服", "price": 399.0,
                                                   "list_price": 699.0, "stock": 100}),
        p.make_event(3, T0 + 2, p.CARD_PUSHED, {"sku": SKU}),
        p.make_event(4, T0 + 3, p.FLASH_STARTED, {"flash_id": "f1", "sku": SKU, "deal_price": 299.0,
                                                  "stock": 50,
                                                  "ends_at": T0 + 3 + 300}),
    ])
    fs = live.state.active_flash(SKU)
    console_left = fs.seconds_left(win.now())
    assert 200 < console_left <= 300                       # on the feed's clock, not the wall's
    # the operator's inventory panel shows the same minutes left
    win.clock.tick(force=True)
    assert f"{int(console_left) // 60}:" in win.inventory.rows[SKU].flash.text()
    # the local prompt panel (F10)
    local = win.prompter_host.open_panel()
    qtbot.addWidget(local)
    assert abs(fs.seconds_left(local.panel.clock()) - fs.seconds_left(win.now())) < 2.0
    local.panel.refresh(force=True)
    assert local.panel.countdown_label.text() in {_mmss(console_left), _mmss(console_left - 1)}
    # a remote prompt panel: it has only the log (relay), and reads the speed from it
    remote_state = SessionState.from_snapshot(live.state.to_snapshot())   # what the relay sends
    remote = PrompterWindow(remote_state, windowed=True)
    qtbot.addWidget(remote)
    assert isinstance(remote.panel.clock, StateClock)
    assert feed_speed(remote_state.feed_status) == 20.0          # the log carries the speed
    assert abs(fs.seconds_left(remote.panel.clock()) - console_left) < 2.0
    remote.panel.refresh(force=True)
    assert remote.panel.countdown_label.text() in {_mmss(console_left), _mmss(console_left - 1)}
    local.close()
    remote.close()
