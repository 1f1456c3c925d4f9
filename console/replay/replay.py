"""Replay of a recorded session: seek, play at a rate, step between lane events.

Replay is just another feed source: :class:`ReplayFeed` reads the recording in
chunks and appends the events to a :class:`SessionLog`, so the same state fold
and the same panels observe it. Seeking starts from the nearest recorder
snapshot at or before the target and folds only the events after it.

Headless (no Qt). Works against the read side of the recorder (``Store``, see
docs/dev/contracts.md) or anything with the same methods.
"""

from __future__ import annotations

import bisect
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from console.api import SessionRow
from console.core import protocol as p
from console.core.eventlog import Event, SessionLog
from console.fold.state import IndexedBuyers, SessionState, paid_order_keys

#: Lane kinds and the log event types that make them. Stock-outs come from the
#: fold's marks (inventory.set to 0), not from a type query.
LANE_TYPES: dict[str, tuple[str, ...]] = {
    "card": (p.CARD_PUSHED,),
    "flash": (p.FLASH_STARTED, p.FLASH_ENDED),
    "alert": (p.ALERT_RAISED,),
    "operator": (p.OPERATOR_CUE, p.OPERATOR_REORDER, p.OPERATOR_COMMAND, p.OPERATOR_ERROR),
}
LANE_KINDS = ("card", "flash", "stockout", "alert", "operator")
LANE_LABELS = {"card": "讲解 card", "flash": "秒杀 flash", "stockout": "售罄 stock-out",
               "alert": "告警 alert", "operator": "运营 cue"}
log = logging.getLogger(__name__)
CHUNK = 5000          # events per store read
MIN_RATE, MAX_RATE = 1.0, 60.0


@dataclass(frozen=True, order=True)
class LaneEvent:
    ts: float
    seq: int
    kind: str = field(compare=False)
    type: str = field(compare=False)
    label: str = field(compare=False)


class SessionNotFound(KeyError):
    pass


def buyer_keys(events: list[Event]) -> list[str]:
    """The buyer-registry keys the fold asks about for these events."""
    keys: list[str] = []
    for ev in events:
        if ev.type == p.ORDER_PAID and isinstance(ev.data, dict):
            keys.extend(paid_order_keys(ev.data))
    return keys


class WindowBuyers(IndexedBuyers):
    """Replay buyer registry holding only the first purchases of the events being folded.

    Before each batch is applied the replay loads the first purchases made within that
    batch's seq range (``Store.first_purchases_between``), so memory stays bounded however
    long the recording and opening a session never loads all of its buyers.
    """

    def __init__(self) -> None:
        super().__init__({})

    def load(self, first_seq: dict[str, int]) -> None:
        self.first_seq = first_seq


#: Operator commands and who pushed a card, as the lanes (timeline, reports) name them: never
#: the wire names such as card.push
COMMAND_LABELS = {p.CMD_CARD_PUSH: "弹讲解 push card", p.CMD_CARD_CLEAR: "取消讲解 clear card",
                  p.CMD_FLASH_START: "开秒杀 start flash sale", p.CMD_FLASH_END: "结束秒杀 end flash sale",
                  p.CMD_INVENTORY_SET: "改库存 set stock", p.CMD_COMMENT_PIN: "置顶评论 pin comment",
                  p.CMD_COMMENT_SEND: "发评论 send comment"}
PUSHED_BY_LABELS = {"operator": "中控 operator", "autopilot": "模拟器 simulator",
                    "automation": "自动规则 automation", "platform": "平台 platform"}


def _lane_label(ev: Event, titles: dict[str, str]) -> str:
    d = ev.data
    if ev.type == p.CARD_PUSHED:
        title = titles.get(d.get("sku", ""), d.get("sku", ""))
        by = PUSHED_BY_LABELS.get(d.get("by", ""))
        return f"{title} ({by})" if by else title
    if ev.type == p.FLASH_STARTED:
        return f"秒杀开始 {titles.get(d.get('sku', ''), d.get('sku', ''))} ¥{d.get('deal_price', '')}"
    if ev.type == p.FLASH_ENDED:
        return f"秒杀结束 {titles.get(d.get('sku', ''), d.get('sku', ''))}"
    if ev.type == p.ALERT_RAISED:
        return str(d.get("message") or d.get("kind") or "alert")
    if ev.type == p.OPERATOR_CUE:
        return str(d.get("text", "cue"))
    if ev.type == p.OPERATOR_COMMAND:
        name, args = d.get("name", ""), d.get("args") or {}
        sku = args.get("sku", "")
        return f"{COMMAND_LABELS.get(name, name)} {titles.get(sku, sku)}".strip()
    if ev.type == p.OPERATOR_ERROR:
        return "指令失败 command failed: " + str(d.get("message", ""))
    if ev.type == p.OPERATOR_REORDER:
        return "调整排品 reorder"
    return ev.type


