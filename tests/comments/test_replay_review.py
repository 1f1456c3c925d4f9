"""Comments and automatic actions in a recording: replayed (seek = full fold, the panel in the
replay window) and in the review (comments per minute, top questions, replies, automation)."""
from __future__ import annotations

import os
import random

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_API", "pyside6")

import pytest

from console.core import protocol as p
from console.live.automation import Automation
from console.core.plan import automation_from_dict
from console.recorder import Store
from console.replay.replay import Replay
from console.fold.state import SessionState
from tests.replay.recorded import SimRecording

CONFIG = {"repop": {"enabled": True, "every_s": 20},
          "messages": {"enabled": True, "every_s": 60, "jitter_s": 10,
                       "texts": ["欢迎来到直播间", "{product}到手价{price}元", "全网最低价"]},
          "auto_reply": {"enabled": True, "max_per_minute": 5, "rules": [
              {"name": "发货", "keywords": ["发货", "快递"], "replies": ["@{nick} 48小时内发货"],
               "cooldown_s": 30}]}}


class Sink:
    """Automation's actions into a SimRecording (the simulator answers its commands)."""

    def __init__(self, rec: SimRecording) -> None:
        self.rec = rec

    def send_command(self, name, args, source="operator"):
        r = self.rec
        cid = f"k{r.log.next_seq}"
        r.log.append_local(p.OPERATOR_COMMAND, {"command_id": cid, "name": name, "args": args},
                           source, ts=r.now)
        events, error = r.sim.handle_command(name, args, r.now)
        if events:
            r.log.append_feed(events)
        r.log.append_local(p.OPERATOR_ERROR if error else p.OPERATOR_ACK,
                           {"command_id": cid, "message": error or ""}, "system", ts=r.now)
        return cid

    def append_local(self, type_, data, source="operator"):
        return self.rec.log.append_local(type_, data, source, ts=self.rec.now)


@pytest.fixture(scope="module")
def recorded(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('cr')}/rec.db"
    r = SimRecording(url, "sim", seed=7, snapshot_every=400)
    r.advance(120)
    sink = Sink(r)
    auto = Automation(r.state, sink, automation_from_dict(CONFIG, "automation", []),
                      clock=lambda: r.now, rng=random.Random(3))
    auto.enable(True)
    for _ in range(600):
        r.advance(1, step=1.0, cue_every=10_000)
        auto.tick()
    q = next(c for c in reversed(r.state.desk.items) if c["q"] and c["id"])
    r.now += 7
    sink.send_command(p.CMD_COMMENT_SEND, {"text": "有的，今天下单", "reply_to": q["id"]})
    r.advance(60, step=1.0, cue_every=10_000)
    live = r.state
    r.end()
    r.close()
    return url, live


def test_replay_folds_the_comments_like_the_live_session(recorded):
    url, live = recorded
    store = Store(url)
    try:
        replay = Replay(store, "sim").open()
        final = replay.final_state
        assert final.desk.count == live.desk.count and final.desk.sent == live.desk.sent
        assert list(final.desk.items)[-50:] == list(live.desk.items)[-50:]
        assert final.desk.latencies == live.desk.latencies and final.desk.latencies
        assert final.automation.counts == live.automation.counts
        # a seek (nearest snapshot + the events after it) equals the full fold from seq 1
        mid = replay.last_seq * 3 // 5
        seek = replay.state_at(mid)
        full = SessionState()
        full.apply(store.events("sim", 1, mid))
        assert list(seek.desk.items)[-100:] == list(full.desk.items)[-100:]
        assert seek.desk.buyers == full.desk.buyers and seek.desk.by_kind == full.desk.by_kind
        assert seek.automation.enabled and seek.automation.counts == full.automation.counts
        tagged = [r for r in full.desk.items if r["tags"].strip("f")]
        assert tagged, "some commenters had ordered"
    finally:
        store.close()


