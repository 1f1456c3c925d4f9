"""The comment desk's headless part: question detection, buyer tags, the comments fold.

Headless: no Qt. ``CommentBook`` is the comments section of :class:`console.fold.state.SessionState`
(``state.desk``): the state's fold hands it every comment, every comment the room sent
(``comment.sent``) and every order, and it keeps

* the newest ``HISTORY`` comments, each with its question kinds and buyer tags as they were
  when it was posted (``ordered``/``paid`` this session, ``follower`` when the feed says);
* a bounded window of buyers who ordered (``BUYER_WINDOW``, by buyer id = comment ``user_id``);
* comments and questions per minute, question counts by kind, the most asked question texts;
* the replies sent (operator or automation) with the time from the question they answer.

The keyword list (what counts as a size, price, shipping, stock or after-sales question, and the
abusive words the panel highlights) is data: ``resources/comment_questions.yaml``, user editable.
"Returning buyer" (paid in an earlier session of the same room) is not in the log: the app reads
it from the recording store (:func:`returning_buyers`) and the panel and report look it up.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from itertools import islice
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Iterable

from console.support.resources import load_yaml_data, resource_path

if TYPE_CHECKING:
    from console.api import Store

DEFAULT_WORDS = resource_path("comment_questions.yaml")
QUESTION_KINDS = ("size", "price", "shipping", "stock", "after_sales")
HISTORY = 2_000            # comments kept for the panel
#: Buyers who ordered, most recent kept (a commenter who ordered earlier than that is untagged).
#: Every recorder snapshot carries the window (about 30 KB compressed at 5,000 buyers).
BUYER_WINDOW = 5_000
OPEN_QUESTIONS = 2_000     # unanswered questions kept to time a later reply
REPLIES = 5_000            # replies kept in memory (snapshots keep the newest)
LATENCIES = 50_000         # question-to-reply times kept
TOP_TEXTS = 1_000          # distinct question texts counted before the rare ones are dropped

#: Tag letters on a comment row (a string, cheap to store and to snapshot).
TAG_ORDERED, TAG_PAID, TAG_FOLLOWER, TAG_OWN, TAG_RETURNING = "o", "p", "f", "s", "r"
#: a buyer's flag is one character ("1" ordered, "2" paid): a snapshot joins them into one
#: string in C instead of formatting thousands of numbers on the fold thread
_HAS_PAID = frozenset("23")


class CommentWordsError(ValueError):
    """A keyword file that cannot be used (every problem, with its location)."""


@dataclass
class CommentWords:
    """Question keywords and patterns by kind, abusive words; compiled for the fold."""

    keywords: dict[str, list[str]] = field(default_factory=dict)
    patterns: dict[str, list[str]] = field(default_factory=dict)
    labels: dict[str, str] = field(default_factory=dict)
    abusive: list[str] = field(default_factory=list)
    source: str = "<words>"

    def __post_init__(self) -> None:
        self._rx: list[tuple[str, re.Pattern]] = []
        for kind in self.kinds:
            parts = [re.escape(k) for k in self.keywords.get(kind, []) if k]
            parts += [f"(?:{p})" for p in self.patterns.get(kind, []) if p]
            if parts:
                self._rx.append((kind, re.compile("|".join(parts), re.IGNORECASE)))
        abusive = [re.escape(w) for w in self.abusive if w]
        self._abusive = re.compile("|".join(abusive), re.IGNORECASE) if abusive else None

    @property
    def kinds(self) -> list[str]:
        return list(dict.fromkeys([*self.keywords, *self.patterns]))

    def classify(self, text: str) -> tuple[str, ...]:
        """The question kinds ``text`` matches, in list order (empty: not a question)."""
        return tuple(kind for kind, rx in self._rx if rx.search(text))

    def abusive_spans(self, text: str) -> list[tuple[int, int]]:
        """Where abusive words are in ``text`` (start, end)."""
        rx = self._abusive
        return [m.span() for m in rx.finditer(text)] if rx is not None else []

    def to_dict(self) -> dict:
        return {"version": 1,
                "questions": {k: {"label": self.labels.get(k, k),
                                  "keywords": list(self.keywords.get(k, [])),
                                  "patterns": list(self.patterns.get(k, []))} for k in self.kinds},
                "abusive": list(self.abusive)}


def load_comment_words(path: str | Path | None = None) -> CommentWords:
    """Read a keyword file (default ``resources/comment_questions.yaml``); cached by mtime."""
    return load_yaml_data(Path(path) if path else DEFAULT_WORDS, comment_words_from_dict,
                          CommentWordsError)


def comment_words_from_dict(raw: Any, source: str = "<words>") -> CommentWords:
    """Validate a parsed keyword file; raise :class:`CommentWordsError` listing every problem."""
    if not isinstance(raw, dict):
        raise CommentWordsError(f"{source}: top level must be a mapping with 'questions'")
    problems: list[str] = []
    keywords: dict[str, list[str]] = {}
    patterns: dict[str, list[str]] = {}
    labels: dict[str, str] = {}
    questions = raw.get("questions") or {}
    if not isinstance(questions, dict):
        problems.append("questions: must be a mapping of kind -> keywords")
        questions = {}
    for kind, entry in questions.items():
        where = f"questions.{kind}"
        if isinstance(entry, list):
            entry = {"keywords": entry}
        if not isinstance(entry, dict):
            problems.append(f"{where}: must be a mapping with 'keywords' and/or 'patterns'")
            continue
        kws = entry.get("keywords") or []
        pats = entry.get("patterns") or []
        if not isinstance(kws, list) or not all(isinstance(k, (str, int)) for k in kws):
            problems.append(f"{where}.keywords: must be a list of text")
            kws = []
        if not isinstance(pats, list) or not all(isinstance(p, str) for p in pats):
            problems.append(f"{where}.patterns: must be a list of regular expressions")
            pats = []
        for i, pat in enumerate(pats):
            try:
                re.compile(pat)
            except re.error as exc:
                problems.append(f"{where}.patterns[{i}]: bad regular expression: {exc}")
        keywords[str(kind)] = [str(k).strip() for k in kws if str(k).strip()]
        patterns[str(kind)] = list(pats)
        labels[str(kind)] = str(entry.get("label") or kind)
    abusive = raw.get("abusive") or []
    if not isinstance(abusive, list) or not all(isinstance(w, (str, int)) for w in abusive):
        problems.append("abusive: must be a list of words")
        abusive = []
    if problems:
        raise CommentWordsError(f"{source}: " + "; ".join(problems))
    return CommentWords(keywords, patterns, labels, [str(w).strip() for w in abusive
                                                     if str(w).strip()], source)


def buyer_id(buyer: object) -> str | None:
    """A buyer id from an order's ``buyer`` ({"id", "nick"} or a bare id)."""
    if isinstance(buyer, dict):
        buyer = buyer.get("id")
    if isinstance(buyer, str):
        return buyer or None
    if type(buyer) is int:
        return str(buyer)
    return None


