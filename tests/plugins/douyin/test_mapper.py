"""The Douyin mapper on capture files (tests/plugins/douyin/captures/*.jsonl: real URL patterns
and field shapes, hand-made values), the profile file and the capture format."""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from console.core import protocol as p
from plugins.douyin.capture import CaptureWriter, read_capture
from plugins.douyin.mapper import ConsoleMapper, to_num, to_unix
from plugins.douyin.profile import Profile, ProfileError

CAPTURES = Path(__file__).with_name("captures")


@pytest.fixture
def profile() -> Profile:
    return Profile.load(use_user_override=False)


def run(mapper: ConsoleMapper, name: str) -> list[list[dict]]:
    """Map a capture file; the events of each record, numbered and checked like the server does."""
    per_record = []
    seq = 0
    for record in read_capture(CAPTURES / name):
        bodies = mapper.feed(record)
        events = []
        for body in bodies:
            seq += 1
            ev = p.make_event(seq, body["ts"], body["type"], body["data"])
            assert p.check_event(ev) is None, (p.check_event(ev), ev)
            events.append(ev)
        per_record.append(events)
    return per_record


def types(events: list[dict]) -> list[str]:
    return [e["type"] for e in events]


def test_products_and_orders(profile):
    m = ConsoleMapper(profile)
    recs = run(m, "orders_products.jsonl")
    assert recs[0] == []                                   # an order before any price: it waits
    assert types(recs[1]) == ["product.upsert", "inventory.set"] * 3 + ["order.created", "order.paid"]
    up = recs[1][0]["data"]
    assert up["sku"] == "QM-FW-001" and up["price"] == 399.0 and up["stock"] == 300
    assert up["promotion_id"] == "3600001" and up["image_url"].endswith("/1.jpg")
    assert recs[1][4]["data"]["sku"] == "3000000000000000003"   # no art_no: the product id
    paid = recs[1][-1]["data"]
    assert paid == {**paid, "order_id": "6900000000000000001", "sku": "QM-FW-001", "qty": 2,
                    "unit_price": 399.0, "amount": 798.0, "estimated": True}
    assert paid["buyer"] == {"id": "nick:橘子汽水", "nick": "橘子汽水"}
    assert paid["paid_at"] == 1796550001.0
    assert recs[2] == [] and recs[3] == []                 # same list again; data: null
    assert types(recs[4]) == ["order.created"]             # the paid order is not sent twice
    assert recs[4][0]["data"]["created_at"] == pytest.approx(1796550004.0)   # ms -> s
    assert recs[5] == []                                   # repeated, reversed poll
    assert types(recs[6]) == ["order.paid", "order.created"]
    assert recs[6][1]["data"]["amount"] == 59.9
    assert m.stats.unknown_statuses == {"7": 1}
    assert recs[7] == [] and m.stats.stale_statuses == 1   # an older snapshot of order 2
    assert types(recs[8]) == ["order.cancelled", "order.refunded"]
    assert types(recs[9]) == ["product.upsert", "inventory.set", "product.upsert", "inventory.set"]
    assert recs[9][0]["data"]["stock"] == 297 and recs[9][2]["data"]["price"] == 119.0
    assert recs[10] == []
    kind, info = m.signals[-1]
    assert kind == "platform_error" and info["meaning"] == "login_expired" and info["code"] == 100704
    assert ("room", "7301") in m.signals
    assert m.stats.duplicates >= 3
    every = [e for r in recs for e in r]
    assert types(every).count("order.created") == 3 and types(every).count("order.paid") == 2
    assert m.catalog()[0] == {"sku": "QM-FW-001", "title": "轻薄羽绒服 1号", "price": 399.0,
                              "stock": 297}


