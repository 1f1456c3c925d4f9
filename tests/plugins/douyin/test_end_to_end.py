"""End to end, offline: fake consoles -> real Chromium (Playwright) -> douyin feed -> LiveSession
-> recording; commands back to the fake page."""

from __future__ import annotations

import asyncio
import os
import signal
import time

import pytest

from console.core import protocol as p
from console.live.session import LiveSession
from plugins.douyin import DouyinCaptureFeed, DouyinFeed
from plugins.douyin.capture import read_capture
from plugins.douyin.profile import Profile, merge
from tests.plugins.douyin.conftest import fake_profile, needs_chromium

pytestmark = [needs_chromium, pytest.mark.timeout(240)]


async def until(cond, timeout: float = 15.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = cond()
        if value:
            return value
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}")


async def start_feed(fake, tmp_path, **behaviour) -> DouyinFeed:
    feed = DouyinFeed()
    await feed.open({"headless": True, "user_data_dir": str(tmp_path / "browser"),
                     "capture_dir": str(tmp_path / "captures"), "session_id": "douyin-e2e"},
                    profile=fake_profile(fake, **behaviour))
    return feed


async def log_in(feed: DouyinFeed) -> None:
    await until(lambda: "login_needed" in feed.alerts, what="the login page to be noticed")
    await feed.bridge.control.click("#qr-login")
    await until(lambda: "login_needed" not in feed.alerts, what="the login to be noticed")


def commands(session, name):
    return [e for e in session.seen if e.type == p.OPERATOR_COMMAND and e.data["name"] == name]


def result_of(session, command_id):
    for e in session.seen:
        if e.type in (p.OPERATOR_ACK, p.OPERATOR_ERROR) and e.data.get("command_id") == command_id:
            return e
    return None


