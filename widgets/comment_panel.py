"""Comment desk: the live comment stream with buyer tags, questions, search, pin, reply, cues.

Observes ``state.desk`` (console/fold/comments.py). New comments are taken once per frame (the frame
clock calls ``refresh``), appended to a bounded model in one step and painted straight from the
model's rows: at 200 comments a second beside thousands of other events a frame costs one
append and one repaint of the visible rows, never one per comment. The view follows the newest
comment until the operator scrolls up; then it stays on the comments they are reading and a
"N new" button counts what arrived below.

Intents only (no I/O): ``sig_pin``, ``sig_reply``, ``sig_send_to_host``; the window sends them.
"""

from __future__ import annotations

import re
import time
from datetime import datetime

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QFont, QPainter, QStaticText, QTransform
from PySide6.QtWidgets import (QAbstractScrollArea, QCheckBox, QComboBox, QHBoxLayout, QLabel,
                               QLineEdit, QPushButton, QVBoxLayout, QWidget)

from console.live.automation import DEFAULT_TEMPLATES, MissingValue, render, template_values
from console.fold.comments import (TAG_FOLLOWER, TAG_ORDERED, TAG_OWN, TAG_PAID,
                              TAG_RETURNING, load_comment_words)
import widgets.pyside_pin  # noqa: F401  (pins None/True/False: a PySide6 6.12 refcount bug)
from widgets.frame_clock import set_text
from widgets.steady_label import SteadyLabel
from widgets.order_ticker import mask_nick

MAX_ROWS = 5_000            # comments the panel holds (the fold keeps its own, smaller window)
TRIM_TO = 4_000
QUESTION_COLOUR = "#ffb020"
BAD_COLOUR = "#ff4040"
SEARCH_COLOUR = "#3fa7ff"
TAG_STYLE = {TAG_PAID: ("#35c27a", "paid"), TAG_ORDERED: ("#3fa7ff", "ordered"),
             TAG_RETURNING: ("#e0b341", "returning"), TAG_FOLLOWER: ("#ff7eb6", "follower")}


def _tr(text: str) -> str:
    return QCoreApplication.translate("Livedesk", text)


def kind_labels() -> dict[str, str]:
    """Question kinds as the operator reads them."""
    return {"size": _tr("Size"), "price": _tr("Price"), "shipping": _tr("Shipping"),
            "stock": _tr("Stock"), "after_sales": _tr("After-sales")}


class CommentModel:
    """The panel's rows (oldest first, bounded) and the filtered view of them.

    Rows are the fold's comment dicts themselves (never modified here).
    """

    def __init__(self) -> None:
        self.rows: list[dict] = []
        self.shown: list[dict] = []          # rows passing the filter (all rows when none)
        self.last_seq = 0
        self.questions_only = False
        self.kind: str | None = None
        self.search = ""
        self.trimmed = 0                     # rows dropped from the front in the last add

    @property
    def filtering(self) -> bool:
        return self.questions_only or bool(self.kind) or bool(self.search)

    def matches(self, row: dict) -> bool:
        if self.questions_only and not row["q"]:
            return False
        if self.kind and self.kind not in row["q"]:
            return False
        if self.search:
            needle = self.search
            return needle in row["text"].lower() or needle in row["nick"].lower()
        return True

    def add(self, fresh: list[dict]) -> int:
        """Append new rows; returns how many of them pass the filter."""
        self.trimmed = 0
        if not fresh:
            return 0
        self.last_seq = fresh[-1]["seq"]
        self.rows.extend(fresh)
        added = [r for r in fresh if self.matches(r)] if self.filtering else fresh
        if self.shown is not self.rows:
            self.shown.extend(added)
        if len(self.rows) > MAX_ROWS:
            cut = len(self.rows) - TRIM_TO
            first_kept = self.rows[cut]["seq"]
            del self.rows[:cut]
            if self.filtering:
                n = 0
                while n < len(self.shown) and self.shown[n]["seq"] < first_kept:
                    n += 1
                del self.shown[:n]
                self.trimmed = n
            else:
                self.trimmed = cut
        return len(added)

    def reset(self, rows: list[dict]) -> None:
        self.rows = list(rows[-MAX_ROWS:])
        self.last_seq = self.rows[-1]["seq"] if self.rows else 0
        self.refilter()

    def refilter(self) -> None:
        self.shown = [r for r in self.rows if self.matches(r)] if self.filtering else self.rows