def test_order_without_a_price_is_sent_after_waiting(profile):
    t = [1000.0]
    m = ConsoleMapper(profile, clock=lambda: t[0])
    rec = {"t": 1000.0, "url": "https://x/live_order_stream?room_id=1",
           "body": {"st": 0, "data": [{"order_id": "9", "order_status": 3, "product_id": "77",
                                       "item_num": 1, "nick_name": "a"}]}}
    assert m.feed(rec) == [] and m.feed(dict(rec, t=1001.0)) == []
    t[0] = 1029.0
    assert [b["type"] for b in m.tick()] == []
    t[0] = 1031.0
    out = m.tick()
    assert [b["type"] for b in out] == ["order.created", "order.paid"]
    assert out[1]["data"]["price_unknown"] is True and out[1]["data"]["amount"] == 0.0
    assert m.feed(dict(rec, t=1032.0)) == []               # and never again


def test_messages_comments_and_traffic(profile):
    m = ConsoleMapper(profile)
    recs = run(m, "messages_traffic.jsonl")
    every = [e for r in recs for e in r]
    comments = [e["data"] for e in every if e["type"] == "comment"]
    assert [(c["nick"], c["text"]) for c in comments] == [
        ("小鹿", "有优惠券吗"), ("橘子汽水", "M码还有吗"), ("夜猫子", "主播好美"), ("路人", "多少钱")]
    assert comments[0]["comment_id"] == "7001" and comments[0]["user_id"] == "u1"
    assert comments[3]["comment_id"] == "c-9002" and comments[3]["source"] == "control_comments"
    assert m.comment_by_id("7003")["text"] == "主播好美"
    assert m.stats.stream("comments").empty == 1            # data.messages was null
    ticks = m.tick(1796560000.2)
    assert len(ticks) == 1 and ticks[0]["type"] == "traffic.tick"
    d = ticks[0]["data"]
    assert d["online"] == 131
    assert d["viewers"] == 2045                            # the platform's figure did not go down
    assert d["room_impressions"] == 30000 and d["likes"] == 2 and d["comments"] == 4
    assert d["new_followers"] == 1 and d["platform"]["pay_amt"] == 1234.5
    assert m.tick(1796560000.9) == []                      # one tick per second
    again = m.tick(1796560001.0)
    assert again[0]["data"]["viewers"] == 2045
    assert ("live", True) in m.signals and ("live", False) in m.signals


def test_viewers_counted_from_enters_without_platform_figures(profile):
    m = ConsoleMapper(profile)
    url = "https://x/live_screen/message?room_id=1"
    for i, uid in enumerate(["a", "b", "a", "c"]):
        m.feed({"t": 10.0 + i, "url": url, "body": {"data": {"messages": {
            "room_enter": [{"msg_id": f"e{i}", "nick_name": uid, "user_id": uid}]}}}})
    tick = m.tick(20.0)[0]["data"]
    assert tick["viewers"] == 3 and tick["online"] == 0


def test_cards_seen_on_the_page(profile):
    m = ConsoleMapper(profile)
    recs = run(m, "card.jsonl")
    assert types(recs[1]) == ["card.pushed"]
    assert recs[1][0]["data"] == {"sku": "QM-FW-002", "origin": "platform", "title": "轻薄羽绒服 2号",
                                  "price": 129.0, "promotion_id": "3600002"}
    assert recs[2] == []                                   # the same card again: not news
    assert recs[3] == [] and ("card_refused", "当前用户未开播") in m.signals
    assert types(recs[4]) == ["card.pushed"] and recs[4][0]["data"]["sku"] == "QM-FW-001"
    assert types(recs[5]) == ["card.cleared"] and recs[5][0]["data"] == {"sku": "QM-FW-001"}
    # Livedesk's own push: the page's echo is not sent again
    m.set_current("QM-FW-002")
    assert m.observe_card("3600002") == []
    assert types(m.observe_card(None)) == ["card.cleared"]


