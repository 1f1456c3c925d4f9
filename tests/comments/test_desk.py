"""Comments in the fold: question kinds, buyer tags, replies and their latency, snapshots;
the simulator's comment.send with its rejections; the schema."""
from __future__ import annotations


import orjson
import pytest

from console.core import protocol as p
from console.fold.comments import (CommentWordsError, comment_words_from_dict, load_comment_words,
                              returning_buyers)
from plugins.simulator.model import Simulator
from console.fold.state import SessionState
from tests.comments.conftest import T0, SimSession


def comment(session, cid: str, text: str, uid: str = "", nick: str = "小鹿", **extra) -> None:
    data = {"comment_id": cid, "nick": nick, "text": text, **extra}
    if uid:
        data["user_id"] = uid
    session.feed(p.COMMENT, data)


def order(session, oid: str, uid: str, kind: str = p.ORDER_CREATED) -> None:
    session.feed(kind, {"order_id": oid, "sku": "QM-FW-001", "qty": 1, "amount": 399.0,
                        "buyer": {"id": uid, "nick": "买家"}})


def test_question_kinds_from_the_keyword_file():
    words = load_comment_words()
    assert words.classify("身高160体重110穿什么码") == ("size",)
    assert words.classify("这个多少钱") == ("price",)
    assert words.classify("什么时候发货 包邮吗") == ("shipping",)
    assert words.classify("还有货吗") == ("stock",)
    assert words.classify("有运费险吗") == ("after_sales",)
    assert words.classify("主播好漂亮") == ()
    assert words.classify("170cm穿多大") == ("size",)
    assert words.abusive_spans("你是骗子吧") == [(2, 4)]


def test_keyword_file_errors_are_reported_with_their_place():
    with pytest.raises(CommentWordsError) as exc:
        comment_words_from_dict({"questions": {"size": {"keywords": "码", "patterns": ["(unclosed"]},
                                               "price": 5}, "abusive": "x"})
    text = str(exc.value)
    assert "questions.size.keywords" in text and "questions.size.patterns[0]" in text
    assert "questions.price" in text and "abusive" in text
    with pytest.raises(CommentWordsError):
        comment_words_from_dict([1, 2])


def test_buyer_tags_come_from_the_fold(session):
    comment(session, "x1", "有M码吗", uid="u1")
    order(session, "LD-A", "u1")
    comment(session, "x2", "拍了什么时候发货", uid="u1")
    order(session, "LD-A", "u1", p.ORDER_PAID)
    comment(session, "x3", "好看", uid="u1", follower=True)
    comment(session, "x4", "我没买", uid="u2")
    comment(session, "x5", "没有 id")
    rows = {r["id"]: r for r in session.state.desk.items}
    assert rows["x1"]["tags"] == ""                   # before the order: no tag
    assert rows["x2"]["tags"] == "o"                  # ordered, not paid yet
    assert rows["x3"]["tags"] == "pf"                 # paid, and a follower
    assert rows["x4"]["tags"] == "" and rows["x5"]["tags"] == ""
    assert rows["x1"]["q"] == ("size",) and rows["x2"]["q"] == ("shipping",)
    desk = session.state.desk
    assert desk.buyer_flags("u1") == "p" and desk.buyer_flags("u2") == ""
    assert desk.buyer_flags("u2", returning=frozenset({"u2"})) == "r"
    assert desk.has_ordered("u1") and not desk.has_ordered("u2") and not desk.has_ordered("")
    assert desk.count == 5 and desk.questions == 2 and desk.by_kind == {"size": 1, "shipping": 1}


def test_simulated_commenters_include_buyers(plan):
    s = SimSession(plan, seed=5, autopilot=True)
    for _ in range(900):
        s.advance(1)
    rows = list(s.state.desk.items)
    tagged = [r for r in rows if r["tags"].strip("f")]
    assert len(rows) > 200 and len(tagged) > 10
    assert any("f" in r["tags"] for r in rows)
    assert sum(s.state.desk.by_kind.values()) > 50