async def test_fake_consoles_to_recording_and_back(fake, tmp_path):
    from console.recorder import Recorder, Store

    db = f"sqlite:///{tmp_path / 'rec.db'}"
    recorder = Recorder(db)
    feed = await start_feed(fake, tmp_path)
    session = LiveSession(feed.url, recorder=recorder)
    session.seen = []
    session.log.subscribe(session.seen.extend)
    feed.attach(session)
    await session.start()
    st = session.state
    try:
        # ---- login (the persistent profile is new: the page asks for it) ----
        await log_in(feed)
        # ---- products ----
        await until(lambda: len(st.products) == 12, what="12 products")
        assert st.products["QM-000"].price == 99.0 and st.products["QM-011"].price == 110.0
        assert st.products["QM-003"].stock == 103
        # ---- orders, comments, traffic ----
        with fake.lock:
            fs = fake.state
            o1 = fs.add_order(2, qty=2, nick="橘子汽水")                 # created, paid later
            o2 = fs.add_order(5, qty=1, status=3, nick="小鹿")           # first seen paid
            c1 = fs.add_message("comment", "小鹿", "有优惠券吗")
            for i in range(5):
                fs.add_message("room_enter", f"viewer{i}")
            fs.add_message("room_like", "viewer1")
            fs.add_message("room_follow", "viewer2")
            fs.core.update(online_user_cnt=321, watch_ucnt=1500, live_show_cnt=20000)
            fs.keep_snapshot()                                          # o1 still created
        await until(lambda: st.orders == 1 and st.created == 2, what="orders")
        assert st.gmv == pytest.approx(104.0)                          # QM-005: 104 x 1
        await until(lambda: any(c.get("text") == "有优惠券吗" for c in _comments(st)), what="comment")
        await until(lambda: st.traffic["online"] == 321 and st.traffic["viewers"] == 1500,
                    what="traffic")
        assert st.traffic["room_impressions"] == 20000 and st.traffic["likes"] >= 1
        with fake.lock:
            fs.set_status(o1, 3)
        t_paid = time.time()
        await until(lambda: st.orders == 2, what="the order to be paid")
        seen_at = time.time()
        with fake.lock:
            served = fs.served[f"{o1}:3"]
        latency = seen_at - served
        assert st.gmv == pytest.approx(104.0 + 2 * 101.0)
        paid = [e for e in session.seen if e.type == p.ORDER_PAID]
        assert paid[-1].data["estimated"] is True and paid[-1].data["unit_price"] == 101.0
        assert paid[-1].data["buyer"]["nick"] == "橘子汽水"
        print(f"\nlatency fake response -> session state: {latency * 1000:.0f} ms "
              f"(since the status changed: {(seen_at - t_paid) * 1000:.0f} ms)")
        assert latency < 1.0

        # ---- a card push from the console reaches the page (row 11 is scrolled out of view) ----
        cid = session.send_command("card.push", {"sku": "QM-011"})
        await until(lambda: result_of(session, cid), what="card.push result")
        assert result_of(session, cid).type == p.OPERATOR_ACK, result_of(session, cid).data
        with fake.lock:
            call = fs.card_calls[-1]
        assert call["promotion_id"] == "3600011" and call["cancel"] == "false"
        assert call["csrf"] == "fake"                                  # the page's own call
        assert st.current_sku == "QM-011"
        # ... and a 讲解 started in the page itself (not by Livedesk) reaches the console
        await feed.bridge.control.evaluate("window.scrollTo(0, 0)")
        await feed.bridge.control.evaluate("document.getElementById('panel').scrollTop = 0")
        await asyncio.sleep(0.3)
        await feed.bridge.control.locator(".goodsItem_b2").first.get_by_text("讲解", exact=True).click()
        await until(lambda: st.current_sku == "QM-000", what="the page's own 讲解")
        pushed = [e for e in session.seen if e.type == p.CARD_PUSHED]
        assert pushed[-1].data["origin"] == "platform"
        cid = session.send_command("card.clear", {})
        await until(lambda: result_of(session, cid), what="card.clear result")
        assert result_of(session, cid).type == p.OPERATOR_ACK
        with fake.lock:
            assert fs.current is None and fs.card_calls[-1]["cancel"] == "true"
        assert st.current_sku is None
        assert len([e for e in session.seen if e.type == p.CARD_PUSHED]) == 2

        # ---- what Douyin cannot do from the console: unsupported, with the reason ----
        cid = session.send_command("flash.start", {"sku": "QM-001", "deal_price": 50.0,
                                                   "stock": 10, "duration_s": 60})
        await until(lambda: result_of(session, cid), what="flash.start result")
        err = result_of(session, cid)
        assert err.type == p.OPERATOR_ERROR and err.data["code"] == "unsupported"
        assert "秒杀" in err.data["message"]
        cid = session.send_command("card.push", {"sku": "NOPE"})
        await until(lambda: result_of(session, cid), what="unknown sku result")
        assert result_of(session, cid).data["code"] == "rejected"

        # ---- pin a viewer's comment: posted as the room with 置顶 ticked ----
        comment_id = next(c["comment_id"] for c in _comments(st) if c.get("text") == "有优惠券吗")
        assert comment_id == c1
        cid = session.send_command("comment.pin", {"comment_id": comment_id})
        await until(lambda: result_of(session, cid), what="comment.pin result")
        assert result_of(session, cid).type == p.OPERATOR_ACK, result_of(session, cid).data
        with fake.lock:
            assert fs.sent_comments[-1] == {"content": "@小鹿 有优惠券吗", "operate_type": 2, "top": True}

        # ---- send a comment as the room, as a reply ----
        cid = session.send_command("comment.send", {"text": "有的, 下单领券", "reply_to": comment_id})
        await until(lambda: result_of(session, cid), what="comment.send result")
        assert result_of(session, cid).type == p.OPERATOR_ACK, result_of(session, cid).data
        with fake.lock:
            assert fs.sent_comments[-1] == {"content": "@小鹿 有的, 下单领券", "operate_type": 2,
                                            "top": False}
        reply = st.desk.replies[-1]                  # recorded as comment.sent, folded as a reply
        assert reply["text"] == "有的, 下单领券" and reply["reply_to"] == comment_id
        # ... where the account's console has no comment box: unsupported, with the reason
        real_profile = feed.bridge.profile
        feed.bridge.profile = Profile(merge(real_profile.raw, {"selectors": {"comment_box": "#none"}}))
        cid = session.send_command("comment.send", {"text": "hello"})
        await until(lambda: result_of(session, cid), what="comment.send without a box")
        feed.bridge.profile = real_profile
        err = result_of(session, cid)
        assert err.data["code"] == "unsupported" and "comment box" in err.data["message"]

        # ---- repeated, reversed and stale polls never count twice ----
        orders_before, gmv_before, comments_before = st.orders, st.gmv, len(_comments(st))
        with fake.lock:
            fs.duplicate_polls = True
            fs.stale_orders = True
        await asyncio.sleep(2.0)
        with fake.lock:
            fs.duplicate_polls = False
        assert (st.orders, st.gmv, len(_comments(st))) == (orders_before, gmv_before, comments_before)
        assert feed.mapper.stats.duplicates > 0 and feed.mapper.stats.stale_statuses > 0

        # ---- the browser is killed mid-session: restarted, nothing lost ----
        pids = feed.bridge.browser_pids()
        assert pids, "the browser's process was not found"
        for pid in pids:
            os.kill(pid, signal.SIGKILL if hasattr(signal, "SIGKILL") else signal.SIGTERM)
        with fake.lock:
            o3 = fs.add_order(7, qty=3, status=3, nick="夜猫子")       # while the browser is down
        await until(lambda: "browser_closed" in feed.alerts or feed.bridge.launches >= 2,
                    what="the browser's death to be noticed")
        await until(lambda: feed.bridge.launches >= 2, timeout=30, what="a relaunch")
        # Chromium writes new cookies to disk within ~30 s; killed sooner, it forgets this
        # login, and the operator scans the code again (a real session is logged in for hours)
        await until(lambda: "login_needed" in feed.alerts or st.orders == 3, timeout=30,
                    what="the relaunched browser's page")
        if "login_needed" in feed.alerts:
            await feed.bridge.control.click("#qr-login")
        await until(lambda: st.orders == 3, timeout=30, what="the order placed while the browser was down")
        assert st.gmv == pytest.approx(104.0 + 202.0 + 3 * 106.0)
        assert st.created == 3
        assert any(e.type == p.ALERT_RAISED and e.data["kind"] == "douyin_browser_closed"
                   for e in session.seen)
        await until(lambda: "browser_closed" not in feed.alerts, what="browser_closed cleared")

        # ---- the login expires: status + alert; logging in again brings the data back ----
        fake.expire_login()
        await until(lambda: "login_expired" in feed.alerts or "login_needed" in feed.alerts,
                    what="the expired login to be reported")
        await until(lambda: any(a.get("kind") in ("douyin_login_expired", "douyin_login_needed")
                                for a in st.active_alerts.values()), what="the alert in the state")
        await until(lambda: "login_needed" in feed.alerts, what="the login page")
        await feed.bridge.control.click("#qr-login")
        with fake.lock:
            fs.add_order(1, qty=1, status=3, nick="回头客")
        await until(lambda: st.orders == 4, timeout=20, what="data after logging in again")
        await until(lambda: not feed.alerts, timeout=20, what="all conditions cleared")
        assert o2 and o3
    finally:
        await session.stop()
        await feed.stop()
        recorder.close()

    # ---- the recording holds it all, alerts included ----
    store = Store(db)
    try:
        events = store.events("douyin-e2e", 1, None, limit=100_000)
    finally:
        store.close()
    types = [e.type for e in events]
    assert types.count(p.ORDER_PAID) == 4 and types.count(p.ORDER_CREATED) == 4
    assert p.ALERT_RAISED in types and p.ALERT_CLEARED in types and p.CARD_PUSHED in types

    # ---- the raw capture replays as a feed and re-derives the same orders ----
    capture = tmp_path / "captures" / "douyin-e2e.jsonl.gz"
    records = list(read_capture(capture))
    assert records and {"t", "url", "body"} <= set(records[0])
    replay = DouyinCaptureFeed()
    url = await replay.open({"capture": str(capture), "speed": 0})
    again = LiveSession(url)
    await again.start()
    try:
        await asyncio.wait_for(replay.done.wait(), 30)
        await until(lambda: again.state.orders == 4, what="the replayed orders")
        assert again.state.gmv == pytest.approx(session.state.gmv)
        assert len(again.state.products) == 12
    finally:
        await again.stop()
        await replay.stop()


