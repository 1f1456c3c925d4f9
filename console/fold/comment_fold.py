"""Comments: the count, the recent comments, the pinned one, and the comment desk
(:class:`console.fold.comments.CommentBook`: question kinds, buyer tags, replies).

Handles ``comment``, ``comment.pinned`` and ``comment.sent``; orders reach the desk's buyer
window from orders.py."""

from __future__ import annotations

from collections import deque
from itertools import islice
from typing import TYPE_CHECKING

from console.core import protocol as p
from console.core.eventlog import Event
from console.fold.comments import CommentBook
from console.fold.parts import HISTORY, Handler

if TYPE_CHECKING:
    from console.fold.state import SessionState


class Comments:
    """Comment count, recent and pinned comments, the comment desk."""

    def __init__(self) -> None:
        self.comment_count = 0
        self.recent_comments: deque = deque(maxlen=HISTORY)
        self.pinned_comment: dict | None = None
        self.desk = CommentBook()

    # ---- Snapshot part -------------------------------------------------------------------
    def to_json(self, keep: int) -> dict:
        recent = self.recent_comments
        return {"comment_count": self.comment_count,
                "recent_comments": list(islice(reversed(recent), keep))[::-1],
                "pinned_comment": self.pinned_comment, "desk": self.desk.to_json(keep)}

    def load(self, snap: dict) -> None:
        self.comment_count = snap["comment_count"]
        self.recent_comments.extend(snap["recent_comments"])
        self.pinned_comment = snap["pinned_comment"]
        self.desk = CommentBook.from_json(snap.get("desk"), snap["recent_comments"])


# ---- Handlers ------------------------------------------------------------------------------
def on_comment(st: SessionState, ev: Event) -> None:
    comments = st.comments
    comments.comment_count += 1
    d = ev.data
    comments.recent_comments.append({"seq": ev.seq, "ts": ev.ts, "id": d.get("comment_id", ""),
                                     "nick": d["nick"], "text": d["text"]})
    comments.desk.on_comment(ev.seq, ev.ts, d, st.timeline.minute(ev.ts))


def on_comment_pinned(st: SessionState, ev: Event) -> None:
    comments = st.comments
    cid = ev.data["comment_id"]
    found = next((c for c in reversed(comments.recent_comments) if c["id"] == cid), None)
    comments.pinned_comment = found or {"id": cid, "nick": "", "text": ev.data.get("text", "")}


def on_comment_sent(st: SessionState, ev: Event) -> None:
    row = st.comments.desk.on_sent(ev.seq, ev.ts, ev.data, st.timeline.minute(ev.ts))
    st.timeline.mark(ev.ts, "reply" if row.get("reply_to") else "message", row["text"])


HANDLERS: dict[str, Handler] = {
    p.COMMENT: on_comment,
    p.COMMENT_PINNED: on_comment_pinned,
    p.COMMENT_SENT: on_comment_sent,
}

__all__ = ["Comments", "HANDLERS"]