def test_reply_latency_and_top_questions(session):
    comment(session, "q1", "这个多少钱", uid="u1")
    session.advance(12)
    comment(session, "q2", "这个多少钱？", uid="u2")
    session.send_command(p.CMD_COMMENT_SEND, {"text": "直播间到手价399", "reply_to": "q1"})
    session.send_command(p.CMD_COMMENT_SEND, {"text": "欢迎来到直播间"})
    desk = session.state.desk
    assert [r["reply_to"] for r in desk.replies] == ["q1", None]
    assert desk.replies[0]["latency_s"] == pytest.approx(12.0, abs=0.01)
    assert desk.replies[0]["kinds"] == ["price"]
    assert desk.replies[1]["latency_s"] is None
    assert desk.top_texts.most_common(1) == [("这个多少钱", 2)]
    own = [r for r in desk.items if "s" in r["tags"]]
    assert [r["text"] for r in own] == ["直播间到手价399", "欢迎来到直播间"]
    assert own[0]["source"] == "operator" and own[0]["nick"] == session.sim.plan.room
    assert sum(desk.per_minute) == 2 and sum(desk.questions_per_minute) == 2


def test_snapshot_round_trip_keeps_the_desk(session):
    comment(session, "q1", "有L码吗", uid="u9")
    order(session, "LD-B", "u9", p.ORDER_PAID)
    session.send_command(p.CMD_COMMENT_SEND, {"text": "有的", "reply_to": "q1"})
    snap = orjson.loads(orjson.dumps(session.state.to_snapshot(keep=10_000)))
    st = SessionState.from_snapshot(snap)
    a, b = session.state.desk, st.desk
    assert list(b.items) == list(a.items)
    assert b.buyers == a.buyers and b.replies == a.replies and b.by_kind == a.by_kind
    # the fold continues the same way from the snapshot
    comment(session, "q2", "还有货吗", uid="u9")
    st.apply([session.events[-1]])
    assert st.desk.items[-1]["tags"] == session.state.desk.items[-1]["tags"] == "p"
    # a snapshot from before the comment desk still gives its recent comments
    del snap["desk"]
    old = SessionState.from_snapshot(snap)
    assert [r["text"] for r in old.desk.items] == [c["text"] for c in snap["recent_comments"]]


def test_buyer_window_is_bounded(monkeypatch):
    from console.fold import comments
    monkeypatch.setattr(comments, "BUYER_WINDOW", 50)
    book = comments.CommentBook()
    for i in range(200):
        book.on_order({"buyer": {"id": f"u{i}"}}, paid=True)
    assert len(book.buyers) == 50 and "u199" in book.buyers and "u0" not in book.buyers


def test_simulator_comment_send_and_rejections(plan, session):
    sim = session.sim
    ev, err = sim.handle_command(p.CMD_COMMENT_SEND, {"text": "  欢迎新进来的家人  "}, T0 + 1)
    assert err is None and ev[-1]["type"] == p.COMMENT_SENT
    assert ev[-1]["data"]["text"] == "欢迎新进来的家人" and ev[-1]["data"]["source"] == "operator"
    sent_id = ev[-1]["data"]["comment_id"]
    # the room's own comment can be pinned
    ev, err = sim.handle_command(p.CMD_COMMENT_PIN, {"comment_id": sent_id}, T0 + 1)
    assert err is None and ev[-1]["type"] == p.COMMENT_PINNED
    cases = {"": "empty", "   ": "empty", "好" * 101: "at most 100",
             "全网最低价，赶紧拍": "banned words: 全网最低"}
    for text, reason in cases.items():
        ev, err = sim.handle_command(p.CMD_COMMENT_SEND, {"text": text}, T0 + 2)
        assert ev == [] and reason in err, (text, err)
    assert "unknown comment" in sim.handle_command(
        p.CMD_COMMENT_SEND, {"text": "好的", "reply_to": "nope"}, T0 + 2)[1]
    assert sim.handle_command(p.CMD_COMMENT_SEND, {"text": "好的", "reply_to": 5}, T0 + 2)[1]
    assert "missing field 'text'" in sim.handle_command(p.CMD_COMMENT_SEND, {}, T0 + 2)[1]
    assert p.check_command(p.command("c1", "comment.send", {"text": "hi"})) is None
    assert p.check_command(p.command("c1", "comment.send", {"text": 3})) is not None