def _comments(st):
    return [dict(c, comment_id=c["id"]) for c in st.recent_comments]


async def test_changed_patterns_are_reported(fake, tmp_path):
    """The screen's endpoints were renamed: no orders or comments match while the room is live."""
    with fake.lock:
        fake.state.generation = 2
    feed = await start_feed(fake, tmp_path, mismatch_minutes=0.05)   # 3 s
    try:
        await log_in(feed)
        await until(lambda: feed.bridge.room_id, what="the room id")
        await until(lambda: "patterns_mismatch" in feed.alerts, timeout=20,
                    what="the mismatch to be reported")
        assert "doctor" in feed.alerts["patterns_mismatch"]["message"]
        assert any("msg_feed_v3" in u or "live_trade_flow" in u for u in feed.bridge.unmatched_json)
    finally:
        await feed.stop()


async def test_the_data_screen_asks_for_its_own_login(fake, tmp_path):
    with fake.lock:
        fake.state.compass_separate = True
        fake.state.add_order(0, qty=1, status=3, nick="a")
    feed = await start_feed(fake, tmp_path)
    try:
        await log_in(feed)
        await until(lambda: "screen_login_needed" in feed.alerts, what="the 罗盘 login page")
        assert "login_needed" not in feed.alerts          # no flip-flop with the control page
        await feed.bridge.screen.click("#qr-login")
        await until(lambda: "screen_login_needed" not in feed.alerts, what="the 罗盘 login")
        await until(lambda: len(feed.mapper.orders) == 1, what="orders from the screen")
        assert "/screen/anchor/shop" in feed.bridge.screen.url
    finally:
        await feed.stop()