def test_review_has_the_comments_section(recorded, tmp_path):
    from console.review.report import build_review, export
    url, live = recorded
    store = Store(url)
    try:
        review = build_review(store, "sim")
    finally:
        store.close()
    c = review.comments
    assert c.comments == live.desk.count and c.questions == live.desk.questions
    assert sum(c.per_minute) == c.comments
    assert c.by_source["automation"] >= 5 and c.by_source["operator"] == 1
    manual = next(r for r in c.replies if r["source"] == "operator")
    assert manual["latency_s"] is not None and manual["latency_s"] >= 7
    kinds = {a["kind"] for a in c.actions if not a["held_back"]}
    assert {"repop", "message", "auto_reply"} <= kinds
    held = [a for a in c.actions if a["held_back"]]
    assert held and "全网最低" in held[0]["reason"]
    names = [t[0] for t in review.tables()]
    for sheet in ("评论 Comments per minute", "问题 Top questions", "回复 Replies", "自动化 Automation"):
        assert sheet in names
    summary = dict((k, v) for k, v in review.tables()[0][3])
    assert summary["回复 replies sent (operator)"] == 1
    assert summary["问题到回复 question to reply, median (s)"] != ""
    html = export(review, "html", tmp_path / "r.html").read_text("utf-8")
    assert "自动化 Automation" in html and "全网最低" in html
    export(review, "xlsx", tmp_path / "r.xlsx")


def test_replay_window_shows_the_comments_read_only(recorded, qtbot, tmp_path):
    from PySide6.QtCore import QCoreApplication, QSettings
    os.environ["LIVEDESK_LANG"] = "en"
    QCoreApplication.setOrganizationName("LivedeskTest")
    QCoreApplication.setApplicationName("LivedeskCommentsReplay")
    QSettings.setDefaultFormat(QSettings.IniFormat)
    QSettings.setPath(QSettings.IniFormat, QSettings.UserScope, str(tmp_path / "settings"))
    from console.gui.replay_window import ReplayWindow
    url, live = recorded
    store = Store(url)
    win = ReplayWindow(store, "sim")
    qtbot.addWidget(win)
    win.resize(1400, 900)
    win.show()
    qtbot.waitUntil(lambda: win.controller.idle, timeout=10000)
    win.clock.tick(force=True)
    panel = win.comments
    assert panel.read_only and not panel.pin_button.isVisible() and not panel.reply_box.isVisible()
    ctl = win.controller
    ctl.seek_time(ctl.start_ts + 300)
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    win.clock.tick(force=True)
    assert panel.model.rows and panel.model.rows[-1]["ts"] <= ctl.start_ts + 301
    assert [r["seq"] for r in panel.model.rows] == [r["seq"] for r in ctl.state.desk.items]
    assert "AUTO on" in win.automation_indicator.text()
    ctl.seek_time(ctl.end_ts)
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    win.clock.tick(force=True)
    assert panel.model.rows[-1]["seq"] == ctl.state.desk.items[-1]["seq"]
    reply = next(r for r in live.desk.items if r["text"] == "有的，今天下单")
    ctl.seek_time(reply["ts"] + 1)
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    win.clock.tick(force=True)
    shown = next(r for r in panel.model.rows if r["seq"] == reply["seq"])
    assert shown["source"] == "operator" and shown.get("reply_to")
    # playing on: the stream grows frame by frame
    ctl.seek_time(ctl.start_ts + 400)
    qtbot.waitUntil(lambda: ctl.idle, timeout=10000)
    win.clock.tick(force=True)
    before = panel.model.rows[-1]["seq"]
    ctl.set_rate(60)
    ctl.set_playing(True)
    # behind the alerts' tab the stream is not redrawn (the frame clock skips what is not to
    # be seen) ...
    from widgets.frame_clock import obscured
    assert obscured(panel)
    qtbot.waitUntil(lambda: ctl.state.desk.items[-1]["seq"] > before, timeout=10000)
    win.clock.tick()
    assert panel.model.rows[-1]["seq"] == before
    # ... and catches up, then grows frame by frame, once its tab is brought forward
    win.docks["comments"].raise_()
    qtbot.waitUntil(lambda: not obscured(panel), timeout=5000)
    qtbot.waitUntil(lambda: (win.clock.tick() or True) and panel.model.rows[-1]["seq"] > before,
                    timeout=10000)
    caught_up = panel.model.rows[-1]["seq"]
    qtbot.waitUntil(lambda: (win.clock.tick() or True)
                    and panel.model.rows[-1]["seq"] > caught_up, timeout=10000)
    ctl.set_playing(False)
    win.close()
    store.close()