class Replay:
    """Random access to one recorded session."""

    def __init__(self, store, session_id: str, chunk: int = CHUNK) -> None:
        self.store = store
        self.session_id = session_id
        self.chunk = chunk
        self.info: SessionRow | None = None
        self.last_seq = 0
        self.start_ts = 0.0
        self.end_ts = 0.0
        self._lane_index: tuple[list[LaneEvent], list[float]] = ([], [])
        self.final_state: SessionState | None = None

    # ---- Loading ---------------------------------------------------------------
    def open(self) -> "Replay":
        info = self.store.session(self.session_id)
        if info is None:
            raise SessionNotFound(self.session_id)
        repair = getattr(self.store, "repair_clock", None)
        if callable(repair):
            try:
                if repair(self.session_id):
                    # an older recording on two clocks, put on the feed's clock once
                    # (docs/session-log.md, "One clock")
                    info = self.store.session(self.session_id) or info
            except Exception as exc:  # noqa: BLE001 - e.g. a read-only database: open it as is
                log.warning("session %s: could not put its older recording on one clock (%s); "
                            "operator and alert times may be off", self.session_id, exc)
        self.info = info
        self._load_bounds()
        return self

    def _load_bounds(self) -> None:
        sid = self.session_id
        self.last_seq = self.store.last_seq(sid)
        first = self.store.events(sid, 1, None, 1)
        start = getattr(self.info, "started_at", None)
        self.start_ts = float(start) if start else (first[0].ts if first else 0.0)
        last = self.store.events(sid, self.last_seq, self.last_seq, 1) if self.last_seq else []
        self.end_ts = max(self.start_ts, last[0].ts if last else self.start_ts)
        self.final_state = self.state_at(self.last_seq)
        self._load_lanes()

    def _load_lanes(self) -> None:
        types = [t for ts in LANE_TYPES.values() for t in ts]
        kind_of = {t: k for k, ts in LANE_TYPES.items() for t in ts}
        titles = {s: pr.title for s, pr in self.final_state.products.items()} if self.final_state else {}
        # A card lane event is a segment start; re-pops of the card on air are not.
        seg_starts = ({sg.start_seq for sg in self.final_state.segments}
                      if self.final_state is not None else None)
        lanes = [LaneEvent(ev.ts, ev.seq, kind_of[ev.type], ev.type, _lane_label(ev, titles))
                 for ev in self.store.lane_events(self.session_id, types)
                 if ev.type in kind_of and ev.seq <= self.last_seq
                 and (ev.type != p.CARD_PUSHED or seg_starts is None or ev.seq in seg_starts)]
        # Stock-outs: from the fold's marks (snapshot marks + the tail fold).
        if self.final_state is not None:
            for ts, kind, label in self.final_state.marks:
                if kind == "stockout":
                    lanes.append(LaneEvent(ts, self.seq_at_time(ts), "stockout", p.INVENTORY_SET,
                                           f"售罄 {label}"))
        lanes.sort()
        # one assignment: readers on another thread see the old or the new index, never a mix
        self._lane_index = (lanes, [le.ts for le in lanes])

    @property
    def lanes(self) -> list[LaneEvent]:
        return self._lane_index[0]

    def refresh(self) -> bool:
        """Follow a session that is still being recorded. True when it grew."""
        old = self.last_seq
        info = self.store.session(self.session_id)
        if info is not None:
            self.info = info
        if self.store.last_seq(self.session_id) == old:
            return False
        self._load_bounds()
        return True

    # ---- Random access ---------------------------------------------------------
    def iter_events(self, from_seq: int, to_seq: int):
        """Yield events from_seq..to_seq in chunks (bounded memory)."""
        sid = self.session_id
        nxt = from_seq
        while nxt <= to_seq:
            batch = self.store.events(sid, nxt, to_seq, self.chunk)
            if not batch:
                return
            yield batch
            nxt = batch[-1].seq + 1

    def first_seqs(self, events: list[Event]) -> dict[str, int]:
        """First-purchase seqs the fold of ``events`` (consecutive log events) asks about."""
        if not buyer_keys(events):
            return {}
        return self.store.first_purchases_between(self.session_id, events[0].seq, events[-1].seq)

    def fold(self, state: SessionState, batch: list[Event], firsts: dict[str, int] | None = None) -> None:
        """Apply one batch with its first purchases loaded into the state's window registry."""
        reg = state.buyers_registry
        if isinstance(reg, WindowBuyers):
            reg.load(self.first_seqs(batch) if firsts is None else firsts)
        state.apply(batch)

    def new_state(self, snap: dict | None = None) -> SessionState:
        buyers = WindowBuyers()
        return SessionState.from_snapshot(snap, buyers) if snap is not None else SessionState(buyers)

    def state_at(self, seq: int) -> SessionState:
        """State after folding log events 1..seq (nearest snapshot + the tail)."""
        seq = max(0, min(seq, self.last_seq if self.last_seq else seq))
        snap = self.store.snapshot_at_or_before(self.session_id, seq) if seq > 0 else None
        state = self.new_state(snap[1] if snap is not None else None)
        for batch in self.iter_events(state.last_seq + 1, seq):
            self.fold(state, batch)
        return state

    def seq_at_time(self, ts: float) -> int:
        return self.store.seq_at_time(self.session_id, ts)

    def seek_time(self, ts: float) -> SessionState:
        return self.state_at(self.seq_at_time(ts))

    # ---- Lanes -------------------------------------------------------------------
    def lane(self, kind: str) -> list[LaneEvent]:
        return [le for le in self.lanes if le.kind == kind]

    def next_lane(self, kind: str | None, ts: float, direction: int) -> LaneEvent | None:
        """The first lane event of ``kind`` strictly after (direction>0) or before ``ts``."""
        lanes, lane_ts = self._lane_index
        if direction >= 0:
            i = bisect.bisect_right(lane_ts, ts)
            rng = range(i, len(lanes))
        else:
            i = bisect.bisect_left(lane_ts, ts)
            rng = range(i - 1, -1, -1)
        for j in rng:
            le = lanes[j]
            if kind is None or le.kind == kind:
                return le
        return None