def test_comment_send_over_the_wire(plan):
    """The reference server takes the command and answers ack or a rejected error."""
    import asyncio

    import websockets

    from plugins.simulator.server import SimServer

    async def main():
        server = SimServer(plan, seed=3, port=0, speed=1.0)
        await server.start()
        try:
            async with websockets.connect(server.url) as ws:
                await ws.send(p.dumps_text(p.hello("test")))
                replies = {}

                async def read_until(pred):
                    while True:
                        kind, obj = p.decode_frame(await asyncio.wait_for(ws.recv(), 10))
                        items = obj if kind == "events" else [obj]
                        for item in items:
                            if pred(item):
                                return item
                await read_until(lambda m: m.get("op") == "welcome")
                await ws.send(p.dumps_text(p.command("k1", "comment.send", {"text": "大家好"})))
                sent = await read_until(lambda m: m.get("type") == p.COMMENT_SENT)
                replies["ack"] = await read_until(lambda m: m.get("op") == "ack")
                await ws.send(p.dumps_text(p.command("k2", "comment.send", {"text": "最好的"})))
                replies["err"] = await read_until(lambda m: m.get("op") == "error")
                return sent, replies
        finally:
            await server.stop()

    sent, replies = asyncio.run(main())
    assert sent["data"]["text"] == "大家好" and replies["ack"]["id"] == "k1"
    assert replies["ack"]["seq"] == sent["seq"]
    assert replies["err"]["code"] == "rejected" and "最好" in replies["err"]["message"]


def test_schema_accepts_comment_send_and_sent(plan):
    from tests.plugins.simulator.test_schema import SCHEMA, valid
    sim = Simulator(plan, seed=2, start_ts=T0)
    sim.step(T0 + 5)
    ev, _ = sim.handle_command(p.CMD_COMMENT_SEND, {"text": "你好", "source": "automation"}, T0 + 6)
    assert valid(ev[-1], SCHEMA)
    assert valid(p.command("c1", "comment.send", {"text": "hi", "reply_to": "c9"}), SCHEMA)
    assert not valid(p.command("c1", "comment.send", {"reply_to": "c9"}), SCHEMA)
    assert not valid({"seq": 3, "ts": 1.0, "type": "comment.sent", "data": {"text": "x"}}, SCHEMA)


def test_returning_buyers_from_earlier_sessions_of_the_room():
    class Info:
        def __init__(self, id_, room, started):
            self.id, self.room, self.started_at = id_, room, started

    class Store:
        def sessions(self):
            return [Info("now", "A", 300.0), Info("old", "A", 100.0), Info("other", "B", 50.0),
                    Info("later", "A", 900.0)]

        def first_purchases(self, sid):
            return {"old": {"b:u1": 4, "b:u1|SKU": 4}, "other": {"b:u2": 1},
                    "later": {"b:u3": 2}}.get(sid, {})

    assert returning_buyers(Store(), "now") == frozenset({"u1"})
    assert returning_buyers(object(), "now") == frozenset()


def test_load_mode_comment_rate(plan):
    """``livedesk simulate --load 5200 --load-comments 200``: 200 of the 5,200 events a second
    are comments (the console benchmark's mix), all valid; without the option the mix is as
    before (about 8 % of the draws)."""
    from collections import Counter
    for cps, low, high in ((200, 180, 220), (0, 0, 0)):
        sim = Simulator(plan, seed=1, start_ts=0)
        gen = sim.load(5200, start_ts=0, chunk=250, comments_per_s=cps)
        events = []
        for _ in range(10 * 21):
            events += next(gen)
        seconds = len(events) / 5200
        per_s = Counter(e["type"] for e in events)[p.COMMENT] / seconds
        assert low <= per_s <= high, per_s
        assert all(p.check_event(e) is None for e in events[:5000])