class CommentRowsView(QAbstractScrollArea):
    """Paints the comment rows (time, tags, masked nick, text with highlights) from the model."""

    ROW_H = 24
    TIME_W = 62
    NICK_W = 74

    # ---- Signals
    sig_selected = Signal(object)
    """A row was clicked: the comment dict (or None)."""
    sig_activated = Signal(object)
    """A row was double-clicked (reply to it)."""
    sig_follow_changed = Signal(bool)
    """The view started (True) or stopped following the newest comment."""

    def __init__(self, model: CommentModel, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = model
        self.follow = True
        self.selected_seq: int | None = None
        self.words = None
        self.banned = None
        self.returning: frozenset[str] = frozenset()
        self._static: dict[tuple, QStaticText] = {}
        self._tag_static: dict[str, QStaticText] = {}
        self._segs: dict[int, tuple] = {}
        self._banned_rx = None       # any advertising-law term at all (then the full check)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        self.setFocusPolicy(Qt.ClickFocus)
        bar = self.verticalScrollBar()
        bar.setSingleStep(1)
        bar.valueChanged.connect(self._on_scrolled)
        self._adjusting = False
        self._styles = (None, QColor(QUESTION_COLOUR), QColor(BAD_COLOUR), QColor(SEARCH_COLOUR))
        pal = self.palette()
        self._colours = (pal.base().color(), pal.alternateBase().color(), pal.text().color(),
                         QColor("#8a92a6"), QColor("#34405a"), QColor("#2a2418"))
        self.tag_text = {TAG_PAID: _tr("paid"), TAG_ORDERED: _tr("ordered"),
                         TAG_RETURNING: _tr("returning"), TAG_FOLLOWER: _tr("follower"),
                         "own": _tr("room"), "auto": _tr("auto")}

    # ---- Public API
    def visible_rows(self) -> int:
        return max(1, self.viewport().height() // self.ROW_H)

    def top_row(self) -> int:
        return self.verticalScrollBar().value()

    def rows_added(self, shown_added: int) -> None:
        """After ``model.add``: keep following, or keep the rows being read where they are."""
        bar = self.verticalScrollBar()
        top = bar.value()
        self._adjusting = True
        self._update_range()
        if self.follow:
            bar.setValue(bar.maximum())
        elif self.model.trimmed:
            bar.setValue(max(0, top - self.model.trimmed))
        self._adjusting = False
        self.viewport().update()

    def rows_reset(self) -> None:
        self._adjusting = True
        self._update_range()
        if self.follow:
            self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        self._adjusting = False
        self.viewport().update()

    def jump_to_newest(self) -> None:
        self.follow = True
        self._update_range()
        self.verticalScrollBar().setValue(self.verticalScrollBar().maximum())
        self.sig_follow_changed.emit(True)
        self.viewport().update()

    def row_at(self, y: float) -> dict | None:
        i = self.top_row() + int(y // self.ROW_H)
        shown = self.model.shown
        return shown[i] if 0 <= i < len(shown) else None

    def selected(self) -> dict | None:
        if self.selected_seq is None:
            return None
        for row in reversed(self.model.rows):
            if row["seq"] == self.selected_seq:
                return row
            if row["seq"] < self.selected_seq:
                break
        return None

    # ---- Internals
    def _update_range(self) -> None:
        bar = self.verticalScrollBar()
        visible = self.visible_rows()
        bar.setRange(0, max(0, len(self.model.shown) - visible))
        bar.setPageStep(visible)

    def _on_scrolled(self, value: int) -> None:
        if not self._adjusting:
            at_end = value >= self.verticalScrollBar().maximum()
            if at_end != self.follow:
                self.follow = at_end
                self.sig_follow_changed.emit(at_end)
        self.viewport().update()

    def _segments(self, row: dict) -> tuple[tuple[str, int], ...]:
        """The comment text as (piece, style) pieces: 0 plain, 1 question word (amber),
        2 banned or abusive (red, bold), 3 search match (blue). Cached per row."""
        seq = row["seq"]
        segs = self._segs.get(seq)
        if segs is not None:
            return segs
        text = row["text"]
        spans: list[tuple[int, int, int]] = []
        words = self.words
        if words is not None:
            spans += [(s, e, 2) for s, e in words.abusive_spans(text)]
            if row["q"]:
                for kind, rx in words._rx:
                    if kind in row["q"]:
                        spans += [(m.start(), m.end(), 1) for m in rx.finditer(text)
                                  if m.end() > m.start()]
        if self.banned is not None and (self._banned_rx is None or self._banned_rx.search(text)):
            spans += [(h.start, h.end, 2) for h in self.banned(text)]
        needle = self.model.search
        if needle:
            low = text.lower()
            i = low.find(needle)
            while i >= 0:
                spans.append((i, i + len(needle), 3))
                i = low.find(needle, i + 1)
        out: list[tuple[str, int]] = []
        pos = 0
        for s, e, style in sorted(spans, key=lambda sp: (sp[0], -(sp[1] - sp[0]))):
            if s < pos:
                continue
            if s > pos:
                out.append((text[pos:s], 0))
            out.append((text[s:e], style))
            pos = e
        if pos < len(text):
            out.append((text[pos:], 0))
        if len(self._segs) > 2 * MAX_ROWS:
            self._segs.clear()
        segs = self._segs[seq] = tuple(out)
        return segs

    def _static_for(self, key: tuple, text: str, font: QFont) -> QStaticText:
        st = self._static.get(key)
        if st is None:
            st = self._static[key] = QStaticText(text)
            st.setTextFormat(Qt.PlainText)
            st.prepare(QTransform(), font)
        return st

    def _tags(self, row: dict) -> list[str]:
        tags = row["tags"]
        if TAG_OWN in tags:
            return ["auto" if row.get("source") == "automation" else "own"]
        out = [t for t in (TAG_PAID, TAG_ORDERED) if t in tags]
        if row["uid"] and row["uid"] in self.returning:
            out.append(TAG_RETURNING)
        if TAG_FOLLOWER in tags:
            out.append(TAG_FOLLOWER)
        return out

    # ---- Qt
    def resizeEvent(self, event) -> None:  # noqa: N802
        super().resizeEvent(event)
        self.rows_reset()

    def mousePressEvent(self, event) -> None:  # noqa: N802
        row = self.row_at(event.position().y())
        self.selected_seq = row["seq"] if row else None
        self.sig_selected.emit(row)
        self.viewport().update()
        super().mousePressEvent(event)

    def mouseDoubleClickEvent(self, event) -> None:  # noqa: N802
        row = self.row_at(event.position().y())
        if row is not None:
            self.selected_seq = row["seq"]
            self.sig_activated.emit(row)

    def paintEvent(self, event) -> None:  # noqa: N802
        vp = self.viewport()
        p = QPainter(vp)
        base, alt, text_c, muted, sel, question_bg = self._colours
        width, height, rh = vp.width(), vp.height(), self.ROW_H
        p.fillRect(0, 0, width, height, base)
        font = p.font()
        small = QFont(font)
        small.setPointSizeF(max(6.0, font.pointSizeF() * 0.8))
        bold = QFont(font)
        bold.setBold(True)
        styles = self._styles
        static = self._static
        if len(static) > 20_000:
            static.clear()
        shown = self.model.shown
        top = self.verticalScrollBar().value()
        y = 0
        text_x = self.TIME_W + self.NICK_W
        for i in range(top, min(len(shown), top + height // rh + 1)):
            row = shown[i]
            if row["seq"] == self.selected_seq:
                p.fillRect(0, y, width, rh, sel)
            elif row["q"]:
                p.fillRect(0, y, width, rh, question_bg)
            elif i % 2:
                p.fillRect(0, y, width, rh, alt)
            if row["q"]:
                p.fillRect(0, y + 3, 3, rh - 6, QColor(QUESTION_COLOUR))
            p.setPen(muted)
            second = int(row["ts"])
            t = static.get(("t", second))
            if t is None:
                t = self._static_for(("t", second), datetime.fromtimestamp(second)
                                     .strftime("%H:%M:%S"), font)
            p.drawStaticText(QPointF(6, y + (rh - t.size().height()) / 2), t)
            own = TAG_OWN in row["tags"]
            nick = row["nick"] if own else mask_nick(row["nick"])
            p.setPen(QColor("#b58cff") if own else text_c)
            n = self._static_for(("n", nick), nick, font)
            p.setClipRect(QRectF(self.TIME_W, y, self.NICK_W - 4, rh))
            p.drawStaticText(QPointF(self.TIME_W, y + (rh - n.size().height()) / 2), n)
            p.setClipping(False)
            x = text_x
            p.setFont(small)
            for tag in self._tags(row):
                colour = TAG_STYLE.get(tag, ("#b58cff",))[0]
                label = self.tag_text[tag]
                ts_ = self._tag_static.get(label)
                if ts_ is None:
                    ts_ = self._tag_static[label] = QStaticText(label)
                    ts_.prepare(QTransform(), small)
                w = ts_.size().width() + 8
                p.setPen(QColor(colour))
                p.drawRoundedRect(QRectF(x, y + 4, w, rh - 8), 3, 3)
                p.drawStaticText(QPointF(x + 4, y + (rh - ts_.size().height()) / 2), ts_)
                x += w + 4
            p.setFont(font)
            # the text, piece by piece (plain static texts, cached by piece: comments repeat
            # words and phrases, and a plain layout is far cheaper than rich text)
            x += 2
            p.setClipRect(QRectF(x, y, width - x - 4, rh))
            for piece, style in self._segments(row):
                if x >= width:
                    break
                st = self._static_for(("s", piece, style == 2), piece,
                                      bold if style == 2 else font)
                p.setPen(styles[style] or text_c)
                if style == 2:
                    p.setFont(bold)
                p.drawStaticText(QPointF(x, y + (rh - st.size().height()) / 2), st)
                if style == 2:
                    p.setFont(font)
                x += st.size().width()
            p.setClipping(False)
            y += rh
        if not shown:
            p.setPen(muted)
            p.drawText(0, 0, width, height, Qt.AlignCenter,
                       _tr("No comments match") if self.model.filtering else _tr("No comments yet"))
        p.end()


class CommentPanel(QWidget):
    """The comment desk: stream, filters, pinned comment, reply box with quick replies."""

    # ---- Signals
    sig_pin = Signal(str)
    """Pin this comment id in the room (``comment.pin``)."""
    sig_reply = Signal(str, str)
    """Send this text to the room (``comment.send``), replying to a comment id ("" for none)."""
    sig_send_to_host = Signal(str, dict)
    """Put this comment on the prompter as a cue: (cue text, the comment)."""

    time_dependent = False

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = None
        self.now = time.time
        self.read_only = False
        self.refreshes = 0
        self._desk = None
        self._templates_key: object = None
        self.templates: list[tuple[str, str]] = []
        lay = QVBoxLayout(self)
        lay.setContentsMargins(6, 6, 6, 6)
        lay.setSpacing(4)
        # ---- filters
        top = QHBoxLayout()
        self.questions_box = QCheckBox(_tr("Questions"))
        self.questions_box.setToolTip(_tr("Only comments asking about size, price, shipping, "
                                          "stock or after-sales"))
        self.questions_box.toggled.connect(self._on_filter)
        self.kind_combo = QComboBox()
        self.kind_combo.addItem(_tr("All kinds"), "")
        for kind, label in kind_labels().items():
            self.kind_combo.addItem(label, kind)
        self.kind_combo.currentIndexChanged.connect(self._on_filter)
        self.search = QLineEdit()
        self.search.setPlaceholderText(_tr("Search comments or nicks"))
        self.search.setClearButtonEnabled(True)
        self.search.textChanged.connect(self._on_filter)
        top.addWidget(self.questions_box)
        top.addWidget(self.kind_combo)
        top.addWidget(self.search, 1)
        lay.addLayout(top)
        self.counts = SteadyLabel()      # changes with every comment: no relayouts
        self.counts.setObjectName("muted")
        lay.addWidget(self.counts)
        self.pinned = QLabel()
        self.pinned.setWordWrap(True)
        self.pinned.setStyleSheet("color: #ffb020;")
        self.pinned.hide()
        lay.addWidget(self.pinned)
        # ---- stream
        self.model = CommentModel()
        self.view = CommentRowsView(self.model, self)
        self.view.setMinimumHeight(48)
        self.view.sig_selected.connect(self._on_selected)
        self.view.sig_activated.connect(self._on_activated)
        self.view.sig_follow_changed.connect(self._on_follow_changed)
        lay.addWidget(self.view, 1)
        self.new_button = QPushButton()
        self.new_button.setObjectName("primary")
        self.new_button.clicked.connect(self._on_jump)
        self.new_button.hide()
        lay.addWidget(self.new_button)
        self._unseen = 0
        # ---- reply, and the actions on the selected comment (one row: the stream gets the height)
        self.pin_button = QPushButton(_tr("Pin"))
        self.pin_button.clicked.connect(self._on_pin)
        self.host_button = QPushButton(_tr("Send to host"))
        self.host_button.clicked.connect(self._on_host)
        reply = QHBoxLayout()
        self.template_combo = QComboBox()
        self.template_combo.setToolTip(_tr("Quick replies; {product}, {price}, {stock}, "
                                           "{link_no} … are filled in from the session"))
        self.template_combo.activated.connect(self._on_template)
        self.reply_box = QLineEdit()
        self.reply_box.setPlaceholderText(_tr("Reply to the room, Enter to send"))
        self.reply_box.setMaxLength(100)
        self.reply_box.returnPressed.connect(self._on_send)
        self.reply_box.textChanged.connect(self._on_reply_text)
        self.send_button = QPushButton(_tr("Send"))
        self.send_button.clicked.connect(self._on_send)
        reply.addWidget(self.template_combo)
        reply.addWidget(self.reply_box, 1)
        reply.addWidget(self.send_button)
        reply.addWidget(self.pin_button)
        reply.addWidget(self.host_button)
        lay.addLayout(reply)
        self.message = QLabel()
        self.message.setWordWrap(True)
        self.message.hide()
        lay.addWidget(self.message)
        self._reply_to: dict | None = None
        self._selected: dict | None = None
        self._law_warning = False
        try:
            self.view.words = load_comment_words()
        except ValueError as exc:           # a broken keyword file: the desk works without it
            self._show_message(str(exc), error=True)
        from console.compliance import WordListError, check_text, load_words
        self.view.banned = check_text
        try:
            terms = sorted({t.term for t in load_words().terms}, key=len, reverse=True)
            self.view._banned_rx = re.compile("|".join(map(re.escape, terms)), re.IGNORECASE) \
                if terms else None
        except WordListError as exc:
            self._show_message(str(exc), error=True)
        self._update_actions()

    # ---- Public API
    def sizeHint(self) -> QSize:  # noqa: N802
        """Modest: the stream shares the alerts' place and grows with its dock."""
        return QSize(320, 200)

    def set_state(self, state) -> None:
        self.state = state
        self._desk = None        # a new state (replay seek): rebuild from its comments

    def set_read_only(self, on: bool) -> None:
        """Replay: browse and filter only; nothing is pinned, sent or cued."""
        self.read_only = on
        for w in (self.pin_button, self.host_button, self.template_combo, self.reply_box,
                  self.send_button):
            w.setVisible(not on)
        self._update_actions()

    def set_returning(self, ids: frozenset[str]) -> None:
        """Buyer ids who paid in earlier sessions of the room (tagged "returning")."""
        self.view.returning = frozenset(ids)
        self.view.viewport().update()

    def set_words(self, words) -> None:
        self.view.words = words
        self.view._segs.clear()
        self.view.viewport().update()

    def refresh(self) -> None:
        st = self.state
        if st is None:
            return
        self.refreshes += 1
        desk = st.desk
        if desk is not self._desk:
            self._desk = desk
            self.model.reset(list(desk.items))
            self._unseen = 0
            self.view.rows_reset()
        else:
            fresh = desk.since(self.model.last_seq)
            if fresh:
                added = self.model.add(fresh)
                self.view.rows_added(added)
                if not self.view.follow:
                    self._unseen += added
        self._update_new_button()
        kinds = kind_labels()
        top = ", ".join(f"{kinds.get(k, k)} {n}" for k, n in desk.by_kind.most_common(3))
        per_min = desk.per_minute[-2] if len(desk.per_minute) >= 2 else (
            desk.per_minute[-1] if desk.per_minute else 0)
        set_text(self.counts, _tr("{n} comments · {q} questions · {r} replies · {m}/min")
                 .format(n=f"{desk.count:,}", q=f"{desk.questions:,}", r=f"{desk.sent:,}",
                         m=per_min) + (f"  ({top})" if top else ""))
        pinned = st.pinned_comment
        if pinned and pinned.get("text"):
            set_text(self.pinned, "▲ " + _tr("Pinned") + f": {pinned['text']}")
            self.pinned.show()
        else:
            self.pinned.hide()
        self._refresh_templates(st)

    # ---- Internals
    def _refresh_templates(self, st) -> None:
        cfg = st.automation.config
        if cfg is None and isinstance(st.plan, dict):
            cfg = st.plan.get("automation")
        key = id(cfg)
        if key == self._templates_key:
            return
        self._templates_key = key
        items = [(t.get("name", ""), t.get("text", "")) for t in (cfg or {}).get("templates") or []
                 if isinstance(t, dict) and t.get("text")]
        self.templates = items or list(DEFAULT_TEMPLATES)
        self.template_combo.clear()
        self.template_combo.addItem(_tr("Quick reply…"), None)
        for name, text in self.templates:
            self.template_combo.addItem(name, text)

    def _update_new_button(self) -> None:
        if self.view.follow or self._unseen <= 0:
            self.new_button.hide()
            return
        set_text(self.new_button, "↓ " + _tr("{n} new").format(n=f"{self._unseen:,}"))
        self.new_button.show()

    def _update_actions(self) -> None:
        row = self._selected
        has = row is not None and not self.read_only
        self.pin_button.setEnabled(has and bool(row.get("id")))
        self.host_button.setEnabled(has)
        hint = _tr("Click a comment to pin, reply or send it to the host")
        if row is not None:
            own = TAG_OWN in row["tags"]
            hint = (row["nick"] if own else mask_nick(row["nick"])) + f": {row['text']}"
        for w in (self.pin_button, self.host_button, self.reply_box):
            w.setToolTip(hint)
        target = self._reply_to
        self.reply_box.setPlaceholderText(
            _tr("Reply to {nick}, Enter to send").format(nick=mask_nick(target["nick"]))
            if target else _tr("Reply to the room, Enter to send"))

    def _show_message(self, text: str, error: bool = False) -> None:
        self.message.setText(text)
        self.message.setStyleSheet(f"color: {BAD_COLOUR if error else '#8a92a6'};")
        self.message.setVisible(bool(text))

    # ---- Slots
    def _on_filter(self, *_args) -> None:
        m = self.model
        m.questions_only = self.questions_box.isChecked()
        m.kind = self.kind_combo.currentData() or None
        m.search = self.search.text().strip().lower()
        m.refilter()
        self.view._segs.clear()
        self._unseen = 0
        self.view.jump_to_newest()
        self._update_new_button()

    def _on_follow_changed(self, following: bool) -> None:
        if following:
            self._unseen = 0
        self._update_new_button()

    def _on_jump(self) -> None:
        self._unseen = 0
        self.view.jump_to_newest()
        self._update_new_button()

    def _on_selected(self, row) -> None:
        self._selected = row
        self._reply_to = row if row is not None and TAG_OWN not in row["tags"] else None
        self._update_actions()

    def _on_activated(self, row) -> None:
        self._on_selected(row)
        if not self.read_only and self._reply_to is not None:
            self.reply_box.setFocus()

    def _on_pin(self) -> None:
        row = self._selected
        if row is not None and row.get("id") and not self.read_only:
            self.sig_pin.emit(row["id"])
            self._show_message(_tr("Pin sent"))

    def _on_host(self) -> None:
        row = self._selected
        if row is None or self.read_only:
            return
        text = _tr("Viewer asks") + f": {row['text']}" if row["q"] else \
            _tr("Viewer") + f" {mask_nick(row['nick'])}: {row['text']}"
        self.sig_send_to_host.emit(text, dict(row, q=list(row["q"])))
        self._show_message(_tr("Sent to the prompt panel"))

    def _on_template(self, index: int) -> None:
        template = self.template_combo.itemData(index)
        self.template_combo.setCurrentIndex(0)
        if not template or self.state is None:
            return
        values = template_values(self.state, {"nick": mask_nick(self._reply_to["nick"])}
                                 if self._reply_to else None)
        try:
            text = render(template, values)
        except MissingValue as exc:
            self._show_message(_tr("This template needs {{{name}}}, which the session does not "
                                   "have now").format(name=exc.args[0]), error=True)
            return
        except ValueError as exc:
            self._show_message(str(exc), error=True)
            return
        self.reply_box.setText(text)
        self.reply_box.setFocus()

    def _on_reply_text(self, text: str) -> None:
        hits = self.view.banned(text) if self.view.banned and text else []
        if hits:
            terms = "、".join(dict.fromkeys(h.term for h in hits))
            self._show_message(_tr("Advertising law (广告法): {terms}; this cannot be sent")
                               .format(terms=terms), error=True)
            self._law_warning = True
        elif self._law_warning:
            self._law_warning = False
            self._show_message("")
        self.send_button.setEnabled(not hits and bool(text.strip()))

    def _on_send(self) -> None:
        if self.read_only:
            return
        text = self.reply_box.text().strip()
        if not text:
            return
        hits = self.view.banned(text) if self.view.banned else []
        if hits:
            self._on_reply_text(text)
            return
        target = self._reply_to
        self.sig_reply.emit(text, target["id"] if target and target.get("id") else "")
        self.reply_box.clear()
        self._show_message(_tr("Reply sent") if target else _tr("Message sent"))