class ReplayClock:
    """Session-time position that advances by wall time x rate (PlotJuggler style)."""

    def __init__(self, start: float, end: float, rate: float = 1.0,
                 now: Callable[[], float] = time.monotonic) -> None:
        self.start = start
        self.end = end
        self._now = now
        self.rate = self._clamp_rate(rate)
        self.playing = False
        self._anchor_pos = start
        self._anchor_wall = now()

    @staticmethod
    def _clamp_rate(rate: float) -> float:
        return max(MIN_RATE, min(MAX_RATE, float(rate)))

    def position(self, now: float | None = None) -> float:
        now = self._now() if now is None else now
        pos = self._anchor_pos
        if self.playing:
            pos += (now - self._anchor_wall) * self.rate
        return max(self.start, min(self.end, pos))

    def _reanchor(self, now: float | None, pos: float | None = None) -> float:
        now = self._now() if now is None else now
        self._anchor_pos = self.position(now) if pos is None else max(self.start, min(self.end, pos))
        self._anchor_wall = now
        return now

    def play(self, now: float | None = None) -> None:
        now = self._reanchor(now)
        if self._anchor_pos >= self.end:
            self._anchor_pos = self.start
        self.playing = True

    def pause(self, now: float | None = None) -> None:
        self._reanchor(now)
        self.playing = False

    def toggle(self, now: float | None = None) -> None:
        (self.pause if self.playing else self.play)(now)

    def set_rate(self, rate: float, now: float | None = None) -> None:
        self._reanchor(now)
        self.rate = self._clamp_rate(rate)

    def seek(self, ts: float, now: float | None = None) -> None:
        self._reanchor(now, ts)

    def set_end(self, end: float) -> None:
        self.end = max(self.start, end)

    @property
    def at_end(self) -> bool:
        return self.position() >= self.end


@dataclass
class TickFetch:
    """What :meth:`ReplayFeed.fetch` read: events after ``cursor`` or a state to jump to."""
    cursor: int
    target: int
    batches: list[list[Event]]
    state: SessionState | None
    firsts: list[dict[str, int]] = field(default_factory=list)

    def pieces(self) -> list["TickFetch"]:
        """One fetch per batch, each starting where the one before ends: a GUI applies one per
        turn of its event loop, so folding a frame's events never holds the UI thread for
        long; a seek in between makes the rest stale (:meth:`ReplayFeed.apply_fetch` drops them)."""
        if self.state is not None or len(self.batches) <= 1:
            return [self]
        out: list[TickFetch] = []
        cursor = self.cursor
        for i, batch in enumerate(self.batches):
            out.append(TickFetch(cursor, self.target, [batch], None, self.firsts[i:i + 1]))
            cursor = batch[-1].seq
        return out