def test_unmatched_and_malformed_records(profile):
    m = ConsoleMapper(profile)
    assert m.feed({"t": 1, "url": "https://x/api/other?x=1", "body": {}}) == []
    assert m.stats.unmatched == 1
    assert m.feed({"t": 2, "url": "https://x/promotions_v2?a", "body": {"data": {"promotions": [
        "not an object", {"title": "no ids"}]}}}) == []
    assert m.stats.malformed == 2
    assert m.feed({"t": 3, "url": "https://x/live_order_stream?a", "body": "text"}) == []
    assert m.feed({"t": 4, "url": "https://x/live_order_stream?a",
                   "body": {"data": [{"order_status": 3}]}}) == []
    assert m.stats.malformed == 3


def test_number_helpers():
    assert to_num({"value": "1,234.5"}) == 1234.5 and to_num(True) is None and to_num("x") is None
    assert to_unix(1796550004000) == 1796550004.0 and to_unix(1796550004) == 1796550004.0
    assert to_unix(None) is None


def test_profile_user_override_merges(tmp_path, monkeypatch):
    over = tmp_path / "douyin.yaml"
    over.write_text("version: 1\nresponses:\n  orders:\n    patterns: ['live_trade_flow?']\n"
                    "behaviour:\n  mismatch_minutes: 2\n", encoding="utf-8")
    monkeypatch.setenv("LIVEDESK_DOUYIN_PROFILE", str(over))
    prof = Profile.load()
    assert prof.sources[-1] == str(over)
    assert prof.classify("https://c/live_trade_flow?room_id=1") == "orders"
    assert prof.classify("https://c/live_order_stream?room_id=1") is None      # replaced
    assert prof.stream("orders")["fields"]["order_id"] == "order_id"          # kept
    assert prof.behaviour("mismatch_minutes") == 2 and prof.behaviour("poll_s") == 1.0
    assert Profile.load(use_user_override=False).classify("https://c/live_order_stream?x") == "orders"


@pytest.mark.parametrize("text, message", [
    ("version: 2\n", "version"),
    ("responses: [\n", "not valid YAML"),
    ("- a list\n", "a mapping"),
])
def test_bad_override_files_are_refused(tmp_path, text, message):
    bad = tmp_path / "bad.yaml"
    bad.write_text(text, encoding="utf-8")
    with pytest.raises(ProfileError, match=message):
        Profile.load(override=bad)


def test_profile_validation():
    raw = Profile.load(use_user_override=False).raw
    broken = dict(raw, responses={"orders": {"patterns": []}})
    with pytest.raises(ProfileError, match="patterns"):
        Profile.from_dict(broken)
    with pytest.raises(ProfileError, match="no such profile"):
        Profile.load("/nonexistent/profile.yaml")


def test_capture_roundtrip_and_a_cut_off_file(tmp_path):
    path = tmp_path / "s.jsonl.gz"
    w = CaptureWriter(path)
    for i in range(50):
        w.write({"t": float(i), "url": f"https://x/{i}", "body": {"中文": i}})
    w.flush()
    w.close()
    assert [r["body"]["中文"] for r in read_capture(path)] == list(range(50))
    assert (path.stat().st_mode & 0o077) == 0 or not hasattr(path.stat(), "st_mode")
    # appending after a restart adds a gzip member
    w = CaptureWriter(path)
    w.write({"t": 99.0, "url": "https://x/99", "body": {}})
    w.close()
    assert len(list(read_capture(path))) == 51
    # a crash cuts the file: what was flushed is read, the rest is dropped with a warning
    data = path.read_bytes()
    cut = tmp_path / "cut.jsonl.gz"
    cut.write_bytes(data[: len(data) - 15])
    got = list(read_capture(cut))
    assert 1 <= len(got) <= 51
    plain = tmp_path / "plain.jsonl"
    plain.write_text('{"t": 1, "url": "u", "body": {}}\nnot json\n\n{"t": 2, "url": "v", "body": {}}\n',
                     encoding="utf-8")
    assert [r["t"] for r in read_capture(plain)] == [1, 2]
    with gzip.open(tmp_path / "x.gz", "wt") as f:
        f.write('{"t": 5, "url": "u", "body": {}}\n')
    assert [r["t"] for r in read_capture(tmp_path / "x.gz")] == [5]