def order_buyer(data: dict) -> str | None:
    """:func:`buyer_id` of an order's ``buyer``, the common shapes read without a call (this
    runs for every order event)."""
    buyer = data.get("buyer")
    bid = buyer.get("id") if type(buyer) is dict else buyer
    return bid if type(bid) is str and bid else buyer_id(buyer)


def normalise_question(text: str) -> str:
    """The form in which question texts are counted: trimmed, spaces collapsed, ? dropped."""
    return " ".join(text.split()).rstrip("?？!！~。.").strip()


class CommentBook:
    """The comments section of the session state; fed by the state's fold (in log order)."""

    def __init__(self, words: CommentWords | None = None) -> None:
        self.words = words
        #: newest last: dicts {seq, ts, id, nick, text, uid, q (kinds), tags, reply_to, source}
        self.items: deque[dict] = deque(maxlen=HISTORY)
        self.count = 0                  # viewer comments
        self.sent = 0                   # comments the room sent (replies and messages)
        self.questions = 0
        self.by_kind: Counter = Counter()
        self.top_texts: Counter = Counter()
        self.per_minute: list[int] = []
        self.questions_per_minute: list[int] = []
        self.replies: list[dict] = []   # {seq, ts, text, reply_to, source, latency_s, kinds}
        #: every reply's time from the question it answers (reply comment id -> seconds), and
        #: what the room sent by source: the review reads these (snapshots keep them whole)
        self.latencies: dict[str, float] = {}
        self.sent_by_source: Counter = Counter()
        self.buyers: dict[str, str] = {}     # buyer id -> flag character (bounded, FIFO)
        self._open: dict[str, float] = {}      # unanswered question id -> when it was asked
        # insertion order of the two bounded dicts: not ``del d[next(iter(d))]``, which slows
        # down with every deletion (a dict keeps deleted slots at its front until it resizes)
        self._buyer_fifo: deque[str] = deque()
        self._open_fifo: deque[str] = deque()

    # ---- Fold (called by SessionState) -------------------------------------------------------
    def on_comment(self, seq: int, ts: float, data: dict, minute: int | None) -> dict:
        words = self.words
        if words is None:
            words = self.words = load_comment_words()
        text = data["text"]
        kinds = words.classify(text)
        uid = data.get("user_id")
        uid = uid if isinstance(uid, str) else (str(uid) if type(uid) is int else "")
        tags = ""
        flags = self.buyers.get(uid) if uid else None
        if flags is not None:
            tags = TAG_PAID if flags in _HAS_PAID else TAG_ORDERED
        if data.get("follower") is True:
            tags += TAG_FOLLOWER
        cid = data.get("comment_id")
        row = {"seq": seq, "ts": ts, "id": cid if isinstance(cid, str) else "",
               "nick": data["nick"], "text": text, "uid": uid, "q": kinds, "tags": tags}
        self.items.append(row)
        self.count += 1
        if minute is not None:
            _bump(self.per_minute, minute)
        if kinds:
            self.questions += 1
            self.by_kind.update(kinds)
            if minute is not None:
                _bump(self.questions_per_minute, minute)
            norm = normalise_question(text)
            top = self.top_texts
            top[norm] += 1
            if len(top) > TOP_TEXTS:
                kept = {k: v for k, v in top.items() if v > 1}
                if len(kept) > TOP_TEXTS // 2:
                    kept = dict(top.most_common(TOP_TEXTS // 2))
                self.top_texts = Counter(kept)
            if row["id"]:
                opened = self._open
                if row["id"] not in opened:
                    self._open_fifo.append(row["id"])
                opened[row["id"]] = ts
                fifo = self._open_fifo
                while len(fifo) > OPEN_QUESTIONS:
                    opened.pop(fifo.popleft(), None)
        return row

    def on_sent(self, seq: int, ts: float, data: dict, minute: int | None) -> dict:
        reply_to = data.get("reply_to") if isinstance(data.get("reply_to"), str) else None
        source = data.get("source") if isinstance(data.get("source"), str) else "operator"
        row = {"seq": seq, "ts": ts, "id": data["comment_id"], "nick": str(data.get("nick") or ""),
               "text": data["text"], "uid": "", "q": (), "tags": TAG_OWN,
               "reply_to": reply_to, "source": source}
        self.sent += 1
        asked = self._open.pop(reply_to, None) if reply_to else None
        if asked is not None and reply_to:
            # out of the window's order too (replies are few): an answered question must not
            # count against OPEN_QUESTIONS, and a snapshot restores exactly this order
            self._open_fifo.remove(reply_to)
        # replies are few: finding the question among the kept comments is cheap enough
        q = next((c for c in reversed(self.items) if c["id"] == reply_to), None) \
            if reply_to else None
        reply = {"seq": seq, "ts": ts, "text": data["text"], "reply_to": reply_to,
                 "source": source, "latency_s": round(ts - asked, 3) if asked is not None else None,
                 "kinds": list(q["q"]) if q else [], "question": q["text"] if q else ""}
        self.items.append(row)                 # after the search: the question, not this row
        self.replies.append(reply)
        self.sent_by_source[source] += 1
        if reply["latency_s"] is not None and len(self.latencies) < LATENCIES:
            self.latencies[row["id"]] = reply["latency_s"]
        if len(self.replies) > REPLIES:
            del self.replies[:len(self.replies) - REPLIES]
        return row

    def on_order(self, data: dict, paid: bool) -> None:
        """An order was created (``paid`` False) or paid: remember its buyer."""
        self.on_buyer(order_buyer(data), paid)

    def on_buyer(self, bid: str | None, paid: bool) -> None:
        """:meth:`on_order` with the buyer id already read (:func:`order_buyer`; None: no
        buyer). Runs for every order event, so it is kept to a few dictionary operations."""
        if bid is None:
            return
        buyers = self.buyers
        had = buyers.get(bid)
        if had is None:
            buyers[bid] = "2" if paid else "1"
            fifo = self._buyer_fifo
            fifo.append(bid)
            if len(fifo) > BUYER_WINDOW:
                buyers.pop(fifo.popleft(), None)
        elif paid and had == "1":
            buyers[bid] = "2"

    # ---- Queries ------------------------------------------------------------------------------
    def buyer_flags(self, uid: str, returning: frozenset[str] | set[str] = frozenset()) -> str:
        """Tags for a user id now: paid or ordered this session, ``r`` returning (paid in an
        earlier session of the room: ``returning`` from :func:`returning_buyers`)."""
        flags = self.buyers.get(uid) if uid else None
        out = "" if flags is None else (TAG_PAID if flags in _HAS_PAID else TAG_ORDERED)
        return out + (TAG_RETURNING if uid and uid in returning else "")

    def has_ordered(self, uid: str) -> bool:
        return bool(uid) and uid in self.buyers

    def reply_latencies(self) -> list[float]:
        return [r["latency_s"] for r in self.replies if r.get("latency_s") is not None]

    def since(self, seq: int) -> list[dict]:
        """Comment rows with a log seq above ``seq`` (oldest first)."""
        items = self.items
        if not items or items[-1]["seq"] <= seq:
            return []
        out = []
        for row in reversed(items):
            if row["seq"] <= seq:
                break
            out.append(row)
        out.reverse()
        return out

    # ---- Snapshots ----------------------------------------------------------------------------
    def to_json(self, keep: int = 100) -> dict:
        """JSON-compatible (orjson: tuples become arrays). Shares containers with the book:
        serialise it before the fold goes on. Built for the fold thread, which takes one every
        2000 events: no per-entry Python work over the buyer window or the open questions."""
        items = self.items
        rows = list(islice(items, len(items) - keep, None)) if keep < len(items) else list(items)
        return {"items": rows, "count": self.count,
                "sent": self.sent, "questions": self.questions, "by_kind": self.by_kind,
                "top_texts": self.top_texts,
                "per_minute": self.per_minute, "qpm": self.questions_per_minute,
                "replies": self.replies[-keep:], "latencies": self.latencies,
                "by_source": self.sent_by_source,
                "buyers": {"ids": list(self.buyers), "f": "".join(self.buyers.values())},
                "open": self._open}

    @classmethod
    def from_json(cls, obj: dict | None, recent_comments: Iterable[dict] = ()) -> "CommentBook":
        """The book a snapshot describes; a snapshot from before the comment desk (no
        ``desk``) gives a book with its recent comments, untagged."""
        book = cls()
        if not obj:
            for c in recent_comments:
                book.items.append({"seq": c.get("seq", 0), "ts": c.get("ts", 0.0),
                                   "id": c.get("id", ""), "nick": c.get("nick", ""),
                                   "text": c.get("text", ""), "uid": "", "q": (), "tags": ""})
            return book
        for r in obj.get("items", []):
            book.items.append(dict(r, q=tuple(r.get("q") or ())))
        book.count = obj.get("count", 0)
        book.sent = obj.get("sent", 0)
        book.questions = obj.get("questions", 0)
        book.by_kind = Counter(obj.get("by_kind") or {})
        book.top_texts = Counter(obj.get("top_texts") or {})
        book.per_minute = list(obj.get("per_minute") or [])
        book.questions_per_minute = list(obj.get("qpm") or [])
        book.replies = list(obj.get("replies") or [])
        book.latencies = dict(obj.get("latencies") or {})
        book.sent_by_source = Counter(obj.get("by_source") or {})
        buyers = obj.get("buyers") or {}
        book.buyers = dict(zip(buyers.get("ids", []), buyers.get("f", "")))
        book._buyer_fifo = deque(book.buyers)
        book._open = dict(obj.get("open") or {})
        book._open_fifo = deque(book._open)
        return book


def _bump(series: list[int], index: int) -> None:
    if index >= len(series):
        series.extend([0] * (index - len(series) + 1))
    series[index] += 1


def returning_buyers(store: Store, session_id: str, room: str | None = None) -> frozenset[str]:
    """Buyer ids who paid in earlier sessions of the same room, from the recording store.

    Uses the store's sessions list (same ``room``, started before this one) and each session's
    first purchases (``b:<buyer>`` keys). Empty when the store has none or cannot say.
    """
    try:
        sessions = store.sessions()
        this = next((s for s in sessions if s.id == session_id), None)
        room = room or (this.room if this else None)
        if not room:
            return frozenset()
        started = this.started_at if this else None
        ids: set[str] = set()
        for s in sessions:
            if s.id == session_id or s.room != room:
                continue
            if started is not None and (s.started_at or 0) >= started:
                continue
            for key in store.first_purchases(s.id):
                if key.startswith("b:") and "|" not in key:
                    ids.add(key[2:])
        return frozenset(ids)
    except Exception:  # noqa: BLE001 - a tag is a nicety; the desk works without it
        return frozenset()


__all__ = ["CommentBook", "CommentWords", "CommentWordsError", "load_comment_words", "order_buyer",
           "comment_words_from_dict", "returning_buyers", "QUESTION_KINDS",
           "TAG_ORDERED", "TAG_PAID", "TAG_FOLLOWER", "TAG_OWN", "TAG_RETURNING", "normalise_question"]