async def test_a_control_page_that_is_gone_is_reported(fake, tmp_path):
    feed = DouyinFeed()
    profile = fake_profile(fake)
    profile = profile.with_pages({"control": {"urls": [fake.base + "/ffa/moved/away"]}})
    await feed.open({"headless": True, "user_data_dir": str(tmp_path / "browser"),
                     "capture": False}, profile=profile)
    try:
        await until(lambda: "page_not_found" in feed.alerts, what="page_not_found")
        assert "HTTP 404" in feed.alerts["page_not_found"]["message"]
        assert feed.alerts["page_not_found"]["level"] == "critical"
    finally:
        await feed.stop()


async def test_started_by_the_plugin_manager(tmp_path, monkeypatch):
    """The `douyin` entry point through the PluginManager, settings from plugins.json."""
    import yaml

    from console.plugin_host import PluginManager
    from tests.plugins.douyin.fake_console import FakeConsole

    fake = FakeConsole(auto_login=True).start()
    override = tmp_path / "douyin.yaml"
    override.write_text(yaml.safe_dump({"version": 1, "pages": fake.pages(),
                                        "behaviour": {"poll_s": 0.3}}), encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_DOUYIN_PROFILE", str(override))
    m = PluginManager(tmp_path / "plugins.json")
    assert "douyin" in m.entries and "douyin_capture" in m.entries
    m.set_enabled("douyin", True)
    m.set_settings("douyin", {"headless": True, "user_data_dir": str(tmp_path / "browser"),
                              "capture_dir": str(tmp_path / "cap")})
    try:
        assert await m.start("douyin"), m.problems
        feed = m.entries["douyin"].obj
        assert feed.url.startswith("ws://127.0.0.1:")
        session = LiveSession(feed.url)
        feed.attach(session)
        await session.start()
        try:
            await until(lambda: len(session.state.products) == 12, what="products")
        finally:
            await session.stop()
    finally:
        await m.stop_all()
        fake.stop()
    assert m.problems == []
    assert list((tmp_path / "cap").glob("douyin-*.jsonl.gz"))


async def test_card_push_refused_by_the_platform(fake, tmp_path):
    """Not live: the page's setcurrent answers 当前用户未开播; the console gets that reason."""
    from console.feed.server import Rejected

    with fake.lock:
        fake.state.live_status = 4
    feed = await start_feed(fake, tmp_path)
    try:
        await log_in(feed)
        await until(lambda: len(feed.mapper.products) == 12, what="products")
        assert feed.bridge.room_id == "0"
        with pytest.raises(Rejected, match="当前用户未开播"):
            await feed._command("card.push", {"sku": "QM-004"})
        assert feed.mapper.current_sku is None            # nothing is on air
        with fake.lock:
            assert fake.state.card_calls[-1]["promotion_id"] == "3600004"
            assert fake.state.current is None
        assert feed.bridge.screen is None                  # no room: no data screen opened
    finally:
        await feed.stop()
