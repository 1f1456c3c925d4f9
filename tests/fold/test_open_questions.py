"""The comment desk's window of unanswered questions counts only unanswered ones."""

from __future__ import annotations

from console.fold import comments
from console.fold.comments import CommentBook, comment_words_from_dict

WORDS = comment_words_from_dict({"questions": {"size": ["码"]}})


def ask(book: CommentBook, cid: str, ts: float) -> None:
    book.on_comment(int(ts), ts, {"comment_id": cid, "nick": "n", "text": "什么码"}, 0)


def reply(book: CommentBook, to: str, ts: float) -> dict:
    book.on_sent(int(ts), ts, {"comment_id": "r-" + to, "text": "M", "reply_to": to}, 0)
    return book.replies[-1]


def test_an_answered_question_leaves_room_for_an_unanswered_one(monkeypatch):
    monkeypatch.setattr(comments, "OPEN_QUESTIONS", 3)
    book = CommentBook(WORDS)
    ask(book, "q0", 1.0)
    ask(book, "a", 2.0)
    assert reply(book, "a", 3.0)["latency_s"] == 1.0
    for i, cid in enumerate(("q1", "q2")):
        ask(book, cid, 4.0 + i)
    assert list(book._open) == ["q0", "q1", "q2"] == list(book._open_fifo)
    assert reply(book, "q0", 10.0)["latency_s"] == 9.0     # still open: its time is known


def test_a_question_asked_again_after_its_answer_is_held_once():
    book = CommentBook(WORDS)
    ask(book, "a", 1.0)
    reply(book, "a", 2.0)
    ask(book, "a", 5.0)
    assert list(book._open_fifo) == ["a"] and book._open == {"a": 5.0}
    assert reply(book, "a", 6.0)["latency_s"] == 1.0
    assert not book._open and not book._open_fifo