class ReplayFeed:
    """Feeds a recording into a SessionLog as the clock advances.

    ``state`` is the folded state (replaced on seek; ``on_reset`` listeners are
    told). Panels subscribe to ``log`` exactly as they do for a live feed.
    """

    def __init__(self, replay: Replay, *, rate: float = 1.0, chunk: int = 2000,
                 max_per_tick: int = 20_000, now: Callable[[], float] = time.monotonic,
                 log: SessionLog | None = None) -> None:
        self.replay = replay
        self.chunk = chunk
        self.max_per_tick = max_per_tick
        self.clock = ReplayClock(replay.start_ts, replay.end_ts, rate, now)
        self.log = log if log is not None else SessionLog(session_id=replay.session_id)
        self.on_reset: list[Callable[[SessionState], None]] = []
        self.state = replay.new_state()
        self.cursor = 0                    # last log seq appended
        self._firsts: dict[str, int] | None = None
        self.log.subscribe(self._fold)
        self.seek_seq(replay.seq_at_time(replay.start_ts))

    def _fold(self, events: list[Event]) -> None:
        self.replay.fold(self.state, events, self._firsts)

    # ---- Positioning ---------------------------------------------------------------
    def seek_seq(self, seq: int) -> SessionState:
        return self.adopt(self.replay.state_at(seq))

    def adopt(self, state: SessionState) -> SessionState:
        """Make ``state`` (e.g. ``replay.state_at(seq)`` computed on a worker thread) current."""
        self.state = state
        self.cursor = state.last_seq
        self.log.next_seq = self.cursor + 1
        for cb in self.on_reset:
            cb(self.state)
        return self.state

    def seek_time(self, ts: float, now: float | None = None) -> SessionState:
        self.clock.seek(ts, now)
        return self.seek_seq(self.replay.seq_at_time(self.clock.position(now)))

    def step(self, kind: str | None, direction: int, now: float | None = None) -> LaneEvent | None:
        """Jump to the next (+1) or previous (-1) lane event of a kind; state includes it."""
        pos = self.clock.position(now)
        le = self.replay.next_lane(kind, pos, direction)
        if le is None:
            return None
        self.clock.seek(le.ts, now)
        self.seek_seq(le.seq)
        return le

    # ---- Playing -------------------------------------------------------------------
    def fetch(self, target_ts: float, cursor: int) -> "TickFetch":
        """Read what a tick to ``target_ts`` needs, from ``cursor`` on (store reads only).

        Thread-safe with respect to the UI: touches neither ``state`` nor ``log``, so a
        GUI runs it on a worker thread and hands the result to :meth:`apply_fetch`.
        """
        target = min(self.replay.seq_at_time(target_ts), self.replay.last_seq)
        if target < cursor or target - cursor > self.max_per_tick * 4:
            # backwards, or too far behind: jump through a snapshot
            return TickFetch(cursor, target, [], self.replay.state_at(target))
        batches: list[list[Event]] = []
        firsts: list[dict[str, int]] = []
        got = 0
        nxt = cursor
        sid = self.replay.session_id
        while nxt < target and got < self.max_per_tick:
            batch = self.replay.store.events(sid, nxt + 1, target,
                                             min(self.chunk, self.max_per_tick - got))
            if not batch:
                break
            batches.append(batch)
            firsts.append(self.replay.first_seqs(batch))
            nxt = batch[-1].seq
            got += len(batch)
        return TickFetch(cursor, target, batches, None, firsts)

    def apply_fetch(self, fetched: "TickFetch", now: float | None = None) -> int:
        """Append fetched events to the log (UI thread). Stale fetches (cursor moved) are dropped."""
        if fetched.cursor != self.cursor:
            return 0
        if fetched.state is not None:
            if fetched.state.last_seq != self.cursor:
                self.adopt(fetched.state)
            return 0
        appended = 0
        for i, batch in enumerate(fetched.batches):
            self._firsts = fetched.firsts[i] if i < len(fetched.firsts) else None
            try:
                self.log.append_events(batch)
            finally:
                self._firsts = None
            self.cursor = batch[-1].seq
            appended += len(batch)
        if self.cursor >= self.replay.last_seq and self.clock.position(now) >= self.clock.end:
            self.clock.pause(now)
        return appended

    def tick(self, now: float | None = None) -> int:
        """Append events up to the clock position. Returns how many were appended."""
        return self.apply_fetch(self.fetch(self.clock.position(now), self.cursor), now)

    def refresh(self) -> bool:
        """Pick up events recorded since open (a session still being recorded)."""
        grew = self.replay.refresh()
        if grew:
            self.clock.set_end(self.replay.end_ts)
        return grew


__all__ = ["Replay", "ReplayClock", "ReplayFeed", "LaneEvent", "LANE_KINDS", "LANE_LABELS",
           "LANE_TYPES", "SessionNotFound", "TickFetch", "WindowBuyers", "buyer_keys"]
